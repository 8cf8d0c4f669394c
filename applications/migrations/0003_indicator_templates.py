from django.db import migrations

from greenmfg.reference_data import load_fixture


def load(apps, schema_editor):
    load_fixture(apps, "indicator_templates")


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

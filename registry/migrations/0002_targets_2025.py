from django.db import migrations

from greenmfg.reference_data import load_fixture


def load(apps, schema_editor):
    load_fixture(apps, "targets_2025")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("greenmfg", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

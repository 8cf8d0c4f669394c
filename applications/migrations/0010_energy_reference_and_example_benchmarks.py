from django.db import migrations

from greenmfg.reference_data import load_fixture


def load(apps, schema_editor):
    load_fixture(apps, "energy_reference")
    load_fixture(apps, "benchmarks_gbt36132_2025")


class Migration(migrations.Migration):
    dependencies = [("applications", "0009_quantitative_indicators")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

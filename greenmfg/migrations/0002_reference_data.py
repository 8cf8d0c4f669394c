from django.db import migrations

from greenmfg.reference_data import load_fixture
from greenmfg.roles import Role


def load(apps, schema_editor):
    load_fixture(apps, "regions")
    group = apps.get_model("auth", "Group")
    for role in Role:
        group.objects.get_or_create(name=role.value)


class Migration(migrations.Migration):
    dependencies = [("greenmfg", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

from django.db import migrations


def create_groups(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in ("安全管理员", "审计管理员"):
        group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("greenmfg", "0005_submission")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]

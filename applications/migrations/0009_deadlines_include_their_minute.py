"""Deadlines entered before the fix were stored at the start of their minute (23:59:00); they include it now."""

from datetime import timedelta

from django.db import migrations

END_OF_MINUTE = timedelta(seconds=59, microseconds=999999)


def include_the_minute(apps, schema_editor):
    Batch = apps.get_model("applications", "Batch")
    for batch in Batch.objects.all():
        changed = []
        for field in ("submission_deadline", "recommendation_deadline"):
            value = getattr(batch, field)
            if value.second == 0 and value.microsecond == 0:
                setattr(batch, field, value + END_OF_MINUTE)
                changed.append(field)
        if changed:
            batch.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("applications", "0008_experts_never_see_each_others_scores")]

    operations = [migrations.RunPython(include_the_minute, migrations.RunPython.noop)]

"""Load shipped reference data (``fixtures/*.json``) inside migrations, through the historical models."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection


def load_fixture(apps, name):
    """Create or update every object of a fixture file; running it twice changes nothing."""
    rows = json.loads((Path(settings.BASE_DIR) / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))
    for row in rows:
        model = apps.get_model(row["model"])
        fields = {}
        for key, value in row["fields"].items():
            field = model._meta.get_field(key)
            fields[field.attname if field.is_relation else key] = value
        model.objects.update_or_create(pk=row["pk"], defaults=fields)
    _reset_sequences({apps.get_model(row["model"]) for row in rows})


def _reset_sequences(models):
    """Rows written with explicit ids leave PostgreSQL's id sequences behind; the next insert would collide."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)

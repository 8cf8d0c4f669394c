"""Uploaded files that no row names: left by a request that died after writing its file, a transaction rolled
back after its file was stored, or a write cut short (a ``.upload-….part`` file). Removed once a day old, so an
upload in progress (its row not yet committed) is never touched."""

import logging
import time
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

MINIMUM_AGE = timedelta(days=1)


def referenced_names() -> set[str]:
    """Every file name stored in a FileField of any model."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                )
    return names


def remove_orphans(now=None) -> list[str]:
    """Remove files under MEDIA_ROOT older than a day that no row names; returns their names (also logged)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    cutoff = (now or time.time()) - MINIMUM_AGE.total_seconds()
    known = referenced_names()
    removed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(name)
            logger.info("orphan file removed: %s", name)
    if removed:
        logger.warning("orphan cleanup removed %d file(s) that no row named", len(removed))
    return removed

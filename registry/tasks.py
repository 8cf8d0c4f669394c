"""Beat tasks of the registry. Each is idempotent: run twice, or redone after a worker died, it adds nothing."""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_date

from . import background_exports, imports, rereviews, services

CHUNK = 50  # units per task: a worker killed mid-sweep loses at most this chunk, which is redone


@shared_task
def open_due_rereviews() -> int:
    """Beat-scheduled daily: hand the units whose 三年一复核 is due to workers in small chunks; returns how many.

    Each chunk is acknowledged only when done (``acks_late``), so a chunk whose worker was killed goes back to
    the queue after the broker's visibility timeout and is redone; units it had finished are skipped.
    """
    today = timezone.localdate()
    ids = rereviews.due_unit_ids(today)
    for start in range(0, len(ids), CHUNK):
        open_rereviews.delay(ids[start : start + CHUNK], today.isoformat())
    return len(ids)


@shared_task
def open_rereviews(unit_ids, today) -> int:
    """One chunk of the re-review sweep: a case per unit, each unit committed on its own."""
    return rereviews.open_rereviews(unit_ids, parse_date(today))


@shared_task
def close_due_publicities() -> int:
    """Beat-scheduled: close the 公示 notices whose period has ended. Closing twice does nothing more."""
    return services.close_due_publicities()


@shared_task
def build_list_export(export_id) -> None:
    """A 名单 export too long for a request (registry/background_exports.py); building it twice is harmless."""
    background_exports.build(export_id)


@shared_task
def build_stalled_list_exports() -> int:
    """Beat-scheduled every minute: exports never handed to a worker (broker away) or whose worker died are handed
    over again."""
    ids = background_exports.stalled_ids()
    for pk in ids:
        build_list_export.delay(pk)
    return len(ids)


@shared_task
def remove_outdated_list_exports() -> int:
    """Beat-scheduled daily: exports of lists that have changed since, and their files, are deleted."""
    return background_exports.remove_outdated()


@shared_task
def read_list_import(pk) -> bool:
    """Read a long published file's dry run (名单导入), page by page; a second run of a finished one does nothing."""
    return imports.read_in_background(pk)


@shared_task
def read_stalled_imports() -> int:
    """Beat-scheduled every minute: long files whose reading was never handed over (broker away) or whose reader
    died are handed to a worker again."""
    ids = imports.stalled_reading_ids()
    for pk in ids:
        imports.start_reading(pk)
    return len(ids)


@shared_task
def apply_list_import(pk) -> bool:
    """Write a long confirmed import (名单导入) in one transaction; a second run of a written one does nothing."""
    return imports.apply_in_background(pk)


@shared_task
def apply_stalled_imports() -> int:
    """Beat-scheduled every minute: confirmed imports never handed to a worker (broker away) or whose writer died
    are handed to a worker again."""
    ids = imports.stalled_applying_ids()
    for pk in ids:
        imports.start_applying(pk)
    return len(ids)

"""Large 名单 exports off the request: above ``EXPORT_BACKGROUND_ROWS`` rows a Celery worker builds the workbook
with ``exports.list_workbook`` (the same function the immediate download calls, whatever its formatting) while
the page shows its progress; the file is kept per filter and version of the lists' data, so everyone asking for
the same list before it changes downloads the one file.

Nothing waits forever: an export never handed to a worker (the broker was away) or whose worker died is handed
over again by beat (``stalled_ids``), and one worker builds it at a time (``build`` claims it). Exports of an
older version of the data are deleted, with their files, once nobody can still be downloading them.
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from greenmfg import generations
from greenmfg.pagination import estimated_count

from . import exports
from .filters import public_units
from .models import ListExport

PROGRESS_EVERY = 1000  # rows between two progress updates
# Handed to a worker but not started by then: the hand-over was lost (the broker was away). Started but not
# finished by then: the worker died (an export of 100,000 rows takes about a minute).
QUEUED_STALLS_AFTER = timedelta(minutes=1)
RUNNING_STALLS_AFTER = timedelta(minutes=15)
OUTDATED_KEPT_FOR = timedelta(hours=1)  # a download of an old version begun just before the data changed


def _query(params) -> str:
    """The filters only (no page, no cursor), in a fixed order, so equal filters share one export."""
    data = params.copy()
    for name in ("page", "after", "before"):
        data.pop(name, None)
    return "&".join(f"{key}={value}" for key, value in sorted(data.items()) if value)


def for_lists(params, units) -> ListExport | None:
    """The background export of ``units`` (filtered by ``params``), queued if new; None if small enough to build
    in the request, or when the cache cannot say which version of the data this is."""
    rows, _estimated = estimated_count(units)
    numbers = generations.current(generations.LISTS)
    if rows <= settings.EXPORT_BACKGROUND_ROWS or numbers is None:
        return None
    export, created = ListExport.objects.get_or_create(
        query=_query(params), version=numbers[0], defaults={"rows": rows}
    )
    if created or export.status == ListExport.Status.FAILED:
        from .tasks import build_list_export

        transaction.on_commit(lambda: build_list_export.delay(export.pk), robust=True)
    return export


def _counted(units, export_id):
    for written, unit in enumerate(units, start=1):
        if written % PROGRESS_EVERY == 0:
            ListExport.objects.filter(pk=export_id).update(written=written)
        yield unit


def _claimable(now):
    return Q(status__in=[ListExport.Status.QUEUED, ListExport.Status.FAILED]) | Q(
        status=ListExport.Status.RUNNING, started_at__lt=now - RUNNING_STALLS_AFTER
    )


def stalled_ids() -> list[int]:
    """Exports nobody is building: never handed to a worker, or whose worker died."""
    now = timezone.now()
    return list(
        ListExport.objects.filter(
            Q(status=ListExport.Status.QUEUED, created_at__lt=now - QUEUED_STALLS_AFTER)
            | Q(status=ListExport.Status.RUNNING, started_at__lt=now - RUNNING_STALLS_AFTER)
        ).values_list("pk", flat=True)
    )


def remove_outdated() -> int:
    """Delete the exports (and files) of data that has changed since; returns how many. Nothing when the cache
    cannot say which version is current."""
    numbers = generations.current(generations.LISTS)
    if numbers is None:
        return 0
    outdated = ListExport.objects.exclude(version=numbers[0]).filter(
        created_at__lt=timezone.now() - OUTDATED_KEPT_FOR
    )
    removed = 0
    for export in outdated.iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        removed += 1
    return removed


def build(export_id) -> None:
    """Build one export, unless another worker is building it or it is built: handed over twice (or redone after
    a worker died) it is built once more at most."""
    now = timezone.now()
    claimed = ListExport.objects.filter(_claimable(now), pk=export_id)
    if not claimed.update(status=ListExport.Status.RUNNING, written=0, started_at=now):
        return
    export = ListExport.objects.get(pk=export_id)
    try:
        units = public_units(QueryDict(export.query)).qs
        rows = units.count()
        ListExport.objects.filter(pk=export_id).update(rows=rows)
        content = exports.list_workbook(_counted(units.iterator(chunk_size=2000), export_id))
        export.file.save(f"名单-{export.pk}.xlsx", ContentFile(content), save=False)
    except Exception:
        ListExport.objects.filter(pk=export_id).update(status=ListExport.Status.FAILED)
        raise
    ListExport.objects.filter(pk=export_id).update(
        status=ListExport.Status.DONE, file=export.file.name, written=rows, finished_at=timezone.now()
    )

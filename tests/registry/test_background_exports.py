"""Long list exports are built by a worker with their progress on the page; short ones come at once."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from greenmfg.celery import app as celery_app
from registry.models import ListExport
from registry.tasks import build_list_export, build_stalled_list_exports, remove_outdated_list_exports

from .test_lists import listed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager(monkeypatch):
    """The worker's build runs in the test process, as in the embedded default."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def rows_of(content):
    """The data rows, below the title and the header (greenmfg/xlsx.py)."""
    return list(load_workbook(BytesIO(content)).active.iter_rows(min_row=3, values_only=True))


def test_a_long_export_is_built_in_the_background_once_per_filter_until_the_lists_change(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    listed(3)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.get("/lists/export.xlsx?region=420100&page=4")
    assert len(queued) == 1  # the build was handed to Celery (run eagerly here)
    export = ListExport.objects.get()
    assert response["Location"] == f"/lists/exports/{export.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "共 3 条" in page and f"/lists/exports/{export.pk}/download/" in page
    download = client.get(f"/lists/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert len(rows_of(b"".join(download.streaming_content))) == 3

    with django_capture_on_commit_callbacks(execute=True) as queued:
        again = client.get("/lists/export.xlsx?region=420100")
    assert again["Location"] == response["Location"] and queued == []  # the same file, not built again

    listed(1)
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.get("/lists/export.xlsx?region=420100")
    assert changed["Location"] != response["Location"]
    newer = ListExport.objects.latest("pk")
    assert len(rows_of(b"".join(client.get(f"/lists/exports/{newer.pk}/download/").streaming_content))) == 4


def test_the_page_shows_progress_while_the_worker_builds(client):
    export = ListExport.objects.create(query="", version=1, rows=20000, written=5000)
    page = client.get(f"/lists/exports/{export.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "25%" in page
    assert client.get(f"/lists/exports/{export.pk}/download/").status_code == 404


def test_a_short_export_comes_in_the_request(client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 100
    listed(3)
    response = client.get("/lists/export.xlsx")
    assert response.status_code == 200 and len(rows_of(response.content)) == 3
    assert not ListExport.objects.exists()


def test_an_export_whose_hand_over_was_lost_is_built_by_the_sweep(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    listed(3)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was away: nothing reached a worker
        response = client.get("/lists/export.xlsx")
    export = ListExport.objects.get()
    assert export.status == ListExport.Status.QUEUED
    assert build_stalled_list_exports() == 0  # just queued: the worker may still be on its way

    ListExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert build_stalled_list_exports() == 1
    assert "共 3 条" in client.get(response["Location"]).content.decode()
    download = client.get(f"/lists/exports/{export.pk}/download/")
    assert len(rows_of(b"".join(download.streaming_content))) == 3
    assert build_stalled_list_exports() == 0


def test_an_export_being_built_is_not_built_again_until_its_worker_is_presumed_dead():
    export = ListExport.objects.create(
        query="", version=1, rows=3, status=ListExport.Status.RUNNING, started_at=timezone.now()
    )
    listed(3)
    build_list_export(export.pk)  # a second hand-over while a worker builds it
    export.refresh_from_db()
    assert export.status == ListExport.Status.RUNNING and not export.file
    assert build_stalled_list_exports() == 0

    ListExport.objects.filter(pk=export.pk).update(started_at=timezone.now() - timedelta(minutes=20))
    assert build_stalled_list_exports() == 1  # the worker died: built again
    export.refresh_from_db()
    assert export.status == ListExport.Status.DONE and export.written == 3


def test_exports_of_changed_lists_are_removed_with_their_files(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    listed(3)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/lists/export.xlsx")
    old = ListExport.objects.get()
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    listed(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/lists/export.xlsx")
    current = ListExport.objects.latest("pk")
    assert remove_outdated_list_exports() == 0  # someone may still be downloading the old one

    ListExport.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert remove_outdated_list_exports() == 1
    assert list(ListExport.objects.all()) == [current]
    assert not storage.exists(name) and current.file.storage.exists(current.file.name)

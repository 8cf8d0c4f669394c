"""A long published PDF is read by a worker, page by page, and a long confirmation written by a worker, each with
its progress on the page; nothing is lost when the broker is away or the worker dies (the beat sweep hands it over
again)."""

from datetime import timedelta

import pytest
from django.utils import timezone

import greenmfg.celery
from applications.models import Organisation
from greenmfg.roles import Role
from registry import imports, tasks
from registry.models import ListedUnit, ListImport

from ..factories import make_user
from .test_published_imports import confirm, national_pdf, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_files(settings):
    """Every PDF counts as long, so the tests' small files take the background path."""
    settings.IMPORT_BACKGROUND_PAGES = 0


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(greenmfg.celery.app.conf, "task_always_eager", True)


@pytest.fixture
def broker_away(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.read_list_import, "apply_async", refuse)


def test_with_the_broker_away_the_file_waits_shows_its_progress_and_the_sweep_reads_it(
    official, long_files, broker_away, monkeypatch
):
    list_import = upload(official, national_pdf(), "附件.pdf")
    assert list_import.is_reading and list_import.reading_pages >= 1
    page = official.get(f"/lists/import/{list_import.pk}/").content.decode()
    assert f"已读 0 / {list_import.reading_pages} 页" in page
    # Nothing can be confirmed before the file is read.
    page = official.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"}, follow=True).content.decode()
    assert "文件仍在读取中" in page
    # The page polls: while reading, the progress; the same file cannot be uploaded twice meanwhile.
    polled = official.get(f"/lists/import/{list_import.pk}/", headers={"HX-Request": "true"})
    assert "import-reading" in polled.content.decode() and "HX-Refresh" not in polled
    duplicate = official.post(
        "/lists/import/",
        {"year": 2023, "listed_on": "2023-12-20", "file": _file(national_pdf(), "again.pdf")},
    ).content.decode()
    assert "不能重复导入" in duplicate

    # The sweep hands over files nobody took within a minute; the broker is back, a worker reads it.
    monkeypatch.undo()
    monkeypatch.setitem(greenmfg.celery.app.conf, "task_always_eager", True)
    assert tasks.read_stalled_imports() == 0  # too recent: the first hand-over may still come
    ListImport.objects.filter(pk=list_import.pk).update(uploaded_at=timezone.now() - timedelta(minutes=2))
    assert tasks.read_stalled_imports() == 1
    list_import.refresh_from_db()
    assert not list_import.is_reading
    assert list_import.pages_read == list_import.reading_pages
    assert list_import.report["totals"]["rows"] > 0
    polled = official.get(f"/lists/import/{list_import.pk}/", headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    confirm(official, list_import)


def test_a_reader_that_died_is_replaced_and_a_live_one_is_left_alone(official, long_files, broker_away):
    list_import = upload(official, national_pdf(), "附件.pdf")
    ListImport.objects.filter(pk=list_import.pk).update(
        uploaded_at=timezone.now() - timedelta(minutes=30), reading_started_at=timezone.now()
    )
    assert tasks.read_stalled_imports() == 0  # someone is reading it
    assert tasks.read_list_import(list_import.pk) is False  # and a second reader does not start
    ListImport.objects.filter(pk=list_import.pk).update(
        reading_started_at=timezone.now() - timedelta(minutes=11), pages_read=1
    )
    assert tasks.read_stalled_imports() == 1
    assert tasks.read_list_import(list_import.pk) is True
    list_import.refresh_from_db()
    assert list_import.report["totals"]["rows"] > 0


def test_with_a_worker_at_hand_the_official_lands_on_the_dry_run(official, long_files, eager):
    list_import = upload(official, national_pdf(), "附件.pdf")
    assert not list_import.is_reading
    page = official.get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "湖北国家级示范1有限公司" in page and "正在后台读取" not in page


def test_a_long_scan_fails_with_its_reason_and_may_be_uploaded_again(official, long_files, eager):
    from . import published_files as files

    list_import = upload(official, files.scanned_pdf(), "扫描件.pdf")
    page = official.get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "文件读取失败" in page and "扫描件" in page
    page = official.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"}, follow=True).content.decode()
    assert "该文件读取失败，不能导入" in page
    # (Under another name: the very same form again within half an hour is taken as a double submission.)
    again = upload(official, files.scanned_pdf(), "扫描件（重新上传）.pdf")
    assert again.pk != list_import.pk


# Confirming a long import --------------------------------------------------------------------------------


@pytest.fixture
def long_confirmations(settings):
    """Every confirmation counts as long, so the tests' small files are written by a worker."""
    settings.IMPORT_BACKGROUND_ROWS = 0


@pytest.fixture
def writer_away(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.apply_list_import, "apply_async", refuse)


def ask_to_confirm(client, list_import, capture):
    with capture(execute=True):
        response = client.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"}, follow=True)
    list_import.refresh_from_db()
    return response.content.decode()


def test_with_the_broker_away_a_confirmation_waits_shows_its_progress_and_the_sweep_writes_it(
    official, long_confirmations, writer_away, monkeypatch, django_capture_on_commit_callbacks
):
    list_import = upload(official, national_pdf(), "附件.pdf")
    page = ask_to_confirm(official, list_import, django_capture_on_commit_callbacks)
    assert list_import.is_applying and list_import.applied_at is None
    assert "已开始在后台导入" in page and "已写入 0 / 48 行" in page
    assert "确认导入（48行）" not in page  # neither confirmed twice nor re-chosen meanwhile
    assert Organisation.objects.count() == 0 and ListedUnit.objects.count() == 0  # one transaction, not begun
    page = ask_to_confirm(official, list_import, django_capture_on_commit_callbacks)
    assert "该名单正在后台导入，请稍候。" in page
    choices = {
        f"t{t['index']}-{name}": t[name] or ""
        for t in list_import.report["tables"]
        for name in ("kind", "category", "level", "default_region")
    }
    page = official.post(
        f"/lists/import/{list_import.pk}/", {"choose": "1", **choices}, follow=True
    ).content.decode()
    assert "该名单正在后台导入，请稍候。" in page
    polled = official.get(f"/lists/import/{list_import.pk}/", headers={"HX-Request": "true"})
    assert "import-applying" in polled.content.decode() and "HX-Refresh" not in polled
    assert "正在导入" in official.get("/lists/import/").content.decode()

    # The sweep hands over confirmations nobody took within a minute; a worker writes it, telling its progress.
    monkeypatch.undo()
    monkeypatch.setitem(greenmfg.celery.app.conf, "task_always_eager", True)
    monkeypatch.setattr(imports._Writer, "PROGRESS_EVERY", 20)
    told, tell = [], imports._tell_progress
    monkeypatch.setattr(imports, "_tell_progress", lambda pk, n: (told.append(n), tell(pk, n)))
    assert tasks.apply_stalled_imports() == 0  # too recent: the first hand-over may still come
    ListImport.objects.filter(pk=list_import.pk).update(applying_since=timezone.now() - timedelta(minutes=2))
    assert tasks.apply_stalled_imports() == 1
    list_import.refresh_from_db()
    assert list_import.applied_at is not None and not list_import.is_applying
    assert told == [0, 20, 40]
    assert ListedUnit.objects.count() == 48 and Organisation.objects.count() == 46
    polled = official.get(f"/lists/import/{list_import.pk}/", headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    page = official.get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "写入名单记录 48 条，新建单位 46 个" in page
    assert tasks.apply_list_import(list_import.pk) is False  # written once only
    assert ListedUnit.objects.count() == 48


def test_with_a_worker_at_hand_the_official_lands_on_the_result(
    official, long_confirmations, eager, django_capture_on_commit_callbacks
):
    list_import = upload(official, national_pdf(), "附件.pdf")
    ask_to_confirm(official, list_import, django_capture_on_commit_callbacks)
    assert list_import.applied_at is not None
    # (The test's transaction runs the hand-over after the response; without it, before the redirect.)
    page = official.get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "写入名单记录 48 条" in page and "import-applying" not in page


def test_a_writer_that_died_is_replaced_and_a_live_one_is_left_alone(
    official, long_confirmations, writer_away, django_capture_on_commit_callbacks
):
    list_import = upload(official, national_pdf(), "附件.pdf")
    ask_to_confirm(official, list_import, django_capture_on_commit_callbacks)
    ListImport.objects.filter(pk=list_import.pk).update(
        applying_since=timezone.now() - timedelta(minutes=30), applying_started_at=timezone.now()
    )
    assert tasks.apply_stalled_imports() == 0  # someone is writing it
    assert tasks.apply_list_import(list_import.pk) is False  # and a second writer does not start
    ListImport.objects.filter(pk=list_import.pk).update(
        applying_started_at=timezone.now() - timedelta(minutes=11)
    )
    assert tasks.apply_stalled_imports() == 1
    assert tasks.apply_list_import(list_import.pk) is True
    list_import.refresh_from_db()
    assert list_import.applied_at is not None and ListedUnit.objects.count() == 48


def test_a_refused_writing_says_why_and_may_be_confirmed_again(
    official, province, login, long_confirmations, writer_away, django_capture_on_commit_callbacks
):
    list_import = upload(official, national_pdf(), "附件.pdf")
    ask_to_confirm(official, list_import, django_capture_on_commit_callbacks)
    province.groups.clear()  # the official who confirmed lost the role before a worker took it up
    assert tasks.apply_list_import(list_import.pk) is True
    list_import.refresh_from_db()
    assert list_import.applied_at is None and not list_import.is_applying and list_import.applying_error
    assert not ListedUnit.objects.exists()

    other = make_user(Role.PROVINCE)
    page = login(other).get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "后台导入未完成：" in page and "确认导入（48行）" in page


def _file(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)

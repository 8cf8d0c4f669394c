"""Atomic uploads and orphan cleanup: a file is under its name only when complete, and no row means no file."""

import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File

from applications.models import Attachment
from greenmfg.storage import private_storage
from greenmfg.tasks import remove_orphan_files

from ..factories import BatchFactory, ready_to_submit

pytestmark = pytest.mark.django_db


class BrokenUpload(File):
    """A client that disconnects after the first megabyte."""

    def __init__(self):
        super().__init__(None, name="cut.pdf")
        self.size = 19 * 1024 * 1024

    def chunks(self, chunk_size=None):
        yield b"%PDF-" + b"x" * (1024 * 1024)
        raise OSError("connection reset by peer")


def test_a_write_cut_short_leaves_no_file_under_any_name(settings):
    storage = private_storage()
    with pytest.raises(OSError, match="connection reset"):
        storage.save("declarations/2026/01/cut.pdf", BrokenUpload())
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []

    name = storage.save("declarations/2026/01/whole.pdf", ContentFile(b"%PDF-1.4 whole"))
    assert storage.open(name).read() == b"%PDF-1.4 whole"
    assert [p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == ["whole.pdf"]
    # An existing file is never overwritten: the second one gets a name of its own.
    assert storage.save("declarations/2026/01/whole.pdf", ContentFile(b"%PDF-1.4 other")) != name
    assert storage.open(name).read() == b"%PDF-1.4 whole"


def test_the_daily_cleanup_removes_old_files_no_row_names_and_reports_them(cast, settings):
    declaration = cast.wuhan_org.declarations.create(
        batch=BatchFactory(requires_third_party=False),
        region_id="420100",
        category="factory",
        created_by=cast.applicant,
    )
    ready_to_submit(declaration, cast.applicant)
    kept = sorted(a.file.name for a in Attachment.objects.all())
    root = Path(settings.MEDIA_ROOT)
    two_days_ago = time.time() - 2 * 86400
    old_stray, recent_stray = root / "declarations/2026/01/stray.pdf", root / "declarations/2026/01/new.pdf"
    old_partial = root / "declarations/2026/01/.upload-abc.part"
    for path in (old_stray, recent_stray, old_partial):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4")
    for path in (old_stray, old_partial, *(root / name for name in kept)):
        os.utime(path, (two_days_ago, two_days_ago))

    removed = remove_orphan_files.apply().get()

    assert removed == ["declarations/2026/01/.upload-abc.part", "declarations/2026/01/stray.pdf"]
    remaining = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert remaining == sorted([*kept, "declarations/2026/01/new.pdf"])
    assert remove_orphan_files.apply().get() == []

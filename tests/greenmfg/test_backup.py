"""The backup drill: data with attachments → backup → empty database and media → restore → every file intact
and downloadable by its owner. The restore and the checks run in fresh processes, as an operator's would."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from applications import services
from applications.models import Attachment
from greenmfg.backups import BackupError, verify

from ..factories import BatchFactory, ready_to_submit

ROOT = Path(__file__).resolve().parents[2]

CHECK_DOWNLOADS = """
import hashlib, json
from django.test import Client
from applications import services
from applications.models import Attachment
from greenmfg.backups import BackupError, verify
result = []
for attachment in Attachment.objects.select_related("declaration__created_by"):
    client = Client()
    client.force_login(attachment.declaration.created_by)
    response = client.get(
        f"/declarations/{attachment.declaration_id}/attachments/{attachment.pk}/", HTTP_HOST="127.0.0.1"
    )
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    result.append([attachment.pk, response.status_code, hashlib.sha256(body).hexdigest(), attachment.sha256])
print(json.dumps(result))
"""


def manage(*arguments, database_url, media_root):
    environment = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def empty_database(tmp_path):
    """A database with nothing in it, as on a new server: its URL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    s = connection.settings_dict
    name = f"{s['NAME']}_restored"
    server = dict(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname="postgres")
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.timeout(300)
def test_the_backup_restores_into_an_empty_database_with_every_file_intact(
    cast, settings, tmp_path, empty_database
):
    batch = BatchFactory(requires_third_party=False)
    for organisation, user in ((cast.wuhan_org, cast.applicant), (cast.huangshi_org, cast.other_applicant)):
        declaration = services.create_declaration(
            organisation=organisation, user=user, batch=batch, category="factory"
        )
        ready_to_submit(declaration, user)
    attachments = {a.pk: a.sha256 for a in Attachment.objects.all()}
    assert len(attachments) >= 4

    started = time.monotonic()
    call_command("backup", dir=str(tmp_path / "backups"), keep=2)
    backup_seconds = time.monotonic() - started
    [folder] = (tmp_path / "backups").glob("greenmfg-*")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert len(manifest["files"]) == len(attachments)
    shutil.rmtree(settings.MEDIA_ROOT)  # the uploaded files are lost with the server

    restored_media = tmp_path / "restored-media"
    started = time.monotonic()
    output = manage("restore", str(folder), database_url=empty_database, media_root=restored_media)
    restore_seconds = time.monotonic() - started
    assert f"{len(attachments)} files checked" in output

    output = manage("shell", "-c", CHECK_DOWNLOADS, database_url=empty_database, media_root=restored_media)
    checked = json.loads(output.splitlines()[-1])
    assert sorted(pk for pk, *_ in checked) == sorted(attachments)
    for pk, status, downloaded, recorded in checked:
        assert (status, downloaded, recorded) == (200, attachments[pk], attachments[pk])

    # Restoring over data is refused: only into an empty database and media folder.
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": empty_database, "MEDIA_ROOT": str(restored_media)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "is not empty" in refused.stderr
    sizes = {name: part["size"] for name, part in manifest["parts"].items()}
    print(
        f"\nbackup drill ({connection.vendor}): {sizes}, backup {backup_seconds:.2f} s, restore {restore_seconds:.2f} s"
    )


def test_old_backups_beyond_the_kept_number_are_removed_and_a_damaged_one_is_refused(db, tmp_path):
    for _ in range(3):
        call_command("backup", dir=str(tmp_path), keep=2)
    folders = sorted(tmp_path.glob("greenmfg-*"))
    assert len(folders) == 2
    media = folders[-1] / "media.tar"
    media.write_bytes(media.read_bytes() + b"x")

    with pytest.raises(BackupError, match=r"media\.tar does not match its checksum"):
        verify(folders[-1])

"""The audit trail is append-only and tamper-evident: a trigger refuses changes, the SM3 chain names any change made
around it (a database superuser with psql), concurrent writers still form one chain, old entries are archived."""

import gzip
import json
import subprocess
import threading
import time
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from greenmfg import audit
from greenmfg.models import AppendOnly, AuditEntry, Region

from ..factories import force_login_verified, make_user

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger and the advisory lock are PostgreSQL's (CI runs it)",
)


def record(n, **kwargs):
    region = Region.objects.first()
    return [
        AuditEntry.record(region, actor=None, action="test", opinion=f"第{i}条", **kwargs) for i in range(n)
    ]


def verify_audit():
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def psql(sql):
    s = connection.settings_dict
    subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432),
         "-U", s["USER"], "-d", s["NAME"], "-c", sql],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip


def test_each_entry_carries_an_sm3_hash_chained_to_the_one_before(db):
    first, second, third = record(3)
    assert first.prev_hash == audit.GENESIS
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    assert third.seq == first.seq + 2
    row = audit.as_row(second)
    assert second.hash == audit.sm3(audit._compact({k: v for k, v in row.items() if k != "hash"}).encode())
    assert "审计链完整：3 条记录" in verify_audit()


def test_the_model_refuses_to_change_or_delete_an_entry(db):
    (entry,) = record(1)
    entry.opinion = "改"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.update(opinion="改")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()


def test_the_admin_offers_no_add_change_or_delete(db, client):
    (entry,) = record(1)
    superuser = make_user(None, is_superuser=True, is_staff=True)
    force_login_verified(client, superuser)
    assert client.get(f"/admin/greenmfg/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/greenmfg/auditentry/add/").status_code == 403
    changelist = client.get("/admin/greenmfg/auditentry/")
    assert changelist.status_code == 200
    assert b"delete_selected" not in changelist.content
    response = client.post(f"/admin/greenmfg/auditentry/{entry.pk}/change/", {"opinion": "改"})
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).opinion == "第0条"


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE greenmfg_auditentry SET opinion = '改'",
        "DELETE FROM greenmfg_auditentry",
        "TRUNCATE greenmfg_auditentry CASCADE",
    ],
)
def test_the_database_refuses_update_delete_and_truncate(db, sql):
    record(2)
    with (
        pytest.raises(DatabaseError, match="审计记录只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction holds deferred checks
        cursor.execute(sql)
    assert AuditEntry.objects.count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_audit_names_an_entry_edited_with_psql_as_a_database_superuser():
    entries = record(5)
    assert "审计链完整：5 条记录" in verify_audit()
    psql(
        "SET session_replication_role = replica; "
        f"UPDATE greenmfg_auditentry SET opinion = '被改过' WHERE seq = {entries[2].seq}"
    )
    with pytest.raises(CommandError, match=f"第 {entries[2].seq} 条的内容与其哈希不符"):
        verify_audit()


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_audit_names_the_gap_a_deletion_with_psql_leaves():
    entries = record(5)
    psql(
        "ALTER TABLE greenmfg_auditentry DISABLE TRIGGER USER; "
        f"DELETE FROM greenmfg_auditentry WHERE seq IN ({entries[1].seq}, {entries[2].seq}); "
        "ALTER TABLE greenmfg_auditentry ENABLE TRIGGER USER"
    )
    missing = f"第 {entries[1].seq}–{entries[2].seq} 条"
    with pytest.raises(CommandError, match=f"第 {entries[3].seq} 条之前缺少{missing}（已被删除）"):
        verify_audit()


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_audit_given_the_head_it_printed_names_the_newest_entries_deleted_with_psql():
    entries = record(5)
    head = verify_audit().split("链尾：--head ")[1].strip()
    assert head == f"{entries[-1].seq}:{entries[-1].hash}"
    call_command("verify_audit", "--head", head, stdout=StringIO())
    psql(
        "ALTER TABLE greenmfg_auditentry DISABLE TRIGGER USER; "
        f"DELETE FROM greenmfg_auditentry WHERE seq >= {entries[3].seq}; "
        "ALTER TABLE greenmfg_auditentry ENABLE TRIGGER USER"
    )
    assert "审计链完整：3 条记录" in verify_audit()  # the chain alone cannot tell
    with pytest.raises(
        CommandError, match=f"缺少第 {entries[4].seq} 条（曾见的链尾），现存记录止于第 {entries[2].seq} 条"
    ):
        call_command("verify_audit", "--head", head, stdout=StringIO())


def test_verify_audit_given_a_head_whose_entry_was_replaced_says_so(db):
    entries = record(3)
    with pytest.raises(CommandError, match=f"第 {entries[2].seq} 条的哈希与曾见的不符"):
        call_command("verify_audit", "--head", f"{entries[2].seq}:{'0' * 64}", stdout=StringIO())
    with pytest.raises(CommandError, match="--head 的格式"):
        call_command("verify_audit", "--head", "abc", stdout=StringIO())


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_form_one_unbroken_chain():
    writers, each = 6, 15
    barrier = threading.Barrier(writers)
    errors = []

    def write():
        try:
            barrier.wait()
            for _ in range(each):
                with transaction.atomic():
                    record(1)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    assert errors == []
    seqs = list(AuditEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + writers * each))
    assert f"审计链完整：{writers * each} 条记录" in verify_audit()
    print(f"\n{writers * each} entries by {writers} concurrent writers in {seconds:.2f} s")


def test_archiving_moves_only_entries_past_retention_to_a_hashed_file_and_the_chain_still_verifies(
    db, settings, tmp_path
):
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path)
    long_ago = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 5)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        old = record(4)
    recent = record(2)

    entry = audit.archive()

    held = json.loads(entry.opinion)
    assert (held["first_seq"], held["last_seq"], held["count"]) == (old[0].seq, old[-1].seq, 4)
    archive = tmp_path / held["file"]
    assert audit.sm3(archive.read_bytes()) == held["sm3"]
    with gzip.open(archive, "rt", encoding="utf-8") as lines:
        assert [json.loads(line)["hash"] for line in lines] == [e.hash for e in old]
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [*(e.seq for e in recent), entry.seq]
    assert entry.prev_hash == recent[-1].hash  # the archive record is itself in the chain
    assert "审计链完整：3 条记录" in verify_audit()
    assert audit.verify_archive(archive) == (4, "")
    assert audit.archive() is None  # nothing else is old enough

    # Everything older than the period goes in the next round, the previous archive record included.
    later = timezone.now() + timedelta(days=settings.AUDIT_RETENTION_DAYS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        second = audit.archive()
    assert json.loads(second.opinion)["first_seq"] == recent[0].seq
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [second.pk]
    assert "审计链完整：1 条记录" in verify_audit()
    assert audit.verify_archive(archive) == (4, "")  # its record is now in the second file

    archive.write_bytes(archive.read_bytes() + b"x")
    assert "SM3 哈希与归档记录不符" in audit.verify_archive(archive)[1]


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_removed_around_the_archive_are_caught_at_the_boundary(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path)
    long_ago = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 5)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        record(3)
    kept = record(3)
    call_command("archive_audit", stdout=open("/dev/null", "w"))
    assert "审计链完整：4 条记录" in verify_audit()
    psql(f"SET session_replication_role = replica; DELETE FROM greenmfg_auditentry WHERE seq = {kept[0].seq}")
    with pytest.raises(CommandError, match=f"第 {kept[1].seq} 条之前缺少第 {kept[0].seq} 条"):
        verify_audit()


def test_beat_archives_monthly_through_the_same_path(db, settings, tmp_path):
    from greenmfg import tasks

    schedule = settings.CELERY_BEAT_SCHEDULE["archive-audit"]
    assert schedule["task"] == "greenmfg.tasks.archive_audit"
    assert schedule["schedule"].day_of_month == {1}
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path)
    long_ago = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 1)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        record(2)
    assert tasks.archive_audit() == 2
    assert tasks.archive_audit() == 0  # idempotent: nothing left to move
    assert len(list(tmp_path.glob("audit-*.jsonl.gz"))) == 1

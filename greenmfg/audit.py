"""The audit trail's chain: each entry's SM3 hash covers its content and the previous entry's hash.

An entry edited or deleted behind the application's back (a database superuser with ``psql``, the append-only
trigger disabled) no longer matches its hash, or leaves a gap in the numbering that the next entry's
``prev_hash`` does not bridge; ``verify`` names the first such link. Entries are appended under one chain lock
(a transaction-level advisory lock on PostgreSQL), so concurrent writers still form one line.

The canonical serialization below must never change: every stored hash depends on it.

Entries older than ``AUDIT_RETENTION_DAYS`` are moved to a gzipped JSON-lines file by ``archive``; the file's SM3
hash and the range it holds are an entry of the chain (``archive_audit``), written before the rows are removed
through the one path the trigger allows (``pgtrigger.ignore``). On SQLite (the embedded default) the model refuses updates
and deletes, but there is no trigger and no advisory lock: a second writer that read the same head is refused by
the unique sequence number (an error, never a fork of the chain).
"""

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64
ARCHIVE_ACTION = "archive_audit"
# Chinese names of the shared layer's own events (each app names its workflow steps beside them).
ACTION_LABELS = {
    "download": _("下载文件"),
    "export": _("导出"),
    "admin_add": _("后台新增"),
    "admin_change": _("后台修改"),
    "admin_delete": _("后台删除"),
    ARCHIVE_ACTION: _("归档审计记录"),
    # Authentication (greenmfg/accounts.py)
    "login": _("登录"),
    "login_failed": _("登录失败"),
    "locked_out": _("登录被锁定"),
    "unlocked": _("解除登录锁定"),
    "logout": _("退出登录"),
    "otp_enrolled": _("绑定第二因素"),
    "otp_failed": _("第二因素验证失败"),
    "otp_reset": _("重置第二因素"),
    "password_changed": _("修改密码"),
    "roles_changed": _("角色变更"),
}
# The pg_advisory_xact_lock key that serializes appends to the chain ("audit" in ASCII).
CHAIN_LOCK = 0x6175646974
FIELDS = (
    "seq",
    "at",
    "actor",
    "subject",
    "object_id",
    "action",
    "from_state",
    "to_state",
    "opinion",
    "address",
)


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def as_row(entry) -> dict:
    """An entry as the plain values its hash covers (also the line written to an archive)."""
    content_type = ContentType.objects.get_for_id(entry.content_type_id) if entry.content_type_id else None
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "subject": f"{content_type.app_label}.{content_type.model}" if content_type else None,
        "object_id": int(entry.object_id)
        if entry.object_id is not None
        else None,  # a code-keyed subject too
        "action": entry.action,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "opinion": entry.opinion,
        "address": entry.address,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(row: dict) -> str:
    return sm3(_compact({name: row[name] for name in (*FIELDS, "prev_hash")}).encode())


def lock_chain() -> None:
    """Hold the chain until the current transaction ends (PostgreSQL; on SQLite ``seq`` is unique)."""
    assert transaction.get_connection().in_atomic_block, "the chain is locked by a transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def chain(entries) -> None:
    """Number, time and hash unsaved ``entries`` after the current head. Call inside the transaction that saves
    them: on PostgreSQL the chain lock is held until it ends, so no other writer reads the same head."""
    from .models import AuditEntry

    lock_chain()
    head = AuditEntry.objects.order_by("-seq").values("seq", "hash").first() or {"seq": 0, "hash": GENESIS}
    seq, prev_hash, now = head["seq"], head["hash"], timezone.now()
    for entry in entries:
        seq += 1
        entry.seq, entry.at, entry.prev_hash = seq, now, prev_hash
        entry.hash = prev_hash = digest(as_row(entry))


@dataclass
class Verification:
    checked: int
    first_seq: int | None
    last_seq: int | None
    broken: str = ""  # the first broken link, in words
    last_hash: str = ""  # the newest entry's, for ``check_head`` at the next run

    @property
    def ok(self) -> bool:
        return not self.broken


def _start():
    """Where the stored chain must begin: after the newest archive's range, or at the genesis."""
    from .models import AuditEntry

    archive = AuditEntry.objects.filter(action=ARCHIVE_ACTION).order_by("-seq").first()
    if archive is None:
        return 1, GENESIS
    held = json.loads(archive.opinion)
    return held["last_seq"] + 1, held["last_hash"]


def check_rows(rows, expected_seq, expected_prev) -> tuple[int, str, str]:
    """Walk ``rows`` (dicts in order); return (count, hash of the last row, the first broken link or "")."""
    count = 0
    for row in rows:
        if row["seq"] != expected_seq:
            if row["seq"] > expected_seq:
                missing = (
                    f"第 {expected_seq} 条"
                    if row["seq"] == expected_seq + 1
                    else f"第 {expected_seq}–{row['seq'] - 1} 条"
                )
                return count, expected_prev, f"第 {row['seq']} 条之前缺少{missing}（已被删除）"
            return count, expected_prev, f"第 {row['seq']} 条的序号重复或顺序被改动"
        if row["prev_hash"] != expected_prev:
            return count, expected_prev, f"第 {row['seq']} 条与前一条的链接不符（前一条被改动、删除或替换）"
        if digest(row) != row["hash"]:
            return count, expected_prev, f"第 {row['seq']} 条的内容与其哈希不符（已被改动）"
        count += 1
        expected_seq, expected_prev = row["seq"] + 1, row["hash"]
    return count, expected_prev, ""


def verify() -> Verification:
    from .models import AuditEntry

    expected_seq, expected_prev = _start()
    entries = AuditEntry.objects.order_by("seq")
    rows = (as_row(entry) for entry in entries.iterator(chunk_size=2000))
    count, last_hash, broken = check_rows(rows, expected_seq, expected_prev)
    seqs = entries.values_list("seq", flat=True)
    return Verification(count, seqs.first(), seqs.last(), broken, last_hash)


def check_head(seq: int, expected: str) -> str:
    """Whether the entry a copy kept outside the database (the previous run's output, a printed export, the
    backup) saw as the head is still there, unchanged: the chain alone cannot show that its newest entries were
    removed. Returns the problem in words, or ""."""
    from .models import AuditEntry

    if seq < _start()[0]:
        return ""  # archived since: ``--archives`` checks the files
    stored = AuditEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if stored is None:
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        return f"缺少第 {seq} 条（曾见的链尾），现存记录止于第 {last or 0} 条（其后的记录已被删除）"
    if stored != expected:
        return f"第 {seq} 条的哈希与曾见的不符（已被改动或替换）"
    return ""


def _archive_records(directory) -> dict:
    """What each archive file should hold, by file name: from the archive entries in the table and, for older
    files, from the archive entries inside the newer files (each of which is checked the same way)."""
    from .models import AuditEntry

    held = [
        json.loads(o)
        for o in AuditEntry.objects.filter(action=ARCHIVE_ACTION).values_list("opinion", flat=True)
    ]
    for path in Path(directory).glob("audit-*.jsonl.gz"):
        try:
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                rows = [json.loads(line) for line in lines]
        except (OSError, EOFError, ValueError):
            continue  # a damaged file: its own check reports it
        held += [json.loads(row["opinion"]) for row in rows if row["action"] == ARCHIVE_ACTION]
    return {record["file"]: record for record in held}


def verify_archive(path) -> tuple[int, str]:
    """Check an archive file against the archive entry that records it; (rows, problem or "")."""
    path = Path(path)
    held = _archive_records(path.parent).get(path.name)
    if held is None:
        return 0, f"{path.name} 没有对应的归档记录"
    if sm3(path.read_bytes()) != held["sm3"]:
        return 0, f"{path.name} 的 SM3 哈希与归档记录不符"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        count, last, broken = check_rows(
            (json.loads(line) for line in lines), held["first_seq"], held["first_prev"]
        )
    if broken:
        return count, f"{path.name}：{broken}"
    if last != held["last_hash"]:
        return count, f"{path.name} 的末条哈希与归档记录不符"
    return count, ""


def archive(*, now=None, directory=None):
    """Move entries older than the retention period to a gzipped JSON-lines file; the archive entry (chained)
    records its name, SM3 hash and range. Returns that entry, or None when nothing is old enough."""
    from .models import AuditEntry

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    directory = Path(directory or settings.AUDIT_ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        lock_chain()
        kept = AuditEntry.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        old = AuditEntry.objects.order_by("seq")
        old = old.filter(seq__lt=kept) if kept is not None else old
        rows = [as_row(entry) for entry in old.iterator(chunk_size=2000)]
        if not rows:
            return None
        name = f"audit-{rows[0]['seq']:012d}-{rows[-1]['seq']:012d}.jsonl.gz"
        target, part = directory / name, directory / f".{name}.part"
        with gzip.open(part, "wt", encoding="utf-8") as out:
            for row in rows:
                out.write(_compact(row) + "\n")
        with open(part, "rb") as written:
            os.fsync(written.fileno())
        os.replace(part, target)
        held = {
            "file": name,
            "sm3": sm3(target.read_bytes()),
            "count": len(rows),
            "first_seq": rows[0]["seq"],
            "first_prev": rows[0]["prev_hash"],
            "last_seq": rows[-1]["seq"],
            "last_hash": rows[-1]["hash"],
            "before": cutoff.astimezone(UTC).isoformat(),
        }
        entry = AuditEntry.record(None, actor=None, action=ARCHIVE_ACTION, opinion=_compact(held))
        AuditEntry.objects.filter(seq__lte=held["last_seq"]).remove_archived()
    return entry


def audit_workbook(entries) -> bytes:
    """The audit viewer's export: one row per entry, with its hash so a printed copy can be checked."""
    from . import xlsx

    header = [_("序号"), _("时间"), _("操作人"), _("来源地址"), _("操作"), _("对象类型"), _("对象编号")]
    header += [_("原状态"), _("新状态"), _("意见"), _("SM3 哈希")]
    rows = (
        [
            entry.seq,
            entry.at,
            str(entry.actor or _("系统或未登录访问者")),
            entry.address,
            str(ACTION_LABELS.get(entry.action, entry.action)),
            ContentType.objects.get_for_id(entry.content_type_id).name if entry.content_type_id else "",
            entry.object_id,
            entry.from_state,
            entry.to_state,
            entry.opinion,
            entry.hash,
        ]
        for entry in entries
    )
    return xlsx.workbook(
        title=_("审计记录"), header=[str(name) for name in header], rows=rows, as_of=timezone.now()
    )

"""Background work of the shared layer: sending the outbox, removing orphan files, archiving the audit trail.

All are idempotent: a row is sent only while pending and is marked sent in the transaction that sent it; a file
is removed only when no row names it.
"""

import json

from celery import shared_task

from . import orphans, outbox


@shared_task
def deliver_emails(ids) -> int:
    """Send these outbox rows now (queued when the transaction that wrote them commits)."""
    return outbox.deliver(ids)


@shared_task
def sweep_outbox() -> int:
    """Beat-scheduled every 30 seconds: send what the broker or a dead worker left pending, and due retries."""
    return outbox.sweep()


@shared_task
def remove_orphan_files() -> list[str]:
    """Beat-scheduled daily: remove uploaded files older than a day that no row names; returns their names."""
    return orphans.remove_orphans()


@shared_task
def archive_audit() -> int:
    """Beat-scheduled monthly: move audit entries past the retention period to an archive file; rows moved."""
    from . import audit

    entry = audit.archive()
    return json.loads(entry.opinion)["count"] if entry else 0

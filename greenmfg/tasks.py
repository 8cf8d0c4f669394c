"""Background work of the shared layer: sending the outbox.

Both tasks are idempotent: a row is sent only while pending and is marked sent in the transaction that sent it.
"""

from celery import shared_task

from . import outbox


@shared_task
def deliver_emails(ids) -> int:
    """Send these outbox rows now (queued when the transaction that wrote them commits)."""
    return outbox.deliver(ids)


@shared_task
def sweep_outbox() -> int:
    """Beat-scheduled every 30 seconds: send what the broker or a dead worker left pending, and due retries."""
    return outbox.sweep()

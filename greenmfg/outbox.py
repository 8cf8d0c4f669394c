"""The outbox: every e-mail is a row first, sent by a task after the transaction that wrote it commits.

Writing the row belongs to the transaction of the change that causes it, so a rolled-back change sends
nothing and a committed one is never forgotten. Handing the row to the broker is only a hint to send it now:
if the broker is away the request goes on, and ``sweep`` (beat, every 30 seconds) sends whatever is still due.
Each row is locked while it is sent (``skip_locked``: another worker takes the next one), then marked sent in
the same transaction, so a message is sent once; the only way to send one twice is a worker killed between the
mail server's acceptance and the commit, and then the repeat carries the same Message-ID, which mail clients
merge.
"""

import logging
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .models import Notification, OutgoingEmail

logger = logging.getLogger(__name__)

CHUNK = 50  # messages per delivery task: a killed worker redoes at most this many checks, sends one again
MAX_ATTEMPTS = 8  # then the row is failed and waits for an administrator's resend
SWEEP_GRACE = timedelta(seconds=10)  # the immediate task's head start before the sweep takes a row
SWEEP_LIMIT = 1000


def send_on_commit(ids, countdown=0):
    """Hand these rows to a delivery task once the surrounding transaction commits (not at all if it rolls back);
    ``countdown`` seconds later for rows that are due later (grouped notices)."""
    if ids:
        ids = list(ids)
        transaction.on_commit(lambda: hand_to_broker(ids, countdown), robust=True)


def hand_to_broker(ids, countdown=0):
    """Queue delivery tasks; a broker that is away costs at most its connect timeout, and the sweep sends later."""
    from .tasks import deliver_emails  # tasks.py imports this module

    for start in range(0, len(ids), CHUNK):
        try:
            deliver_emails.apply_async(
                args=[ids[start : start + CHUNK]], countdown=countdown or None, retry=False
            )
        except Exception:
            logger.warning("outbox: broker unavailable; %d e-mail(s) wait for the sweep", len(ids) - start)
            return


def deliver(ids) -> int:
    """Send each due pending message among ``ids``, each in its own transaction; returns how many were sent."""
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        for pk in ids:
            sent += _deliver_one(pk, connection)
    finally:
        connection.close()
    return sent


def sweep() -> int:
    """Send what is still pending 10 seconds after it became due (the broker was away, a worker died)."""
    due = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=timezone.now() - SWEEP_GRACE
    ).order_by("next_attempt_at", "pk")
    return deliver(list(due.values_list("pk", flat=True)[:SWEEP_LIMIT]))


def resend(queryset) -> int:
    """An administrator's resend: failed (or pending) messages are tried again now, with fresh attempts."""
    ids = list(queryset.exclude(status=OutgoingEmail.Status.SENT).values_list("pk", flat=True))
    OutgoingEmail.objects.filter(pk__in=ids).update(
        status=OutgoingEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    send_on_commit(ids)
    return len(ids)


def counts() -> dict:
    """Pending and failed messages, for the administrators' dashboard."""
    return OutgoingEmail.objects.aggregate(
        pending=Count("pk", filter=Q(status=OutgoingEmail.Status.PENDING)),
        failed=Count("pk", filter=Q(status=OutgoingEmail.Status.FAILED)),
    )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def _deliver_one(pk, connection) -> int:
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if email is None:
            return 0
        try:
            _message(email, connection).send()
        except (OSError, smtplib.SMTPException) as error:
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
                logger.error("outbox: e-mail %s to %s failed for good: %s", pk, email.to, email.last_error)
            else:
                email.next_attempt_at = timezone.now() + backoff(email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return 0
        now = timezone.now()
        email.status, email.sent_at, email.attempts = OutgoingEmail.Status.SENT, now, email.attempts + 1
        email.save(update_fields=["status", "sent_at", "attempts"])
        if email.notification_id:
            Notification.objects.filter(pk=email.notification_id).update(emailed_at=now)
        return 1


def _message(email, connection):
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        to=[email.to],
        connection=connection,
        headers={"Message-ID": f"<outbox.{email.pk}@{host}>"},
    )

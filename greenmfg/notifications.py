"""Telling people that something waits on them: in the portal, and by email once.

Any app calls ``notify``; it needs no request, so Celery beat can call it too. Each notice carries a key that
names the event, and a person gets at most one notice per key: reporting the same event again (a retried task,
a signal sent twice) changes nothing, while a new event with a new key is told again.
"""

from functools import partial

from django.db import transaction
from django.db.models import QuerySet

from .models import Notification
from .tasks import send_notification_emails


def notify(users, *, text, url, key) -> list[int]:
    """Tell ``users`` (users or a queryset of them) about the event ``key``; returns the ids of new notices.

    The emails are queued when the surrounding transaction commits, so a rolled-back event sends nothing.
    """
    if isinstance(users, QuerySet):
        recipient_ids = set(users.values_list("pk", flat=True))
    else:
        recipient_ids = {user.pk for user in users}
    if not recipient_ids:
        return []
    told = Notification.objects.filter(key=key, recipient_id__in=recipient_ids)
    fresh = recipient_ids - set(told.values_list("recipient_id", flat=True))
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, text=str(text), url=url, key=key) for pk in sorted(fresh)],
        ignore_conflicts=True,
    )
    # A notice another process created in between may be among these; the email task sends each only once.
    new_ids = list(told.filter(recipient_id__in=fresh).values_list("pk", flat=True))
    if new_ids:
        # Robust: a mail server that is down must not turn a committed transition into an error page.
        transaction.on_commit(partial(send_notification_emails.delay, new_ids), robust=True)
    return new_ids

"""Telling people that something waits on them: in the portal, and by email once.

Any app calls ``notify``; it needs no request, so Celery beat can call it too. Each notice carries a key that
names the event, and a person gets at most one notice per key: reporting the same event again (a retried task,
a signal sent twice) changes nothing, while a new event with a new key is told again.

Events that come many at a time (a city recommending 20 declarations at once, experts assigned to a batch) are
told as one notice: ``notify(..., grouping=Grouping(...))`` adds the event to the recipient's open notice of
the same kind — unread, not yet e-mailed, begun within ``NOTIFICATION_GROUPING_WINDOW`` — and that notice's
e-mail leaves ``NOTIFICATION_GROUPING_DELAY`` seconds after its first event, listing them all.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import outbox
from .models import Notification, NotificationItem, OutgoingEmail

ITEMS_IN_EMAIL = 50


@dataclass(frozen=True)
class Grouping:
    """What makes events alike for one recipient, and how the notice reads once it holds several.

    ``key`` names the kind and its scope (``"recommend:batch:3:region:420100"``); ``summary`` is a text with
    ``%(n)d``; ``url`` the page where all of them are handled.
    """

    key: str
    summary: str
    url: str


def notify(users, *, text, url, key, grouping: Grouping | None = None) -> list[int]:
    """Tell ``users`` (users or a queryset of them) about the event ``key``; returns the ids of new notices.

    Each new notice whose recipient has an address gets its e-mail in the outbox in the same transaction, so a
    rolled-back event sends nothing and a committed one is sent even if the broker is away.
    """
    if isinstance(users, QuerySet):
        recipient_ids = set(users.values_list("pk", flat=True))
    else:
        recipient_ids = {user.pk for user in users}
    if not recipient_ids:
        return []
    if grouping is not None:
        return _notify_grouped(recipient_ids, text=str(text), url=url, key=key, grouping=grouping)
    with transaction.atomic():
        told = Notification.objects.filter(key=key, recipient_id__in=recipient_ids)
        fresh = recipient_ids - set(told.values_list("recipient_id", flat=True))
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, text=str(text), url=url, key=key) for pk in sorted(fresh)],
            ignore_conflicts=True,
        )
        # A notice another process created in between may be among these; its e-mail row is unique to it.
        new = list(
            told.filter(recipient_id__in=fresh, email__isnull=True)
            .exclude(recipient__email="")
            .select_related("recipient")
        )
        OutgoingEmail.objects.bulk_create(
            [
                OutgoingEmail(
                    notification=notice,
                    to=notice.recipient.email,
                    subject=_subject(notice),
                    body=_body(notice),
                )
                for notice in new
            ],
            ignore_conflicts=True,
        )
        outbox.send_on_commit(OutgoingEmail.objects.filter(notification__in=new).values_list("pk", flat=True))
        return list(told.filter(recipient_id__in=fresh).values_list("pk", flat=True))


def _notify_grouped(recipient_ids, *, text, url, key, grouping) -> list[int]:
    now = timezone.now()
    delay = timedelta(seconds=settings.NOTIFICATION_GROUPING_DELAY)
    with transaction.atomic():
        told = set(
            NotificationItem.objects.filter(
                notification__recipient_id__in=recipient_ids, notification__group=grouping.key, key=key
            ).values_list("notification__recipient_id", flat=True)
        )
        fresh = recipient_ids - told
        open_notices = {}
        for notice in (
            Notification.objects.select_for_update(of=("self",))
            .filter(
                recipient_id__in=fresh,
                group=grouping.key,
                read_at__isnull=True,
                emailed_at__isnull=True,
                created_at__gte=now - timedelta(hours=settings.NOTIFICATION_GROUPING_WINDOW),
            )
            .select_related("recipient")
            .order_by("created_at")
        ):
            open_notices[notice.recipient_id] = notice  # the newest open one
        new_ids, to_send = [], []
        for recipient_id in sorted(fresh):
            notice = open_notices.get(recipient_id)
            email = _pending_email(notice) if notice else None
            if notice is None or (notice.recipient.email and email is None):
                notice = Notification.objects.create(
                    recipient_id=recipient_id,
                    text=text,
                    url=url,
                    key=f"{grouping.key}#{key}",
                    group=grouping.key,
                )
                new_ids.append(notice.pk)
            else:
                notice.count += 1
                notice.text = grouping.summary % {"n": notice.count}
                notice.url = grouping.url
                notice.save(update_fields=["count", "text", "url"])
            NotificationItem.objects.create(notification=notice, key=key, text=text, url=url)
            if notice.recipient.email:
                if email is None:
                    email = OutgoingEmail(
                        notification=notice, to=notice.recipient.email, next_attempt_at=now + delay
                    )
                    to_send.append(email)
                email.subject, email.body = _subject(notice), _body(notice)
                email.save()
        outbox.send_on_commit([email.pk for email in to_send], countdown=delay.total_seconds())
        return new_ids


def _pending_email(notice):
    """The notice's e-mail if it has not left yet (locked, so a sender waits for the new text), else None."""
    return (
        OutgoingEmail.objects.select_for_update()
        .filter(notification=notice, status=OutgoingEmail.Status.PENDING)
        .first()
    )


def _subject(notice):
    return _("【湖北省绿色制造】%(text)s") % {"text": _one_line(notice.text, 60)}


def _one_line(text, length):
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"


def _body(notice):
    link = settings.SITE_URL.rstrip("/") + reverse("notification", args=[notice.pk])
    greeting = _("%(name)s，您好：") % {"name": notice.recipient}
    action = _("请登录平台查看和办理：%(link)s") % {"link": link}
    footer = _("本邮件由湖北省绿色制造体系管理平台自动发送，请勿回复。")
    return f"{greeting}\n\n{notice.text}\n{_items(notice)}\n{action}\n\n{footer}\n"


def _items(notice) -> str:
    """The events of a grouped notice, one per line (the first ``ITEMS_IN_EMAIL``)."""
    if notice.count < 2:
        return ""
    texts = list(notice.items.values_list("text", flat=True)[:ITEMS_IN_EMAIL])
    lines = [f"{n}. {text}" for n, text in enumerate(texts, start=1)]
    if notice.count > len(texts):
        lines.append(_("……共 %(n)d 项，请登录平台查看全部。") % {"n": notice.count})
    return "\n" + "\n".join(lines) + "\n"

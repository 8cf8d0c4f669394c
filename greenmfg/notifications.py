"""Telling people that something waits on them: in the portal, and by email once.

Any app calls ``notify``; it needs no request, so Celery beat can call it too. Each notice carries a key that
names the event, and a person gets at most one notice per key: reporting the same event again (a retried task,
a signal sent twice) changes nothing, while a new event with a new key is told again.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from . import outbox
from .models import Notification, OutgoingEmail


def notify(users, *, text, url, key) -> list[int]:
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
    return f"{greeting}\n\n{notice.text}\n\n{action}\n\n{footer}\n"

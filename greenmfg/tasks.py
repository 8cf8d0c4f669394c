"""Background work of the shared layer: emailing notifications."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(ids) -> int:
    """Email each of these notices whose recipient has an address, once; returns how many were sent.

    Each notice is locked, sent and marked in its own transaction, so a retry after a failure (or the same task
    run twice, or two workers at once) skips what was already sent. A mail that went out but whose mark could
    not be committed is the only way to send twice.
    """
    sent = 0
    for pk in ids:
        with transaction.atomic():
            notice = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True)
                .exclude(recipient__email="")
                .first()
            )
            if notice is None:
                continue
            send_mail(
                subject=_("【湖北省绿色制造】%(text)s") % {"text": _one_line(notice.text, 60)},
                message=_body(notice),
                from_email=None,
                recipient_list=[notice.recipient.email],
            )
            notice.emailed_at = timezone.now()
            notice.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def _one_line(text, length):
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"


def _body(notice):
    link = settings.SITE_URL.rstrip("/") + reverse("notification", args=[notice.pk])
    greeting = _("%(name)s，您好：") % {"name": notice.recipient}
    action = _("请登录平台查看和办理：%(link)s") % {"link": link}
    footer = _("本邮件由湖北省绿色制造体系管理平台自动发送，请勿回复。")
    return f"{greeting}\n\n{notice.text}\n\n{action}\n\n{footer}\n"

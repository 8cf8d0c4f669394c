"""The outbox: e-mails are rows written with the change, sent once, retried with back-off, visible to admins."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

import greenmfg.celery
from greenmfg import outbox
from greenmfg.models import OutgoingEmail
from greenmfg.notifications import notify
from greenmfg.roles import Role
from greenmfg.tasks import sweep_outbox

from ..factories import make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(greenmfg.celery.app.conf, "task_always_eager", True)


@pytest.fixture
def unreachable_mail_server(settings):
    """SMTP on a port where nothing listens: every send fails with a connection error."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1


def official_with_address():
    return make_user(Role.CITY, city="420100", email="wuhan@example.cn")


def test_a_failed_send_is_retried_with_back_off_then_marked_failed(
    eager, unreachable_mail_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify([official_with_address()], text="待初审", url="/", key="k")

    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at - timezone.now() == pytest.approx(
        timedelta(minutes=1), abs=timedelta(seconds=5)
    )

    delays = []
    while email.status == OutgoingEmail.Status.PENDING:
        delays.append(email.next_attempt_at)
        sweep_outbox.apply().get()  # not yet due: nothing is tried
        OutgoingEmail.objects.filter(pk=email.pk).update(
            next_attempt_at=timezone.now() - timedelta(minutes=2)
        )
        sweep_outbox.apply().get()
        email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, outbox.MAX_ATTEMPTS)
    assert [outbox.backoff(n) for n in (1, 2, 3, 7, 12)] == [timedelta(minutes=m) for m in (1, 2, 4, 60, 60)]


def test_the_sweep_sends_what_the_broker_never_delivered_once(eager, mailoutbox):
    official = official_with_address()
    notify([official], text="待初审", url="/", key="k")  # no commit callback: as if the broker had been away
    email = OutgoingEmail.objects.get()

    assert sweep_outbox.apply().get() == 0  # within the immediate task's head start
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    assert sweep_outbox.apply().get() == 1
    assert sweep_outbox.apply().get() == 0

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.notification.emailed_at == email.sent_at
    assert [m.to for m in mailoutbox] == [["wuhan@example.cn"]]


def test_admins_see_pending_and_failed_counts_and_resend(
    eager, client, login, mailoutbox, django_capture_on_commit_callbacks
):
    official = official_with_address()
    notify([official], text="一", url="/", key="pending")
    notify([official], text="二", url="/", key="failed")
    OutgoingEmail.objects.filter(notification__key="failed").update(status=OutgoingEmail.Status.FAILED)
    admin = make_user(Role.PROVINCE, username="root", is_staff=True, is_superuser=True)
    login(admin)

    page = client.get("/admin/").content.decode()
    assert "外发邮件" in page
    assert '?status__exact=pending">待发送</a></th>\n      <td>1</td>' in page
    assert '?status__exact=failed">发送失败</a></th>\n      <td>1</td>' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/greenmfg/outgoingemail/",
            {"action": "resend", "_selected_action": [e.pk for e in OutgoingEmail.objects.all()]},
            follow=True,
        )
    assert "已安排重新发送 2 封邮件" in response.content.decode()
    assert sorted(m.subject for m in mailoutbox) == ["【湖北省绿色制造】一", "【湖北省绿色制造】二"]
    assert outbox.counts() == {"pending": 0, "failed": 0}


def test_an_unreachable_broker_costs_a_request_about_a_second_and_is_logged(tmp_path):
    """In a process configured for Redis at an address where nothing listens, as during an outage."""
    code = (
        "import time, django; django.setup()\n"
        "from greenmfg import outbox\n"
        "started = time.monotonic(); outbox.hand_to_broker([1, 2, 3])\n"
        "print(round(time.monotonic() - started, 2))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.split()[-1]) < 1.5
    assert "outbox: broker unavailable; 3 e-mail(s) wait for the sweep" in result.stderr

"""Notifications: who is told what, never twice, emailed once, reminded before deadlines, shown to them alone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import greenmfg.celery
from applications import services as applications
from applications.models import Batch, Declaration
from applications.signals import declaration_transitioned
from greenmfg.models import Notification, OutgoingEmail
from greenmfg.notifications import notify
from greenmfg.roles import Role
from greenmfg.tasks import deliver_emails
from registry.notify import send_deadline_reminders
from reviews import city, experts
from reviews.models import Expert
from reviews.services import decline_commission, request_commission

from ..factories import BatchFactory, make_user, ready_to_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch):
    """Run queued tasks in the process even where REDIS_URL (CI) would send them to a broker."""
    monkeypatch.setitem(greenmfg.celery.app.conf, "task_always_eager", True)


def new_declaration(cast, *, batch=None, org=None, user=None):
    org, user = org or cast.wuhan_org, user or cast.applicant
    declaration = applications.create_declaration(
        organisation=org,
        user=user,
        batch=batch or BatchFactory(requires_third_party=False),
        category="factory",
        contact_name="张敏",
        contact_mobile="13800138000",
        industry_code="C3811",
    )
    ready_to_submit(declaration, user)
    return declaration


def self_evaluated(cast, **kwargs):
    declaration = new_declaration(cast, **kwargs)
    user = kwargs.get("user") or cast.applicant
    applications.transition(declaration.pk, "submit_self_evaluation", user=user)
    return declaration


def in_city_review(cast, **kwargs):
    declaration = self_evaluated(cast, **kwargs)
    applications.transition(declaration.pk, "submit_to_city", user=kwargs.get("user") or cast.applicant)
    return Declaration.objects.get(pk=declaration.pk)


def recipients(key_prefix):
    return sorted(
        Notification.objects.filter(key__startswith=key_prefix).values_list("recipient__username", flat=True)
    )


def return_for_revision(cast, declaration):
    city.record_review(
        declaration,
        user=cast.wuhan_official,
        decision="return",
        opinion="材料不全",
        items_to_fix="请补充能耗数据",
    )


# Who is told


def test_submitting_to_the_city_notifies_exactly_the_officials_of_that_city_once(cast):
    second_wuhan = make_user(Role.CITY, city="420100")
    make_user(Role.CITY, city="420100", is_active=False)

    declaration = in_city_review(cast)

    notices = Notification.objects.filter(key__startswith=f"declaration:{declaration.pk}:submit_to_city:")
    assert sorted(n.recipient_id for n in notices) == sorted([cast.wuhan_official.pk, second_wuhan.pk])
    assert not Notification.objects.filter(recipient=cast.huangshi_official).exists()
    notice = notices.get(recipient=cast.wuhan_official)
    assert notice.text == "“武汉绿源机械有限公司”提交了绿色工厂申报，等待市州初审。"
    assert notice.url == f"/reviews/declarations/{declaration.pk}/city-review/"
    # The applicant who acted is not told about their own step.
    assert not Notification.objects.filter(recipient=cast.applicant).exists()


def test_a_return_notifies_the_members_and_a_second_real_return_notifies_again(cast):
    colleague = make_user(Role.APPLICANT)
    cast.wuhan_org.memberships.create(user=colleague)
    declaration = in_city_review(cast)

    return_for_revision(cast, declaration)

    returned = f"declaration:{declaration.pk}:return_for_revision:"
    assert recipients(returned) == sorted([cast.applicant.username, colleague.username])
    notice = Notification.objects.get(key__startswith=returned, recipient=cast.applicant)
    assert "被市州退回修改" in notice.text and "武汉绿源机械有限公司" in notice.text
    assert notice.url == f"/declarations/{declaration.pk}/"
    assert not Notification.objects.filter(recipient=cast.other_applicant).exists()

    applications.transition(declaration.pk, "resubmit", user=cast.applicant)
    assert recipients(f"declaration:{declaration.pk}:resubmit:") == [cast.wuhan_official.username]
    return_for_revision(cast, declaration)

    assert Notification.objects.filter(key__startswith=returned, recipient=cast.applicant).count() == 2


def test_the_same_transition_reported_again_is_not_notified_twice(cast):
    declaration = in_city_review(cast)
    before = Notification.objects.count()

    for _attempt in range(2):
        declaration_transitioned.send(
            sender=Declaration, declaration=declaration, name="submit_to_city", actor=cast.applicant
        )
    assert notify([cast.wuhan_official], text="x", url="/", key="same") != []
    assert notify([cast.wuhan_official], text="x", url="/", key="same") == []

    assert Notification.objects.count() == before + 1


def test_a_commission_request_notifies_the_evaluator_staff_and_a_refusal_the_applicant(cast):
    declaration = self_evaluated(cast, batch=BatchFactory())

    commission = request_commission(declaration, cast.evaluator, user=cast.applicant)

    notice = Notification.objects.get(recipient=cast.evaluator_staff)
    assert notice.url == f"/reviews/commissions/{commission.pk}/"
    assert "武汉绿源机械有限公司" in notice.text and "请答复是否接受" in notice.text

    decline_commission(commission.pk, user=cast.evaluator_staff, reason="档期已满")

    declined = Notification.objects.get(recipient=cast.applicant)
    assert declined.key == f"commission:{commission.pk}:declined"
    assert "湖北绿色低碳评价中心" in declined.text and "请另行委托" in declined.text
    assert declined.url == f"/declarations/{declaration.pk}/"


def test_a_recommendation_notifies_the_province_and_an_assignment_the_expert(cast):
    batch = BatchFactory(requires_third_party=False)
    declaration = in_city_review(cast, batch=batch)
    city.record_review(
        declaration,
        user=cast.wuhan_official,
        decision="recommend",
        opinion="同意推荐",
        checklist=[code for code, _label in city.CHECKLIST],
    )
    city.rank(batch, cast.wuhan_official.city, user=cast.wuhan_official, order=[declaration.pk])
    city.submit_recommendation(batch, cast.wuhan_official.city, user=cast.wuhan_official, opinion="同意")
    assert recipients(f"declaration:{declaration.pk}:recommend:") == [cast.province.username]

    expert = Expert.objects.create(
        user=cast.expert, categories=["factory"], employer="大学", region_id="420500"
    )
    experts.assign_by_hand(Declaration.objects.get(pk=declaration.pk), expert, user=cast.province)

    notice = Notification.objects.get(recipient=cast.expert)
    assert notice.url == f"/reviews/declarations/{declaration.pk}/score/"
    assert "武汉绿源机械有限公司" in notice.text


# Email


def test_each_new_notice_is_emailed_once_to_a_recipient_with_an_address(
    cast, eager, mailoutbox, django_capture_on_commit_callbacks
):
    cast.wuhan_official.email = "wuhan@example.cn"
    cast.wuhan_official.save()
    make_user(Role.CITY, city="420100")  # no email address: told in the portal only
    declaration = self_evaluated(cast)

    with django_capture_on_commit_callbacks(execute=True):
        applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)

    assert [m.to for m in mailoutbox] == [["wuhan@example.cn"]]
    notice = Notification.objects.get(recipient=cast.wuhan_official)
    assert notice.emailed_at is not None
    assert notice.text in mailoutbox[0].body
    assert f"/notifications/{notice.pk}/" in mailoutbox[0].body

    assert mailoutbox[0].extra_headers["Message-ID"] == f"<outbox.{notice.email.pk}@127.0.0.1>"
    ids = list(OutgoingEmail.objects.values_list("pk", flat=True))
    assert ids == [notice.email.pk]
    assert deliver_emails.apply(args=[ids]).get() == 0
    assert deliver_emails.apply(args=[ids]).get() == 0
    assert len(mailoutbox) == 1


def test_a_rolled_back_event_neither_notifies_nor_emails(
    cast, eager, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    cast.wuhan_official.email = "wuhan@example.cn"
    cast.wuhan_official.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([cast.wuhan_official], text="x", url="/", key="rolled-back")
            raise RuntimeError

    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.exists()
    assert not OutgoingEmail.objects.exists()


# Deadline reminders


def test_deadline_reminders_go_out_once_even_when_the_task_runs_twice(cast):
    now = timezone.now()
    batch = BatchFactory(
        requires_third_party=False,
        submission_deadline=now + timedelta(days=3),
        recommendation_deadline=now + timedelta(days=5),
    )
    new_declaration(cast, batch=batch)  # a draft of 武汉
    in_city_review(cast, batch=batch, org=cast.huangshi_org, user=cast.other_applicant)
    BatchFactory(year=2027)  # deadlines a month away: nothing yet

    first = send_deadline_reminders.apply().get()
    second = send_deadline_reminders.apply().get()

    assert (first, second) == (2, 0)
    submission = Notification.objects.get(key__startswith="deadline:", recipient=cast.applicant)
    assert submission.key.startswith(f"deadline:{batch.pk}:submission_deadline:")
    assert "1 个申报尚未提交市州初审" in submission.text
    reminders = Notification.objects.filter(key__startswith="deadline:")
    recommendation = reminders.get(recipient=cast.huangshi_official)
    assert recommendation.key.startswith(f"deadline:{batch.pk}:recommendation_deadline:")
    assert recommendation.url == f"/reviews/city/{batch.pk}/"
    assert not reminders.filter(recipient__in=[cast.wuhan_official, cast.other_applicant]).exists()

    # An extended deadline is a new deadline: it is reminded again, once.
    Batch.objects.filter(pk=batch.pk).update(submission_deadline=now + timedelta(days=4))
    assert send_deadline_reminders.apply().get() == 1
    assert send_deadline_reminders.apply().get() == 0


# The notification centre


def test_the_centre_shows_only_the_users_own_notices_and_marks_them_read(cast, login):
    notify([cast.applicant], text="您的申报被退回修改", url="/declarations/", key="mine:1")
    notify([cast.applicant], text="评价已提交", url="/dashboard/", key="mine:2")
    notify([cast.other_applicant], text="别人的通知", url="/", key="theirs")
    client = login(cast.applicant)

    page = client.get("/notifications/").content.decode()

    assert "您的申报被退回修改" in page and "评价已提交" in page
    assert "别人的通知" not in page
    assert '<span class="bell-count">2</span>' in page

    opened = Notification.objects.get(key="mine:1")
    response = client.get(f"/notifications/{opened.pk}/")
    assert response.status_code == 302 and response["Location"] == "/declarations/"
    assert Notification.objects.get(pk=opened.pk).read_at is not None
    assert '<span class="bell-count">1</span>' in client.get("/dashboard/").content.decode()

    client.post("/notifications/")
    assert not Notification.objects.filter(recipient=cast.applicant, read_at__isnull=True).exists()
    assert Notification.objects.get(key="theirs").read_at is None
    assert "bell-count" not in client.get("/notifications/").content.decode()


def test_another_users_notice_is_not_found(cast, login):
    [pk] = notify([cast.applicant], text="退回修改", url="/declarations/", key="private")
    client = login(cast.other_applicant)

    assert client.get(f"/notifications/{pk}/").status_code == 404
    assert Notification.objects.get(pk=pk).read_at is None


def test_the_centre_makes_as_many_queries_for_100_notices_as_for_10(cast, login):
    def notices(n, offset):
        for i in range(offset, offset + n):
            notify([cast.applicant], text=f"通知{i}", url="/", key=f"n:{i}")

    client = login(cast.applicant)
    notices(10, 0)
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/notifications/").status_code == 200
    notices(90, 10)
    with CaptureQueriesContext(connection) as hundred:
        page = client.get("/notifications/").content.decode()

    assert len(hundred) == len(ten)
    assert '<span class="bell-count">100</span>' in page

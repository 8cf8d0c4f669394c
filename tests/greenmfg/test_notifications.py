"""Notifications: who is told what, never twice, emailed once, reminded before deadlines, shown to them alone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
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
from registry.templatetags.plans import plan_in_force
from reviews import city, experts
from reviews.models import Expert
from reviews.services import decline_commission, request_commission

from ..factories import BatchFactory, OrganisationFactory, make_user, ready_to_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch, settings):
    """Run queued tasks in the process even where REDIS_URL (CI) would send them to a broker, and send grouped
    notices' e-mails at once, as the embedded default does."""
    monkeypatch.setitem(greenmfg.celery.app.conf, "task_always_eager", True)
    settings.NOTIFICATION_GROUPING_DELAY = 0


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


def told(key_prefix):
    """Notices of the events whose keys begin so, alone or inside a grouped notice."""
    return Notification.objects.filter(
        Q(key__startswith=key_prefix) | Q(items__key__startswith=key_prefix)
    ).distinct()


def recipients(key_prefix):
    return sorted(told(key_prefix).values_list("recipient__username", flat=True))


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

    notices = told(f"declaration:{declaration.pk}:submit_to_city:")
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


# Grouped notices


def recommend_all(cast, batch, declarations):
    for declaration in declarations:
        city.record_review(
            declaration,
            user=cast.wuhan_official,
            decision="recommend",
            opinion="同意推荐",
            checklist=[code for code, _label in city.CHECKLIST],
        )
    city.rank(batch, cast.wuhan_official.city, user=cast.wuhan_official, order=[d.pk for d in declarations])
    city.submit_recommendation(batch, cast.wuhan_official.city, user=cast.wuhan_official, opinion="同意")


def test_a_city_recommending_twenty_declarations_is_one_notice_and_one_email_per_provincial_official(
    cast, eager, mailoutbox, django_capture_on_commit_callbacks, login
):
    second_province = make_user(Role.PROVINCE)
    cast.province.email, second_province.email = "sheng@example.cn", "sheng2@example.cn"
    cast.province.save()
    second_province.save()
    batch = BatchFactory(requires_third_party=False)
    organisations = [cast.wuhan_org] + [
        OrganisationFactory(name=f"武汉第{i}机械有限公司", region_id="420100") for i in range(19)
    ]
    for org in organisations[1:]:
        org.memberships.create(user=cast.applicant)
    declarations = [in_city_review(cast, batch=batch, org=org) for org in organisations]
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        recommend_all(cast, batch, declarations)

    for official in (cast.province, second_province):
        [notice] = Notification.objects.filter(recipient=official)
        assert notice.count == 20
        assert notice.text == "武汉市推荐了 20 个申报，等待省级评审分配专家。"
        assert notice.url == f"/reviews/batches/{batch.pk}/assign/"
        assert sorted(notice.items.values_list("text", flat=True)) == sorted(
            f"武汉市推荐了“{org.name}”的绿色工厂申报，等待省级评审分配专家。" for org in organisations
        )
    assert sorted(m.to[0] for m in mailoutbox) == ["sheng2@example.cn", "sheng@example.cn"]
    body = mailoutbox[0].body
    assert "武汉市推荐了 20 个申报" in body and all(org.name in body for org in organisations)
    # In the notification centre: the one notice, its 20 events listed under it.
    centre = login(second_province).get("/notifications/").content.decode()
    assert centre.count("武汉市推荐了 20 个申报，等待省级评审分配专家。") == 1 and "查看 20 项明细" in centre
    assert all(f"武汉市推荐了“{org.name}”的绿色工厂申报" in centre for org in organisations)

    # The same events reported again (a signal sent twice) change nothing.
    for declaration in declarations:
        declaration_transitioned.send(
            sender=Declaration,
            declaration=Declaration.objects.get(pk=declaration.pk),
            name="recommend",
            actor=None,
        )
    assert Notification.objects.get(recipient=cast.province).count == 20
    assert len(mailoutbox) == 2


def test_the_centre_lists_a_grouped_notices_events(cast, eager, login):
    batch = BatchFactory(requires_third_party=False)
    second = OrganisationFactory(name="武汉第二机械有限公司", region_id="420100")
    second.memberships.create(user=cast.applicant)
    declarations = [in_city_review(cast, batch=batch), in_city_review(cast, batch=batch, org=second)]
    page = login(cast.wuhan_official).get("/notifications/").content.decode()
    assert "2 个申报已提交或重新提交，等待市州初审。" in page
    assert "查看 2 项明细" in page
    for declaration in declarations:
        assert f"/reviews/declarations/{declaration.pk}/city-review/" in page


def test_events_join_the_open_notice_until_its_email_leaves_or_it_is_read(cast, settings):
    """With a worker, a grouped notice's e-mail waits NOTIFICATION_GROUPING_DELAY seconds for more events."""
    settings.NOTIFICATION_GROUPING_DELAY = 120
    cast.wuhan_official.email = "wuhan@example.cn"
    cast.wuhan_official.save()
    batch = BatchFactory(requires_third_party=False)
    second = OrganisationFactory(name="武汉第二机械有限公司", region_id="420100")
    second.memberships.create(user=cast.applicant)
    in_city_review(cast, batch=batch)
    in_city_review(cast, batch=batch, org=second)  # another transaction, a minute later say

    [notice] = Notification.objects.filter(recipient=cast.wuhan_official)
    assert notice.count == 2
    email = OutgoingEmail.objects.get(notification=notice)
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=100)
    assert deliver_emails.apply(args=[[email.pk]]).get() == 0  # not due yet
    assert "武汉第二机械有限公司" in email.body and "武汉绿源机械有限公司" in email.body

    # Once read, the next event starts a notice of its own.
    Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    third = OrganisationFactory(name="武汉第三机械有限公司", region_id="420100")
    third.memberships.create(user=cast.applicant)
    in_city_review(cast, batch=batch, org=third)
    assert Notification.objects.filter(recipient=cast.wuhan_official).count() == 2
    newest = Notification.objects.filter(recipient=cast.wuhan_official).first()
    assert newest.count == 1 and "武汉第三机械有限公司" in newest.text


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
    plan_in_force()  # the footer's plan, kept in the cache by every page
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/notifications/").status_code == 200
    notices(90, 10)
    with CaptureQueriesContext(connection) as hundred:
        page = client.get("/notifications/").content.decode()

    assert len(hundred) == len(ten)
    assert '<span class="bell-count">100</span>' in page

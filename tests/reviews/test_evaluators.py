"""Third-party evaluators under 附件2's rules, tried from the outside."""

import threading
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications import services as applications
from applications.models import Declaration
from greenmfg.identifiers import credit_code_check_character
from greenmfg.models import User
from greenmfg.refusals import Refused
from registry.templatetags.plans import plan_in_force
from reviews import services
from reviews.models import Ban, Commission, Evaluation, Evaluator, Interest, StaffMember
from reviews.views.evaluators import DIRECTORY_PAGE

from ..factories import (
    PDF_BYTES,
    BatchFactory,
    EvaluatorFactory,
    OrganisationFactory,
    backup_code,
    make_user,
    ready_to_submit,
)
from ..workflow.test_journey import all_met

pytestmark = pytest.mark.django_db


def self_evaluated(cast, org=None, user=None, **declared):
    """A declaration in 自评完成, ready to be commissioned."""
    org, user = org or cast.wuhan_org, user or cast.applicant
    declaration = applications.create_declaration(
        organisation=org, user=user, batch=BatchFactory(), category="factory", **declared
    )
    ready_to_submit(declaration, user)
    applications.transition(declaration.pk, "submit_self_evaluation", user=user)
    return Declaration.objects.get(pk=declaration.pk)


def commission_page(client, declaration, evaluator):
    return client.post(f"/reviews/declarations/{declaration.pk}/commission/", {"evaluator": evaluator.pk})


def qualified_roster(evaluator, *, seniors=5, others=5):
    for n in range(seniors):
        StaffMember.objects.create(evaluator=evaluator, name=f"高工{n}", title="senior", field="energy")
    for n in range(others):
        StaffMember.objects.create(
            evaluator=evaluator, name=f"工程师{n}", title="intermediate", field="other"
        )


# Registration, approval, directory


def test_an_evaluator_registers_with_an_officials_password(client):
    body = "91420100MA4PJ0778"
    data = {
        "evaluator_name": "楚天绿色评价有限公司", "credit_code": body + credit_code_check_character(body),
        "legal_representative": "陈法人", "region": "420100", "username": "chutian", "full_name": "陈工",
        "password1": "lvse-zhizao", "password2": "lvse-zhizao",
    }  # fmt: skip
    response = client.post("/evaluators/register/", data)
    assert response.status_code == 200 and "至少 10 位" in response.content.decode()
    assert not User.objects.filter(username="chutian").exists()


def test_an_evaluator_registers_qualifies_is_approved_and_appears_in_the_directory(client, cast, login):
    body = "91420100MA4PJ0777"
    response = client.post(
        "/evaluators/register/",
        {
            "evaluator_name": "楚天绿色评价有限公司",
            "credit_code": body + credit_code_check_character(body),
            "legal_representative": "陈法人",
            "region": "420100",
            "username": "chutian",
            "full_name": "陈工",
            "password1": "a-long-password-9",
            "password2": "a-long-password-9",
        },
    )
    assert response["Location"] == "/evaluators/mine/"
    evaluator = Evaluator.objects.get(name="楚天绿色评价有限公司")
    # Evaluator staff need a second factor: the new account enrols one before its first page.
    assert client.get("/evaluators/mine/")["Location"].startswith("/accounts/second-factor/")
    client.post("/accounts/verify/", {"token": backup_code(User.objects.get(username="chutian"))})

    refused = client.post("/evaluators/mine/", {"part": "submit"}, follow=True).content.decode()
    assert "尚不满足以下资质条件" in refused
    assert "专职中级及以上职称人员不少于10人" in refused

    client.post(
        "/evaluators/mine/",
        {
            "part": "profile",
            "profile-legal_representative": "陈法人",
            "profile-region": "420100",
            "profile-office_address": "武汉市武昌区中北路1号",
            "profile-financial_statement": "财务制度健全",
            "profile-categories": ["factory", "park"],
        },
    )
    for n in range(10):
        title = "senior" if n < 5 else "intermediate"
        client.post(
            "/evaluators/mine/",
            {
                "part": "staff",
                "staff-name": f"员工{n}",
                "staff-title": title,
                "staff-field": "environment",
                "staff-full_time": "on",
            },
        )
    client.post(
        "/evaluators/mine/",
        {
            "part": "project",
            "project-year": 2024,
            "project-client": "某企业",
            "project-category": "factory",
            "project-description": "绿色工厂评价",
        },
    )
    client.post(
        "/evaluators/mine/",
        {
            "part": "evidence",
            "evidence-topic": "staff",
            "evidence-file": SimpleUploadedFile("职称证书.pdf", PDF_BYTES),
        },
    )
    client.post("/evaluators/mine/", {"part": "submit"})
    evaluator.refresh_from_db()
    assert evaluator.status == "pending"
    assert "楚天绿色评价有限公司" not in client.get("/evaluators/").content.decode()

    province = login(cast.province)
    province.post(f"/evaluators/{evaluator.pk}/decide/", {"decision": "approve", "opinion": "材料齐全"})
    evaluator.refresh_from_db()
    assert evaluator.status == "approved"

    province.logout()
    directory = client.get("/evaluators/", {"category": "factory"}).content.decode()
    assert "楚天绿色评价有限公司" in directory
    assert "职称证书.pdf" in directory
    assert "楚天绿色评价有限公司" not in client.get("/evaluators/", {"category": "product"}).content.decode()
    evidence = evaluator.evidence.get()
    assert client.get(f"/evaluators/{evaluator.pk}/evidence/{evidence.pk}/").status_code == 200


def test_only_the_province_decides_on_an_evaluator(cast, login):
    evaluator = EvaluatorFactory(status="pending")
    for user in (cast.evaluator_staff, cast.wuhan_official, cast.applicant):
        login(user).post(f"/evaluators/{evaluator.pk}/decide/", {"decision": "approve", "opinion": "同意"})
    evaluator.refresh_from_db()
    assert evaluator.status == "pending"


def test_a_roster_change_that_breaks_a_condition_flags_the_evaluator_to_the_province(cast, login):
    qualified_roster(cast.evaluator)
    client = login(cast.evaluator_staff)
    senior = cast.evaluator.roster.filter(title="senior").first()

    client.post(f"/evaluators/mine/staff/{senior.pk}/delete/")

    cast.evaluator.refresh_from_db()
    assert "专职中级及以上职称人员不少于10人" in cast.evaluator.flagged_reason
    assert cast.evaluator.name in login(cast.province).get("/dashboard/").content.decode()


def test_the_directory_makes_the_same_number_of_queries_with_2_and_with_40_evaluators(client):
    def add(n):
        for _ in range(n):
            evaluator = EvaluatorFactory()
            qualified_roster(evaluator, seniors=1, others=1)
            Ban.objects.create(
                evaluator=evaluator, reason="x", starts_on=date(2020, 1, 1), recorded_by=make_user("省经信厅")
            )

    add(2)
    plan_in_force()  # the footer's plan, kept in the cache by every page: kept before each count
    with CaptureQueriesContext(connection) as two:
        client.get("/evaluators/")
    add(38)
    plan_in_force()
    with CaptureQueriesContext(connection) as forty:
        page = client.get("/evaluators/").content.decode()
    assert len(forty) == len(two)
    assert page.count('class="evaluator"') == DIRECTORY_PAGE  # the first page of the 40


# Commissioning: every refusal, with its message


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (
            lambda c, e, d: Evaluator.objects.filter(pk=e.pk).update(status="pending"),
            "该机构尚未通过省经信厅审核",
        ),
        (
            lambda c, e, d: Evaluator.objects.filter(pk=e.pk).update(categories=["park"]),
            "该机构不具备“绿色工厂”评价业务能力",
        ),
        (
            lambda c, e, d: Declaration.objects.filter(pk=d.pk).update(
                legal_representative=e.legal_representative
            ),
            "评价机构与申报单位的法定代表人相同",
        ),
        (
            lambda c, e, d: Interest.objects.create(
                evaluator=e,
                credit_code=c.wuhan_org.credit_code,
                name="武汉绿源",
                description="持有申报单位5%股权",
            ),
            "评价机构已声明与申报单位存在利害关系：持有申报单位5%股权",
        ),
        (
            lambda c, e, d: Declaration.objects.filter(pk=d.pk).update(prepared_by_credit_code=e.credit_code),
            "申报单位的自评价报告由该评价机构编制",
        ),
        (
            lambda c, e, d: (
                StaffMember.objects.create(evaluator=e, name="王编写", title="senior", field="energy"),
                Declaration.objects.filter(pk=d.pk).update(prepared_by_people="李四、王编写"),
            ),
            "该机构人员（王编写）参与编写了申报单位的自评价报告",
        ),
        (
            lambda c, e, d: Ban.objects.create(
                evaluator=e,
                reason="报告造假",
                starts_on=timezone.localdate() - timedelta(days=10),
                recorded_by=c.province,
            ),
            "该机构因弄虚作假被禁入",
        ),
    ],
    ids=[
        "not approved",
        "lacks category",
        "same legal representative",
        "declared interest",
        "prepared the self-evaluation",
        "staff wrote it",
        "banned",
    ],
)
def test_a_commission_is_refused_with_the_reason(cast, login, arrange, message):
    declaration = self_evaluated(cast)
    arrange(cast, cast.evaluator, declaration)
    response = commission_page(login(cast.applicant), declaration, cast.evaluator)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Commission.objects.exists()


def test_an_evaluator_cannot_evaluate_itself(cast, login):
    organisation = OrganisationFactory(credit_code=cast.evaluator.credit_code, name="评价机构自己")
    organisation.memberships.create(user=cast.other_applicant)
    declaration = self_evaluated(cast, org=organisation, user=cast.other_applicant)
    response = commission_page(login(cast.other_applicant), declaration, cast.evaluator)
    assert "评价机构与申报单位为同一法人" in response.content.decode()


def accepted_this_year(evaluator, count):
    """``count`` accepted commissions of this evaluator this year, on other applicants' declarations."""
    batch = BatchFactory()
    for _ in range(count):
        organisation = OrganisationFactory()
        declaration = Declaration.objects.create(
            organisation=organisation,
            region_id="420100",
            batch=batch,
            category="factory",
            created_by=make_user("申报单位"),
        )
        Commission.objects.create(
            declaration=declaration,
            evaluator=evaluator,
            requested_by=declaration.created_by,
            status="accepted",
            answered_at=timezone.now(),
        )


def test_the_yearly_cap_refuses_the_16th_commission(cast, login):
    accepted_this_year(cast.evaluator, 15)
    declaration = self_evaluated(cast)
    response = commission_page(login(cast.applicant), declaration, cast.evaluator)
    year = timezone.localdate().year
    assert f"该机构{year}年已承接 15 项评价，达到每年 15 项的上限" in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_yearly_cap_holds_under_16_concurrent_acceptances(cast):
    if connection.vendor != "postgresql":
        pytest.skip("the cap under concurrency is proven on PostgreSQL (CI runs it)")
    accepted_this_year(cast.evaluator, 14)
    requests = []
    for _ in range(16):
        organisation = OrganisationFactory()
        member = make_user("申报单位")
        organisation.memberships.create(user=member)
        declaration = self_evaluated(cast, org=organisation, user=member)
        requests.append(services.request_commission(declaration, cast.evaluator, user=member))
    barrier = threading.Barrier(16)
    outcomes = []

    def accept(commission):
        barrier.wait()
        try:
            services.accept_commission(
                commission.pk, user=cast.evaluator_staff, independence_declaration="独立"
            )
            outcomes.append("accepted")
        except Refused as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(c,)) for c in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("accepted") == 1
    assert all("达到每年 15 项的上限" in o for o in outcomes if o != "accepted")
    assert Commission.objects.filter(evaluator=cast.evaluator, status="accepted").count() == 15
    assert Declaration.objects.filter(state="under_evaluation").count() == 1


# Bans


@pytest.mark.parametrize(("days_before_end", "banned"), [(1, True), (0, False)])
def test_a_ban_lasts_three_years_up_to_the_day_before_it_ends(cast, days_before_end, banned):
    record = Ban.objects.create(
        evaluator=cast.evaluator, reason="伪造数据", starts_on=date(2023, 11, 25), recorded_by=cast.province
    )
    assert record.ends_on == date(2026, 11, 25)
    on = record.ends_on - timedelta(days=days_before_end)
    assert (cast.evaluator.ban_in_force(on) is not None) is banned


def test_a_ban_ends_open_commissions_tells_the_applicant_and_shows_in_the_directory(cast, login, client):
    declaration = self_evaluated(cast)
    commission = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")

    login(cast.province).post(
        f"/evaluators/{cast.evaluator.pk}/ban/",
        {"reason": "出具虚假评价报告", "starts_on": timezone.localdate().isoformat()},
    )

    commission.refresh_from_db()
    assert "被禁入至" in commission.flagged_reason
    from greenmfg.models import Notification

    told = set(Notification.objects.filter(key__startswith="ban:").values_list("recipient_id", flat=True))
    assert told == {cast.applicant.pk, cast.wuhan_official.pk}
    assert "需要重新委托的申报" in login(cast.applicant).get("/dashboard/").content.decode()
    assert "需要重新委托的申报" in login(cast.wuhan_official).get("/dashboard/").content.decode()
    staff = login(cast.evaluator_staff)
    response = staff.post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        {
            **all_met(declaration),
            "onsite_date": "2026-11-20",
            "basic_requirements_met": "true",
            "commitment_accepted": "on",
            "report": SimpleUploadedFile("报告.pdf", PDF_BYTES),
            "submit": "1",
        },
        follow=True,
    )
    # The ban ended the commission: the banned evaluator no longer reaches the declaration, which is back with
    # the applicant to commission another evaluator.
    assert response.status_code == 404
    assert commission.status == "ended"
    assert Declaration.objects.get(pk=declaration.pk).state == "self_evaluated"
    end = (timezone.localdate() + timedelta(days=365 * 3 + 1)).year
    assert f"禁入至 {end}年" in client.get("/evaluators/").content.decode()


# Evaluation


def test_an_incomplete_evaluation_cannot_be_submitted_and_says_what_is_missing(cast, login):
    declaration = self_evaluated(cast)
    commission = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")
    response = login(cast.evaluator_staff).post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        {"highlights": "亮点", "submit": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "评价尚未完成：现场评价日期、基本要求符合性、评价报告、机构承诺" in page
    assert Declaration.objects.get(pk=declaration.pk).state == "under_evaluation"


def test_a_large_gap_between_self_and_third_party_scores_is_flagged(cast, login):
    declaration = self_evaluated(cast)
    commission = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")
    answers = all_met(declaration)
    first_group = declaration.setting.template.indicators.filter(kind="group", parent=None).first()
    for indicator in first_group.children.all():
        for leaf in [indicator, *indicator.children.all()]:
            if f"met_{leaf.pk}" in answers and leaf.kind == "optional":
                answers[f"met_{leaf.pk}"] = "0"
    login(cast.evaluator_staff).post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        {
            **answers,
            "onsite_date": "2026-11-20",
            "basic_requirements_met": "true",
            "commitment_accepted": "on",
            "report": SimpleUploadedFile("报告.pdf", PDF_BYTES),
            "submit": "1",
        },
    )
    assert Declaration.objects.get(pk=declaration.pk).state == "evaluated"
    gaps = services.discrepancies(declaration, commission.evaluation)
    assert [g.group for g in gaps if g.flagged] == [first_group.name]
    assert "差异较大" in login(cast.province).get(f"/evaluators/{cast.evaluator.pk}/").content.decode()


def test_an_evaluator_cannot_open_an_uncommissioned_declaration_or_its_files(cast, login):
    declaration = self_evaluated(cast)
    attachment = declaration.attachments.first()
    client = login(cast.evaluator_staff)
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 404
    assert client.get(f"/declarations/{declaration.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/reviews/declarations/{declaration.pk}/evaluation/").status_code == 404
    other = EvaluatorFactory()
    services.request_commission(declaration, other, user=cast.applicant)
    assert client.get(f"/declarations/{declaration.pk}/attachments/{attachment.pk}/").status_code == 404


def test_only_the_province_records_a_ban(cast, login):
    for user in (cast.applicant, cast.wuhan_official, cast.evaluator_staff, cast.expert):
        login(user).post(
            f"/evaluators/{cast.evaluator.pk}/ban/",
            {"reason": "伪造", "starts_on": timezone.localdate().isoformat()},
        )
    assert not Ban.objects.exists()


# The third-party result on the declaration's pages


def test_a_commission_in_progress_shows_its_status_instead_of_the_commission_button(cast, login):
    declaration = self_evaluated(cast)
    client = login(cast.applicant)
    button = f'href="/reviews/declarations/{declaration.pk}/commission/"'
    assert button in client.get(f"/declarations/{declaration.pk}/").content.decode()

    commission_page(client, declaration, cast.evaluator)

    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert button not in page
    assert f"委托“{cast.evaluator.name}”，等待对方接受" in page
    services.accept_commission(
        Commission.objects.get(declaration=declaration).pk,
        user=cast.evaluator_staff,
        independence_declaration="独立",
    )
    assert "接受委托，正在评价" in client.get(f"/declarations/{declaration.pk}/").content.decode()


def test_the_evaluation_score_groups_and_report_show_to_the_enterprise_city_and_province(cast, login):
    declaration = self_evaluated(cast)
    commission = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")
    login(cast.evaluator_staff).post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        {
            **all_met(declaration),
            "onsite_date": "2026-11-20",
            "basic_requirements_met": "true",
            "commitment_accepted": "on",
            "report": SimpleUploadedFile("第三方评价报告.pdf", PDF_BYTES),
            "submit": "1",
        },
    )
    evaluation = Evaluation.objects.get(commission=commission)
    assert evaluation.submitted_at is not None
    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)

    for who in ("applicant", "wuhan_official", "province"):
        client = login(getattr(cast, who))
        page = client.get(f"/declarations/{declaration.pk}/").content.decode()
        assert f"第三方评分 <strong>{evaluation.score}</strong>" in page, who
        assert "第三方得分率" in page and "第三方评价报告：第三方评价报告.pdf" in page, who
        report = client.get(f"/reviews/declarations/{declaration.pk}/evaluation/report/")
        assert report.status_code == 200 and b"".join(report.streaming_content) == PDF_BYTES, who
    city_page = login(cast.wuhan_official).get(f"/reviews/declarations/{declaration.pk}/city-review/")
    assert "第三方评价报告：第三方评价报告.pdf" in city_page.content.decode()
    assert (
        login(cast.other_applicant)
        .get(f"/reviews/declarations/{declaration.pk}/evaluation/report/")
        .status_code
        == 404
    )


def test_the_directory_is_paged_and_searchable_with_a_flat_query_count(client):
    for number in range(DIRECTORY_PAGE + 5):
        EvaluatorFactory(name=f"湖北名录测试评价中心{number:03d}")
    EvaluatorFactory(name="宜昌三峡绿色评价所")
    with CaptureQueriesContext(connection) as first:
        page = client.get("/evaluators/").content.decode()
    assert page.count('class="evaluator"') == DIRECTORY_PAGE
    assert f"共 {DIRECTORY_PAGE + 6} 条" in page
    second = client.get("/evaluators/?page=2").content.decode()
    assert second.count('class="evaluator"') == 6
    found = client.get("/evaluators/", {"q": "三峡"}).content.decode()
    assert found.count('class="evaluator"') == 1 and "宜昌三峡绿色评价所" in found
    for number in range(30):
        EvaluatorFactory(name=f"湖北名录追加评价中心{number:03d}")
    with CaptureQueriesContext(connection) as more:
        client.get("/evaluators/?page=3")
    assert len(more) == len(first)


def test_the_public_evaluator_page_shows_scores_only_of_units_already_listed(cast, login, client):
    declaration = self_evaluated(cast)
    commission = services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    services.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")
    login(cast.evaluator_staff).post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        {
            **all_met(declaration),
            "onsite_date": "2026-11-20",
            "basic_requirements_met": "true",
            "commitment_accepted": "on",
            "report": SimpleUploadedFile("报告.pdf", PDF_BYTES),
            "submit": "1",
        },
    )
    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    page = f"/evaluators/{cast.evaluator.pk}/"
    name = cast.wuhan_org.name

    client.logout()
    assert name not in client.get(page).content.decode()
    assert name not in login(cast.other_applicant).get(page).content.decode()
    assert name in login(cast.province).get(page).content.decode()
    assert name in login(cast.evaluator_staff).get(page).content.decode()

    Declaration.objects.filter(pk=declaration.pk).update(state="listed")
    client.logout()
    assert name in client.get(page).content.decode()

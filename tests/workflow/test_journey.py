"""One declaration travels the whole policy through the HTTP client, each step done by the right role."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Batch, Declaration
from greenmfg.models import AuditEntry
from registry.models import ListedUnit, Publicity
from reviews.models import Commission, Expert

from ..factories import PDF_BYTES, BatchFactory, make_user

pytestmark = pytest.mark.django_db


def term_over(publicity):
    """The notice's days have all passed: moved back so that its last day was yesterday."""
    days = publicity.ends_on - publicity.starts_on
    yesterday = timezone.localdate() - timedelta(days=1)
    Publicity.objects.filter(pk=publicity.pk).update(ends_on=yesterday, starts_on=yesterday - days)


def publish(province, *units, document_number="鄂经信节能〔2026〕99号", published_on="2026-12-20"):
    """The province publishes the provincial list of ``units`` with its 文号, through its page."""
    response = province.post(
        "/lists/publish/",
        {
            "year": "2026",
            "document_number": document_number,
            "published_on": published_on,
            "units": [u.pk for u in units],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/lists/publish/", (
        response.content.decode()
    )
    return response


def state_of(declaration_id):
    return Declaration.objects.get(pk=declaration_id).state


def post_transition(client, pk, name, opinion=""):
    """Post a declaration's action as its page does; an irreversible one as its confirmation page posts it."""
    return client.post(f"/declarations/{pk}/transition/{name}/", {"opinion": opinion, "confirmed": "yes"})


BASIC_INFO = {
    "industry_code": "C3811",
    "address": "武汉市东湖高新区高新大道1号",
    "nature": "private",
    "legal_representative": "张建国",
    "contact_name": "张敏",
    "contact_mobile": "13800138000",
    "summary": "电机制造",
}


def city_decides(client, declaration, decision, opinion, items_to_fix="", checklist=None, checklist_note=""):
    """The city's 初审 as its form posts it; every 审核要点 ticked unless ``checklist`` says otherwise."""
    from reviews.city import CHECKLIST

    return client.post(
        f"/reviews/declarations/{declaration.pk}/city-review/",
        {
            "decision": decision,
            "opinion": opinion,
            "items_to_fix": items_to_fix,
            "checklist": [code for code, _label in CHECKLIST] if checklist is None else checklist,
            "checklist_note": checklist_note,
        },
    )


def city_submits(client, batch, ranked):
    """Rank, then 报送 as the confirmation page posts it."""
    client.post(f"/reviews/city/{batch.pk}/", {"rank": "1", "order": [d.pk for d in ranked]})
    return client.post(f"/reviews/city/{batch.pk}/", {"opinion": "同意推荐以上单位", "confirmed": "yes"})


def publicity_form(batch, declarations, **overrides):
    from registry.services import notice_defaults

    return {
        "title": f"{batch.year}年度湖北省绿色制造名单公示",
        "batch": batch.pk,
        "declarations": [d.pk for d in declarations],
        **{key: str(value) for key, value in notice_defaults().items()},
        "contact_phone": "027-00000000",
        "contact_email": "jnc@example.cn",
        **overrides,
    }


def all_met(declaration) -> dict:
    """The indicator form's fields with every indicator met (benchmark values where a value is asked)."""
    answers = {}
    template = declaration.setting.template
    for indicator in template.indicators.exclude(kind="group"):
        if indicator.kind == "quantitative" and indicator.benchmark is not None:
            for year in range(template.years_of_data):
                answers[f"value_{indicator.pk}_{year}"] = str(indicator.benchmark)
        else:
            answers[f"met_{indicator.pk}"] = "1"
    return answers


def fill_in_by_http(client, declaration):
    """Every step an applicant takes in the browser before submitting, through the pages' own forms."""
    from applications import eligibility

    assert client.post(f"/declarations/{declaration.pk}/edit/", BASIC_INFO).status_code == 302
    items = {f"item_{code}": "on" for code, _label in eligibility.items_for(declaration.category)}
    assert (
        client.post(f"/declarations/{declaration.pk}/eligibility/", {**items, "commitment": "on"}).status_code
        == 302
    )
    assert (
        client.post(f"/declarations/{declaration.pk}/self-evaluation/", all_met(declaration)).status_code
        == 302
    )
    for slot in ("self_evaluation_report", "commitment_scan"):
        upload = SimpleUploadedFile(f"{slot}.pdf", PDF_BYTES, content_type="application/pdf")
        response = client.post(f"/declarations/{declaration.pk}/attachments/", {"slot": slot, "file": upload})
        assert response.status_code == 302, response.content.decode()


def test_whole_journey_from_draft_to_the_public_list_and_its_export(cast, login):
    batch = BatchFactory()

    # 申报单位: create, fill in 基本信息, attest, self-evaluate, upload, submit the self-evaluation.
    client = login(cast.applicant)
    response = client.post(
        "/declarations/new/", {"organisation": cast.wuhan_org.pk, "batch": batch.pk, "category": "factory"}
    )
    declaration = Declaration.objects.get(organisation=cast.wuhan_org)
    assert response.status_code == 302
    assert response["Location"] == f"/declarations/{declaration.pk}/edit/"
    assert declaration.state == "draft"

    refused = post_transition(client, declaration.pk, "submit_self_evaluation")
    assert state_of(declaration.pk) == "draft"
    assert "请先确认以下基本条件" in client.get(refused["Location"]).content.decode()

    fill_in_by_http(client, declaration)
    post_transition(client, declaration.pk, "submit_self_evaluation")
    assert state_of(declaration.pk) == "self_evaluated"

    client.post(f"/reviews/declarations/{declaration.pk}/commission/", {"evaluator": cast.evaluator.pk})
    commission = Commission.objects.get(declaration=declaration)

    # 第三方评价机构: accept with an independence declaration, then submit the evaluation.
    client = login(cast.evaluator_staff)
    assert "待答复的委托" in client.get("/dashboard/").content.decode()
    client.post(
        f"/reviews/commissions/{commission.pk}/", {"accept": "1", "independence_declaration": "无利益关系"}
    )
    assert state_of(declaration.pk) == "under_evaluation"
    client.post(
        f"/reviews/declarations/{declaration.pk}/evaluation/",
        {
            **all_met(declaration),
            "onsite_date": "2026-11-20",
            "basic_requirements_met": "true",
            "highlights": "能源管理中心运行良好",
            "commitment_accepted": "on",
            "report": SimpleUploadedFile("评价报告.pdf", PDF_BYTES),
            "submit": "1",
        },
    )
    assert state_of(declaration.pk) == "evaluated"

    # 申报单位 submits to the city.
    client = login(cast.applicant)
    post_transition(client, declaration.pk, "submit_to_city")
    assert state_of(declaration.pk) == "city_review"

    # 市州经信局 (武汉): the queue holds it; returning without the items to fix is refused; returns, then
    # recommends, ranks and submits the city's recommendation as a whole.
    client = login(cast.wuhan_official)
    assert cast.wuhan_org.name in client.get("/dashboard/").content.decode()
    review_url = f"/reviews/declarations/{declaration.pk}/city-review/"
    refused = city_decides(client, declaration, "return", "材料不全")
    assert "退回修改时请写明需修改的内容" in refused.content.decode()
    assert state_of(declaration.pk) == "city_review"
    city_decides(client, declaration, "return", "材料不全", items_to_fix="请补充能耗数据")
    assert state_of(declaration.pk) == "returned"

    login(cast.applicant)
    post_transition(client, declaration.pk, "resubmit")
    assert state_of(declaration.pk) == "city_review"

    client = login(cast.wuhan_official)
    assert client.get(review_url).status_code == 200
    city_decides(client, declaration, "recommend", "同意推荐")
    assert state_of(declaration.pk) == "city_review"
    city_submits(client, declaration.batch, [declaration])
    assert state_of(declaration.pk) == "province_review"

    # 省经信厅 assigns the expert; the expert scores and submits; the province records the conclusion.
    expert_user = make_user("评审专家")
    Expert.objects.create(user=expert_user, categories=["factory"], employer="武汉大学", region_id="420100")
    Batch.objects.filter(pk=batch.pk).update(experts_per_declaration=1, experts_from_other_cities=False)
    client = login(cast.province)
    client.post(f"/reviews/batches/{batch.pk}/assign/", {"auto": "1"})
    client = login(expert_user)
    assert cast.wuhan_org.name in client.get("/dashboard/").content.decode()
    client.post(
        f"/reviews/declarations/{declaration.pk}/score/",
        {**all_met(declaration), "comment": "符合要求", "submit": "1"},
    )
    client = login(cast.province)
    client.post(
        f"/reviews/batches/{batch.pk}/decisions/",
        {"declarations": [declaration.pk], "outcome": "pass", "note": "专家评审通过"},
    )
    assert state_of(declaration.pk) == "review_passed"

    # 省经信厅 opens 公示, closes it at term; the unit is listed, then published with its 文号.
    response = client.post("/publicity/new/", publicity_form(batch, [declaration]))
    assert state_of(declaration.pk) == "in_publicity"
    publicity_url = response["Location"]
    assert cast.wuhan_org.name in client.get(publicity_url).content.decode()
    term_over(Publicity.objects.get())
    client.post(f"{publicity_url}close/")
    assert state_of(declaration.pk) == "listed"

    unit = ListedUnit.objects.get(declaration=declaration)
    assert unit.level == "provincial"
    publish(client, unit)
    unit.refresh_from_db()
    assert unit.next_review_on.year == unit.listed_on.year + 3

    # 公众: the public list shows it.
    client.logout()
    public = client.get("/lists/")
    assert public.status_code == 200
    assert cast.wuhan_org.name in public.content.decode()

    # 省经信厅 downloads the list.
    client = login(cast.province)
    export = client.get("/lists/export.xlsx")
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True))
    assert rows[1][:3] == (1, "武汉市", "武汉绿源机械有限公司")

    # The audit trail holds every step, with who, from, to and opinion.
    steps = list(AuditEntry.for_object(declaration).values_list("action", "from_state", "to_state"))
    assert [s[0] for s in steps] == [
        "create",
        "edit",
        "attest",
        "self_evaluate",
        "upload",
        "upload",
        "submit_self_evaluation",
        "request_commission",
        "commission",
        "submit_evaluation",
        "submit_to_city",
        "return_for_revision",
        "resubmit",
        "city_review",
        "recommend",
        "expert_submit",
        "pass_review",
        "open_publicity",
        "list",
    ]
    assert AuditEntry.for_object(declaration).get(action="return_for_revision").actor == cast.wuhan_official
    assert AuditEntry.for_object(declaration).get(action="recommend").opinion == "同意推荐"
    assert AuditEntry.for_object(declaration).get(action="pass_review").opinion == "专家评审通过"


def test_without_third_party_requirement_the_applicant_goes_straight_to_the_city(cast, login):
    batch = BatchFactory(requires_third_party=False)
    client = login(cast.applicant)
    client.post(
        "/declarations/new/", {"organisation": cast.wuhan_org.pk, "batch": batch.pk, "category": "factory"}
    )
    declaration = Declaration.objects.get(organisation=cast.wuhan_org)
    fill_in_by_http(client, declaration)
    post_transition(client, declaration.pk, "submit_self_evaluation")
    post_transition(client, declaration.pk, "submit_to_city")
    assert state_of(declaration.pk) == "city_review"


def test_submitting_after_the_deadline_is_refused_with_the_deadline(cast, login):
    batch = BatchFactory(requires_third_party=False)
    client = login(cast.applicant)
    client.post(
        "/declarations/new/", {"organisation": cast.wuhan_org.pk, "batch": batch.pk, "category": "factory"}
    )
    declaration = Declaration.objects.get(organisation=cast.wuhan_org)
    fill_in_by_http(client, declaration)
    post_transition(client, declaration.pk, "submit_self_evaluation")
    Batch.objects.filter(pk=batch.pk).update(submission_deadline="2026-01-15T17:00:00+08:00")

    response = post_transition(client, declaration.pk, "submit_to_city")

    assert state_of(declaration.pk) == "self_evaluated"
    assert "已超过申报截止时间（2026年1月15日 17:00）" in client.get(response["Location"]).content.decode()


def test_an_exclusion_in_force_refuses_submission_with_its_reason(cast, login):
    from datetime import date

    from applications.services import exclude

    exclude(
        cast.wuhan_org,
        reason="2025年被移出绿色工厂名单",
        starts_on=date(2025, 3, 1),
        ends_on=date(2028, 2, 29),
    )
    batch = BatchFactory()
    client = login(cast.applicant)
    client.post(
        "/declarations/new/", {"organisation": cast.wuhan_org.pk, "batch": batch.pk, "category": "factory"}
    )
    declaration = Declaration.objects.get(organisation=cast.wuhan_org)
    fill_in_by_http(client, declaration)

    response = post_transition(client, declaration.pk, "submit_self_evaluation")

    assert state_of(declaration.pk) == "draft"
    assert "2025年被移出绿色工厂名单" in client.get(response["Location"]).content.decode()

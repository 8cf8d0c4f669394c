"""The city's 初审 and recommendation, the experts' review and the province's decision, from the outside."""

import subprocess
from datetime import timedelta
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applications import services as applications
from applications.models import Batch, Declaration
from greenmfg.models import AuditEntry
from greenmfg.roles import Role
from reviews import experts
from reviews.models import Assignment, CityPreReview, CityRecommendation, Expert

from ..factories import BatchFactory, OrganisationFactory, enterprise_of, make_user, ready_to_submit
from ..workflow.test_journey import all_met, city_decides, city_submits

pytestmark = pytest.mark.django_db


def in_city_review(cast, org=None, user=None, batch=None):
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
    applications.transition(declaration.pk, "submit_self_evaluation", user=user)
    applications.transition(declaration.pk, "submit_to_city", user=user)
    return Declaration.objects.get(pk=declaration.pk)


def expert_pool(n, region="420500", categories=("factory",)):
    return [
        Expert.objects.create(
            user=make_user("评审专家"), categories=list(categories), employer=f"大学{i}", region_id=region
        )
        for i in range(n)
    ]


# City


def test_the_city_ranks_and_submits_its_recommendation_as_a_whole_and_then_it_is_locked(cast, login):
    batch = BatchFactory(requires_third_party=False)
    first = in_city_review(cast, batch=batch)
    second = in_city_review(cast, org=enterprise_of(cast.applicant), batch=batch)
    client = login(cast.wuhan_official)
    city_decides(client, first, "recommend", "同意推荐")
    city_decides(client, second, "recommend", "同意推荐")
    assert Declaration.objects.filter(state="city_review").count() == 2

    city_submits(client, batch, [second, first])

    assert set(Declaration.objects.values_list("state", flat=True)) == {"province_review"}
    assert [d.city_review.rank for d in (second, first)] == [1, 2]
    record = CityRecommendation.objects.get(batch=batch, region_id="420100")
    again = client.post(
        f"/reviews/city/{batch.pk}/", {"opinion": "再次报送", "confirmed": "yes"}, follow=True
    ).content.decode()
    assert "本市州的推荐已报送，不能重复报送" in again
    rerank = client.post(
        f"/reviews/city/{batch.pk}/", {"rank": "1", "order": [first.pk, second.pk]}, follow=True
    )
    assert "不能再调整排序" in rerank.content.decode()
    assert CityRecommendation.objects.get(pk=record.pk).submitted_at == record.submitted_at


def test_the_recommendation_is_locked_after_the_city_deadline(cast, login):
    batch = BatchFactory(requires_third_party=False)
    declaration = in_city_review(cast, batch=batch)
    client = login(cast.wuhan_official)
    city_decides(client, declaration, "recommend", "同意推荐")
    Batch.objects.filter(pk=batch.pk).update(recommendation_deadline=timezone.now() - timedelta(minutes=1))

    page = city_submits(client, batch, [declaration])

    assert "已超过市州推荐截止时间" in page.content.decode()
    assert Declaration.objects.get(pk=declaration.pk).state == "city_review"
    late_review = city_decides(client, declaration, "not_recommend", "不同意")
    assert "已超过市州推荐截止时间" in late_review.content.decode()


def test_the_city_cannot_submit_while_a_declaration_waits_for_its_decision(cast, login):
    batch = BatchFactory(requires_third_party=False)
    decided = in_city_review(cast, batch=batch)
    waiting = in_city_review(cast, org=enterprise_of(cast.applicant), batch=batch)
    client = login(cast.wuhan_official)
    city_decides(client, decided, "recommend", "同意推荐")
    response = city_submits(client, batch, [decided])
    assert "还有 1 个申报未作出初审结论" in response.content.decode()
    assert Declaration.objects.get(pk=waiting.pk).state == "city_review"


def test_the_city_documents_list_the_recommended_units(cast, login, tmp_path):
    batch = BatchFactory(requires_third_party=False)
    declaration = in_city_review(cast, batch=batch)
    client = login(cast.wuhan_official)
    city_decides(client, declaration, "recommend", "同意推荐")
    city_submits(client, batch, [declaration])

    sheet = load_workbook(BytesIO(client.get(f"/reviews/city/{batch.pk}/summary.xlsx").content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:4] == ("序号", "市州", "单位名称", "统一社会信用代码")
    assert rows[0][-5:] == ("推荐排序", "联系人", "电话", "手机", "备注")
    assert rows[1][:6] == (
        1,
        "武汉市",
        "武汉绿源机械有限公司",
        cast.wuhan_org.credit_code,
        "绿色工厂",
        "C3811",
    )
    assert rows[1][10:14] == (1, "张敏", None, "13800138000")
    assert "推荐汇总表-武汉市" in unquote(
        client.get(f"/reviews/city/{batch.pk}/summary.xlsx")["Content-Disposition"]
    )
    assert len(rows) == 2

    pdf = tmp_path / "opinion.pdf"
    pdf.write_bytes(client.get(f"/reviews/city/{batch.pk}/opinion.pdf").content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "武汉市经济和信息化局" in text
    assert "武汉绿源机械有限公司" in text
    assert timezone.localdate().strftime("%Y年") in text


def test_a_city_official_never_sees_another_citys_declaration(cast, login):
    batch = BatchFactory(requires_third_party=False)
    huangshi = in_city_review(cast, org=cast.huangshi_org, user=cast.other_applicant, batch=batch)
    client = login(cast.wuhan_official)
    attachment = huangshi.attachments.first()
    assert client.get(f"/declarations/{huangshi.pk}/").status_code == 404
    assert client.get(f"/reviews/declarations/{huangshi.pk}/city-review/").status_code == 404
    assert client.get(f"/declarations/{huangshi.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/declarations/{huangshi.pk}/declaration.pdf").status_code == 404
    assert cast.huangshi_org.name not in client.get("/declarations/", {"batch": batch.pk}).content.decode()
    assert cast.huangshi_org.name not in client.get(f"/reviews/city/{batch.pk}/").content.decode()
    # The region parameter is for the province; a city always gets its own documents.
    summary = client.get(f"/reviews/city/{batch.pk}/summary.xlsx", {"region": "420200"}).content
    assert "黄石" not in str(
        list(load_workbook(BytesIO(summary)).active.iter_rows(min_row=2, values_only=True))
    )


@pytest.mark.parametrize("who", ["wuhan_official", "province"])
def test_the_city_queue_and_the_province_overview_make_the_same_queries_with_3_and_60(cast, login, who):
    batch = BatchFactory(requires_third_party=False)
    client = login(getattr(cast, who))
    url = "/declarations/" if who == "wuhan_official" else "/overview/"

    def add(n, state):
        Declaration.objects.bulk_create(
            [
                Declaration(
                    organisation=OrganisationFactory(region_id="420100"),
                    region_id="420100",
                    batch=batch,
                    category="factory",
                    created_by=cast.applicant,
                )
                for _ in range(n)
            ]
        )
        Declaration.objects.filter(state="draft").update(state=state)

    add(3, "province_review")
    with CaptureQueriesContext(connection) as three:
        client.get(url, {"batch": batch.pk})
    add(57, "province_review")
    with CaptureQueriesContext(connection) as sixty:
        page = client.get(url, {"batch": batch.pk}).content.decode()
    assert len(sixty) == len(three)
    if who == "province":
        assert "60 / 0 / 21" in page  # 武汉 factories: 60 recommended, none listed, target 21
    else:
        assert "共 60 条" in page


# Experts


def province_review(cast, batch=None, org=None):
    batch = batch or BatchFactory(requires_third_party=False)
    declaration = in_city_review(cast, org=org, batch=batch)
    applications.transition(declaration.pk, "recommend", user=cast.wuhan_official, opinion="同意")
    return Declaration.objects.get(pk=declaration.pk)


def test_automatic_assignment_avoids_conflicts_and_the_same_city(cast, login):
    declaration = province_review(cast)
    employed_by_applicant = Expert.objects.create(
        user=make_user("评审专家"),
        categories=["factory"],
        employer="武汉绿源",
        employer_credit_code=cast.wuhan_org.credit_code,
        region_id="420500",
    )
    same_city = Expert.objects.create(
        user=make_user("评审专家"), categories=["factory"], employer="武汉大学", region_id="420100"
    )
    fine = expert_pool(5)

    login(cast.province).post(f"/reviews/batches/{declaration.batch_id}/assign/", {"auto": "1"})

    assigned = set(Assignment.objects.filter(declaration=declaration).values_list("expert_id", flat=True))
    assert assigned == {e.pk for e in fine}
    assert not assigned & {employed_by_applicant.pk, same_city.pk}


def test_an_expert_sees_only_assigned_declarations_and_scores_them(cast, login):
    declaration = province_review(cast)
    other = province_review(cast, batch=declaration.batch, org=enterprise_of(cast.applicant))
    first, *_rest = expert_pool(5)
    experts.assign_by_hand(declaration, first, user=cast.province)
    client = login(first.user)

    assert client.get(f"/declarations/{other.pk}/").status_code == 404
    assert client.get(f"/reviews/declarations/{other.pk}/score/").status_code in (403, 404)
    attachment = declaration.attachments.first()
    assert client.get(f"/declarations/{declaration.pk}/attachments/{attachment.pk}/").status_code == 200

    refused = client.post(
        f"/reviews/declarations/{declaration.pk}/score/", {"comment": "", "submit": "1"}, follow=True
    ).content.decode()
    assert "项指标未评分" in refused
    client.post(
        f"/reviews/declarations/{declaration.pk}/score/",
        {**all_met(declaration), "comment": "好", "submit": "1"},
    )
    row = Assignment.objects.get(declaration=declaration, expert=first)
    assert (row.status, row.score) == ("submitted", declaration.self_score)


def test_only_the_assigned_expert_sees_the_scoring_button_and_only_in_provincial_review(cast, login):
    declaration = province_review(cast)
    assigned, unassigned = expert_pool(2)
    experts.assign_by_hand(declaration, assigned, user=cast.province)
    page = f"/declarations/{declaration.pk}/"
    score_url = f"/reviews/declarations/{declaration.pk}/score/"
    # An expert assigned once, then withdrawn, reaches neither the declaration nor its scoring page.
    Assignment.objects.create(declaration=declaration, expert=unassigned, status=Assignment.Status.WITHDRAWN)

    assert score_url in login(assigned.user).get(page).content.decode()
    assert login(unassigned.user).get(page).status_code == 404
    assert login(unassigned.user).get(score_url).status_code == 404

    applications.transition(declaration.pk, "pass_review", user=cast.province, opinion="通过")
    client = login(assigned.user)
    assert score_url not in client.get(page).content.decode()
    assert client.get(score_url).status_code == 200  # their scores stay readable
    refused = client.post(score_url, {**all_met(declaration), "comment": "好", "submit": "1"})
    assert refused.status_code == 403
    assert Assignment.objects.get(expert=assigned).status == "active"


def test_the_province_adds_an_expert_with_an_account_and_an_audit_entry(cast, login):
    response = login(cast.province).post(
        "/reviews/experts/",
        {"username": "wanglei", "full_name": "王磊", "categories": ["factory"], "employer": "武汉理工大学"},
    )

    assert response.status_code == 302
    expert = Expert.objects.get(user__username="wanglei")
    assert expert.user.has_role(Role.EXPERT) and not expert.user.has_usable_password()
    entry = AuditEntry.for_object(expert).get()
    assert (entry.actor, entry.action) == (cast.province, "create_expert")
    assert "王磊" in entry.opinion


def test_experts_never_see_each_others_names_or_scores_and_the_province_sees_all(cast, login):
    declaration = province_review(cast)
    first, second = expert_pool(2)
    first.user.full_name, second.user.full_name = "孙立", "周敏"
    first.user.save(), second.user.save()
    experts.assign_by_hand(declaration, first, user=cast.province)
    experts.assign_by_hand(declaration, second, user=cast.province)
    everything_met = all_met(declaration)
    one_short = {name: "0" if name.startswith("met_") else value for name, value in everything_met.items()}
    for expert, answers in ((first, one_short), (second, everything_met)):
        login(expert.user).post(
            f"/reviews/declarations/{declaration.pk}/score/", {**answers, "comment": "好", "submit": "1"}
        )
    score = str(Assignment.objects.get(expert=first).score)
    assert score != str(Assignment.objects.get(expert=second).score)

    client = login(second.user)
    for url in (f"/reviews/declarations/{declaration.pk}/score/", f"/declarations/{declaration.pk}/"):
        page = client.get(url).content.decode()
        assert "孙立" not in page, url
        assert f">{score}<" not in page and f"：{score}" not in page, url
    assert "周敏" in client.get(f"/declarations/{declaration.pk}/").content.decode()

    province = login(cast.province)
    detail = province.get(f"/declarations/{declaration.pk}/").content.decode()
    assert "孙立" in detail and "周敏" in detail and score in detail
    assert "孙立" in province.get(f"/reviews/batches/{declaration.batch_id}/assign/").content.decode()


def test_an_expert_who_declares_a_conflict_is_replaced_and_loses_access(cast, login):
    declaration = province_review(cast)
    first, spare = expert_pool(2)
    Batch.objects.filter(pk=declaration.batch_id).update(experts_per_declaration=1)
    experts.assign_automatically([declaration], user=cast.province)
    chosen = Assignment.objects.get(declaration=declaration).expert
    client = login(chosen.user)

    client.post(f"/reviews/declarations/{declaration.pk}/conflict/", {"reason": "曾为该企业提供咨询"})

    live = Assignment.objects.filter(declaration=declaration).exclude(status="withdrawn")
    assert [a.expert for a in live] == [spare if chosen == first else first]
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 404
    assert chosen.conflicts.get().credit_code == cast.wuhan_org.credit_code


def test_the_province_decides_many_at_once_only_when_scores_are_in_or_a_reason_is_given(cast, login):
    batch = BatchFactory(requires_third_party=False)
    one, two = province_review(cast, batch), province_review(cast, batch, org=enterprise_of(cast.applicant))
    client = login(cast.province)
    form = {"declarations": [one.pk, two.pk], "outcome": "pass", "note": "第一次评审会"}

    refused = client.post(f"/reviews/batches/{batch.pk}/decisions/", form, follow=True).content.decode()
    assert "专家评分尚未全部提交" in refused
    assert set(Declaration.objects.filter(pk__in=[one.pk, two.pk]).values_list("state", flat=True)) == {
        "province_review"
    }

    client.post(
        f"/reviews/batches/{batch.pk}/decisions/", {**form, "without_scores_reason": "专家现场会议评审"}
    )
    assert set(Declaration.objects.filter(pk__in=[one.pk, two.pk]).values_list("state", flat=True)) == {
        "review_passed"
    }


def test_the_score_sheet_has_each_experts_score_and_the_aggregates(cast, login):
    declaration = province_review(cast)
    pool = expert_pool(5)
    for expert in pool:
        experts.assign_by_hand(declaration, expert, user=cast.province)
    template = declaration.setting.template
    leaves = list(template.indicators.exclude(kind="group"))
    for n, expert in enumerate(pool):
        answers = all_met(declaration)
        for leaf in leaves[: n * 3]:  # each expert finds a few more items unmet
            if f"met_{leaf.pk}" in answers and leaf.kind == "optional":
                answers[f"met_{leaf.pk}"] = "0"
        login(expert.user).post(
            f"/reviews/declarations/{declaration.pk}/score/", {**answers, "comment": "意见", "submit": "1"}
        )
    scores = sorted(Assignment.objects.filter(declaration=declaration).values_list("score", flat=True))

    sheet = load_workbook(
        BytesIO(login(cast.province).get(f"/reviews/batches/{declaration.batch_id}/scores.xlsx").content)
    )
    header, row = list(sheet.active.iter_rows(min_row=2, values_only=True))[:2]
    assert header[4:9] == ("专家1", "专家2", "专家3", "专家4", "专家5")
    assert sorted(row[4:9]) == [float(s) for s in scores]
    assert row[9] == 5
    trimmed = sum(scores[1:-1]) / 3
    assert row[11] == pytest.approx(float(trimmed), abs=0.01)
    assert row[12] == pytest.approx(float(scores[-1] - scores[0]))


# The city's checklist and ranking


def test_recommending_needs_every_checklist_item_or_a_reason_but_returning_does_not(cast, login):
    batch = BatchFactory(requires_third_party=False)
    declaration = in_city_review(cast, batch=batch)
    client = login(cast.wuhan_official)

    refused = city_decides(
        client, declaration, "recommend", "同意推荐", checklist=["basic_info"]
    ).content.decode()
    assert "推荐前须勾选全部审核要点，尚未勾选：" in refused and "已开展现场核查" in refused
    assert not CityPreReview.objects.filter(declaration=declaration).exists()

    noted = city_decides(
        client, declaration, "recommend", "同意推荐",
        checklist=["basic_info", "eligibility", "no_exclusion", "attachments", "onsite"],
        checklist_note="本批次不要求第三方评价",
    )  # fmt: skip
    assert noted.status_code == 302
    assert CityPreReview.objects.get(declaration=declaration).checklist_note == "本批次不要求第三方评价"

    other = in_city_review(cast, org=enterprise_of(cast.applicant), batch=batch)
    returned = city_decides(client, other, "return", "请补充", items_to_fix="补充能源审计报告", checklist=[])
    assert returned.status_code == 302
    assert Declaration.objects.get(pk=other.pk).state == "returned"


def test_the_ranking_names_each_declaration_explains_a_duplicate_and_shows_the_submitted_order(cast, login):
    batch = BatchFactory(requires_third_party=False)
    factory = in_city_review(cast, batch=batch)
    product = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=batch, category="product",
        product_name="永磁同步电机", product_model="YE5",
    )  # fmt: skip
    ready_to_submit(product, cast.applicant)
    applications.transition(product.pk, "submit_self_evaluation", user=cast.applicant)
    applications.transition(product.pk, "submit_to_city", user=cast.applicant)
    client = login(cast.wuhan_official)
    for declaration in (factory, product):
        city_decides(client, declaration, "recommend", "同意推荐")

    page = client.get(f"/reviews/city/{batch.pk}/").content.decode()
    assert "武汉绿源机械有限公司（绿色工厂）</option>" in page
    assert "武汉绿源机械有限公司 · 永磁同步电机（绿色设计产品）</option>" in page

    twice = client.post(
        f"/reviews/city/{batch.pk}/", {"rank": "1", "order": [product.pk, product.pk]}, follow=True
    )
    message = twice.content.decode()
    assert "“武汉绿源机械有限公司 · 永磁同步电机（绿色设计产品）”被排在第1、2位" in message
    assert "没有排上位置的：“武汉绿源机械有限公司（绿色工厂）”" in message

    city_submits(client, batch, [product, factory])
    submitted = client.get(f"/reviews/city/{batch.pk}/").content.decode()
    assert "还没有拟推荐的申报" not in submitted
    rows = submitted.split("已报送的推荐（按排序）", 1)[1]
    assert (
        rows.index("<td>1</td>")
        < rows.index("永磁同步电机")
        < rows.index("<td>2</td>")
        < rows.index("（绿色工厂）")
    )


def test_a_decision_with_nothing_ticked_says_so_and_changes_nothing(cast, login):
    declaration = province_review(cast)
    client = login(cast.province)
    response = client.post(
        f"/reviews/batches/{declaration.batch_id}/decisions/", {"outcome": "pass", "note": "评审会议通过"}
    )
    assert response.status_code == 200
    assert "没有勾选任何申报" in response.content.decode()
    assert Declaration.objects.get(pk=declaration.pk).state == "province_review"

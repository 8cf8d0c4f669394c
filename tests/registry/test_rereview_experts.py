"""三年一复核 with experts: the province asks for an expert review of a case the city reported, and the experts are
chosen, replaced, scored and put together as a declaration's are (issue 13 item 7), through the pages."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Batch, IndicatorTemplate
from greenmfg.models import AuditEntry, Notification
from registry import rereview_experts
from registry.models import ListedUnit, RereviewAnswer, RereviewAssignment, ReReviewCase
from registry.rereviews import open_due_rereviews
from reviews import experts as declaration_experts
from reviews.aggregation import aggregate
from reviews.models import Assignment, Expert, ExpertConflict

from ..factories import BatchFactory, DeclarationFactory, make_user
from .test_dynamic import due_case, report

pytestmark = pytest.mark.django_db


def expert(region, employer_credit_code=""):
    return Expert.objects.create(
        user=make_user("评审专家"),
        categories=["factory"],
        employer="大学",
        employer_credit_code=employer_credit_code,
        region_id=region,
    )


def reported_case(cast, login):
    unit, case = due_case(cast)
    report(login(cast.wuhan_official), case, conclusion="qualified")
    return unit, ReReviewCase.objects.get(pk=case.pk)


def ask_experts(client, case, count, other_cities_only=True):
    data = {"assign": "1", "experts-count": str(count)}
    if other_cities_only:
        data["experts-other_cities_only"] = "on"
    return client.post(f"/rereviews/{case.pk}/", data, follow=True)


def sheet(template, unmet=0):
    """The scoring sheet's fields for ``template``: every indicator met (benchmark values where a value is
    asked) but the first ``unmet`` optional ones, each with a comment."""
    answers, skipped = {}, 0
    for indicator in template.indicators.exclude(kind="group").order_by("pk"):
        if indicator.formula:
            continue
        if indicator.kind == "quantitative" and indicator.benchmark is not None:
            for year in range(template.years_of_data):
                answers[f"value_{indicator.pk}_{year}"] = str(indicator.benchmark)
        else:
            met = indicator.kind != "optional" or skipped >= unmet
            skipped += not met
            answers[f"met_{indicator.pk}"] = "1" if met else "0"
        answers[f"comment_{indicator.pk}"] = f"意见{indicator.code}"
    return answers


def score(client, row, unmet=0, comment="符合要求", submit=True):
    template = ReReviewCase.objects.get(pk=row.case_id).scoring_template
    data = {**sheet(template, unmet), "comment": comment}
    data["submit" if submit else "save"] = "1"
    return client.post(f"/rereviews/experts/{row.pk}/", data, follow=True)


def test_experts_are_chosen_without_conflicts_from_other_cities_and_by_open_work(cast, login):
    batch = BatchFactory(experts_per_declaration=3)
    _unit, case = reported_case(cast, login)
    same_city = expert("420100")  # the unit is in 武汉
    employed_by_unit = expert("420500", employer_credit_code=cast.wuhan_org.credit_code)
    busy = expert("420500")
    free = [expert("420500") for _ in range(3)]
    # (``login`` signs the one test client in as another user.) ``busy`` already has a declaration to score: the open work is spread, so the free experts go first.
    Assignment.objects.create(declaration=DeclarationFactory(batch=batch), expert=busy)

    province = login(cast.province)
    page = province.get(f"/rereviews/{case.pk}/").content.decode()
    assert "分配复核评审专家" in page and 'value="3"' in page  # the batch's number, as for declarations
    ask_experts(province, case, 3)

    chosen = set(RereviewAssignment.objects.filter(case=case).values_list("expert_id", flat=True))
    assert chosen == {e.pk for e in free}
    assert not chosen & {same_city.pk, employed_by_unit.pk, busy.pk}
    assert AuditEntry.objects.filter(action="assign_rereview_experts", object_id=case.pk).exists()
    for e in free:
        assert Notification.objects.filter(recipient=e.user, url="/rereviews/experts/mine/").exists()

    # Asking again for the same number adds nobody; asking for four brings the next eligible one (busy).
    ask_experts(province, case, 3)
    assert RereviewAssignment.objects.filter(case=case).count() == 3
    ask_experts(province, case, 4)
    assert set(RereviewAssignment.objects.filter(case=case).values_list("expert_id", flat=True)) == chosen | {
        busy.pk
    }


def test_too_few_eligible_experts_is_said_and_nothing_is_invented(cast, login):
    _unit, case = reported_case(cast, login)
    only = expert("420500")
    expert("420100")  # same city as the unit
    page = ask_experts(login(cast.province), case, 3).content.decode()
    assert "还差 2 人" in page
    assert list(RereviewAssignment.objects.filter(case=case).values_list("expert_id", flat=True)) == [only.pk]


def test_the_scores_are_put_together_and_the_decision_waits_for_them(cast, login):
    unit, case = reported_case(cast, login)
    pool = [expert("420500") for _ in range(5)]
    ask_experts(login(cast.province), case, 5)
    rows = list(RereviewAssignment.objects.filter(case=case).order_by("pk"))
    assert {r.expert_id for r in rows} == {e.pk for e in pool}

    # Another expert cannot open a case not assigned to them; the assigned one sees the city's findings.
    outsider = expert("420500")
    assert login(outsider.user).get(f"/rereviews/experts/{rows[0].pk}/").status_code == 403
    page = login(rows[0].expert.user).get(f"/rereviews/experts/{rows[0].pk}/").content.decode()
    assert "现场核查发现能耗数据不实" in page
    queue = login(rows[0].expert.user).get("/rereviews/experts/mine/").content.decode()
    assert unit.organisation.name in queue

    # The expert scores every indicator of the unit's category's template, with a comment on each.
    template = ReReviewCase.objects.get(pk=case.pk).scoring_template
    assert template == IndicatorTemplate.objects.filter(category="factory").order_by("-code").first()
    leaves = template.indicators.exclude(kind="group")
    typed = leaves.filter(formula="")
    assert all(f'name="comment_{i.pk}"' in page for i in leaves)
    assert all(f'name="met_{i.pk}"' in page or f'name="value_{i.pk}_0"' in page for i in typed)

    # Submitting needs every indicator and an overall opinion; a refused submission shows what was typed.
    expert_client = login(rows[0].expert.user)
    page = expert_client.post(
        f"/rereviews/experts/{rows[0].pk}/", {"comment": "草拟意见", "submit": "1"}, follow=True
    ).content.decode()
    assert f"还有 {typed.count()} 项指标未评分" in page and "草拟意见" in page
    page = score(expert_client, rows[0], comment="").content.decode()
    assert "请填写总体评审意见" in page
    score(expert_client, rows[0], submit=False)
    draft = RereviewAssignment.objects.get(pk=rows[0].pk)
    assert draft.status == "active" and draft.score is not None
    assert RereviewAnswer.objects.filter(assignment=draft).count() == typed.count()
    first = typed.order_by("pk").first()
    assert RereviewAnswer.objects.get(assignment=draft, indicator=first).comment == f"意见{first.code}"

    decision = {"decision-decision": "retain", "decision-expert_opinion": "专家组意见：保留"}
    for row, unmet in zip(rows[:4], (0, 1, 2, 3), strict=True):
        score(login(row.expert.user), row, unmet=unmet)
    # One expert has not submitted: the decision is refused unless the province says why.
    page = login(cast.province).post(f"/rereviews/{case.pk}/", decision, follow=True).content.decode()
    assert "评分尚未全部提交" in page
    assert ReReviewCase.objects.get(pk=case.pk).status == "city_reported"

    score(login(rows[4].expert.user), rows[4], unmet=4)
    totals = [RereviewAssignment.objects.get(pk=r.pk).score for r in rows]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == 5  # each unmet item costs points
    page = login(cast.province).get(f"/rereviews/{case.pk}/").content.decode()
    # Five scores: the highest and the lowest are dropped, as for declarations.
    final = aggregate(totals).final
    assert final == aggregate(totals[1:4]).mean
    assert f"综合得分 {final}" in page
    login(cast.province).post(f"/rereviews/{case.pk}/", decision)
    assert ReReviewCase.objects.get(pk=case.pk).status == "retained"
    assert ListedUnit.objects.get(pk=unit.pk).review_status == "retained"
    entry = AuditEntry.objects.get(action="rereview_decided", object_id=unit.pk)
    assert str(final) in entry.opinion

    # Once decided, nobody scores any more.
    assert score(login(rows[0].expert.user), rows[0], unmet=4).status_code == 403
    assert RereviewAssignment.objects.get(pk=rows[0].pk).score == totals[0]


def test_an_expert_with_a_conflict_withdraws_and_is_replaced(cast, login):
    _unit, case = reported_case(cast, login)
    first, second = expert("420500"), expert("420500")
    ask_experts(login(cast.province), case, 1)
    row = RereviewAssignment.objects.get(case=case)
    withdrawing = login(row.expert.user)
    page = withdrawing.post(
        f"/rereviews/experts/{row.pk}/", {"conflict": "1", "conflict-reason": ""}, follow=True
    ).content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    withdrawing.post(f"/rereviews/experts/{row.pk}/", {"conflict": "1", "conflict-reason": "曾任该公司顾问"})

    row.refresh_from_db()
    assert row.status == "withdrawn"
    replacement = RereviewAssignment.objects.exclude(pk=row.pk).get(case=case)
    assert {row.expert_id, replacement.expert_id} == {first.pk, second.pk}
    assert ExpertConflict.objects.filter(expert=row.expert, credit_code=cast.wuhan_org.credit_code).exists()
    # The withdrawn expert's access ends with the assignment.
    assert withdrawing.get(f"/rereviews/experts/{row.pk}/").status_code == 403


def test_only_the_province_asks_for_experts_and_only_after_the_city_reported(cast, login):
    _unit, case = due_case(cast)
    expert("420500")
    response = ask_experts(login(cast.province), case, 1)  # still with the city
    assert response.status_code == 403 and "市州报送复核结果后才能分配专家" in response.content.decode()
    assert not RereviewAssignment.objects.exists()
    report(login(cast.wuhan_official), case)
    assert ask_experts(login(cast.wuhan_official), case, 1).status_code == 403
    assert not RereviewAssignment.objects.exists()
    page = login(cast.wuhan_official).get(f"/rereviews/{case.pk}/").content.decode()
    assert "分配复核评审专家" not in page


def test_the_experts_queue_makes_as_many_queries_for_30_cases_as_for_3(cast, login):
    reviewer = expert("420500")

    def add(n):
        for i in range(n):
            unit = ListedUnit.objects.create(
                organisation=cast.huangshi_org,
                region_id="420200",
                category="factory",
                year=2020 + i % 3,
                listed_on=date(2020, 1, 1) + timedelta(days=len(ListedUnit.objects.all())),
            )
            case = ReReviewCase.objects.create(
                listed_unit=unit, due_on=date(2026, 1, 1), status="city_reported"
            )
            RereviewAssignment.objects.create(case=case, expert=reviewer)

    client = login(reviewer.user)
    counts = []
    for n in (3, 27):
        add(n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/rereviews/experts/mine/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_unit_listed_from_a_declaration_is_scored_on_that_declarations_sheet_and_totals_alike(cast, login):
    from ..reviews.test_review_stage import province_review

    declaration = province_review(cast)
    declared_on = declaration.setting.template
    # A later batch brought a newer template for the category: the unit is still scored on its own.
    newer = IndicatorTemplate.objects.filter(category="factory").exclude(pk=declared_on.pk).first()
    BatchFactory(year=declaration.batch.year + 1).categories.filter(category="factory").update(template=newer)
    unit = ListedUnit.objects.create(
        declaration=declaration,
        organisation=declaration.organisation,
        region_id=declaration.region_id,
        category="factory",
        year=declaration.batch.year,
        listed_on=date.today() - relativedelta(years=3),
    )
    open_due_rereviews()
    case = ReReviewCase.objects.get(listed_unit=unit)
    report(login(cast.wuhan_official), case, conclusion="qualified")
    on_declaration, on_case = expert("420500"), expert("420500")
    declaration_experts.assign_by_hand(declaration, on_declaration, user=cast.province)
    ask_experts(login(cast.province), case, 1)
    row = RereviewAssignment.objects.get(case=case)
    assert row.expert == on_case  # the other one has a declaration to score
    assert ReReviewCase.objects.get(pk=case.pk).scoring_template == declared_on

    answers = sheet(declared_on, unmet=2)
    login(on_declaration.user).post(
        f"/reviews/declarations/{declaration.pk}/score/", {**answers, "comment": "同意", "submit": "1"}
    )
    score(login(on_case.user), row, unmet=2)
    declared = Assignment.objects.get(declaration=declaration)
    row.refresh_from_db()
    assert (declared.status, row.status) == ("submitted", "submitted")
    assert row.score == declared.score


def test_the_sheet_is_the_categorys_current_template_when_the_unit_was_not_declared_here(cast):
    unit = ListedUnit.objects.create(
        organisation=cast.huangshi_org,
        region_id="420200",
        category="factory",
        year=2020,
        listed_on=date(2020, 1, 1),
    )
    newest = IndicatorTemplate.objects.filter(category="factory").order_by("-code").first()
    assert rereview_experts.template_for(unit) == newest
    batch = BatchFactory(year=2030)
    older = IndicatorTemplate.objects.filter(category="factory").order_by("code").first()
    batch.categories.filter(category="factory").update(template=older)
    assert older != newest and rereview_experts.template_for(unit) == older


def test_declarations_are_assigned_counting_each_experts_open_re_reviews(cast, login):
    from ..reviews.test_review_stage import province_review

    declaration = province_review(cast)
    Batch.objects.filter(pk=declaration.batch_id).update(experts_per_declaration=2)
    busy, finished, free = expert("420500"), expert("420500"), expert("420500")
    for reviewer, status in ((busy, "active"), (finished, "submitted")):
        unit = ListedUnit.objects.create(
            organisation=cast.huangshi_org,
            region_id="420200",
            category="factory",
            year=2020,
            listed_on=date(2020, 1, reviewer.pk % 28 + 1),
        )
        case = ReReviewCase.objects.create(listed_unit=unit, due_on=date(2026, 1, 1), status="city_reported")
        RereviewAssignment.objects.create(case=case, expert=reviewer, status=status)

    login(cast.province).post(f"/reviews/batches/{declaration.batch_id}/assign/", {"auto": "1"})
    # ``busy`` still has a re-review to score; a submitted one is no longer open work.
    chosen = set(Assignment.objects.filter(declaration=declaration).values_list("expert_id", flat=True))
    assert chosen == {finished.pk, free.pk}


def test_experts_do_not_see_each_others_scores_and_the_province_sees_only_submitted_ones(cast, login):
    _unit, case = reported_case(cast, login)
    first, second = expert("420500"), expert("420500")
    first.user.full_name, second.user.full_name = "孙立", "周敏"
    first.user.save(), second.user.save()
    ask_experts(login(cast.province), case, 2)
    rows = {row.expert_id: row for row in RereviewAssignment.objects.filter(case=case)}
    score(login(first.user), rows[first.pk], unmet=0, comment="甲专家的意见")
    score(login(second.user), rows[second.pk], unmet=3, comment="乙专家的草稿", submit=False)
    submitted = str(RereviewAssignment.objects.get(pk=rows[first.pk].pk).score)
    draft = str(RereviewAssignment.objects.get(pk=rows[second.pk].pk).score)
    assert submitted != draft

    page = login(second.user).get(f"/rereviews/experts/{rows[second.pk].pk}/").content.decode()
    assert "孙立" not in page and "甲专家的意见" not in page and f">{submitted}<" not in page
    assert draft in page and "乙专家的草稿" in page
    province = login(cast.province).get(f"/rereviews/{case.pk}/").content.decode()
    assert submitted in province and "甲专家的意见" in province
    assert f">{draft}<" not in province and "乙专家的草稿" not in province


def test_overall_scores_given_before_the_sheet_stay_readable(cast, login):
    _unit, case = reported_case(cast, login)
    old = RereviewAssignment.objects.create(
        case=case,
        expert=expert("420500"),
        status="submitted",
        score=Decimal("88.00"),
        comment="旧的总体意见",
        submitted_at=timezone.now(),
    )
    migration = importlib.import_module("registry.migrations.0018_rereview_scored_per_indicator")
    migration.fix_templates(django_apps, None)
    case.refresh_from_db()
    assert case.scoring_template == rereview_experts.template_for(case.listed_unit)

    page = login(old.expert.user).get(f"/rereviews/experts/{old.pk}/").content.decode()
    assert "88.00" in page and "旧的总体意见" in page
    province = login(cast.province).get(f"/rereviews/{case.pk}/").content.decode()
    assert "综合得分 88.00" in province

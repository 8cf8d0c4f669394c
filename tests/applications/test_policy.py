"""Policy numbers are data: a versioned Policy the batch points to, the shipped one cited, others obeyed."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from applications.models import Batch, Policy
from registry.models import ListedUnit, ReReviewCase
from registry.rereviews import decide
from reviews import qualifications
from reviews.models import Ban, StaffMember

from ..factories import BatchFactory, DeclarationFactory, EvaluatorFactory

pytestmark = pytest.mark.django_db


def stricter_policy(**numbers):
    """A newer version in force from today, with the shipped numbers except ``numbers``."""
    shipped = Policy.objects.order_by("in_force_from").first()
    fields = {f.name: getattr(shipped, f.name) for f in Policy._meta.fields if f.name != "id"}
    fields.update(title="示例：修订后的政策规则", in_force_from=timezone.localdate(), **numbers)
    return Policy.objects.create(**fields)


def test_the_shipped_policy_carries_the_plan_numbers_and_cites_them():
    policy = Policy.in_force(date(2023, 1, 1))
    assert policy.in_force_from == date(2022, 5, 27)
    assert (policy.evaluator_yearly_cap, policy.evaluator_ban_years) == (15, 3)
    assert (policy.evaluator_min_qualified_staff, policy.evaluator_min_senior_staff) == (10, 5)
    assert (policy.evaluator_project_window_years, policy.rereview_cycle_years, policy.removal_bar_years) == (
        5,
        3,
        3,
    )
    assert "鄂经信办节能〔2022〕8号" in policy.source
    assert "实践做法" in policy.source  # the 8-day publicity is practice, not the plan, and says so


def test_a_new_batch_takes_its_numbers_from_the_policy_in_force():
    stricter_policy(evaluator_yearly_cap=10, publicity_length=5)
    batch = Batch.objects.create(
        year=2031,
        title="2031年度",
        submission_deadline=timezone.now() + timedelta(days=30),
        recommendation_deadline=timezone.now() + timedelta(days=60),
    )
    assert (batch.policy.title, batch.evaluator_yearly_cap, batch.publicity_length) == (
        "示例：修订后的政策规则",
        10,
        5,
    )


def test_a_ban_lasts_as_long_as_the_policy_in_force_on_its_first_day_says(cast):
    old = Ban.objects.create(
        evaluator=cast.evaluator, reason="伪造", starts_on=date(2024, 3, 1), recorded_by=cast.province
    )
    stricter_policy(evaluator_ban_years=2)
    today = timezone.localdate()
    new = Ban.objects.create(
        evaluator=cast.evaluator, reason="伪造", starts_on=today, recorded_by=cast.province
    )
    assert old.ends_on == date(2027, 3, 1)
    assert new.ends_on == today + relativedelta(years=2)


def test_a_unit_listed_from_a_batch_is_re_reviewed_and_barred_by_that_batchs_policy(cast):
    two_years = stricter_policy(rereview_cycle_years=2, removal_bar_years=2)
    batch = BatchFactory(year=2030)
    Batch.objects.filter(pk=batch.pk).update(policy=two_years)
    declaration = DeclarationFactory(organisation=cast.wuhan_org, batch=batch)
    listed_on = date(2030, 6, 1)
    unit = ListedUnit.objects.create(
        organisation=cast.wuhan_org,
        region_id=cast.wuhan_org.region_id,
        declaration=declaration,
        category="factory",
        level="provincial",
        year=2030,
        listed_on=listed_on,
    )
    assert unit.next_review_on == date(2032, 6, 1)

    imported = ListedUnit.objects.create(
        organisation=cast.huangshi_org,
        region_id=cast.huangshi_org.region_id,
        category="factory",
        level="provincial",
        year=2023,
        listed_on=date(2023, 6, 1),
    )
    assert imported.next_review_on == date(2026, 6, 1)  # listed under the 2022 policy: three years

    case = ReReviewCase.objects.create(listed_unit=unit, due_on=timezone.localdate(), status="city_reported")
    decide(case, user=cast.province, retain=False, expert_opinion="不再符合要求", reason="能耗超标")
    exclusion = cast.wuhan_org.exclusions.get()
    today = timezone.localdate()
    assert exclusion.ends_on == today + relativedelta(years=2) - timedelta(days=1)


def test_evaluator_minimums_follow_the_policy(cast):
    evaluator = EvaluatorFactory()
    for n in range(4):
        StaffMember.objects.create(
            evaluator=evaluator,
            name=f"人员{n}",
            title=StaffMember.Title.SENIOR,
            field=StaffMember.Field.ENERGY,
            full_time=True,
        )
    year = timezone.localdate().year
    shipped = Policy.in_force()
    assert any("不少于10人" in label for label in qualifications.unmet(evaluator, this_year=year))
    lenient = stricter_policy(evaluator_min_qualified_staff=4, evaluator_min_senior_staff=4)
    facts = qualifications.facts(evaluator, this_year=year, policy=lenient)
    staff_facts = [fact for fact in facts if "职称" in fact.label]
    assert [fact.met for fact in staff_facts] == [True, True]
    assert shipped.pk != lenient.pk


def test_the_batch_page_shows_the_policy(cast, login):
    batch = BatchFactory()
    page = login(cast.province).get(reverse("applications:batch_detail", args=[batch.pk])).content.decode()
    assert "湖北省绿色制造体系建设实施方案（2022—2025年）" in page
    assert "每 3 年复核一次" in page
    assert "鄂经信办节能〔2022〕8号" in page

"""A city official and an expert do their whole job in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from applications import services as applications
from applications.models import Declaration
from reviews import experts
from reviews.models import Assignment, Expert

from ..factories import BatchFactory, make_user, ready_to_submit
from .test_declare import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def in_city_review(cast):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=BatchFactory(requires_third_party=False),
        category="factory",
    )
    ready_to_submit(declaration, cast.applicant)
    applications.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    return declaration


def test_a_city_official_reviews_recommends_and_submits_the_citys_recommendation(
    page: Page, live_server, browser_cast, tmp_path
):
    cast = browser_cast
    declaration = in_city_review(cast)
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, cast.wuhan_official)

    page.get_by_role("link", name=cast.wuhan_org.name).first.click()
    page.get_by_role("button", name="初审", exact=True).click()
    expect(page.get_by_text("基本条件已全部确认")).to_be_visible()
    main = page.get_by_role("main")
    for checkbox in main.get_by_role("checkbox").all():
        checkbox.check()
    main.get_by_label("初审意见").fill("材料齐全，现场核查属实，同意推荐。")
    main.get_by_label("推荐", exact=True).check()
    page.get_by_role("button", name="记录初审结论").click()

    expect(page).to_have_url(re.compile(r"/reviews/city/\d+/$"))
    page.get_by_role("button", name="保存排序").click()
    page.get_by_role("button", name="报送推荐…").click()
    expect(page.get_by_text("此操作不可撤销")).to_be_visible()
    assert Declaration.objects.get(pk=declaration.pk).state == "city_review"
    page.get_by_role("button", name="确认报送推荐").click()
    expect(page.get_by_text("已向省经信厅报送1个推荐申报")).to_be_visible()
    expect(page.get_by_role("cell", name=str(declaration))).to_be_visible()
    page.screenshot(path=tmp_path / "city-recommendation.png", full_page=True)
    assert Declaration.objects.get(pk=declaration.pk).state == "province_review"


def test_an_expert_scores_an_assigned_declaration(page: Page, live_server, browser_cast, tmp_path):
    cast = browser_cast
    declaration = in_city_review(cast)
    applications.transition(declaration.pk, "recommend", user=cast.wuhan_official, opinion="同意")
    expert = Expert.objects.create(
        user=make_user("评审专家"), categories=["factory"], employer="湖北工业大学", region_id="420900"
    )
    experts.assign_by_hand(Declaration.objects.get(pk=declaration.pk), expert, user=cast.province)
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, expert.user)

    page.get_by_role("link", name=cast.wuhan_org.name).click()
    expect(page).to_have_url(re.compile(r"/score/$"))
    form = page.locator("main form[method=post]").first
    for radio in form.locator("input[type=radio][value='1']").all():
        radio.check()
    for field in form.locator("input[inputmode=decimal]").all():
        field.fill("100")
    form.get_by_label("总体评审意见").fill("管理体系完善，绩效指标达到行业先进水平。")
    page.get_by_role("button", name="提交评分").click()

    expect(page.get_by_text("评分已提交。")).to_be_visible()
    page.screenshot(path=tmp_path / "expert-score.png", full_page=True)
    assignment = Assignment.objects.get(expert=expert)
    assert assignment.status == "submitted"
    assert assignment.score is not None

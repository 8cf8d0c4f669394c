"""GB/T 36132-2025 in a real browser: a year of raw data in, computed indicators and scores out; the evaluator's
correction of one input reaches the city's 初审 screen."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from applications import services as applications
from applications.models import IndicatorTemplate
from registry.management.commands.demo_data import DEMO_RAW, all_met_answers
from reviews import services as reviews

from ..factories import PDF_BYTES, BatchFactory, ready_to_submit
from .test_declare import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def factory_2025(cast):
    batch = BatchFactory()
    batch.categories.filter(category="factory").update(
        template=IndicatorTemplate.objects.get(code="factory/GB-T-36132-2025")
    )
    return applications.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=batch,
        category="factory",
        industry_code="C3811",
    )


def test_an_enterprise_enters_a_year_and_sees_computed_indicators_and_scores(
    page: Page, live_server, browser_cast, tmp_path
):
    cast = browser_cast
    declaration = factory_2025(cast)
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, cast.applicant)
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/self-evaluation/")

    data = page.locator("table.annual-data")
    data.get_by_label("产品产量", exact=True).fill("5000")
    data.get_by_label("电力", exact=True).fill("100")
    data.get_by_label("电力 单位").select_option("万kWh")
    data.get_by_label("原煤", exact=True).fill("50")
    data.get_by_label("原煤 单位").select_option("t")
    data.get_by_label("取水量", exact=True).fill("7500")
    data.get_by_label("用地面积", exact=True).fill("50000")
    data.get_by_label("总建筑面积", exact=True).fill("60000")
    data.get_by_label("总建筑面积", exact=True).press("Tab")

    computed = page.locator("#computed-indicators")
    # 1 000 000 kWh × 0.1229 + 50 000 kg × 0.7143 = 158 615 kgce → 158.615 tce; ÷ 5 000 = 31.723 kgce/台
    expect(computed.get_by_test_id("tce")).to_have_text("158.6150")
    energy = computed.locator("tr[data-code='1.5']")
    expect(energy.get_by_test_id("value")).to_have_text("31.7230")
    # C38 example table: 基准值 50, 引领值 25 → (50 − 31.723) ÷ 25 × 6 = 4.39 points
    expect(energy.get_by_test_id("score")).to_have_text("4.39/6")
    expect(computed.get_by_text("示例数值，非官方")).to_be_visible()
    expect(computed.locator("tr[data-code='5.1']").get_by_test_id("value")).to_have_text("1.2000")

    page.get_by_role("button", name="保存自评价").click()
    expect(page.get_by_text("自评价已保存")).to_be_visible()
    expect(page.locator("#computed-indicators tr[data-code='1.5']").get_by_test_id("value")).to_have_text(
        "31.7230"
    )
    page.screenshot(path=tmp_path / "self-evaluation.png", full_page=True)
    assert declaration.answers.get(indicator__code="1.5").values == ["31.7230"]


def test_the_evaluator_corrects_one_input_and_the_city_sees_the_difference(
    page: Page, live_server, browser_cast, tmp_path
):
    cast = browser_cast
    declaration = factory_2025(cast)
    ready_to_submit(declaration, cast.applicant)  # DEMO_RAW: 360 万kWh of electricity
    applications.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    commission = reviews.request_commission(declaration, cast.evaluator, user=cast.applicant)
    reviews.accept_commission(commission.pk, user=cast.evaluator_staff, independence_declaration="独立")
    year = str(declaration.batch.year - 1)
    reviews.save_evaluation(  # the draft as the evaluator left it yesterday: everything confirmed as declared
        commission,
        user=cast.evaluator_staff,
        answers=all_met_answers(declaration),
        raw={year: dict(DEMO_RAW)},
        fields={
            "onsite_date": declaration.created_at.date(),
            "basic_requirements_met": True,
            "commitment_accepted": True,
        },
        report=SimpleUploadedFile("报告.pdf", PDF_BYTES),
        report_kind="pdf",
    )
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, cast.evaluator_staff)
    page.goto(f"{live_server.url}/reviews/declarations/{declaration.pk}/evaluation/")

    page.get_by_label("现场评价日期").fill("2026-11-20")
    page.get_by_label("基本要求").select_option(label="符合")
    data = page.locator("table.annual-data")
    data.get_by_label("电力 核定值").fill("420")
    data.get_by_label("电力 核查说明").fill("抄见电表读数，含二车间未计量部分")
    page.get_by_role("button", name="提交评价").click()
    expect(page).to_have_url(re.compile(rf"/declarations/{declaration.pk}/$"))

    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    page.context.clear_cookies()
    log_in(page, live_server.url, cast.wuhan_official)
    page.goto(f"{live_server.url}/reviews/declarations/{declaration.pk}/city-review/")
    gaps = page.locator("#indicator-gaps")
    expect(gaps.locator("tr.flagged[data-code='1.5']")).to_contain_text("10.76%")
    changed = gaps.locator("table.input-differences tbody tr")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("电力")
    expect(changed).to_contain_text("360")
    expect(changed).to_contain_text("420")
    expect(changed).to_contain_text("抄见电表读数")
    page.screenshot(path=tmp_path / "city-review.png", full_page=True)

"""An evaluator evaluates in a real browser, and what it saved comes back in every widget; and the portal at
375 px: a menu instead of the navigation bar, the user's name in sight, tables scrolling inside their box."""

import re

import pytest
from playwright.sync_api import Page, expect

from applications import services as applications
from applications.models import Declaration
from reviews import services
from reviews.models import Commission, Evaluation

from ..factories import PDF_BYTES, BatchFactory, ready_to_submit
from ..workflow.test_journey import all_met
from .test_declare import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def commissioned(cast):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    ready_to_submit(declaration, cast.applicant)
    applications.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    services.request_commission(declaration, cast.evaluator, user=cast.applicant)
    return Declaration.objects.get(pk=declaration.pk)


def test_an_evaluator_accepts_saves_a_draft_finds_every_value_again_and_submits(
    page: Page, live_server, browser_cast, tmp_path
):
    cast = browser_cast
    declaration = commissioned(cast)
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, cast.evaluator_staff)

    page.goto(f"{live_server.url}/reviews/commissions/{Commission.objects.get().pk}/")
    page.get_by_role("button", name="接受委托").click()
    page.goto(f"{live_server.url}/reviews/declarations/{declaration.pk}/evaluation/")

    form = page.locator("main form[method=post]")
    form.get_by_label("现场评价日期").fill("2026-11-20")
    form.get_by_label("基本要求").select_option(label="符合")
    form.get_by_label("亮点（不超过100字）").fill("余热回收")
    for name, value in all_met(declaration).items():
        if name.startswith("met_"):
            form.locator(f"input[name='{name}'][value='{value}']").check()
        else:
            form.locator(f"input[name='{name}']").fill(value)
    report = tmp_path / "第三方评价报告.pdf"
    report.write_bytes(PDF_BYTES)
    form.get_by_label("评价报告", exact=True).set_input_files(report)
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_text("评价草稿已保存")).to_be_visible()
    form = page.locator("main form[method=post]")
    expect(form.get_by_label("现场评价日期")).to_have_value("2026-11-20")
    expect(form.get_by_label("基本要求")).to_have_value("true")
    expect(form.get_by_label("亮点（不超过100字）")).to_have_value("余热回收")
    form.get_by_label("本机构承诺", exact=False).check()
    page.get_by_role("button", name="提交评价").click()

    expect(page).to_have_url(re.compile(rf"/declarations/{declaration.pk}/$"))
    expect(page.get_by_text("第三方评价报告：第三方评价报告.pdf")).to_be_visible()
    evaluation = Evaluation.objects.get()
    assert str(evaluation.onsite_date) == "2026-11-20" and evaluation.basic_requirements_met is True
    assert Declaration.objects.get(pk=declaration.pk).state == "evaluated"


def test_at_375_px_the_menu_folds_the_name_shows_and_tables_scroll_in_their_box(
    page: Page, live_server, browser_cast, tmp_path
):
    cast = browser_cast
    commissioned(cast)
    page.set_viewport_size({"width": 375, "height": 800})
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, cast.province)

    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="申报", exact=True)).to_be_hidden()
    expect(page.locator("header.site .user")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_in_viewport()
    nav.get_by_text("菜单").click()
    expect(nav.get_by_role("link", name="申报", exact=True)).to_be_visible()
    nav.get_by_text("公开信息").click()
    expect(nav.get_by_role("link", name="评价机构名录")).to_be_visible()

    page.goto(f"{live_server.url}/declarations/")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 375
    table = page.locator("main table").first
    assert table.evaluate("t => t.scrollWidth > t.clientWidth || t.closest('.table-wrap').scrollWidth > 0")
    hint = page.evaluate(
        "getComputedStyle(document.querySelector('main .table-wrap, main table'), '::before').content"
    )
    assert "左右滑动" in hint
    page.screenshot(path=tmp_path / "declarations-375.png", full_page=True)

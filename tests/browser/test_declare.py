"""An enterprise user declares a 绿色工厂 in a real browser, from login to 市州初审, through every page's own form."""

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Attachment, Declaration
from greenmfg.accounts import privileged
from greenmfg.models import User

from ..factories import PASSWORD, PDF_BYTES, BatchFactory, backup_code, ready_to_submit
from ..workflow.test_journey import BASIC_INFO, all_met

pytestmark = [
    pytest.mark.browser,
    # pytest-playwright 0.10 defines its session-scoped base_url fixture in a way pytest 9 deprecates.
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def log_in(page: Page, base_url, user):
    """The login form, then for those who need a second factor a backup code on the verification page."""
    user = User.objects.get(pk=user.pk)
    code = backup_code(user) if privileged(user) else None
    page.goto(f"{base_url}/accounts/login/")
    form = page.get_by_role("main")
    form.get_by_label("用户名").fill(user.username)
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()
    if code:
        expect(page).to_have_url(re.compile(r"/accounts/verify/"))
        page.get_by_role("main").get_by_label("验证码").fill(code)
        page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def fill_in_basic_information(page: Page):
    form = page.get_by_role("main")
    form.get_by_label("所属行业").fill("C3811")
    form.get_by_label("通讯地址").fill("武汉市东湖高新区高新大道1号")
    form.get_by_label("单位性质").select_option(label="民营企业")
    form.get_by_label("成立日期").fill("2008-05-12")
    form.get_by_label("法定代表人").fill("张建国")
    form.get_by_label("联系人").fill("张敏")
    form.get_by_label("手机").fill("13800138000")
    form.get_by_label("单位简介").fill("电机制造")
    form.get_by_role("button", name="保存，下一步").click()


def attest_every_condition(page: Page):
    expect(page).to_have_url(re.compile(r"/eligibility/$"))
    for checkbox in page.get_by_role("main").get_by_role("checkbox").all():
        checkbox.check()
    page.get_by_role("button", name="确认并承诺").click()


def self_evaluate_every_indicator_as_met(page: Page, declaration):
    form = page.locator("main form[method=post]")
    for name, value in all_met(declaration).items():
        if name.startswith("met_"):
            form.locator(f"input[name='{name}'][value='{value}']").check()
        else:
            form.locator(f"input[name='{name}']").fill(value)
    page.get_by_role("button", name="保存自评价").click()


def upload_the_required_files(page: Page, tmp_path):
    for slot in (Attachment.Slot.SELF_EVALUATION_REPORT, Attachment.Slot.COMMITMENT_SCAN):
        path = tmp_path / f"{slot}.pdf"
        path.write_bytes(PDF_BYTES)
        form = page.locator("main form[enctype='multipart/form-data']")
        form.get_by_label("材料类型").select_option(value=slot)
        form.get_by_label("文件").set_input_files(path)
        form.get_by_role("button", name="上传").click()
        expect(page.get_by_role("main").get_by_role("link", name=f"{slot}.pdf")).to_be_visible()


def test_enterprise_declares_a_green_factory_and_submits_it_to_the_city(
    page: Page, live_server, browser_cast, tmp_path
):
    cast = browser_cast
    BatchFactory(requires_third_party=False)  # 国家2025年批次起不再要求第三方评价
    page.set_default_timeout(10_000)

    log_in(page, live_server.url, cast.applicant)

    # 工作台 → 新建申报 → 绿色工厂
    page.get_by_role("link", name="新建申报").click()
    expect(page.get_by_role("heading", name="新建申报")).to_be_visible()
    expect(page.get_by_label("申报单位")).to_have_value(str(cast.wuhan_org.pk))
    page.get_by_label("类别").select_option(label="绿色工厂")
    page.get_by_role("button", name="创建并填写基本信息").click()

    expect(page).to_have_url(re.compile(r"/declarations/\d+/edit/$"))
    declaration = Declaration.objects.get(organisation=cast.wuhan_org)
    badge = page.locator("h1 .badge")
    expect(badge).to_have_text("草稿")

    # The four steps before submitting: 基本信息, 基本条件与承诺, 自评价, 上传材料.
    fill_in_basic_information(page)
    expect(page).to_have_url(re.compile(r"/eligibility/$"))
    page.get_by_role("link", name="1. 基本信息").click()
    form = page.get_by_role("main")
    expect(form.get_by_label("成立日期")).to_have_value("2008-05-12")
    expect(form.get_by_label("单位性质")).to_have_value("private")
    expect(form.get_by_label("所属行业")).to_have_value("C3811")
    form.get_by_role("button", name="保存，下一步").click()
    attest_every_condition(page)
    expect(page.get_by_role("status").filter(has_text="已记录基本条件确认")).to_be_visible()
    self_evaluate_every_indicator_as_met(page, declaration)
    page.get_by_role("link", name="上传材料").click()
    upload_the_required_files(page, tmp_path)

    # 核对并提交
    page.get_by_role("link", name="核对并提交").click()
    page.get_by_role("button", name="提交自评价").click()
    expect(badge).to_have_text("自评完成")

    # This batch needs no third-party evaluation: straight on to the city.
    page.get_by_role("button", name="提交市州初审…").click()
    expect(page.get_by_text("此操作不可撤销")).to_be_visible()
    assert Declaration.objects.get(pk=declaration.pk).state == "self_evaluated"
    page.get_by_role("button", name="确认提交市州初审").click()
    expect(badge).to_have_text("市州初审")
    expect(page.get_by_text("下一步：等待市州经信局初审")).to_be_visible()
    expect(page.get_by_role("button", name="提交市州初审…")).to_have_count(0)

    page.screenshot(path=tmp_path / "declaration-city-review.png", full_page=True)
    declaration.refresh_from_db()
    assert declaration.state == "city_review"


def test_enterprise_answers_a_return_finds_its_values_and_resubmits_after_confirming(
    page: Page, live_server, browser_cast
):
    from datetime import date

    from applications import services as applications
    from reviews import city

    cast = browser_cast
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(requires_third_party=False),
        category="factory",
    )  # fmt: skip
    ready_to_submit(declaration, cast.applicant)
    applications.update_declaration(
        declaration,
        user=cast.applicant,
        fields={**BASIC_INFO, "founded_on": date(2008, 5, 12), "nature": "private"},
    )
    applications.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    applications.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    city.record_review(
        declaration, user=cast.wuhan_official, decision="return", opinion="材料不全",
        items_to_fix="请补充注册资本",
    )  # fmt: skip
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, cast.applicant)

    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    expect(page.get_by_role("note").filter(has_text="请补充注册资本")).to_be_visible()
    page.get_by_role("link", name="1. 基本信息").click()
    form = page.get_by_role("main")
    expect(form.get_by_label("成立日期")).to_have_value("2008-05-12")
    expect(form.get_by_label("单位性质")).to_have_value("private")
    form.get_by_label("注册资本（万元）").fill("5000")
    form.get_by_role("button", name="保存，下一步").click()
    expect(page).to_have_url(re.compile(r"/eligibility/$"))

    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    page.get_by_role("button", name="重新提交…").click()
    expect(page.get_by_text("此操作不可撤销")).to_be_visible()
    assert Declaration.objects.get(pk=declaration.pk).state == "returned"
    page.get_by_role("button", name="确认重新提交").click()
    expect(page.locator("h1 .badge")).to_have_text("市州初审")
    saved = Declaration.objects.get(pk=declaration.pk)
    assert (
        saved.founded_on == date(2008, 5, 12)
        and saved.nature == "private"
        and saved.registered_capital == 5000
    )

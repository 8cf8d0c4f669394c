"""An enterprise declares a 绿色工厂 from login to 市州初审 with the keyboard alone: Tab to each control, type,
Space to tick and to open the file chooser, arrow keys in a select, Enter on links and buttons. No mouse click."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from applications.models import Attachment, Declaration

from ..factories import PASSWORD, PDF_BYTES, BatchFactory
from ..workflow.test_journey import all_met

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def tab_to(page: Page, target: Locator, limit=400):
    """Press Tab until ``target`` has the focus: it must be reachable, in order, from where the focus is."""
    element = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", element):
            return
    raise AssertionError(f"Tab never reached {target}")


def type_into(page: Page, target: Locator, text: str):
    tab_to(page, target)
    page.keyboard.type(text)


def press(page: Page, target: Locator, key="Enter"):
    tab_to(page, target)
    page.keyboard.press(key)


def choose(page: Page, select: Locator, label: str):
    tab_to(page, select)
    for _ in range(30):
        if select.evaluate("s => s.options[s.selectedIndex].text.trim()") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r}")


def test_enterprise_declares_with_the_keyboard_alone(page: Page, live_server, browser_cast, tmp_path):
    cast = browser_cast
    BatchFactory(requires_third_party=False)
    page.set_default_timeout(30_000)
    main = page.get_by_role("main")

    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, main.get_by_label("用户名"), cast.applicant.username)
    type_into(page, main.get_by_label("密码"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    press(page, main.get_by_role("link", name="新建申报"))
    expect(page.get_by_role("heading", name="新建申报")).to_be_visible()
    choose(page, main.get_by_label("类别"), "绿色工厂")
    press(page, main.get_by_role("button", name="创建并填写基本信息"))
    expect(page).to_have_url(re.compile(r"/declarations/\d+/edit/$"))
    declaration = Declaration.objects.get(organisation=cast.wuhan_org)

    for label, text in [
        ("所属行业", "C3811"),
        ("通讯地址", "武汉市东湖高新区高新大道1号"),
        ("成立日期", "2008-05-12"),
    ]:
        if label == "成立日期":
            tab_to(page, main.get_by_label(label))
            page.keyboard.type(
                "05122008"
            )  # Debian's Chromium orders a date's parts mm/dd/yyyy and moves on by itself
            expect(main.get_by_label(label)).to_have_value("2008-05-12")
            continue
        type_into(page, main.get_by_label(label), text)
    choose(page, main.get_by_label("单位性质"), "民营企业")
    for label, text in [
        ("法定代表人", "张建国"),
        ("联系人", "张敏"),
        ("手机", "13800138000"),
        ("单位简介", "电机制造"),
    ]:
        type_into(page, main.get_by_label(label), text)
    press(page, main.get_by_role("button", name="保存，下一步"))

    expect(page).to_have_url(re.compile(r"/eligibility/$"))
    for checkbox in main.get_by_role("checkbox").all():
        press(page, checkbox, "Space")
    press(page, main.get_by_role("button", name="确认并承诺"))
    expect(page.get_by_role("status").filter(has_text="已记录基本条件确认")).to_be_visible()

    form = page.locator("main form[method=post]")
    for name, value in all_met(declaration).items():
        if name.startswith("met_"):
            press(page, form.locator(f"input[name='{name}'][value='{value}']"), "Space")
        else:
            type_into(page, form.locator(f"input[name='{name}']"), value)
    press(page, main.get_by_role("button", name="保存自评价"))

    # Listening for the whole upload step keeps Playwright intercepting file choosers: one that opens late on a
    # loaded machine is still answered instead of blocking the next (a page has one file chooser at a time).
    chosen = {}
    page.on("filechooser", lambda chooser: chooser.set_files(chosen["path"]))
    press(page, main.get_by_role("link", name="上传材料"))
    for slot in (Attachment.Slot.SELF_EVALUATION_REPORT, Attachment.Slot.COMMITMENT_SCAN):
        chosen["path"] = tmp_path / f"{slot}.pdf"
        chosen["path"].write_bytes(PDF_BYTES)
        upload = page.locator("main form[enctype='multipart/form-data']")
        select = upload.get_by_label("材料类型")
        tab_to(page, select)
        for _ in range(10):
            if select.input_value() == slot:
                break
            page.keyboard.press("ArrowDown")
        press(page, upload.get_by_label("文件"))
        expect(upload.get_by_label("文件")).to_have_value(re.compile(rf"{slot}\.pdf$"))
        press(page, upload.get_by_role("button", name="上传"))
        expect(main.get_by_role("link", name=f"{slot}.pdf")).to_be_visible()

    press(page, main.get_by_role("link", name="核对并提交"))
    press(page, main.get_by_role("button", name="提交自评价"))
    expect(page.locator("h1 .badge")).to_have_text("自评完成")
    press(page, main.get_by_role("button", name="提交市州初审…"))
    expect(page.get_by_text("此操作不可撤销")).to_be_visible()
    press(page, main.get_by_role("button", name="确认提交市州初审"))
    expect(page.locator("h1 .badge")).to_have_text("市州初审")

    declaration.refresh_from_db()
    assert declaration.state == "city_review"
    assert declaration.founded_on.isoformat() == "2008-05-12"

"""The province's history claimed, in a real browser: a published list without codes is imported, its
enterprise registers, and the city confirms that the unclaimed unit is that enterprise."""

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Organisation
from registry.models import ListedUnit

from ..factories import valid_credit_code
from ..registry import published_files as files
from .test_declare import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def test_a_list_imported_then_claimed_from_registration_to_confirmed_history(
    page: Page, live_server, browser_cast, tmp_path
):
    cast = browser_cast
    page.set_default_timeout(15_000)
    listed = tmp_path / "2022年度绿色工厂名单.docx"
    listed.write_bytes(
        files.docx(
            [
                (
                    ["附件", "2022年度绿色工厂名单"],
                    ["序号", "省份", "单位名称"],
                    [[1, "湖北", "武汉光谷认领示范有限公司"]],
                    [],
                )
            ]
        )
    )

    log_in(page, live_server.url, cast.province)
    page.goto(f"{live_server.url}/lists/import/")
    main = page.get_by_role("main")
    main.get_by_label("名单文件").set_input_files(str(listed))
    main.get_by_label("名单年度").fill("2022")
    main.get_by_label("发布日期").fill("2022-12-01")
    page.get_by_role("button", name="上传并试导入").click()
    expect(page).to_have_url(re.compile(r"/lists/import/\d+/$"))
    expect(page.get_by_text("新建未认领单位“武汉光谷认领示范有限公司”（市州待定")).to_be_visible()
    page.get_by_role("button", name=re.compile("确认导入")).click()
    expect(page.get_by_text("已导入名单记录1条")).to_be_visible()
    page.context.clear_cookies()

    code = valid_credit_code("420100")
    page.goto(f"{live_server.url}/accounts/register/")
    form = page.get_by_role("main")
    form.get_by_label("单位名称").fill("武汉光谷认领示范有限公司")
    form.get_by_label("统一社会信用代码").fill(code)
    form.get_by_label("所在市州").select_option("420100")
    form.get_by_label("用户名").fill("guanggu")
    form.get_by_label("姓名").fill("赵六")
    form.locator("input[name=password1]").fill("a-long-password-9")
    form.locator("input[name=password2]").fill("a-long-password-9")
    form.get_by_role("button", name="注册").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/register/$"))
    page.context.clear_cookies()

    log_in(page, live_server.url, cast.wuhan_official)
    page.get_by_text("名单管理").click()  # the navigation groups it in a dropdown
    page.get_by_role("link", name="单位认领").click()
    row = page.locator("tr", has_text="武汉光谷认领示范有限公司").first
    expect(row).to_contain_text("2022国家级绿色工厂")
    row.get_by_role("button", name="确认是同一单位").click()
    expect(page.get_by_text("已确认认领")).to_be_visible()
    page.screenshot(path=tmp_path / "claim-confirmed.png", full_page=True)

    registered = Organisation.objects.get(credit_code=code)
    unit = ListedUnit.objects.get()
    assert (unit.organisation, unit.region_id) == (registered, "420100")

"""Login failures lock an account, and an official enrols and uses a second factor, in a real browser."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from ..factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def submit_login(page: Page, base_url, username, password):
    page.goto(f"{base_url}/accounts/login/")
    form = page.get_by_role("main")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(password)
    form.get_by_role("button", name="登录").click()


@pytest.mark.console_errors_expected("status of 429")
def test_five_wrong_passwords_lock_the_login_and_say_so(page: Page, live_server, browser_cast):
    official = browser_cast.wuhan_official
    for _ in range(4):
        submit_login(page, live_server.url, official.username, "wrong-password")
        expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")
    submit_login(page, live_server.url, official.username, "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("已被锁定 30 分钟")
    # While the lock lasts the right password is refused too (HTTP 429, which the browser reports on its console).
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        submit_login(page, live_server.url, official.username, PASSWORD)
    assert answer.value.status == 429
    expect(page.get_by_role("alert")).to_contain_text("已被锁定 30 分钟")
    expect(page.get_by_role("alert")).to_contain_text("联系安全管理员解锁")
    expect(page.get_by_label("用户名")).to_have_value(official.username)


def test_an_official_enrols_an_authenticator_and_then_logs_in_with_a_backup_code(
    page: Page, live_server, browser_cast
):
    official = browser_cast.province
    submit_login(page, live_server.url, official.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    expect(page.locator("main figure.qr-code svg")).to_be_visible()

    device = TOTPDevice.objects.get(user=official, confirmed=False)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_role("main").get_by_label("验证码").fill(f"{code:06d}")
    page.get_by_role("button", name="验证并绑定").click()
    expect(page.get_by_role("heading", name="备用码")).to_be_visible()
    codes = page.locator("main ol.codes code").all_inner_texts()
    assert len(codes) == 10

    page.get_by_role("button", name="我已保存，继续").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("main")).to_contain_text("这是您的首次登录")
    page.get_by_role("button", name="退出").click()

    submit_login(page, live_server.url, official.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/verify/"))
    page.get_by_role("main").get_by_label("验证码").fill(codes[0])
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("main")).to_contain_text("上次登录：")

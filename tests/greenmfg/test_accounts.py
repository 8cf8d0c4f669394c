"""等保2.0 identification and authentication, sessions and 三员分立, over HTTP with the real login form."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from greenmfg import accounts
from greenmfg.models import AuditEntry, User
from greenmfg.roles import Role

from ..factories import PASSWORD, backup_code, make_user

pytestmark = pytest.mark.django_db


def post_login(client, user, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": user.username, "password": password}, **extra)


def actions(user):
    return list(AuditEntry.for_object(user).values_list("action", flat=True))


def app_code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


# Login failures (django-axes)


def test_five_failures_lock_the_username_at_that_address_with_a_chinese_message(client):
    official = make_user(Role.CITY, city="420100")
    for _ in range(4):
        assert post_login(client, official, "wrong-password").status_code == 200
    assert post_login(client, official, "wrong-password").status_code == 429
    response = post_login(client, official)
    assert response.status_code == 429
    page = response.content.decode()
    assert "连续 5 次登录失败，已被锁定 30 分钟" in page and "联系安全管理员解锁" in page
    assert "_auth_user_id" not in client.session
    assert actions(official).count("login_failed") == 6 and "locked_out" in actions(official)
    # Another address is not locked out (the lock is the username with the address) ...
    assert post_login(Client(REMOTE_ADDR="192.0.2.7"), official).status_code == 302
    # ... and the lock ends after 30 minutes.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert post_login(client, official).status_code == 302


def test_the_lock_follows_the_address_the_trusted_proxy_names_and_a_forged_header_does_not_escape_it(
    settings,
):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    applicant = make_user(Role.APPLICANT)
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        post_login(proxy, applicant, "wrong-password", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.4"
    assert post_login(proxy, applicant, HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 429
    assert post_login(proxy, applicant, HTTP_X_FORWARDED_FOR="198.51.100.5").status_code == 302

    direct = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        post_login(direct, applicant, "wrong-password", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert post_login(direct, applicant, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_the_security_administrator_unlocks_and_others_may_not(client, login):
    official = make_user(Role.PROVINCE)
    locked = Client()
    for _ in range(5):
        post_login(locked, official, "wrong-password")
    attempt = AccessAttempt.objects.get(username=official.username)

    for outsider in (make_user(Role.ADMIN, is_staff=True), make_user(Role.AUDITOR), make_user(Role.PROVINCE)):
        login(outsider)
        assert client.get("/accounts/security/").status_code == 403
        assert client.post(f"/accounts/security/unlock/{attempt.pk}/").status_code == 403
    assert post_login(locked, official).status_code == 429

    login(make_user(Role.SECURITY))
    assert official.username in client.get("/accounts/security/").content.decode()
    assert client.post(f"/accounts/security/unlock/{attempt.pk}/").status_code == 302
    assert post_login(locked, official).status_code == 302
    assert "unlocked" in actions(official)


# The second factor (django-otp)


def test_an_official_enrols_at_first_login_and_is_asked_for_the_second_factor_at_each_login(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = (
        0  # a wrong code, then the right one
    )
    official = make_user(Role.EXPERT)
    assert post_login(client, official).status_code == 302
    for page in ("/dashboard/", "/declarations/", "/notifications/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")
    page = client.get("/accounts/second-factor/").content.decode()
    assert "<svg" in page and "绑定身份验证器" in page
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    wrong = client.post(
        "/accounts/second-factor/", {"token": "000000" if app_code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()

    response = client.post("/accounts/second-factor/", {"token": app_code(device)})
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    assert client.get("/dashboard/").status_code == 200
    assert "otp_enrolled" in actions(official)

    client.post("/accounts/logout/")
    post_login(client, official)
    assert client.get("/dashboard/")["Location"].startswith("/accounts/verify/")
    assert "验证码不正确" in client.post("/accounts/verify/", {"token": "12345678"}).content.decode()
    assert client.post("/accounts/verify/", {"token": codes[0]})["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200

    client.post("/accounts/logout/")
    post_login(client, official)
    assert "验证码不正确" in client.post("/accounts/verify/", {"token": codes[0]}).content.decode()
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize(
    "make", [lambda: make_user(Role.CITY, city="420100"), lambda: make_user(Role.PROVINCE),
             lambda: make_user(Role.EVALUATOR), lambda: make_user(Role.SECURITY), lambda: make_user(Role.AUDITOR),
             lambda: make_user(Role.ADMIN), lambda: make_user(Role.APPLICANT, is_superuser=True)],
)  # fmt: skip
def test_every_privileged_role_needs_the_second_factor(client, make):
    post_login(client, make())
    assert client.get("/dashboard/")["Location"].startswith("/accounts/second-factor/")


def test_an_enterprise_needs_none_but_may_enrol_and_is_then_asked(client):
    applicant = make_user(Role.APPLICANT)
    post_login(client, applicant)
    assert client.get("/dashboard/").status_code == 200
    client.get("/accounts/second-factor/")
    device = TOTPDevice.objects.get(user=applicant)
    client.post("/accounts/second-factor/", {"token": app_code(device)})
    client.post("/accounts/logout/")
    post_login(client, applicant)
    assert client.get("/dashboard/")["Location"].startswith("/accounts/verify/")


def test_only_the_security_administrator_resets_a_second_factor_and_the_session_ends(client, login):
    official = make_user(Role.CITY, city="420100")
    theirs = Client()
    post_login(theirs, official)
    theirs.post("/accounts/verify/", {"token": backup_code(official)})
    assert theirs.get("/dashboard/").status_code == 200

    login(make_user(Role.ADMIN, is_staff=True))
    assert (
        client.post(
            f"/accounts/security/users/{official.pk}/reset-second-factor/", {"confirmed": "yes"}
        ).status_code
        == 403
    )
    assert StaticDevice.objects.filter(user=official).exists()

    login(make_user(Role.SECURITY))
    asks = client.get(f"/accounts/security/users/{official.pk}/reset-second-factor/").content.decode()
    assert "此操作不可撤销" in asks
    client.post(f"/accounts/security/users/{official.pk}/reset-second-factor/", {"confirmed": "yes"})
    assert not StaticDevice.objects.filter(user=official).exists()
    assert "otp_reset" in actions(official)
    assert theirs.get("/dashboard/")["Location"] == "/accounts/login/"
    post_login(theirs, official)
    assert theirs.get("/dashboard/")["Location"].startswith("/accounts/second-factor/")


# Passwords


def change_password(client, new, old=PASSWORD):
    return client.post(
        "/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    ("password", "official_may", "enterprise_may"),
    [
        ("lvse-zhizao", False, True),
        ("Lvsezhizao", False, True),
        ("Lv-zhizao1", True, True),
        ("Lv-zz-1", False, False),
    ],
)
def test_officials_need_10_characters_from_3_classes_and_enterprises_keep_djangos_rules(
    client, login, password, official_may, enterprise_may
):
    for user, may in ((make_user(Role.PROVINCE), official_may), (make_user(Role.APPLICANT), enterprise_may)):
        login(user)
        response = change_password(client, password)
        assert (response.status_code == 302) == may, response.content.decode()
        if not may and user.has_role(Role.PROVINCE) and len(password) >= 8:
            assert "至少 10 位" in response.content.decode()


def test_an_account_created_by_an_administrator_changes_its_password_at_first_login(client, login):
    login(make_user(Role.SECURITY, is_staff=True))
    response = client.post(
        "/admin/greenmfg/user/add/",
        {"username": "new_official", "usable_password": "true", "password1": "Chushi-mima-2025", "password2": "Chushi-mima-2025"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    created = User.objects.get(username="new_official")
    assert created.must_change_password

    newcomer = Client()
    newcomer.post("/accounts/login/", {"username": "new_official", "password": "Chushi-mima-2025"})
    assert newcomer.get("/dashboard/")["Location"] == "/accounts/password/?next=%2Fdashboard%2F"
    assert "首次登录须修改密码" in newcomer.get("/accounts/password/").content.decode()
    change_password(newcomer, "Xin-mima-2025a", old="Chushi-mima-2025")
    assert newcomer.get("/dashboard/").status_code == 200
    assert "password_changed" in actions(created)


def test_an_officials_password_expires_after_the_setting_and_an_enterprises_does_not(client, login, settings):
    settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS = 180
    official, applicant = make_user(Role.CITY, city="420100"), make_user(Role.APPLICANT)
    User.objects.update(password_changed_at=timezone.now() - timedelta(days=181))
    login(applicant)
    assert client.get("/dashboard/").status_code == 200
    login(official)
    assert client.get("/dashboard/")["Location"].startswith("/accounts/password/")
    assert "超过规定的使用期限" in client.get("/accounts/password/").content.decode()
    change_password(client, "Xin-mima-2025a")
    assert client.get("/dashboard/").status_code == 200


# Sessions


def test_an_officials_session_ends_at_browser_close_and_after_the_idle_minutes(client, login, settings):
    settings.OFFICIAL_SESSION_IDLE_MINUTES = 30
    applicant = make_user(Role.APPLICANT)
    login(applicant)
    assert client.cookies["sessionid"]["max-age"]  # an enterprise's session outlives the browser

    login(make_user(Role.PROVINCE))
    assert client.cookies["sessionid"]["max-age"] == ""  # a browser-session cookie
    assert client.get("/dashboard/").status_code == 200
    session = client.session
    session[accounts.LAST_SEEN] -= 31 * 60
    session.save()
    partial = client.get(
        "/dashboard/", headers={"HX-Request": "true"}
    )  # an HTMX request reloads the whole page
    assert partial["HX-Redirect"] == "/accounts/login/"
    assert "30 分钟未操作" in client.get("/accounts/login/").content.decode()
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_a_new_login_ends_the_officials_older_session_and_the_older_browser_is_told(login):
    official = make_user(Role.EXPERT)
    first, second = Client(), Client()
    for browser in (first, second):
        post_login(browser, official)
        browser.post("/accounts/verify/", {"token": backup_code(official)})
    assert second.get("/dashboard/").status_code == 200
    response = first.get("/dashboard/", follow=True)
    assert response.redirect_chain[0] == ("/accounts/login/", 302)
    assert "已在其他地方登录" in response.content.decode()
    assert second.get("/dashboard/").status_code == 200


def test_the_dashboard_shows_the_previous_logins_time_and_address():
    applicant = make_user(Role.APPLICANT)
    first = Client(REMOTE_ADDR="192.0.2.10")
    post_login(first, applicant)
    assert "这是您的首次登录" in first.get("/dashboard/").content.decode()
    second = Client(REMOTE_ADDR="192.0.2.20")
    post_login(second, applicant)
    page = second.get("/dashboard/").content.decode()
    applicant.refresh_from_db()
    assert (
        f"上次登录：{timezone.localtime(applicant.previous_login_at):%Y-%m-%d %H:%M}，地址 192.0.2.10" in page
    )


def test_a_login_without_an_address_is_recorded_without_one():
    applicant = make_user(Role.APPLICANT)
    assert post_login(Client(REMOTE_ADDR="unix:/run/gunicorn.sock"), applicant).status_code == 302
    assert User.objects.get(pk=applicant.pk).login_address is None


def test_login_and_logout_are_audited_and_a_superusers_use_is_marked(client):
    superuser = make_user(Role.ADMIN, is_staff=True, is_superuser=True)
    post_login(client, superuser)
    client.post("/accounts/verify/", {"token": backup_code(superuser)})
    client.post("/accounts/logout/")
    entries = list(AuditEntry.for_object(superuser).values_list("action", "opinion", "address"))
    assert entries[0] == ("login", "超级用户（应急）登录", "127.0.0.1")
    assert entries[-1] == ("logout", "", "127.0.0.1")


def test_a_failed_login_of_an_unknown_username_is_audited_too(client):
    client.post("/accounts/login/", {"username": "nobody-here", "password": "guess"})
    entry = AuditEntry.objects.get(action="login_failed")
    assert (entry.subject, entry.opinion, entry.address) == (None, "nobody-here", "127.0.0.1")


# 三员分立


@pytest.mark.parametrize(
    "first, second", [(Role.ADMIN, Role.SECURITY), (Role.SECURITY, Role.AUDITOR), (Role.AUDITOR, Role.ADMIN)]
)
def test_one_account_cannot_hold_two_administrator_roles_however_they_are_given(first, second):
    user = make_user(first)
    other = Group.objects.get(name=second.value)
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        user.groups.add(other)
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        other.user_set.add(user)
    with pytest.raises(ValidationError, match="三员分立"):
        accounts.assign_roles(user, Group.objects.filter(name__in=[first.value, second.value]), actor=None)
    assert set(User.objects.get(pk=user.pk).role_names) == {first.value}


def test_the_security_page_and_the_admin_form_refuse_two_administrator_roles(client, login):
    target = make_user(Role.ADMIN, is_staff=True)
    groups = {role: Group.objects.get(name=role.value).pk for role in Role}
    login(make_user(Role.SECURITY, is_staff=True))

    response = client.post(
        f"/accounts/security/users/{target.pk}/roles/", {"roles": [groups[Role.ADMIN], groups[Role.AUDITOR]]}
    )
    assert response.status_code == 200 and "三员分立" in response.content.decode()

    change = client.get(f"/admin/greenmfg/user/{target.pk}/change/")
    data = {
        key: value for key, value in change.context["adminform"].form.initial.items() if value is not None
    }
    data.update(username=target.username, groups=[groups[Role.ADMIN], groups[Role.SECURITY]], date_joined_0="2026-01-01",
                date_joined_1="08:00:00", password_changed_at_0="2026-01-01", password_changed_at_1="08:00:00", is_staff="on", is_active="on")  # fmt: skip
    data.pop("last_login", None)
    data.pop("user_permissions", None)
    response = client.post(f"/admin/greenmfg/user/{target.pk}/change/", data)
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    assert set(User.objects.get(pk=target.pk).role_names) == {Role.ADMIN.value}

    response = client.post(f"/accounts/security/users/{target.pk}/roles/", {"roles": [groups[Role.PROVINCE]]})
    assert response.status_code == 302
    assert set(User.objects.get(pk=target.pk).role_names) == {Role.PROVINCE.value}
    assert "roles_changed" in actions(target)


def test_the_system_administrator_configures_but_cannot_reach_accounts(client, login):
    login(make_user(Role.ADMIN, is_staff=True))
    for configuration in ("/admin/applications/indicatortemplate/", "/admin/applications/batch/add/",
                          "/admin/applications/policy/", "/admin/registry/plan/", "/admin/greenmfg/region/"):  # fmt: skip
        assert client.get(configuration).status_code == 200, configuration
    for accounts_or_audit in ("/admin/greenmfg/user/", "/admin/auth/group/", "/admin/greenmfg/auditentry/",
                              "/admin/applications/declaration/", "/accounts/security/"):  # fmt: skip
        assert client.get(accounts_or_audit).status_code == 403, accounts_or_audit

    login(make_user(Role.SECURITY, is_staff=True))
    assert client.get("/admin/greenmfg/user/").status_code == 200
    form = (
        client.get(f"/admin/greenmfg/user/{make_user(Role.APPLICANT).pk}/change/").context["adminform"].form
    )
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields


def test_a_superusers_change_in_the_admin_is_audited(client, login):
    superuser = make_user(Role.ADMIN, is_staff=True, is_superuser=True)
    login(superuser)
    region_admin = client.post(
        "/admin/greenmfg/region/420100/change/", {"code": "420100", "name": "武汉市", "order": 1}
    )
    assert region_admin.status_code == 302
    entry = AuditEntry.objects.get(action="admin_change")
    assert entry.actor == superuser and "武汉市" in entry.opinion
    assert AuditEntry.objects.filter(actor=superuser, action="login").exists()

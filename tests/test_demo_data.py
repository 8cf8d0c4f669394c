"""The README's first command runs `demo_data`: it must work, twice, and leave every role something to do."""

import pytest
from django.core.management import call_command
from django.test import Client

from applications.models import Declaration
from greenmfg.models import User
from registry.models import ListedUnit, RereviewAssignment
from reviews.models import Assignment

pytestmark = pytest.mark.django_db


def test_demo_data_creates_every_role_and_the_states_and_is_safe_to_run_twice(settings):
    settings.DEBUG = True
    call_command("demo_data")
    call_command("demo_data")

    assert set(User.objects.values_list("groups__name", flat=True)) >= {
        "申报单位", "第三方评价机构", "市州经信局", "评审专家", "省经信厅", "系统管理员",
    }  # fmt: skip
    assert set(Declaration.objects.values_list("state", flat=True)) == {
        "draft", "self_evaluated", "city_review", "returned", "province_review", "listed",
    }  # fmt: skip
    assert Declaration.objects.count() == 6
    assert ListedUnit.objects.get(declaration__isnull=False).document_number.startswith("鄂经信节能")
    assert Assignment.objects.filter(expert__user__username="zhuanjia", status="active").exists()
    # A re-review reported by 宜昌 waits on three experts from other cities, zhuanjia among them.
    rereview = RereviewAssignment.objects.filter(case__status="city_reported")
    assert rereview.count() == 3 and rereview.filter(expert__user__username="zhuanjia").exists()
    assert not rereview.filter(expert__region_id="420500").exists()
    assert rereview.first().case.scoring_template.category == "park"  # scored on the park's indicator sheet
    assert User.objects.get(username="qiye_wuhan").check_password("greenmfg-demo")


def test_every_demo_role_logs_in_with_its_own_backup_codes_at_once(settings):
    settings.DEBUG = True
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # a refused code, then the next one at once
    call_command("demo_data")
    privileged = ["pingjia", "shizhou_wuhan", "zhuanjia", "shengting", "admin", "anquan", "shenji"]
    for username in privileged:
        client = Client()
        client.post("/accounts/login/", {"username": username, "password": "greenmfg-demo"})
        assert client.get("/dashboard/")["Location"].startswith("/accounts/verify/")
        assert client.post("/accounts/verify/", {"token": "20250001"})["Location"] == "/dashboard/"
        assert client.get("/dashboard/").status_code == 200, username
    again = Client()
    again.post("/accounts/login/", {"username": "shengting", "password": "greenmfg-demo"})
    assert again.post("/accounts/verify/", {"token": "20250001"}).status_code == 200  # used: refused
    assert again.post("/accounts/verify/", {"token": "20250002"}).status_code == 302
    assert {"安全管理员", "审计管理员"} <= set(User.objects.values_list("groups__name", flat=True))
    assert User.objects.get(username="admin").is_superuser

    enterprise = Client()
    enterprise.post("/accounts/login/", {"username": "qiye_wuhan", "password": "greenmfg-demo"})
    assert enterprise.get("/dashboard/").status_code == 200


def test_demo_data_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="演示数据只用于本地试用"):
        call_command("demo_data")

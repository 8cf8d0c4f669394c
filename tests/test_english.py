"""The portal in English: every main page of every demo role, and the public pages, without a Chinese character
outside user data; official documents stay in Chinese whatever the reader's language."""

import html
import re
from io import BytesIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from openpyxl import load_workbook

from greenmfg.models import User
from registry.imports import HEADERS
from registry.models import Publicity

from .factories import force_login_verified
from .pages import DEMO_USERS, PUBLIC_PAGES, ROLE_START, crawl

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# Deliberately Chinese on English pages: document numbers, and the texts a Chinese list file must contain.
PROPER_NOUNS = [
    "鄂经信办节能〔2022〕8号",
    "工信厅节函〔2023〕315号",
    "附件1 绿色工厂名单",
    "单位名称",
    "企业名称",
]
PROPER_NOUNS += ["园区名称", "原名称", "武汉市", "武汉", "恩施州", "湖北省"]
# The header texts the list import recognises in Chinese files, shown as they must be written.
PROPER_NOUNS += sorted({text for texts in HEADERS.values() for text in texts}, key=len, reverse=True)
# Models whose text is the portal's vocabulary, not user data: role names must be translated, so never stripped.
NOT_USER_DATA = {"auth.group", "auth.permission", "contenttypes.contenttype"}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("demo_data")


def user_data() -> list[str]:
    """Every text the database holds (names, titles, opinions, reference data), longest first."""
    found = set()

    def collect(value):
        if isinstance(value, str):
            found.update(part.strip() for part in [value, *value.splitlines()] if CJK.search(part))
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    for model in apps.get_models():
        if model._meta.label_lower in NOT_USER_DATA:
            continue
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if text_fields:
            for row in model.objects.values_list(*text_fields):
                collect(row)
    return sorted(found, key=len, reverse=True)


def chinese_left(page: str, data: list[str]) -> list[str]:
    text = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    text = re.sub(r'<(\w+)[^>]*\blang="zh-Hans"[^>]*>[^<]*</\1>', "", text)  # the switch back to Chinese
    text = html.unescape(text)
    for value in data:
        text = text.replace(value, "")
    return sorted(
        {
            match.group(0).strip()
            for match in re.finditer(r"[^<>\n]{0,30}" + CJK.pattern + r"[^<>\n]{0,30}", text)
        }
    )


def assert_english(pages: dict[str, str], data: list[str]):
    assert pages
    data = sorted(set(data + PROPER_NOUNS), key=len, reverse=True)
    leftovers = {path: chinese_left(page, data) for path, page in pages.items()}
    chinese = "\n".join(f"{path}: {left}" for path, left in leftovers.items() if left)
    assert not chinese, f"Chinese left on English pages:\n{chinese}"
    assert all('<html lang="en"' in page for page in pages.values())


def test_every_page_of_every_role_is_in_english(demo):
    data = user_data()
    visited = 0
    for username in DEMO_USERS:
        User.objects.filter(username=username).update(language="en")
        user = User.objects.get(username=username)
        client = force_login_verified(Client(), user)
        pages = crawl(client, ROLE_START)
        assert_english(pages, data)
        visited += len(pages)
    assert visited > 60


def test_public_pages_are_in_english_for_a_visitor_who_chose_it(demo):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert_english(crawl(client, PUBLIC_PAGES), user_data())


def test_the_language_is_chosen_in_the_header_and_kept_on_the_user(client, demo):
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-Hans"' in english_browser.get("/lists/").content.decode()  # Chinese until chosen

    response = client.post("/language/", {"language": "en", "next": "/lists/"})
    assert response.status_code == 302 and response["Location"] == "/lists/"
    assert 'lang="en"' in client.get("/lists/").content.decode()

    client.post("/accounts/login/", {"username": "qiye_wuhan", "password": "greenmfg-demo"})
    user = User.objects.get(username="qiye_wuhan")
    assert user.language == "en"  # adopted from the visitor's choice at login

    other_browser = Client()
    other_browser.post("/accounts/login/", {"username": "qiye_wuhan", "password": "greenmfg-demo"})
    assert 'lang="en"' in other_browser.get("/dashboard/").content.decode()
    other_browser.post("/language/", {"language": "zh-hans", "next": "/dashboard/"})
    user.refresh_from_db()
    assert user.language == "zh-hans"
    assert (
        'lang="zh-Hans"' in client.get("/dashboard/").content.decode()
    )  # the first browser follows the user
    assert client.post("/language/", {"language": "xx", "next": "/"}).status_code == 302
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_official_documents_stay_in_chinese_for_an_english_reader(demo):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sheet = load_workbook(BytesIO(client.get("/lists/export.xlsx").content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0].startswith("湖北省绿色制造名单（截至")
    header = next(row for row in rows if row[0] == "序号")
    assert header[:3] == ["序号", "地区", "单位名称"]
    assert "Green" not in str(rows)

    user = User.objects.get(username="qiye_wuhan")
    User.objects.filter(pk=user.pk).update(language="en")
    client.force_login(user)
    declaration = user.memberships.first().organisation.declarations.first()
    response = client.get(f"/declarations/{declaration.pk}/declaration.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "绿色制造体系申报书" in text and "Declaration" not in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)

    notice = Publicity.objects.first()
    text = _pdf_text(client.get(f"/publicity/{notice.pk}/notice.pdf").content)
    assert "公示时间" in text and "湖北省经济和信息化厅" in text and "Publicity" not in text

    official = User.objects.get(username="shizhou_wuhan")
    User.objects.filter(pk=official.pk).update(language="en")
    city = force_login_verified(Client(), official)
    batch = declaration.batch
    text = _pdf_text(city.get(f"/reviews/city/{batch.pk}/opinion.pdf").content)
    assert "关于推荐" in text and "湖北省经济和信息化厅：" in text and "recommend" not in text.lower()
    sheet = load_workbook(BytesIO(city.get(f"/reviews/city/{batch.pk}/summary.xlsx").content)).active
    assert "推荐汇总表" in sheet["A1"].value and "序号" in [cell.value for cell in sheet[2]]
    assert "Green" not in str([[cell.value for cell in row] for row in sheet.iter_rows()])


def _pdf_text(content: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_level_and_category_read_as_one_phrase_in_either_language():
    from django.utils import translation

    from registry.models import ListedUnit

    unit = ListedUnit(level="provincial", category="factory")
    with translation.override("zh-hans"):
        assert unit.listing == "省级绿色工厂"
    with translation.override("en"):
        assert unit.listing == "Provincial Green factory"  # not "ProvincialGreen factory"


def test_the_account_pages_in_the_admin_name_roles_in_english(demo):
    """The 安全管理员 creates accounts and assigns roles in /admin/ (the crawl above stays out of it): role names
    are the portal's vocabulary, not user data, so they are in English."""
    User.objects.filter(username="anquan").update(language="en")
    official = User.objects.get(username="shizhou_wuhan")
    pages = {}
    for username, path in [
        ("anquan", "/admin/greenmfg/user/"),
        ("anquan", f"/admin/greenmfg/user/{official.pk}/change/"),
    ]:
        response = force_login_verified(Client(), User.objects.get(username=username)).get(path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode()
    assert_english(pages, [*user_data(), "简体中文"])  # a language is offered under its own name
    assert all("City industry and IT bureau" in page for page in pages.values())

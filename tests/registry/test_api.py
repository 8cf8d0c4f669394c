"""The open-data API: the same rows as /lists/ and its export, 公示 notices, the schema, a flat query count."""

import json
import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from greenmfg.roles import Role
from registry.filters import ListedUnitFilter
from registry.models import ListedUnit, Publicity

from ..factories import DeclarationFactory, OrganisationFactory, force_login_verified, make_user

pytestmark = pytest.mark.django_db

HTML_ROW_NAME = re.compile(
    r'<td class="index">\d+</td><td class="nowrap">[^<]*</td><td><a href="/lists/\d+/">([^<]+)</a>'
)


def listed(count, *, region_id="420100", year=2026, name=None, **kwargs):
    units = []
    for _ in range(count):
        organisation = OrganisationFactory(region_id=region_id, **({"name": name} if name else {}))
        units.append(
            ListedUnit.objects.create(
                organisation=organisation,
                region_id=region_id,
                category=kwargs.get("category", "factory"),
                product_name=kwargs.get("product_name", ""),
                level=kwargs.get("level", "provincial"),
                year=year,
                document_number=kwargs.get("document_number", ""),
                listed_on=date(year, 6, 1),
            )
        )
    return units


@pytest.fixture
def lists():
    """Enough units for two pages of 50, across regions, categories, levels and years; one of them removed."""
    listed(30)
    listed(12, region_id="420200", category="product", product_name="节能型变压器 SZ20")
    listed(8, region_id="420500", level="national", year=2024)
    listed(4, category="park", level="municipal", year=2025)
    listed(3, name="武汉光谷绿色动力有限公司")
    listed(2, region_id="420200", name="光谷绿能黄石分公司", category="supply_chain")
    removed = listed(1, name="已移出的单位有限公司")[0]
    ListedUnit.objects.filter(pk=removed.pk).update(review_status=ListedUnit.ReviewStatus.REMOVED)
    return removed


def api_names(client, params):
    """Every organisation name the API gives for these parameters, following ``next`` page by page."""
    names, page = [], 1
    while page:
        body = client.get("/api/lists/", {**params, "page": page}).json()
        names += [unit["organisation_name"] for unit in body["results"]]
        page = body["next"]
    return names


def page_names(client, params, page=1):
    html = client.get("/lists/", {**params, "page": page}).content.decode()
    return HTML_ROW_NAME.findall(html)


def all_page_names(client, params):
    """The names on every page of /lists/, following its 下一页 link."""
    names, page = [], 1
    while True:
        html = client.get("/lists/", {**params, "page": page}).content.decode()
        names += HTML_ROW_NAME.findall(html)
        if "下一页" not in html:
            return names
        page += 1


def export_names(params):
    province = Client()
    force_login_verified(province, make_user(Role.PROVINCE))
    response = province.get("/lists/export.xlsx", params)
    assert response.status_code == 200
    rows = load_workbook(BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True)
    return [row[2] for row in rows]


FILTERS = [
    {},
    {"region": "420200"},
    {"category": "product"},
    {"level": "national"},
    {"year": "2025"},
    {"q": "光谷"},
    {"region": "420100", "category": "factory", "year": "2026"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda params: "&".join(params) or "unfiltered")
def test_the_api_gives_the_rows_of_the_page_and_the_export_in_their_order(client, lists, params):
    expected = [
        unit.organisation.name
        for unit in ListedUnitFilter(
            params, queryset=ListedUnit.objects.for_lists().exclude(review_status="removed")
        ).qs
    ]
    assert expected  # every case selects something

    from_api = api_names(client, params)
    assert from_api == expected
    assert all_page_names(client, params) == expected
    assert export_names(params) == expected
    assert lists.organisation.name not in from_api


def test_pages_of_fifty_agree_with_the_pages_of_the_list(client, lists):
    first = client.get("/api/lists/").json()
    second = client.get("/api/lists/", {"page": 2}).json()

    assert first["count"] == second["count"] == 59
    assert (first["page"], first["page_size"], first["previous"], first["next"]) == (1, 50, None, 2)
    assert (second["previous"], second["next"]) == (1, None)
    assert [u["organisation_name"] for u in first["results"]] == page_names(client, {}, page=1)
    assert [u["organisation_name"] for u in second["results"]] == page_names(client, {}, page=2)


def test_the_page_size_is_chosen_up_to_two_hundred(client, lists):
    body = client.get("/api/lists/", {"page_size": 20, "page": 3}).json()
    assert (len(body["results"]), body["previous"], body["next"]) == (19, 2, None)

    assert len(client.get("/api/lists/", {"page_size": 200}).json()["results"]) == 59
    too_many = client.get("/api/lists/", {"page_size": 201})
    assert too_many.status_code == 400
    assert too_many.json()["errors"] == {"page_size": ["每页条数须为 1 至 200 之间的整数。"]}


def test_bad_page_numbers_are_refused(client, lists):
    for page in ("0", "abc"):
        response = client.get("/api/lists/", {"page": page})
        assert response.status_code == 400
        assert response.json()["errors"] == {"page": ["页码须为正整数。"]}
    assert client.get("/api/lists/", {"page": 3}).status_code == 404
    assert client.get("/api/lists/", {"q": "不存在的单位"}).json() == {
        "count": 0,
        "page": 1,
        "page_size": 50,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize("params", [{"year": "二〇二六"}, {"region": "999999"}, {"category": "shop"}])
def test_a_bad_filter_value_is_a_400_with_the_filters_own_chinese_message(client, params):
    listed(1)
    response = client.get("/api/lists/", params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    expected = ListedUnitFilter(params, queryset=ListedUnit.objects.all()).errors
    assert response.json() == {
        "detail": "查询参数有误。",
        "errors": {name: list(messages) for name, messages in expected.items()},
    }
    assert re.search(r"[\u4e00-\u9fff]", next(iter(response.json()["errors"].values()))[0])


def test_one_unit_has_every_field_and_a_removed_unit_is_not_found(client):
    unit = listed(
        1,
        region_id="420200",
        category="product",
        product_name="节能型变压器 SZ20",
        level="provincial",
        document_number="鄂经信节能〔2026〕12号",
    )[0]
    removed = listed(1)[0]
    ListedUnit.objects.filter(pk=removed.pk).update(review_status="removed")

    response = client.get(f"/api/lists/{unit.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": unit.pk,
        "organisation_name": unit.organisation.name,
        "organisation_credit_code": unit.organisation.credit_code,
        "region_code": "420200",
        "region_name": "黄石市",
        "category": "product",
        "category_label": "绿色设计产品",
        "product_name": "节能型变压器 SZ20",
        "level": "provincial",
        "level_label": "省级",
        "year": 2026,
        "document_number": "鄂经信节能〔2026〕12号",
        "listed_on": "2026-06-01",
        "next_review_on": "2029-06-01",
        "review_status": "current",
        "review_status_label": "有效",
    }
    assert "节能型变压器" in response.content.decode()  # Chinese as characters, not \u escapes
    assert client.get(f"/api/lists/{removed.pk}/").status_code == 404
    assert client.get(f"/api/lists/{removed.pk}/").json() == {"detail": "未找到。"}
    assert removed.pk not in [u["id"] for u in client.get("/api/lists/").json()["results"]]


def test_the_list_makes_the_same_queries_for_five_units_as_for_five_hundred(client):
    listed(5)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/lists/").status_code == 200
    listed(495, region_id="420500")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/lists/", {"page_size": 200}).json()

    assert body["count"] == 500
    assert len(few) == len(many) == 2  # count, page


def test_the_api_is_read_only_and_needs_no_login(client):
    listed(1)
    assert client.get("/api/lists/").status_code == 200
    assert client.post("/api/lists/").status_code == 405


def notice(title, starts_on, declarations, **kwargs):
    publicity = Publicity.objects.create(
        title=title,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=7),
        opened_by=make_user(Role.PROVINCE),
        **kwargs,
    )
    publicity.declarations.add(*declarations)
    return publicity


def test_notices_newest_first_with_their_units_and_nothing_private(client):
    wuhan = DeclarationFactory(
        organisation=OrganisationFactory(name="武汉绿源机械有限公司", region_id="420100"),
        contact_mobile="13800000000",
    )
    huangshi = DeclarationFactory(
        organisation=OrganisationFactory(name="黄石华新新材料股份有限公司", region_id="420200"),
        category="product",
        product_name="低碳水泥 P·O 42.5",
    )
    older = notice("2025年度省级绿色制造名单公示", date(2025, 11, 1), [wuhan])
    newer = notice("2026年度省级绿色制造名单公示", date(2026, 11, 1), [huangshi, wuhan], day_kind="working")
    Publicity.objects.filter(pk=older.pk).update(closed_at="2025-11-20T10:00:00+08:00")

    response = client.get("/api/notices/")

    body = response.json()
    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0] == {
        "id": newer.pk,
        "title": "2026年度省级绿色制造名单公示",
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-08",
        "day_kind": "working",
        "day_kind_label": "工作日",
        "is_open": True,
        "issuer": "湖北省经济和信息化厅",
        "units": [
            {
                "organisation_name": "武汉绿源机械有限公司",
                "region_name": "武汉市",
                "category_label": "绿色工厂",
                "product_name": "",
            },
            {
                "organisation_name": "黄石华新新材料股份有限公司",
                "region_name": "黄石市",
                "category_label": "绿色设计产品",
                "product_name": "低碳水泥 P·O 42.5",
            },
        ],
    }
    assert body["results"][1]["is_open"] is False
    assert "13800000000" not in response.content.decode()
    assert (
        client.get(f"/api/notices/{older.pk}/").json()["units"][0]["organisation_name"]
        == "武汉绿源机械有限公司"
    )
    assert client.get("/api/notices/999999/").status_code == 404


def test_the_notices_make_the_same_queries_for_one_notice_as_for_many(client):
    notice("第一次公示", date(2026, 1, 1), [DeclarationFactory()])
    with CaptureQueriesContext(connection) as few:
        client.get("/api/notices/")
    for number in range(5):
        notice(f"公示{number}", date(2026, 2, 1), [DeclarationFactory() for _ in range(4)])
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/notices/").json()

    assert sum(len(n["units"]) for n in body["results"]) == 21
    assert len(few) == len(many) == 3  # count, page, the units of the page


def test_the_schema_documents_both_endpoints_and_the_filters(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Hubei green manufacturing lists: open data API"
    assert not re.search(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]", response.content.decode()), (
        "in English"
    )
    assert {"/api/lists/", "/api/lists/{unit_id}/", "/api/notices/", "/api/notices/{notice_id}/"} <= set(
        schema["paths"]
    )
    parameters = {p["name"] for p in schema["paths"]["/api/lists/"]["get"]["parameters"]}
    assert parameters == set(ListedUnitFilter.base_filters) | {"page", "page_size"}
    assert client.get("/api/docs").status_code == 404

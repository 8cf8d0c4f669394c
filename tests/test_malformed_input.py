"""Malformed input answers 400 (or the form again) with a clear Chinese message, never a 500."""

import pytest

from .factories import BatchFactory

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
ENORMOUS = "9" * 5000  # beyond Python's 4,300-digit limit for int()


@pytest.fixture
def province_client(cast, login):
    client = login(cast.province)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("year", ["abc", "0", HUGE, "-1", "2025.5"])
@pytest.mark.parametrize(
    "url", ["/rereviews/annual-reports/", "/rereviews/results.xlsx", "/lists/national/export.xlsx"]
)
def test_a_malformed_year_is_a_400_with_the_reason(province_client, url, year):
    response = province_client.get(url, {"year": year})
    assert response.status_code == 400
    assert "年度须为 2000 至 2100 之间的整数" in response.content.decode()


@pytest.mark.parametrize("batch", ["abc", HUGE, "-1", "999999"])
def test_an_unknown_batch_on_the_overview_is_a_400_with_the_reason(province_client, batch):
    BatchFactory()
    response = province_client.get("/overview/", {"batch": batch})
    assert response.status_code == 400
    assert "所选批次不存在" in response.content.decode()


@pytest.mark.parametrize("url", ["/lists/national/", "/lists/publish/"])
@pytest.mark.parametrize("value", [HUGE, ENORMOUS, "-1", "abc", "1e400"])
@pytest.mark.parametrize("field", ["units", "year"])
def test_a_huge_or_malformed_number_shows_the_form_again_with_the_reason(province_client, url, value, field):
    response = province_client.post(
        url,
        {
            "units": [value if field == "units" else "1"],
            "year": value if field == "year" else "2026",
            "document_number": "鄂经信节能〔2026〕1号",
            "published_on": "2026-06-01",
        },
    )
    assert response.status_code in (200, 400)
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("declaration", ["", "abc", HUGE, "-1"])
def test_an_empty_or_malformed_declaration_to_assign_is_a_400_with_the_reason(province_client, declaration):
    batch = BatchFactory()
    response = province_client.post(
        f"/reviews/batches/{batch.pk}/assign/", {"declaration": declaration, "expert": "1"}
    )
    assert response.status_code == 400
    assert "请选择要分配的申报和专家" in response.content.decode()


@pytest.mark.parametrize("value", [HUGE, ENORMOUS, "-1", "abc", "1e400"])
@pytest.mark.parametrize("field", ["organisations", "year", "category"])
def test_a_city_publishing_a_municipal_list_with_a_malformed_number_sees_the_form_again(
    cast, login, value, field
):
    client = login(cast.wuhan_official)
    client.raise_request_exception = False
    data = {
        "organisations": [str(cast.wuhan_org.pk)],
        "category": "factory",
        "year": "2026",
        "document_number": "武经信〔2026〕1号",
        "listed_on": "2026-06-01",
    }
    data[field] = [value] if field == "organisations" else value
    response = client.post("/lists/publish/", data)
    assert response.status_code in (200, 400)
    assert "errorlist" in response.content.decode()

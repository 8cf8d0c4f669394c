"""The public list, its export, and the three-yearly re-review reminders."""

from datetime import date, datetime, time
from io import BytesIO
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from greenmfg.celery import app as celery_app
from registry.models import ListedUnit, ReReviewCase
from registry.rereviews import open_due_rereviews
from registry.tasks import open_due_rereviews as open_task

from ..factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def listed(count, *, listed_on=date(2026, 6, 1), region_id="420100", **kwargs):
    units = []
    for _ in range(count):
        organisation = OrganisationFactory(region_id=region_id)
        units.append(
            ListedUnit.objects.create(
                organisation=organisation,
                region_id=region_id,
                category=kwargs.get("category", "factory"),
                product_name=kwargs.get("product_name", ""),
                level=kwargs.get("level", "provincial"),
                year=listed_on.year,
                listed_on=listed_on,
                document_number=f"鄂经信节能〔{listed_on.year}〕68号",
            )
        )
    return units


def test_the_export_has_one_row_per_listed_unit_with_chinese_intact(cast, login):
    units = listed(3) + listed(2, region_id="420200", category="product", product_name="节能型变压器 SZ20")
    removed = listed(1)[0]
    ListedUnit.objects.filter(pk=removed.pk).update(review_status="removed")

    response = login(cast.province).get("/lists/export.xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0] == (
        "序号", "地区", "单位名称", "统一社会信用代码", "产品名称", "类别", "级别", "批次/年度", "文号", "发布日期",
        "复核状态",
    )  # fmt: skip
    assert [row[0] for row in rows[1:]] == [1, 2, 3, 4, 5]
    assert sorted(row[2] for row in rows[1:]) == sorted(u.organisation.name for u in units)
    assert removed.organisation.name not in [row[2] for row in rows[1:]]
    product_rows = [row for row in rows[1:] if row[1] == "黄石市"]
    unit = next(u for u in units if u.region_id == "420200")
    assert product_rows[0][3:11] == (
        unit.organisation.credit_code, "节能型变压器 SZ20", "绿色设计产品", "省级", 2026, unit.document_number,
        datetime.combine(unit.listed_on, time()), "有效",
    )  # fmt: skip
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote(f"湖北省绿色制造名单-{timezone.localdate():%Y-%m-%d}.xlsx")
    )


def test_the_public_list_pages_and_its_query_count_stays_flat(client, django_assert_num_queries):
    listed(2)
    with django_assert_num_queries(4):  # count, page, the region options of the filter, the plan cited
        small = client.get("/lists/")
    listed(30, region_id="420500")
    with django_assert_num_queries(4):  # count, page, the region options of the filter, the plan cited
        large = client.get("/lists/")
    assert small.status_code == large.status_code == 200
    assert "共 32 条" in large.content.decode()


def test_the_sweep_opens_one_case_per_unit_whose_re_review_is_due():
    due = listed(2, listed_on=date(2023, 1, 10))
    listed(1, listed_on=date(2025, 1, 10))

    assert open_due_rereviews(today=date(2026, 1, 10)) == 2
    assert open_due_rereviews(today=date(2026, 1, 10)) == 0
    assert set(ReReviewCase.objects.values_list("listed_unit_id", "due_on")) == {
        (unit.pk, date(2026, 1, 10)) for unit in due
    }
    assert set(ListedUnit.objects.filter(review_status="due").values_list("pk", flat=True)) == {
        u.pk for u in due
    }


def test_the_sweep_task_runs_eagerly_in_the_embedded_default(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    listed(3, listed_on=date(2020, 5, 1))
    assert open_task.delay().get(timeout=30) == 3
    assert open_task.delay().get(timeout=30) == 0
    assert ReReviewCase.objects.count() == 3


def test_the_sweep_and_the_notice_closing_are_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"registry.tasks.open_due_rereviews", "registry.tasks.close_due_publicities"} <= tasks


def test_the_list_filters_and_the_export_takes_exactly_the_filtered_rows(cast, login):
    wuhan = listed(2)
    listed(3, region_id="420200")
    listed(1, category="park")

    page = login(cast.province).get("/lists/", {"region": "420100", "category": "factory"}).content.decode()
    export = login(cast.province).get("/lists/export.xlsx", {"region": "420100", "category": "factory"})

    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True))[1:]
    assert sorted(row[2] for row in rows) == sorted(unit.organisation.name for unit in wuhan)
    for unit in wuhan:
        assert unit.organisation.name in page
    assert "共 2 条" in page


def test_the_home_page_counts_the_programme_by_category_and_level(client):
    listed(3)
    listed(2, category="park", level="national")
    removed = listed(1)[0]
    ListedUnit.objects.filter(pk=removed.pk).update(review_status="removed")

    page = client.get("/").content.decode()

    assert "<strong>5</strong><span>名单单位</span>" in page
    assert "<strong>3</strong><span>绿色工厂</span>" in page
    assert "<strong>2</strong><span>绿色工业园区</span>" in page
    assert "省级 3 · 国家级 2" in page

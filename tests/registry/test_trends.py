"""Year after year: the 动态管理表 collects the declaration's raw data; the re-review shows each indicator's trend."""

from datetime import date
from decimal import Decimal

import pytest

from applications import services as applications
from applications.models import IndicatorTemplate
from registry.management.commands.demo_data import DEMO_RAW
from registry.models import AnnualReport, ListedUnit, ListPublication, ReReviewCase
from registry.trends import trends

from ..factories import BatchFactory, ready_to_submit

pytestmark = pytest.mark.django_db


def listed_2025_factory(cast):
    """A factory declared on the 2025 template with DEMO_RAW (data year 2025), published, now under re-review."""
    batch = BatchFactory()
    batch.categories.filter(category="factory").update(
        template=IndicatorTemplate.objects.get(code="factory/GB-T-36132-2025")
    )
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=batch,
        category="factory",
        industry_code="C3811",
    )
    ready_to_submit(declaration, cast.applicant)
    publication = ListPublication.objects.create(
        level="provincial",
        year=batch.year,
        document_number="鄂经信节能〔2026〕1号",
        published_on=date(batch.year, 6, 1),
        published_by=cast.province,
    )
    unit = ListedUnit.objects.create(
        publication=publication,
        declaration=declaration,
        organisation=cast.wuhan_org,
        region_id="420100",
        category="factory",
        year=batch.year,
        listed_on=date(batch.year, 6, 1),
    )
    case = ReReviewCase.objects.create(listed_unit=unit, due_on=date(batch.year + 3, 6, 1))
    return unit, case


def test_the_annual_report_computes_its_tce_and_the_re_review_flags_a_worse_indicator(cast, login):
    unit, case = listed_2025_factory(cast)
    client = login(cast.applicant)
    worse_water = {
        **DEMO_RAW,
        "water": "60000",
    }  # 60 000 m³ ÷ 20 000 台 = 3 m³/台, worse than 基准值 2 (示例)
    form = {"year": "2026", "output_value": "61000", "emissions": "达标排放", "changes": ""}
    form.update({f"raw_2026_{key}": value for key, value in worse_water.items()})
    assert client.post(f"/lists/{unit.pk}/annual-report/", form).status_code == 302
    report = AnnualReport.objects.get(listed_unit=unit)
    # 3 600 000 kWh × 0.1229 + 200 000 m³ × 1.2143 = 685 300 kgce → 685.30 tce, computed, not typed
    assert report.energy_consumption == Decimal("685.30")
    assert report.inputs["water"] == "60000"

    by_code = {trend.indicator.code: trend for trend in trends(unit)}
    assert by_code["2.3"].points == [("2025", Decimal("1.5000")), ("2026", Decimal("3.0000"))]
    assert by_code["2.3"].worse and not by_code["1.5"].worse
    assert by_code["2.3"].polyline.count(",") == 2

    page = login(cast.wuhan_official).get(f"/rereviews/{case.pk}/").content.decode()
    assert "运行指标趋势" in page
    assert '<tr data-code="2.3" class="flagged">' in page and "劣于基准值" in page
    assert "<polyline" in page


def test_an_annual_report_without_energy_data_or_a_figure_is_refused(cast, login):
    unit, _case = listed_2025_factory(cast)
    form = {"year": "2026", "output_value": "61000", "emissions": "达标排放", "changes": ""}
    page = login(cast.applicant).post(f"/lists/{unit.pk}/annual-report/", form).content.decode()
    assert "请填写综合能耗，或填写分品种能源消费量。" in page
    assert not AnnualReport.objects.exists()

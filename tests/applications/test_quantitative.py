"""GB/T 36132-2025 scored on numbers: raw data → 综合能耗 → unit-product indicators → points between 基准值 and 引领值.

The pure parts (applications.indicators, scoring.Reference) are property-tested; the shipped reference data is
checked against the figures it cites; the pages are driven through HTTP.
"""

import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from applications import benchmarks
from applications import services as applications
from applications.indicators import UNITS, Carrier, compute_year, convert, units_like
from applications.models import (
    AnnualData,
    Benchmark,
    BenchmarkTable,
    EmissionFactor,
    EnergyCarrier,
    Indicator,
    IndicatorTemplate,
)
from applications.scoring import Answer, Reference, score

from ..factories import BatchFactory

FACTORY_2025 = "factory/GB-T-36132-2025"

ELECTRICITY = Carrier("electricity", "电力", "kWh", Decimal("0.1229"), co2_per_unit=Decimal("0.5366"))
RAW_COAL = Carrier(
    "raw_coal", "原煤", "kg", Decimal("0.7143"), takes_calorific_value=True, co2_per_unit=Decimal("1.9003")
)
NATURAL_GAS = Carrier(
    "natural_gas",
    "天然气",
    "m³",
    Decimal("1.2143"),
    kgce_min=Decimal("1.1000"),
    kgce_max=Decimal("1.3300"),
    takes_calorific_value=True,
    co2_per_unit=Decimal("2.1650"),
)
CARRIERS = [ELECTRICITY, RAW_COAL, NATURAL_GAS]

# --- the scoring rule, as properties --------------------------------------------------------------------------

values = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
floors = st.decimals(min_value=0, max_value=1, places=2)


@st.composite
def references(draw):
    """A linear rule with 引领值 strictly better than 基准值 in its direction."""
    benchmark = draw(values)
    gap = draw(st.decimals(min_value=Decimal("0.001"), max_value=500, places=3))
    direction = draw(st.sampled_from(["higher", "lower"]))
    leading = benchmark + gap if direction == "higher" else benchmark - gap
    return Reference(benchmark, leading, direction, rule="linear", floor=draw(floors))


@given(references(), values, values)
def test_a_score_is_monotonic_in_the_indicators_direction(reference, a, b):
    worse, better = sorted((a, b)) if reference.direction == "higher" else sorted((a, b), reverse=True)
    assert reference.share(worse) <= reference.share(better)


@given(references(), values)
def test_a_score_lies_between_the_floor_and_full_marks(reference, value):
    assert reference.floor <= reference.share(value) <= 1


@given(references())
def test_full_marks_at_the_leading_value_and_the_floor_at_the_benchmark(reference):
    assert reference.share(reference.leading) == 1
    assert reference.share(reference.benchmark) == reference.floor


@given(references(), st.decimals(min_value=0, max_value=1000, places=3))
def test_beyond_either_end_the_score_stays_put(reference, beyond):
    step = beyond if reference.direction == "higher" else -beyond
    assert reference.share(reference.leading + step) == 1
    assert reference.share(reference.benchmark - step) == reference.floor


@given(st.sampled_from(sorted(UNITS)), st.data())
def test_unit_conversions_round_trip(unit, data):
    other = data.draw(st.sampled_from(units_like(unit)))
    value = data.draw(st.decimals(min_value=0, max_value=10**9, places=4))
    assert convert(convert(value, unit, other), other, unit) == value


def test_converting_across_kinds_is_refused_in_chinese():
    with pytest.raises(ValueError, match="单位 kWh 不能换算为 kg"):
        convert(Decimal(1), "kWh", "kg")


# --- the worked example --------------------------------------------------------------------------------------


def test_worked_example_inputs_to_tce_to_indicator_to_score():
    """A motor factory's year, computed by hand first.

    Electricity 100 万kWh = 1 000 000 kWh × 0.1229 kgce/kWh (GB/T 2589-2020 当量值) = 122 900 kgce
    Raw coal 50 t = 50 000 kg × 0.7143 kgce/kg                                          =  35 715 kgce
    综合能耗 = 158 615 kgce = 158.615 tce
    单位产品综合能耗 = 158 615 kgce ÷ 5 000 台 = 31.723 kgce/台
    Against 基准值 60 and 引领值 30 (lower is better, linear, floor 0):
        share = (31.723 − 60) ÷ (30 − 60) = 28.277 ÷ 30 = 0.942566…; × 6 points = 5.6554 → 5.66 points
    CO₂: 1 000 000 × 0.5366 + 50 000 × 1.9003 = 536 600 + 95 015 = 631 615 kg = 631.615 t → 0.126323 t/台,
        better than 引领值 0.15 → all 6 points.
    """
    result = compute_year(
        {
            "energy.electricity": "100",
            "unit.electricity": "万kWh",
            "energy.raw_coal": "50",
            "unit.raw_coal": "t",
            "output": "5000",
        },
        CARRIERS,
    )
    assert result.errors == {}
    assert result.energy.value == Decimal("158.615")
    assert result.co2.value == Decimal("631.615")
    energy = result.values["energy_per_unit"]
    assert energy.value == Decimal("31.723")
    assert [(t.label.split(" ")[0], t.value) for t in result.energy.terms] == [
        ("电力", Decimal("122900.0000")),
        ("原煤", Decimal("35715.0000")),
    ]
    assert str(energy.formula) == "单位产品综合能耗 = 综合能耗 ÷ 产品产量"
    assert result.values["co2_per_unit"].value == Decimal("0.126323")

    energy_reference = Reference(Decimal(60), Decimal(30), "lower", rule="linear")
    assert energy_reference.share(energy.value) * 6 == Decimal("5.65540")
    carbon_reference = Reference(Decimal("0.35"), Decimal("0.15"), "lower", rule="linear")
    assert carbon_reference.share(result.values["co2_per_unit"].value) == 1


@pytest.mark.django_db
def test_the_worked_example_through_the_2025_template_and_its_example_table():
    template = IndicatorTemplate.objects.get(code=FACTORY_2025)
    indicators = list(template.indicators.all())
    by_code = {i.code: i for i in indicators}
    table = BenchmarkTable.objects.get(template=template, industry_prefix="")
    result = score(
        template,
        indicators,
        {by_code["1.5"].pk: _answer("31.723"), by_code["1.6"].pk: _answer("0.126323")},
        references=benchmarks.references(table),
    )
    assert result.awarded[by_code["1.5"].pk] == Decimal("5.66")  # 6 × 0.942566… (see the worked example)
    assert result.awarded[by_code["1.6"].pk] == Decimal(6)
    # 能源低碳化: 11.66 of 32 points → 36.44 % × 25 % = 9.11; nothing else answered.
    assert (result.groups[0].awarded, result.groups[0].percent, result.groups[0].weighted) == (
        Decimal("11.66"),
        Decimal("36.44"),
        Decimal("9.11"),
    )


def _answer(value):
    return Answer(None, [value])


# --- raw data: checks, calorific values, formulas ------------------------------------------------------------


def test_a_measured_calorific_value_wins_over_the_default():
    default = compute_year({"energy.natural_gas": "100000"}, CARRIERS)
    measured = compute_year({"energy.natural_gas": "100000", "ncv.natural_gas": "36000"}, CARRIERS)
    assert default.energy.value == Decimal("121.43")  # 100 000 m³ × 1.2143 kgce/m³
    assert measured.energy.value == Decimal(100000) * Decimal(36000) / Decimal(29307) / 1000
    assert "实测低位发热量 36000 kJ/m³ ÷ 29307" in measured.energy.terms[0].label


@pytest.mark.parametrize(
    "raw, key, reason",
    [
        ({"output": "-1"}, "output", "产品产量不能为负数"),
        ({"output": "0", "water": "10"}, "output", "产品产量为 0，无法计算单位产品指标"),
        ({"waste_generated": "10", "waste_reused": "12"}, "waste_reused", "综合利用量大于产生量"),
        ({"energy.electricity": "-5"}, "energy.electricity", "电力消费量不能为负数"),
        (
            {"energy.electricity": "5", "unit.electricity": "kg"},
            "energy.electricity",
            "电力的单位应为 kWh、MWh、万kWh 之一",
        ),
        (
            {"energy.natural_gas": "5", "ncv.natural_gas": "36"},
            "ncv.natural_gas",
            "超出 GB/T 2589-2020 的范围 1.1000～1.3300",
        ),
        ({"water": "十吨"}, "water", "“十吨”不是数字"),
        ({"land_area": "0", "floor_area": "1"}, "land_area", "用地面积为 0"),
    ],
)
def test_impossible_values_are_refused_with_the_reason(raw, key, reason):
    result = compute_year(raw, CARRIERS)
    assert reason in result.errors[key]


def test_each_unit_product_indicator_from_its_inputs():
    raw = {
        "output": "200",
        "water": "500",
        "waste_generated": "80",
        "waste_reused": "60",
        "land_area": "20000",
        "floor_area": "26000",
        "output_value": "9000",
    }
    values = {code: computed.value for code, computed in compute_year(raw, CARRIERS).values.items()}
    assert values == {
        "water_per_unit": Decimal("2.5"),
        "waste_reuse_rate": Decimal("75"),
        "floor_area_ratio": Decimal("1.3"),
        "output_per_land": Decimal("4500"),  # 9 000 万元 ÷ 2 公顷
    }


# --- shipped reference data -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_shipped_coefficients_are_the_cited_ones():
    coefficients = dict(EnergyCarrier.objects.values_list("code", "kgce_per_unit"))
    assert coefficients["electricity"] == Decimal("0.1229")
    assert coefficients["raw_coal"] == Decimal("0.7143")
    gas = EnergyCarrier.objects.get(code="natural_gas")
    assert (gas.kgce_min, gas.kgce_max, gas.takes_calorific_value) == (Decimal("1.1"), Decimal("1.33"), True)
    assert all(
        "GB/T 2589-2020" in source for source in EnergyCarrier.objects.values_list("source", flat=True)
    )
    grid = dict(
        EmissionFactor.objects.filter(carrier__code="electricity").values_list("year", "kg_co2_per_unit")
    )
    assert grid == {2021: Decimal("0.5568"), 2022: Decimal("0.5366")}
    assert not EmissionFactor.objects.filter(source="").exists()


@pytest.mark.django_db
def test_the_grid_factor_of_a_data_year_is_the_newest_published_not_after_it():
    def electricity(year):
        return next(c for c in benchmarks.carriers([year])[year] if c.code == "electricity")

    assert electricity("2021").co2_per_unit == Decimal("0.5568")
    assert electricity("2024").co2_per_unit == Decimal("0.5366")
    assert electricity("2020").co2_per_unit is None
    refused = compute_year({"energy.electricity": "1", "output": "1"}, benchmarks.carriers(["2020"])["2020"])
    assert refused.refused["co2_per_unit"] == "缺少排放因子：电力"


@pytest.mark.django_db
def test_sector_benchmarks_are_labelled_examples():
    assert BenchmarkTable.objects.exists()
    for table in BenchmarkTable.objects.all():
        assert table.is_example and "示例" in table.name and "非官方" in table.source


@pytest.mark.django_db
def test_a_leading_value_worse_than_the_benchmark_is_refused():
    table = BenchmarkTable.objects.get(industry_prefix="")
    energy = Indicator.objects.get(template__code=FACTORY_2025, code="1.5")  # lower is better
    with pytest.raises(ValidationError, match="引领值应优于基准值"):
        Benchmark(table=table, indicator=energy, benchmark=30, leading_value=60).clean()


# --- the declaration keeps its table; the pages -----------------------------------------------------------------


def factory_2025_batch():
    batch = BatchFactory()
    batch.categories.filter(category="factory").update(
        template=IndicatorTemplate.objects.get(code=FACTORY_2025)
    )
    return batch


def declare(cast, industry_code="C3811", *, organisation=None, user=None):
    return applications.create_declaration(
        organisation=organisation or cast.wuhan_org,
        user=user or cast.applicant,
        batch=factory_2025_batch(),
        category="factory",
        industry_code=industry_code,
    )


YEAR_RAW = {
    "output": "5000",
    "energy.electricity": "100",
    "unit.electricity": "万kWh",
    "energy.raw_coal": "50",
    "unit.raw_coal": "t",
    "water": "7500",
    "waste_generated": "400",
    "waste_reused": "340",
    "land_area": "50000",
    "floor_area": "60000",
    "output_value": "40000",
}


def posted(declaration, raw=YEAR_RAW, prefix="raw"):
    year = declaration.batch.year - 1
    return {f"{prefix}_{year}_{key}": value for key, value in raw.items()}


def test_the_table_is_chosen_by_industry_and_kept(cast):
    general = BenchmarkTable.objects.get(industry_prefix="")
    other = declare(cast, "C2611", organisation=cast.huangshi_org, user=cast.other_applicant)
    assert benchmarks.table_for(other) == general
    declaration = declare(cast, "C3811")
    applications.save_self_evaluation(declaration, user=cast.applicant, answers={})
    declaration.refresh_from_db()
    kept = declaration.benchmark_table
    assert kept.industry_prefix == "C38"
    BenchmarkTable.objects.create(
        template=kept.template,
        name="电气机械（示例）",
        industry_prefix="C38",
        version=2,
        source="示例",
        is_example=True,
    )
    declaration.refresh_from_db()
    assert benchmarks.table_for(declaration) == kept


def test_an_enterprise_enters_a_year_and_sees_computed_indicators(cast, login):
    declaration = declare(cast)
    client = login(cast.applicant)
    response = client.post(f"/declarations/{declaration.pk}/self-evaluation/", posted(declaration))
    assert response.status_code == 302
    stored = AnnualData.objects.get(declaration=declaration)
    assert stored.inputs["energy.electricity"] == "100"
    by_code = {a.indicator.code: a.values for a in declaration.answers.select_related("indicator")}
    # 158 615 kgce ÷ 5 000 = 31.723; water 7 500 ÷ 5 000 = 1.5; waste 340 ÷ 400 = 85 %; 60 000 ÷ 50 000 = 1.2;
    # 40 000 万元 ÷ 5 公顷 = 8 000 万元/公顷
    assert by_code["1.5"] == ["31.7230"]
    assert by_code["2.3"] == ["1.5000"]
    assert by_code["2.4"] == ["85.0000"]
    assert by_code["5.1"] == ["1.2000"]
    assert by_code["5.2"] == ["8000.0000"]
    page = client.get(f"/declarations/{declaration.pk}/self-evaluation/").content.decode()
    assert "综合能耗" in page and "158.615" in page
    assert "示例数值，非官方" in page
    assert "单位产品综合能耗 = 综合能耗 ÷ 产品产量" in page


def test_a_typed_value_cannot_override_a_computed_indicator(cast, login):
    declaration = declare(cast)
    energy = Indicator.objects.get(template__code=FACTORY_2025, code="1.5")
    login(cast.applicant).post(
        f"/declarations/{declaration.pk}/self-evaluation/",
        {**posted(declaration), f"value_{energy.pk}_0": "1", f"met_{energy.pk}": "1"},
    )
    assert declaration.answers.get(indicator=energy).values == ["31.7230"]


def test_impossible_raw_data_is_refused_on_the_page_and_nothing_is_stored(cast, login):
    declaration = declare(cast)
    response = login(cast.applicant).post(
        f"/declarations/{declaration.pk}/self-evaluation/",
        posted(declaration, {**YEAR_RAW, "waste_reused": "500"}),
    )
    assert response.status_code == 200
    assert "综合利用量大于产生量" in response.content.decode()
    assert not AnnualData.objects.filter(declaration=declaration).exists()


def test_the_preview_with_60_indicators_is_fast_and_its_queries_do_not_grow(cast, login, capsys):
    """60 leaves on the 2025 template: the shipped 34 plus quantitative ones, all in the example table."""
    declaration = declare(cast)
    template = declaration.setting.template
    table = BenchmarkTable.objects.get(industry_prefix="C38")
    client = login(cast.applicant)

    def preview():
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/declarations/{declaration.pk}/self-evaluation/preview/", posted(declaration)
            )
        assert response.status_code == 200
        return len(queries), response.content.decode()

    before, _page = preview()
    group = template.indicators.get(code="5")
    while template.indicators.exclude(kind="group").count() < 60:
        n = template.indicators.count()
        extra = Indicator.objects.create(
            template=template,
            parent=group,
            code=f"5.{n}",
            name=f"附加定量指标{n}",
            kind="quantitative",
            points=1,
            direction="higher",
            order=1000 + n,
        )
        Benchmark.objects.create(table=table, indicator=extra, benchmark=1, leading_value=2)
    assert template.indicators.exclude(kind="group").count() == 60
    after, page = preview()
    assert after == before
    assert 'id="computed-indicators" hx-swap-oob="true"' in page
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        preview()
        timings.append(time.perf_counter() - start)
    median = sorted(timings)[len(timings) // 2]
    with capsys.disabled():
        print(f"\nself-evaluation preview, 60 indicators: median {median * 1000:.1f} ms, {after} queries")
    assert median < 0.5


def test_the_admin_edits_a_table_until_it_has_scored_a_declaration(cast, admin_client):
    table = BenchmarkTable.objects.get(industry_prefix="C38")
    url = f"/admin/applications/benchmarktable/{table.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="name"' in page and 'name="values-0-benchmark"' in page
    declaration = declare(cast)
    applications.save_self_evaluation(declaration, user=cast.applicant, answers={})
    page = admin_client.get(url).content.decode()
    assert 'name="name"' not in page and 'name="values-0-benchmark"' not in page
    assert "电气机械和器材制造业基准值表（示例）" in page
    assert admin_client.get("/admin/applications/energycarrier/").status_code == 200

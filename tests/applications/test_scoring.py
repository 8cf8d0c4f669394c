"""The scoring engine (applications.scoring) on the five shipped indicator templates (fixtures/indicator_templates.json).

Every expected total below is computed by hand in a comment, from the points and weights of the fixture, following the
engine's documented rule: a group's percentage is rounded to 0.01 first, the weighted score is then
``percentage × weight%`` rounded to 0.01 (ROUND_HALF_UP) — the numbers a reviewer sees in the table.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum

from applications.models import Indicator, IndicatorTemplate
from applications.scoring import Answer, indicator_met, score

pytestmark = pytest.mark.django_db

FACTORY_2018 = "factory/GB-T-36132-2018"
FACTORY_2025 = "factory/GB-T-36132-2025"
SUPPLY_CHAIN = "supply_chain/2022"
PARK = "park/2022"
PRODUCT = "product/example-motor"
SCORABLE = ("required", "optional", "quantitative")


# --- helpers ------------------------------------------------------------------------------------------------------


def load(code):
    template = IndicatorTemplate.objects.get(code=code)
    indicators = list(template.indicators.all())
    return template, indicators, {i.code: i for i in indicators}


def has_benchmark(indicator):
    return indicator.kind == "quantitative" and indicator.benchmark is not None


def met(indicator, years):
    """An answer that meets the indicator (benchmarked ones: the 基准值 itself, every year)."""
    if has_benchmark(indicator):
        return Answer(values=[str(indicator.benchmark)] * years)
    return Answer(met=True)


def unmet(indicator, years):
    """An answer that does not meet it (benchmarked ones: on the wrong side of the 基准值, every year)."""
    if has_benchmark(indicator):
        factor = Decimal("0.5") if indicator.direction == "higher" else Decimal(2)
        return Answer(values=[str(indicator.benchmark * factor)] * years)
    return Answer(met=False)


def answers(template, indicators, *, met_codes=None, unmet_codes=()):
    """Every leaf answered: the ``met_codes`` (all when None) met, the others and ``unmet_codes`` not met."""
    result = {}
    for indicator in indicators:
        if indicator.kind == "group":
            continue
        ok = (met_codes is None or indicator.code in met_codes) and indicator.code not in unmet_codes
        result[indicator.pk] = (met if ok else unmet)(indicator, template.years_of_data)
    return result


def codes_of(indicators, *kinds):
    return {i.code for i in indicators if i.kind in kinds}


def under(indicators, by_code, group_code):
    """Codes of every leaf below the top-level group ``group_code``."""
    group = by_code[group_code]
    ids, found = {group.pk}, set()
    for indicator in indicators:  # parents come before their children (order follows the document)
        if indicator.parent_id in ids:
            ids.add(indicator.pk)
            if indicator.kind != "group":
                found.add(indicator.code)
    return found


def group_table(result):
    return {g.indicator.code: (g.percent, g.weighted) for g in result.groups}


# --- data integrity ---------------------------------------------------------------------------------------------


def test_the_five_templates_are_shipped():
    assert dict(IndicatorTemplate.objects.values_list("code", "scoring")) == {
        FACTORY_2018: "weighted",
        FACTORY_2025: "weighted",
        SUPPLY_CHAIN: "points",
        PARK: "points",
        PRODUCT: "pass_fail",
    }
    assert IndicatorTemplate.objects.get(code=PARK).years_of_data == 3
    assert IndicatorTemplate.objects.get(code=PRODUCT).pass_mark is None


@pytest.mark.parametrize("code", [FACTORY_2018, FACTORY_2025])
def test_weighted_templates_group_weights_sum_to_100(code):
    _template, indicators, _ = load(code)
    top = [i for i in indicators if i.parent_id is None]
    assert {i.kind for i in top} == {"group", "veto"}
    assert sum(i.weight for i in top if i.kind == "group") == Decimal(100)
    assert all(i.weight is not None for i in top if i.kind == "group")
    # weights only on top-level groups
    assert not [i.code for i in indicators if i.weight is not None and (i.parent_id or i.kind != "group")]


@pytest.mark.parametrize("code", [SUPPLY_CHAIN, PARK])
def test_points_templates_leaves_sum_to_100(code):
    template = IndicatorTemplate.objects.get(code=code)
    total = template.indicators.filter(kind__in=SCORABLE).aggregate(total=Sum("points"))["total"]
    assert total == Decimal(100)
    assert not template.indicators.exclude(weight=None).exists()


def test_no_points_on_groups_and_veto_items_and_no_orphans():
    assert not Indicator.objects.filter(kind__in=["group", "veto"]).exclude(points=0).exists()
    assert not Indicator.objects.filter(kind__in=SCORABLE, points__lte=0).exists()
    for indicator in Indicator.objects.exclude(parent=None).select_related("parent"):
        assert indicator.parent.template_id == indicator.template_id
        assert indicator.parent.kind == "group"
        assert indicator.parent.order < indicator.order
    # a group holds something
    assert not Indicator.objects.filter(kind="group", children=None).exists()


def test_the_shapes_of_the_indicator_systems():
    counts = {
        code: {kind: template.indicators.filter(kind=kind).count() for kind in ("veto", *SCORABLE)}
        for code, template in ((t.code, t) for t in IndicatorTemplate.objects.all())
    }
    # GB/T 36132-2018: 基本要求 + 绩效 with 12 quantitative indicators (benchmarks are per industry)
    assert counts[FACTORY_2018]["quantitative"] == 12
    assert not IndicatorTemplate.objects.get(code=FACTORY_2018).indicators.exclude(benchmark=None).exists()
    # supply chain: 20 indicators, no veto
    assert sum(counts[SUPPLY_CHAIN][k] for k in SCORABLE) == 20
    assert counts[SUPPLY_CHAIN]["veto"] == 0
    # park: 7 基本要求 + 31 indicators
    assert counts[PARK]["veto"] == 7
    assert sum(counts[PARK][k] for k in SCORABLE) == 31
    park = IndicatorTemplate.objects.get(code=PARK)
    assert not park.indicators.filter(kind="quantitative", benchmark=None).exists()
    # product: every quantitative item has a 基准值
    product = IndicatorTemplate.objects.get(code=PRODUCT)
    assert not product.indicators.filter(kind="quantitative", benchmark=None).exists()
    for code in counts:
        top = IndicatorTemplate.objects.get(code=code).indicators.filter(parent=None)
        assert not top.exclude(kind__in=["group", "veto"]).exists()


def test_supply_chain_groups_and_points_as_in_the_ministry_system():
    _template, indicators, by_code = load(SUPPLY_CHAIN)
    groups = {
        g.name: sum(by_code[c].points for c in under(indicators, by_code, g.code))
        for g in indicators
        if g.parent_id is None
    }
    assert groups == {
        "绿色供应链管理战略": 20,
        "实施绿色供应商管理": 20,
        "绿色生产": 20,
        "绿色回收": 20,
        "绿色信息平台建设": 10,
        "绿色信息披露": 10,
    }
    assert [by_code[c].points for c in ("6.1", "6.2", "6.3", "6.4")] == [Decimal("2.5")] * 4
    assert [by_code[c].points for c in ("1.1", "1.2", "1.3")] == [8, 6, 6]


# --- everything met -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [FACTORY_2018, FACTORY_2025, SUPPLY_CHAIN, PARK, PRODUCT])
def test_everything_met_scores_100_and_passes(code):
    template, indicators, _ = load(code)
    result = score(template, indicators, answers(template, indicators))
    assert result.total == Decimal("100.00")
    assert result.passed, result.failures
    assert result.failures == []
    assert all(value is True for value in result.met.values())
    for group in result.groups:
        assert group.percent == Decimal("100.00")
        assert group.awarded == group.maximum
        if template.scoring == "weighted":
            assert group.weighted == group.indicator.weight
        else:
            assert group.weighted is None


@pytest.mark.parametrize("code", [FACTORY_2018, FACTORY_2025, SUPPLY_CHAIN, PARK, PRODUCT])
def test_nothing_answered_scores_0_and_fails(code):
    template, indicators, _ = load(code)
    result = score(template, indicators, {})
    assert result.total == Decimal("0.00")
    assert not result.passed
    assert all(value is None for value in result.met.values())


# --- veto items ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, veto, message",
    [
        (FACTORY_2018, "J3", "基本要求未满足：J3 最高管理者承诺"),
        (FACTORY_2025, "J5", "基本要求未满足：J5 无淘汰落后产能"),
        (PARK, "J5", "基本要求未满足：J5 重点企业清洁生产审核"),
        (PRODUCT, "J2", "基本要求未满足：J2 近三年无重大安全和环境污染事故"),
    ],
)
def test_an_unmet_veto_item_fails_whatever_the_score(code, veto, message):
    template, indicators, _ = load(code)
    result = score(template, indicators, answers(template, indicators, unmet_codes={veto}))
    assert result.total == Decimal("100.00")  # veto items carry no points
    assert not result.passed
    assert result.failures == [message]


def test_an_unanswered_veto_item_fails_too():
    template, indicators, by_code = load(FACTORY_2018)
    given = answers(template, indicators)
    del given[by_code["J1"].pk]
    result = score(template, indicators, given)
    assert result.met[by_code["J1"].pk] is None
    assert result.failures == ["基本要求未满足：J1 依法设立，合法合规"]


# --- factory, GB/T 36132-2018 (weighted) --------------------------------------------------------------------------


def test_factory_2018_a_required_item_unmet_fails_and_costs_its_points():
    template, indicators, _ = load(FACTORY_2018)
    result = score(template, indicators, answers(template, indicators, unmet_codes={"1.3.3"}))
    # 基础设施 maximum: 建筑 5+3+3+3+3=17, 照明 5+5+3+3=16, 设备设施 5+5+5+5+3+3=26 → 59.
    # Without 1.3.3 (5): 54/59 = 91.525… → 91.53 %; × 20 % = 18.306 → 18.31. Other groups: 15+15+10+10+30 = 80.
    # Total 18.31 + 80 = 98.31.
    assert group_table(result)["1"] == (Decimal("91.53"), Decimal("18.31"))
    assert result.total == Decimal("98.31")
    assert not result.passed
    assert result.failures == ["必选项未满足：1.3.3 计量器具配备"]


def test_factory_2018_only_infrastructure_met_scores_20():
    template, indicators, by_code = load(FACTORY_2018)
    infrastructure = under(indicators, by_code, "1")
    given = answers(template, indicators, met_codes=codes_of(indicators, "veto") | infrastructure)
    # leave the 绩效 group unanswered rather than "not met": it counts the same (no points)
    for code in under(indicators, by_code, "6"):
        del given[by_code[code].pk]
    result = score(template, indicators, given)
    # 基础设施 100 % × 20 % = 20.00; the five other groups 0 % → 0.00. Total 20.00.
    assert group_table(result) == {
        "1": (Decimal("100.00"), Decimal("20.00")),
        "2": (Decimal("0.00"), Decimal("0.00")),
        "3": (Decimal("0.00"), Decimal("0.00")),
        "4": (Decimal("0.00"), Decimal("0.00")),
        "5": (Decimal("0.00"), Decimal("0.00")),
        "6": (Decimal("0.00"), Decimal("0.00")),
    }
    assert result.total == Decimal("20.00")
    assert not result.passed
    # the required items of 管理体系 (4), 能源与资源投入 (5), 产品 (2) and 环境排放 (5) are unmet: 16 failures,
    # then the pass mark.
    required_outside = sorted(codes_of(indicators, "required") - infrastructure)
    assert len(required_outside) == 16
    assert result.failures[:16] == [f"必选项未满足：{c} {by_code[c].name}" for c in required_outside]
    assert "必选项未满足：2.1.1 质量管理体系" in result.failures
    assert result.failures[16:] == ["总分 20.00 低于合格线 60 分"]


def test_factory_2018_only_the_required_items_and_8_of_12_performance_indicators():
    template, indicators, _ = load(FACTORY_2018)
    performance_met = {"6.1.1", "6.1.2", "6.1.3", "6.2.1", "6.3.1", "6.3.2", "6.5.1", "6.5.2"}
    given = answers(
        template, indicators, met_codes=codes_of(indicators, "veto", "required") | performance_met
    )
    result = score(template, indicators, given)
    # 基础设施     required 5+5+5+20 = 35 of 59 → 59.32 % × 20 % = 11.864 → 11.86
    # 管理体系     required 5+5+5+5  = 20 of 32 (5+5+3, 5+3, 5+3, 3) → 62.50 % × 15 % = 9.375 → 9.38
    # 能源与资源   required 5+5+5+5+5 = 25 of 34 (5+3+3, 5+5, 5+5+3) → 73.53 % × 15 % = 11.0295 → 11.03
    # 产品         required 5+5 = 10 of 22 (5, 3, 3, 3, 5, 3) → 45.45 % × 10 % = 4.545 → 4.55
    # 环境排放     required 5×5 = 25 of 34 (5+3, 5+3, 5, 5, 5+3) → 73.53 % × 10 % = 7.353 → 7.35
    # 绩效         8 × 5 = 40 of 60 → 66.67 % × 30 % = 20.001 → 20.00
    # Total 11.86 + 9.38 + 11.03 + 4.55 + 7.35 + 20.00 = 64.17 ≥ 60 → passes.
    assert group_table(result) == {
        "1": (Decimal("59.32"), Decimal("11.86")),
        "2": (Decimal("62.50"), Decimal("9.38")),
        "3": (Decimal("73.53"), Decimal("11.03")),
        "4": (Decimal("45.45"), Decimal("4.55")),
        "5": (Decimal("73.53"), Decimal("7.35")),
        "6": (Decimal("66.67"), Decimal("20.00")),
    }
    assert [(g.awarded, g.maximum) for g in result.groups] == [
        (35, 59),
        (20, 32),
        (25, 34),
        (10, 22),
        (25, 34),
        (40, 60),
    ]
    assert result.total == Decimal("64.17")
    assert result.passed, result.failures
    assert result.pass_mark == Decimal(60)

    # A batch setting 65 instead of the template's 60 (the argument wins over the template default)
    stricter = score(template, indicators, given, pass_mark=65)
    assert stricter.pass_mark == Decimal(65)
    assert not stricter.passed
    assert stricter.failures == ["总分 64.17 低于合格线 65 分"]
    # … and 64.17 exactly is enough
    assert score(template, indicators, given, pass_mark=Decimal("64.17")).passed


def test_factory_2018_performance_indicators_are_ticked_not_measured():
    """Benchmarks are per industry, so the 12 绩效 items have none: the applicant ticks whether each is reached."""
    by_code = load(FACTORY_2018)[2]
    energy = by_code["6.5.1"]
    assert (energy.name, energy.direction, energy.benchmark) == ("单位产品综合能耗", "lower", None)
    assert indicator_met(energy, Answer(met=True, values=["120.5"])) is True
    assert indicator_met(energy, Answer(met=False, values=["80"])) is False
    assert indicator_met(energy, None) is None


# --- factory, GB/T 36132-2025 (weighted) --------------------------------------------------------------------------


def test_factory_2025_groups_and_weights():
    _template, indicators, _ = load(FACTORY_2025)
    assert [(i.name, i.weight) for i in indicators if i.kind == "group"] == [
        ("能源低碳化", 25),
        ("资源高效化", 25),
        ("生产洁净化", 20),
        ("产品绿色化", 20),
        ("用地集约化", 10),
    ]


def test_factory_2025_land_use_group_unmet_scores_90():
    template, indicators, by_code = load(FACTORY_2025)
    result = score(
        template, indicators, answers(template, indicators, unmet_codes=under(indicators, by_code, "5"))
    )
    # 用地集约化 (10 %) at 0 %, the others at 100 %: 25 + 25 + 20 + 20 + 0 = 90.00; it holds no required item.
    assert result.total == Decimal("90.00")
    assert result.passed


def test_factory_2025_only_required_items():
    template, indicators, _ = load(FACTORY_2025)
    result = score(
        template,
        indicators,
        answers(template, indicators, met_codes=codes_of(indicators, "veto", "required")),
    )
    # 能源低碳化  5+5 = 10 of 5+5+3+3+6+6+4 = 32 → 31.25 % × 25 % = 7.8125 → 7.81
    # 资源高效化  5 of 5+3+5+5+5 = 23 → 21.74 % × 25 % = 5.435 → 5.44
    # 生产洁净化  5+5 = 10 of 5+5+3+5 = 18 → 55.56 % × 20 % = 11.112 → 11.11
    # 产品绿色化  5 of 5+3+3+5 = 16 → 31.25 % × 20 % = 6.25
    # 用地集约化  0 of 13 → 0
    # Total 7.81 + 5.44 + 11.11 + 6.25 = 30.61 < 60.
    assert group_table(result) == {
        "1": (Decimal("31.25"), Decimal("7.81")),
        "2": (Decimal("21.74"), Decimal("5.44")),
        "3": (Decimal("55.56"), Decimal("11.11")),
        "4": (Decimal("31.25"), Decimal("6.25")),
        "5": (Decimal("0.00"), Decimal("0.00")),
    }
    assert result.total == Decimal("30.61")
    assert result.failures == ["总分 30.61 低于合格线 60 分"]


# --- supply chain (points) ----------------------------------------------------------------------------------------


def test_supply_chain_strategy_and_half_the_disclosure_scores_25():
    template, indicators, _ = load(SUPPLY_CHAIN)
    given = answers(template, indicators, met_codes={"1.1", "1.2", "1.3", "6.1", "6.2"})
    result = score(template, indicators, given, pass_mark=60)
    # 战略 8 + 6 + 6 = 20; 信息披露 2.5 + 2.5 = 5 → 25.00
    assert result.total == Decimal("25.00")
    assert not result.passed
    assert result.failures == ["必选项未满足：3.1 节能减排环保合规", "总分 25.00 低于合格线 60 分"]
    groups = {g.indicator.code: (g.awarded, g.maximum, g.percent, g.weighted) for g in result.groups}
    assert groups["1"] == (20, 20, Decimal("100.00"), None)
    assert groups["6"] == (5, 10, Decimal("50.00"), None)
    assert groups["4"] == (0, 20, Decimal("0.00"), None)


def test_supply_chain_pass_mark_message_with_the_templates_default():
    template, indicators, _ = load(SUPPLY_CHAIN)
    given = answers(template, indicators, met_codes={"1.1", "1.2", "1.3", "3.1", "6.1", "6.2"})
    result = score(template, indicators, given)  # no batch setting: the template's 60
    # 20 + 10 (3.1) + 5 = 35
    assert result.total == Decimal("35.00")
    assert result.failures == ["总分 35.00 低于合格线 60 分"]


def test_supply_chain_pass_mark_message_reads_60_points():
    template, indicators, _ = load(SUPPLY_CHAIN)
    given = answers(template, indicators, met_codes={"1.1", "1.2", "1.3", "3.1", "6.1", "6.2"})
    assert score(template, indicators, given).failures == ["总分 35.00 低于合格线 60 分"]


def test_supply_chain_required_item_unmet_fails_above_the_pass_mark():
    template, indicators, _ = load(SUPPLY_CHAIN)
    result = score(template, indicators, answers(template, indicators, unmet_codes={"1.1"}))
    # 100 − 8 = 92.00
    assert result.total == Decimal("92.00")
    assert not result.passed
    assert result.failures == ["必选项未满足：1.1 纳入公司发展规划"]


def test_supply_chain_optional_items_unmet_only_lower_the_score():
    template, indicators, by_code = load(SUPPLY_CHAIN)
    recycling_and_platform = under(indicators, by_code, "4") | under(indicators, by_code, "5")
    result = score(template, indicators, answers(template, indicators, unmet_codes=recycling_and_platform))
    # 100 − 绿色回收 20 − 信息平台 10 = 70.00 ≥ 60
    assert result.total == Decimal("70.00")
    assert result.passed
    stricter = score(
        template, indicators, answers(template, indicators, unmet_codes=recycling_and_platform), 75
    )
    assert stricter.failures == ["总分 70.00 低于合格线 75 分"]


def test_supply_chain_pass_mark_argument_overrides_the_template():
    template, indicators, by_code = load(SUPPLY_CHAIN)
    unmet_codes = under(indicators, by_code, "2") | under(indicators, by_code, "4") | {"3.2", "5.1"}
    given = answers(template, indicators, unmet_codes=unmet_codes)
    # 100 − 供应商管理 20 − 有害物质 10 − 绿色回收 20 − 信息平台 10 = 40.00
    default = score(template, indicators, given)
    assert default.total == Decimal("40.00")
    assert not default.passed
    lenient = score(template, indicators, given, pass_mark="40")
    assert lenient.pass_mark == Decimal(40)
    assert lenient.passed, lenient.failures


# --- park (points, 3 years of data) -------------------------------------------------------------------------------


def test_park_quantitative_indicators_judge_the_latest_of_three_years():
    template, _, by_code = load(PARK)
    energy = by_code["1"]  # 能源产出率 ≥ 3 万元/tce
    assert (energy.name, energy.unit, energy.direction, energy.benchmark) == (
        "能源产出率",
        "万元/tce",
        "higher",
        3,
    )
    years = template.years_of_data
    assert indicator_met(energy, Answer(values=["2.5", "2.8", "3.1"]), years) is True  # latest reaches it
    assert indicator_met(energy, Answer(values=["3.5", "3.2", "2.9"]), years) is False  # latest falls below
    assert indicator_met(energy, Answer(values=["2.5", "2.8", "3"]), years) is True  # equal is enough
    assert indicator_met(energy, Answer(values=["3.1", "3.2"]), years) is None  # a year missing
    assert indicator_met(energy, Answer(values=["3.1", "", "3.3"]), years) is None  # a blank year
    assert indicator_met(energy, Answer(met=True), years) is None  # ticking is not enough: the values count

    wastewater = by_code["23"]  # 单位工业增加值废水排放量 ≤ 5 t/万元
    assert (wastewater.direction, wastewater.benchmark) == ("lower", 5)
    assert indicator_met(wastewater, Answer(values=["6", "5.5", "5"]), years) is True
    assert indicator_met(wastewater, Answer(values=["4", "4.5", "5.01"]), years) is False

    elasticity = by_code["24"]  # 主要污染物弹性系数 ≤ 0.3
    assert indicator_met(elasticity, Answer(values=[0.5, 0.4, 0.28]), years) is True


def test_park_partial_answers():
    template, indicators, by_code = load(PARK)
    given = answers(
        template,
        indicators,
        met_codes=codes_of(indicators, "veto", "required")
        | under(indicators, by_code, "RG")
        | {"17", "18", "21", "22", "23", "24", "25"},
    )
    given[by_code["1"].pk] = Answer(values=["2.6", "2.9", "3.2"])  # met in the latest year
    given[by_code["2"].pk] = Answer(values=["16", "15.5", "14.8"])  # below 15 % in the latest year
    given[by_code["3"].pk] = Answer(values=["80", "82"])  # one year missing → not answered
    result = score(template, indicators, given)
    # EG: 能源产出率 6 (可再生能源 5 and 清洁能源 4 not)                      = 6
    # RG: all 8 indicators 4+4+4+4+2+2+2+3                                    = 25
    # IG: 污水集中处理设施 (required) 4; the 4 building/transport ratios not  = 4
    # CG: 高新技术产业 4 + 绿色产业 4; 人均工业增加值, 现代服务业 not         = 8
    # HG: 21–25 4+4+3+3+3; 绿化覆盖率, 噪声, 信息披露 not                     = 17
    # OG: 3 + 4 + 3 (all required)                                            = 10
    # Total 6 + 25 + 4 + 8 + 17 + 10 = 70.00
    assert result.met[by_code["1"].pk] is True
    assert result.met[by_code["2"].pk] is False
    assert result.met[by_code["3"].pk] is None
    assert {g.indicator.code: g.awarded for g in result.groups} == {
        "EG": 6,
        "RG": 25,
        "IG": 4,
        "CG": 8,
        "HG": 17,
        "OG": 10,
    }
    assert result.total == Decimal("70.00")
    assert result.passed, result.failures


def test_park_required_item_unmet():
    template, indicators, _ = load(PARK)
    result = score(template, indicators, answers(template, indicators, unmet_codes={"30"}))
    # 100 − 4 = 96.00
    assert result.total == Decimal("96.00")
    assert result.failures == ["必选项未满足：30 编制绿色园区发展规划"]


def test_park_missing_year_everywhere_scores_only_the_ticked_items():
    template, indicators, _ = load(PARK)
    given = answers(template, indicators)
    for indicator in indicators:
        if has_benchmark(indicator):
            given[indicator.pk] = Answer(values=given[indicator.pk].values[:2])
    result = score(template, indicators, given)
    # only the four required ticked items count: 4 + 3 + 4 + 3 = 14
    assert result.total == Decimal("14.00")
    assert result.failures == ["总分 14.00 低于合格线 60 分"]


# --- product (pass/fail) ------------------------------------------------------------------------------------------


def test_product_one_indicator_below_its_benchmark_fails():
    template, indicators, by_code = load(PRODUCT)
    efficiency = by_code["2.2"]
    assert (efficiency.direction, efficiency.benchmark, efficiency.unit) == ("higher", Decimal("93.3"), "%")
    given = answers(template, indicators)
    given[efficiency.pk] = Answer(values=["92.8"])
    result = score(template, indicators, given)
    # 14 of the 15 items met → 93.33 %
    assert result.total == Decimal("93.33")
    assert not result.passed
    assert result.failures == ["未达到评价要求：2.2 额定效率（11 kW 4 极示例规格）"]
    assert result.pass_mark is None


def test_product_lower_is_better_items():
    template, indicators, by_code = load(PRODUCT)
    cadmium = by_code["3.3"]  # ≤ 100 mg/kg
    given = answers(template, indicators)
    given[cadmium.pk] = Answer(values=["100"])
    assert score(template, indicators, given).passed
    given[cadmium.pk] = Answer(values=["120"])
    result = score(template, indicators, given)
    assert result.failures == ["未达到评价要求：3.3 镉（Cd）含量"]


def test_product_unanswered_value_fails():
    template, indicators, by_code = load(PRODUCT)
    given = answers(template, indicators)
    given[by_code["1.1"].pk] = Answer(values=[])
    result = score(template, indicators, given)
    assert result.met[by_code["1.1"].pk] is None
    assert result.failures == ["未达到评价要求：1.1 产品可再生利用率"]


def test_product_required_item_is_reported_once():
    template, indicators, _ = load(PRODUCT)
    result = score(template, indicators, answers(template, indicators, unmet_codes={"1.3"}))
    assert result.total == Decimal("93.33")
    assert result.failures == ["必选项未满足：1.3 拆解回收信息"]


def test_product_ignores_a_pass_mark():
    template, indicators, _ = load(PRODUCT)
    given = answers(template, indicators, unmet_codes={"4.1"})
    result = score(template, indicators, given, pass_mark=99)
    # 14/15 = 93.33 < 99, but pass/fail judges the items, not the total
    assert result.total == Decimal("93.33")
    assert result.failures == ["未达到评价要求：4.1 振动速度有效值（轴中心高 160 mm 示例）"]
    assert score(template, indicators, answers(template, indicators), pass_mark=99).passed

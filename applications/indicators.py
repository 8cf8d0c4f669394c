"""Raw data in, indicators out: 综合能耗, CO₂ and the unit-product indicators of GB/T 36132-2025.

Pure functions over numbers and reference rows handed in (no database access), so that the applicant's form, the
evaluator's corrections, the live preview and the property tests all compute the same way. Every computed value
carries its formula and inputs, so a reviewer can redo the sum by hand.

综合能耗 follows GB/T 2589-2020: each carrier's quantity × its 折标准煤系数 (kgce per unit); a measured 低位发热量
(kJ per unit) entered by the applicant wins over the default, converted with 1 kgce = 29 307 kJ.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KJ_PER_KGCE = Decimal(29307)  # GB/T 2589-2020 3.7: 低位发热量 29 307 kJ 的燃料为 1 kgce
THOUSAND = Decimal(1000)
HUNDRED = Decimal(100)

# Units an input may be entered in: unit → (base unit, factor to the base unit).
UNITS = {
    "kWh": ("kWh", Decimal(1)),
    "MWh": ("kWh", Decimal(1000)),
    "万kWh": ("kWh", Decimal(10000)),
    "kg": ("kg", Decimal(1)),
    "t": ("kg", Decimal(1000)),
    "m³": ("m³", Decimal(1)),
    "万m³": ("m³", Decimal(10000)),
    "MJ": ("MJ", Decimal(1)),
    "GJ": ("MJ", Decimal(1000)),
    "kgce": ("kgce", Decimal(1)),
    "tce": ("kgce", Decimal(1000)),
    "m²": ("m²", Decimal(1)),
    "公顷": ("m²", Decimal(10000)),
}


class Impossible(ValueError):
    """A value that cannot be true (negative, zero output, a share above 100 %); the message says why, in Chinese."""


def units_like(unit: str) -> list[str]:
    """The units an input given in ``unit`` may be entered in (kWh: kWh, MWh, 万kWh)."""
    base = UNITS[unit][0]
    return [name for name, (other, _factor) in UNITS.items() if other == base]


def convert(value: Decimal, source: str, target: str) -> Decimal:
    """``value`` in ``source`` units expressed in ``target`` units; refused across kinds (kWh → kg)."""
    (base, factor), (target_base, target_factor) = UNITS[source], UNITS[target]
    if base != target_base:
        raise Impossible(_("单位 %(a)s 不能换算为 %(b)s") % {"a": source, "b": target})
    return value * factor / target_factor


@dataclass(frozen=True)
class Carrier:
    """An energy carrier (能源品种) with its GB/T 2589-2020 coefficient and CO₂ factor, as stored in the database."""

    code: str
    name: str
    unit: str
    kgce_per_unit: Decimal
    kgce_min: Decimal | None = None
    kgce_max: Decimal | None = None
    takes_calorific_value: bool = False
    co2_per_unit: Decimal | None = None  # kg CO₂ per unit for the data year
    source: str = ""
    co2_source: str = ""


@dataclass(frozen=True)
class Term:
    """One input of a formula, as shown beside the result."""

    label: str
    value: Decimal
    unit: str


@dataclass(frozen=True)
class Computed:
    value: Decimal
    unit: str
    formula: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Field:
    """A raw-data input of one year (besides the energy carriers)."""

    key: str
    label: str
    unit: str


FIELDS = (
    Field("output", gettext_lazy("产品产量"), gettext_lazy("单位产品")),
    Field("water", gettext_lazy("取水量"), "m³"),
    Field("waste_generated", gettext_lazy("工业固体废物产生量"), "t"),
    Field("waste_reused", gettext_lazy("工业固体废物综合利用量"), "t"),
    Field("land_area", gettext_lazy("用地面积"), "m²"),
    Field("floor_area", gettext_lazy("总建筑面积"), "m²"),
    Field("output_value", gettext_lazy("工业总产值"), gettext_lazy("万元")),
)


@dataclass(frozen=True)
class Formula:
    code: str
    label: str
    inputs: tuple[str, ...]  # keys of FIELDS, or "energy" for every carrier


FORMULAS = {
    "energy_per_unit": Formula(
        "energy_per_unit", gettext_lazy("单位产品综合能耗 = 综合能耗 ÷ 产品产量"), ("energy", "output")
    ),
    "co2_per_unit": Formula(
        "co2_per_unit", gettext_lazy("单位产品碳排放量 = 二氧化碳排放量 ÷ 产品产量"), ("energy", "output")
    ),
    "water_per_unit": Formula(
        "water_per_unit", gettext_lazy("单位产品取水量 = 取水量 ÷ 产品产量"), ("water", "output")
    ),
    "waste_reuse_rate": Formula(
        "waste_reuse_rate",
        gettext_lazy("工业固体废物综合利用率 = 综合利用量 ÷ 产生量 × 100%"),
        ("waste_reused", "waste_generated"),
    ),
    "floor_area_ratio": Formula(
        "floor_area_ratio", gettext_lazy("容积率 = 总建筑面积 ÷ 用地面积"), ("floor_area", "land_area")
    ),
    "output_per_land": Formula(
        "output_per_land",
        gettext_lazy("单位用地面积产值 = 工业总产值 ÷ 用地面积（公顷）"),
        ("output_value", "land_area"),
    ),
}
FORMULA_CHOICES = [(code, formula.label) for code, formula in FORMULAS.items()]


def energy_key(carrier_code: str) -> str:
    return f"energy.{carrier_code}"


def unit_key(carrier_code: str) -> str:
    return f"unit.{carrier_code}"


def calorific_key(carrier_code: str) -> str:
    return f"ncv.{carrier_code}"


def number(raw) -> Decimal | None:
    """A Decimal from what a person typed (``1,200.5``), None for a blank; Impossible for anything else."""
    if raw is None:
        return None
    text = str(raw).strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Impossible(_("“%(value)s”不是数字") % {"value": text}) from None
    if not value.is_finite():
        raise Impossible(_("“%(value)s”不是数字") % {"value": text})
    return value


@dataclass
class YearResult:
    """What one year of raw data gives: the totals, each formula's value, and a reason per refused input."""

    energy: Computed | None = None
    co2: Computed | None = None
    values: dict = field(default_factory=dict)  # formula code → Computed
    errors: dict = field(default_factory=dict)  # input key → reason
    refused: dict = field(default_factory=dict)  # formula code → reason


def _coefficient(carrier: Carrier, calorific: Decimal | None) -> tuple[Decimal, str]:
    """The carrier's kgce per unit: from the measured 低位发热量 when given, else the standard's default."""
    if calorific is None or not carrier.takes_calorific_value:
        return carrier.kgce_per_unit, _("GB/T 2589-2020 折标系数")
    coefficient = calorific / KJ_PER_KGCE
    low, high = carrier.kgce_min, carrier.kgce_max
    if low is not None and high is not None and not low <= coefficient <= high:
        raise Impossible(
            _(
                "实测低位发热量折合 %(c)s kgce/%(unit)s，超出 GB/T 2589-2020 的范围 %(low)s～%(high)s，请检查单位（kJ/%(unit)s）"
            )
            % {"c": round(coefficient, 4), "unit": carrier.unit, "low": low, "high": high}
        )
    return coefficient, _("实测低位发热量 %(q)s kJ/%(unit)s ÷ 29307") % {"q": calorific, "unit": carrier.unit}


def compute_year(raw: dict, carriers: list[Carrier]) -> YearResult:
    """Everything one year of raw data gives. ``raw`` maps input keys to what was typed."""
    result = YearResult()
    amounts = {}
    for item in FIELDS:
        try:
            value = number(raw.get(item.key))
        except Impossible as error:
            result.errors[item.key] = str(error)
            continue
        if value is not None and value < 0:
            result.errors[item.key] = _("%(label)s不能为负数") % {"label": item.label}
            continue
        amounts[item.key] = value
    if amounts.get("output") == 0:
        result.errors["output"] = _("产品产量为 0，无法计算单位产品指标")
    generated, reused = amounts.get("waste_generated"), amounts.get("waste_reused")
    if generated is not None and reused is not None and reused > generated:
        result.errors["waste_reused"] = _(
            "综合利用量大于产生量，利用率将超过 100%（往年贮存量的利用请在说明中注明）"
        )
    if amounts.get("land_area") == 0:
        result.errors["land_area"] = _("用地面积为 0，无法计算容积率和单位用地面积产值")

    tce_terms, co2_terms, kgce, co2, any_energy, co2_missing = [], [], Decimal(0), Decimal(0), False, []
    for carrier in carriers:
        try:
            quantity = number(raw.get(energy_key(carrier.code)))
            calorific = number(raw.get(calorific_key(carrier.code)))
        except Impossible as error:
            result.errors[energy_key(carrier.code)] = str(error)
            continue
        if quantity is None:
            continue
        if quantity < 0:
            result.errors[energy_key(carrier.code)] = _("%(name)s消费量不能为负数") % {"name": carrier.name}
            continue
        entered_unit = raw.get(unit_key(carrier.code)) or carrier.unit
        if entered_unit not in UNITS or UNITS[entered_unit][0] != UNITS[carrier.unit][0]:
            result.errors[energy_key(carrier.code)] = _("%(name)s的单位应为 %(units)s 之一") % {
                "name": carrier.name,
                "units": _("、").join(units_like(carrier.unit)),
            }
            continue
        quantity = convert(quantity, entered_unit, carrier.unit)
        if calorific is not None and calorific <= 0:
            result.errors[calorific_key(carrier.code)] = _("低位发热量必须大于 0")
            continue
        try:
            coefficient, basis = _coefficient(carrier, calorific)
        except Impossible as error:
            result.errors[calorific_key(carrier.code)] = str(error)
            continue
        any_energy = True
        kgce += quantity * coefficient
        tce_terms.append(
            Term(
                _("%(name)s %(q)s %(unit)s × %(c)s kgce/%(unit)s（%(basis)s）")
                % {
                    "name": carrier.name,
                    "q": _plain(quantity),
                    "unit": carrier.unit,
                    "c": _plain(coefficient),
                    "basis": basis,
                },
                quantity * coefficient,
                "kgce",
            )
        )
        if carrier.co2_per_unit is None:
            co2_missing.append(carrier.name)
        else:
            co2 += quantity * carrier.co2_per_unit
            co2_terms.append(
                Term(
                    _("%(name)s %(q)s %(unit)s × %(f)s kgCO₂/%(unit)s（%(source)s）")
                    % {
                        "name": carrier.name,
                        "q": _plain(quantity),
                        "unit": carrier.unit,
                        "f": _plain(carrier.co2_per_unit),
                        "source": carrier.co2_source,
                    },
                    quantity * carrier.co2_per_unit,
                    "kgCO₂",
                )
            )
    if any_energy:
        result.energy = Computed(
            kgce / THOUSAND, "tce", _("综合能耗 = Σ 各能源消费量 × 折标准煤系数 ÷ 1000"), tuple(tce_terms)
        )
        if not co2_missing:
            result.co2 = Computed(
                co2 / THOUSAND,
                "tCO₂",
                _("二氧化碳排放量 = Σ 各能源消费量 × 排放因子 ÷ 1000"),
                tuple(co2_terms),
            )
        else:
            result.refused["co2_per_unit"] = _("缺少排放因子：%(names)s") % {
                "names": _("、").join(co2_missing)
            }

    for code in FORMULAS:
        if code in result.refused:
            continue
        try:
            computed = _formula(code, amounts, result)
        except Impossible as error:
            result.refused[code] = str(error)
            continue
        if computed is not None:
            result.values[code] = computed
    return result


def _formula(code: str, a: dict, result: YearResult) -> Computed | None:
    """One formula on valid amounts; None while an input is missing, Impossible when the inputs were refused."""
    formula = FORMULAS[code]
    refused = [key for key in formula.inputs if key in result.errors]
    if refused:
        raise Impossible(_("输入有误，未计算"))
    output = a.get("output")
    text = str(formula.label)
    if code == "energy_per_unit":
        if result.energy is None or not output:
            return None
        kgce = result.energy.value * THOUSAND
        terms = (Term(_("综合能耗"), result.energy.value, "tce"), Term(_("产品产量"), output, _("单位产品")))
        return Computed(kgce / output, _("kgce/单位产品"), text, terms)
    if code == "co2_per_unit":
        if result.co2 is None or not output:
            return None
        terms = (
            Term(_("二氧化碳排放量"), result.co2.value, "tCO₂"),
            Term(_("产品产量"), output, _("单位产品")),
        )
        return Computed(result.co2.value / output, _("tCO₂/单位产品"), text, terms)
    if code == "water_per_unit":
        if a.get("water") is None or not output:
            return None
        terms = (Term(_("取水量"), a["water"], "m³"), Term(_("产品产量"), output, _("单位产品")))
        return Computed(a["water"] / output, _("m³/单位产品"), text, terms)
    if code == "waste_reuse_rate":
        generated, reused = a.get("waste_generated"), a.get("waste_reused")
        if generated is None or reused is None:
            return None
        if generated == 0:
            raise Impossible(_("固体废物产生量为 0，综合利用率不适用"))
        terms = (Term(_("综合利用量"), reused, "t"), Term(_("产生量"), generated, "t"))
        return Computed(reused / generated * HUNDRED, "%", text, terms)
    if code == "floor_area_ratio":
        if a.get("floor_area") is None or not a.get("land_area"):
            return None
        terms = (Term(_("总建筑面积"), a["floor_area"], "m²"), Term(_("用地面积"), a["land_area"], "m²"))
        return Computed(a["floor_area"] / a["land_area"], "", text, terms)
    if code == "output_per_land":
        if a.get("output_value") is None or not a.get("land_area"):
            return None
        hectares = convert(a["land_area"], "m²", "公顷")
        terms = (
            Term(_("工业总产值"), a["output_value"], _("万元")),
            Term(_("用地面积"), hectares, _("公顷")),
        )
        return Computed(a["output_value"] / hectares, _("万元/公顷"), text, terms)
    raise KeyError(code)


def _plain(value: Decimal) -> str:
    """A number as people write it: 0.1229, 1200, not 1.2E+3."""
    return f"{round(value, 6).normalize():f}"


def relative_difference(a: Decimal, b: Decimal) -> Decimal | None:
    """How far the evaluator's ``b`` is from the applicant's ``a``, in % of ``a``; None when only ``a`` is 0."""
    if a == 0:
        return Decimal(0) if b == 0 else None
    return abs(b - a) / abs(a) * HUNDRED

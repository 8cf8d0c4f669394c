"""A declaration's yearly raw data on a form: read it, compute the indicators from it, show them beside their 基准值.

The same functions serve the applicant (who enters the data) and the evaluator (who confirms or corrects each
input with a note), so both are scored the same way.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .indicators import (
    FIELDS,
    FORMULAS,
    Computed,
    YearResult,
    calorific_key,
    compute_year,
    energy_key,
    unit_key,
    units_like,
)
from .scoring import Answer, latest_value

FOUR_PLACES = Decimal("0.0001")


@dataclass
class Entry:
    """One input of one year on the form: what was typed, the evaluator's value and note, the reason it was refused."""

    key: str
    label: str
    unit: str
    name: str
    value: str = ""
    error: str = ""
    units: list = field(default_factory=list)  # unit choices (energy carriers)
    unit_name: str = ""
    unit_value: str = ""
    checked_value: str = ""  # the evaluator's value
    note: str = ""
    calorific: "Entry | None" = None

    @property
    def changed(self) -> bool:
        return self.checked_value.strip() != self.value.strip()


@dataclass
class Year:
    year: str
    raw: dict
    result: YearResult
    entries: list


def labels(carriers) -> dict:
    """Input key → (label, unit) for every input a year of raw data may hold."""
    result = {item.key: (str(item.label), str(item.unit)) for item in FIELDS}
    for carrier in carriers:
        result[energy_key(carrier.code)] = (carrier.name, carrier.unit)
        result[calorific_key(carrier.code)] = (
            _("%(name)s低位发热量") % {"name": carrier.name},
            f"kJ/{carrier.unit}",
        )
        result[unit_key(carrier.code)] = (_("%(name)s计量单位") % {"name": carrier.name}, "")
    return result


def raw_from_post(post, years, prefix="raw") -> dict:
    """Year → {input key: typed text} from a submitted form (fields named ``{prefix}_{year}_{key}``).

    A carrier's unit or calorific value is kept only beside a quantity of that carrier.
    """
    result = {}
    for year in years:
        typed = texts_from_post(post, f"{prefix}_{year}_")
        result[str(year)] = {key: value for key, value in typed.items() if _stands_alone(key, typed)}
    return result


def texts_from_post(post, start: str) -> dict:
    return {
        name[len(start) :]: value.strip()
        for name, value in post.items()
        if name.startswith(start) and value.strip()
    }


def _stands_alone(key: str, typed: dict) -> bool:
    kind, _dot, code = key.partition(".")
    return kind not in ("unit", "ncv") or energy_key(code) in typed


def note_key(key: str) -> str:
    """The input whose note explains ``key``: a carrier's unit and calorific value share its quantity's note."""
    kind, _dot, code = key.partition(".")
    return energy_key(code) if kind in ("unit", "ncv") else key


def stored_raw(rows, years) -> dict:
    """Year → inputs from AnnualData-like rows (``year``, ``inputs``)."""
    by_year = {str(row.year): dict(row.inputs) for row in rows}
    return {str(year): by_year.get(str(year), {}) for year in years}


def compute(raw_by_year: dict, carriers_by_year: dict) -> dict:
    return {year: compute_year(raw, carriers_by_year[year]) for year, raw in raw_by_year.items()}


def has_errors(results: dict) -> bool:
    return any(result.errors for result in results.values())


def computed_answers(indicators, results: dict, years) -> dict:
    """Indicator id → Answer with each year's computed value, for the indicators computed from raw data."""
    answers = {}
    for indicator in indicators:
        if not indicator.formula:
            continue
        values = []
        for year in years:
            computed = results[str(year)].values.get(indicator.formula)
            values.append(None if computed is None else str(computed.value.quantize(FOUR_PLACES)))
        if any(v is not None for v in values):
            answers[indicator.pk] = Answer(None, values)
    return answers


def years_on_form(
    raw_by_year, results, carriers_by_year, prefix="raw", checked=None, notes=None
) -> list[Year]:
    """The form's entries per year; ``checked``/``notes`` (year → key → text) are the evaluator's, when verifying."""
    years = []
    for year, raw in raw_by_year.items():
        result, mine, said = results[year], (checked or {}).get(year, {}), (notes or {}).get(year, {})

        def entry(key, label, unit, year=year, raw=raw, result=result, mine=mine, said=said):
            return Entry(
                key=key,
                label=str(label),
                unit=str(unit),
                name=f"{prefix}_{year}_{key}",
                value=raw.get(key, ""),
                error=result.errors.get(key, ""),
                checked_value=mine.get(key, raw.get(key, "")),
                note=said.get(key, ""),
            )

        entries = [entry(item.key, item.label, item.unit) for item in FIELDS]
        for carrier in carriers_by_year[year]:
            row = entry(energy_key(carrier.code), carrier.name, carrier.unit)
            row.units = units_like(carrier.unit)
            row.unit_name = f"{prefix}_{year}_{unit_key(carrier.code)}"
            row.unit_value = raw.get(unit_key(carrier.code), carrier.unit)
            if carrier.takes_calorific_value:
                row.calorific = entry(calorific_key(carrier.code), carrier.name, f"kJ/{carrier.unit}")
            entries.append(row)
        years.append(Year(year, raw, result, entries))
    return years


@dataclass
class Figure:
    """A quantitative indicator as the page shows it: value, 基准值, 引领值, points and where the value sits."""

    indicator: object
    value: Decimal | None
    computed: Computed | None
    refused: str
    reference: object
    awarded: Decimal
    position: Decimal | None

    @property
    def formula(self):
        return FORMULAS[self.indicator.formula].label if self.indicator.formula else ""


def figures(indicators, score_result, answers: dict, results: dict, years) -> list[Figure]:
    """Every quantitative indicator that has a reference or a formula, in template order."""
    latest = str(years[-1])
    rows = []
    for indicator in indicators:
        if indicator.kind != "quantitative":
            continue
        reference = score_result.references.get(indicator.pk)
        if reference is None and not indicator.formula:
            continue
        value = latest_value(answers.get(indicator.pk), len(years))
        result = results.get(latest)
        computed = result.values.get(indicator.formula) if (result and indicator.formula) else None
        refused = result.refused.get(indicator.formula, "") if (result and indicator.formula) else ""
        position = reference.position(value) if (reference and value is not None) else None
        rows.append(
            Figure(
                indicator,
                value,
                computed,
                refused,
                reference,
                score_result.awarded.get(indicator.pk),
                position,
            )
        )
    return rows

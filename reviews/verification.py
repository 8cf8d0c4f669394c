"""The evaluator verifies values, not ticks: its corrections of the raw data, and how they differ from the applicant's.

The evaluator's indicators are computed from its confirmed inputs exactly as the applicant's are
(``applications.annual``); a computed indicator is flagged when the two values differ by more than the batch's
relative threshold (``Batch.value_discrepancy_percent``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from applications import annual, benchmarks
from applications.answers import year_labels
from applications.indicators import Impossible, number, relative_difference
from applications.scoring import Answer, latest_value
from greenmfg.refusals import Refused

from .models import EvaluatedData, Evaluation, EvaluationAnswer


def years_of(declaration) -> list[str]:
    return year_labels(declaration.setting.template, declaration.batch.year)


def applicant_raw(declaration) -> dict:
    return annual.stored_raw(declaration.annual_data.all(), years_of(declaration))


def checked_raw(evaluation) -> tuple[dict, dict]:
    """Year → the evaluator's inputs, and year → its notes; the applicant's inputs where it has saved nothing."""
    declaration = evaluation.commission.declaration if evaluation else None
    rows = list(evaluation.data.all()) if evaluation and evaluation.pk else []
    if not rows:
        return (applicant_raw(declaration) if declaration else {}), {}
    years = years_of(declaration)
    return annual.stored_raw(rows, years), {str(row.year): dict(row.notes) for row in rows}


def notes_from_post(post, years) -> dict:
    return {str(year): annual.texts_from_post(post, f"note_{year}_") for year in years}


def _same(a: str, b: str) -> bool:
    try:
        left, right = number(a), number(b)
    except Impossible:
        return (a or "").strip() == (b or "").strip()
    return left == right


def changed_inputs(raw: dict, checked: dict):
    """(year, key, applicant's text, evaluator's text) for each input the evaluator changed."""
    for year in checked:
        mine, theirs = raw.get(year, {}), checked.get(year, {})
        for key in sorted(set(mine) | set(theirs)):
            if not _same(mine.get(key, ""), theirs.get(key, "")):
                yield year, key, mine.get(key, ""), theirs.get(key, "")


def unexplained_changes(raw: dict, checked: dict, notes: dict, carriers_by_year: dict) -> list[str]:
    """Labels of the inputs the evaluator changed without a note."""
    missing = []
    for year, key, _mine, _theirs in changed_inputs(raw, checked):
        if not (notes.get(year, {}).get(annual.note_key(key)) or "").strip():
            label = annual.labels(carriers_by_year[year]).get(key, (key, ""))[0]
            missing.append(f"{year} {label}")
    return missing


@dataclass(frozen=True)
class InputDifference:
    year: str
    label: str
    unit: str
    mine: str
    theirs: str
    relative: Decimal | None
    note: str


def input_differences(declaration, evaluation) -> list[InputDifference]:
    """Input by input, what the evaluator changed in the applicant's raw data, with its note."""
    if evaluation is None:
        return []
    raw = applicant_raw(declaration)
    checked, notes = checked_raw(evaluation)
    carriers = benchmarks.carriers(list(checked))
    rows = []
    for year, key, mine, theirs in changed_inputs(raw, checked):
        label, unit = annual.labels(carriers[year]).get(key, (key, ""))
        try:
            a, b = number(mine), number(theirs)
            relative = relative_difference(a, b) if a is not None and b is not None else None
        except Impossible:
            relative = None
        rows.append(
            InputDifference(
                year, label, unit, mine, theirs, relative, notes.get(year, {}).get(annual.note_key(key), "")
            )
        )
    return rows


@dataclass(frozen=True)
class IndicatorGap:
    indicator: object
    mine: Decimal | None
    theirs: Decimal | None
    relative: Decimal | None
    flagged: bool


def indicator_gaps(declaration, evaluation, evaluation_answers=None) -> list[IndicatorGap]:
    """Per quantitative indicator, the applicant's and the evaluator's value and whether they differ too much."""
    if evaluation is None:
        return []
    threshold = Decimal(declaration.batch.value_discrepancy_percent)
    years = len(years_of(declaration))
    mine = {a.indicator_id: Answer(a.met, a.values) for a in declaration.answers.all()}
    theirs = evaluation_answers
    if theirs is None:
        theirs = {a.indicator_id: Answer(a.met, a.values) for a in evaluation.answers.all()}
    references = declaration.indicator_references()
    gaps = []
    for indicator in declaration.setting.template.indicators.filter(kind="quantitative"):
        if not (indicator.formula or indicator.pk in references or indicator.benchmark is not None):
            continue
        a, b = latest_value(mine.get(indicator.pk), years), latest_value(theirs.get(indicator.pk), years)
        if a is None and b is None:
            continue
        relative = relative_difference(a, b) if a is not None and b is not None else None
        flagged = (a is None) != (b is None) or (relative is None and a != b) or (relative or 0) > threshold
        gaps.append(IndicatorGap(indicator, a, b, None if relative is None else round(relative, 2), flagged))
    return gaps


def submitted_evaluation(declaration):
    """The third-party evaluation the declaration went on with, if one was submitted."""
    return (
        Evaluation.objects.filter(commission__declaration=declaration, submitted_at__isnull=False)
        .select_related("commission__declaration")
        .first()
    )


def verified_answers(declaration) -> dict:
    """The computed indicators as last verified: the submitted evaluation's values, else the applicant's."""
    computed = [i.pk for i in declaration.setting.template.indicators.exclude(formula="")]
    evaluation = (
        declaration.commissions.filter(evaluation__submitted_at__isnull=False)
        .values_list("evaluation", flat=True)
        .first()
    )
    rows = (
        declaration.answers.filter(indicator_id__in=computed)
        if evaluation is None
        else EvaluationAnswer.objects.filter(evaluation_id=evaluation, indicator_id__in=computed)
    )
    return {row.indicator_id: Answer(None, row.values) for row in rows}


def save(evaluation, *, raw: dict, notes: dict, indicators) -> dict:
    """Store the evaluator's inputs and notes; the computed indicators' answers (refused if the data is impossible).

    Called inside ``reviews.services.save_evaluation``'s transaction.
    """
    declaration = evaluation.commission.declaration
    years = years_of(declaration)
    carriers = benchmarks.carriers(years)
    results = annual.compute(raw, carriers)
    if annual.has_errors(results):
        reasons = [reason for result in results.values() for reason in result.errors.values()]
        raise Refused(_("核定数据有误：%(reasons)s") % {"reasons": _("；").join(reasons)})
    missing = unexplained_changes(applicant_raw(declaration), raw, notes, carriers)
    if missing:
        raise Refused(refusal(missing))
    for year, inputs in raw.items():
        EvaluatedData.objects.update_or_create(
            evaluation=evaluation,
            year=int(year),
            defaults={"inputs": inputs, "notes": {k: v for k, v in notes.get(year, {}).items() if v}},
        )
    computed = annual.computed_answers(indicators, results, years)
    stale = [i.pk for i in indicators if i.formula and i.pk not in computed]
    evaluation.answers.filter(indicator_id__in=stale).delete()
    return computed


def refusal(missing: list[str]) -> str:
    return _("修改了以下数据但未填写核查说明：%(items)s") % {"items": _("、").join(missing)}

"""The indicator form shared by the applicant's self-evaluation and the evaluator's evaluation.

Each leaf indicator is answered 符合/不符合, or with a value per year when it is measured against a 基准值 (on
the indicator or in the declaration's benchmark table). Indicators with a formula are computed from the yearly raw
data (``applications.annual``), never typed.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .scoring import Answer, own_reference


@dataclass
class Row:
    indicator: object
    depth: int
    answer: Answer | None
    error: str = ""
    inputs: tuple = ()  # (year label, input name, value) of a quantitative indicator
    reference: object = None

    @property
    def computed(self) -> bool:
        return bool(self.indicator.formula)

    @property
    def takes_values(self) -> bool:
        return takes_values(self.indicator, self.reference)

    @property
    def is_group(self) -> bool:
        return self.indicator.kind == "group"


def takes_values(indicator, reference) -> bool:
    """A quantitative indicator with a 基准值 and no formula is answered with typed values."""
    return indicator.kind == "quantitative" and reference is not None and not indicator.formula


def year_labels(template, batch_year: int) -> list[str]:
    """The years a template asks values for: the last ``years_of_data`` years before the batch, oldest first."""
    return [str(batch_year - template.years_of_data + i) for i in range(template.years_of_data)]


def indicator_rows(indicators, answers: dict, errors: dict, years: list[str], references=None) -> list[Row]:
    """The indicators as a tree walked in order, each with its answer, form inputs and Reference.

    ``references`` come from the declaration's benchmark table; without them, the 基准值 on the indicator counts.
    """
    references = references or {}
    children = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    rows = []

    def walk(parent_id, depth):
        for indicator in children.get(parent_id, []):
            row = Row(
                indicator,
                depth,
                answers.get(indicator.pk),
                errors.get(indicator.pk, ""),
                reference=references.get(indicator.pk) or own_reference(indicator),
            )
            if row.takes_values:
                values = list(row.answer.values) if row.answer else []
                values += [None] * (len(years) - len(values))
                row.inputs = tuple(
                    (label, f"value_{indicator.pk}_{i}", "" if values[i] is None else values[i])
                    for i, label in enumerate(years)
                )
            rows.append(row)
            walk(indicator.pk, depth + 1)

    walk(None, 0)
    return rows


def parse_answers(post, indicators, years: int, references=None):
    """Answers from a submitted form, and a message per indicator whose values are not numbers.

    Computed indicators are skipped: their answers come from the raw data.
    """
    references = references or {}
    answers, errors = {}, {}
    for indicator in indicators:
        if indicator.kind == "group" or indicator.formula:
            continue
        if takes_values(indicator, references.get(indicator.pk) or own_reference(indicator)):
            values = []
            for year in range(years):
                raw = (post.get(f"value_{indicator.pk}_{year}") or "").strip().replace(",", "")
                try:
                    values.append(str(Decimal(raw)) if raw else None)
                except InvalidOperation:
                    errors[indicator.pk] = _("“%(value)s”不是数字") % {"value": raw}
                    values.append(None)
            if any(v is not None for v in values):
                answers[indicator.pk] = Answer(None, values)
        else:
            raw = post.get(f"met_{indicator.pk}")
            if raw in ("1", "0"):
                answers[indicator.pk] = Answer(raw == "1", [])
    return answers, errors

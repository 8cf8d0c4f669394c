"""Self-evaluation scores, computed from the answers, never typed.

An indicator template is a tree: top-level groups (一级指标) hold indicators, possibly through sub-groups. Leaves
are veto items (基本要求: must be met, no points), required and optional items (met → their points), and
quantitative items (a value against a 基准值; met → their points). The template's scoring method then gives:

- ``weighted``: each top-level group scores awarded/maximum × 100; the total is Σ weight% × group score
  (GB/T 36132 factories);
- ``points``: the total is the sum of points awarded (supply chain, 100 points; parks);
- ``pass_fail``: every item must be met; the total is the share of items met, in % (products).

A self-evaluation passes when every veto and required item is met, and the total reaches the pass mark
(``pass_fail``: every item met).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass
class Answer:
    met: bool | None = None
    values: list = field(default_factory=list)


@dataclass
class GroupResult:
    indicator: object
    awarded: Decimal
    maximum: Decimal
    percent: Decimal
    weighted: Decimal | None


@dataclass
class Result:
    groups: list[GroupResult]
    total: Decimal
    pass_mark: Decimal | None
    passed: bool
    failures: list[str]
    met: dict  # indicator id → bool | None (None: not answered)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value):
    """A Decimal, or None for a blank or a value that is not a number (counted as not answered)."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _mark(value: Decimal) -> str:
    """A pass mark as people write it: 60, not 60.00."""
    return f"{value.normalize():f}"


def indicator_met(indicator, answer: Answer | None, years: int = 1) -> bool | None:
    """Whether one leaf is met; None when it has not been answered yet.

    A quantitative answer lists its values oldest year first; the latest year decides.
    """
    if answer is None:
        return None
    if indicator.kind == "quantitative" and indicator.benchmark is not None:
        values = [_number(v) for v in (answer.values or [])][:years]
        if len(values) < years or any(v is None for v in values):
            return None
        latest = values[-1]
        benchmark = Decimal(indicator.benchmark)
        return latest <= benchmark if indicator.direction == "lower" else latest >= benchmark
    return answer.met


def score(template, indicators, answers: dict, pass_mark=None) -> Result:
    """Score ``answers`` (indicator id → Answer) on ``indicators`` of ``template``."""
    indicators = list(indicators)
    children = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    years = template.years_of_data
    met = {i.pk: indicator_met(i, answers.get(i.pk), years) for i in indicators if i.kind != "group"}

    def leaves(node):
        for child in children.get(node.pk, []):
            if child.kind == "group":
                yield from leaves(child)
            else:
                yield child

    failures = []
    for indicator in indicators:
        if indicator.kind == "veto" and met[indicator.pk] is not True:
            failures.append(
                _("基本要求未满足：%(code)s %(name)s") % {"code": indicator.code, "name": indicator.name}
            )
    for indicator in indicators:
        if indicator.kind == "required" and met[indicator.pk] is not True:
            failures.append(
                _("必选项未满足：%(code)s %(name)s") % {"code": indicator.code, "name": indicator.name}
            )

    groups = []
    for group in children.get(None, []):
        if group.kind != "group":
            continue
        scored = [leaf for leaf in leaves(group) if leaf.kind != "veto"]
        maximum = sum((Decimal(leaf.points) for leaf in scored), Decimal(0))
        awarded = sum((Decimal(leaf.points) for leaf in scored if met[leaf.pk]), Decimal(0))
        percent = _round(awarded / maximum * HUNDRED) if maximum else Decimal(0)
        weighted = _round(percent * Decimal(group.weight) / HUNDRED) if group.weight is not None else None
        groups.append(GroupResult(group, awarded, maximum, percent, weighted))

    scorable = [i for i in indicators if i.kind in ("required", "optional", "quantitative")]
    if template.scoring == "weighted":
        total = _round(sum((g.weighted or Decimal(0) for g in groups), Decimal(0)))
    elif template.scoring == "points":
        total = _round(sum((Decimal(i.points) for i in scorable if met[i.pk]), Decimal(0)))
    else:
        total = (
            _round(Decimal(sum(1 for i in scorable if met[i.pk])) / len(scorable) * HUNDRED)
            if scorable
            else HUNDRED
        )
        for indicator in scorable:
            if indicator.kind != "required" and met[indicator.pk] is not True:
                failures.append(
                    _("未达到评价要求：%(code)s %(name)s") % {"code": indicator.code, "name": indicator.name}
                )

    pass_mark = _number(pass_mark if pass_mark is not None else template.pass_mark)
    if template.scoring != "pass_fail" and pass_mark is not None and total < pass_mark:
        failures.append(
            _("总分 %(total)s 低于合格线 %(mark)s 分") % {"total": total, "mark": _mark(pass_mark)}
        )
    return Result(groups, total, pass_mark, not failures, failures, met)

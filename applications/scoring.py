"""Self-evaluation scores, computed from the answers, never typed.

An indicator template is a tree: top-level groups (一级指标) hold indicators, possibly through sub-groups. Leaves
are veto items (基本要求: must be met, no points), required and optional items (met → their points), and
quantitative items: a value against a ``Reference`` (基准值, 引领值 and a rule, all data). Rule ``threshold``:
reaching the 基准值 earns the points. Rule ``linear`` (GB/T 36132-2025): at or worse than the 基准值 → the floor
share of the points, at or better than the 引领值 → all of them, proportionally in between. A leaf's points are
rounded to 0.01 — the number shown on its row. The template's scoring method then gives:

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


@dataclass(frozen=True)
class Reference:
    """基准值 and 引领值 of one quantitative indicator, and how a value between them scores."""

    benchmark: Decimal
    leading: Decimal | None
    direction: str  # "higher" or "lower" is better
    rule: str = "threshold"
    floor: Decimal = Decimal(0)  # share of the points at or worse than the 基准值, 0…1
    example: bool = False  # 示例: not an official figure
    source: str = ""

    def reaches(self, value: Decimal, target: Decimal) -> bool:
        return value >= target if self.direction == "higher" else value <= target

    def share(self, value: Decimal) -> Decimal:
        """The share of the indicator's points ``value`` earns, between ``floor`` and 1."""
        if self.rule == "linear" and self.leading is not None and self.leading != self.benchmark:
            position = (value - self.benchmark) / (self.leading - self.benchmark)
            position = min(max(position, Decimal(0)), Decimal(1))
            return self.floor + (1 - self.floor) * position
        return Decimal(1) if self.reaches(value, self.benchmark) else self.floor

    def position(self, value: Decimal) -> Decimal:
        """Where ``value`` sits for a bar from 基准值 (0) to 引领值 (100), clamped."""
        if self.leading is None or self.leading == self.benchmark:
            return HUNDRED if self.reaches(value, self.benchmark) else Decimal(0)
        position = (value - self.benchmark) / (self.leading - self.benchmark) * HUNDRED
        return min(max(position, Decimal(0)), HUNDRED)


def own_reference(indicator) -> Reference | None:
    """The 基准值 written on the indicator itself (templates without a benchmark table): reaching it earns the points."""
    if indicator.kind != "quantitative" or indicator.benchmark is None:
        return None
    return Reference(Decimal(indicator.benchmark), indicator.leading_value, indicator.direction)


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
    awarded: dict = field(default_factory=dict)  # leaf id → points earned
    references: dict = field(default_factory=dict)  # quantitative leaf id → Reference


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


def latest_value(answer: Answer | None, years: int = 1) -> Decimal | None:
    """The latest year's value of a quantitative answer (values oldest first), None unless every year is given."""
    if answer is None:
        return None
    values = [_number(v) for v in (answer.values or [])][:years]
    if len(values) < years or any(v is None for v in values):
        return None
    return values[-1]


def indicator_met(indicator, answer: Answer | None, years: int = 1, reference: Reference | None = None):
    """Whether one leaf is met (a quantitative one: its latest value reaches the 基准值); None when unanswered."""
    if answer is None:
        return None
    reference = reference or own_reference(indicator)
    if reference is not None:
        latest = latest_value(answer, years)
        return None if latest is None else reference.reaches(latest, reference.benchmark)
    return answer.met


def _awarded(indicator, answer, met, reference, years) -> Decimal:
    points = Decimal(indicator.points)
    if reference is not None and met is not None:
        return _round(points * reference.share(latest_value(answer, years)))
    return points if met else Decimal(0)


def score(template, indicators, answers: dict, pass_mark=None, references: dict | None = None) -> Result:
    """Score ``answers`` (indicator id → Answer) on ``indicators`` of ``template``.

    ``references`` (indicator id → Reference) come from the declaration's benchmark table; an indicator absent
    from it falls back to the 基准值 written on the indicator.
    """
    indicators = list(indicators)
    children = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    years = template.years_of_data
    references = {
        i.pk: (references or {}).get(i.pk) or own_reference(i) for i in indicators if i.kind == "quantitative"
    }
    references = {pk: reference for pk, reference in references.items() if reference is not None}
    met, awarded = {}, {}
    for i in indicators:
        if i.kind == "group":
            continue
        answer, reference = answers.get(i.pk), references.get(i.pk)
        met[i.pk] = indicator_met(i, answer, years, reference)
        awarded[i.pk] = _awarded(i, answer, met[i.pk], reference, years)

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
        earned = sum((awarded[leaf.pk] for leaf in scored), Decimal(0))
        percent = _round(earned / maximum * HUNDRED) if maximum else Decimal(0)
        weighted = _round(percent * Decimal(group.weight) / HUNDRED) if group.weight is not None else None
        groups.append(GroupResult(group, earned, maximum, percent, weighted))

    scorable = [i for i in indicators if i.kind in ("required", "optional", "quantitative")]
    if template.scoring == "weighted":
        total = _round(sum((g.weighted or Decimal(0) for g in groups), Decimal(0)))
    elif template.scoring == "points":
        total = _round(sum((awarded[i.pk] for i in scorable), Decimal(0)))
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
    return Result(groups, total, pass_mark, not failures, failures, met, awarded, references)

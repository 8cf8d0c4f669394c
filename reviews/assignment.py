"""Choosing experts for declarations: never one with a conflict, and the load spread evenly.

Pure functions over plain values, so the rules can be tested on many random pools (tests/reviews).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Candidate:
    id: int
    categories: frozenset
    employer_credit_code: str = ""
    region_code: str = ""
    conflict_credit_codes: frozenset = field(default_factory=frozenset)
    active: bool = True


@dataclass(frozen=True)
class Case:
    """What assignment needs to know of a declaration."""

    id: int
    category: str
    applicant_credit_code: str
    region_code: str
    evaluator_credit_code: str = ""
    already_assigned: frozenset = field(default_factory=frozenset)  # expert ids, including withdrawn ones


def conflict(candidate: Candidate, case: Case, *, other_city_only: bool) -> str | None:
    """Why this expert may not score this declaration, or None."""
    codes = {case.applicant_credit_code, case.evaluator_credit_code} - {""}
    if candidate.employer_credit_code and candidate.employer_credit_code in codes:
        return _("专家任职于申报单位或其第三方评价机构")
    if candidate.conflict_credit_codes & codes:
        return _("专家已声明与申报单位或其评价机构存在利害关系")
    if other_city_only and candidate.region_code and candidate.region_code == case.region_code:
        return _("专家与申报单位同属一个市州")
    return None


def eligible(candidate: Candidate, case: Case, *, other_city_only: bool) -> bool:
    return (
        candidate.active
        and case.category in candidate.categories
        and candidate.id not in case.already_assigned
        and conflict(candidate, case, other_city_only=other_city_only) is None
    )


def choose(candidates, cases, *, per_case: int, other_city_only: bool, load=None):
    """Experts for each case: the ``per_case`` eligible ones with the least load so far (ties by id).

    ``load`` (expert id → assignments already held) is updated as experts are chosen, so one run over many
    declarations spreads them evenly. Returns {case id: [expert ids]}, and {case id: shortfall} where too few
    experts are eligible.
    """
    load = dict(load or {})
    chosen, short = {}, {}
    for case in cases:
        pool = [c for c in candidates if eligible(c, case, other_city_only=other_city_only)]
        pool.sort(key=lambda c: (load.get(c.id, 0), c.id))
        picked = [c.id for c in pool[:per_case]]
        for expert_id in picked:
            load[expert_id] = load.get(expert_id, 0) + 1
        chosen[case.id] = picked
        if len(picked) < per_case:
            short[case.id] = per_case - len(picked)
    return chosen, short

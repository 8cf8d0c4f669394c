"""Choosing experts (reviews.assignment): conflict rules by example, and choose() on random pools.

The properties are checked against an eligibility oracle written here from the rules, independently of
``assignment.eligible``. No database is needed.
"""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.assignment import Candidate, Case, choose, conflict, eligible

EMPLOYED = "专家任职于申报单位或其第三方评价机构"
DECLARED = "专家已声明与申报单位或其评价机构存在利害关系"
SAME_CITY = "专家与申报单位同属一个市州"

APPLICANT = "91420100MA4K000001"
EVALUATOR = "91420100MA4K000002"
ELSEWHERE = "91420200MA4K000003"
WUHAN, HUANGSHI = "420100", "420200"


def a_case(**overrides):
    values = dict(
        id=1,
        category="factory",
        applicant_credit_code=APPLICANT,
        region_code=WUHAN,
        evaluator_credit_code=EVALUATOR,
    )
    values.update(overrides)
    return Case(**values)


def a_candidate(**overrides):
    values = dict(
        id=1, categories=frozenset({"factory"}), employer_credit_code=ELSEWHERE, region_code=HUANGSHI
    )
    values.update(overrides)
    return Candidate(**values)


# --- conflict(), rule by rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("other_city_only", [True, False])
def test_no_conflict(other_city_only):
    assert conflict(a_candidate(), a_case(), other_city_only=other_city_only) is None
    assert eligible(a_candidate(), a_case(), other_city_only=other_city_only)


@pytest.mark.parametrize("other_city_only", [True, False])
def test_employed_by_the_applicant(other_city_only):
    expert = a_candidate(employer_credit_code=APPLICANT)
    assert conflict(expert, a_case(), other_city_only=other_city_only) == EMPLOYED
    assert not eligible(expert, a_case(), other_city_only=other_city_only)


@pytest.mark.parametrize("other_city_only", [True, False])
def test_employed_by_the_applicants_evaluator(other_city_only):
    expert = a_candidate(employer_credit_code=EVALUATOR)
    assert conflict(expert, a_case(), other_city_only=other_city_only) == EMPLOYED
    assert not eligible(expert, a_case(), other_city_only=other_city_only)


@pytest.mark.parametrize("declared", [APPLICANT, EVALUATOR])
@pytest.mark.parametrize("other_city_only", [True, False])
def test_declared_conflict_with_applicant_or_evaluator(declared, other_city_only):
    expert = a_candidate(conflict_credit_codes=frozenset({"91420300MA4K000009", declared}))
    assert conflict(expert, a_case(), other_city_only=other_city_only) == DECLARED
    assert not eligible(expert, a_case(), other_city_only=other_city_only)


def test_declared_conflict_with_someone_else_is_no_conflict():
    expert = a_candidate(conflict_credit_codes=frozenset({ELSEWHERE}))
    assert conflict(expert, a_case(), other_city_only=True) is None


def test_same_city_only_matters_when_other_city_only():
    expert = a_candidate(region_code=WUHAN)
    assert conflict(expert, a_case(), other_city_only=True) == SAME_CITY
    assert conflict(expert, a_case(), other_city_only=False) is None
    assert not eligible(expert, a_case(), other_city_only=True)
    assert eligible(expert, a_case(), other_city_only=False)


def test_other_city_is_no_conflict_even_when_other_city_only():
    assert conflict(a_candidate(region_code=HUANGSHI), a_case(), other_city_only=True) is None


def test_blank_codes_never_match_each_other():
    # An expert with no employer (or no region) is not "employed by" a declaration with no evaluator.
    expert = a_candidate(employer_credit_code="", region_code="", conflict_credit_codes=frozenset({""}))
    case = a_case(evaluator_credit_code="", region_code="")
    assert conflict(expert, case, other_city_only=True) is None


def test_employment_is_reported_before_a_declared_conflict_and_the_city():
    expert = a_candidate(
        employer_credit_code=APPLICANT, conflict_credit_codes=frozenset({EVALUATOR}), region_code=WUHAN
    )
    assert conflict(expert, a_case(), other_city_only=True) == EMPLOYED
    expert = a_candidate(conflict_credit_codes=frozenset({EVALUATOR}), region_code=WUHAN)
    assert conflict(expert, a_case(), other_city_only=True) == DECLARED


def test_not_eligible_when_inactive_lacking_the_category_or_already_assigned():
    assert not eligible(a_candidate(active=False), a_case(), other_city_only=False)
    assert not eligible(a_candidate(categories=frozenset({"park"})), a_case(), other_city_only=False)
    assert not eligible(a_candidate(id=7), a_case(already_assigned=frozenset({7})), other_city_only=False)
    assert eligible(a_candidate(id=7), a_case(already_assigned=frozenset({8})), other_city_only=False)


# --- choose(), by example --------------------------------------------------------------------------------


def test_choose_spreads_cases_over_experts_by_load_then_id():
    pool = [a_candidate(id=i) for i in (3, 1, 2)]
    cases = [a_case(id=n) for n in (10, 11, 12, 13)]
    chosen, short = choose(pool, cases, per_case=1, other_city_only=True)
    # loads 0,0,0 → 1; then 2; then 3; then all at 1 → 1 again.
    assert chosen == {10: [1], 11: [2], 12: [3], 13: [1]}
    assert short == {}


def test_choose_prefers_the_least_loaded_and_does_not_change_the_given_load():
    pool = [a_candidate(id=i) for i in (1, 2, 3, 4)]
    load = {1: 3, 2: 0, 3: 1, 4: 0}
    chosen, short = choose(pool, [a_case(id=10), a_case(id=11)], per_case=2, other_city_only=False, load=load)
    # case 10: (0, 2), (0, 4) → [2, 4]; loads become 1:3, 2:1, 3:1, 4:1
    # case 11: (1, 2), (1, 3) → [2, 3]
    assert chosen == {10: [2, 4], 11: [2, 3]}
    assert short == {}
    assert load == {1: 3, 2: 0, 3: 1, 4: 0}


def test_choose_reports_the_shortfall_and_skips_ineligible_experts():
    pool = [
        a_candidate(id=1),
        a_candidate(id=2, employer_credit_code=APPLICANT),
        a_candidate(id=3, active=False),
        a_candidate(id=4, region_code=WUHAN),
        a_candidate(id=5, categories=frozenset({"product"})),
        a_candidate(id=6),
    ]
    case = a_case(id=10, already_assigned=frozenset({6}))
    chosen, short = choose(pool, [case], per_case=3, other_city_only=True)
    assert chosen == {10: [1]}
    assert short == {10: 2}
    chosen, short = choose(pool, [case], per_case=3, other_city_only=False)
    assert chosen == {10: [1, 4]}
    assert short == {10: 1}


def test_choose_with_no_candidates():
    assert choose([], [a_case(id=10)], per_case=3, other_city_only=False) == ({10: []}, {10: 3})


# --- choose(), properties --------------------------------------------------------------------------------

CATEGORIES = ("factory", "product", "supply_chain", "park")
CODES = ("91420100AAA", "91420100BBB", "91420200CCC", "91420300DDD", "91420500EEE")
REGIONS = ("420100", "420200", "420300", "")


def oracle_eligible(candidate, case, other_city_only):
    """The rules, restated: active, right category, not yet on the case, no conflict of any kind."""
    if not candidate.active or case.category not in candidate.categories:
        return False
    if candidate.id in case.already_assigned:
        return False
    parties = {case.applicant_credit_code, case.evaluator_credit_code} - {""}
    if candidate.employer_credit_code in parties:
        return False
    if any(code in parties for code in candidate.conflict_credit_codes):
        return False
    return not (other_city_only and candidate.region_code != "" and candidate.region_code == case.region_code)


# Strategies are built once, here: constructing them inside the composite for every draw is slow.
candidate_rows = st.lists(
    st.tuples(
        st.integers(1, 500),  # id
        st.frozensets(st.sampled_from(CATEGORIES)),
        st.sampled_from((*CODES, "")),  # employer
        st.sampled_from(REGIONS),
        st.frozensets(st.sampled_from(CODES), max_size=3),  # declared conflicts
        st.booleans(),  # active
    ),
    min_size=1,
    max_size=30,
    unique_by=lambda row: row[0],
)
case_rows = st.lists(
    st.tuples(
        st.integers(1, 10_000),  # id
        st.sampled_from(CATEGORIES),
        st.sampled_from(CODES),  # applicant
        st.sampled_from(REGIONS),
        st.sampled_from((*CODES, "")),  # evaluator
        # Already assigned, as positions: below the pool size an expert of the pool, above it an expert
        # no longer in the pool (e.g. withdrawn and since deactivated).
        st.frozensets(st.integers(0, 34), max_size=6),
    ),
    min_size=1,
    max_size=20,
    unique_by=lambda row: row[0],
)
load_rows = st.lists(st.integers(0, 5), max_size=30)


@st.composite
def scenarios(draw):
    pool = [
        Candidate(
            id=i,
            categories=cats,
            employer_credit_code=emp,
            region_code=reg,
            conflict_credit_codes=cc,
            active=on,
        )
        for i, cats, emp, reg, cc, on in draw(candidate_rows)
    ]
    ids = [c.id for c in pool]
    cases = [
        Case(
            id=i,
            category=cat,
            applicant_credit_code=app,
            region_code=reg,
            evaluator_credit_code=ev,
            already_assigned=frozenset(ids[k] if k < len(ids) else 1000 + k for k in positions),
        )
        for i, cat, app, reg, ev, positions in draw(case_rows)
    ]
    # Starting load for some of the experts (the rest have none).
    load = dict(zip(ids, draw(load_rows), strict=False))
    per_case = draw(st.integers(1, 6))
    other_city_only = draw(st.booleans())
    return pool, cases, per_case, other_city_only, load


def run(scenario):
    pool, cases, per_case, other_city_only, load = scenario
    return choose(pool, cases, per_case=per_case, other_city_only=other_city_only, load=load)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_eligible_agrees_with_the_rules(scenario):
    pool, cases, _per_case, other_city_only, _load = scenario
    for case in cases:
        for candidate in pool:
            assert eligible(candidate, case, other_city_only=other_city_only) == oracle_eligible(
                candidate, case, other_city_only
            ), (candidate, case)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_chosen_experts_are_never_conflicted_inactive_unqualified_or_already_assigned(scenario):
    pool, cases, _per_case, other_city_only, _load = scenario
    chosen, _short = run(scenario)
    by_id = {c.id: c for c in pool}
    for case in cases:
        for expert_id in chosen[case.id]:
            expert = by_id[expert_id]
            assert expert.active
            assert case.category in expert.categories
            assert expert_id not in case.already_assigned
            assert conflict(expert, case, other_city_only=other_city_only) is None
            assert oracle_eligible(expert, case, other_city_only)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_no_expert_is_chosen_twice_for_one_case(scenario):
    chosen, _short = run(scenario)
    for experts in chosen.values():
        assert len(experts) == len(set(experts))


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_each_case_gets_as_many_as_possible_and_the_shortfall_is_exact(scenario):
    pool, cases, per_case, other_city_only, _load = scenario
    chosen, short = run(scenario)
    assert set(chosen) == {case.id for case in cases}
    expected_short = {}
    for case in cases:
        available = sum(oracle_eligible(c, case, other_city_only) for c in pool)
        assert len(chosen[case.id]) == min(per_case, available)
        if available < per_case:
            expected_short[case.id] = per_case - available
    assert short == expected_short


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_each_case_gets_the_least_loaded_eligible_experts_ties_by_id(scenario):
    """With the running load (given load + choices so far), every chosen expert sorts before every
    eligible expert left out, by (load, id); the chosen list is in that order."""
    pool, cases, _per_case, other_city_only, load = scenario
    chosen, _short = run(scenario)
    running = Counter(load)
    for case in cases:
        picked = chosen[case.id]
        keys = [(running[i], i) for i in picked]
        assert keys == sorted(keys)
        left_out = [
            (running[c.id], c.id)
            for c in pool
            if oracle_eligible(c, case, other_city_only) and c.id not in picked
        ]
        if keys and left_out:
            assert max(keys) < min(left_out)
        running.update(picked)


PARTIES = ("91420100AAA", "91420100BBB")  # applicants and evaluators in the open scenarios
OUTSIDERS = ("91420200CCC", "91420300DDD")  # employers and declared conflicts there: never a party
open_candidate_rows = st.lists(
    st.tuples(
        st.integers(1, 500),
        st.sampled_from((*OUTSIDERS, "")),
        st.frozensets(st.sampled_from(OUTSIDERS)),
        st.sampled_from(("420500", "420600", "")),  # never a case's city
        st.sampled_from(REGIONS),  # any city, for other_city_only=False
    ),
    min_size=1,
    max_size=30,
    unique_by=lambda row: row[0],
)
open_case_rows = st.lists(
    st.tuples(
        st.integers(1, 10_000),
        st.sampled_from(CATEGORIES),
        st.sampled_from(PARTIES),
        st.sampled_from(("420100", "420200", "420300")),
        st.sampled_from((*PARTIES, "")),
    ),
    min_size=1,
    max_size=20,
    unique_by=lambda row: row[0],
)


@st.composite
def open_scenarios(draw):
    """Every candidate is eligible for every case: all active, every category, no conflicts, nothing
    assigned yet, and — when other_city_only — no expert from a case's city."""
    other_city_only = draw(st.booleans())
    pool = [
        Candidate(
            id=i,
            categories=frozenset(CATEGORIES),
            employer_credit_code=emp,
            region_code=other_region if other_city_only else any_region,
            conflict_credit_codes=cc,
        )
        for i, emp, cc, other_region, any_region in draw(open_candidate_rows)
    ]
    cases = [
        Case(id=i, category=cat, applicant_credit_code=app, region_code=reg, evaluator_credit_code=ev)
        for i, cat, app, reg, ev in draw(open_case_rows)
    ]
    return pool, cases, draw(st.integers(1, 6)), other_city_only


@settings(max_examples=200, deadline=None)
@given(open_scenarios())
def test_load_is_balanced_when_everyone_is_eligible_for_everything(scenario):
    pool, cases, per_case, other_city_only = scenario
    assert all(oracle_eligible(c, case, other_city_only) for c in pool for case in cases)
    chosen, short = choose(pool, cases, per_case=per_case, other_city_only=other_city_only)
    loads = Counter({c.id: 0 for c in pool})
    for experts in chosen.values():
        loads.update(experts)
    assert max(loads.values()) - min(loads.values()) <= 1
    assert sum(loads.values()) == len(cases) * min(per_case, len(pool))
    if per_case > len(pool):
        assert short == {case.id: per_case - len(pool) for case in cases}
    else:
        assert short == {}


@settings(max_examples=200, deadline=None)
@given(open_scenarios(), st.data())
def test_a_starting_load_is_respected(scenario, data):
    pool, cases, per_case, other_city_only = scenario
    ids = [c.id for c in pool]
    load = dict(zip(ids, data.draw(st.lists(st.integers(0, 8), max_size=len(ids))), strict=False))
    given_load = dict(load)
    chosen, _short = choose(pool, cases, per_case=per_case, other_city_only=other_city_only, load=load)
    assert load == given_load  # the caller's map is not modified
    # First case: exactly the per_case experts with the least starting load, ties by id.
    expected = sorted(ids, key=lambda i: (load.get(i, 0), i))[:per_case]
    assert chosen[cases[0].id] == expected
    first_loads = [load.get(i, 0) for i in chosen[cases[0].id]]
    others = [load.get(i, 0) for i in ids if i not in chosen[cases[0].id]]
    if others:
        assert max(first_loads) <= min(others)

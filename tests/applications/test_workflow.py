"""The declaration's states are placed once, in applications.workflow: a new state must be placed to pass."""

from applications import workflow
from applications.models import Declaration
from applications.workflow import State

ALL = frozenset(State)


def test_every_state_is_in_exactly_one_phase():
    for state in State:
        phases = [phase for phase in workflow.PHASES if state in phase]
        assert len(phases) == 1, f"{state} is in {len(phases)} phases"


def test_furthest_first_orders_every_state_once():
    assert len(workflow.FURTHEST_FIRST) == len(ALL)
    assert set(workflow.FURTHEST_FIRST) == ALL


def test_every_group_holds_only_states():
    groups = {
        name: value
        for name, value in vars(workflow).items()
        if name.isupper() and isinstance(value, frozenset) and name != "PHASES"
    }
    assert len(groups) >= 10
    for name, group in groups.items():
        assert group and group <= ALL, name


def test_the_groups_follow_the_transitions():
    """The groups say what the model's transitions do: edits, withdrawal and the main road agree with them."""
    transitions = list(Declaration._meta.get_field("state").get_all_transitions(Declaration))
    withdraw = next(t for t in transitions if t.name == "withdraw")
    assert {t.source for t in transitions if t.name == "withdraw"} == set(workflow.WITHDRAWABLE)
    assert withdraw.target == State.WITHDRAWN
    targets = {(t.source, t.target) for t in transitions}
    for earlier, later in zip(workflow.MAIN_ROAD, workflow.MAIN_ROAD[1:], strict=False):
        assert (earlier, later) in targets, f"no transition {earlier} → {later}"
    assert {
        t.target for t in transitions if t.name == "return_for_revision"
    } <= workflow.EDITABLE_BY_APPLICANT
    # Nothing leaves a closed state.
    assert not {t.source for t in transitions} & workflow.CLOSED

"""Two officials clicking at once: exactly one transition wins, on the real database."""

import threading

import pytest
from django.db import connection

from applications import services
from applications.models import Declaration
from greenmfg.models import AuditEntry

from ..factories import BatchFactory, ready_to_submit

# serialized_rollback: the flush after a transactional test must not take the reference data with it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_simultaneous_decisions_on_one_declaration_let_exactly_one_win(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs it)")
    declaration = services.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=BatchFactory(requires_third_party=False),
        category="factory",
    )
    ready_to_submit(declaration, cast.applicant)
    services.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    services.transition(declaration.pk, "submit_to_city", user=cast.applicant)

    barrier = threading.Barrier(4)
    outcomes = []

    def decide(name):
        barrier.wait()
        try:
            services.transition(declaration.pk, name, user=cast.wuhan_official, opinion="意见")
            outcomes.append(("won", name))
        except services.TransitionRefused as refusal:
            outcomes.append(("refused", str(refusal)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(name,))
        for name in ("recommend", "not_recommend", "return_for_revision", "recommend")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [name for outcome, name in outcomes if outcome == "won"]
    assert len(winners) == 1
    assert all("不能执行此操作" in reason for outcome, reason in outcomes if outcome == "refused")
    final = Declaration.objects.get(pk=declaration.pk)
    decisions = AuditEntry.for_object(final).filter(
        action__in=["recommend", "not_recommend", "return_for_revision"]
    )
    assert list(decisions.values_list("action", flat=True)) == winners

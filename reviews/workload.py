"""An expert's open work: every review they still have to score, of whatever kind, so assignment spreads it.

Declarations are counted here; a later app whose experts score other things (``registry``'s 三年一复核 cases)
registers a counter with ``@counter`` in its ``AppConfig.ready``, since this app may not import it.
"""

from django.db.models import Count

from .models import Assignment

_COUNTERS = []


def counter(function):
    """Register ``() -> {expert id: reviews still to score}`` for one kind of review."""
    _COUNTERS.append(function)
    return function


def count_active(queryset) -> dict[int, int]:
    """Expert id → rows still to score, of an assignment queryset whose status follows ``Assignment.Status``."""
    rows = queryset.filter(status=Assignment.Status.ACTIVE).values("expert_id").annotate(n=Count("pk"))
    return {row["expert_id"]: row["n"] for row in rows}


@counter
def declarations() -> dict[int, int]:
    return count_active(Assignment.objects.all())


def open_work() -> dict[int, int]:
    """Expert id → reviews still to score, every registered kind together."""
    load = {}
    for function in _COUNTERS:
        for expert_id, n in function().items():
            load[expert_id] = load.get(expert_id, 0) + n
    return load

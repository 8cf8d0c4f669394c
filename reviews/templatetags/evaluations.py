"""The third-party evaluation as the declaration's own pages show it, to whoever may see the declaration.

A tag rather than a view's context, so that ``applications`` (which reviews builds on) can show it without
importing ``reviews``: its page loads this library, the dependency stays one-way in Python.
"""

from django import template

from ..models import Commission, Evaluation
from ..services import discrepancies

register = template.Library()


@register.inclusion_tag("reviews/_third_party.html")
def third_party_evaluation(declaration):
    """The open commission's status while it runs; the submitted evaluation's score, groups and report after."""
    commission = (
        Commission.objects.filter(declaration=declaration)
        .exclude(status__in=Commission.CLOSED_STATUSES)
        .select_related("evaluator")
        .order_by("-requested_at")
        .first()
    )
    evaluation = (
        Evaluation.objects.filter(commission=commission, submitted_at__isnull=False).first()
        if commission
        else None
    )
    return {
        "declaration": declaration,
        "commission": commission,
        "evaluation": evaluation,
        "gaps": discrepancies(declaration, evaluation) if evaluation else [],
    }

"""The relationships of 评价与评审 that let an evaluator's staff or an expert reach a declaration.

Registered with ``applications.access`` (see there why they are asked live instead of stored as grants).
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from applications import workflow
from applications.access import EVALUATE, VIEW, relationship
from greenmfg.roles import Role

from .models import Assignment, Ban, Commission


def _commissions(user):
    """Commissions of the evaluator this user works for, while that evaluator is not banned."""
    today = timezone.localdate()
    banned = Ban.objects.filter(evaluator=OuterRef("evaluator"), starts_on__lte=today, ends_on__gt=today)
    return Commission.objects.filter(evaluator__staff_group__user=user).exclude(Exists(banned))


@relationship(VIEW)
def commission(user):
    """An evaluator asked to evaluate (until it declines, the request is ended or the declaration moves on
    without it) or that accepted (until a ban ends it) reads the declaration and its files."""
    if not user.has_role(Role.EVALUATOR):
        return None
    live = _commissions(user).filter(
        Q(status=Commission.Status.ACCEPTED)
        | Q(status=Commission.Status.REQUESTED, declaration__state__in=workflow.AWAITING_COMMISSION)
    )
    return Q(pk__in=live.values("declaration_id"))


@relationship(EVALUATE)
def accepted_commission(user):
    if not user.has_role(Role.EVALUATOR):
        return None
    accepted = _commissions(user).filter(status=Commission.Status.ACCEPTED)
    return Q(pk__in=accepted.values("declaration_id"))


@relationship(VIEW)
def expert_assignment(user):
    """An expert assigned to the declaration, until they declare a conflict and are replaced."""
    if not user.has_role(Role.EXPERT):
        return None
    live = Assignment.objects.filter(expert__user=user).exclude(status=Assignment.Status.WITHDRAWN)
    return Q(pk__in=live.values("declaration_id"))

"""Who may act for an evaluator, and what the province does to evaluators."""

from greenmfg.roles import Role


def is_staff_of(evaluator, user) -> bool:
    return (
        user.is_authenticated
        and user.has_role(Role.EVALUATOR)
        and evaluator.staff_group.user_set.filter(pk=user.pk).exists()
    )


def evaluator_of(user):
    """The evaluator this user works for, or None."""
    from .models import Evaluator

    if not user.is_authenticated or not user.has_role(Role.EVALUATOR):
        return None
    return Evaluator.objects.filter(staff_group__user=user).first()

"""The one shape of a permission: a named predicate that answers whether, and if not why.

Each app's ``permissions.py`` defines small predicates ``(user, obj=None) -> Verdict`` and registers the ones
pages ask for with ``@rule("app.name")``. Views call ``require(predicate, user, obj)`` (or decorate with
``@allowed(predicate)``); templates ask ``{% can "app.name" obj as flag %}``; transitions take the predicate
through ``for_transition``. The page, its buttons and its downloads ask the same predicate about the same
object, so a button never shows where the view would refuse.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .refusals import Refused
from .roles import Role


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = Verdict(True)


def refused(reason) -> Verdict:
    return Verdict(False, str(reason))


def verdict(condition: bool, reason) -> Verdict:
    """ALLOWED when ``condition`` holds, else refused with ``reason``."""
    return ALLOWED if condition else refused(reason)


RULES = {}


def rule(name):
    """Register a predicate under ``name`` for templates' ``{% can %}``."""

    def register(predicate):
        if name in RULES and RULES[name] is not predicate:
            raise ValueError(f"rule {name!r} is defined twice")
        RULES[name] = predicate
        predicate.rule_name = name
        return predicate

    return register


def ask(name, user, obj=None) -> Verdict:
    try:
        predicate = RULES[name]
    except KeyError:
        raise LookupError(f"no permission rule named {name!r}") from None
    return predicate(user, obj)


def require(predicate, user, obj=None) -> None:
    """Refuse (403, with the predicate's reason) unless the predicate allows ``user`` on ``obj``."""
    answer = predicate(user, obj)
    if not answer:
        raise PermissionDenied(answer.reason)


def refuse_unless(predicate, user, obj=None) -> None:
    """In a service: raise ``Refused`` with the predicate's reason unless it allows ``user`` on ``obj``."""
    answer = predicate(user, obj)
    if not answer:
        raise Refused(answer.reason)


def allowed(predicate):
    """Decorate a view that needs sign-in and ``predicate`` (asked without an object)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            require(predicate, request.user)
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def for_transition(predicate):
    """django-fsm asks ``permission(instance, user)``; our predicates take the user first."""

    def permission(instance, user):
        return bool(predicate(user, instance))

    permission.__name__ = predicate.__name__
    permission.predicate = predicate
    return permission


# Predicates about the user alone, shared by every app.


def signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


@rule("provincial")
def is_provincial(user, obj=None) -> Verdict:
    return verdict(signed_in(user) and user.is_provincial, _("只有省经信厅可以执行此操作。"))


@rule("city_official")
def is_city_official(user, obj=None) -> Verdict:
    return verdict(signed_in(user) and user.is_city_official, _("只有市州经信局可以执行此操作。"))


@rule("official")
def is_official(user, obj=None) -> Verdict:
    """省经信厅 or 市州经信局."""
    return verdict(
        signed_in(user) and (user.is_provincial or user.is_city_official),
        _("只有省经信厅和市州经信局可以执行此操作。"),
    )


@rule("applicant")
def is_applicant_user(user, obj=None) -> Verdict:
    return verdict(signed_in(user) and user.has_role(Role.APPLICANT), _("只有申报单位的用户可以执行此操作。"))


@rule("evaluator")
def is_evaluator_user(user, obj=None) -> Verdict:
    return verdict(
        signed_in(user) and user.has_role(Role.EVALUATOR), _("只有第三方评价机构的用户可以执行此操作。")
    )


@rule("expert")
def is_expert_user(user, obj=None) -> Verdict:
    return verdict(signed_in(user) and user.has_role(Role.EXPERT), _("只有评审专家可以执行此操作。"))


@rule("administrator")
def is_administrator(user, obj=None) -> Verdict:
    """Reaches the Django admin (系统管理)."""
    return verdict(signed_in(user) and user.is_staff, _("只有系统管理员可以执行此操作。"))


@rule("accounts.manage")
def manages_accounts(user, obj=None) -> Verdict:
    """The 安全管理员: unlocks, second-factor resets, roles (三员分立). A superuser too, audited (emergencies)."""
    return verdict(
        signed_in(user) and (user.has_role(Role.SECURITY) or user.is_superuser),
        _("只有安全管理员可以管理账号。"),
    )


@rule("view_audit")
def may_view_audit(user, obj=None) -> Verdict:
    """The audit administrator (审计管理员) reads the audit trail and exports it; nobody changes it."""
    return verdict(signed_in(user) and user.has_role(Role.AUDITOR), _("只有审计管理员可以查看审计记录。"))

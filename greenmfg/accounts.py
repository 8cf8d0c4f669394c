"""Accounts under 等保2.0 三级: who is held to the stricter rules, and the 安全管理员's services.

Officials (市州经信局, 省经信厅), experts, evaluator staff, the three administrators and superusers are
*privileged*: they need a second factor, a password of 10 characters from 3 classes changed every
``OFFICIAL_PASSWORD_MAX_AGE_DAYS``, and one session at a time that ends when idle or when the browser closes.
Enterprises keep Django's password rules and may add a second factor.

Every authentication event is written to the audit trail from here (the receivers below and the services).
"""

import ipaddress
import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset as reset_attempts
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from .models import AuditEntry, User
from .roles import ADMINISTRATORS, Role

PRIVILEGED_ROLES = frozenset({Role.EVALUATOR, Role.CITY, Role.EXPERT, Role.PROVINCE, *ADMINISTRATORS})
SESSION_TOKEN = "greenmfg_session_token"
LAST_SEEN = "greenmfg_last_seen"
HAS_SECOND_FACTOR = "greenmfg_has_second_factor"


def privileged(user) -> bool:
    return user.is_superuser or any(user.has_role(role) for role in PRIVILEGED_ROLES)


def has_second_factor(user) -> bool:
    return next(devices_for_user(user), None) is not None


def needs_second_factor_in(session, user) -> bool:
    """Required for the privileged; an enterprise that enrolled one is asked for it too (whether it has one is
    read at login and kept in the session, not looked up on every request)."""
    if privileged(user):
        return True
    if session.get(HAS_SECOND_FACTOR) is None:
        session[HAS_SECOND_FACTOR] = has_second_factor(user)
    return session[HAS_SECOND_FACTOR]


def password_expired(user) -> bool:
    age = timedelta(days=settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS)
    return privileged(user) and user.password_changed_at < timezone.now() - age


def must_change_password(user) -> bool:
    return user.must_change_password or password_expired(user)


def client_address(request):
    """The address ``ClientAddressMiddleware`` resolved; ``None`` when the server gave none (a unix socket)."""
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


# 三员分立


def check_separation(role_names) -> None:
    """One account holds at most one of the system, security and audit administrator roles."""
    held = [str(role.label) for role in ADMINISTRATORS if role.value in role_names]
    if len(held) > 1:
        raise ValidationError(
            _("三员分立：一个账号不能同时担任%(roles)s。") % {"roles": "、".join(held)}, code="separation"
        )


def record_roles_changed(user, before, *, actor) -> None:
    after = set(user.groups.values_list("name", flat=True))
    if after != set(before):
        AuditEntry.record(
            user,
            actor=actor,
            action="roles_changed",
            opinion=_("%(before)s → %(after)s")
            % {"before": "、".join(sorted(before)) or "-", "after": "、".join(sorted(after)) or "-"},
        )


@transaction.atomic
def assign_roles(user, roles, *, actor) -> None:
    """Set the user's roles (other groups, such as an evaluator's staff group, stay). Nobody sets their own."""
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("不能修改自己的角色，请由另一位安全管理员操作。"), code="own_roles")
    check_separation({group.name for group in roles})
    before = set(user.groups.values_list("name", flat=True))
    user.groups.set([*roles, *user.groups.exclude(name__in=Role.values)])
    record_roles_changed(user, before, actor=actor)


@receiver(m2m_changed, sender=User.groups.through)
def refuse_two_administrator_roles(sender, instance, action, reverse, pk_set, **kwargs):
    """The model-level guard: however a group is added (admin, shell, a service), 三员分立 holds."""
    if action != "pre_add":
        return
    if reverse:  # group.user_set.add(users)
        for user in User.objects.filter(pk__in=pk_set):
            check_separation({*user.groups.values_list("name", flat=True), instance.name})
    else:
        added = Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)
        check_separation({*instance.groups.values_list("name", flat=True), *added})


# What the 系统管理员 configures in /admin/: nothing about accounts, roles, memberships or the audit trail.
CONFIGURATION = {
    "applications": {
        "organisation", "policy", "batch", "batchcategory", "indicatortemplate", "indicator", "energycarrier",
        "emissionfactor", "benchmarktable", "benchmark",
    },
    "registry": {"plan", "target"},
    "greenmfg": {"region", "outgoingemail"},
    "django_celery_beat": {
        "periodictask", "intervalschedule", "crontabschedule", "solarschedule", "clockedschedule",
    },
}  # fmt: skip


def system_administrator_configures(sender, using, **kwargs):
    """After every migrate the 系统管理员 group holds exactly the configuration permissions (三员分立).

    Connected in ``GreenmfgConfig.ready``, after django.contrib.auth's receiver that creates the permissions (this
    module is imported earlier, by the admin's autodiscovery)."""
    group = Group.objects.using(using).filter(name=Role.ADMIN.value).first()
    if group is None:
        return
    configuration = Q(pk__in=[])
    for app_label, models in CONFIGURATION.items():
        configuration |= Q(content_type__app_label=app_label, content_type__model__in=models)
    group.permissions.set(Permission.objects.using(using).filter(configuration))


# The 安全管理员's services


def locked_out():
    """Username and address pairs locked now, newest first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


def unlock(attempt, *, actor) -> None:
    reset_attempts(ip=attempt.ip_address, username=attempt.username)
    user = User.objects.filter(username=attempt.username).first()
    AuditEntry.record(
        user, actor=actor, action="unlocked", opinion=f"{attempt.username}（{attempt.ip_address}）"
    )


@transaction.atomic
def reset_second_factor(user, *, actor) -> None:
    """Remove every device: the user enrols again at the next login, and their current session ends."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    User.objects.filter(pk=user.pk).update(session_token="")
    AuditEntry.record(user, actor=actor, action="otp_reset")


def password_changed(user) -> None:
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    AuditEntry.record(user, actor=user, action="password_changed")


# Receivers: each authentication event is audited


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    """Remember this login (the next one shows it), claim the only session, and audit it."""
    address = client_address(request)
    token = secrets.token_hex(16)
    request.session[SESSION_TOKEN] = token
    request.session[LAST_SEEN] = timezone.now().timestamp()
    request.session[HAS_SECOND_FACTOR] = has_second_factor(user)
    if privileged(user):
        request.session.set_expiry(0)  # ends when the browser closes
    user.previous_login_at, user.previous_login_address = user.login_at, user.login_address
    user.login_at, user.login_address = timezone.now(), address
    user.session_token = token
    user.save(
        update_fields=[
            "previous_login_at",
            "previous_login_address",
            "login_at",
            "login_address",
            "session_token",
        ]
    )
    opinion = _("超级用户（应急）登录") if user.is_superuser else ""
    AuditEntry.record(user, actor=user, action="login", opinion=opinion, address=address or "")


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    """Audited against the account if it exists, else with no subject and the username tried."""
    username = credentials.get("username", "")
    address = (client_address(request) if request else None) or ""
    user = User.objects.filter(username=username).first()
    AuditEntry.record(user, actor=None, action="login_failed", opinion=username, address=address)


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    user = User.objects.filter(username=username).first()
    AuditEntry.record(user, actor=None, action="locked_out", opinion=username, address=ip_address or "")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        AuditEntry.record(user, actor=user, action="logout", address=client_address(request) or "")

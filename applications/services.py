"""The one place a declaration's state changes, and the other write paths of 申报."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenmfg.models import AuditEntry

from .models import Declaration, Exclusion, Organisation


class TransitionRefused(Exception):
    """A transition that may not run now; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class TransitionOffer:
    name: str
    label: str
    needs_opinion: bool


def _transition_meta(declaration, name):
    method = getattr(declaration, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TransitionRefused(_("未知的操作。"))
    return method, meta.get_transition(declaration.state)


def _state_refusal(declaration) -> str:
    return _("当前状态（%(state)s）不能执行此操作。") % {"state": declaration.get_state_display()}


def _failed_condition(declaration, meta) -> str | None:
    return next((check.message(declaration) for check in meta.conditions if not check(declaration)), None)


def _refusal(declaration, name, user) -> str | None:
    _method, meta = _transition_meta(declaration, name)
    if meta is None:
        return _state_refusal(declaration)
    if not meta.has_perm(declaration, user):
        return _("您无权对该申报执行此操作。")
    return _failed_condition(declaration, meta)


def transition(declaration_id, name, *, user, opinion="", system=False):
    """Run transition ``name`` on a declaration, race-safe, and write the audit trail.

    The row is locked, so two officials clicking at once cannot both win: the second sees the new state and is
    refused. ``system=True`` is for scheduled tasks (no user); it skips the permission check only.
    A caller with side effects of its own wraps this call and them in one ``transaction.atomic``.
    """
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(of=("self",))
            .select_related("batch", "organisation")
            .get(pk=declaration_id)
        )
        method, meta = _transition_meta(declaration, name)
        if system:
            refusal = _failed_condition(declaration, meta) if meta else _state_refusal(declaration)
        else:
            refusal = _refusal(declaration, name, user)
        if refusal:
            raise TransitionRefused(refusal)
        opinion = (opinion or "").strip()
        if meta.custom.get("opinion") and not opinion:
            raise TransitionRefused(_("请填写意见。"))
        from_state = declaration.state
        method()
        declaration.save()
        AuditEntry.record(
            declaration,
            actor=None if system else user,
            action=name,
            from_state=from_state,
            to_state=declaration.state,
            opinion=opinion,
        )
        return declaration


def page_transitions() -> frozenset[str]:
    """Transitions a declaration page may run directly; the others belong to a later stage's service."""
    field = Declaration._meta.get_field("state")
    return frozenset(t.name for t in field.get_all_transitions(Declaration) if t.custom.get("button"))


def action_labels() -> dict[str, str]:
    """Chinese names of what the audit trail records for a declaration."""
    field = Declaration._meta.get_field("state")
    labels = {t.name: str(t.custom["label"]) for t in field.get_all_transitions(Declaration)}
    labels.update(
        create=_("创建申报"),
        attest=_("确认基本条件并承诺"),
        request_commission=_("委托第三方评价机构"),
        decline_commission=_("评价机构谢绝委托"),
    )
    return labels


def offered_transitions(declaration, user) -> list[TransitionOffer]:
    """The buttons this user sees on the declaration page: allowed now, offered as plain buttons."""
    offers = []
    for t in declaration.get_available_user_state_transitions(user):
        if t.custom.get("button"):
            offers.append(TransitionOffer(t.name, t.custom["label"], bool(t.custom.get("opinion"))))
    return offers


def refusal_reason(declaration, name, user) -> str | None:
    return _refusal(declaration, name, user)


@transaction.atomic
def create_declaration(*, organisation: Organisation, user, batch, category, product_name="", summary=""):
    declaration = Declaration.objects.create(
        organisation=organisation,
        region_id=organisation.region_id,
        batch=batch,
        category=category,
        product_name=product_name,
        summary=summary,
        created_by=user,
    )
    AuditEntry.record(declaration, actor=user, action="create", to_state=declaration.state)
    return declaration


def attest(declaration, *, user):
    """Record the eligibility attestation and the 材料真实性承诺 (who and when; the audit keeps both)."""
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if not locked.is_editable:
            raise TransitionRefused(_("申报已提交，不能修改。"))
        locked.eligibility_attested = True
        locked.commitment_accepted_at = timezone.now()
        locked.save(update_fields=["eligibility_attested", "commitment_accepted_at", "updated_at"])
        AuditEntry.record(locked, actor=user, action="attest", opinion=_("确认基本条件并承诺材料真实"))


def exclude(organisation, *, reason, starts_on, ends_on, source="", user=None):
    """Record 近三年不得申报 for an organisation. Later stages (a removal from a list) call this."""
    with transaction.atomic():
        exclusion = Exclusion.objects.create(
            organisation=organisation,
            reason=reason,
            source=source,
            starts_on=starts_on,
            ends_on=ends_on,
            recorded_by=user,
        )
        AuditEntry.record(organisation, actor=user, action="exclude", opinion=str(exclusion))
    return exclusion

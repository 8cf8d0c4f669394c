"""Commissioning and evaluation by third-party evaluators."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from applications import permissions as declaration_permissions
from applications.models import Declaration
from applications.services import TransitionRefused, transition
from greenmfg.models import AuditEntry

from .models import Commission, Evaluation


def request_commission(declaration, evaluator, *, user):
    """The applicant chooses an evaluator. Nothing changes state until the evaluator accepts."""
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=declaration.pk)
        )
        if not declaration_permissions.is_applicant(declaration, user):
            raise TransitionRefused(_("只有申报单位可以委托第三方评价机构。"))
        if declaration.state != Declaration.State.SELF_EVALUATED:
            raise TransitionRefused(_("自评完成后才能委托第三方评价。"))
        if not evaluator.is_approved:
            raise TransitionRefused(_("该机构尚未通过省经信厅审核，不能接受委托。"))
        if declaration.commissions.exclude(status=Commission.Status.DECLINED).exists():
            raise TransitionRefused(_("该申报已有待处理或已接受的委托。"))
        commission = Commission.objects.create(
            declaration=declaration, evaluator=evaluator, requested_by=user
        )
        # The evaluator may read the declaration it is asked to evaluate.
        assign_perm(declaration_permissions.VIEW, evaluator.staff_group, declaration)
        AuditEntry.record(declaration, actor=user, action="request_commission", opinion=str(evaluator))
    return commission


def _open_commission(commission_id, user):
    commission = Commission.objects.select_for_update().select_related("evaluator").get(pk=commission_id)
    if not commission.evaluator.staff_group.user_set.filter(pk=user.pk).exists():
        raise TransitionRefused(_("您不是该评价机构的人员。"))
    if commission.status != Commission.Status.REQUESTED:
        raise TransitionRefused(_("该委托已答复。"))
    return commission


def accept_commission(commission_id, *, user, independence_declaration: str):
    if not (independence_declaration or "").strip():
        raise TransitionRefused(_("接受委托前请填写独立性声明。"))
    with transaction.atomic():
        commission = _open_commission(commission_id, user)
        assign_perm(
            declaration_permissions.EVALUATE, commission.evaluator.staff_group, commission.declaration
        )
        transition(commission.declaration_id, "commission", user=user, opinion=independence_declaration)
        commission.status = Commission.Status.ACCEPTED
        commission.answered_at = timezone.now()
        commission.save(update_fields=["status", "answered_at"])
    return commission


def decline_commission(commission_id, *, user, reason=""):
    with transaction.atomic():
        commission = _open_commission(commission_id, user)
        commission.status = Commission.Status.DECLINED
        commission.answered_at = timezone.now()
        commission.save(update_fields=["status", "answered_at"])
        AuditEntry.record(commission.declaration, actor=user, action="decline_commission", opinion=reason)
    return commission


def submit_evaluation(declaration, *, user, score, conclusion):
    with transaction.atomic():
        commission = declaration.commissions.select_for_update().get(status=Commission.Status.ACCEPTED)
        transition(declaration.pk, "submit_evaluation", user=user, opinion=conclusion)
        return Evaluation.objects.create(
            commission=commission, score=score, conclusion=conclusion, submitted_by=user
        )

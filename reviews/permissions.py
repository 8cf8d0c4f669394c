"""Who may act in 评价与评审: for an evaluator, on the city's recommendation, as an expert, as the province.

Each predicate takes ``(user, obj)`` and answers a ``Verdict`` with the reason in Chinese; the view, its button
and its download ask the same one about the same object, and services ask it again on the locked row.
"""

from django.utils.translation import gettext_lazy as _

from applications import workflow
from applications.permissions import is_applicant
from greenmfg.permissions import (
    Verdict,
    is_city_official,
    is_evaluator_user,
    is_expert_user,
    is_provincial,
    refused,
    rule,
    signed_in,
    verdict,
)

from .models import Assignment, Commission, Evaluator

# Evaluators


def evaluator_of(user):
    """The evaluator this user works for, or None."""
    if not is_evaluator_user(user):
        return None
    return Evaluator.objects.filter(staff_group__user=user).first()


@rule("reviews.evaluator_staff")
def is_staff_of(user, evaluator) -> Verdict:
    """A member of the evaluator's staff (its group, one of the user's groups, read once per request)."""
    return verdict(
        is_evaluator_user(user) and evaluator.staff_group.name in user.role_names,
        _("您不是该评价机构的人员。"),
    )


@rule("reviews.works_for_evaluator")
def works_for_an_evaluator(user, obj=None) -> Verdict:
    """Has an evaluator's own pages (本机构)."""
    return verdict(evaluator_of(user) is not None, _("您不是第三方评价机构的人员。"))


@rule("reviews.view_evaluator")
def may_view_evaluator(user, evaluator) -> Verdict:
    """An approved evaluator's page and evidence are public (its self-declaration); before, only to itself and
    the province."""
    return verdict(
        bool(
            evaluator.is_approved or is_provincial(user) or (signed_in(user) and is_staff_of(user, evaluator))
        ),
        _("该评价机构尚未通过审核。"),
    )


def visible_evaluations(user, evaluator, queryset):
    """The evaluations an evaluator's page lists: the province and the evaluator's own staff see every one;
    anyone else only those of units already listed, never the score of a declaration still under review."""
    if is_provincial(user) or (signed_in(user) and is_staff_of(user, evaluator)):
        return queryset
    return queryset.filter(commission__declaration__state__in=workflow.LISTED)


@rule("reviews.submit_for_approval")
def may_submit_for_approval(user, evaluator) -> Verdict:
    staff = is_staff_of(user, evaluator)
    if not staff:
        return staff
    return verdict(
        evaluator.status in (Evaluator.Status.DRAFT, Evaluator.Status.REJECTED), _("该机构已提交审核。")
    )


@rule("reviews.manage_evaluators")
def may_manage_evaluators(user, obj=None) -> Verdict:
    """The province approves evaluators, reads their audit trail and bans them."""
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以审核和管理评价机构。"))


@rule("reviews.decide_approval")
def may_decide_approval(user, evaluator) -> Verdict:
    province = may_manage_evaluators(user)
    if not province:
        return province
    return verdict(evaluator.status == Evaluator.Status.PENDING, _("该机构不在待审核状态。"))


@rule("reviews.ban")
def may_ban(user, evaluator=None) -> Verdict:
    """Only the province records fraud (禁入); its evidence is for the province alone."""
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以记录禁入和查看禁入证据。"))


# Commissioning and evaluation


@rule("reviews.request_commission")
def may_request_commission(user, declaration) -> Verdict:
    """The applicant commissions an evaluator once self-evaluated, where the batch requires one."""
    applicant = is_applicant(user, declaration)
    if not applicant:
        return applicant
    if declaration.state not in workflow.AWAITING_COMMISSION:
        return refused(_("自评完成后才能委托第三方评价。"))
    if not declaration.setting.requires_third_party:
        return refused(_("本批次该类别不要求第三方评价。"))
    return verdict(
        not declaration.commissions.exclude(status__in=Commission.CLOSED_STATUSES).exists(),
        _("已委托评价机构，等待对方答复；对方谢绝后才能另行委托。"),
    )


def visible_commissions(user, queryset):
    """The commissions this user answers and evaluates: its evaluator's."""
    if not is_evaluator_user(user):
        return queryset.none()
    return queryset.filter(evaluator__staff_group__user=user)


@rule("reviews.answer_commission")
def may_answer_commission(user, commission) -> Verdict:
    """The commissioned evaluator's staff accept or decline, once."""
    staff = is_staff_of(user, commission.evaluator)
    if not staff:
        return staff
    return verdict(commission.status == Commission.Status.REQUESTED, _("该委托已答复。"))


@rule("reviews.evaluation")
def is_evaluating(user, commission) -> Verdict:
    """The staff of an evaluator that accepted the commission read and fill in its evaluation."""
    staff = is_staff_of(user, commission.evaluator)
    if not staff:
        return staff
    return verdict(commission.status == Commission.Status.ACCEPTED, _("该委托尚未接受。"))


# The city's recommendation


def _is_official_of(user, region) -> bool:
    return bool(is_city_official(user)) and region is not None and user.city_id == region.pk


@rule("reviews.city_recommendation")
def may_view_city_recommendation(user, region) -> Verdict:
    """A city's recommendation: its own officials, and the province."""
    return verdict(
        bool(is_provincial(user) or _is_official_of(user, region)),
        _("只有本市州经信局和省经信厅可以查看市州推荐。"),
    )


@rule("reviews.recommend")
def may_recommend(user, region) -> Verdict:
    """Ranking and submitting a city's recommendation: its own officials."""
    return verdict(_is_official_of(user, region), _("只有本市州经信局可以排序和报送推荐。"))


# Experts


@rule("reviews.manage_experts")
def may_manage_experts(user, obj=None) -> Verdict:
    """The province keeps the expert pool, assigns experts and records the review conclusions."""
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以管理专家评审。"))


def live_assignment(user, declaration):
    """This user's assignment to the declaration unless withdrawn (active or submitted), or None."""
    if not is_expert_user(user):
        return None
    return (
        Assignment.objects.filter(declaration=declaration, expert__user=user)
        .exclude(status=Assignment.Status.WITHDRAWN)
        .select_related("expert")
        .first()
    )


@rule("reviews.assigned_expert")
def is_assigned_expert(user, declaration) -> Verdict:
    """An expert assigned to this declaration (not withdrawn) reads their scoring page."""
    return verdict(live_assignment(user, declaration) is not None, _("该申报未分配给您。"))


@rule("reviews.score")
def may_score(user, declaration) -> Verdict:
    """Scoring: only an expert assigned to this declaration, while it is in provincial review."""
    assigned = is_assigned_expert(user, declaration)
    if not assigned:
        return assigned
    return verdict(declaration.state in workflow.IN_PROVINCIAL_REVIEW, _("该申报当前不在省级评审阶段。"))


@rule("reviews.declare_conflict")
def may_declare_conflict(user, assignment) -> Verdict:
    """The expert withdraws from their own active assignment (回避)."""
    if assignment.expert.user_id != user.pk:
        return refused(_("只能声明本人的回避。"))
    return verdict(assignment.status == Assignment.Status.ACTIVE, _("该评审任务已提交或已回避。"))

"""Who may see and act on a declaration: one place, asked by transitions, views, buttons and downloads alike.

Who reaches a declaration at all is derived from the live relationships in ``access`` (membership, a city's own
declarations, a commission, an expert assignment); the province sees every one. Each predicate takes
``(user, obj)`` and answers a ``Verdict`` (allowed, or refused with the reason in Chinese).
"""

from django.utils.translation import gettext_lazy as _

from greenmfg.permissions import (
    Verdict,
    is_applicant_user,
    is_city_official,
    is_official,
    is_provincial,
    rule,
    signed_in,
    verdict,
)
from greenmfg.roles import Role

from . import access, workflow


def is_member(user, organisation) -> bool:
    return signed_in(user) and organisation.members.filter(pk=user.pk).exists()


@rule("declaration.applicant")
def is_applicant(user, declaration) -> Verdict:
    """A member of the declaring organisation."""
    return verdict(
        is_applicant_user(user) and is_member(user, declaration.organisation),
        _("只有申报单位本单位的用户可以执行此操作。"),
    )


@rule("declaration.city_official")
def is_city_official_of(user, declaration) -> Verdict:
    return verdict(
        signed_in(user) and user.is_city_official and user.city_id == declaration.region_id,
        _("只有申报单位所在市州的经信局可以执行此操作。"),
    )


@rule("declaration.commissioned_evaluator")
def is_commissioned_evaluator(user, declaration) -> Verdict:
    return verdict(
        signed_in(user)
        and user.has_role(Role.EVALUATOR)
        and access.reaches(user, declaration, access.EVALUATE),
        _("只有受托的第三方评价机构可以执行此操作。"),
    )


@rule("declaration.view")
def may_view(user, declaration) -> Verdict:
    return verdict(
        bool(is_provincial(user)) or access.reaches(user, declaration),
        _("您无权查看该申报。"),
    )


@rule("declaration.edit")
def may_edit(user, declaration) -> Verdict:
    """The applicant changes its information, self-evaluation and files while the declaration is editable."""
    applicant = is_applicant(user, declaration)
    if not applicant:
        return applicant
    return verdict(
        declaration.state in workflow.EDITABLE_BY_APPLICANT,
        _("申报处于“%(state)s”状态，已锁定；退回修改后才能编辑。")
        % {"state": declaration.get_state_display()},
    )


@rule("declaration.evaluate")
def may_evaluate(user, declaration) -> Verdict:
    """The commissioned evaluator fills in its evaluation while the evaluation is under way."""
    evaluator = is_commissioned_evaluator(user, declaration)
    if not evaluator:
        return evaluator
    return verdict(declaration.state in workflow.AWAITING_EVALUATOR, _("该申报当前不在第三方评价阶段。"))


@rule("declaration.city_review")
def may_city_review(user, declaration) -> Verdict:
    official = is_city_official_of(user, declaration)
    if not official:
        return official
    return verdict(declaration.state in workflow.AWAITING_CITY, _("该申报当前不在市州初审阶段。"))


@rule("declaration.decide")
def may_decide(user, declaration) -> Verdict:
    """The province records the review conclusion while the declaration is in provincial review."""
    province = is_provincial(user)
    if not province:
        return province
    return verdict(declaration.state in workflow.IN_PROVINCIAL_REVIEW, _("该申报当前不在省级评审阶段。"))


# Expert review is 背靠背: who reviews a declaration and how they scored is the province's to see; each expert
# sees only their own entries.
EXPERT_REVIEW_ACTIONS = frozenset({"assign_expert", "declare_conflict", "expert_submit"})


@rule("declaration.audit_entry")
def may_see_audit_entry(user, entry) -> Verdict:
    """An entry of the declaration's trail; the experts' own are shown to the province and to their author."""
    if entry.action not in EXPERT_REVIEW_ACTIONS:
        return verdict(True, "")
    return verdict(
        bool(is_provincial(user)) or entry.actor_id == user.pk,
        _("专家评审背靠背进行，评审专家信息仅省经信厅可见。"),
    )


@rule("declaration.create")
def may_create(user, obj=None) -> Verdict:
    return verdict(
        is_applicant_user(user) and user.organisations.exists(), _("只有申报单位的用户可以创建申报。")
    )


@rule("batch.manage")
def may_manage_batches(user, obj=None) -> Verdict:
    """The province opens annual batches, sets their rules per category and extends their deadlines."""
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以管理申报批次。"))


def _sees_every_organisation(user) -> bool:
    return bool(is_provincial(user)) or (signed_in(user) and user.has_role(Role.ADMIN))


@rule("exclusion.record")
def may_record_exclusions(user, obj=None) -> Verdict:
    """近三年不得申报 records are kept by the province (and the system administrator) and by the cities."""
    return verdict(
        _sees_every_organisation(user) or bool(is_official(user)),
        _("只有省经信厅和市州经信局可以记录不得申报情形。"),
    )


def organisations_kept_by(user, queryset):
    """The organisations whose 不得申报 records this user keeps: every one, or a city's own."""
    if _sees_every_organisation(user):
        return queryset
    if is_city_official(user):
        return queryset.filter(region_id=user.city_id)
    return queryset.none()


def visible_declarations(user, queryset):
    """The declarations this user may see, as a queryset: the only way views list declarations."""
    if _sees_every_organisation(user):
        return queryset
    return access.reachable(user, queryset)

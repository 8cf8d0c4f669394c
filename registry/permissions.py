"""Who may do what in 名单: publicity, lists, imports, re-reviews, annual reports, the cultivation pool, targets.

The same predicates guard the pages (``require``), their buttons (``{% can "registry.…" obj %}``) and the
services (``refuse_unless``), so a call from elsewhere (a task, the shell) meets the same rule.
Each predicate takes ``(user, obj)`` and answers a ``Verdict`` whose reason a refused user reads.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Declaration, Organisation, Policy
from greenmfg.permissions import (
    ALLOWED,
    Verdict,
    is_city_official,
    is_official,
    is_provincial,
    refused,
    rule,
    signed_in,
    verdict,
)
from greenmfg.roles import Role

from .models import Claim, ListedUnit, RereviewAssignment, ReReviewCase


def _is_member(user, organisation) -> bool:
    return signed_in(user) and organisation.members.filter(pk=user.pk).exists()


# 公示 and objections


@rule("registry.open_publicity")
def may_open_publicity(user, obj=None) -> Verdict:
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以发布公示。"))


@rule("registry.close_publicity")
def may_close_publicity(user, publicity) -> Verdict:
    """The province closes a notice that is still open (pending objections are the service's to refuse)."""
    province = verdict(bool(is_provincial(user)), _("只有省经信厅可以结束公示。"))
    if not province:
        return province
    return verdict(not publicity.closed_at, _("该公示已结束。"))


@rule("registry.handle_objections")
def may_handle_objections(user, publicity=None) -> Verdict:
    """Reads the objections of a notice, their evidence, and records the outcome: the province."""
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以处理异议。"))


# The lists


@rule("registry.publish_provincial_list")
def may_publish_provincial_list(user, obj=None) -> Verdict:
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以发布省级及以上名单。"))


def may_publish_municipal_list(user, region) -> Verdict:
    """A city lists its own units, at municipal level."""
    return verdict(
        bool(is_city_official(user)) and region is not None and user.city_id == region.pk,
        _("市级名单由本市州经信局发布。"),
    )


@rule("registry.publish")
def may_publish_lists(user, obj=None) -> Verdict:
    """The page where the province publishes its list and a city its municipal one."""
    return verdict(
        bool(may_publish_provincial_list(user) or is_city_official(user)),
        _("只有省经信厅和市州经信局可以发布名单。"),
    )


@rule("registry.recommend_national")
def may_recommend_national(user, obj=None) -> Verdict:
    """The national recommendation, its export and MIIT's results: the province."""
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以推荐国家级名单。"))


@rule("registry.import")
def may_import_lists(user, obj=None) -> Verdict:
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以导入名单。"))


@rule("registry.revert_import")
def may_revert_import(user, list_import) -> Verdict:
    """The province takes a whole import back within the policy's days, while nothing has been built on it
    since: no declaration, re-review, member or later listing of a unit it created or listed."""
    province = may_import_lists(user)
    if not province:
        return province
    if not list_import.applied_at or list_import.reverted_at:
        return refused(_("只有已导入且未撤销的名单可以撤销。"))
    days = Policy.in_force(list_import.listed_on).import_revert_days
    if (timezone.localdate() - timezone.localdate(list_import.applied_at)).days > days:
        return refused(_("导入已超过%(days)d天，不能整批撤销。") % {"days": days})
    written = list_import.report.get("written", {})
    organisations, units = written.get("organisations", []), written.get("units", [])
    if Declaration.objects.filter(organisation_id__in=organisations).exists():
        return refused(_("导入新建的单位已有申报，不能撤销。"))
    if Organisation.objects.filter(pk__in=organisations, memberships__isnull=False).exists():
        return refused(_("导入新建的单位已有成员，不能撤销。"))
    if Claim.objects.filter(unclaimed_id__in=organisations).exists():
        return refused(_("导入新建的单位已有认领记录，不能撤销。"))
    if ListedUnit.objects.filter(organisation_id__in=organisations).exclude(list_import=list_import).exists():
        return refused(_("导入新建的单位已被其他名单或导入使用，不能撤销。"))
    if ListedUnit.objects.filter(pk__in=units, rereviews__isnull=False).exists():
        return refused(_("导入的名单记录已有三年复核，不能撤销。"))
    return ALLOWED


# 认领 (claims of unclaimed units)


@rule("registry.see_claims")
def may_see_claims(user, obj=None) -> Verdict:
    return verdict(bool(is_official(user)), _("只有省经信厅和市州经信局可以查看单位认领。"))


def _city_of_claim(user, claim) -> Verdict:
    city = is_city_official(user)
    if not city:
        return refused(_("单位认领由注册单位所在市州的经信局确认。"))
    return verdict(user.city_id == claim.claimant.region_id, _("只能处理本市州单位的认领。"))


@rule("registry.decide_claim")
def may_decide_claim(user, claim) -> Verdict:
    """The city where the registering organisation is (属地管理) confirms or rejects a proposed match."""
    city = _city_of_claim(user, claim)
    if not city:
        return city
    return verdict(claim.status == claim.Status.PROPOSED, _("该认领已处理。"))


@rule("registry.undo_claim")
def may_undo_claim(user, claim) -> Verdict:
    city = _city_of_claim(user, claim)
    if not city:
        return city
    return verdict(claim.status == claim.Status.CONFIRMED, _("只有已确认的认领可以撤销。"))


@rule("registry.record_credit_code")
def may_record_credit_code(user, organisation) -> Verdict:
    """A city official records the code of an unclaimed unit of its own city."""
    city = is_city_official(user)
    if not city:
        return refused(_("只有市州经信局可以补录统一社会信用代码。"))
    if organisation.credit_code or organisation.merged_into_id:
        return refused(_("该单位已认领。"))
    return verdict(organisation.region_id == user.city_id, _("只能为本市州的未认领单位补录代码。"))


# 三年一复核 and 动态管理表


@rule("registry.rereviews")
def may_work_on_rereviews(user, obj=None) -> Verdict:
    return verdict(bool(is_official(user)), _("只有省经信厅和市州经信局可以办理三年复核。"))


@rule("registry.report_rereview")
def may_report_rereview(user, case) -> Verdict:
    """The city of the listed unit reports its on-site re-review, once."""
    city = verdict(
        bool(is_city_official(user)) and user.city_id == case.listed_unit.region_id,
        _("只有名单单位所在市州的经信局可以报送复核结果。"),
    )
    if not city:
        return city
    return verdict(case.status == ReReviewCase.Status.OPEN, _("该复核已报送。"))


@rule("registry.decide_rereview")
def may_decide_rereview(user, case) -> Verdict:
    """The province decides once the city has reported."""
    province = verdict(bool(is_provincial(user)), _("只有省经信厅可以作出复核决定。"))
    if not province:
        return province
    return verdict(case.status == ReReviewCase.Status.CITY_REPORTED, _("市州报送复核结果后才能作出决定。"))


@rule("registry.assign_rereview_experts")
def may_assign_rereview_experts(user, case) -> Verdict:
    """The province asks experts to review a case the city has reported, before deciding it."""
    province = verdict(bool(is_provincial(user)), _("只有省经信厅可以分配复核评审专家。"))
    if not province:
        return province
    return verdict(case.status == ReReviewCase.Status.CITY_REPORTED, _("市州报送复核结果后才能分配专家。"))


@rule("registry.read_rereview_assignment")
def may_read_rereview_assignment(user, row) -> Verdict:
    """The expert reads the case while assigned to it (not after withdrawing)."""
    return verdict(
        signed_in(user)
        and row.expert.user_id == user.pk
        and row.status != RereviewAssignment.Status.WITHDRAWN,
        _("该复核评审未分配给您。"),
    )


@rule("registry.score_rereview")
def may_score_rereview(user, row) -> Verdict:
    """The assigned expert scores until they submit, while the province has not decided."""
    mine = may_read_rereview_assignment(user, row)
    if not mine:
        return mine
    if row.status != RereviewAssignment.Status.ACTIVE:
        return refused(_("评分已提交，不能修改。"))
    return verdict(row.case.status == ReReviewCase.Status.CITY_REPORTED, _("该复核已作出决定。"))


@rule("registry.export_rereview_results")
def may_export_rereview_results(user, obj=None) -> Verdict:
    return verdict(bool(is_provincial(user)), _("只有省经信厅可以导出复核结果。"))


@rule("registry.file_annual_report")
def may_file_annual_report(user, unit) -> Verdict:
    """A member of the listed unit's organisation files its yearly 动态管理表."""
    return verdict(_is_member(user, unit.organisation), _("只有名单单位的成员可以填报动态管理表。"))


@rule("registry.annual_reports")
def may_see_annual_reports(user, obj=None) -> Verdict:
    return verdict(bool(is_official(user)), _("只有省经信厅和市州经信局可以查看动态管理表。"))


def overseen(user, queryset, region_field):
    """What an official oversees: the province everything, a city what lies in it, anyone else nothing."""
    if is_provincial(user):
        return queryset
    if is_city_official(user):
        return queryset.filter(**{region_field: user.city_id})
    return queryset.none()


# 培育库


@rule("registry.view_every_pool")
def may_view_every_pool(user, obj=None) -> Verdict:
    """The province (and the system administrator) watch every city's pool."""
    return verdict(
        bool(is_provincial(user)) or (signed_in(user) and user.has_role(Role.ADMIN)),
        _("只有省经信厅可以查看全省培育库。"),
    )


@rule("registry.view_pool")
def may_view_pool(user, obj=None) -> Verdict:
    return verdict(
        bool(may_view_every_pool(user) or is_city_official(user)),
        _("只有市州经信局和省经信厅可以查看培育库。"),
    )


@rule("registry.manage_pool")
def may_manage_pool(user, region) -> Verdict:
    """Keeping a pool (adding, editing, dropping) is the city's own work: the province only watches."""
    if not is_city_official(user):
        return refused(_("只有市州经信局可以维护培育库。"))
    return verdict(region is not None and user.city_id == region.pk, _("只能维护本市州的培育库。"))


def visible_candidates(user, queryset):
    """The candidates this user may see: the only way pages list the pool."""
    if may_view_every_pool(user):
        return queryset
    if is_city_official(user):
        return queryset.filter(region_id=user.city_id)
    return queryset.none()


# Targets


@rule("registry.targets")
def may_see_targets(user, obj=None) -> Verdict:
    return verdict(bool(is_official(user)), _("只有省经信厅和市州经信局可以查看目标完成情况。"))

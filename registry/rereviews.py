"""三年一复核 and removal: dynamic management of the listed units (有进有出)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import annual, benchmarks
from applications.models import Policy
from applications.services import exclude
from greenmfg import notifications, xlsx
from greenmfg.models import AuditEntry, User
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused
from greenmfg.roles import Role

from . import rereview_experts
from .models import AnnualReport, ListedUnit, ReReviewCase
from .permissions import may_decide_rereview, may_file_annual_report, may_report_rereview


def _city_officials(region_id):
    return User.objects.filter(groups__name=Role.CITY.value, city_id=region_id, is_active=True)


def due_unit_ids(today) -> list[int]:
    """Listed units whose re-review date has come and that have no case for that date yet."""
    return list(
        ListedUnit.objects.filter(next_review_on__lte=today)
        .exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
        .exclude(rereviews__due_on=F("next_review_on"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def open_due_rereviews(today=None) -> int:
    """The daily sweep: one case per listed unit whose date has come; the city and the unit are told once."""
    today = today or timezone.localdate()
    return open_rereviews(due_unit_ids(today), today)


def open_rereviews(unit_ids, today) -> int:
    """Open the due cases of these units, each unit in its own transaction, so work done survives a crash and a
    rerun (the unique case per due date) skips it."""
    opened = 0
    due = (
        ListedUnit.objects.filter(pk__in=unit_ids, next_review_on__lte=today)
        .exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
        .select_related("organisation")
        .order_by("pk")
    )
    for unit in due:
        with transaction.atomic():
            case, created = ReReviewCase.objects.get_or_create(listed_unit=unit, due_on=unit.next_review_on)
            if not created:
                continue
            ListedUnit.objects.filter(pk=unit.pk).update(review_status=ListedUnit.ReviewStatus.DUE)
            text = _("%(unit)s 三年复核已到期（%(due)s），请市州开展现场复核。") % {
                "unit": unit,
                "due": unit.next_review_on,
            }
            url = f"/rereviews/{case.pk}/"
            notifications.notify(
                _city_officials(unit.region_id), text=text, url=url, key=f"rereview:{case.pk}:opened"
            )
            notifications.notify(
                unit.organisation.members.all(),
                text=text,
                url=f"/lists/{unit.pk}/",
                key=f"rereview:{case.pk}:opened",
            )
            opened += 1
    return opened


def report_onsite(case, *, user, onsite_date, findings, conclusion, report=None):
    """The city's on-site re-review of one of its units."""
    refuse_unless(may_report_rereview, user, case)
    with transaction.atomic():
        locked = ReReviewCase.objects.select_for_update().select_related("listed_unit").get(pk=case.pk)
        refuse_unless(may_report_rereview, user, locked)
        if onsite_date > timezone.localdate():
            raise Refused(_("现场复核日期不能晚于今天。"))
        locked.onsite_date, locked.findings, locked.city_conclusion = onsite_date, findings, conclusion
        if report is not None:
            locked.report = report
        locked.city_reported_by, locked.city_reported_at = user, timezone.now()
        locked.status = ReReviewCase.Status.CITY_REPORTED
        locked.save()
        AuditEntry.record(
            locked.listed_unit,
            actor=user,
            action="rereview_reported",
            opinion=locked.get_city_conclusion_display(),
        )
        notifications.notify(
            User.objects.filter(groups__name=Role.PROVINCE.value),
            text=_("%(city)s 报送了 %(unit)s 的三年复核结果。")
            % {"city": user.city, "unit": locked.listed_unit},
            url=f"/rereviews/{locked.pk}/",
            key=f"rereview:{locked.pk}:reported",
        )
    return locked


def decide(
    case, *, user, retain: bool, expert_opinion: str, reason: str = "", without_scores_reason: str = ""
):
    """The province decides after the experts' review: retained (next date in three years) or removed.

    When experts were asked (registry.rereview_experts), all of them must have submitted, unless the province
    says why it decides without them. Removal bars the organisation from declaring for three years, through
    applications.services.exclude.
    """
    refuse_unless(may_decide_rereview, user, case)
    if not (expert_opinion or "").strip():
        raise Refused(_("请填写专家评审意见。"))
    if not retain and not (reason or "").strip():
        raise Refused(_("移出名单须写明原因。"))
    if rereview_experts.unscored(case) > 0 and not without_scores_reason.strip():
        raise Refused(_("复核评审专家的评分尚未全部提交；如需直接决定，请填写理由。"))
    if without_scores_reason.strip():
        expert_opinion = f"{expert_opinion}\n{_('未待评分即决定的理由')}：{without_scores_reason.strip()}"
    today = timezone.localdate()
    with transaction.atomic():
        locked = (
            ReReviewCase.objects.select_for_update()
            .select_related("listed_unit__organisation")
            .get(pk=case.pk)
        )
        refuse_unless(may_decide_rereview, user, locked)
        unit = locked.listed_unit
        policy = Policy.in_force(today)
        locked.expert_opinion, locked.decided_by, locked.decided_on = expert_opinion, user, today
        if retain:
            locked.status = ReReviewCase.Status.RETAINED
            unit.review_status = ListedUnit.ReviewStatus.RETAINED
            unit.next_review_on = policy.next_review_on(today)
        else:
            locked.status, locked.removal_reason = ReReviewCase.Status.REMOVED, reason
            unit.review_status = ListedUnit.ReviewStatus.REMOVED
            exclude(
                unit.organisation,
                reason=_("%(year)d年三年复核被移出绿色制造名单：%(reason)s")
                % {"year": today.year, "reason": reason},
                source=_("三年复核移出决定"),
                starts_on=today,
                ends_on=policy.removal_bar_ends_on(today),
                user=user,
            )
        locked.save()
        unit.save(update_fields=["review_status", "next_review_on"])
        scores, _live = rereview_experts.results(locked)
        AuditEntry.record(
            unit,
            actor=user,
            action="rereview_decided",
            opinion=" ".join(
                part
                for part in (
                    str(locked.get_status_display()),
                    _("专家评分 %(score)s") % {"score": scores.final} if scores.count else "",
                    reason,
                )
                if part
            ),
        )
        notifications.notify(
            unit.organisation.members.all(),
            text=_("%(unit)s 三年复核结论：%(result)s。")
            % {"unit": unit, "result": locked.get_status_display()},
            url=f"/lists/{unit.pk}/" if retain else "/dashboard/",
            key=f"rereview:{locked.pk}:decided",
        )
    return locked


def submit_annual_report(unit, *, user, year, inputs=None, **fields):
    """The year's 动态管理表; with raw data (``inputs``), 综合能耗 is computed from it as at declaration time."""
    refuse_unless(may_file_annual_report, user, unit)
    inputs = inputs or {}
    result = annual.compute({str(year): inputs}, benchmarks.carriers([str(year)]))[str(year)]
    if result.errors:
        raise Refused(_("年度运行数据有误：%(reasons)s") % {"reasons": "；".join(result.errors.values())})
    if result.energy is not None:
        fields["energy_consumption"] = result.energy.value.quantize(Decimal("0.01"))
    if fields.get("energy_consumption") is None:
        raise Refused(_("请填写综合能耗，或填写分品种能源消费量。"))
    fields["inputs"] = inputs
    report, _created = AnnualReport.objects.update_or_create(
        listed_unit=unit, year=year, defaults={**fields, "submitted_by": user}
    )
    AuditEntry.record(unit, actor=user, action="annual_report", opinion=str(year))
    return report


RESULT_COLUMNS = [
    "序号",
    "地区",
    "单位名称",
    "类别",
    "级别",
    "入选年度",
    "复核到期日",
    "现场复核日期",
    "市州复核结论",
    "复核结论",
    "移出原因",
]


def results_workbook(year) -> bytes:
    """The year's re-review results, for the report to MIIT."""
    cases = (
        ReReviewCase.objects.filter(due_on__year=year)
        .select_related("listed_unit__organisation", "listed_unit__region")
        .order_by("listed_unit__region__order", "pk")
    )
    rows = []
    for number, case in enumerate(cases, start=1):
        unit = case.listed_unit
        rows.append(
            [
                number,
                unit.region.name,
                unit.organisation.name + (f"（{unit.product_name}）" if unit.product_name else ""),
                unit.get_category_display(),
                unit.get_level_display(),
                unit.year,
                case.due_on,
                case.onsite_date,
                case.get_city_conclusion_display() if case.city_conclusion else "",
                case.get_status_display(),
                case.removal_reason,
            ]
        )
    return xlsx.workbook(
        title=_("%(year)s年绿色制造名单三年复核结果") % {"year": year},
        header=[_(c) for c in RESULT_COLUMNS],
        rows=rows,
    )


ANNUAL_COLUMNS = [
    "序号", "地区", "单位名称", "统一社会信用代码", "类别", "级别", "报送情况", "报送时间",
    "综合能耗（吨标煤）", "工业总产值（万元）", "主要污染物排放与达标情况", "重大变化情况",
]  # fmt: skip


def annual_reports_workbook(units, year) -> bytes:
    """The year's 动态管理表 of ``units`` (each with ``reports``, that year's report if filed), one row a unit."""
    rows = []
    for number, unit in enumerate(units, start=1):
        report = unit.reports[0] if unit.reports else None
        rows.append(
            [
                number,
                unit.region.name if unit.region else _("市州待定"),
                unit.organisation.name,
                unit.organisation.credit_code,
                unit.get_category_display(),
                unit.get_level_display(),
                _("已报送") if report else _("未报送"),
                report.submitted_at if report else None,
                report.energy_consumption if report else None,
                report.output_value if report else None,
                report.emissions if report else "",
                report.changes if report else "",
            ]
        )
    return xlsx.workbook(
        title=_("%(year)s年度绿色制造名单单位动态管理表") % {"year": year},
        header=[_(c) for c in ANNUAL_COLUMNS],
        rows=rows,
    )


def annual_deadline(year):
    """The 动态管理表 deadline of a year (a setting, default 15 April)."""
    month, day = (int(part) for part in settings.ANNUAL_REPORT_DEADLINE.split("-"))
    return timezone.datetime(year, month, day).date()

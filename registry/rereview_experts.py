"""Experts on a 三年一复核 case: chosen, replaced and put together by the same rules as a declaration's experts.

Assignment is ``reviews.assignment.choose`` over the same candidates (no conflict with the unit, the experts
from other cities when the case says so, the open work spread evenly across both kinds of review);
the scores are put together by ``reviews.aggregation.aggregate``; a conflict withdraws the expert, is
remembered for later assignments (``ExpertConflict``) and brings a replacement. Each expert scores the
case on a declaration's sheet (``reviews.scoresheet``): every indicator of the template the unit was listed
under (else its category's current one) with comments, the total computed, and an overall opinion.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import annual, benchmarks
from applications.answers import year_labels
from applications.models import BatchCategory, IndicatorTemplate
from greenmfg import notifications
from greenmfg.identifiers import normalise_credit_code
from greenmfg.models import AuditEntry, User
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused
from reviews import assignment, scoresheet, verification, workload
from reviews.aggregation import aggregate
from reviews.experts import candidates
from reviews.models import ExpertConflict

from .models import RereviewAssignment, ReReviewCase
from .permissions import may_assign_rereview_experts, may_score_rereview


def _live(rows):
    return rows.exclude(status=RereviewAssignment.Status.WITHDRAWN)


@workload.counter
def open_rereviews() -> dict[int, int]:
    """Expert id → re-review cases still to score: counted with declarations when experts are chosen."""
    return workload.count_active(RereviewAssignment.objects.all())


def _case(case) -> assignment.Case:
    unit = case.listed_unit
    return assignment.Case(
        id=case.pk,
        category=unit.category,
        applicant_credit_code=normalise_credit_code(unit.organisation.credit_code or ""),
        region_code=unit.region_id or "",
        already_assigned=frozenset(case.assignments.values_list("expert_id", flat=True)),
    )


def _assign(case, *, count, user):
    chosen, short = assignment.choose(
        candidates(),
        [_case(case)],
        per_case=count,
        other_city_only=case.experts_from_other_cities,
        load=workload.open_work(),
    )
    rows = [
        RereviewAssignment.objects.create(case=case, expert_id=expert_id, assigned_by=user)
        for expert_id in chosen[case.pk]
    ]
    notifications.notify(
        User.objects.filter(is_active=True, expert__in=[row.expert_id for row in rows]),
        text=_("您被分配评审“%(unit)s”的三年复核，请查阅市州复核情况并提交评分。")
        % {"unit": case.listed_unit},
        url=reverse("registry:rereview_experts_mine"),
        key=f"rereview:{case.pk}:assigned:{','.join(str(row.pk) for row in rows)}",
    )
    return rows, short.get(case.pk, 0)


def assign_experts(case, *, user, count: int, other_cities_only: bool) -> int:
    """Bring the case up to ``count`` live experts; returns how many could not be found (0 when enough)."""
    with transaction.atomic():
        locked = (
            ReReviewCase.objects.select_for_update()
            .select_related("listed_unit__organisation")
            .get(pk=case.pk)
        )
        refuse_unless(may_assign_rereview_experts, user, locked)
        locked.experts_from_other_cities = other_cities_only
        locked.scoring_template = locked.scoring_template or template_for(locked.listed_unit)
        locked.save(update_fields=["experts_from_other_cities", "scoring_template"])
        needed = count - _live(locked.assignments.all()).count()
        if needed <= 0:
            return 0
        rows, shortfall = _assign(locked, count=needed, user=user)
        AuditEntry.record(
            locked,
            actor=user,
            action="assign_rereview_experts",
            opinion=", ".join(str(row.expert_id) for row in rows),
        )
    return shortfall


def template_for(unit):
    """The template the unit was listed under (its declaration's), else its category's current one: the latest
    batch's, else the newest there is."""
    if unit.declaration_id:
        return unit.declaration.setting.template
    setting = (
        BatchCategory.objects.filter(category=unit.category)
        .select_related("template")
        .order_by("-batch__year", "-batch_id")
        .first()
    )
    if setting is not None:
        return setting.template
    return IndicatorTemplate.objects.filter(category=unit.category).order_by("-code").first()


def _pass_mark(unit, template):
    setting = (
        unit.declaration.setting
        if unit.declaration_id
        else BatchCategory.objects.filter(category=unit.category, template=template)
        .order_by("-batch__year", "-batch_id")
        .first()
    )
    if setting is not None and setting.template_id == template.pk:
        return setting.effective_pass_mark
    return template.pass_mark


def _computed(unit, template) -> tuple[dict, list[str]]:
    """The computed indicators from the unit's latest 动态管理表 with raw data (the years the template asks,
    the declaration's data filling earlier ones), else as verified at declaration time; and the years shown."""
    declaration = unit.declaration
    reports = {str(r.year): r.inputs for r in unit.annual_reports.all() if r.inputs}
    if not reports and declaration is not None:
        return verification.verified_answers(declaration), year_labels(template, declaration.batch.year)
    latest = max(int(year) for year in reports) if reports else timezone.localdate().year - 1
    years = year_labels(template, latest + 1)
    if not reports:
        return {}, years
    declared = {str(row.year): row.inputs for row in declaration.annual_data.all()} if declaration else {}
    raw = {year: reports.get(year) or declared.get(year) or {} for year in years}
    results = annual.compute(raw, benchmarks.carriers(years))
    return annual.computed_answers(template.indicators.all(), results, years), years


def sheet(case) -> scoresheet.Sheet:
    """The case's scoring sheet: the template fixed when experts were asked, its pass mark and 基准值 (the
    declaration's benchmark table when the unit declared on that template), and the computed indicators."""
    unit = case.listed_unit
    template = case.scoring_template or template_for(unit)
    own = unit.declaration_id and unit.declaration.setting.template_id == template.pk
    computed, years = _computed(unit, template)
    return scoresheet.Sheet(
        template,
        _pass_mark(unit, template),
        unit.declaration.indicator_references() if own else {},
        computed,
        years,
    )


def save_scores(row, *, user, answers: dict, comments: dict, comment: str, submit: bool = False):
    """The expert's scores per indicator with comments and an overall opinion; ``submit`` locks them."""
    with transaction.atomic():
        locked = (
            RereviewAssignment.objects.select_for_update(of=("self",))
            .select_related("case__listed_unit__declaration__batch", "expert")
            .get(pk=row.pk)
        )
        refuse_unless(may_score_rereview, user, locked)
        scoresheet.save(
            locked, sheet(locked.case), answers=answers, comments=comments, comment=comment, submit=submit
        )
        if submit:
            AuditEntry.record(
                locked.case, actor=user, action="rereview_expert_submit", opinion=str(locked.score)
            )
    return locked


def declare_conflict(row, *, user, reason: str):
    """The expert withdraws (回避); the conflict is remembered and another expert replaces them."""
    if not (reason or "").strip():
        raise Refused(_("请说明回避原因。"))
    with transaction.atomic():
        locked = (
            RereviewAssignment.objects.select_for_update()
            .select_related("case__listed_unit__organisation", "expert")
            .get(pk=row.pk)
        )
        refuse_unless(may_score_rereview, user, locked)
        locked.status, locked.withdrawn_reason = RereviewAssignment.Status.WITHDRAWN, reason
        locked.save(update_fields=["status", "withdrawn_reason"])
        credit_code = locked.case.listed_unit.organisation.credit_code
        if credit_code:
            ExpertConflict.objects.create(expert=locked.expert, credit_code=credit_code, description=reason)
        AuditEntry.record(locked.case, actor=user, action="rereview_conflict", opinion=reason)
        replacements, _shortfall = _assign(locked.case, count=1, user=None)
    return replacements[0] if replacements else None


def results(case):
    """(Aggregate of the submitted scores, the live assignments) of one case."""
    live = list(_live(case.assignments.select_related("expert__user")))
    submitted = [row.score for row in live if row.status == RereviewAssignment.Status.SUBMITTED]
    return aggregate(submitted), live


def unscored(case) -> int:
    """Live assignments not yet submitted; -1 when no expert was ever asked (the province may decide alone)."""
    live = _live(case.assignments.all())
    if not live.exists():
        return -1
    return live.exclude(status=RereviewAssignment.Status.SUBMITTED).count()


def assigned_to(user):
    """The re-review cases assigned to this expert, newest open first."""
    return (
        RereviewAssignment.objects.filter(expert__user=user)
        .exclude(status=RereviewAssignment.Status.WITHDRAWN)
        .select_related("case__listed_unit__organisation", "case__listed_unit__region")
        .order_by("status", "-assigned_at")
    )

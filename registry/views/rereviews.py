"""三年一复核 pages: the city's on-site re-review, the province's decision, the results for MIIT, 动态管理表."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import annual, benchmarks
from applications.models import Batch
from greenmfg.downloads import xlsx_response
from greenmfg.permissions import allowed, is_expert_user, require
from greenmfg.refusals import refusal_as_form_error, refusal_as_message
from reviews import scoresheet

from .. import rereview_experts, rereviews, trends
from ..forms import (
    AnnualReportForm,
    DecisionForm,
    OnsiteReportForm,
    RereviewConflictForm,
    RereviewExpertsForm,
    YearForm,
)
from ..models import AnnualReport, ListedUnit, RereviewAssignment, ReReviewCase
from ..permissions import (
    may_assign_rereview_experts,
    may_decide_rereview,
    may_export_rereview_results,
    may_file_annual_report,
    may_read_rereview_assignment,
    may_report_rereview,
    may_score_rereview,
    may_see_annual_reports,
    may_work_on_rereviews,
    overseen,
)


def _visible_cases(user):
    cases = ReReviewCase.objects.select_related("listed_unit__organisation", "listed_unit__region")
    return overseen(user, cases, "listed_unit__region_id")


@allowed(may_work_on_rereviews)
def case_list(request):
    cases = _visible_cases(request.user)
    status = request.GET.get("status")
    if status in ReReviewCase.Status.values:
        cases = cases.filter(status=status)
    context = {
        "cases": cases[:300],
        "statuses": ReReviewCase.Status.choices,
        "status": status,
        "year": timezone.localdate().year,
    }
    return render(request, "registry/rereviews.html", context)


@allowed(may_work_on_rereviews)
def case_detail(request, pk):
    """The city reports (the ``report`` button) and the province decides, each on its own form."""
    case = get_object_or_404(_visible_cases(request.user), pk=pk)
    report_form = OnsiteReportForm(prefix="report")
    decision_form = DecisionForm(prefix="decision")
    scores, assignments = rereview_experts.results(case)
    experts_form = RereviewExpertsForm(prefix="experts", initial=_expert_defaults(case, assignments))
    if request.method == "POST" and "assign" in request.POST:
        require(may_assign_rereview_experts, request.user, case)
        experts_form = RereviewExpertsForm(request.POST, prefix="experts")
        if experts_form.is_valid():
            with refusal_as_form_error(experts_form):
                short = rereview_experts.assign_experts(
                    case,
                    user=request.user,
                    count=experts_form.cleaned_data["count"],
                    other_cities_only=experts_form.cleaned_data["other_cities_only"],
                )
                if short:
                    messages.warning(
                        request, _("无利害关系的专家不足，还差 %(n)d 人，请扩充专家库。") % {"n": short}
                    )
                else:
                    messages.success(request, _("已分配复核评审专家。"))
                return redirect("registry:rereview", pk=pk)
    elif request.method == "POST" and "report" in request.POST:
        require(may_report_rereview, request.user, case)
        report_form = OnsiteReportForm(request.POST, request.FILES, prefix="report")
        if report_form.is_valid():
            with refusal_as_form_error(report_form):
                rereviews.report_onsite(case, user=request.user, **report_form.cleaned_data)
                messages.success(request, _("复核结果已报送省经信厅。"))
                return redirect("registry:rereview", pk=pk)
    elif request.method == "POST":
        require(may_decide_rereview, request.user, case)
        decision_form = DecisionForm(request.POST, prefix="decision")
        if decision_form.is_valid():
            data = decision_form.cleaned_data
            with refusal_as_form_error(decision_form):
                rereviews.decide(
                    case,
                    user=request.user,
                    retain=data["decision"] == "retain",
                    expert_opinion=data["expert_opinion"],
                    reason=data["reason"],
                    without_scores_reason=data["without_scores_reason"],
                )
                messages.success(request, _("复核决定已记录。"))
                return redirect("registry:rereview", pk=pk)
    context = {
        "case": case,
        "report_form": report_form,
        "decision_form": decision_form,
        "experts_form": experts_form,
        "scores": scores,
        "assignments": assignments,
        "trends": trends.trends(case.listed_unit),
    }
    return render(request, "registry/rereview.html", context)


def _expert_defaults(case, assigned):
    """The experts already asked, or else as many, from other cities or not, as the latest batch asks of a
    declaration."""
    if assigned:
        return {"count": len(assigned), "other_cities_only": case.experts_from_other_cities}
    batch = Batch.objects.order_by("-year", "-pk").first()
    if batch is None:
        return {"other_cities_only": case.experts_from_other_cities}
    return {"count": batch.experts_per_declaration, "other_cities_only": batch.experts_from_other_cities}


@allowed(is_expert_user)
def expert_queue(request):
    """The re-review cases assigned to the signed-in expert."""
    rows = rereview_experts.assigned_to(request.user)
    return render(request, "registry/rereview_expert_queue.html", {"rows": rows})


@login_required
def expert_review(request, pk):
    """The assigned expert reads the city's re-review and scores it on a declaration's sheet, or withdraws."""
    row = get_object_or_404(
        RereviewAssignment.objects.select_related(
            "expert",
            "case__scoring_template",
            "case__listed_unit__organisation",
            "case__listed_unit__region",
            "case__listed_unit__declaration__batch",
        ),
        pk=pk,
    )
    require(may_read_rereview_assignment, request.user, row)
    sheet = rereview_experts.sheet(row.case)
    answers, comments = scoresheet.stored(row)
    errors = {}
    conflict_form = RereviewConflictForm(prefix="conflict")
    if request.method == "POST" and "conflict" in request.POST:
        conflict_form = RereviewConflictForm(request.POST, prefix="conflict")
        if conflict_form.is_valid():
            with refusal_as_form_error(conflict_form):
                rereview_experts.declare_conflict(
                    row, user=request.user, reason=conflict_form.cleaned_data["reason"]
                )
                messages.success(request, _("已回避，省经信厅将另行分配专家。"))
                return redirect("registry:rereview_experts_mine")
    elif request.method == "POST":
        require(may_score_rereview, request.user, row)
        answers, comments, errors = scoresheet.from_post(sheet, request.POST)
        row.comment = request.POST.get("comment", "")
        if errors:
            messages.error(request, _("有指标的数值填写有误，请检查标红的行。"))
        else:
            submit = "submit" in request.POST
            with refusal_as_message(request):  # a refusal shows the sheet again as typed
                rereview_experts.save_scores(
                    row,
                    user=request.user,
                    answers=answers,
                    comments=comments,
                    comment=row.comment,
                    submit=submit,
                )
                messages.success(request, _("评分已提交。") if submit else _("草稿已保存。"))
                return redirect("registry:rereview_expert_review", pk=pk)
    context = {
        "row": row,
        "assignment": row,
        "case": row.case,
        "template": sheet.template,
        "rows": scoresheet.rows(sheet, answers, comments, errors),
        "editable": may_score_rereview(request.user, row),
        "conflict_form": conflict_form,
        "trends": trends.trends(row.case.listed_unit),
    }
    return render(request, "registry/rereview_expert_review.html", context)


@allowed(may_export_rereview_results)
def results_export(request):
    year = YearForm.chosen(request, timezone.localdate().year)
    return xlsx_response(rereviews.results_workbook(year), _("三年复核结果-%(year)s.xlsx") % {"year": year})


@login_required
def annual_report(request, pk):
    """A listed unit's members file the yearly 动态管理表, with the same raw data as at declaration time."""
    unit = get_object_or_404(ListedUnit.objects.public(), pk=pk)
    require(may_file_annual_report, request.user, unit)
    year = timezone.localdate().year
    form = AnnualReportForm(request.POST or None, initial={"year": year - 1})
    posted_year = request.POST.get("year", "")
    years = [posted_year if posted_year.isdigit() else str(year - 1)]
    raw = annual.raw_from_post(request.POST, years) if request.method == "POST" else {years[0]: {}}
    carriers = benchmarks.carriers(years)
    results = annual.compute(raw, carriers)
    if request.method == "POST" and form.is_valid() and not annual.has_errors(results):
        with refusal_as_form_error(form):
            rereviews.submit_annual_report(unit, user=request.user, inputs=raw[years[0]], **form.cleaned_data)
            messages.success(request, _("动态管理表已提交。"))
            return redirect("registry:unit", pk=pk)
    context = {
        "unit": unit,
        "form": form,
        "deadline": rereviews.annual_deadline(year),
        "data_years": annual.years_on_form(raw, results, carriers),
        "editable": True,
    }
    return render(request, "registry/annual_report.html", context)


@allowed(may_see_annual_reports)
def annual_reports(request):
    """The city sees which of its listed units filed the year's 动态管理表 (the province sees all)."""
    units = overseen(request.user, ListedUnit.objects.public(), "region_id")
    year = YearForm.chosen(request, timezone.localdate().year - 1)
    units = units.prefetch_related(
        Prefetch("annual_reports", queryset=AnnualReport.objects.filter(year=year), to_attr="reports")
    )
    context = {"units": units[:500], "year": year, "deadline": rereviews.annual_deadline(year + 1)}
    return render(request, "registry/annual_reports.html", context)


@allowed(may_see_annual_reports)
def annual_reports_export(request):
    """The year's 动态管理表 of every unit the user oversees, filed or not, as .xlsx."""
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and len(asked) == 4 else timezone.localdate().year - 1
    units = overseen(request.user, ListedUnit.objects.public(), "region_id").prefetch_related(
        Prefetch("annual_reports", queryset=AnnualReport.objects.filter(year=year), to_attr="reports")
    )
    return xlsx_response(
        rereviews.annual_reports_workbook(units, year), _("动态管理表-%(year)s.xlsx") % {"year": year}
    )

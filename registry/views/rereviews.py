"""三年一复核 pages: the city's on-site re-review, the province's decision, the results for MIIT, 动态管理表."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import annual, benchmarks
from greenmfg.downloads import xlsx_response
from greenmfg.permissions import allowed, require
from greenmfg.refusals import refusal_as_form_error

from .. import rereviews, trends
from ..forms import AnnualReportForm, DecisionForm, OnsiteReportForm, YearForm
from ..models import AnnualReport, ListedUnit, ReReviewCase
from ..permissions import (
    may_decide_rereview,
    may_export_rereview_results,
    may_file_annual_report,
    may_report_rereview,
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
    if request.method == "POST" and "report" in request.POST:
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
                )
                messages.success(request, _("复核决定已记录。"))
                return redirect("registry:rereview", pk=pk)
    context = {
        "case": case,
        "report_form": report_form,
        "decision_form": decision_form,
        "trends": trends.trends(case.listed_unit),
    }
    return render(request, "registry/rereview.html", context)


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

"""三年一复核 pages: the city's on-site re-review, the province's decision, the results for MIIT, 动态管理表."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import uploads
from applications.services import TransitionRefused
from greenmfg.downloads import xlsx_response

from . import rereviews
from .models import AnnualReport, ListedUnit, ReReviewCase


class OnsiteReportForm(forms.Form):
    onsite_date = forms.DateField(
        label=gettext_lazy("现场复核日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    findings = forms.CharField(label=gettext_lazy("复核情况"), widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.ChoiceField(
        label=gettext_lazy("复核结论"), choices=ReReviewCase.CityConclusion.choices
    )
    report = forms.FileField(label=gettext_lazy("复核报告"))

    def clean_report(self):
        report = self.cleaned_data["report"]
        uploads.validate_upload(report, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        return report


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("复核决定"),
        choices=[("retain", gettext_lazy("保留")), ("remove", gettext_lazy("移出名单"))],
    )
    expert_opinion = forms.CharField(
        label=gettext_lazy("专家评审意见"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=gettext_lazy("移出原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnnualReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ["year", "energy_consumption", "output_value", "emissions", "changes"]
        widgets = {
            "emissions": forms.Textarea(attrs={"rows": 3}),
            "changes": forms.Textarea(attrs={"rows": 3}),
        }


def _visible_cases(user):
    cases = ReReviewCase.objects.select_related("listed_unit__organisation", "listed_unit__region")
    if user.is_provincial:
        return cases
    if user.is_city_official:
        return cases.filter(listed_unit__region_id=user.city_id)
    raise PermissionDenied(_("只有省经信厅和市州经信局可以办理三年复核。"))


@login_required
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


@login_required
def case_detail(request, pk):
    case = get_object_or_404(_visible_cases(request.user), pk=pk)
    report_form = OnsiteReportForm(prefix="report")
    decision_form = DecisionForm(prefix="decision")
    if request.method == "POST":
        try:
            if "report" in request.POST:
                report_form = OnsiteReportForm(request.POST, request.FILES, prefix="report")
                if report_form.is_valid():
                    rereviews.report_onsite(case, user=request.user, **report_form.cleaned_data)
                    messages.success(request, _("复核结果已报送省经信厅。"))
                    return redirect("registry:rereview", pk=pk)
            else:
                decision_form = DecisionForm(request.POST, prefix="decision")
                if decision_form.is_valid():
                    data = decision_form.cleaned_data
                    rereviews.decide(
                        case,
                        user=request.user,
                        retain=data["decision"] == "retain",
                        expert_opinion=data["expert_opinion"],
                        reason=data["reason"],
                    )
                    messages.success(request, _("复核决定已记录。"))
                    return redirect("registry:rereview", pk=pk)
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
    context = {"case": case, "report_form": report_form, "decision_form": decision_form}
    return render(request, "registry/rereview.html", context)


@login_required
def results_export(request):
    if not request.user.is_provincial:
        raise PermissionDenied(_("只有省经信厅可以导出复核结果。"))
    year = int(request.GET.get("year") or timezone.localdate().year)
    return xlsx_response(rereviews.results_workbook(year), f"rereview-results-{year}.xlsx")


@login_required
def annual_report(request, pk):
    """A listed unit's members file the yearly 动态管理表."""
    unit = get_object_or_404(ListedUnit.objects.public(), pk=pk)
    if not unit.organisation.members.filter(pk=request.user.pk).exists():
        raise PermissionDenied(_("只有名单单位的成员可以填报动态管理表。"))
    year = timezone.localdate().year
    form = AnnualReportForm(request.POST or None, initial={"year": year - 1})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        rereviews.submit_annual_report(unit, user=request.user, **data)
        messages.success(request, _("动态管理表已提交。"))
        return redirect("registry:unit", pk=pk)
    deadline = rereviews.annual_deadline(year)
    return render(request, "registry/annual_report.html", {"unit": unit, "form": form, "deadline": deadline})


@login_required
def annual_reports(request):
    """The city sees which of its listed units filed the year's 动态管理表 (the province sees all)."""
    user = request.user
    units = ListedUnit.objects.public()
    if user.is_city_official:
        units = units.filter(region_id=user.city_id)
    elif not user.is_provincial:
        raise PermissionDenied(_("只有省经信厅和市州经信局可以查看动态管理表。"))
    year = int(request.GET.get("year") or timezone.localdate().year - 1)
    units = units.prefetch_related(
        Prefetch("annual_reports", queryset=AnnualReport.objects.filter(year=year), to_attr="reports")
    )
    context = {"units": units[:500], "year": year, "deadline": rereviews.annual_deadline(year + 1)}
    return render(request, "registry/annual_reports.html", context)

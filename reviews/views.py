from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from applications import permissions as declaration_permissions
from applications.services import TransitionRefused
from applications.views import get_visible_declaration

from . import services
from .forms import AcceptCommissionForm, CommissionRequestForm, EvaluationForm
from .models import Commission


@login_required
def commission_request(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    if not declaration_permissions.is_applicant(declaration, request.user):
        raise PermissionDenied(_("只有申报单位可以委托第三方评价机构。"))
    form = CommissionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_commission(declaration, form.cleaned_data["evaluator"], user=request.user)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("委托已发送，等待评价机构接受。"))
            return redirect("applications:detail", pk=pk)
    return render(request, "reviews/commission_request.html", {"declaration": declaration, "form": form})


def _staff_commission(user, pk):
    return get_object_or_404(
        Commission.objects.select_related("declaration__organisation", "evaluator"),
        pk=pk,
        evaluator__staff_group__user=user,
    )


@login_required
def commission_answer(request, pk):
    commission = _staff_commission(request.user, pk)
    form = AcceptCommissionForm(request.POST or None)
    if request.method == "POST":
        try:
            if "decline" in request.POST:
                services.decline_commission(
                    commission.pk, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("已谢绝该委托。"))
                return redirect("dashboard")
            if form.is_valid():
                services.accept_commission(
                    commission.pk,
                    user=request.user,
                    independence_declaration=form.cleaned_data["independence_declaration"],
                )
                messages.success(request, _("已接受委托，可以开始评价。"))
                return redirect("applications:detail", pk=commission.declaration_id)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
    return render(request, "reviews/commission_answer.html", {"commission": commission, "form": form})


@login_required
def evaluation_submit(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    if not declaration_permissions.is_commissioned_evaluator(declaration, request.user):
        raise PermissionDenied(_("只有受托评价机构可以提交评价。"))
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_evaluation(declaration, user=request.user, **form.cleaned_data)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("评价已提交。"))
            return redirect("applications:detail", pk=pk)
    return render(request, "reviews/evaluation_form.html", {"declaration": declaration, "form": form})

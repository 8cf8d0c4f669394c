"""Publishing the lists: the province's provincial list, a city's municipal list, the national recommendation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.services import TransitionRefused
from greenmfg.downloads import xlsx_response
from greenmfg.roles import require_provincial

from . import exports, services
from .forms import MunicipalListForm, NationalRecommendationForm, PublishListForm
from .models import ListedUnit, ListPublication, NationalRecommendation


@login_required
def publish(request):
    """The province publishes the provincial list with its 文号; a city its municipal list."""
    user = request.user
    if user.is_provincial:
        form = PublishListForm(request.POST or None, initial={"year": timezone.localdate().year})
        if request.method == "POST" and form.is_valid():
            try:
                services.publish_list(
                    form.cleaned_data["units"],
                    user=user,
                    level=ListedUnit.Level.PROVINCIAL,
                    year=form.cleaned_data["year"],
                    document_number=form.cleaned_data["document_number"],
                    published_on=form.cleaned_data["published_on"],
                )
            except TransitionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("省级名单已发布。"))
                return redirect("registry:publish")
    elif user.is_city_official:
        form = MunicipalListForm(
            request.POST or None, city=user.city, initial={"year": timezone.localdate().year}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.add_municipal_units(
                    [(o, data["category"], data["product_name"]) for o in data["organisations"]],
                    user=user,
                    year=data["year"],
                    document_number=data["document_number"],
                    listed_on=data["listed_on"],
                )
            except TransitionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("市级名单已发布。"))
                return redirect("registry:publish")
    else:
        raise PermissionDenied(_("只有省经信厅和市州经信局可以发布名单。"))
    publications = ListPublication.objects.select_related("region").order_by("-published_on")
    if user.is_city_official:
        publications = publications.filter(region=user.city)
    return render(request, "registry/publish.html", {"form": form, "publications": publications[:50]})


def _require_provincial(user):
    require_provincial(user, _("只有省经信厅可以推荐国家级名单。"))


@login_required
def national(request):
    _require_provincial(request.user)
    form = NationalRecommendationForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.recommend_to_national(
                form.cleaned_data["units"], user=request.user, year=form.cleaned_data["year"]
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已推荐 %(n)d 个单位。") % {"n": len(created)})
            return redirect("registry:national")
    recommendations = NationalRecommendation.objects.select_related(
        "unit__organisation", "unit__region"
    ).order_by("-year", "unit__region__order")
    return render(request, "registry/national.html", {"form": form, "recommendations": recommendations[:500]})


@login_required
def national_export(request):
    """The national recommendation as .xlsx, in the list's columns."""
    _require_provincial(request.user)
    year = request.GET.get("year") or timezone.localdate().year
    units = ListedUnit.objects.for_lists().filter(national_recommendations__year=year).distinct()
    return xlsx_response(exports.list_workbook(units), f"national-recommendation-{year}.xlsx")


@login_required
@require_POST
def national_result(request, pk):
    _require_provincial(request.user)
    recommendation = get_object_or_404(NationalRecommendation, pk=pk)
    try:
        services.record_national_result(
            recommendation,
            user=request.user,
            accepted=request.POST.get("result") == "accepted",
            document_number=request.POST.get("document_number", ""),
        )
        messages.success(request, _("已记录国家级结果。"))
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("registry:national")

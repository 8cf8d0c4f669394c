"""Publishing the lists: the province's provincial list, a city's municipal list, the national recommendation."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenmfg.downloads import pdf_response, xlsx_response
from greenmfg.permissions import allowed
from greenmfg.refusals import refusal_as_form_error, refusal_as_message

from .. import exports, services
from ..forms import MunicipalListForm, NationalRecommendationForm, PublishListForm, YearForm
from ..models import ListedUnit, ListPublication, NationalRecommendation
from ..permissions import may_publish_lists, may_publish_provincial_list, may_recommend_national


@allowed(may_publish_lists)
def publish(request):
    """The province publishes the provincial list with its 文号; a city its municipal list."""
    user = request.user
    publications = ListPublication.objects.select_related("region").order_by("-published_on")
    this_year = {"year": timezone.localdate().year}
    if may_publish_provincial_list(user):
        form = PublishListForm(request.POST or None, initial=this_year)
        if request.method == "POST" and form.is_valid():
            with refusal_as_form_error(form):
                services.publish_list(
                    form.cleaned_data["units"],
                    user=user,
                    level=ListedUnit.Level.PROVINCIAL,
                    year=form.cleaned_data["year"],
                    document_number=form.cleaned_data["document_number"],
                    published_on=form.cleaned_data["published_on"],
                )
                messages.success(request, _("省级名单已发布。"))
                return redirect("registry:publish")
    else:
        form = MunicipalListForm(request.POST or None, city=user.city, initial=this_year)
        publications = publications.filter(region=user.city)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with refusal_as_form_error(form):
                services.add_municipal_units(
                    [(o, data["category"], data["product_name"]) for o in data["organisations"]],
                    user=user,
                    year=data["year"],
                    document_number=data["document_number"],
                    listed_on=data["listed_on"],
                )
                messages.success(request, _("市级名单已发布。"))
                return redirect("registry:publish")
    return render(request, "registry/publish.html", {"form": form, "publications": publications[:50]})


def publication_pdf(request, pk):
    """A published list as its office issued it (PDF, signed when the office has a certificate), for anyone: a
    list is public once published."""
    publication = get_object_or_404(ListPublication, pk=pk)
    return pdf_response(
        exports.publication_pdf(publication),
        _("绿色制造名单-%(year)s-%(number)s.pdf")
        % {"year": publication.year, "number": publication.document_number},
    )


@allowed(may_recommend_national)
def national(request):
    form = NationalRecommendationForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            created = services.recommend_to_national(
                form.cleaned_data["units"], user=request.user, year=form.cleaned_data["year"]
            )
            messages.success(request, _("已推荐 %(n)d 个单位。") % {"n": len(created)})
            return redirect("registry:national")
    recommendations = NationalRecommendation.objects.select_related(
        "unit__organisation", "unit__region"
    ).order_by("-year", "unit__region__order")
    return render(request, "registry/national.html", {"form": form, "recommendations": recommendations[:500]})


@allowed(may_recommend_national)
def national_export(request):
    """The national recommendation as .xlsx, in the list's columns."""
    year = YearForm.chosen(request, timezone.localdate().year)
    units = ListedUnit.objects.for_lists().filter(national_recommendations__year=year).distinct()
    return xlsx_response(
        exports.list_workbook(units, title=_("推荐国家级绿色制造名单（%(year)s年）") % {"year": year}),
        _("推荐国家级名单-%(year)s.xlsx") % {"year": year},
    )


@allowed(may_recommend_national)
@require_POST
def national_result(request, pk):
    recommendation = get_object_or_404(NationalRecommendation, pk=pk)
    with refusal_as_message(request):
        services.record_national_result(
            recommendation,
            user=request.user,
            accepted=request.POST.get("result") == "accepted",
            document_number=request.POST.get("document_number", ""),
        )
        messages.success(request, _("已记录国家级结果。"))
    return redirect("registry:national")

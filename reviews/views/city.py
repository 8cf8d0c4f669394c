"""市州初审 pages: one screen to decide a declaration, then the city's ranked recommendation and its documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from applications import permissions as declaration_permissions
from applications import versions
from applications.models import Batch, Declaration
from applications.services import TransitionRefused
from applications.views import get_visible_declaration
from greenmfg.downloads import pdf_response, xlsx_response
from greenmfg.models import Region

from .. import city, documents, services
from ..forms import CityReviewForm, RecommendationForm
from ..models import CityPreReview, Commission, Evaluation


@login_required
def city_review(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    if not declaration_permissions.is_city_official_of(request.user, declaration):
        raise PermissionDenied(_("只有申报单位所在市州的经信局可以初审。"))
    existing = CityPreReview.objects.filter(declaration=declaration).first()
    initial = {}
    if existing:
        initial = {
            f: getattr(existing, f)
            for f in ("checklist", "onsite_notes", "opinion", "items_to_fix", "decision")
        }
    form = CityReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            city.record_review(declaration, user=request.user, **form.cleaned_data)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("初审结论已记录。"))
            return redirect("reviews:city_recommendation", batch_pk=declaration.batch_id)
    evaluation = (
        Evaluation.objects.filter(
            commission__declaration=declaration,
            commission__status=Commission.Status.ACCEPTED,
            submitted_at__isnull=False,
        )
        .select_related("commission__evaluator")
        .first()
    )
    context = {
        "declaration": declaration,
        "form": form,
        "readiness": city.readiness(declaration),
        "result": declaration.self_evaluation(),
        "evaluation": evaluation,
        "gaps": services.discrepancies(declaration, evaluation) if evaluation else [],
        "changes": versions.changes(declaration),
        "attachments": declaration.attachments.all(),
        "locked": city.recommendation_for(declaration.batch, declaration.region) is not None,
    }
    return render(request, "reviews/city_review.html", context)


def _city_scope(request, batch_pk):
    """The batch and the city whose recommendation this user may see: their own, or any for the province."""
    batch = get_object_or_404(Batch, pk=batch_pk)
    user = request.user
    if user.is_city_official:
        return batch, user.city
    if user.is_provincial:
        return batch, get_object_or_404(Region, pk=request.GET.get("region", ""))
    raise PermissionDenied(_("只有市州经信局和省经信厅可以查看市州推荐。"))


@login_required
def city_recommendation(request, batch_pk):
    batch, region = _city_scope(request, batch_pk)
    form = RecommendationForm(request.POST or None)
    if request.method == "POST":
        try:
            if "rank" in request.POST:
                order = [int(pk) for pk in request.POST.getlist("order") if pk.isdigit()]
                city.rank(batch, region, user=request.user, order=order)
                messages.success(request, _("排序已保存。"))
                return redirect("reviews:city_recommendation", batch_pk=batch.pk)
            if form.is_valid():
                city.submit_recommendation(
                    batch, region, user=request.user, opinion=form.cleaned_data["opinion"]
                )
                messages.success(request, _("推荐已报送省经信厅。"))
                return redirect("reviews:city_recommendation", batch_pk=batch.pk)
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
    queue = Declaration.objects.filter(batch=batch, region=region).select_related("organisation", "region")
    context = {
        "batch": batch,
        "region": region,
        "form": form,
        "recommended": list(city.recommended(batch, region)),
        "undecided": list(queue.filter(state=Declaration.State.CITY_REVIEW, city_review__isnull=True)),
        "submitted": city.recommendation_for(batch, region),
        "sent": list(
            queue.filter(city_review__decision="recommend").exclude(state=Declaration.State.CITY_REVIEW)
        ),
    }
    return render(request, "reviews/city_recommendation.html", context)


@login_required
def recommendation_summary(request, batch_pk):
    """推荐汇总表 (.xlsx) of one city."""
    batch, region = _city_scope(request, batch_pk)
    return xlsx_response(
        documents.recommendation_workbook(batch, region), f"recommendation-{region.pk}-{batch.year}.xlsx"
    )


@login_required
def recommendation_opinion(request, batch_pk):
    """推荐意见 (PDF) of one city, with its name and date."""
    batch, region = _city_scope(request, batch_pk)
    return pdf_response(
        documents.recommendation_pdf(batch, region), f"recommendation-{region.pk}-{batch.year}.pdf"
    )

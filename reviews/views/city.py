"""市州初审 pages: one screen to decide a declaration, then the city's ranked recommendation and its documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import permissions as declaration_permissions
from applications import versions, workflow
from applications.models import Batch, Declaration
from greenmfg.downloads import pdf_response, xlsx_response
from greenmfg.models import Region
from greenmfg.permissions import is_provincial, require
from greenmfg.refusals import refusal_as_form_error, refusal_as_message
from greenmfg.shortcuts import get_visible_or_404

from .. import city, documents, services, verification
from ..forms import CityReviewForm, RecommendationForm
from ..models import CityPreReview, Commission, Evaluation
from ..permissions import may_view_city_recommendation

CITY_DECISION_DONE = {
    CityPreReview.Decision.RECOMMEND: gettext_lazy(
        "已记录初审结论：拟推荐。下一步：在本页为拟推荐的申报排序，填写推荐意见后报送省经信厅。"
    ),
    CityPreReview.Decision.RETURN: gettext_lazy("已退回申报单位修改，对方会收到通知；重新提交后回到待初审。"),
    CityPreReview.Decision.NOT_RECOMMEND: gettext_lazy("已记录初审结论：不予推荐，申报单位会收到通知。"),
}


@login_required
def city_review(request, pk):
    """The city official reads the declaration here at any stage; records the 初审 while it awaits the city."""
    declaration = get_visible_or_404(
        declaration_permissions.visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )
    require(declaration_permissions.is_city_official_of, request.user, declaration)
    existing = CityPreReview.objects.filter(declaration=declaration).first()
    initial = {}
    if existing:
        initial = {
            f: getattr(existing, f)
            for f in ("checklist", "checklist_note", "onsite_notes", "opinion", "items_to_fix", "decision")
        }
    form = CityReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            review = city.record_review(declaration, user=request.user, **form.cleaned_data)
            messages.success(request, CITY_DECISION_DONE[review.decision])
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
        "indicator_gaps": verification.indicator_gaps(declaration, evaluation),
        "differences": verification.input_differences(declaration, evaluation),
        "changes": versions.changes(declaration),
        "attachments": declaration.attachments.all(),
        "locked": city.recommendation_for(declaration.batch, declaration.region) is not None,
    }
    return render(request, "reviews/city_review.html", context)


def _city_scope(request, batch_pk):
    """The batch and the city whose recommendation is asked for: a city official's own, or any for the province
    (named by ``?region=``)."""
    batch = get_object_or_404(Batch, pk=batch_pk)
    user = request.user
    region = get_object_or_404(Region, pk=request.GET.get("region", "")) if is_provincial(user) else user.city
    require(may_view_city_recommendation, user, region)
    return batch, region


@login_required
def city_recommendation(request, batch_pk):
    batch, region = _city_scope(request, batch_pk)
    form = RecommendationForm(request.POST or None)
    if request.method == "POST":
        if "rank" in request.POST:
            order = [int(pk) for pk in request.POST.getlist("order") if pk.isdigit()]
            with refusal_as_message(request):
                city.rank(batch, region, user=request.user, order=order)
                messages.success(request, _("排序已保存。下一步：填写推荐意见并报送推荐。"))
            return redirect("reviews:city_recommendation", batch_pk=batch.pk)
        if form.is_valid() and request.POST.get("confirmed") != "yes":
            return _confirm_submission(request, batch, region, form.cleaned_data)
        if form.is_valid():
            with refusal_as_message(request):
                sent = len(city.recommended(batch, region))
                city.submit_recommendation(batch, region, user=request.user, **form.cleaned_data)
                messages.success(
                    request,
                    _("已向省经信厅报送%(n)d个推荐申报，排序和初审结论已锁定。下一步：省经信厅组织专家评审。")
                    % {"n": sent},
                )
                return redirect("reviews:city_recommendation", batch_pk=batch.pk)
    queue = Declaration.objects.filter(batch=batch, region=region).select_related("organisation", "region")
    context = {
        "batch": batch,
        "region": region,
        "form": form,
        "recommended": list(city.recommended(batch, region)),
        "undecided": list(queue.filter(state__in=workflow.AWAITING_CITY, city_review__isnull=True)),
        "submitted": city.recommendation_for(batch, region),
        "sent": list(
            queue.filter(city_review__decision=CityPreReview.Decision.RECOMMEND)
            .exclude(state__in=workflow.AWAITING_CITY)
            .select_related("city_review")
            .order_by("city_review__rank", "pk")
        ),
    }
    return render(request, "reviews/city_recommendation.html", context)


def _confirm_submission(request, batch, region, data):
    """报送 locks the city's ranking and sends it on: the page lists what goes, in order, and asks first."""
    ranked = list(city.recommended(batch, region))
    what_happens = [
        _("以下 %(n)d 个申报按此排序报送省经信厅，进入省级评审：") % {"n": len(ranked)},
        *(
            _("第%(rank)s位：%(declaration)s") % {"rank": d.city_review.rank or "—", "declaration": d}
            for d in ranked
        ),
        _("本市州的排序和初审结论随即锁定。"),
    ]
    context = {
        "title": _("报送推荐"),
        "heading": _("确认报送%(region)s的推荐") % {"region": region.name},
        "what_happens": what_happens,
        "cannot_undo": _("报送后不能修改排序、初审结论和推荐意见，也不能再次报送。"),
        "action": request.get_full_path(),
        "hidden": {"opinion": data["opinion"], "document_number": data["document_number"]},
        "button": _("确认报送推荐"),
        "cancel_url": request.get_full_path(),
    }
    return render(request, "confirm.html", context)


@login_required
def recommendation_summary(request, batch_pk):
    """推荐汇总表 (.xlsx) of one city."""
    batch, region = _city_scope(request, batch_pk)
    return xlsx_response(
        documents.recommendation_workbook(batch, region),
        _("推荐汇总表-%(region)s-%(year)s.xlsx") % {"region": region.name, "year": batch.year},
    )


@login_required
def recommendation_opinion(request, batch_pk):
    """推荐意见 (PDF) of one city, with its name and date."""
    batch, region = _city_scope(request, batch_pk)
    return pdf_response(
        documents.recommendation_pdf(batch, region),
        _("推荐意见-%(region)s-%(year)s.pdf") % {"region": region.name, "year": batch.year},
    )

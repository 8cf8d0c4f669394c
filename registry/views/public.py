from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from applications.models import Batch, Category, Declaration
from applications.services import TransitionRefused
from greenmfg.downloads import pdf_response, xlsx_response
from greenmfg.roles import require_provincial
from reviews.models import Evaluator

from . import exports, progress, services
from .filters import ListedUnitFilter
from .forms import ObjectionForm, ObjectionHandlingForm, PublicityForm
from .models import ListedUnit, Objection, Publicity


def _require_provincial(user):
    require_provincial(user, _("只有省经信厅可以执行此操作。"))


@login_required
def publicity_create(request):
    _require_provincial(request.user)
    form = PublicityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            publicity = services.open_publicity(
                [d.pk for d in data["declarations"]],
                user=request.user,
                title=data["title"],
                batch=data["batch"],
                length=data["length"],
                day_kind=data["day_kind"] or None,
                texts={key: data[key] for key in services.NOTICE_DEFAULTS},
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("公示已发布，截止日期 %(end)s。") % {"end": publicity.ends_on})
            return redirect("registry:publicity_detail", pk=publicity.pk)
    return render(request, "registry/publicity_form.html", {"form": form})


def _publicity_entries(publicity):
    return publicity.declarations.select_related("organisation", "region").order_by("region__order", "pk")


@ratelimit(key="ip", rate="5/h", method="POST", block=False)
def publicity_detail(request, pk):
    """The public notice, where anyone may object during the period (rate-limited per address)."""
    publicity = get_object_or_404(Publicity, pk=pk)
    form = ObjectionForm(request.POST or None, request.FILES or None, publicity=publicity)
    if request.method == "POST":
        if getattr(request, "limited", False):
            messages.error(request, _("提交过于频繁，请一小时后再试，或以书面形式提出异议。"))
        elif form.is_valid():
            try:
                objection = services.submit_objection(
                    publicity, ip_address=request.META.get("REMOTE_ADDR"), **form.cleaned_data
                )
            except TransitionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("异议已受理，受理编号：%(ref)s。请妥善保存，省经信厅将核实处理。")
                    % {"ref": objection.reference},
                )
                return redirect("registry:publicity_detail", pk=pk)
    context = {"publicity": publicity, "entries": _publicity_entries(publicity), "form": form}
    if request.user.is_authenticated and request.user.is_provincial:
        context["objections"] = publicity.objections.select_related("declaration__organisation")
        context["handling_form"] = ObjectionHandlingForm()
    return render(request, "registry/publicity_detail.html", context)


def publicity_pdf(request, pk):
    publicity = get_object_or_404(Publicity, pk=pk)
    return pdf_response(
        exports.notice_pdf(publicity, _publicity_entries(publicity)), f"publicity-{publicity.pk}.pdf"
    )


def publicity_list(request):
    notices = Publicity.objects.all()[:50]
    return render(request, "registry/publicity_list.html", {"notices": notices})


@login_required
@require_POST
def publicity_close(request, pk):
    _require_provincial(request.user)
    try:
        listed = services.close_publicity(pk, user=request.user)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("公示已结束，%(n)d个单位列入名单。") % {"n": len(listed)})
    return redirect("registry:publicity_detail", pk=pk)


@login_required
@require_POST
def objection_handle(request, pk):
    _require_provincial(request.user)
    objection = get_object_or_404(Objection, pk=pk)
    form = ObjectionHandlingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果并填写处理意见。"))
    else:
        try:
            services.handle_objection(
                objection,
                user=request.user,
                upheld=form.cleaned_data["outcome"] == "uphold",
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("异议 %(ref)s 已处理。") % {"ref": objection.reference})
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
    return redirect("registry:publicity_detail", pk=objection.publicity_id)


@login_required
def objection_evidence(request, pk):
    _require_provincial(request.user)
    objection = get_object_or_404(Objection, pk=pk)
    if not objection.evidence:
        raise Http404
    return FileResponse(objection.evidence.open("rb"), as_attachment=True)


def filtered_units(request):
    return ListedUnitFilter(request.GET, queryset=ListedUnit.objects.public())


def listed_unit(request, pk):
    unit = get_object_or_404(ListedUnit.objects.public(), pk=pk)
    others = (
        ListedUnit.objects.filter(organisation=unit.organisation)
        .exclude(pk=unit.pk)
        .exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
        .order_by("-year")
    )
    is_member = (
        request.user.is_authenticated and unit.organisation.members.filter(pk=request.user.pk).exists()
    )
    return render(request, "registry/unit.html", {"unit": unit, "others": others, "is_member": is_member})


def listed_units(request):
    filterset = filtered_units(request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "registry/list.html", {"page": page, "filterset": filterset})


def listed_units_export(request):
    """The list as .xlsx, for anyone: exactly the rows the same query parameters show on /lists/."""
    units = filtered_units(request).qs
    filename = f"green-list-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(exports.list_workbook(units.iterator(chunk_size=2000)), filename)


@login_required
def overview(request):
    """The province's view of a batch: recommended declarations by city and category, against the 2025 targets."""
    _require_provincial(request.user)
    batches = Batch.objects.order_by("-year")
    batch = (
        batches.filter(pk=request.GET.get("batch")).first() if request.GET.get("batch") else batches.first()
    )
    return render(
        request, "registry/overview.html", {"batch": batch, "batches": batches, **progress.table(batch)}
    )


def home(request):
    """The public portal's front page: the programme in numbers, the open notices, the way in."""
    listed = ListedUnit.objects.exclude(review_status=ListedUnit.ReviewStatus.REMOVED).order_by()
    by_category = dict(listed.values_list("category").annotate(n=Count("organisation", distinct=True)))
    by_level = dict(listed.values_list("level").annotate(n=Count("pk")))
    context = {
        "total_listed": listed.count(),
        "by_category": [(label, by_category.get(code, 0)) for code, label in Category.choices],
        "by_level": [(label, by_level.get(code, 0)) for code, label in ListedUnit.Level.choices],
        "open_notices": Publicity.objects.filter(closed_at__isnull=True).order_by("-starts_on")[:5],
        "evaluators": Evaluator.objects.approved().count(),
        "in_progress": Declaration.objects.exclude(
            state__in=[
                Declaration.State.DRAFT,
                Declaration.State.LISTED,
                Declaration.State.REJECTED,
                Declaration.State.WITHDRAWN,
                Declaration.State.NOT_RECOMMENDED,
            ]
        ).count(),
    }
    return render(request, "home.html", context)


@login_required
def targets(request):
    """2025 targets against what the lists achieved: the province sees every city, a city its own first."""
    user = request.user
    if not (user.is_provincial or user.is_city_official):
        raise PermissionDenied(_("只有省经信厅和市州经信局可以查看目标完成情况。"))
    data = progress.table()
    if user.is_city_official:
        data["own"] = next(row for row in data["rows"] if row.region.pk == user.city_id)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(progress.workbook(data), "targets-2025.xlsx")
    chart = [(label, data["totals"][code]) for code, label in data["categories"]]
    return render(request, "registry/targets.html", {**data, "chart": chart})

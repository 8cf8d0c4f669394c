from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Batch
from applications.services import TransitionRefused

from . import exports, progress, services
from .filters import ListedUnitFilter
from .forms import PublicityForm
from .models import ListedUnit, Publicity


def _require_provincial(user):
    if not user.is_provincial:
        raise PermissionDenied(_("只有省经信厅可以执行此操作。"))


@login_required
def publicity_create(request):
    _require_provincial(request.user)
    form = PublicityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publicity = services.open_publicity(
                [d.pk for d in form.cleaned_data["declarations"]],
                user=request.user,
                title=form.cleaned_data["title"],
                days=form.cleaned_data["days"],
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("公示已发布。"))
            return redirect("registry:publicity_detail", pk=publicity.pk)
    return render(request, "registry/publicity_form.html", {"form": form})


def publicity_detail(request, pk):
    publicity = get_object_or_404(Publicity, pk=pk)
    entries = publicity.declarations.select_related("organisation", "region").order_by("region__order", "pk")
    return render(request, "registry/publicity_detail.html", {"publicity": publicity, "entries": entries})


def publicity_list(request):
    return render(request, "registry/publicity_list.html", {"notices": Publicity.objects.all()[:50]})


@login_required
@require_POST
def publicity_close(request, pk):
    _require_provincial(request.user)
    listed = services.close_publicity(pk, user=request.user)
    messages.success(request, _("公示已结束，%(n)d个单位列入名单。") % {"n": len(listed)})
    return redirect("registry:publicity_detail", pk=pk)


def _filtered_units(request):
    units = ListedUnit.objects.for_lists().exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
    return ListedUnitFilter(request.GET, queryset=units)


def listed_units(request):
    filterset = _filtered_units(request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "registry/list.html", {"page": page, "filterset": filterset})


@login_required
def listed_units_export(request):
    """The list as .xlsx: exactly the rows the same query parameters show on /lists/."""
    _require_provincial(request.user)
    units = _filtered_units(request).qs
    response = HttpResponse(
        exports.list_workbook(units.iterator(chunk_size=2000)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"green-list-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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

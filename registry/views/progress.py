"""Where the programme stands: the province's overview of a batch, and a plan's targets against the lists."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from applications.models import Batch
from greenmfg.downloads import xlsx_response
from greenmfg.permissions import allowed, is_city_official, is_provincial

from .. import progress
from ..forms import BatchChoiceForm, PlanChoiceForm
from ..permissions import may_see_targets


@allowed(is_provincial)
def overview(request):
    """The province's view of a batch: recommended declarations by city and category, against the current plan's
    targets."""
    batches = Batch.objects.order_by("-year")
    batch = BatchChoiceForm.chosen(request, batches)
    return render(
        request, "registry/overview.html", {"batch": batch, "batches": batches, **progress.table(batch)}
    )


@allowed(may_see_targets)
def targets(request):
    """A plan's targets (the current plan unless another is chosen) against what the lists achieved: the province
    sees every city, a city its own first."""
    user = request.user
    form = PlanChoiceForm(request.GET or None)
    data = progress.table(plan=form.chosen())
    if is_city_official(user):
        data["own"] = next(row for row in data["rows"] if row.region.pk == user.city_id)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            progress.workbook(data), _("%(year)d年目标进度.xlsx") % {"year": data["plan"].last_year}
        )
    chart = [(label, data["totals"][code]) for code, label in data["categories"]]
    return render(request, "registry/targets.html", {**data, "chart": chart, "form": form})

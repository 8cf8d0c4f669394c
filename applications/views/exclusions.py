"""近三年不得申报 records kept by officials: the province for all, a city for its own organisations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from greenmfg.downloads import private_file
from greenmfg.permissions import allowed

from .. import services
from ..forms import ExclusionForm
from ..models import Exclusion, Organisation
from ..permissions import may_record_exclusions, organisations_kept_by


@allowed(may_record_exclusions)
def exclusion_list(request):
    organisations = organisations_kept_by(request.user, Organisation.objects.all())
    form = ExclusionForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.exclude(
            data["organisation"],
            reason=data["reason"],
            source=data["source"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            evidence=data.get("evidence"),
            user=request.user,
        )
        messages.success(request, _("已记录。该单位在有效期内提交申报将被拒绝。"))
        return redirect("applications:exclusions")
    exclusions = Exclusion.objects.filter(organisation__in=organisations).select_related("organisation")
    return render(request, "applications/exclusions.html", {"form": form, "exclusions": exclusions[:200]})


@allowed(may_record_exclusions)
def exclusion_evidence(request, pk):
    """The same check as the list that links it: the organisations this official keeps records for."""
    exclusion = get_object_or_404(
        Exclusion, pk=pk, organisation__in=organisations_kept_by(request.user, Organisation.objects.all())
    )
    if not exclusion.evidence:
        raise PermissionDenied(_("没有证明材料。"))
    return private_file(exclusion.evidence, subject=exclusion)

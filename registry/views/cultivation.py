"""培育库 pages: a city keeps its pool of candidates; the province watches every city's pool turn into lists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Declaration
from greenmfg.permissions import allowed, require

from .. import cultivation
from ..filters import CandidateFilter
from ..forms import CandidateEditForm, CandidateForm
from ..models import CultivationCandidate
from ..permissions import may_manage_pool, may_view_pool, visible_candidates

PAGE_SIZE = 50


@allowed(may_view_pool)
def candidates(request):
    """The pool: a city's own (with the form to add to it), or every city's for the province, with the funnel."""
    user = request.user
    form = None
    if request.method == "POST" or may_manage_pool(user, user.city):
        require(may_manage_pool, user, user.city)
        form = CandidateForm(
            request.POST or None,
            instance=CultivationCandidate(region=user.city),
            initial={"responsible": user.pk, "planned_year": timezone.localdate().year + 1},
            auto_id="candidate-%s",  # the filter form above has fields of the same names
        )
        if request.method == "POST" and form.is_valid():
            candidate = cultivation.save_candidate(form, user)
            messages.success(request, _("已将“%(name)s”加入培育库。") % {"name": candidate.display_name})
            return redirect("registry:cultivation")
    visible = visible_candidates(user, CultivationCandidate.objects.all())
    filterset = CandidateFilter(request.GET, queryset=cultivation.with_progress(visible), user=user)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filterset": filterset,
        "form": form,
        "summary": cultivation.summary(filterset.qs),
        "state_labels": dict(Declaration.State.choices),
        "all_cities": "region" in filterset.filters,
    }
    return render(request, "registry/cultivation.html", context)


@login_required
def candidate(request, pk):
    """Edit one candidate of the city's own pool; dropping it is setting its status to 已放弃."""
    instance = get_object_or_404(CultivationCandidate.objects.select_related("region"), pk=pk)
    require(may_manage_pool, request.user, instance.region)
    form = CandidateEditForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        cultivation.save_candidate(form, request.user)
        messages.success(request, _("培育对象已更新。"))
        return redirect("registry:cultivation")
    progress = cultivation.with_progress(CultivationCandidate.objects.filter(pk=pk)).get()
    context = {"form": form, "candidate": progress, "state_labels": dict(Declaration.State.choices)}
    return render(request, "registry/cultivation_form.html", context)

"""认领 pages: the proposed matches between registered organisations and unclaimed units, for their city to
confirm, reject or undo; and a city official recording an unclaimed unit's credit code."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from greenmfg.permissions import allowed, is_city_official
from greenmfg.refusals import refusal_as_form_error

from .. import claims
from ..forms import RecordCreditCodeForm
from ..models import Claim
from ..permissions import may_see_claims


def _code_form(request, data=None):
    return RecordCreditCodeForm(data, city=request.user.city) if is_city_official(request.user) else None


def _decide(request):
    """Confirm, reject or undo one claim; a refusal comes back to the page as a message (middleware)."""
    claim = get_object_or_404(claims.visible_to(request.user), pk=request.POST.get("claim"))
    if "confirm" in request.POST:
        claims.confirm(claim, user=request.user)
        messages.success(request, _("已确认认领，名单记录和不得申报记录已转入注册单位。"))
    elif "reject" in request.POST:
        claims.reject(claim, user=request.user)
        messages.success(request, _("已确认不是同一单位。"))
    elif "undo" in request.POST:
        claims.undo(claim, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已撤销认领，记录已退回未认领单位。"))


@allowed(may_see_claims)
def claim_list(request):
    """The claims this user may see; POST with ``claim`` decides one, otherwise records a credit code."""
    if request.method == "POST" and "claim" in request.POST:
        _decide(request)
        return redirect("registry:claims")
    form = _code_form(request, request.POST or None)
    if request.method == "POST" and form is not None and form.is_valid():
        with refusal_as_form_error(form, "credit_code"):
            organisation, claim = claims.record_code(
                form.cleaned_data["unit"], credit_code=form.cleaned_data["credit_code"], user=request.user
            )
            if claim is None:
                messages.success(
                    request, _("已补录统一社会信用代码，“%(name)s”已认领。") % {"name": organisation.name}
                )
            else:
                messages.success(
                    request,
                    _("该代码属于已注册的“%(name)s”，已提出认领，请确认。") % {"name": organisation.name},
                )
            return redirect("registry:claims")
    items = claims.visible_to(request.user)
    return render(
        request,
        "registry/claims.html",
        {
            "proposed": items.filter(status=Claim.Status.PROPOSED),
            "decided": items.exclude(status=Claim.Status.PROPOSED)[:50],
            "form": form,
        },
    )

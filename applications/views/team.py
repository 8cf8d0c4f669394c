"""An organisation's team: its admins invite colleagues, who join through a one-time link."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenmfg.permissions import allowed, is_applicant_user
from greenmfg.refusals import refusal_as_form_error, refusal_as_message

from .. import services
from ..forms import AcceptInvitationForm, InvitationForm, RegistrationForm
from ..models import Invitation, Membership


@allowed(is_applicant_user)
def team(request):
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    if not memberships:
        raise PermissionDenied(_("您不属于任何申报单位。"))
    membership = memberships[0]
    organisation = membership.organisation
    form = InvitationForm(request.POST or None)
    invitation_link = None
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request):
            invitation = services.invite(organisation, user=request.user, **form.cleaned_data)
            invitation_link = request.build_absolute_uri(
                reverse("applications:join", args=[invitation.token])
            )
            messages.success(
                request, _("邀请已创建，请把链接发给%(name)s。") % {"name": invitation.full_name}
            )
            form = InvitationForm()
    context = {
        "organisation": organisation,
        "is_admin": membership.is_admin,
        "members": organisation.memberships.select_related("user"),
        "invitations": organisation.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, created_at__gt=Invitation.oldest_valid()
        ),
        "form": form,
        "invitation_link": invitation_link,
    }
    return render(request, "applications/team.html", context)


@require_POST
@allowed(is_applicant_user)
def revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk, organisation__members=request.user)
    with refusal_as_message(request):
        services.revoke_invitation(invitation, user=request.user)
        messages.success(request, _("已撤销对%(name)s的邀请。") % {"name": invitation.full_name})
    return redirect("applications:team")


def register(request):
    """自助注册: an enterprise or park creates its organisation and first account."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.register_organisation(form=form)
        login(request, user, backend="greenmfg.backends.UserWithRolesBackend")
        messages.success(request, _("注册成功。您是本单位的管理员，可以邀请同事加入。"))
        return redirect("dashboard")
    return render(request, "applications/register.html", {"form": form})


def join(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    refusal = invitation.refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect("login")
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            user = services.accept_invitation(invitation, form=form)
            login(request, user, backend="greenmfg.backends.UserWithRolesBackend")
            messages.success(request, _("欢迎加入%(org)s。") % {"org": invitation.organisation})
            return redirect("dashboard")
    return render(request, "applications/join.html", {"invitation": invitation, "form": form})

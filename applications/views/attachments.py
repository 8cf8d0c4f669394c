"""Declaration files: uploaded into slots, downloaded only by those who may see the declaration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenmfg.downloads import private_file
from greenmfg.permissions import require
from greenmfg.refusals import refusal_as_form_error, refusal_as_message
from greenmfg.shortcuts import get_visible_or_404

from .. import permissions, services
from ..forms import AttachmentForm
from ..models import Attachment, Declaration


@login_required
def attachments(request, pk):
    declaration = get_visible_or_404(
        permissions.visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )
    form = AttachmentForm(request.POST or None, request.FILES or None, declaration=declaration)
    if request.method == "POST":
        require(permissions.may_edit, request.user, declaration)
        if form.is_valid():
            with refusal_as_form_error(form):
                services.add_attachment(
                    declaration,
                    user=request.user,
                    slot=form.cleaned_data["slot"],
                    indicator=form.cleaned_data["indicator"],
                    uploaded=form.cleaned_data["file"],
                    kind=form.kind,
                )
                messages.success(request, _("材料已上传。"))
                return redirect("applications:attachments", pk=pk)
    context = {
        "declaration": declaration,
        "form": form,
        "attachments": declaration.attachments.select_related("indicator"),
        "missing_slots": declaration.missing_required_slots(),
    }
    return render(request, "applications/attachments.html", context, status=400 if form.errors else 200)


def _visible_attachment(user, pk, attachment_pk):
    declaration = get_visible_or_404(
        permissions.visible_declarations, user, Declaration.objects.for_lists(), pk=pk
    )
    return get_object_or_404(
        Attachment.objects.select_related("declaration"), pk=attachment_pk, declaration=declaration
    )


@login_required
def attachment_download(request, pk, attachment_pk):
    """The same check as the declaration page that lists the file: who may see the declaration."""
    attachment = _visible_attachment(request.user, pk, attachment_pk)
    return private_file(
        attachment.file,
        subject=attachment,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    attachment = _visible_attachment(request.user, pk, attachment_pk)
    require(permissions.may_edit, request.user, attachment.declaration)
    with refusal_as_message(request):
        services.remove_attachment(attachment, user=request.user)
        messages.success(request, _("已删除“%(name)s”。") % {"name": attachment.original_name})
    return redirect("applications:attachments", pk=pk)

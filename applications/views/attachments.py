"""Declaration files: uploaded into slots, downloaded only by those who may see the declaration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..forms import AttachmentForm
from ..models import Attachment
from . import get_visible_declaration


@login_required
def attachments(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    can_edit = permissions.is_applicant(request.user, declaration) and declaration.is_editable
    form = AttachmentForm(request.POST or None, request.FILES or None, declaration=declaration)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有申报单位可以在草稿或退回状态下上传材料。"))
        if form.is_valid():
            try:
                services.add_attachment(
                    declaration,
                    user=request.user,
                    slot=form.cleaned_data["slot"],
                    indicator=form.cleaned_data["indicator"],
                    uploaded=form.cleaned_data["file"],
                    kind=form.kind,
                )
            except services.TransitionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("材料已上传。"))
                return redirect("applications:attachments", pk=pk)
    context = {
        "declaration": declaration,
        "form": form,
        "can_edit": can_edit,
        "attachments": declaration.attachments.select_related("indicator"),
        "missing_slots": declaration.missing_required_slots(),
    }
    return render(request, "applications/attachments.html", context, status=400 if form.errors else 200)


def _visible_attachment(user, pk, attachment_pk):
    declaration = get_visible_declaration(user, pk)
    return get_object_or_404(
        Attachment.objects.select_related("declaration"), pk=attachment_pk, declaration=declaration
    )


@login_required
def attachment_download(request, pk, attachment_pk):
    """The same check as the declaration page that lists the file: who may see the declaration."""
    attachment = _visible_attachment(request.user, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    attachment = _visible_attachment(request.user, pk, attachment_pk)
    if not permissions.is_applicant(request.user, attachment.declaration):
        raise PermissionDenied(_("只有申报单位可以删除材料。"))
    try:
        services.remove_attachment(attachment, user=request.user)
    except services.TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已删除“%(name)s”。") % {"name": attachment.original_name})
    return redirect("applications:attachments", pk=pk)

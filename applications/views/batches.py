"""The province opens annual batches, sets their rules per category, and extends deadlines."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from greenmfg.models import AuditEntry
from greenmfg.roles import require_provincial

from .. import services
from ..forms import BatchCategoryFormSet, BatchForm, DeadlineExtensionForm
from ..models import Batch


def _require_provincial(user):
    require_provincial(user, _("只有省经信厅可以管理申报批次。"))


@login_required
def batch_list(request):
    _require_provincial(request.user)
    batches = Batch.objects.prefetch_related("categories__template")
    return render(request, "applications/batch_list.html", {"batches": batches})


@login_required
def batch_create(request):
    _require_provincial(request.user)
    form = BatchForm(request.POST or None)
    categories = BatchCategoryFormSet(request.POST or None, prefix="categories")
    if request.method == "POST" and form.is_valid() and categories.is_valid():
        if not any(f.cleaned_data and not f.cleaned_data.get("DELETE") for f in categories.forms):
            form.add_error(None, _("请至少设置一个受理类别。"))
        else:
            batch = services.create_batch(user=request.user, form=form, categories=categories)
            messages.success(request, _("已开启批次“%(title)s”。") % {"title": batch.title})
            return redirect("applications:batch_detail", pk=batch.pk)
    return render(request, "applications/batch_form.html", {"form": form, "categories": categories})


@login_required
def batch_detail(request, pk):
    _require_provincial(request.user)
    batch = get_object_or_404(Batch.objects.prefetch_related("categories__template"), pk=pk)
    form = DeadlineExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extend_deadline(batch, user=request.user, **form.cleaned_data)
        except services.TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("截止时间已延长，已记入办理记录。"))
            return redirect("applications:batch_detail", pk=pk)
    context = {"batch": batch, "form": form, "audit": AuditEntry.for_object(batch)}
    return render(request, "applications/batch_detail.html", context)

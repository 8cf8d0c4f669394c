"""The province opens annual batches, sets their rules per category, and extends deadlines."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from greenmfg.models import AuditEntry
from greenmfg.permissions import allowed
from greenmfg.refusals import refusal_as_form_error

from .. import services
from ..forms import BatchCategoryFormSet, BatchForm, DeadlineExtensionForm
from ..models import Batch
from ..permissions import may_manage_batches


@allowed(may_manage_batches)
def batch_list(request):
    batches = Batch.objects.prefetch_related("categories__template")
    return render(request, "applications/batch_list.html", {"batches": batches})


@allowed(may_manage_batches)
def batch_create(request):
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


@allowed(may_manage_batches)
def batch_detail(request, pk):
    batch = get_object_or_404(Batch.objects.prefetch_related("categories__template"), pk=pk)
    form = DeadlineExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            services.extend_deadline(batch, user=request.user, **form.cleaned_data)
            messages.success(request, _("截止时间已延长，已记入办理记录。"))
            return redirect("applications:batch_detail", pk=pk)
    context = {"batch": batch, "form": form, "audit": AuditEntry.for_object(batch)}
    return render(request, "applications/batch_detail.html", context)

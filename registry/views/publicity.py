"""公示 pages: the province opens and closes a notice and handles objections; anyone reads it and may object."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from applications import workflow
from greenmfg.downloads import pdf_response, private_file
from greenmfg.generations import PUBLICITY
from greenmfg.permissions import allowed, require
from greenmfg.public_cache import public_page
from greenmfg.refusals import refusal_as_form_error, refusal_as_message

from .. import exports, services
from ..forms import (
    ClosePublicityForm,
    ObjectionForm,
    ObjectionHandlingForm,
    ObjectionLookupForm,
    PublicityForm,
)
from ..models import Objection, Publicity
from ..permissions import may_close_publicity, may_handle_objections, may_open_publicity


@public_page(PUBLICITY)
def publicity_list(request):
    notices = Publicity.objects.all()[:50]
    return render(request, "registry/publicity_list.html", {"notices": notices})


@allowed(may_open_publicity)
def publicity_create(request):
    form = PublicityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_as_form_error(form):
            publicity = services.open_publicity(
                [d.pk for d in data["declarations"]],
                user=request.user,
                title=data["title"],
                document_number=data["document_number"],
                batch=data["batch"],
                length=data["length"],
                day_kind=data["day_kind"] or None,
                texts={key: data[key] for key in services.NOTICE_DEFAULTS},
            )
            messages.success(request, _("公示已发布，截止日期 %(end)s。") % {"end": publicity.ends_on})
            return redirect("registry:publicity_detail", pk=publicity.pk)
    return render(request, "registry/publicity_form.html", {"form": form})


def _publicity_entries(publicity):
    return publicity.declarations.select_related("organisation", "region").order_by("region__order", "pk")


@ratelimit(key="ip", rate="5/h", method="POST", block=False)
def publicity_detail(request, pk):
    """The public notice, where anyone may object during the period (rate-limited per address)."""
    publicity = get_object_or_404(Publicity, pk=pk)
    form = ObjectionForm(request.POST or None, request.FILES or None, publicity=publicity)
    if request.method == "POST":
        if getattr(request, "limited", False):
            messages.error(request, _("提交过于频繁，请一小时后再试，或以书面形式提出异议。"))
        elif form.is_valid():
            with refusal_as_form_error(form):
                objection = services.submit_objection(
                    publicity, ip_address=request.META.get("REMOTE_ADDR"), **form.cleaned_data
                )
                messages.success(
                    request,
                    _(
                        "异议已受理，受理编号：%(ref)s。请妥善保存，省经信厅将核实处理；"
                        "可凭受理编号和您填写的联系方式在“异议查询”页面查看处理进度。"
                    )
                    % {"ref": objection.reference},
                )
                return redirect("registry:publicity_detail", pk=pk)
    context = {"publicity": publicity, "entries": _publicity_entries(publicity), "form": form}
    if may_handle_objections(request.user, publicity):
        context["objections"] = publicity.objections.select_related("declaration__organisation")
        context["handling_form"] = ObjectionHandlingForm()
    return render(request, "registry/publicity_detail.html", context)


def publicity_pdf(request, pk):
    publicity = get_object_or_404(Publicity, pk=pk)
    return pdf_response(
        exports.notice_pdf(publicity, _publicity_entries(publicity)),
        _("公示-%(title)s.pdf") % {"title": publicity.title},
    )


@login_required
def publicity_close(request, pk):
    """Ending a notice lists its units for good: this page says so and asks first (a reason before term)."""
    publicity = get_object_or_404(Publicity, pk=pk)
    require(may_close_publicity, request.user, publicity)
    form = ClosePublicityForm(request.POST if request.method == "POST" else None, publicity=publicity)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            listed = services.close_publicity(
                pk, user=request.user, early_reason=form.cleaned_data.get("early_reason", "")
            )
            messages.success(
                request,
                _(
                    "公示已结束，%(n)d个单位列入省级名单待发布。下一步：在“发布名单”填写文号发布后，这些单位进入公开名单。"
                )
                % {"n": len(listed)},
            )
            return redirect("registry:publicity_detail", pk=pk)
    waiting = publicity.declarations.filter(state__in=workflow.IN_PUBLICITY).count()
    pending = publicity.objections.filter(status=Objection.Status.PENDING).count()
    what_happens = [
        _("公示“%(title)s”结束，不再受理异议。") % {"title": publicity.title},
        _("仍在公示中的 %(n)d 个单位列入省级名单（待发布），其申报变为“已入选”。") % {"n": waiting},
        _("这些单位在省经信厅发布名单并填写文号后，才出现在公开名单中。"),
    ]
    if not publicity.term_over():
        what_happens.insert(
            0,
            _("公示期至 %(end)s 才届满，现在结束属于期满前结束，须填写理由。") % {"end": publicity.ends_on},
        )
    if pending:
        what_happens.append(_("注意：还有 %(n)d 件异议未处理，须先处理才能结束。") % {"n": pending})
    context = {
        "title": _("结束公示"),
        "heading": _("确认结束公示并列入名单"),
        "what_happens": what_happens,
        "cannot_undo": _("公示结束后不能重新开放，列入名单的单位不能退回公示。"),
        "action": request.path,
        "button": _("确认结束公示"),
        "cancel_url": reverse("registry:publicity_detail", args=[pk]),
        "form": form,
    }
    return render(request, "confirm.html", context)


@login_required
@require_POST
def objection_handle(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("publicity"), pk=pk)
    require(may_handle_objections, request.user, objection.publicity)
    form = ObjectionHandlingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果并填写处理意见。"))
    else:
        with refusal_as_message(request):
            services.handle_objection(
                objection,
                user=request.user,
                upheld=form.cleaned_data["outcome"] == "uphold",
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("异议 %(ref)s 已处理。") % {"ref": objection.reference})
    return redirect("registry:publicity_detail", pk=objection.publicity_id)


@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def objection_lookup(request):
    """The objector looks up its objection's status by 受理编号 plus the contact it gave; both must match, and
    guesses are rate-limited per address."""
    form = ObjectionLookupForm(request.POST or None)
    found = None
    if request.method == "POST":
        if getattr(request, "limited", False):
            messages.error(request, _("查询过于频繁，请一小时后再试。"))
        elif form.is_valid():
            found = services.find_objection(**form.cleaned_data)
            if found is None:
                form.add_error(None, _("没有找到受理编号和联系方式都相符的异议，请核对后重试。"))
    return render(request, "registry/objection_lookup.html", {"form": form, "objection": found})


@login_required
def objection_evidence(request, pk):
    """The evidence file, to whoever the notice's page shows the objections: the same predicate."""
    objection = get_object_or_404(Objection.objects.select_related("publicity"), pk=pk)
    require(may_handle_objections, request.user, objection.publicity)
    if not objection.evidence:
        raise Http404
    return private_file(objection.evidence, subject=objection)

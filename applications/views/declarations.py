"""The declaration itself: created, filled in by the applicant, moved on by its page's buttons, printed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from greenmfg import generations
from greenmfg.downloads import pdf_response
from greenmfg.models import AuditEntry
from greenmfg.pagination import KeysetPage
from greenmfg.permissions import allowed, require
from greenmfg.public_cache import users_fragment
from greenmfg.refusals import refusal_as_form_error, refusal_as_message
from greenmfg.shortcuts import get_visible_or_404

from .. import eligibility, pdf, permissions, services, versions, workflow
from ..filters import DeclarationFilter
from ..forms import (
    COMMITMENT_TEXT,
    DeclarationCreateForm,
    DeclarationDetailsForm,
    EligibilityForm,
    OpinionForm,
    declared_fields,
)
from ..models import Declaration


def _visible(request, pk):
    return get_visible_or_404(
        permissions.visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )


def _editable(request, pk):
    """The declaration for an applicant's form page; a locked one sends the applicant back to its page."""
    declaration = _visible(request, pk)
    require(permissions.is_applicant, request.user, declaration)
    return declaration, permissions.may_edit(request.user, declaration)


@login_required
def declaration_list(request):
    """The queue: its filters, rows and paging rendered once per user and URL until the work changes."""

    def rows():
        visible = permissions.visible_declarations(request.user, Declaration.objects.for_rows())
        filterset = DeclarationFilter(request.GET, queryset=visible)
        page = KeysetPage(filterset.qs, request.GET)
        context = {"page": page, "filterset": filterset}
        return render_to_string("applications/_declaration_page.html", context, request)

    listing = users_fragment(request, [generations.WORK], rows)
    return render(request, "applications/declaration_list.html", {"listing": listing})


@allowed(permissions.may_create)
def declaration_create(request):
    form = DeclarationCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            declaration = services.create_declaration(user=request.user, **form.cleaned_data)
            messages.success(request, _("申报已创建。请填写基本信息。"))
            return redirect("applications:edit", pk=declaration.pk)
    return render(request, "applications/declaration_create.html", {"form": form})


def _last_return(declaration, audit):
    """The city's return for revision that the applicant is answering now, if it is."""
    if declaration.state not in workflow.EDITABLE_BY_APPLICANT:
        return None
    return next((entry for entry in reversed(audit) if entry.action == "return_for_revision"), None)


@login_required
def declaration_detail(request, pk):
    declaration = _visible(request, pk)
    labels = services.action_labels()
    audit = [
        entry
        for entry in AuditEntry.for_object(declaration)
        if permissions.may_see_audit_entry(request.user, entry)
    ]
    for entry in audit:
        entry.action_label = labels.get(entry.action, entry.action)
    context = {
        "declaration": declaration,
        "fields": declared_fields(declaration),
        "result": declaration.self_evaluation(),
        "offers": services.offered_transitions(declaration, request.user),
        "audit": audit,
        "last_return": _last_return(declaration, audit),
        "attachments": declaration.attachments.select_related("indicator"),
        "missing_slots": declaration.missing_required_slots(),
        "missing_items": eligibility.missing_items(declaration.category, declaration.attested_items),
        "commitment": declaration.commitments.select_related("user").first(),
        "changes": versions.changes(declaration),
        "opinion_form": OpinionForm(),
    }
    return render(request, "applications/declaration_detail.html", context)


@login_required
def declaration_edit(request, pk):
    declaration, editable = _editable(request, pk)
    if not editable:
        messages.error(request, editable.reason)
        return redirect("applications:detail", pk=pk)
    form = DeclarationDetailsForm(request.POST or None, instance=declaration)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            services.update_declaration(
                declaration, user=request.user, fields={name: form.cleaned_data[name] for name in form.fields}
            )
            messages.success(request, _("基本信息已保存。"))
            return redirect("applications:eligibility", pk=pk)
    return render(request, "applications/declaration_edit.html", {"declaration": declaration, "form": form})


@login_required
def declaration_eligibility(request, pk):
    declaration, editable = _editable(request, pk)
    if not editable:
        messages.error(request, editable.reason)
        return redirect("applications:detail", pk=pk)
    form = EligibilityForm(
        request.POST or None,
        category=declaration.category,
        attested=declaration.attested_items,
        committed=declaration.commitments.exists(),
    )
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            services.attest(
                declaration,
                user=request.user,
                items=form.attested_codes(),
                commitment_text=str(COMMITMENT_TEXT),
                ip_address=request.META.get("REMOTE_ADDR"),
            )
            messages.success(request, _("已记录基本条件确认和材料真实性承诺。"))
            return redirect("applications:self_evaluation", pk=pk)
    return render(
        request, "applications/declaration_eligibility.html", {"declaration": declaration, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_transition(request, pk, name):
    """Runs a transition posted from the declaration page. An irreversible one first asks on its own page (GET)
    and runs only when that page's form says it was confirmed; an unconfirmed post is sent to that page."""
    declaration = _visible(request, pk)
    if name not in services.page_transitions():
        raise PermissionDenied(_("此操作不能在申报页面执行。"))
    confirmation = services.confirmation(name)
    if confirmation and request.POST.get("confirmed") != "yes":
        return _confirmation_page(request, declaration, name, confirmation)
    if request.method != "POST":
        return redirect("applications:detail", pk=pk)
    form = OpinionForm(request.POST)
    form.is_valid()
    with refusal_as_message(request):
        moved = services.transition(
            declaration.pk, name, user=request.user, opinion=form.cleaned_data.get("opinion", "")
        )
        messages.success(request, services.done_message(moved, name))
    return redirect("applications:detail", pk=pk)


def _confirmation_page(request, declaration, name, confirmation):
    if request.method == "POST":
        return redirect(request.path)
    label = services.action_labels()[name]
    refusal = services.refusal_reason(declaration, name, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("applications:detail", pk=declaration.pk)
    context = {
        "title": label,
        "heading": _("确认%(action)s：%(declaration)s") % {"action": label, "declaration": declaration},
        "what_happens": confirmation["happens"],
        "cannot_undo": confirmation["cannot_undo"],
        "action": request.path,
        "button": _("确认%(action)s") % {"action": label},
        "cancel_url": reverse("applications:detail", args=[declaration.pk]),
    }
    if confirmation.get("note"):
        context["form"] = OpinionForm(label=confirmation["note"])
    return render(request, "confirm.html", context)


@login_required
def declaration_pdf(request, pk):
    declaration = _visible(request, pk)
    return pdf_response(
        pdf.declaration_pdf(declaration),
        _("申报书-%(pk)s-%(organisation)s.pdf")
        % {"pk": declaration.pk, "organisation": declaration.organisation.name},
    )

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenmfg.downloads import pdf_response
from greenmfg.models import AuditEntry
from greenmfg.roles import Role

from .. import eligibility, pdf, permissions, services, versions
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
from . import get_visible_declaration


def _require_applicant(declaration, user):
    if not permissions.is_applicant(user, declaration):
        raise PermissionDenied(_("只有申报单位的成员可以修改本申报。"))


@login_required
def declaration_list(request):
    visible = permissions.visible_declarations(request.user, Declaration.objects.for_lists())
    filterset = DeclarationFilter(request.GET, queryset=visible)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "applications/declaration_list.html", {"page": page, "filterset": filterset})


@login_required
def declaration_create(request):
    if not request.user.has_role(Role.APPLICANT) or not request.user.organisations.exists():
        raise PermissionDenied(_("只有申报单位的用户可以创建申报。"))
    form = DeclarationCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.create_declaration(user=request.user, **form.cleaned_data)
        except services.TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("申报已创建。请填写基本信息。"))
            return redirect("applications:edit", pk=declaration.pk)
    return render(request, "applications/declaration_create.html", {"form": form})


@login_required
def declaration_detail(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    is_applicant = permissions.is_applicant(request.user, declaration)
    labels = services.action_labels()
    audit = list(AuditEntry.for_object(declaration))
    for entry in audit:
        entry.action_label = labels.get(entry.action, entry.action)
    result = declaration.self_evaluation()
    context = {
        "declaration": declaration,
        "fields": declared_fields(declaration),
        "result": result,
        "offers": services.offered_transitions(declaration, request.user),
        "audit": audit,
        "is_applicant": is_applicant,
        "can_edit": is_applicant and declaration.is_editable,
        "attachments": declaration.attachments.select_related("indicator"),
        "missing_slots": declaration.missing_required_slots(),
        "missing_items": eligibility.missing_items(declaration.category, declaration.attested_items),
        "commitment": declaration.commitments.select_related("user").first(),
        "changes": versions.changes(declaration),
        "can_evaluate": declaration.state == Declaration.State.UNDER_EVALUATION
        and permissions.is_commissioned_evaluator(request.user, declaration),
        "opinion_form": OpinionForm(),
    }
    return render(request, "applications/declaration_detail.html", context)


@login_required
def declaration_edit(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    _require_applicant(declaration, request.user)
    form = DeclarationDetailsForm(request.POST or None, instance=declaration)
    if not declaration.is_editable:
        messages.error(request, _("申报已提交，处于锁定状态；退回修改后才能编辑。"))
        return redirect("applications:detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_declaration(
                declaration, user=request.user, fields={name: form.cleaned_data[name] for name in form.fields}
            )
        except services.TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("基本信息已保存。"))
            return redirect("applications:eligibility", pk=pk)
    return render(request, "applications/declaration_edit.html", {"declaration": declaration, "form": form})


@login_required
def declaration_eligibility(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    _require_applicant(declaration, request.user)
    if not declaration.is_editable:
        messages.error(request, _("申报已提交，处于锁定状态；退回修改后才能编辑。"))
        return redirect("applications:detail", pk=pk)
    form = EligibilityForm(
        request.POST or None, category=declaration.category, attested=declaration.attested_items
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attest(
                declaration,
                user=request.user,
                items=form.attested_codes(),
                commitment_text=str(COMMITMENT_TEXT),
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except services.TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已记录基本条件确认和材料真实性承诺。"))
            return redirect("applications:self_evaluation", pk=pk)
    return render(
        request, "applications/declaration_eligibility.html", {"declaration": declaration, "form": form}
    )


@login_required
@require_POST
def declaration_transition(request, pk, name):
    declaration = get_visible_declaration(request.user, pk)
    if name not in services.page_transitions():
        raise PermissionDenied(_("此操作不能在申报页面执行。"))
    form = OpinionForm(request.POST)
    form.is_valid()
    try:
        services.transition(
            declaration.pk, name, user=request.user, opinion=form.cleaned_data.get("opinion", "")
        )
    except services.TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("操作成功。"))
    return redirect("applications:detail", pk=pk)


@login_required
def declaration_pdf(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    return pdf_response(pdf.declaration_pdf(declaration), f"declaration-{declaration.pk}.pdf")

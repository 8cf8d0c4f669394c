from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenmfg.models import AuditEntry
from greenmfg.roles import Role

from . import permissions, services
from .filters import DeclarationFilter
from .forms import AttestationForm, DeclarationForm, OpinionForm
from .models import Declaration


def get_visible_declaration(user, pk):
    """The declaration if this user may see it; 404 otherwise, so others' declarations are not even confirmed."""
    queryset = permissions.visible_declarations(user, Declaration.objects.for_lists())
    return get_object_or_404(queryset, pk=pk)


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
    form = DeclarationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        declaration = services.create_declaration(user=request.user, **form.cleaned_data)
        messages.success(request, _("申报已创建。请确认基本条件和承诺后提交自评价。"))
        return redirect("applications:detail", pk=declaration.pk)
    return render(request, "applications/declaration_form.html", {"form": form})


@login_required
def declaration_detail(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    is_applicant = permissions.is_applicant(declaration, request.user)
    labels = services.action_labels()
    audit = list(AuditEntry.for_object(declaration))
    for entry in audit:
        entry.action_label = labels.get(entry.action, entry.action)
    context = {
        "declaration": declaration,
        "offers": services.offered_transitions(declaration, request.user),
        "audit": audit,
        "can_evaluate": declaration.state == Declaration.State.UNDER_EVALUATION
        and permissions.is_commissioned_evaluator(declaration, request.user),
        "is_applicant": is_applicant,
        "attestation_form": AttestationForm() if is_applicant and declaration.is_editable else None,
        "opinion_form": OpinionForm(),
    }
    return render(request, "applications/declaration_detail.html", context)


@login_required
@require_POST
def declaration_attest(request, pk):
    declaration = get_visible_declaration(request.user, pk)
    if not permissions.is_applicant(declaration, request.user):
        raise PermissionDenied(_("只有申报单位可以作出承诺。"))
    form = AttestationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请勾选全部两项确认。"))
    else:
        try:
            services.attest(declaration, user=request.user)
            messages.success(request, _("已记录基本条件确认和材料真实性承诺。"))
        except services.TransitionRefused as refusal:
            messages.error(request, str(refusal))
    return redirect("applications:detail", pk=pk)


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
        return redirect("applications:detail", pk=pk)
    messages.success(request, _("操作成功。"))
    return redirect("applications:detail", pk=pk)

"""The expert pool, assignment, scoring and the province's decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import workflow
from applications.models import Batch, Declaration
from applications.permissions import visible_declarations
from greenmfg.downloads import xlsx_response
from greenmfg.permissions import allowed, require
from greenmfg.refusals import refusal_as_form_error, refusal_as_message
from greenmfg.shortcuts import get_visible_or_404

from .. import documents, experts, scoresheet, services, verification
from ..forms import DecisionBatchForm, ExpertForm, HandAssignmentForm
from ..models import Assignment, Expert
from ..permissions import is_assigned_expert, live_assignment, may_manage_experts, may_score


@allowed(may_manage_experts)
def pool(request):
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.create_expert(user=request.user, **form.cleaned_data)
        messages.success(request, _("专家已入库。请由系统管理员为其设置初始密码。"))
        return redirect("reviews:experts")
    pool = Expert.objects.select_related("user", "region").order_by("-active", "pk")
    return render(request, "reviews/expert_pool.html", {"form": form, "experts": pool})


def _batch_queue(batch):
    return list(
        Declaration.objects.filter(batch=batch, state__in=workflow.IN_PROVINCIAL_REVIEW)
        .select_related("organisation", "region", "batch")
        .order_by("region__order", "category", "pk")
    )


@allowed(may_manage_experts)
def assign(request, batch_pk):
    batch = get_object_or_404(Batch, pk=batch_pk)
    if request.method == "POST":
        if "auto" in request.POST:
            short = experts.assign_automatically(_batch_queue(batch), user=request.user)
            if short:
                messages.warning(
                    request,
                    _("%(n)d 个申报没有足够的无利害关系专家，请扩充专家库或手动分配。") % {"n": len(short)},
                )
            else:
                messages.success(request, _("已为全部申报分配专家。"))
        else:
            form = HandAssignmentForm(request.POST, batch=batch)
            if not form.is_valid():
                raise BadRequest(_("请选择要分配的申报和专家。"))
            experts.assign_by_hand(
                form.cleaned_data["declaration"], form.cleaned_data["expert"], user=request.user
            )
            messages.success(request, _("已分配。"))
        return redirect("reviews:assign", batch_pk=batch.pk)
    queue = _batch_queue(batch)
    results = experts.results(queue)
    rows = [(d, results[d.pk][1]) for d in queue]
    context = {
        "batch": batch,
        "rows": rows,
        "experts": Expert.objects.filter(active=True).select_related("user"),
    }
    return render(request, "reviews/assign.html", context)


def _assigned(request, pk):
    """The declaration and this expert's assignment to it; 404 unless they may see it, 403 unless assigned."""
    declaration = get_visible_or_404(
        visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )
    require(is_assigned_expert, request.user, declaration)
    return declaration, live_assignment(request.user, declaration)


@login_required
def score(request, pk):
    """The expert reads their scoring page while assigned; scores while the declaration is in provincial review."""
    declaration, mine = _assigned(request, pk)
    sheet = experts.sheet(declaration)
    answers, comments = scoresheet.stored(mine)
    errors = {}
    if request.method == "POST":
        require(may_score, request.user, declaration)
        answers, comments, errors = scoresheet.from_post(sheet, request.POST)
        if errors:
            messages.error(request, _("有指标的数值填写有误，请检查标红的行。"))
        else:
            experts.save_scores(
                mine,
                user=request.user,
                answers=answers,
                comments=comments,
                comment=request.POST.get("comment", ""),
                submit="submit" in request.POST,
            )
            messages.success(request, _("评分已提交。") if "submit" in request.POST else _("草稿已保存。"))
            return redirect("reviews:score", pk=pk)
    context = {
        "declaration": declaration,
        "assignment": mine,
        "template": sheet.template,
        "rows": scoresheet.rows(sheet, answers, comments, errors),
        "editable": mine.status == Assignment.Status.ACTIVE and may_score(request.user, declaration),
    }
    evaluation = verification.submitted_evaluation(declaration)
    context["indicator_gaps"] = verification.indicator_gaps(declaration, evaluation)
    context["differences"] = verification.input_differences(declaration, evaluation)
    return render(request, "reviews/score.html", context)


@login_required
@require_POST
def declare_conflict(request, pk):
    _declaration, mine = _assigned(request, pk)
    with refusal_as_message(request):
        experts.declare_conflict(mine, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已记录回避，系统已另行分配专家。"))
        return redirect("dashboard")
    return redirect("reviews:score", pk=pk)


@allowed(may_manage_experts)
def decisions(request, batch_pk):
    batch = get_object_or_404(Batch, pk=batch_pk)
    form = DecisionBatchForm(request.POST or None)
    chosen = [int(pk) for pk in request.POST.getlist("declarations") if pk.isdigit()]
    if request.method == "POST" and not chosen:
        form.is_valid()  # the form's own errors show beside this one
        form.add_error(
            None, _("没有勾选任何申报：请在表格左侧勾选要记录结论的申报，再点“对所选申报记录结论”。")
        )
    elif request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form):
            n = experts.decide(
                chosen,
                user=request.user,
                passed=form.cleaned_data["outcome"] == "pass",
                note=form.cleaned_data["note"],
                without_scores_reason=form.cleaned_data["without_scores_reason"],
            )
            passed = form.cleaned_data["outcome"] == "pass"
            messages.success(
                request,
                (
                    _("已记录 %(n)d 个申报评审通过。下一步：在“公示”中为它们发布公示。")
                    if passed
                    else _("已记录 %(n)d 个申报评审不通过，申报单位会收到通知。")
                )
                % {"n": n},
            )
            return redirect("reviews:decisions", batch_pk=batch.pk)
    queue = _batch_queue(batch)
    results = experts.results(queue)
    rows = [(d, *results[d.pk]) for d in queue]
    return render(request, "reviews/decisions.html", {"batch": batch, "rows": rows, "form": form})


@allowed(may_manage_experts)
def score_sheet(request, batch_pk):
    batch = get_object_or_404(Batch, pk=batch_pk)
    return xlsx_response(
        documents.score_workbook(batch), _("专家评分汇总表-%(year)s.xlsx") % {"year": batch.year}
    )

"""Third-party evaluators: the public directory, an evaluator's own pages, the province's approval and bans,
and commissioning and evaluating a declaration."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import annual, benchmarks
from applications import permissions as declaration_permissions
from applications.answers import indicator_rows, parse_answers, year_labels
from applications.models import Declaration, Policy
from applications.scoring import Answer, score
from greenmfg.downloads import private_file
from greenmfg.generations import EVALUATORS
from greenmfg.models import AuditEntry
from greenmfg.permissions import allowed, require
from greenmfg.public_cache import public_page
from greenmfg.refusals import refusal_as_form_error, refusal_as_message
from greenmfg.shortcuts import get_visible_or_404

from .. import qualifications, services, verification
from ..filters import EvaluatorFilter
from ..forms import (
    AcceptCommissionForm,
    BanForm,
    CommissionRequestForm,
    DecisionForm,
    EvaluationForm,
    EvaluatorProfileForm,
    EvaluatorRegistrationForm,
    EvidenceForm,
    InterestForm,
    ProjectForm,
    StaffMemberForm,
)
from ..models import Ban, Commission, Evaluation, Evaluator, Evidence, evaluations_used
from ..permissions import (
    evaluator_of,
    is_evaluating,
    may_answer_commission,
    may_ban,
    may_manage_evaluators,
    may_request_commission,
    may_view_evaluator,
    visible_commissions,
    visible_evaluations,
    works_for_an_evaluator,
)

# The public directory


DIRECTORY_PAGE = 20


def _directory_queryset():
    return Evaluator.objects.approved().select_related("region").order_by("name", "pk")


def _with_yearly_counts(evaluators, year):
    used = evaluations_used([e.pk for e in evaluators], year)
    policy = Policy.in_force()
    cap = services.current_cap()
    for evaluator in evaluators:
        evaluator.used_this_year = used.get(evaluator.pk, 0)
        evaluator.left_this_year = max(0, cap - evaluator.used_this_year)
        evaluator.facts = qualifications.facts(
            evaluator, evaluator.roster.all(), evaluator.projects.all(), this_year=year, policy=policy
        )
        evaluator.ban = evaluator.ban_in_force()
    return evaluators


@public_page(EVALUATORS)
def directory(request):
    """公开自我声明: every approved evaluator, its qualifications and evidence, this year's evaluations, bans."""
    filterset = EvaluatorFilter(request.GET, queryset=_directory_queryset())
    page = Paginator(filterset.qs, DIRECTORY_PAGE).get_page(request.GET.get("page"))
    # Rosters, projects, evidence and bans only for the page's evaluators, not the whole directory's.
    evaluators = list(page.object_list)
    prefetch_related_objects(evaluators, "roster", "projects", "evidence", "bans")
    evaluators = _with_yearly_counts(evaluators, timezone.localdate().year)
    context = {"filterset": filterset, "evaluators": evaluators, "page": page}
    return render(request, "reviews/directory.html", context)


def evaluator_detail(request, pk):
    evaluator = get_object_or_404(Evaluator.objects.select_related("region", "staff_group"), pk=pk)
    if not may_view_evaluator(request.user, evaluator):
        raise Http404
    _with_yearly_counts([evaluator], timezone.localdate().year)
    submitted = (
        visible_evaluations(
            request.user,
            evaluator,
            Evaluation.objects.filter(commission__evaluator=evaluator, submitted_at__isnull=False),
        )
        .select_related("commission__declaration__organisation", "commission__declaration__batch")
        .order_by("-submitted_at")[:50]
    )
    history = [(e, services.discrepancies(e.commission.declaration, e)) for e in submitted]
    context = {
        "evaluator": evaluator,
        "history": [(e, gaps, any(g.flagged for g in gaps)) for e, gaps in history],
        "bans": evaluator.bans.all(),
        "audit": AuditEntry.for_object(evaluator) if may_manage_evaluators(request.user) else [],
        "decision_form": DecisionForm(),
        "ban_form": BanForm(),
    }
    return render(request, "reviews/evaluator_detail.html", context)


def evidence_download(request, pk, evidence_pk):
    """The same check as the evaluator's page that lists it."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("evaluator__staff_group"), pk=evidence_pk, evaluator_id=pk
    )
    if not may_view_evaluator(request.user, evidence.evaluator):
        raise Http404
    return private_file(evidence.file, subject=evidence, filename=evidence.original_name)


# The evaluator's own pages


def register(request):
    form = EvaluatorRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        evaluator = services.register_evaluator(form=form)
        user = evaluator.staff_group.user_set.get()
        login(request, user, backend="greenmfg.backends.UserWithRolesBackend")
        messages.success(request, _("注册成功。请完善机构信息、人员名单和证明材料后提交审核。"))
        return redirect("reviews:mine")
    return render(request, "reviews/register.html", {"form": form})


@allowed(works_for_an_evaluator)
def mine(request):
    evaluator = evaluator_of(request.user)
    forms = {
        "profile": EvaluatorProfileForm(instance=evaluator, prefix="profile"),
        "staff": StaffMemberForm(prefix="staff"),
        "project": ProjectForm(prefix="project"),
        "interest": InterestForm(prefix="interest"),
        "evidence": EvidenceForm(prefix="evidence"),
    }
    if request.method == "POST":
        part = request.POST.get("part")
        if part == "submit":
            services.submit_for_approval(evaluator, user=request.user)
            messages.success(request, _("已提交省经信厅审核。"))
            return redirect("reviews:mine")
        if part in forms:
            saved = _save_part(request, evaluator, part)
            if saved is True:
                return redirect("reviews:mine")
            forms[part] = saved
    evaluator = Evaluator.objects.prefetch_related("roster", "projects", "interests", "evidence", "bans").get(
        pk=evaluator.pk
    )
    context = {
        "evaluator": evaluator,
        "facts": qualifications.facts(
            evaluator, this_year=timezone.localdate().year, policy=Policy.in_force()
        ),
        "forms": forms,
        "commissions": Commission.objects.filter(evaluator=evaluator).select_related(
            "declaration__organisation", "declaration__region", "evaluator__staff_group"
        )[:100],
    }
    return render(request, "reviews/mine.html", context)


def _save_part(request, evaluator, part):
    """Save one section of the evaluator's page; True when saved, else the bound form with its errors."""
    form_class = {
        "profile": EvaluatorProfileForm,
        "staff": StaffMemberForm,
        "project": ProjectForm,
        "interest": InterestForm,
        "evidence": EvidenceForm,
    }[part]
    kwargs = {"instance": evaluator} if part == "profile" else {}
    form = form_class(request.POST, request.FILES or None, prefix=part, **kwargs)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容。"))
        return form
    if part == "evidence":
        services.add_evidence(
            evaluator,
            user=request.user,
            uploaded=form.cleaned_data["file"],
            topic=form.cleaned_data["topic"],
            kind=form.kind,
        )
    elif part == "profile":
        form.save()
    else:
        row = form.save(commit=False)
        row.evaluator = evaluator
        row.save()
    services.roster_changed(Evaluator.objects.get(pk=evaluator.pk), user=request.user)
    messages.success(request, _("已保存。"))
    return True


@allowed(works_for_an_evaluator)
@require_POST
def remove_row(request, kind, row_pk):
    evaluator = evaluator_of(request.user)
    relation = {
        "staff": evaluator.roster,
        "project": evaluator.projects,
        "interest": evaluator.interests,
    }.get(kind)
    if relation is None:
        raise Http404
    get_object_or_404(relation, pk=row_pk).delete()
    services.roster_changed(Evaluator.objects.get(pk=evaluator.pk), user=request.user)
    messages.success(request, _("已删除。"))
    return redirect("reviews:mine")


# The province


@allowed(may_manage_evaluators)
def evaluator_admin(request):
    evaluators = (
        Evaluator.objects.select_related("region").prefetch_related("bans").order_by("status", "name")
    )
    return render(request, "reviews/evaluator_admin.html", {"evaluators": evaluators})


@allowed(may_manage_evaluators)
@require_POST
def decide(request, pk):
    evaluator = get_object_or_404(Evaluator, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结论并填写意见。"))
    else:
        with refusal_as_message(request):
            services.decide_approval(
                evaluator,
                user=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                opinion=form.cleaned_data["opinion"],
            )
            messages.success(request, _("已记录审核结论。"))
    return redirect("reviews:evaluator", pk=pk)


@allowed(may_ban)
@require_POST
def record_ban(request, pk):
    evaluator = get_object_or_404(Evaluator, pk=pk)
    form = BanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请填写违规事实和起始日期；证据须为 PDF、图片或 Office 文件。"))
    else:
        with refusal_as_message(request):
            record, flagged = services.ban(evaluator, user=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("已记录禁入，至%(end)s解除；%(n)d 项未完成的委托已提示申报单位和市州。")
                % {"end": record.ends_on, "n": flagged},
            )
    return redirect("reviews:evaluator", pk=pk)


@allowed(may_ban)
def ban_evidence(request, pk):
    """The same check as the 证据 link on the evaluator's page: the province."""
    ban = get_object_or_404(Ban, pk=pk)
    if not ban.evidence:
        raise Http404
    return private_file(ban.evidence, subject=ban)


# Commissioning and evaluation


@login_required
def commission_request(request, pk):
    declaration = get_visible_or_404(
        declaration_permissions.visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )
    require(may_request_commission, request.user, declaration)
    form = CommissionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_as_form_error(form, "evaluator"):
            services.request_commission(declaration, form.cleaned_data["evaluator"], user=request.user)
            messages.success(request, _("委托已发送，等待评价机构接受。"))
            return redirect("applications:detail", pk=pk)
    return render(request, "reviews/commission_request.html", {"declaration": declaration, "form": form})


@login_required
def commission_answer(request, pk):
    commission = get_visible_or_404(
        visible_commissions,
        request.user,
        Commission.objects.select_related("declaration__organisation", "declaration__batch", "evaluator"),
        pk=pk,
    )
    form = AcceptCommissionForm(request.POST or None)
    if request.method == "POST":
        require(may_answer_commission, request.user, commission)
        with refusal_as_form_error(form):
            if "decline" in request.POST:
                services.decline_commission(
                    commission.pk, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("已谢绝该委托。"))
                return redirect("dashboard")
            if form.is_valid():
                services.accept_commission(
                    commission.pk,
                    user=request.user,
                    independence_declaration=form.cleaned_data["independence_declaration"],
                )
                messages.success(request, _("已接受委托，可以开始评价。"))
                return redirect("reviews:evaluation", pk=commission.declaration_id)
    return render(request, "reviews/commission_answer.html", {"commission": commission, "form": form})


@login_required
def evaluation(request, pk):
    declaration = get_visible_or_404(
        declaration_permissions.visible_declarations, request.user, Declaration.objects.for_lists(), pk=pk
    )
    commission = get_object_or_404(
        Commission.objects.select_related("evaluator__staff_group"),
        declaration=declaration,
        status=Commission.Status.ACCEPTED,
    )
    require(is_evaluating, request.user, commission)
    record = Evaluation.objects.filter(commission=commission).first()
    template = declaration.setting.template
    indicators = list(template.indicators.all())
    references = declaration.indicator_references()
    years = year_labels(template, declaration.batch.year)
    form = EvaluationForm(request.POST or None, request.FILES or None, initial=_initial(record))
    answers = {a.indicator_id: Answer(a.met, a.values) for a in record.answers.all()} if record else {}
    checked, notes = (
        verification.checked_raw(record) if record else (verification.applicant_raw(declaration), {})
    )
    errors = {}
    if request.method == "POST":
        require(declaration_permissions.may_evaluate, request.user, declaration)
        answers, errors = parse_answers(request.POST, indicators, template.years_of_data, references)
        checked = annual.raw_from_post(request.POST, years)
        notes = verification.notes_from_post(request.POST, years)
        if form.is_valid() and not errors:
            fields = {
                name: form.cleaned_data[name]
                for name in ("onsite_date", "basic_requirements_met", "highlights", "commitment_accepted")
            }
            with refusal_as_form_error(form):
                record = services.save_evaluation(
                    commission,
                    user=request.user,
                    answers=answers,
                    fields=fields,
                    report=form.cleaned_data.get("report"),
                    report_kind=form.report_kind,
                    raw=checked if any(i.formula for i in indicators) else None,
                    notes=notes,
                )
                if "submit" in request.POST:
                    services.submit_evaluation(commission, user=request.user)
                    messages.success(request, _("评价已提交，申报进入“评价完成”。"))
                    return redirect("applications:detail", pk=pk)
                messages.success(request, _("评价草稿已保存：%(score)s 分。") % {"score": record.score})
                return redirect("reviews:evaluation", pk=pk)
    carriers = benchmarks.carriers(years)
    results = annual.compute(checked, carriers)
    answers = {pk: a for pk, a in answers.items() if pk not in {i.pk for i in indicators if i.formula}}
    answers.update(annual.computed_answers(indicators, results, years))
    result = score(template, indicators, answers, declaration.setting.effective_pass_mark, references)
    context = {
        "declaration": declaration,
        "commission": commission,
        "record": record,
        "form": form,
        "template": template,
        "rows": indicator_rows(indicators, answers, errors, years, references),
        "editable": not (record and record.is_submitted)
        and bool(declaration_permissions.may_evaluate(request.user, declaration)),
        "missing": services.incomplete(record) if record else [],
        "uses_raw_data": any(i.formula for i in indicators),
        "data_years": annual.years_on_form(
            verification.applicant_raw(declaration), results, carriers, checked=checked, notes=notes
        ),
        "figures": annual.figures(indicators, result, answers, results, years),
        "benchmark_table": declaration.scoring_table(),
        "raw_errors": annual.has_errors(results),
        "gaps": verification.indicator_gaps(declaration, record, answers) if record else [],
    }
    return render(request, "reviews/evaluation_form.html", context)


@login_required
def evaluation_report(request, pk):
    """The submitted report, to whoever may see the declaration whose pages list it: the same predicate."""
    declaration = get_visible_or_404(
        declaration_permissions.visible_declarations, request.user, Declaration.objects.all(), pk=pk
    )
    evaluation = get_object_or_404(
        Evaluation, commission__declaration=declaration, submitted_at__isnull=False, report__gt=""
    )
    return private_file(evaluation.report, subject=evaluation, filename=evaluation.report_name)


def _initial(record):
    if record is None:
        return {}
    return {
        "onsite_date": record.onsite_date,
        "basic_requirements_met": record.basic_requirements_met,
        "highlights": record.highlights,
        "commitment_accepted": record.commitment_accepted,
    }

"""The expert pool: assignment without conflicts, scoring, aggregation, and the province's decision."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from applications import workflow
from applications.answers import year_labels
from applications.models import Declaration
from applications.services import transition
from greenmfg.identifiers import normalise_credit_code
from greenmfg.models import AuditEntry
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused

from . import assignment, scoresheet, verification, workload
from .aggregation import aggregate
from .models import Assignment, Commission, Expert, ExpertConflict
from .permissions import may_declare_conflict, may_manage_experts, may_score


def candidates():
    experts = Expert.objects.filter(active=True).prefetch_related("conflicts")
    return [
        assignment.Candidate(
            id=e.pk,
            categories=frozenset(e.categories),
            employer_credit_code=normalise_credit_code(e.employer_credit_code),
            region_code=e.region_id or "",
            conflict_credit_codes=frozenset(normalise_credit_code(c.credit_code) for c in e.conflicts.all()),
        )
        for e in experts
    ]


def cases(declarations):
    evaluators = dict(
        Commission.objects.filter(
            declaration__in=declarations, status=Commission.Status.ACCEPTED
        ).values_list("declaration_id", "evaluator__credit_code")
    )
    assigned = {}
    for declaration_id, expert_id in Assignment.objects.filter(declaration__in=declarations).values_list(
        "declaration_id", "expert_id"
    ):
        assigned.setdefault(declaration_id, set()).add(expert_id)
    return [
        assignment.Case(
            id=d.pk,
            category=d.category,
            applicant_credit_code=normalise_credit_code(d.organisation.credit_code),
            region_code=d.region_id,
            evaluator_credit_code=normalise_credit_code(evaluators.get(d.pk, "")),
            already_assigned=frozenset(assigned.get(d.pk, ())),
        )
        for d in declarations
    ]


def _live_count(declaration):
    return declaration.assignments.exclude(status=Assignment.Status.WITHDRAWN).count()


def assign_automatically(declarations, *, user):
    """Give every declaration the batch's number of experts, conflict-free, spreading the load evenly: each
    expert's open work of every kind (``workload``) counts, not only this batch's.

    Returns {declaration id: shortfall} for declarations that could not get enough eligible experts.
    """
    declarations = list(declarations)
    if not declarations:
        return {}
    refuse_unless(may_manage_experts, user)
    batch = declarations[0].batch
    with transaction.atomic():
        # Lock the declarations so two officials assigning at once do not double up.
        locked = list(
            Declaration.objects.select_for_update(of=("self",))
            .filter(pk__in=[d.pk for d in declarations], state__in=workflow.IN_PROVINCIAL_REVIEW)
            .select_related("organisation", "batch")
        )
        needed = {d.pk: batch.experts_per_declaration - _live_count(d) for d in locked}
        shortfalls = {}
        load = workload.open_work()
        pool = candidates()
        for case in cases(locked):
            if needed[case.id] <= 0:
                continue
            chosen, short = assignment.choose(
                pool,
                [case],
                per_case=needed[case.id],
                other_city_only=batch.experts_from_other_cities,
                load=load,
            )
            for expert_id in chosen[case.id]:
                Assignment.objects.create(declaration_id=case.id, expert_id=expert_id, assigned_by=user)
                load[expert_id] = load.get(expert_id, 0) + 1
            shortfalls.update(short)
        AuditEntry.record(
            batch,
            actor=user,
            action="assign_experts",
            opinion=_("自动分配 %(n)d 个申报") % {"n": len(locked)},
        )
    return shortfalls


def assign_by_hand(declaration, expert, *, user):
    refuse_unless(may_manage_experts, user)
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(of=("self",))
            .select_related("organisation", "batch")
            .get(pk=declaration.pk)
        )
        if declaration.state not in workflow.IN_PROVINCIAL_REVIEW:
            raise Refused(_("该申报不在省级评审阶段。"))
        [case] = cases([declaration])
        [candidate] = [c for c in candidates() if c.id == expert.pk] or [None]
        if candidate is None:
            raise Refused(_("该专家不在库。"))
        reason = assignment.conflict(
            candidate, case, other_city_only=declaration.batch.experts_from_other_cities
        )
        if reason:
            raise Refused(_("不能分配：%(reason)s。") % {"reason": reason})
        if expert.pk in case.already_assigned:
            raise Refused(_("该专家已分配或已回避本申报。"))
        if declaration.category not in expert.categories:
            raise Refused(_("该专家的专业类别不含本申报类别。"))
        row = Assignment.objects.create(declaration=declaration, expert=expert, assigned_by=user)
        AuditEntry.record(declaration, actor=user, action="assign_expert", opinion=str(expert))
    return row


def declare_conflict(assignment_row, *, user, reason):
    """The expert finds a conflict: they withdraw, it is recorded, and another expert replaces them."""
    if not (reason or "").strip():
        raise Refused(_("请说明回避原因。"))
    with transaction.atomic():
        row = (
            Assignment.objects.select_for_update()
            .select_related("declaration__organisation", "expert__user")
            .get(pk=assignment_row.pk)
        )
        refuse_unless(may_declare_conflict, user, row)
        row.status, row.withdrawn_reason = Assignment.Status.WITHDRAWN, reason
        row.save(update_fields=["status", "withdrawn_reason"])
        ExpertConflict.objects.create(
            expert=row.expert, credit_code=row.declaration.organisation.credit_code, description=reason
        )
        AuditEntry.record(row.declaration, actor=user, action="declare_conflict", opinion=reason)
        batch = row.declaration.batch
        [case] = cases([row.declaration])
        chosen, _short = assignment.choose(
            candidates(),
            [case],
            per_case=1,
            other_city_only=batch.experts_from_other_cities,
            load=workload.open_work(),
        )
        replacement = None
        for expert_id in chosen[case.id]:
            replacement = Assignment.objects.create(declaration=row.declaration, expert_id=expert_id)
    return replacement


def sheet(declaration) -> scoresheet.Sheet:
    """The declaration's scoring sheet: its batch's template and pass mark, its benchmark table, and the
    computed indicators as last verified."""
    setting = declaration.setting
    return scoresheet.Sheet(
        setting.template,
        setting.effective_pass_mark,
        declaration.indicator_references(),
        verification.verified_answers(declaration),
        year_labels(setting.template, declaration.batch.year),
    )


def save_scores(assignment_row, *, user, answers: dict, comments: dict, comment: str, submit=False):
    """Save an expert's draft scores per indicator with comments; ``submit`` locks them."""
    with transaction.atomic():
        row = (
            Assignment.objects.select_for_update()
            .select_related("expert", "declaration__batch")
            .get(pk=assignment_row.pk)
        )
        if row.expert.user_id != user.pk:
            raise Refused(_("只能填写分配给您本人的评审。"))
        refuse_unless(may_score, user, row.declaration)
        scoresheet.save(
            row, sheet(row.declaration), answers=answers, comments=comments, comment=comment, submit=submit
        )
        if submit:
            AuditEntry.record(row.declaration, actor=user, action="expert_submit", opinion=str(row.score))
    return row


def results(declarations):
    """{declaration id: (Aggregate, [submitted assignments])} in two queries."""
    rows = (
        Assignment.objects.filter(declaration__in=declarations)
        .exclude(status=Assignment.Status.WITHDRAWN)
        .select_related("expert__user")
    )
    by_declaration = {}
    for row in rows:
        by_declaration.setdefault(row.declaration_id, []).append(row)
    out = {}
    for declaration in declarations:
        live = by_declaration.get(declaration.pk, [])
        submitted = [r for r in live if r.status == Assignment.Status.SUBMITTED]
        out[declaration.pk] = (aggregate(r.score for r in submitted), live)
    return out


def decide(declaration_ids, *, user, passed: bool, note: str, without_scores_reason: str = ""):
    """The province's conclusion for one or many declarations, with the meeting note, all or nothing."""
    refuse_unless(may_manage_experts, user)
    if not (note or "").strip():
        raise Refused(_("请填写会议纪要或评审意见。"))
    name = "pass_review" if passed else "fail_review"
    with transaction.atomic():
        for declaration in Declaration.objects.filter(pk__in=declaration_ids).select_related("organisation"):
            live = declaration.assignments.exclude(status=Assignment.Status.WITHDRAWN)
            waiting = live.filter(~Q(status=Assignment.Status.SUBMITTED)).count()
            if (not live.exists() or waiting) and not without_scores_reason.strip():
                raise Refused(
                    _("“%(name)s”的专家评分尚未全部提交；如需直接决定，请填写理由。")
                    % {"name": declaration.organisation}
                )
            opinion = (
                note
                if not without_scores_reason
                else f"{note}\n{_('未待评分即决定的理由')}：{without_scores_reason}"
            )
            transition(declaration.pk, name, user=user, opinion=opinion)
    return len(declaration_ids)

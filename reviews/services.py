"""Third-party evaluators: registration and approval, commissioning under 附件2's rules, evaluation, bans."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications import workflow
from applications.models import Category, Declaration
from applications.scoring import Answer, score
from applications.services import transition
from greenmfg import notifications, uploads
from greenmfg.identifiers import normalise_credit_code
from greenmfg.models import AuditEntry, User
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused
from greenmfg.roles import Role

from . import qualifications, verification
from .models import (
    Ban,
    Commission,
    Evaluation,
    EvaluationAnswer,
    Evaluator,
    Evidence,
    Expert,
    evaluations_used,
)
from .permissions import (
    is_staff_of,
    may_answer_commission,
    may_ban,
    may_decide_approval,
    may_manage_evaluators,
    may_manage_experts,
    may_request_commission,
    may_submit_for_approval,
)


def current_cap() -> int:
    """The yearly cap of the latest batch, or of the policy in force, for the directory's 'left this year'."""
    from applications.models import Batch, Policy

    latest = Batch.objects.order_by("-year").values_list("evaluator_yearly_cap", flat=True).first()
    return latest or Policy.in_force().evaluator_yearly_cap


# Registration and approval


def register_evaluator(*, form):
    """An evaluator organisation registers with its first staff user; it stays a draft until submitted."""
    with transaction.atomic():
        user = form.save()
        user.groups.add(Group.objects.get(name=Role.EVALUATOR.value))
        data = form.cleaned_data
        evaluator = Evaluator.objects.create(
            name=data["evaluator_name"],
            credit_code=data["credit_code"],
            legal_representative=data["legal_representative"],
            region=data["region"],
        )
        user.groups.add(evaluator.staff_group)
        AuditEntry.record(evaluator, actor=user, action="register", opinion=evaluator.name)
    return evaluator


def submit_for_approval(evaluator, *, user):
    refuse_unless(may_submit_for_approval, user, evaluator)
    missing = qualifications.unmet(evaluator, this_year=timezone.localdate().year)
    if missing:
        raise Refused(_("尚不满足以下资质条件，不能提交审核：%(items)s") % {"items": "；".join(missing)})
    with transaction.atomic():
        locked = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
        refuse_unless(may_submit_for_approval, user, locked)
        locked.status = Evaluator.Status.PENDING
        locked.save(update_fields=["status"])
        AuditEntry.record(locked, actor=user, action="submit_for_approval", to_state=locked.status)
    return locked


def decide_approval(evaluator, *, user, approve: bool, opinion: str):
    refuse_unless(may_manage_evaluators, user)
    if not (opinion or "").strip():
        raise Refused(_("请填写审核意见。"))
    with transaction.atomic():
        locked = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
        refuse_unless(may_decide_approval, user, locked)
        before = locked.status
        locked.status = Evaluator.Status.APPROVED if approve else Evaluator.Status.REJECTED
        locked.review_opinion, locked.reviewed_by, locked.reviewed_at = opinion, user, timezone.now()
        locked.flagged_reason = ""
        locked.save()
        AuditEntry.record(
            locked,
            actor=user,
            action="decide_approval",
            from_state=before,
            to_state=locked.status,
            opinion=opinion,
        )
    return locked


def roster_changed(evaluator, *, user):
    """After a roster or profile change: an approved evaluator that no longer qualifies is flagged."""
    missing = qualifications.unmet(evaluator, this_year=timezone.localdate().year)
    reason = _("资质条件不再满足：%(items)s") % {"items": "；".join(missing)} if missing else ""
    if evaluator.is_approved and reason != evaluator.flagged_reason:
        Evaluator.objects.filter(pk=evaluator.pk).update(flagged_reason=reason)
        AuditEntry.record(evaluator, actor=user, action="flag", opinion=reason or _("资质条件恢复满足"))


def add_evidence(evaluator, *, user, topic, uploaded, kind):
    with transaction.atomic():
        evidence = Evidence(
            evaluator=evaluator,
            topic=topic,
            original_name=uploads.safe_filename(uploaded.name, kind),
            content_type=uploads.ALLOWED_KINDS[kind][0],
        )
        uploads.save_with_file(evidence, "file", uploaded, kind)
        AuditEntry.record(evaluator, actor=user, action="add_evidence", opinion=evidence.original_name)
    return evidence


# The expert pool


def create_expert(
    *, user, username, full_name, email, categories, employer, employer_credit_code, region, phone
):
    """The province adds an expert to the pool with their account; the system administrator sets its first
    password, so the account starts without a usable one."""
    refuse_unless(may_manage_experts, user)
    with transaction.atomic():
        account = User.objects.create_user(username=username, full_name=full_name, email=email)
        account.set_unusable_password()
        account.save()
        account.groups.add(Group.objects.get(name=Role.EXPERT.value))
        expert = Expert.objects.create(
            user=account,
            categories=categories,
            employer=employer,
            employer_credit_code=employer_credit_code,
            region=region,
            phone=phone,
            email=email,
        )
        AuditEntry.record(expert, actor=user, action="create_expert", opinion=f"{full_name}（{employer}）")
    return expert


# Commissioning


def _applicant_codes(declaration):
    return {normalise_credit_code(declaration.organisation.credit_code)}


def conflict(declaration, evaluator) -> str | None:
    """Why this evaluator is not independent of this applicant, or None (附件2: 独立性)."""
    if normalise_credit_code(evaluator.credit_code) in _applicant_codes(declaration):
        return _("评价机构与申报单位为同一法人（统一社会信用代码相同）。")
    representative = (declaration.legal_representative or "").strip()
    if representative and representative == evaluator.legal_representative.strip():
        return _("评价机构与申报单位的法定代表人相同（%(name)s）。") % {"name": representative}
    interest = next(
        (i for i in evaluator.interests.all() if i.credit_code in _applicant_codes(declaration)), None
    )
    if interest:
        return _("评价机构已声明与申报单位存在利害关系：%(what)s。") % {"what": interest.description}
    prepared_code = normalise_credit_code(declaration.prepared_by_credit_code)
    if prepared_code and prepared_code == normalise_credit_code(evaluator.credit_code):
        return _("申报单位的自评价报告由该评价机构编制，不能再由其评价。")
    writers = {name.strip() for name in (declaration.prepared_by_people or "").replace(",", "、").split("、")}
    helpers = sorted(writers & {s.name for s in evaluator.roster.all()} - {""})
    if helpers:
        return _("该机构人员（%(names)s）参与编写了申报单位的自评价报告。") % {"names": "、".join(helpers)}
    return None


def refusal(declaration, evaluator, *, on=None) -> str | None:
    """Why this evaluator may not evaluate this declaration now (every rule but the yearly cap), or None."""
    on = on or timezone.localdate()
    if not evaluator.is_approved:
        return _("该机构尚未通过省经信厅审核，不能接受委托。")
    ban = evaluator.ban_in_force(on)
    if ban:
        return _("该机构因弄虚作假被禁入，%(end)s前不得开展评价，其报告不予采信。") % {
            "end": date_format(ban.ends_on, "Y年n月j日")
        }
    if declaration.category not in evaluator.categories:
        return _("该机构不具备“%(category)s”评价业务能力。") % {
            "category": Category(declaration.category).label
        }
    return conflict(declaration, evaluator)


def cap_refusal(evaluator, declaration) -> str | None:
    cap = declaration.batch.evaluator_yearly_cap
    year = timezone.localdate().year
    used = evaluations_used([evaluator.pk], year).get(evaluator.pk, 0)
    if used >= cap:
        return _("该机构%(year)d年已承接 %(used)d 项评价，达到每年 %(cap)d 项的上限。") % {
            "year": year,
            "used": used,
            "cap": cap,
        }
    return None


def request_commission(declaration, evaluator, *, user):
    """The applicant chooses an evaluator. Nothing changes state until the evaluator accepts."""
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(of=("self",))
            .select_related("organisation", "batch")
            .get(pk=declaration.pk)
        )
        refuse_unless(may_request_commission, user, declaration)
        reason = refusal(declaration, evaluator) or cap_refusal(evaluator, declaration)
        if reason:
            raise Refused(reason)
        commission = Commission.objects.create(
            declaration=declaration, evaluator=evaluator, requested_by=user
        )
        AuditEntry.record(declaration, actor=user, action="request_commission", opinion=str(evaluator))
    return commission


def _open_commission(commission_id, user):
    commission = Commission.objects.select_for_update().get(pk=commission_id)
    refuse_unless(may_answer_commission, user, commission)
    return commission


def accept_commission(commission_id, *, user, independence_declaration: str):
    """Accept with an independence declaration. The evaluator row is locked, so the yearly cap holds under load."""
    if not (independence_declaration or "").strip():
        raise Refused(_("接受委托前请填写独立性声明。"))
    with transaction.atomic():
        commission = _open_commission(commission_id, user)
        evaluator = Evaluator.objects.select_for_update().get(pk=commission.evaluator_id)
        declaration = commission.declaration
        reason = refusal(declaration, evaluator) or cap_refusal(evaluator, declaration)
        if reason:
            raise Refused(reason)
        # Accepted first: the transition asks whether this evaluator holds an accepted commission.
        commission.status = Commission.Status.ACCEPTED
        commission.answered_at = timezone.now()
        commission.independence_declaration = independence_declaration
        commission.save(update_fields=["status", "answered_at", "independence_declaration"])
        transition(declaration.pk, "commission", user=user, opinion=independence_declaration)
    return commission


def decline_commission(commission_id, *, user, reason=""):
    with transaction.atomic():
        commission = _open_commission(commission_id, user)
        commission.status = Commission.Status.DECLINED
        commission.answered_at = timezone.now()
        commission.decline_reason = reason
        commission.save(update_fields=["status", "answered_at", "decline_reason"])
        AuditEntry.record(commission.declaration, actor=user, action="decline_commission", opinion=reason)
    return commission


# Evaluation


def save_evaluation(
    commission, *, user, answers: dict, fields: dict, report=None, report_kind=None, raw=None, notes=None
):
    """Save the evaluator's draft: scores on the declaration's template, the facts, the report file.

    With ``raw`` (year → input → text) and ``notes``, the evaluator's confirmed raw data: the computed indicators
    come from it (``reviews.verification``), never from ``answers``.
    """
    with transaction.atomic():
        commission = Commission.objects.select_for_update().get(pk=commission.pk)
        if not is_staff_of(user, commission.evaluator) or commission.status != Commission.Status.ACCEPTED:
            raise Refused(_("只有受托评价机构可以填写评价。"))
        evaluation, _created = Evaluation.objects.get_or_create(commission=commission)
        if evaluation.is_submitted:
            raise Refused(_("评价已提交，不能修改。"))
        for name, value in fields.items():
            setattr(evaluation, name, value)
        if report is not None:
            evaluation.report.save(
                f"{commission.pk}-{timezone.now():%Y%m%d%H%M%S}{uploads.ALLOWED_KINDS[report_kind][1]}",
                report,
                save=False,
            )
            evaluation.report_name = uploads.safe_filename(report.name, report_kind)
        indicators = list(commission.declaration.setting.template.indicators.exclude(kind="group"))
        computed = {i.pk for i in indicators if i.formula}
        answers = {pk: answer for pk, answer in answers.items() if pk not in computed}
        if raw is not None:
            answers.update(verification.save(evaluation, raw=raw, notes=notes or {}, indicators=indicators))
        existing = {a.indicator_id: a for a in evaluation.answers.all()}
        for indicator_id, answer in answers.items():
            row = existing.get(indicator_id) or EvaluationAnswer(
                evaluation=evaluation, indicator_id=indicator_id
            )
            row.met, row.values = answer.met, answer.values
            row.save()
        result = evaluation_result(evaluation)
        evaluation.score, evaluation.passed = result.total, result.passed
        evaluation.save()
    return evaluation


def evaluation_result(evaluation):
    declaration = evaluation.commission.declaration
    setting = declaration.setting
    answers = {a.indicator_id: Answer(a.met, a.values) for a in evaluation.answers.all()}
    return score(
        setting.template,
        setting.template.indicators.all(),
        answers,
        setting.effective_pass_mark,
        declaration.indicator_references(),
    )


def incomplete(evaluation) -> list[str]:
    missing = []
    if not evaluation.onsite_date:
        missing.append(_("现场评价日期"))
    if evaluation.basic_requirements_met is None:
        missing.append(_("基本要求符合性"))
    if not evaluation.report:
        missing.append(_("评价报告"))
    if not evaluation.commitment_accepted:
        missing.append(_("机构承诺"))
    leaves = evaluation.commission.declaration.setting.template.indicators.exclude(kind="group")
    answered = set(evaluation.answers.values_list("indicator_id", flat=True))
    unanswered = leaves.exclude(pk__in=answered).count()
    if unanswered:
        missing.append(_("%(n)d 项指标未评分") % {"n": unanswered})
    return missing


def submit_evaluation(commission, *, user):
    """Lock the evaluation and move the declaration on. Refused while the evaluator is banned."""
    with transaction.atomic():
        commission = Commission.objects.select_for_update().select_related("evaluator").get(pk=commission.pk)
        evaluation = Evaluation.objects.select_for_update().filter(commission=commission).first()
        if evaluation is None or evaluation.is_submitted:
            raise Refused(_("没有可提交的评价草稿。"))
        ban = commission.evaluator.ban_in_force()
        if ban:
            raise Refused(
                _("该机构处于禁入期（至%(end)s），其评价报告不予采信。")
                % {"end": date_format(ban.ends_on, "Y年n月j日")}
            )
        missing = incomplete(evaluation)
        if missing:
            raise Refused(_("评价尚未完成：%(items)s") % {"items": "、".join(missing)})
        transition(commission.declaration_id, "submit_evaluation", user=user, opinion=evaluation.highlights)
        evaluation.submitted_by, evaluation.submitted_at = user, timezone.now()
        evaluation.save(update_fields=["submitted_by", "submitted_at"])
    return evaluation


# Discrepancy between self-evaluation and third-party evaluation (beyond the policy)


@dataclass(frozen=True)
class Gap:
    group: str
    self_percent: Decimal
    third_percent: Decimal
    gap: Decimal
    flagged: bool


def discrepancies(declaration, evaluation) -> list[Gap]:
    """Per group, the self-evaluation's and the evaluator's score rate, and whether the gap is over the threshold."""
    threshold = Decimal(settings.DISCREPANCY_THRESHOLD)
    mine = {g.indicator.pk: g for g in declaration.self_evaluation().groups}
    gaps = []
    for group in evaluation_result(evaluation).groups:
        own = mine.get(group.indicator.pk)
        if own is None:
            continue
        gap = abs(own.percent - group.percent)
        gaps.append(Gap(group.indicator.name, own.percent, group.percent, gap, gap > threshold))
    return gaps


# Ban


def _end_commissions(commissions, *, user, note):
    for commission in commissions:
        Commission.objects.filter(pk=commission.pk).update(status=Commission.Status.ENDED)
        if commission.declaration.state in workflow.AWAITING_EVALUATOR:
            transition(commission.declaration_id, "end_commission", user=user, opinion=note)


def ban(evaluator, *, user, reason, starts_on, evidence=None):
    """Record fraud: banned for the policy's years from ``starts_on``; open commissions are flagged, and once
    the ban is in force they end, so the applicant commissions another evaluator (its access to those
    declarations ends with them, ``reviews.access``)."""
    refuse_unless(may_ban, user, evaluator)
    if not (reason or "").strip():
        raise Refused(_("请填写违规事实。"))
    with transaction.atomic():
        record = Ban(evaluator=evaluator, reason=reason, starts_on=starts_on, recorded_by=user)
        if evidence:
            record.evidence = evidence
        record.save()
        note = _("评价机构“%(name)s”自%(start)s起被禁入至%(end)s，其报告不予采信，请另行委托。") % {
            "name": evaluator.name,
            "start": date_format(starts_on, "Y年n月j日"),
            "end": date_format(record.ends_on, "Y年n月j日"),
        }
        open_commissions = (
            Commission.objects.filter(evaluator=evaluator)
            .exclude(status__in=Commission.CLOSED_STATUSES)
            .exclude(evaluation__submitted_at__isnull=False)
        )
        affected = list(open_commissions.select_related("declaration"))
        flagged = open_commissions.update(flagged_reason=note)
        if record.starts_on <= timezone.localdate():
            _end_commissions(affected, user=user, note=note)
        for commission in affected:
            declaration = commission.declaration
            officials = User.objects.filter(groups__name=Role.CITY.value, city_id=declaration.region_id)
            for people in (declaration.organisation.members.all(), officials):
                notifications.notify(
                    people,
                    text=note,
                    url=f"/declarations/{declaration.pk}/",
                    key=f"ban:{record.pk}:{commission.pk}",
                )
        AuditEntry.record(
            evaluator, actor=user, action="ban", opinion=f"{reason}（{record.starts_on}—{record.ends_on}）"
        )
    return record, flagged

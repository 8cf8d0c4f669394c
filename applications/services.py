"""The one place a declaration's state changes, and the other write paths of 申报."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from greenmfg import uploads
from greenmfg.models import AuditEntry
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused
from greenmfg.roles import Role

from . import annual, benchmarks, workflow
from .answers import year_labels
from .models import (
    AnnualData,
    Attachment,
    Batch,
    Category,
    Commitment,
    Declaration,
    Exclusion,
    FormerName,
    IndicatorAnswer,
    Invitation,
    Membership,
    Organisation,
)
from .names import fold_name
from .permissions import may_manage_batches
from .signals import declaration_transitioned, organisation_registered
from .versions import record_version

# Each submission to the city keeps what was submitted, so a resubmission shows what changed.
VERSIONED_TRANSITIONS = ("submit_to_city", "resubmit")


class TransitionRefused(Refused):
    """A declaration transition that may not run now."""


@dataclass(frozen=True)
class TransitionOffer:
    name: str
    label: str
    needs_opinion: bool
    blocked_reason: str | None = None
    confirm: bool = False


def _transition_meta(declaration, name):
    method = getattr(declaration, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TransitionRefused(_("未知的操作。"))
    return method, meta.get_transition(declaration.state)


def _state_refusal(declaration) -> str:
    return _("当前状态（%(state)s）不能执行此操作。") % {"state": declaration.get_state_display()}


def _failed_condition(declaration, meta) -> str | None:
    return next((check.message(declaration) for check in meta.conditions if not check(declaration)), None)


def _refusal(declaration, name, user) -> str | None:
    _method, meta = _transition_meta(declaration, name)
    if meta is None:
        return _state_refusal(declaration)
    if not meta.has_perm(declaration, user):
        return _("您无权对该申报执行此操作。")
    return _failed_condition(declaration, meta)


def transition(declaration_id, name, *, user, opinion="", system=False):
    """Run transition ``name`` on a declaration, race-safe, and write the audit trail.

    The row is locked, so two officials clicking at once cannot both win: the second sees the new state and is
    refused. ``system=True`` is for scheduled tasks (no user); it skips the permission check only.
    A caller with side effects of its own wraps this call and them in one ``transaction.atomic``.
    """
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(of=("self",))
            .select_related("batch", "organisation")
            .get(pk=declaration_id)
        )
        method, meta = _transition_meta(declaration, name)
        if system:
            refusal = _failed_condition(declaration, meta) if meta else _state_refusal(declaration)
        else:
            refusal = _refusal(declaration, name, user)
        if refusal:
            raise TransitionRefused(refusal)
        opinion = (opinion or "").strip()
        if meta.custom.get("opinion") and not opinion:
            raise TransitionRefused(_("请填写意见。"))
        from_state = declaration.state
        method()
        declaration.save()
        if name in VERSIONED_TRANSITIONS:
            record_version(declaration, user)
        AuditEntry.record(
            declaration,
            actor=None if system else user,
            action=name,
            from_state=from_state,
            to_state=declaration.state,
            opinion=opinion,
        )
        declaration_transitioned.send(
            sender=Declaration, declaration=declaration, name=name, actor=None if system else user
        )
        return declaration


def page_transitions() -> frozenset[str]:
    """Transitions a declaration page may run directly; the others belong to a later stage's service."""
    field = Declaration._meta.get_field("state")
    return frozenset(t.name for t in field.get_all_transitions(Declaration) if t.custom.get("button"))


def confirmation(name) -> dict | None:
    """What an irreversible transition does and what cannot be undone, for the page that asks first; None for
    the others."""
    field = Declaration._meta.get_field("state")
    return next(
        (t.custom.get("confirm") for t in field.get_all_transitions(Declaration) if t.name == name), None
    )


def done_message(declaration, name) -> str:
    """What a transition did and, where the workflow says so, what comes next."""
    field = Declaration._meta.get_field("state")
    custom = next(t.custom for t in field.get_all_transitions(Declaration) if t.name == name)
    done = _("已%(action)s，申报现为“%(state)s”。") % {
        "action": custom["label"],
        "state": declaration.get_state_display(),
    }
    return f"{done}{custom['next']}" if custom.get("next") else done


def action_labels() -> dict[str, str]:
    """Chinese names of what the audit trail records for a declaration."""
    field = Declaration._meta.get_field("state")
    labels = {t.name: str(t.custom["label"]) for t in field.get_all_transitions(Declaration)}
    labels.update(
        create=_("创建申报"),
        edit=_("修改申报信息"),
        self_evaluate=_("保存自评价"),
        upload=_("上传附件"),
        remove_attachment=_("删除附件"),
        attest=_("确认基本条件并承诺"),
        request_commission=_("委托第三方评价机构"),
        decline_commission=_("评价机构谢绝委托"),
    )
    return labels


def offered_transitions(declaration, user) -> list[TransitionOffer]:
    """The buttons this user sees on the declaration page: permitted from this state, with why not yet."""
    offers = []
    for t in _permitted(declaration, user):
        if t.custom.get("button"):
            blocked = next((c.message(declaration) for c in t.conditions if not c(declaration)), None)
            offers.append(
                TransitionOffer(
                    t.name, t.custom["label"], bool(t.custom.get("opinion")), blocked, "confirm" in t.custom
                )
            )
    return offers


def _permitted(declaration, user):
    field = Declaration._meta.get_field("state")
    for t in field.get_all_transitions(Declaration):
        if t.source in (declaration.state, "*") and t.has_perm(declaration, user):
            yield t


def refusal_reason(declaration, name, user) -> str | None:
    return _refusal(declaration, name, user)


def create_declaration(*, organisation: Organisation, user, batch, category, **fields):
    """A new draft. Refused when the batch does not accept the category or its deadline has passed."""
    if batch.setting_for(category) is None:
        raise Refused(_("本批次不受理该类别的申报。"))
    if timezone.now() > batch.submission_deadline:
        raise Refused(
            _("本批次已于%(deadline)s截止申报。")
            % {"deadline": date_format(timezone.localtime(batch.submission_deadline), "Y年n月j日 H:i")}
        )
    with transaction.atomic():
        refuse_duplicate(
            organisation,
            batch,
            category,
            fields.get("product_name", ""),
            fields.get("product_model", ""),
        )
        declaration = Declaration.objects.create(
            organisation=organisation,
            region_id=organisation.region_id,
            batch=batch,
            category=category,
            created_by=user,
            **fields,
        )
        AuditEntry.record(declaration, actor=user, action="create", to_state=declaration.state)
    return declaration


def refuse_duplicate(organisation, batch, category, product_name="", product_model="", *, exclude=None):
    """Refuse a second live declaration of one organisation in one category and batch (for products: of one
    product), naming the one that exists; the database's constraints hold the same rule."""
    others = (
        Declaration.objects.filter(organisation=organisation, batch=batch, category=category)
        .exclude(state=workflow.State.WITHDRAWN)
        .exclude(pk=exclude)
    )
    if category == Category.PRODUCT:
        if not product_name:
            return
        others = others.filter(product_name=product_name, product_model=product_model)
    existing = others.first()
    if existing is None:
        return
    facts = {
        "organisation": organisation,
        "batch": batch,
        "category": existing.get_category_display(),
        "product": f"{product_name} {product_model}".strip(),
        "pk": existing.pk,
        "state": existing.get_state_display(),
    }
    if category == Category.PRODUCT:
        raise Refused(
            _(
                "%(organisation)s在“%(batch)s”已有产品“%(product)s”的申报（编号 %(pk)s，%(state)s），"
                "同一产品每批次只能申报一份。请继续办理那一份；如需重新申报，请先将其撤回。"
            )
            % facts
        )
    raise Refused(
        _(
            "%(organisation)s在“%(batch)s”已有一份%(category)s申报（编号 %(pk)s，%(state)s），"
            "同一单位同一类别每批次只能申报一份。请继续办理那一份；如需重新申报，请先将其撤回。"
        )
        % facts
    )


def _locked_editable(declaration):
    locked = (
        Declaration.objects.select_for_update(of=("self",)).select_related("batch").get(pk=declaration.pk)
    )
    if not locked.is_editable:
        raise Refused(
            _("申报处于“%(state)s”状态，已锁定；退回修改后才能编辑。") % {"state": locked.get_state_display()}
        )
    return locked


def update_declaration(declaration, *, user, fields: dict):
    """Save edited 基本信息 and category fields; only while the declaration is a draft or returned."""
    with transaction.atomic():
        locked = _locked_editable(declaration)
        for name, value in fields.items():
            setattr(locked, name, value)
        refuse_duplicate(
            locked.organisation,
            locked.batch,
            locked.category,
            locked.product_name,
            locked.product_model,
            exclude=locked.pk,
        )
        locked.save()
        AuditEntry.record(locked, actor=user, action="edit")
    return locked


def save_self_evaluation(declaration, *, user, answers: dict, raw: dict | None = None):
    """Store the self-evaluation: the answers (indicator id → Answer), the yearly raw data, and the score.

    Indicators with a formula are computed here from ``raw`` (year → input key → typed text), never taken from
    ``answers``; impossible raw data is refused with its reasons. The first save fixes the benchmark table
    (by industry) the declaration is scored with from then on.
    """
    with transaction.atomic():
        locked = _locked_editable(declaration)
        template = locked.setting.template
        indicators = {i.pk: i for i in template.indicators.exclude(kind="group")}
        answers = {
            pk: answer for pk, answer in answers.items() if pk in indicators and not indicators[pk].formula
        }
        if raw is not None:
            years = year_labels(template, locked.batch.year)
            results = annual.compute(raw, benchmarks.carriers(years))
            if annual.has_errors(results):
                reasons = [reason for result in results.values() for reason in result.errors.values()]
                raise Refused(_("年度运行数据有误：%(reasons)s") % {"reasons": "；".join(reasons)})
            for year, inputs in raw.items():
                if inputs:
                    AnnualData.objects.update_or_create(
                        declaration=locked, year=int(year), defaults={"inputs": inputs}
                    )
                else:
                    locked.annual_data.filter(year=int(year)).delete()
            answers.update(annual.computed_answers(indicators.values(), results, years))
            computed = [pk for pk, i in indicators.items() if i.formula and pk not in answers]
            locked.answers.filter(indicator_id__in=computed).delete()
        if locked.benchmark_table_id is None:
            locked.benchmark_table = benchmarks.table_for(locked)
        existing = {a.indicator_id: a for a in locked.answers.all()}
        changed, created = [], []
        for indicator_id, answer in answers.items():
            row = existing.get(indicator_id)
            if row is None:
                created.append(
                    IndicatorAnswer(
                        declaration=locked, indicator_id=indicator_id, met=answer.met, values=answer.values
                    )
                )
            elif (row.met, row.values) != (answer.met, answer.values):
                row.met, row.values = answer.met, answer.values
                changed.append(row)
        IndicatorAnswer.objects.bulk_create(created)
        IndicatorAnswer.objects.bulk_update(changed, ["met", "values"])
        locked._self_evaluation = None
        result = locked.self_evaluation()
        locked.self_score, locked.self_passed = result.total, result.passed
        locked.save(update_fields=["self_score", "self_passed", "benchmark_table", "updated_at"])
        AuditEntry.record(
            locked,
            actor=user,
            action="self_evaluate",
            opinion=_("自评分 %(total)s") % {"total": result.total},
        )
    return result


def attest(declaration, *, user, items, commitment_text, ip_address=None):
    """Record the attested 基本条件 and the 材料真实性承诺 (user, time, address)."""
    with transaction.atomic():
        locked = _locked_editable(declaration)
        locked.attested_items = sorted(items)
        locked.save(update_fields=["attested_items", "updated_at"])
        Commitment.objects.create(declaration=locked, user=user, ip_address=ip_address, text=commitment_text)
        AuditEntry.record(locked, actor=user, action="attest", opinion=_("确认基本条件并承诺材料真实"))


def exclude(organisation, *, reason, starts_on, ends_on, source="", evidence=None, user=None):
    """Record 近三年不得申报 for an organisation. Later stages (a removal from a list) call this."""
    with transaction.atomic():
        exclusion = Exclusion(
            organisation=organisation,
            reason=reason,
            source=source,
            starts_on=starts_on,
            ends_on=ends_on,
            recorded_by=user,
        )
        if evidence:
            exclusion.evidence = evidence
        exclusion.save()
        AuditEntry.record(organisation, actor=user, action="exclude", opinion=str(exclusion))
    return exclusion


def lift_exclusions(exclusion_ids, *, user, reason):
    """Take back exclusions recorded in error (a reverted 撤销 import); each organisation's trail says why."""
    with transaction.atomic():
        for exclusion in Exclusion.objects.select_related("organisation").filter(pk__in=exclusion_ids):
            AuditEntry.record(
                exclusion.organisation, actor=user, action="lift_exclusion", opinion=f"{exclusion}：{reason}"
            )
            exclusion.delete()


def add_attachment(declaration, *, user, slot, uploaded, kind, indicator=None):
    """Store a validated upload. The row and the file are written together or not at all."""
    name = uploads.safe_filename(uploaded.name, kind)
    digest = uploads.sha256_of(uploaded)
    with transaction.atomic():
        locked = _locked_editable(declaration)
        attachment = Attachment(
            declaration=locked,
            slot=slot,
            indicator=indicator,
            original_name=name,
            content_type=uploads.ALLOWED_KINDS[kind][0],
            size=uploaded.size,
            sha256=digest,
            uploaded_by=user,
        )
        uploads.save_with_file(attachment, "file", uploaded, kind)
        AuditEntry.record(locked, actor=user, action="upload", opinion=name)
    return attachment


def remove_attachment(attachment, *, user):
    with transaction.atomic():
        locked = _locked_editable(attachment.declaration)
        stored = attachment.file.name
        attachment.delete()
        AuditEntry.record(locked, actor=user, action="remove_attachment", opinion=attachment.original_name)
        transaction.on_commit(lambda: attachment.file.storage.delete(stored))


def create_batch(*, user, form, categories):
    """Open a batch with its category settings (a BatchCategory formset), in one transaction."""
    with transaction.atomic():
        batch = form.save()
        categories.instance = batch
        categories.save()
        AuditEntry.record(batch, actor=user, action="open_batch", opinion=batch.title)
    return batch


def extend_deadline(batch, *, user, deadline: str, new_value, reason: str):
    """A provincial official moves a deadline later; the old and new values and the reason are audited."""
    refuse_unless(may_manage_batches, user)
    if deadline not in ("submission_deadline", "recommendation_deadline"):
        raise Refused(_("未知的截止时间。"))
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        old_value = getattr(locked, deadline)
        if new_value <= old_value:
            raise Refused(_("新的截止时间必须晚于原截止时间。"))
        setattr(locked, deadline, new_value)
        locked.full_clean()
        locked.save(update_fields=[deadline])
        label = Batch._meta.get_field(deadline).verbose_name
        AuditEntry.record(
            locked,
            actor=user,
            action="extend_deadline",
            from_state=timezone.localtime(old_value).strftime("%Y-%m-%d %H:%M"),
            to_state=timezone.localtime(new_value).strftime("%Y-%m-%d %H:%M"),
            opinion=f"{label}：{reason}",
        )
    return locked


def invite(organisation, *, user, full_name, email):
    if not Membership.objects.filter(organisation=organisation, user=user, is_admin=True).exists():
        raise Refused(_("只有单位管理员可以邀请成员。"))
    invitation = Invitation.objects.create(
        organisation=organisation,
        full_name=full_name,
        email=email,
        token=secrets.token_urlsafe(32),
        invited_by=user,
    )
    AuditEntry.record(organisation, actor=user, action="invite", opinion=f"{full_name} <{email}>")
    return invitation


def revoke_invitation(invitation, *, user):
    """The organisation's admin takes back an invitation not used yet; its link stops working at once."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
        if not Membership.objects.filter(organisation=locked.organisation, user=user, is_admin=True).exists():
            raise Refused(_("只有单位管理员可以撤销邀请。"))
        if locked.accepted_at or locked.revoked_at:
            raise Refused(_("该邀请已被使用或已撤销。"))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        AuditEntry.record(
            locked.organisation,
            actor=user,
            action="revoke_invitation",
            opinion=f"{locked.full_name} <{locked.email}>",
        )
    return locked


def create_organisations(new, *, user, source):
    """Organisations no one registered (units on an imported list), each with its audit entry saying where it
    came from; ``new`` are unsaved ``Organisation``s. Written in bulk: a national list creates thousands.

    Without a credit code (published lists print none) a unit is unclaimed; without a region, 市州待定.
    """
    with transaction.atomic():
        for organisation in new:
            organisation.name_key = fold_name(organisation.name)
            organisation.credit_code = organisation.credit_code or None
        created = Organisation.objects.bulk_create(new, batch_size=1000)
        content_type = ContentType.objects.get_for_model(Organisation)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    content_type=content_type,
                    object_id=organisation.pk,
                    actor=user,
                    action="create_organisation",
                    opinion=source,
                )
                for organisation in created
            ],
            batch_size=1000,
        )
    return created


def create_organisation(*, name, credit_code, region, kind, user, source):
    """One organisation no one registered; see ``create_organisations``."""
    (organisation,) = create_organisations(
        [Organisation(name=name, credit_code=credit_code, region=region, kind=kind)], user=user, source=source
    )
    return organisation


def delete_imported_organisations(organisation_ids, *, user, reason):
    """Remove units an import created in error (it is reverted). One that has a member or a declaration stays."""
    with transaction.atomic():
        organisations = Organisation.objects.filter(pk__in=organisation_ids)
        list(organisations.select_for_update())
        if organisations.filter(Q(memberships__isnull=False) | Q(declarations__isnull=False)).exists():
            raise Refused(_("已有成员或申报的单位不能删除。"))
        for organisation in organisations:
            AuditEntry.record(organisation, actor=user, action="delete_organisation", opinion=reason)
        organisations.delete()


def rename_organisation(organisation, *, new_name, user, source):
    """A 更名 as published: the old name is kept as a former name, so older lists still match it."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        old_name = locked.name
        former, _created = FormerName.objects.get_or_create(
            organisation=locked, name_key=fold_name(old_name), defaults={"name": old_name, "source": source}
        )
        locked.name = new_name
        locked.save(update_fields=["name"])
        AuditEntry.record(
            locked, actor=user, action="rename", from_state=old_name, to_state=new_name, opinion=source
        )
    return locked, former


def undo_rename(organisation, *, former_name, old_name, user, source):
    """Put back the name a reverted 更名 import replaced, and forget the former name it recorded."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        new_name = locked.name
        if former_name is not None:
            FormerName.objects.filter(pk=former_name).delete()
        locked.name = old_name
        locked.save(update_fields=["name"])
        AuditEntry.record(
            locked, actor=user, action="undo_rename", from_state=new_name, to_state=old_name, opinion=source
        )


def assign_region(organisation, *, region, user):
    """The province places a unit whose list gave only the province (市州待定) in its city."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.region_id:
            raise Refused(_("“%(name)s”已有所在市州。") % {"name": locked.name})
        locked.region = region
        locked.save(update_fields=["region"])
        AuditEntry.record(locked, actor=user, action="assign_region", to_state=region.name)
    return locked


def record_credit_code(organisation, *, credit_code, user):
    """A city official records the code of an unclaimed unit of its city; no registered organisation has it."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.credit_code:
            raise Refused(_("该单位已有统一社会信用代码。"))
        locked.credit_code = credit_code
        locked.save(update_fields=["credit_code"])
        AuditEntry.record(locked, actor=user, action="record_credit_code", to_state=credit_code)
    return locked


def merge_unclaimed(unclaimed, *, into, user) -> dict:
    """Confirmed: the unclaimed unit is ``into``. Its exclusions and former names move there, and its published
    name becomes a former name of ``into``; returns what moved so ``unmerge`` can move it back."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=unclaimed.pk)
        if locked.merged_into_id:
            raise Refused(_("该未认领单位已被认领。"))
        moved = {
            "exclusions": list(locked.exclusions.values_list("pk", flat=True)),
            "former_names": list(locked.former_names.values_list("pk", flat=True)),
            "added_former_name": None,
        }
        Exclusion.objects.filter(pk__in=moved["exclusions"]).update(organisation=into)
        FormerName.objects.filter(pk__in=moved["former_names"]).exclude(
            name_key__in=into.former_names.values("name_key")
        ).update(organisation=into)
        if (
            locked.name_key != into.name_key
            and not into.former_names.filter(name_key=locked.name_key).exists()
        ):
            moved["added_former_name"] = FormerName.objects.create(
                organisation=into, name=locked.name, source=_("认领")
            ).pk
        locked.merged_into = into
        locked.save(update_fields=["merged_into"])
        AuditEntry.record(locked, actor=user, action="merge", to_state=into.name, opinion=str(into.pk))
        AuditEntry.record(into, actor=user, action="claim", from_state=locked.name, opinion=str(locked.pk))
    return moved


def unmerge(unclaimed, *, moved: dict, user, reason):
    """Undo a wrong claim: what ``merge_unclaimed`` moved goes back to the unclaimed unit."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=unclaimed.pk)
        into = locked.merged_into
        Exclusion.objects.filter(pk__in=moved["exclusions"]).update(organisation=locked)
        FormerName.objects.filter(pk__in=moved["former_names"]).update(organisation=locked)
        if moved["added_former_name"]:
            FormerName.objects.filter(pk=moved["added_former_name"]).delete()
        locked.merged_into = None
        locked.save(update_fields=["merged_into"])
        AuditEntry.record(locked, actor=user, action="unmerge", from_state=str(into), opinion=reason)
        if into is not None:
            AuditEntry.record(into, actor=user, action="unclaim", from_state=locked.name, opinion=reason)


def register_organisation(*, form):
    """Create the organisation and its first user, its admin, together."""
    with transaction.atomic():
        user = form.save()
        user.groups.add(Group.objects.get(name=Role.APPLICANT.value))
        data = form.cleaned_data
        organisation = Organisation.objects.create(
            name=data["organisation_name"],
            kind=data["kind"],
            credit_code=data["credit_code"],
            region=data["region"],
            group_name=data["group_name"],
        )
        Membership.objects.create(organisation=organisation, user=user, is_admin=True)
        AuditEntry.record(organisation, actor=user, action="register", opinion=organisation.name)
        organisation_registered.send(sender=Organisation, organisation=organisation)
    return user


def accept_invitation(invitation, *, form):
    """Create the invited colleague's account and make them a member, once."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        refusal = locked.refusal()
        if refusal:
            raise Refused(refusal)
        user = form.save(commit=False)
        user.full_name, user.email = locked.full_name, locked.email
        user.save()
        user.groups.add(Group.objects.get(name=Role.APPLICANT.value))
        Membership.objects.create(organisation=locked.organisation, user=user)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        AuditEntry.record(locked.organisation, actor=user, action="join", opinion=str(user))
    return user

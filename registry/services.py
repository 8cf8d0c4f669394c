"""公示, objections, the lists and re-review reminders: the province's decisions become the public record here."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import workflow
from applications.models import Policy
from applications.services import assign_region, transition
from greenmfg import notifications
from greenmfg.models import AuditEntry
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused

from . import periods
from .models import (
    ListedUnit,
    ListPublication,
    NationalRecommendation,
    Objection,
    Plan,
    Publicity,
)
from .permissions import (
    may_close_publicity,
    may_handle_objections,
    may_import_lists,
    may_publish_municipal_list,
    may_publish_provincial_list,
    may_recommend_national,
)

NOTICE_DEFAULTS = {
    "legal_basis": "",  # from the plan in force (notice_defaults)
    "steps_done": gettext_lazy(
        "经企业（园区）自评价、第三方机构评价、市州经信部门初审推荐、省经信厅组织专家评审，拟将以下单位列入湖北省绿色制造名单，现予以公示。"
    ),
    "how_to_object": gettext_lazy(
        "公示期间，任何单位和个人如有异议，可通过本页面或书面形式实名提出，并提供相关事实和证明材料。匿名、超出期限或无事实依据的异议不予受理。"
    ),
    "contact_unit": gettext_lazy("湖北省经济和信息化厅节能与综合利用处"),
    "contact_phone": "",  # the office's own number, typed by the official
    "contact_email": "",
}


def notice_defaults() -> dict:
    """The 公示 notice's default wording; its legal basis names the plan in force (``Plan`` data, not a year)."""
    plan = Plan.current()
    basis = (
        _("根据《%(plan)s》（%(number)s）和本年度申报通知要求，")
        % {"plan": plan.name, "number": plan.document_number}
        if plan and plan.document_number
        else _("根据《%(plan)s》和本年度申报通知要求，") % {"plan": plan.name}
        if plan
        else _("根据本年度申报通知要求，")
    )
    return {**NOTICE_DEFAULTS, "legal_basis": basis}


def open_publicity(
    declaration_ids,
    *,
    user,
    title,
    document_number="",
    batch=None,
    length=None,
    day_kind=None,
    starts_on=None,
    texts=None,
):
    """Put the chosen review-passed declarations into one 公示 notice; the period follows the batch's rule."""
    ids = list(declaration_ids)
    if not ids:
        raise Refused(_("请至少选择一个评审通过的申报。"))
    rules = batch or Policy.in_force()
    length = length or rules.publicity_length
    day_kind = day_kind or rules.publicity_day_kind
    if length < 1:
        raise Refused(_("公示期至少为1天。"))
    starts_on = starts_on or timezone.localdate()
    try:
        ends_on = periods.period_end(starts_on, length, day_kind)
    except periods.CalendarUnavailable as missing:
        raise Refused(str(missing)) from missing
    texts = {key: str(value) for key, value in {**notice_defaults(), **(texts or {})}.items()}
    with transaction.atomic():
        publicity = Publicity.objects.create(
            title=title,
            document_number=document_number,
            batch=batch,
            starts_on=starts_on,
            length=length,
            day_kind=day_kind,
            ends_on=ends_on,
            opened_by=user,
            **texts,
        )
        for pk in ids:
            transition(pk, "open_publicity", user=user, opinion=title)
        publicity.declarations.set(ids)
        AuditEntry.record(publicity, actor=user, action="open_publicity", opinion=title)
        for declaration in publicity.declarations.select_related("organisation"):
            notifications.notify(
                declaration.organisation.members.all(),
                text=_("%(unit)s 已进入公示，公示期至 %(end)s。")
                % {"unit": declaration.organisation, "end": ends_on},
                url=f"/publicity/{publicity.pk}/",
                key=f"publicity:{publicity.pk}:{declaration.pk}",
            )
    return publicity


def close_publicity(publicity_id, *, user=None, early_reason=""):
    """Close a notice: every unit still in publicity is listed, to enter the public lists when the province
    publishes the list with its 文号. Closing twice does nothing more.

    A notice runs its full term (through ``ends_on``, in the kind of days it was opened with): before then the
    province must record why it ends early (an error in the notice, say), kept on the notice and in the audit.
    Refused while an objection waits for the province's decision. ``user=None`` is the scheduled task.
    """
    early_reason = (early_reason or "").strip()
    with transaction.atomic():
        publicity = Publicity.objects.select_for_update().get(pk=publicity_id)
        if publicity.closed_at:
            return []
        if user is not None:
            refuse_unless(may_close_publicity, user, publicity)
        if not publicity.term_over() and not early_reason:
            raise Refused(
                _("公示期至 %(end)s 结束，期满前结束须记录理由（如公示内容有误）。")
                % {"end": publicity.ends_on}
            )
        pending = publicity.objections.filter(status=Objection.Status.PENDING).count()
        if pending:
            raise Refused(_("还有 %(n)d 件异议未处理，处理后才能结束公示。") % {"n": pending})
        listed = []
        waiting = publicity.declarations.filter(state__in=workflow.IN_PUBLICITY).values_list("pk", flat=True)
        for pk in waiting:
            declaration = transition(pk, "list", user=user, system=user is None)
            listed.append(list_unit(declaration, level=ListedUnit.Level.PROVINCIAL))
        publicity.closed_at = timezone.now()
        publicity.early_close_reason = "" if publicity.term_over() else early_reason
        publicity.save(update_fields=["closed_at", "early_close_reason"])
        opinion = _("列入名单%(n)d个") % {"n": len(listed)}
        if publicity.early_close_reason:
            opinion = _("%(listed)s；期满前结束，理由：%(reason)s") % {
                "listed": opinion,
                "reason": publicity.early_close_reason,
            }
        AuditEntry.record(publicity, actor=user, action="close_publicity", opinion=opinion)
    return listed


def close_due_publicities(today=None) -> int:
    """The scheduled sweep: close every notice whose period has ended and has no objection pending."""
    today = today or timezone.localdate()
    closed = 0
    due = Publicity.objects.filter(closed_at__isnull=True, ends_on__lt=today).exclude(
        objections__status="pending"
    )
    for pk in due.values_list("pk", flat=True).distinct():
        if close_publicity(pk):
            closed += 1
    return closed


def list_unit(declaration, *, level, listed_on=None, document_number=""):
    listed_on = listed_on or timezone.localdate()
    return ListedUnit.objects.create(
        declaration=declaration,
        organisation_id=declaration.organisation_id,
        region_id=declaration.region_id,
        category=declaration.category,
        product_name=declaration.product_name,
        level=level,
        year=declaration.batch.year,
        document_number=document_number,
        listed_on=listed_on,
    )


# Objections


def new_reference() -> str:
    return f"YY{timezone.localdate():%Y%m%d}{secrets.token_hex(3).upper()}"


def submit_objection(publicity, *, declaration, real_name, contact, facts, evidence=None, ip_address=None):
    """Anyone, in their real name, during the period; returns the objection with its reference number."""
    if not publicity.accepts_objections():
        raise Refused(_("该公示已结束或尚未开始，不再受理异议。"))
    if not publicity.declarations.filter(pk=declaration.pk).exists():
        raise Refused(_("所选单位不在本公示名单中。"))
    objection = Objection(
        publicity=publicity,
        declaration=declaration,
        reference=new_reference(),
        real_name=real_name,
        contact=contact,
        facts=facts,
        ip_address=ip_address,
    )
    if evidence:
        objection.evidence = evidence
    with transaction.atomic():
        objection.save()
        AuditEntry.record(publicity, actor=None, action="objection", opinion=objection.reference)
    return objection


def find_objection(*, reference, contact):
    """The objection with this 受理编号 whose contact is the one given (spaces ignored), or None."""
    objection = (
        Objection.objects.select_related("publicity", "declaration__organisation")
        .filter(reference__iexact=reference.strip())
        .first()
    )
    if objection is None or "".join(objection.contact.split()) != "".join(contact.split()):
        return None
    return objection


def handle_objection(objection, *, user, upheld: bool, note: str):
    """Upheld → that declaration is rejected with the reason; dismissed → noted."""
    refuse_unless(may_handle_objections, user, objection.publicity)
    if not (note or "").strip():
        raise Refused(_("请填写处理意见。"))
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != Objection.Status.PENDING:
            raise Refused(_("该异议已处理。"))
        locked.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        locked.handling_note, locked.handled_by, locked.handled_at = note, user, timezone.now()
        locked.save()
        if upheld and locked.declaration.state in workflow.IN_PUBLICITY:
            transition(
                locked.declaration_id, "uphold_objection", user=user, opinion=f"{locked.reference}：{note}"
            )
        AuditEntry.record(
            locked.publicity,
            actor=user,
            action="handle_objection",
            opinion=f"{locked.reference} {locked.get_status_display()}",
        )
    return locked


# The lists


def publish_list(units, *, user, level, year, document_number, region=None, published_on=None):
    """Publish a list with its 文号: the province for provincial units, a city for its own municipal ones."""
    if not (document_number or "").strip():
        raise Refused(_("请填写名单文号。"))
    if level == ListedUnit.Level.MUNICIPAL:
        refuse_unless(may_publish_municipal_list, user, region)
    else:
        refuse_unless(may_publish_provincial_list, user)
    units = list(units)
    if not units:
        raise Refused(_("请至少选择一个单位。"))
    if region is not None and any(u.region_id != region.pk for u in units):
        raise Refused(_("市级名单只能包含本市州的单位。"))
    with transaction.atomic():
        publication = ListPublication.objects.create(
            level=level,
            year=year,
            document_number=document_number,
            region=region,
            published_on=published_on or timezone.localdate(),
            published_by=user,
        )
        # 入选日期 is the list's 发布日期, and the three-yearly re-review counts from it.
        published = list(
            ListedUnit.objects.filter(pk__in=[u.pk for u in units]).select_related(
                "declaration__batch__policy"
            )
        )
        for unit in published:
            unit.publication, unit.document_number = publication, document_number
            unit.listed_on = publication.published_on
            unit.next_review_on = unit.policy().next_review_on(unit.listed_on)
        ListedUnit.objects.bulk_update(
            published, ["publication", "document_number", "listed_on", "next_review_on"]
        )
        AuditEntry.record(publication, actor=user, action="publish_list", opinion=document_number)
    return publication


def add_municipal_units(rows, *, user, year, document_number, listed_on=None):
    """A city lists its own units at municipal level: rows of (organisation, category, product name)."""
    refuse_unless(may_publish_municipal_list, user, user.city)
    if any(organisation.region_id != user.city_id for organisation, _c, _p in rows):
        raise Refused(_("只能将本市州的单位列入市级名单。"))
    listed_on = listed_on or timezone.localdate()
    with transaction.atomic():
        units = [
            ListedUnit.objects.create(
                organisation=organisation,
                region_id=organisation.region_id,
                category=category,
                product_name=product,
                level=ListedUnit.Level.MUNICIPAL,
                year=year,
                listed_on=listed_on,
            )
            for organisation, category, product in rows
        ]
        publish_list(
            units, user=user, level=ListedUnit.Level.MUNICIPAL, year=year, document_number=document_number,
            region=user.city, published_on=listed_on,
        )  # fmt: skip
    return units


def recommend_to_national(units, *, user, year):
    refuse_unless(may_recommend_national, user)
    units = list(units)
    if any(u.level != ListedUnit.Level.PROVINCIAL for u in units):
        raise Refused(_("只能从省级名单中推荐。"))
    with transaction.atomic():
        created = [
            NationalRecommendation.objects.get_or_create(
                unit=u, year=year, defaults={"recommended_by": user}
            )[0]
            for u in units
        ]
        AuditEntry.record(
            user, actor=user, action="recommend_national", opinion=_("推荐 %(n)d 个") % {"n": len(created)}
        )
    return created


def record_national_result(recommendation, *, user, accepted: bool, document_number="", listed_on=None):
    """MIIT's result: an accepted unit is listed at national level (it keeps its provincial listing too)."""
    refuse_unless(may_recommend_national, user)
    with transaction.atomic():
        locked = (
            NationalRecommendation.objects.select_for_update()
            .select_related("unit")
            .get(pk=recommendation.pk)
        )
        if locked.result != NationalRecommendation.Result.PENDING:
            raise Refused(_("该推荐的结果已记录。"))
        locked.result = (
            NationalRecommendation.Result.ACCEPTED if accepted else NationalRecommendation.Result.NOT_ACCEPTED
        )
        locked.save(update_fields=["result"])
        unit = None
        if accepted:
            provincial = locked.unit
            unit = ListedUnit.objects.create(
                organisation_id=provincial.organisation_id,
                region_id=provincial.region_id,
                category=provincial.category,
                product_name=provincial.product_name,
                level=ListedUnit.Level.NATIONAL,
                year=locked.year,
                document_number=document_number,
                listed_on=listed_on or timezone.localdate(),
            )
        AuditEntry.record(
            locked.unit, actor=user, action="national_result", opinion=locked.get_result_display()
        )
    return unit


def assign_cities(assignments, *, user) -> int:
    """The province places units whose lists gave only the province (市州待定): each organisation and its
    listings without a city go to the chosen city. ``assignments`` maps organisations to regions."""
    refuse_unless(may_import_lists, user)
    with transaction.atomic():
        for organisation, region in assignments.items():
            assign_region(organisation, region=region, user=user)
            ListedUnit.objects.filter(organisation=organisation, region__isnull=True).update(region=region)
    return len(assignments)

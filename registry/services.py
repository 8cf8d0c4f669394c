"""公示, listing and re-review reminders: the province's decisions become the public record here."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Declaration
from applications.services import TransitionRefused, transition
from greenmfg.models import AuditEntry

from .models import ListedUnit, Publicity, ReReviewReminder


def open_publicity(declaration_ids, *, user, title, days: int):
    """Put the chosen review-passed declarations into one 公示 notice of ``days`` calendar days."""
    if days < 1:
        raise TransitionRefused(_("公示期至少为1天。"))
    ids = list(declaration_ids)
    if not ids:
        raise TransitionRefused(_("请至少选择一个评审通过的申报。"))
    with transaction.atomic():
        today = timezone.localdate()
        publicity = Publicity.objects.create(
            title=title, starts_on=today, ends_on=today + timedelta(days=days - 1), opened_by=user
        )
        for pk in ids:
            transition(pk, "open_publicity", user=user, opinion=title)
        publicity.declarations.set(ids)
        AuditEntry.record(publicity, actor=user, action="open_publicity", opinion=title)
    return publicity


def close_publicity(publicity_id, *, user=None):
    """Close a notice: every unit still in publicity is listed. Closing twice does nothing more.

    ``user=None`` is the scheduled task closing a notice whose period has ended.
    """
    with transaction.atomic():
        publicity = Publicity.objects.select_for_update().get(pk=publicity_id)
        if publicity.closed_at:
            return []
        if user is not None and not user.is_provincial:
            raise TransitionRefused(_("只有省经信厅可以结束公示。"))
        listed = []
        pending = publicity.declarations.filter(state=Declaration.State.IN_PUBLICITY).values_list(
            "pk", flat=True
        )
        for pk in pending:
            declaration = transition(pk, "list", user=user, system=user is None)
            listed.append(list_unit(declaration, level=ListedUnit.Level.PROVINCIAL))
        publicity.closed_at = timezone.now()
        publicity.save(update_fields=["closed_at"])
        AuditEntry.record(
            publicity, actor=user, action="close_publicity", opinion=_("列入名单%(n)d个") % {"n": len(listed)}
        )
    return listed


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


def record_rereview_reminders(today=None) -> int:
    """One reminder per listed unit whose re-review is due; returns how many were new."""
    today = today or timezone.localdate()
    due = ListedUnit.objects.exclude(review_status=ListedUnit.ReviewStatus.REMOVED).filter(
        next_review_on__lte=today
    )
    reminders = [
        ReReviewReminder(listed_unit_id=pk, due_on=on) for pk, on in due.values_list("pk", "next_review_on")
    ]
    before = ReReviewReminder.objects.count()
    ReReviewReminder.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=1000)
    due.filter(review_status=ListedUnit.ReviewStatus.CURRENT).update(
        review_status=ListedUnit.ReviewStatus.DUE
    )
    return ReReviewReminder.objects.count() - before

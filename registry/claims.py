"""认领: an enterprise that registers is matched to the unclaimed unit a published list made of it.

Published lists carry no credit code, so imported units wait, unclaimed, until their enterprise registers. A
registration (or a code a city official records) whose name is the unit's name or one of its former names
proposes the match; it is never applied by itself: the city where the enterprise is confirms it, and only then
do the unit's listings (with their 三年一复核 dates and cases) and exclusions become the enterprise's. A wrong
match is undone by the city, and everything that moved goes back. Each step writes the audit trail.
"""

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import FormerName, Organisation
from applications.services import merge_unclaimed, record_credit_code, unmerge
from applications.signals import organisation_registered
from greenmfg.models import AuditEntry
from greenmfg.notifications import notify
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused

from .models import Claim, ListedUnit
from .notify import city_officials
from .permissions import may_decide_claim, may_record_credit_code, may_undo_claim


def unclaimed_namesakes(organisation):
    """Unclaimed units whose name or a former name folds to this organisation's name, with how they matched."""
    key = organisation.name_key
    units = Organisation.objects.filter(credit_code__isnull=True, merged_into__isnull=True).exclude(
        pk=organisation.pk
    )
    by_name = {unit.pk: (unit, "name") for unit in units.filter(name_key=key)}
    for former in FormerName.objects.filter(name_key=key, organisation__in=units).select_related(
        "organisation"
    ):
        by_name.setdefault(former.organisation_id, (former.organisation, "former_name"))
    return list(by_name.values())


def propose(organisation) -> list[Claim]:
    """A claim for each unclaimed namesake not already proposed; the city officials are told."""
    claims = []
    for unit, matched_by in unclaimed_namesakes(organisation):
        claim, created = Claim.objects.get_or_create(
            unclaimed=unit, claimant=organisation, defaults={"matched_by": matched_by}
        )
        if created:
            AuditEntry.record(claim, actor=None, action="propose_claim", opinion=unit.name)
            claims.append(claim)
    if claims and organisation.region_id:
        transaction.on_commit(
            lambda: notify(
                city_officials(organisation.region_id),
                text=_("“%(name)s”注册后与名单中未认领的单位同名，请确认是否为同一单位。")
                % {"name": organisation.name},
                url=reverse("registry:claims"),
                key=f"claim:{organisation.pk}",
            )
        )
    return claims


@receiver(organisation_registered)
def _propose_on_registration(sender, organisation, **kwargs):
    propose(organisation)


def record_code(unit, *, credit_code, user):
    """A city official records an unclaimed unit's code: the unit is claimed by it when no registered
    organisation has that code, else the match with that organisation is proposed for confirmation."""
    refuse_unless(may_record_credit_code, user, unit)
    registered = Organisation.objects.filter(credit_code=credit_code).first()
    if registered is None:
        return record_credit_code(unit, credit_code=credit_code, user=user), None
    claim, _created = Claim.objects.get_or_create(
        unclaimed=unit, claimant=registered, defaults={"matched_by": "credit_code"}
    )
    AuditEntry.record(claim, actor=user, action="propose_claim", opinion=credit_code)
    return registered, claim


def confirm(claim, *, user):
    """The city confirms: the unit's history becomes the registered organisation's."""
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("claimant", "unclaimed").get(pk=claim.pk)
        refuse_unless(may_decide_claim, user, locked)
        moved = merge_unclaimed(locked.unclaimed, into=locked.claimant, user=user)
        units = ListedUnit.objects.filter(organisation=locked.unclaimed)
        moved["units"] = list(units.values_list("pk", flat=True))
        moved["units_without_city"] = list(units.filter(region__isnull=True).values_list("pk", flat=True))
        units.filter(region__isnull=True).update(region_id=locked.claimant.region_id)
        ListedUnit.objects.filter(pk__in=moved["units"]).update(organisation=locked.claimant)
        locked.status, locked.moved = Claim.Status.CONFIRMED, moved
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.save(update_fields=["status", "moved", "decided_by", "decided_at"])
        Claim.objects.filter(unclaimed=locked.unclaimed, status=Claim.Status.PROPOSED).exclude(
            pk=locked.pk
        ).update(status=Claim.Status.REJECTED, decided_by=user, decided_at=locked.decided_at)
        AuditEntry.record(
            locked,
            actor=user,
            action="confirm_claim",
            opinion=_("名单记录%(n)d条转入“%(name)s”")
            % {"n": len(moved["units"]), "name": locked.claimant.name},
        )
    return locked


def reject(claim, *, user):
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        refuse_unless(may_decide_claim, user, locked)
        locked.status, locked.decided_by, locked.decided_at = Claim.Status.REJECTED, user, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        AuditEntry.record(locked, actor=user, action="reject_claim")
    return locked


def undo(claim, *, user, reason):
    """A wrong match: what moved goes back to the unclaimed unit, and the claim says it was undone."""
    if not reason.strip():
        raise Refused(_("请填写撤销认领的原因。"))
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("claimant", "unclaimed").get(pk=claim.pk)
        refuse_unless(may_undo_claim, user, locked)
        moved = locked.moved
        ListedUnit.objects.filter(pk__in=moved["units"]).update(organisation=locked.unclaimed)
        ListedUnit.objects.filter(pk__in=moved["units_without_city"]).update(region=None)
        unmerge(locked.unclaimed, moved=moved, user=user, reason=reason)
        locked.status, locked.decided_by, locked.decided_at = Claim.Status.UNDONE, user, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        AuditEntry.record(locked, actor=user, action="undo_claim", opinion=reason)
    return locked


def visible_to(user):
    """The claims a page lists for this user: the province sees all, a city those of its organisations."""
    claims = Claim.objects.select_related("claimant__region", "unclaimed", "decided_by").prefetch_related(
        "unclaimed__listings"
    )
    if user.is_city_official:
        return claims.filter(claimant__region_id=user.city_id)
    return claims

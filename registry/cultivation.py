"""培育库: who may see and keep a city's cultivation pool, and how far each candidate has come.

A candidate's progress is read from the declarations and the lists, never typed: it has 已申报 when its
organisation has a declaration in the candidate's category, and 已入选 when that organisation is on a list in
that category and has not been removed. The organisation is the one the city chose, or, for a company that was
not on the portal when the city added it, the organisation that registered later under the same credit code (or,
failing that, the same name in the same city). Everything is computed by annotations, so a page of candidates
costs the same few queries whatever its length.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Category, Declaration, Organisation
from greenmfg.models import AuditEntry
from greenmfg.roles import Role

from .models import CultivationCandidate, ListedUnit

State = Declaration.State

# How far a declaration got, furthest first. At the same depth a live declaration ranks above one that ended
# there (a declaration under provincial review above one rejected at that stage), and a withdrawn one ranks last.
FURTHEST_FIRST = [
    State.LISTED,
    State.IN_PUBLICITY,
    State.REVIEW_PASSED,
    State.PROVINCE_REVIEW,
    State.REJECTED,
    State.CITY_REVIEW,
    State.RETURNED,
    State.NOT_RECOMMENDED,
    State.EVALUATED,
    State.UNDER_EVALUATION,
    State.SELF_EVALUATED,
    State.DRAFT,
    State.WITHDRAWN,
]

NOT_DECLARED = "not_declared"
DECLARED = "declared"
LISTED = "listed"
PROGRESS_CHOICES = [
    (NOT_DECLARED, gettext_lazy("未申报")),
    (DECLARED, gettext_lazy("已申报")),
    (LISTED, gettext_lazy("已入选")),
]


# Who may do what. Each answers (allowed, reason); the reason is what a refused user reads.


def may_view_pool(user) -> tuple[bool, str]:
    if user.is_authenticated and (user.is_provincial or user.has_role(Role.ADMIN) or user.is_city_official):
        return True, ""
    return False, _("只有市州经信局和省经信厅可以查看培育库。")


def may_manage(user, region) -> tuple[bool, str]:
    """Keeping a pool (adding, editing, dropping) is the city's own work: the province only watches."""
    if not (user.is_authenticated and user.is_city_official):
        return False, _("只有市州经信局可以维护培育库。")
    if region is None or user.city_id != region.pk:
        return False, _("只能维护本市州的培育库。")
    return True, ""


def require(answer: tuple[bool, str]) -> None:
    allowed, reason = answer
    if not allowed:
        raise PermissionDenied(reason)


def visible_candidates(user):
    """The candidates this user may see: the only way pages list the pool."""
    candidates = CultivationCandidate.objects.all()
    if user.is_authenticated and (user.is_provincial or user.has_role(Role.ADMIN)):
        return candidates
    if user.is_authenticated and user.is_city_official:
        return candidates.filter(region_id=user.city_id)
    return candidates.none()


# Progress, as annotations.


def with_progress(candidates):
    """Annotate ``matched_organisation_id``, ``is_declared``, ``declaration_state`` (the furthest one),
    ``is_listed`` and ``progress`` (one of PROGRESS_CHOICES), with the related rows a list page shows."""
    registered_by_code = (
        Organisation.objects.filter(credit_code=OuterRef("credit_code")).order_by().values("pk")
    )
    registered_by_name = (
        Organisation.objects.filter(name=OuterRef("name"), region=OuterRef("region"))
        .order_by("pk")
        .values("pk")
    )
    declarations = Declaration.objects.filter(
        organisation_id=OuterRef("matched_organisation_id"), category=OuterRef("category")
    )
    reach = Case(
        *[When(state=state, then=Value(rank)) for rank, state in enumerate(FURTHEST_FIRST)],
        default=Value(len(FURTHEST_FIRST)),
        output_field=IntegerField(),
    )
    furthest = declarations.annotate(reach=reach).order_by("reach", "-batch__year", "-pk").values("state")
    on_a_list = ListedUnit.objects.filter(
        organisation_id=OuterRef("matched_organisation_id"), category=OuterRef("category")
    ).exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
    return (
        candidates.select_related("region", "organisation", "responsible")
        .annotate(
            matched_organisation_id=Coalesce(
                "organisation_id", Subquery(registered_by_code[:1]), Subquery(registered_by_name[:1])
            )
        )
        .annotate(
            is_declared=Exists(declarations),
            declaration_state=Subquery(furthest[:1]),
            is_listed=Exists(on_a_list),
        )
        .annotate(
            progress=Case(
                When(is_listed=True, then=Value(LISTED)),
                When(is_declared=True, then=Value(DECLARED)),
                default=Value(NOT_DECLARED),
            )
        )
    )


def summary(candidates) -> dict:
    """How the given candidates turned into declarations and listings, per city and per category: two queries.

    ``declared`` counts listed candidates too (a unit may be listed from an imported or municipal list without a
    declaration on the portal), so the columns read as a funnel.
    """
    counts = {
        "candidates": Count("pk"),
        "dropped": Count("pk", filter=Q(status=CultivationCandidate.Status.DROPPED)),
        "declared": Count("pk", filter=Q(is_declared=True) | Q(is_listed=True)),
        "listed": Count("pk", filter=Q(is_listed=True)),
    }
    by_city = (
        candidates.order_by()
        .values("region_id", "region__name", "region__order")
        .annotate(**counts)
        .order_by("region__order", "region_id")
    )
    by_category = sorted(
        (
            {**row, "label": Category(row["category"]).label}
            for row in candidates.order_by().values("category").annotate(**counts)
        ),
        key=lambda row: Category.values.index(row["category"]),
    )
    return {"by_city": list(by_city), "by_category": by_category}


def save_candidate(form, user) -> CultivationCandidate:
    """Add or change a candidate from a valid form; the city's own pool only, recorded in the audit trail."""
    candidate = form.instance
    require(may_manage(user, candidate.region))
    action = "add_candidate"
    if candidate.pk:
        before = CultivationCandidate.objects.values_list("status", flat=True).get(pk=candidate.pk)
        action = {
            (CultivationCandidate.Status.CULTIVATING, CultivationCandidate.Status.DROPPED): "drop_candidate",
            (
                CultivationCandidate.Status.DROPPED,
                CultivationCandidate.Status.CULTIVATING,
            ): "resume_candidate",
        }.get((before, candidate.status), "edit_candidate")
    with transaction.atomic():
        candidate = form.save()
        AuditEntry.record(candidate, actor=user, action=action, to_state=candidate.status)
    return candidate

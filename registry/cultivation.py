"""培育库: how far each candidate of a city's cultivation pool has come, and keeping the pool.

A candidate's progress is read from the declarations and the lists, never typed: it has 已申报 when its
organisation has a declaration in the candidate's category, and 已入选 when that organisation is on a list in
that category and has not been removed. The organisation is the one the city chose, or, for a company that was
not on the portal when the city added it, the organisation that registered later under the same credit code (or,
failing that, the same name in the same city). Everything is computed by annotations, so a page of candidates
costs the same few queries whatever its length. Who may see and keep a pool is asked of registry.permissions.
"""

from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from applications.models import Category, Declaration, Organisation
from applications.workflow import FURTHEST_FIRST
from greenmfg.models import AuditEntry
from greenmfg.permissions import refuse_unless

from .models import CultivationCandidate, ListedUnit
from .permissions import may_manage_pool

NOT_DECLARED = "not_declared"
DECLARED = "declared"
LISTED = "listed"
PROGRESS_CHOICES = [
    (NOT_DECLARED, gettext_lazy("未申报")),
    (DECLARED, gettext_lazy("已申报")),
    (LISTED, gettext_lazy("已入选")),
]


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
    refuse_unless(may_manage_pool, user, candidate.region)
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

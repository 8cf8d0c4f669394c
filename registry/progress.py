"""Where each city stands: this batch's recommendations and the lists so far, against the 2025 targets."""

from dataclasses import dataclass, field

from django.db.models import Count

from applications.models import Category, Declaration
from greenmfg.models import Region

from .models import ListedUnit, Target

RECOMMENDED_STATES = [
    Declaration.State.PROVINCE_REVIEW,
    Declaration.State.REVIEW_PASSED,
    Declaration.State.IN_PUBLICITY,
    Declaration.State.LISTED,
]
TARGET_YEAR = 2025
LISTS_FROM = 2021


@dataclass
class Cell:
    recommended: int = 0
    listed: int = 0
    target: int = 0

    @property
    def gap(self) -> int:
        return max(0, self.target - self.listed)


@dataclass
class Row:
    region: Region
    cells: dict = field(default_factory=dict)  # category → Cell


def table(batch) -> dict:
    """Rows per city, cells per category, and totals; four queries whatever the size."""
    rows = {r.pk: Row(r, {c: Cell() for c in Category.values}) for r in Region.objects.all()}
    if batch is not None:
        recommended = (
            Declaration.objects.filter(batch=batch, state__in=RECOMMENDED_STATES)
            .values("region_id", "category")
            .annotate(n=Count("pk"))
        )
        for row in recommended:
            rows[row["region_id"]].cells[row["category"]].recommended = row["n"]
    listed = (
        ListedUnit.objects.filter(year__gte=LISTS_FROM)
        .exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
        .values("region_id", "category")
        .annotate(n=Count("organisation", distinct=True))
    )
    for row in listed:
        rows[row["region_id"]].cells[row["category"]].listed = row["n"]
    for target in Target.objects.filter(year=TARGET_YEAR).values("region_id", "category", "count"):
        rows[target["region_id"]].cells[target["category"]].target = target["count"]
    totals = {c: Cell() for c in Category.values}
    for row in rows.values():
        for category, cell in row.cells.items():
            totals[category].recommended += cell.recommended
            totals[category].listed += cell.listed
            totals[category].target += cell.target
    return {"rows": list(rows.values()), "totals": totals, "categories": Category.choices}

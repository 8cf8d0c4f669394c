"""Where each city stands against a plan's targets (2022–2025: 附件3), and this batch's recommendations."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from applications import workflow
from applications.models import Category, Declaration
from greenmfg import xlsx
from greenmfg.models import Region

from .models import ListedUnit, Plan, Target


@dataclass
class Cell:
    recommended: int = 0
    listed: int = 0
    target: int = 0

    @property
    def gap(self) -> int:
        return max(0, self.target - self.listed)

    @property
    def percent(self) -> int | None:
        """Achieved as a whole percentage of the target (None where the target is 0)."""
        if not self.target:
            return None
        return int((Decimal(self.listed) * 100 / self.target).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def band(self) -> str:
        """A colour band for the heat table: met, near, behind, far (or none without a target)."""
        percent = self.percent
        if percent is None:
            return "none"
        return "met" if percent >= 100 else "near" if percent >= 70 else "behind" if percent >= 40 else "far"


@dataclass
class Row:
    region: Region
    cells: dict = field(default_factory=dict)  # category → Cell

    @property
    def total(self) -> Cell:
        return Cell(
            sum(c.recommended for c in self.cells.values()),
            sum(c.listed for c in self.cells.values()),
            sum(c.target for c in self.cells.values()),
        )


def achieved(plan, region_id=None):
    """{(region, category): units on any list of the plan's years}, each unit counted once at its highest level.

    A unit is an organisation in a category (per product for 绿色设计产品): listed provincially and then
    nationally, it counts once. Removed listings do not count, nor (until the province assigns a city) units
    whose city is 市州待定.
    """
    listed = ListedUnit.objects.filter(
        year__gte=plan.lists_from_year, year__lte=plan.last_year, region__isnull=False
    ).exclude(review_status=ListedUnit.ReviewStatus.REMOVED)
    if region_id:
        listed = listed.filter(region_id=region_id)
    units = (
        listed.order_by().values_list("region_id", "category", "organisation_id", "product_name").distinct()
    )
    counts = {}
    for region_id, category, _organisation, _product in units:
        counts[region_id, category] = counts.get((region_id, category), 0) + 1
    return counts


def table(batch=None, plan=None) -> dict:
    """Rows per city, cells per category, and totals against ``plan`` (the current one by default); a fixed
    number of queries whatever the size."""
    plan = plan or Plan.current()
    rows = {r.pk: Row(r, {c: Cell() for c in Category.values}) for r in Region.objects.all()}
    if batch is not None:
        recommended = (
            Declaration.objects.filter(batch=batch, state__in=workflow.RECOMMENDED)
            .values("region_id", "category")
            .annotate(n=Count("pk"))
        )
        for row in recommended:
            rows[row["region_id"]].cells[row["category"]].recommended = row["n"]
    for (region_id, category), n in (achieved(plan) if plan else {}).items():
        rows[region_id].cells[category].listed = n
    for target in Target.objects.filter(plan=plan).values("region_id", "category", "count"):
        rows[target["region_id"]].cells[target["category"]].target = target["count"]
    totals = {c: Cell() for c in Category.values}
    for row in rows.values():
        for category, cell in row.cells.items():
            totals[category].recommended += cell.recommended
            totals[category].listed += cell.listed
            totals[category].target += cell.target
    pending = ListedUnit.objects.filter(region__isnull=True).exclude(
        review_status=ListedUnit.ReviewStatus.REMOVED
    )
    return {
        "plan": plan,
        "rows": list(rows.values()),
        "totals": totals,
        "categories": Category.choices,
        "region_pending": pending.count(),
    }


def workbook(data) -> bytes:
    """The targets table as .xlsx: per city and category, target, achieved, percentage and gap."""
    plan = data["plan"]
    header = [_("市州")]
    for _code, label in data["categories"]:
        header += [
            f"{label}{_('目标')}",
            f"{label}{_('已入选')}",
            f"{label}{_('完成率%')}",
            f"{label}{_('差距')}",
        ]
    rows = []
    for row in [*data["rows"], None]:
        name, cells = (row.region.name, row.cells) if row else (_("合计"), data["totals"])
        line = [name]
        for code, _label in data["categories"]:
            cell = cells[code]
            line += [cell.target, cell.listed, cell.percent, cell.gap]
        rows.append(line)
    return xlsx.workbook(
        title=_("%(plan)s %(year)d年目标完成情况") % {"plan": plan.name, "year": plan.last_year},
        header=header,
        rows=rows,
        document_number=plan.document_number,
    )

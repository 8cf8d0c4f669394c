"""Reference data for the quantitative indicators, read from the database once per page.

Which benchmark table a declaration is scored with (chosen by industry the first time, then kept), the
``Reference`` of each indicator in it, and the energy carriers with the emission factor of a data year.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from .indicators import Carrier
from .models import Benchmark, BenchmarkTable, EmissionFactor, EnergyCarrier
from .scoring import Reference

HUNDRED = Decimal(100)


def table_for(declaration) -> BenchmarkTable | None:
    """The table the declaration keeps; else the newest one for its industry (the longest matching prefix)."""
    if declaration.benchmark_table_id:
        return declaration.benchmark_table
    industry = (declaration.industry_code or "").upper()
    tables = BenchmarkTable.objects.filter(template=declaration.setting.template)
    candidates = [t for t in tables if industry.startswith(t.industry_prefix.upper())]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (len(t.industry_prefix), t.version))


def references(table: BenchmarkTable | None) -> dict:
    """Indicator id → Reference of every value in ``table`` (plain rows: the live preview reads it on every change)."""
    if table is None:
        return {}
    floor = Decimal(table.floor_percent) / HUNDRED
    rows = Benchmark.objects.filter(table=table).values_list(
        "indicator_id", "benchmark", "leading_value", "indicator__direction"
    )
    return {
        indicator_id: Reference(
            benchmark=benchmark,
            leading=leading,
            direction=direction,
            rule=table.rule,
            floor=floor,
            example=table.is_example,
            source=table.source,
        )
        for indicator_id, benchmark, leading, direction in rows
    }


def carriers(years) -> dict:
    """Data year → the carriers, each with the newest CO₂ factor published for a year not after it."""
    rows = list(EnergyCarrier.objects.all())
    factors = list(EmissionFactor.objects.order_by("-year"))
    result = {}
    for year in years:
        listed = []
        for row in rows:
            factor = next((f for f in factors if f.carrier_id == row.pk and f.year <= int(year)), None)
            listed.append(
                Carrier(
                    code=row.code,
                    name=row.name,
                    unit=row.unit,
                    kgce_per_unit=row.kgce_per_unit,
                    kgce_min=row.kgce_min,
                    kgce_max=row.kgce_max,
                    takes_calorific_value=row.takes_calorific_value,
                    co2_per_unit=factor.kg_co2_per_unit if factor else None,
                    source=row.source,
                    co2_source=_("%(year)s年因子") % {"year": factor.year} if factor else "",
                )
            )
        result[str(year)] = listed
    return result

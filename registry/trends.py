"""三年一复核: each computed indicator of a listed unit year after year, from its declaration and 动态管理表.

The values are computed from the raw data exactly as at declaration time (``applications.annual``) and placed
against the 基准值 of the benchmark table the declaration was scored with; a unit whose latest value is worse
than the 基准值 is flagged for the re-review.
"""

from dataclasses import dataclass
from decimal import Decimal

from applications import annual, benchmarks

WIDTH, HEIGHT, PAD = 160, 40, 4


@dataclass
class Trend:
    indicator: object
    points: list  # (year, value or None), oldest first
    reference: object

    @property
    def latest(self) -> Decimal | None:
        return next((value for _year, value in reversed(self.points) if value is not None), None)

    @property
    def worse(self) -> bool:
        """The latest value does not reach the 基准值."""
        return (
            self.reference is not None
            and self.latest is not None
            and not self.reference.reaches(self.latest, self.reference.benchmark)
        )

    def _scale(self):
        values = [v for _y, v in self.points if v is not None]
        if self.reference is not None:
            values += [self.reference.benchmark] + (
                [self.reference.leading] if self.reference.leading is not None else []
            )
        low, high = min(values), max(values)
        span = (high - low) or Decimal(1)
        step = Decimal(WIDTH - 2 * PAD) / max(len(self.points) - 1, 1)

        def y(value):
            return float(HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD))

        return step, y

    @property
    def polyline(self) -> str:
        """The values as SVG polyline points in a WIDTH × HEIGHT box."""
        step, y = self._scale()
        return " ".join(
            f"{float(PAD + i * step):.1f},{y(value):.1f}"
            for i, (_year, value) in enumerate(self.points)
            if value is not None
        )

    @property
    def benchmark_y(self) -> str:
        return "" if self.reference is None else f"{self._scale()[1](self.reference.benchmark):.1f}"


def trends(unit) -> list[Trend]:
    """The unit's computed indicators per year: its declaration's year(s), then each 动态管理表 with raw data."""
    declaration = unit.declaration
    if declaration is None:
        return []
    indicators = [i for i in declaration.setting.template.indicators.all() if i.formula]
    if not indicators:
        return []
    data = {str(row.year): row.inputs for row in declaration.annual_data.all()}
    data.update({str(report.year): report.inputs for report in unit.annual_reports.all() if report.inputs})
    if not data:
        return []
    years = sorted(data)
    results = annual.compute({year: data[year] for year in years}, benchmarks.carriers(years))
    references = declaration.indicator_references()
    rows = []
    for indicator in indicators:
        points = []
        for year in years:
            computed = results[year].values.get(indicator.formula)
            points.append((year, None if computed is None else computed.value.quantize(Decimal("0.0001"))))
        if any(value is not None for _year, value in points):
            rows.append(Trend(indicator, points, references.get(indicator.pk)))
    return rows

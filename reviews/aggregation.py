"""Experts' scores of one declaration, put together."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TRIM_FROM = 5  # with five or more scores, the highest and the lowest are dropped


@dataclass(frozen=True)
class Aggregate:
    count: int
    mean: Decimal | None
    trimmed_mean: Decimal | None
    spread: Decimal | None
    final: Decimal | None  # the trimmed mean when there is one, else the mean


def aggregate(scores) -> Aggregate:
    values = sorted(Decimal(str(s)) for s in scores if s is not None)
    if not values:
        return Aggregate(0, None, None, None, None)
    mean = (sum(values) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)
    trimmed = None
    if len(values) >= TRIM_FROM:
        kept = values[1:-1]  # one highest and one lowest, even when tied with others
        trimmed = (sum(kept) / len(kept)).quantize(CENT, rounding=ROUND_HALF_UP)
    spread = (values[-1] - values[0]).quantize(CENT, rounding=ROUND_HALF_UP)
    return Aggregate(len(values), mean, trimmed, spread, trimmed if trimmed is not None else mean)

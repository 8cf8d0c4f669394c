"""Putting experts' scores together (reviews.aggregation), with the arithmetic done by hand.

Rules: mean of all scores; with five or more scores a trimmed mean that drops exactly one highest and one
lowest (even when tied); spread = highest − lowest; ``final`` = trimmed mean when there is one, else the
mean; every result rounded half-up to 0.01. No database is needed.
"""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.aggregation import Aggregate, aggregate


def D(text):
    return Decimal(text)


def assert_two_places(*values):
    """Results are quantised to cents: '85.00', not '85'."""
    for value in values:
        if value is not None:
            assert value.as_tuple().exponent == -2, value


# --- nothing to aggregate -------------------------------------------------------------------------------


def test_no_scores_gives_count_zero_and_nones():
    assert aggregate([]) == Aggregate(count=0, mean=None, trimmed_mean=None, spread=None, final=None)


def test_only_none_scores_count_as_no_scores():
    assert aggregate([None, None, None]) == Aggregate(0, None, None, None, None)


def test_empty_generator_gives_count_zero():
    # experts.results() passes a generator expression.
    assert aggregate(s for s in []) == Aggregate(0, None, None, None, None)


# --- fewer than five scores: no trimming ----------------------------------------------------------------


def test_single_score():
    result = aggregate([D("85")])
    # mean = 85 / 1 = 85.00; one score → no trimmed mean; spread = 85 − 85 = 0.00; final = mean.
    assert result.count == 1
    assert result.mean == D("85.00")
    assert result.trimmed_mean is None
    assert result.spread == D("0.00")
    assert result.final == D("85.00")
    assert str(result.mean) == "85.00"
    assert str(result.spread) == "0.00"


def test_four_scores_are_not_trimmed():
    result = aggregate([D("95"), D("70"), D("85"), D("80")])
    # mean = (70 + 80 + 85 + 95) / 4 = 330 / 4 = 82.50; 4 < 5 → no trimmed mean.
    # spread = 95 − 70 = 25.00; final = mean = 82.50.
    assert result.count == 4
    assert result.mean == D("82.50")
    assert result.trimmed_mean is None
    assert result.spread == D("25.00")
    assert result.final == D("82.50")
    assert_two_places(result.mean, result.spread, result.final)


def test_four_scores_with_extremes_keep_the_extremes():
    result = aggregate([D("0"), D("100"), D("100"), D("100")])
    # mean = 300 / 4 = 75.00 (0 is not dropped with only four scores); spread = 100 − 0 = 100.00.
    assert result.mean == D("75.00")
    assert result.trimmed_mean is None
    assert result.spread == D("100.00")
    assert result.final == D("75.00")


# --- five or more scores: one highest and one lowest dropped --------------------------------------------


def test_five_scores_are_trimmed():
    result = aggregate([D("99"), D("60"), D("80"), D("70"), D("90")])
    # mean = (60 + 70 + 80 + 90 + 99) / 5 = 399 / 5 = 79.80
    # trimmed: drop 60 and 99 → (70 + 80 + 90) / 3 = 240 / 3 = 80.00
    # spread = 99 − 60 = 39.00; final = trimmed = 80.00
    assert result.count == 5
    assert result.mean == D("79.80")
    assert result.trimmed_mean == D("80.00")
    assert result.spread == D("39.00")
    assert result.final == D("80.00")
    assert_two_places(result.mean, result.trimmed_mean, result.spread, result.final)


def test_ties_at_top_and_bottom_drop_only_one_of_each():
    result = aggregate([D("90"), D("90"), D("80"), D("70"), D("70")])
    # mean = (90 + 90 + 80 + 70 + 70) / 5 = 400 / 5 = 80.00
    # trimmed: drop ONE 90 and ONE 70 → (90 + 80 + 70) / 3 = 240 / 3 = 80.00
    # (dropping every 90 and every 70 would leave just 80 → also 80; see the next test for a case that differs)
    # spread = 90 − 70 = 20.00
    assert result.mean == D("80.00")
    assert result.trimmed_mean == D("80.00")
    assert result.spread == D("20.00")
    assert result.final == D("80.00")


def test_ties_at_the_top_keep_the_other_tied_scores():
    result = aggregate([D("90"), D("90"), D("90"), D("70"), D("60")])
    # mean = (90 + 90 + 90 + 70 + 60) / 5 = 400 / 5 = 80.00
    # trimmed: drop one 90 and the 60 → (90 + 90 + 70) / 3 = 250 / 3 = 83.333… → 83.33
    # (dropping all three 90s would leave only 70 → 70.00, which would be wrong)
    # spread = 90 − 60 = 30.00; final = 83.33
    assert result.mean == D("80.00")
    assert result.trimmed_mean == D("83.33")
    assert result.spread == D("30.00")
    assert result.final == D("83.33")


def test_ties_at_the_bottom_keep_the_other_tied_scores():
    result = aggregate([D("60"), D("60"), D("60"), D("80"), D("100")])
    # mean = (60 · 3 + 80 + 100) / 5 = 360 / 5 = 72.00
    # trimmed: drop one 60 and the 100 → (60 + 60 + 80) / 3 = 200 / 3 = 66.666… → 66.67 (half-up)
    # spread = 100 − 60 = 40.00
    assert result.mean == D("72.00")
    assert result.trimmed_mean == D("66.67")
    assert result.spread == D("40.00")
    assert result.final == D("66.67")


def test_five_equal_scores():
    result = aggregate([D("80")] * 5)
    # mean = 400 / 5 = 80.00; trimmed = (80 · 3) / 3 = 80.00; spread = 0.00
    assert result == Aggregate(5, D("80.00"), D("80.00"), D("0.00"), D("80.00"))


def test_seven_scores():
    result = aggregate([D("80"), D("100"), D("55"), D("91"), D("60"), D("88"), D("72")])
    # sorted: 55, 60, 72, 80, 88, 91, 100
    # mean = 546 / 7 = 78.00            (55+60 = 115, +72 = 187, +80 = 267, +88 = 355, +91 = 446, +100 = 546)
    # trimmed: drop 55 and 100 → (60 + 72 + 80 + 88 + 91) / 5 = 391 / 5 = 78.20
    # spread = 100 − 55 = 45.00; final = 78.20
    assert result.count == 7
    assert result.mean == D("78.00")
    assert result.trimmed_mean == D("78.20")
    assert result.spread == D("45.00")
    assert result.final == D("78.20")


def test_six_scores_with_repeating_decimals():
    result = aggregate([D("85.5"), D("90"), D("77.25"), D("88"), D("60"), D("93")])
    # sorted: 60, 77.25, 85.5, 88, 90, 93; sum = 493.75
    # mean = 493.75 / 6 = 82.291666… → 82.29
    # trimmed: drop 60 and 93 → (77.25 + 85.5 + 88 + 90) / 4 = 340.75 / 4 = 85.1875 → 85.19
    # spread = 93 − 60 = 33.00
    assert result.mean == D("82.29")
    assert result.trimmed_mean == D("85.19")
    assert result.spread == D("33.00")
    assert result.final == D("85.19")


# --- rounding half-up ------------------------------------------------------------------------------------


def test_mean_exactly_half_a_cent_rounds_up():
    result = aggregate([D("80.01"), D("80.00")])
    # mean = 160.01 / 2 = 80.005 → half-up 80.01 (banker's rounding would give 80.00)
    assert result.mean == D("80.01")
    assert result.final == D("80.01")


def test_mean_just_below_half_a_cent_rounds_down():
    result = aggregate([D("80.01"), D("80.00"), D("80.00")])
    # mean = 240.01 / 3 = 80.00333… → 80.00
    assert result.mean == D("80.00")


def test_mean_odd_cent_plus_half_rounds_up():
    result = aggregate([D("85.03"), D("85.00")])
    # mean = 170.03 / 2 = 85.015 → 85.02
    assert result.mean == D("85.02")


def test_trimmed_mean_exactly_half_a_cent_rounds_up():
    result = aggregate([D("60"), D("80.00"), D("80.00"), D("80.01"), D("80.01"), D("100")])
    # trimmed: drop 60 and 100 → (80.00 + 80.00 + 80.01 + 80.01) / 4 = 320.02 / 4 = 80.005 → 80.01
    # mean = (60 + 320.02 + 100) / 6 = 480.02 / 6 = 80.00333… → 80.00
    # spread = 100 − 60 = 40.00
    assert result.trimmed_mean == D("80.01")
    assert result.mean == D("80.00")
    assert result.spread == D("40.00")
    assert result.final == D("80.01")


def test_single_score_with_three_decimals_rounds_half_up():
    # mean = 79.995 → 80.00 (half-up carries into the units)
    assert aggregate([D("79.995")]).mean == D("80.00")
    # mean = 79.994 → 79.99
    assert aggregate([D("79.994")]).mean == D("79.99")


def test_spread_rounds_half_up_when_exact():
    # Spread of cent values is already exact: 80.01 − 79.99 = 0.02.
    assert aggregate([D("80.01"), D("79.99")]).spread == D("0.02")


def test_spread_exactly_half_a_cent_rounds_up():
    # spread = 80.005 − 80.000 = 0.005 → half-up 0.01
    assert aggregate([D("80.005"), D("80.000")]).spread == D("0.01")


# --- inputs ----------------------------------------------------------------------------------------------


def test_none_values_are_ignored():
    result = aggregate([None, D("80"), None, D("90")])
    # count = 2; mean = (80 + 90) / 2 = 85.00; spread = 90 − 80 = 10.00
    assert result == Aggregate(2, D("85.00"), None, D("10.00"), D("85.00"))


def test_none_values_do_not_count_towards_trimming():
    result = aggregate([None, D("60"), D("70"), D("80"), D("90")])
    # five entries but only four scores → no trimming; mean = 300 / 4 = 75.00; spread = 90 − 60 = 30.00
    assert result.count == 4
    assert result.trimmed_mean is None
    assert result.mean == D("75.00")
    assert result.final == D("75.00")


def test_zero_is_a_score_not_a_missing_one():
    result = aggregate([0, D("90")])
    # 0 is not None: mean = 90 / 2 = 45.00; spread = 90.00
    assert result == Aggregate(2, D("45.00"), None, D("90.00"), D("45.00"))


def test_mixed_decimal_float_str_and_int_inputs():
    result = aggregate([D("85.50"), 90.25, "70.75", 60, None])
    # scores: 85.50, 90.25, 70.75, 60 → sum = 306.50; mean = 306.50 / 4 = 76.625 → 76.63 (half-up)
    # spread = 90.25 − 60 = 30.25
    assert result.count == 4
    assert result.mean == D("76.63")
    assert result.trimmed_mean is None
    assert result.spread == D("30.25")
    assert result.final == D("76.63")


def test_floats_are_taken_by_their_shortest_repr_not_their_binary_value():
    # Decimal(80.005) is 80.00499999…; via str() it is 80.005, which rounds half-up to 80.01.
    assert aggregate([80.005]).mean == D("80.01")
    # 0.1 + 0.2 would be 0.30000000000000004 in floats; as Decimals: (0.1 + 0.2) / 2 = 0.15
    assert aggregate([0.1, 0.2]).mean == D("0.15")


def test_string_inputs_trimmed():
    result = aggregate(["88.5", "92", "79", "85", "95.5"])
    # sorted: 79, 85, 88.5, 92, 95.5; sum = 440; mean = 440 / 5 = 88.00
    # trimmed: drop 79 and 95.5 → (85 + 88.5 + 92) / 3 = 265.5 / 3 = 88.50
    # spread = 95.5 − 79 = 16.50
    assert result == Aggregate(5, D("88.00"), D("88.50"), D("16.50"), D("88.50"))


def test_order_of_scores_does_not_matter():
    scores = [D("70"), D("99"), D("60"), D("90"), D("80")]
    assert aggregate(scores) == aggregate(sorted(scores)) == aggregate(reversed(scores))


# --- properties ------------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 100)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(cents, st.none()), max_size=12))
def test_properties_over_random_cent_scores(scores):
    values = [s for s in scores if s is not None]
    result = aggregate(scores)
    assert result.count == len(values)
    if not values:
        assert result == Aggregate(0, None, None, None, None)
        return
    low, high = min(values), max(values)
    assert low <= result.mean <= high
    assert result.spread == high - low
    assert_two_places(result.mean, result.spread, result.final)
    if len(values) >= 5:
        ordered = sorted(values)
        assert ordered[1] <= result.trimmed_mean <= ordered[-2]
        assert result.final == result.trimmed_mean
        assert_two_places(result.trimmed_mean)
    else:
        assert result.trimmed_mean is None
        assert result.final == result.mean
    # Within half a cent of the exact mean.
    assert abs(result.mean - sum(values) / len(values)) <= Decimal("0.005")

"""Effect sizes and their intervals (canary_tui.domain.effects) against published examples,
scipy and brute force; hypothesis for the properties an interval must have."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from canary_tui.domain.effects import (
    hodges_lehmann,
    hodges_lehmann_ratio,
    interval_ranks,
    kth_difference,
    rate_difference,
    wilson_interval,
)

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score,
# no continuity correction), 95 %: (m/n - m'/n') -> (lower, upper).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_rate_difference_matches_newcombe_table_ii(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    effect = rate_difference(*counts, confidence=0.95)
    a, m, b, n = counts
    assert effect.estimate == pytest.approx((a / m - b / n) * 100)
    assert effect.low / 100 == pytest.approx(expected[0], abs=5e-5)
    assert effect.high / 100 == pytest.approx(expected[1], abs=5e-5)
    assert effect.kind == "rate_difference" and effect.unit == "pp"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(1, 5000), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_interval_equals_scipy(successes: int, trials: int, confidence: float) -> None:
    successes = min(successes, trials)
    low, high = wilson_interval(successes, trials, confidence)
    expected = stats.binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


counts = st.integers(1, 20_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=300, deadline=None)
@given(counts, counts, st.sampled_from([0.8, 0.9, 0.95]))
def test_rate_difference_interval_contains_the_estimate_and_is_symmetric(
    canary: tuple[int, int], baseline: tuple[int, int], confidence: float
) -> None:
    effect = rate_difference(*canary, *baseline, confidence=confidence)
    assert -100 <= effect.low <= effect.estimate <= effect.high <= 100
    swapped = rate_difference(*baseline, *canary, confidence=confidence)
    assert swapped.estimate == pytest.approx(-effect.estimate, abs=1e-9)
    assert swapped.low == pytest.approx(-effect.high, abs=1e-9)
    assert swapped.high == pytest.approx(-effect.low, abs=1e-9)
    wider = rate_difference(*canary, *baseline, confidence=0.99)
    assert wider.low <= effect.low + 1e-9 and effect.high <= wider.high + 1e-9


@settings(max_examples=200, deadline=None)
@given(counts, counts)
def test_more_canary_errors_never_move_the_interval_down(
    canary: tuple[int, int], baseline: tuple[int, int]
) -> None:
    errors, requests = canary
    if errors == requests:
        return
    before = rate_difference(errors, requests, *baseline, confidence=0.9)
    after = rate_difference(errors + 1, requests, *baseline, confidence=0.9)
    assert after.estimate > before.estimate
    assert after.low >= before.low - 1e-12 and after.high >= before.high - 1e-12


def test_hodges_lehmann_matches_hollander_and_wolfe() -> None:
    # Hollander & Wolfe, Nonparametric Statistical Methods (2nd ed.), Example 4.2:
    # permeability of the chorioamnion at term (x) and at 12-26 weeks (y); the estimate of the
    # shift is 0.305.
    at_term = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    early = [1.15, 0.88, 0.90, 0.74, 1.21]
    effect = hodges_lehmann(at_term, early, 0.95)
    assert effect.estimate == pytest.approx(0.305)
    assert effect.low <= effect.estimate <= effect.high


def _exact_u_cdf(m: int, n: int) -> list[float]:
    """P(U <= u) by enumerating every arrangement (brute force: small m, n only)."""
    counts = [0] * (m * n + 1)
    for chosen in itertools.combinations(range(m + n), m):
        # U = pairs (x, y) with x above y; x at the ranks in `chosen`.
        counts[sum(rank - index for index, rank in enumerate(chosen))] += 1
    total = math.comb(m + n, m)
    cumulative, out = 0, []
    for count in counts:
        cumulative += count
        out.append(cumulative / total)
    return out


@pytest.mark.parametrize(("m", "n"), [(3, 4), (5, 5), (8, 6), (4, 10), (8, 8)])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_exact_interval_ranks_against_enumeration(m: int, n: int, confidence: float) -> None:
    k, upper = interval_ranks(m, n, confidence)
    cdf = _exact_u_cdf(m, n)
    tail = (1 - confidence) / 2
    expected = max(u + 1 for u in range(len(cdf)) if cdf[u] <= tail) if cdf[0] <= tail else 0
    assert k == max(expected, 1)
    assert upper == m * n + 1 - k


samples = st.lists(
    st.floats(1.0, 500.0, allow_nan=False).map(lambda v: round(v, 3)), min_size=3, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(samples, samples)
def test_hodges_lehmann_interval_inverts_scipys_exact_mann_whitney(
    xs: list[float], ys: list[float]
) -> None:
    # Without ties every shift strictly inside the interval is accepted by the two-sided exact
    # test at 1 - confidence, and every shift outside it rejected.
    diffs = sorted({x - y for x in xs for y in ys})
    if len(set(xs)) < len(xs) or len(set(ys)) < len(ys) or len(diffs) < len(xs) * len(ys):
        return
    if min(len(xs), len(ys)) > 8:
        return
    effect = hodges_lehmann(xs, ys, 0.9)
    inside = [d for d in diffs if effect.low < d < effect.high]
    probes = [(a + b) / 2 for a, b in itertools.pairwise(diffs)]
    for shift in probes:
        p = stats.mannwhitneyu([x - shift for x in xs], ys, method="exact").pvalue
        if effect.low < shift < effect.high:
            assert p > 0.1 - 1e-12, (shift, p)
        else:
            assert p <= 0.1 + 1e-12, (shift, p)
    assert inside or effect.low == effect.high or probes


@settings(max_examples=100, deadline=None)
@given(samples, samples, st.floats(-50, 50))
def test_hodges_lehmann_is_shift_equivariant_and_antisymmetric(
    xs: list[float], ys: list[float], shift: float
) -> None:
    effect = hodges_lehmann(xs, ys, 0.9)
    assert effect.low <= effect.estimate <= effect.high
    moved = hodges_lehmann([x + shift for x in xs], ys, 0.9)
    assert moved.estimate == pytest.approx(effect.estimate + shift, abs=1e-9)
    swapped = hodges_lehmann(ys, xs, 0.9)
    assert swapped.estimate == pytest.approx(-effect.estimate, abs=1e-9)
    assert swapped.low == pytest.approx(-effect.high, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 1000, allow_nan=False), min_size=150, max_size=300),
    st.lists(st.floats(0, 1000, allow_nan=False), min_size=150, max_size=300),
    st.floats(0, 1),
)
def test_kth_difference_by_bisection_equals_sorting(
    xs: list[float], ys: list[float], where: float
) -> None:
    total = len(xs) * len(ys)
    assert total > 20_000  # the bisection path
    k = 1 + round(where * (total - 1))
    assert kth_difference(xs, ys, k) == sorted(x - y for x in xs for y in ys)[k - 1]


def test_ratio_is_the_shift_of_logarithms() -> None:
    canary = [130.0, 128.0, 140.0, 125.0, 133.0, 139.0, 131.0, 127.0, 135.0, 129.0]
    baseline = [100.0, 98.0, 104.0, 101.0, 97.0, 103.0, 99.0, 102.0, 100.5, 98.5]
    effect = hodges_lehmann_ratio(canary, baseline, 0.9)
    assert effect is not None
    assert 1.25 < effect.low <= effect.estimate <= effect.high < 1.4
    assert effect.text().startswith("x1.3") and "90% CI" in effect.text()
    assert hodges_lehmann_ratio([0.0, 1.0], [1.0, 2.0], 0.9) is None


def test_kth_difference_counts_the_computed_differences_near_subnormals() -> None:
    # Found by hypothesis: comparing y >= x - value instead of x - y <= value miscounted.
    xs = [0.0] * 150
    ys = [0.0] * 149 + [2.2250738585072014e-308]
    total = len(xs) * len(ys)
    for k in (1, 150, total):
        assert kth_difference(xs, ys, k) == sorted(x - y for x in xs for y in ys)[k - 1]

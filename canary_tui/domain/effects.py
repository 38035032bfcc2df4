"""Effect sizes with confidence intervals: how much worse, not only whether.

Pure Python (``math`` only), like :mod:`canary_tui.domain.stats`.

* :func:`wilson_interval`: the score interval of one proportion (E. B. Wilson, "Probable
  inference, the law of succession, and statistical inference", JASA 22, 1927).
* :func:`rate_difference`: the difference of two proportions with Newcombe's hybrid score
  interval, built from the two Wilson intervals (R. G. Newcombe, "Interval estimation for the
  difference between independent proportions: comparison of eleven methods", Statistics in
  Medicine 17, 1998, method 10). Good coverage at the small counts and rates near 0 that a 1 %
  canary has (the Wald interval collapses to a point at 0 errors).
* :func:`hodges_lehmann`: the Hodges-Lehmann shift, the median of every difference
  ``x_i - y_j``, with its distribution-free interval from the order statistics of those
  differences (the inversion of the Mann-Whitney test; M. Hollander and D. A. Wolfe,
  *Nonparametric Statistical Methods*, section 4.3). :func:`hodges_lehmann_ratio` is the
  same on logarithms: a ratio such as "canary latency x1.31 [x1.18, x1.45]".

The intervals are two-sided at ``1 - 2 alpha`` (90 % for alpha 0.05): their lower bound is
the one-sided bound at ``alpha`` that the checks' one-sided tests use, so "significantly
worse" and "the interval lies above no change" agree.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: m * n at or below which the differences are formed and sorted; above, the k-th smallest is
#: found by bisection in O((m + n) log) (24 h of minutes on both sides is 2 million pairs).
_SORT_PAIRS_UP_TO = 20_000
#: Exact null distribution of U for the interval when the smaller sample is this small.
_EXACT_UP_TO = 8


def normal_quantile(probability: float) -> float:
    """``z`` with ``P(Z <= z) = probability`` (``statistics.NormalDist``, exact to ~1e-15)."""
    return statistics.NormalDist().inv_cdf(probability)


@dataclass(frozen=True, slots=True)
class Effect:
    """An estimate of how the canary differs from the baseline, with its interval."""

    #: "rate_difference" (percentage points), "ratio" (canary / baseline), "shift".
    kind: str
    estimate: float
    low: float
    high: float
    #: Two-sided confidence level of ``low``..``high``, e.g. 0.9.
    confidence: float
    #: How the interval was computed, for a person ("Newcombe hybrid score").
    method: str
    #: "pp", "x" or a unit such as "ms".
    unit: str

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def text(self) -> str:
        """``+1.60 pp [+0.81, +2.62] 90% CI`` or ``x1.31 [x1.18, x1.45] 90% CI``."""
        level = f"{self.confidence * 100:.0f}% CI"
        if self.kind == "ratio":
            return f"x{_num(self.estimate)} [x{_num(self.low)}, x{_num(self.high)}] {level}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{_signed(self.estimate)}{unit} [{_signed(self.low)}, {_signed(self.high)}] {level}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "estimate": _finite(self.estimate),
            "low": _finite(self.low),
            "high": _finite(self.high),
            "confidence": self.confidence,
            "method": self.method,
            "unit": self.unit,
            "text": self.text(),
        }


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def _num(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else ("inf" if value > 0 else "0")


def _signed(value: float) -> str:
    if not math.isfinite(value):
        return "+inf" if value > 0 else "-inf"
    return f"{value:+.2f}"


def wilson_interval(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``successes / trials``, two-sided.

    ``(0, 1)`` when there are no trials (nothing is known)."""
    if trials <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials (got {successes}/{trials})")
    z = normal_quantile(0.5 + confidence / 2.0)
    p = successes / trials
    z2 = z * z
    denominator = 1.0 + z2 / trials
    centre = (p + z2 / (2.0 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / trials + z2 / (4.0 * trials * trials))
    # At 0 or all successes the bound is exactly 0 or 1; rounding must not put it outside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def rate_difference(
    canary_events: int,
    canary_trials: int,
    baseline_events: int,
    baseline_trials: int,
    confidence: float,
) -> Effect:
    """``canary rate - baseline rate`` in percentage points, with Newcombe's hybrid score
    interval: ``d -/+ sqrt((p1 - l1)^2 + (u2 - p2)^2)`` and ``sqrt((u1 - p1)^2 + (p2 - l2)^2)``
    from the Wilson intervals ``(l1, u1)`` of the canary and ``(l2, u2)`` of the baseline."""
    p1 = canary_events / canary_trials if canary_trials else 0.0
    p2 = baseline_events / baseline_trials if baseline_trials else 0.0
    l1, u1 = wilson_interval(canary_events, canary_trials, confidence)
    l2, u2 = wilson_interval(baseline_events, baseline_trials, confidence)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Effect(
        kind="rate_difference",
        estimate=difference * 100.0,
        low=max(-1.0, low) * 100.0,
        high=min(1.0, high) * 100.0,
        confidence=confidence,
        method="Newcombe hybrid score interval (Wilson)",
        unit="pp",
    )


def _count_at_most(xs: Sequence[float], ys: Sequence[float], value: float) -> int:
    """How many ``x_i - y_j <= value``; both sorted ascending. O(m + n)."""
    count = 0
    j = 0
    n = len(ys)
    # The computed difference itself is compared, not y_j >= x_i - value: the two disagree by
    # a rounding near subnormals (hypothesis found 0 - 2.2e-308). Rounding is monotone, so
    # x - y_j still falls as j grows and grows with x: one pass.
    for x in xs:
        while j < n and x - ys[j] > value:
            j += 1
        count += n - j
    return count


def _largest_at_most(xs: Sequence[float], ys: Sequence[float], value: float) -> float:
    """The largest difference ``x_i - y_j`` that is ``<= value`` (there is one)."""
    best = -math.inf
    j = 0
    n = len(ys)
    for x in xs:
        while j < n and x - ys[j] > value:
            j += 1
        if j < n:
            best = max(best, x - ys[j])
    return best


def kth_difference(xs: Sequence[float], ys: Sequence[float], k: int) -> float:
    """The ``k``-th smallest (from 1) of the ``m n`` differences ``x_i - y_j``.

    Small samples: formed and sorted. Large: bisection on the value, counting differences at
    most the midpoint in O(m + n), down to adjacent doubles, then the difference itself."""
    xs, ys = sorted(xs), sorted(ys)
    total = len(xs) * len(ys)
    if not 1 <= k <= total:
        raise ValueError(f"k must be between 1 and {total} (got {k})")
    if total <= _SORT_PAIRS_UP_TO:
        return sorted(x - y for x in xs for y in ys)[k - 1]
    low, high = xs[0] - ys[-1], xs[-1] - ys[0]
    if _count_at_most(xs, ys, low) >= k:
        return low
    # Invariant: count(low) < k <= count(high).
    while True:
        middle = low + (high - low) / 2.0
        if middle in (low, high):
            break
        if _count_at_most(xs, ys, middle) >= k:
            high = middle
        else:
            low = middle
    return _largest_at_most(xs, ys, high)


def _u_cdf_counts(m: int, n: int) -> list[int]:
    from canary_tui.domain.stats import _u_counts

    return _u_counts(min(m, n), max(m, n))


def interval_ranks(m: int, n: int, confidence: float) -> tuple[int, int]:
    """The ranks ``(k, m n + 1 - k)`` of the differences that bound the interval.

    ``k`` is the largest with ``P(U <= k - 1) <= (1 - confidence) / 2`` under the null: exact
    (the U distribution) when the smaller sample has at most 8 values, else the normal
    approximation ``k = floor(m n / 2 - z sqrt(m n (m + n + 1) / 12))`` (Hollander and Wolfe,
    4.3). At least 1: with too few values the interval is the range of the differences, and
    its coverage is below ``confidence``."""
    tail = (1.0 - confidence) / 2.0
    total = m * n
    if min(m, n) <= _EXACT_UP_TO:
        counts = _u_cdf_counts(m, n)
        arrangements = math.comb(m + n, m)
        # k - 1 is the largest u with P(U <= u) <= tail (k = 0 when even P(U = 0) is more).
        k, below = 0, 0
        while k < len(counts) and (below + counts[k]) / arrangements <= tail:
            below += counts[k]
            k += 1
    else:
        z = normal_quantile(1.0 - tail)
        k = math.floor(total / 2.0 - z * math.sqrt(total * (m + n + 1) / 12.0))
    k = min(max(k, 1), (total + 1) // 2)
    return k, total + 1 - k


def hodges_lehmann(
    xs: Sequence[float], ys: Sequence[float], confidence: float, *, unit: str = ""
) -> Effect:
    """The Hodges-Lehmann shift of ``xs`` over ``ys`` (median of the ``x_i - y_j``) and its
    distribution-free interval (the ``k``-th and ``(m n + 1 - k)``-th differences)."""
    m, n = len(xs), len(ys)
    if m == 0 or n == 0:
        raise ValueError("both samples need at least one value")
    total = m * n
    if total % 2:
        estimate = kth_difference(xs, ys, (total + 1) // 2)
    else:
        estimate = (kth_difference(xs, ys, total // 2) + kth_difference(xs, ys, total // 2 + 1)) / 2
    low_rank, high_rank = interval_ranks(m, n, confidence)
    return Effect(
        kind="shift",
        estimate=estimate,
        low=kth_difference(xs, ys, low_rank),
        high=kth_difference(xs, ys, high_rank),
        confidence=confidence,
        method="Hodges-Lehmann, distribution-free interval",
        unit=unit,
    )


def hodges_lehmann_ratio(
    xs: Sequence[float], ys: Sequence[float], confidence: float
) -> Effect | None:
    """The Hodges-Lehmann estimate on logarithms, as a ratio ``x / y`` with its interval.
    None when a value is not positive (no logarithm)."""
    if any(not value > 0 for value in (*xs, *ys)):
        return None
    shift = hodges_lehmann([math.log(v) for v in xs], [math.log(v) for v in ys], confidence)
    return Effect(
        kind="ratio",
        estimate=math.exp(shift.estimate),
        low=math.exp(shift.low),
        high=math.exp(shift.high),
        confidence=confidence,
        method="Hodges-Lehmann on log values, distribution-free interval",
        unit="x",
    )

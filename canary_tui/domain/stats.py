"""The three hypothesis tests behind the canary verdict, in plain Python (``math`` only).

Why not scipy: ``scipy.stats`` (with numpy) adds ~75 MB to the console's RSS and about a second
to the first verdict, for three small, well-known tests. Each function here computes the same
number as the scipy function it names (scipy 1.17), and the test suite holds them to it with
scipy as the oracle, on fixed data and on generated inputs.

* :func:`fisher_exact_greater`: Fisher's exact test, one-sided, on a 2x2 table.
* :func:`mann_whitney_u_greater`: the Mann-Whitney U rank test, one-sided, with scipy's
  ``method="auto"`` choice between the exact null distribution and the normal approximation.
* :func:`chisquare_two_categories` / :func:`chi_square_sf_df1`: Pearson's chi-square goodness
  of fit with two categories (one degree of freedom).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence

#: A term smaller than this fraction of the running sum no longer changes a double-precision
#: sum of positive terms (the unit roundoff is 1.1e-16).
NEGLIGIBLE = 1e-17

#: Below ``exp(-800)`` a probability is 0.0 in double precision (the smallest subnormal is
#: ``exp(-744.4)``), whatever the error of a log-gamma estimate (far below 1 in the exponent).
_LOG_UNDERFLOW = -800.0

#: Rescale a running product of ratios before it leaves the normal double range.
_RESCALE_BELOW = 1e-280


def _count(value: int, name: str) -> int:
    count = operator.index(value)
    if count < 0:
        raise ValueError(f"{name} must be a non-negative count (got {count})")
    return count


def _sum_outward(
    first: float, x: int, step: int, stop: int, ratio: Callable[[int], float]
) -> float:
    """Sum the term ``first`` at ``x`` and the terms after it, stepping by ``step`` to ``stop``.

    ``ratio(x)`` is the ratio of the term at ``x + step`` to the term at ``x``. Going away
    from the mode of a log-concave distribution (the hypergeometric is one) the ratios fall,
    so once a ratio ``r`` is below 1 the rest of the series is at most ``term * r / (1 - r)``;
    the walk stops when that bound is below :data:`NEGLIGIBLE` of the running sum.
    """
    total = term = first
    while x != stop:
        r = ratio(x)
        if r < 1.0 and term * r < NEGLIGIBLE * total * (1.0 - r):
            break
        term *= r
        total += term
        x += step
    return total


class _HypergeometricTerms:
    """Ratios of consecutive terms ``t(x) = C(K, x) C(N - K, n - x)`` of the hypergeometric
    distribution: ``K`` marked items (``marked``), ``N - K`` others (``unmarked``), ``n``
    drawn (``drawn``). Each ratio is a quotient of exact integer products, rounded once."""

    def __init__(self, marked: int, unmarked: int, drawn: int) -> None:
        self.marked = marked
        self.unmarked = unmarked
        self.drawn = drawn
        self.lowest = max(0, drawn - unmarked)
        self.highest = min(drawn, marked)
        mode = (drawn + 1) * (marked + 1) // (marked + unmarked + 2)
        self.mode = min(max(mode, self.lowest), self.highest)

    def up(self, x: int) -> float:
        """``t(x + 1) / t(x)``."""
        return ((self.marked - x) * (self.drawn - x)) / (
            (x + 1) * (self.unmarked - self.drawn + x + 1)
        )

    def down(self, x: int) -> float:
        """``t(x - 1) / t(x)``."""
        return (x * (self.unmarked - self.drawn + x)) / (
            (self.marked - x + 1) * (self.drawn - x + 1)
        )

    def log_term(self, x: int) -> float:
        """``log t(x)`` up to a constant (an estimate: lgamma of arguments in the millions
        is off by ~1e-9 in absolute terms; good enough to rule out underflow, not for p)."""
        return -(
            math.lgamma(x + 1)
            + math.lgamma(self.marked - x + 1)
            + math.lgamma(self.drawn - x + 1)
            + math.lgamma(self.unmarked - self.drawn + x + 1)
        )

    def sum_from_mode(self) -> float:
        """Every term that matters, relative to ``t(mode) = 1``."""
        above = _sum_outward(1.0, self.mode, 1, self.highest, self.up)
        if self.mode == self.lowest:
            return above
        below = _sum_outward(self.down(self.mode), self.mode - 1, -1, self.lowest, self.down)
        return above + below


def fisher_exact_greater(a: int, b: int, c: int, d: int) -> float:
    """One-sided p-value of Fisher's exact test for the 2x2 table ``[[a, b], [c, d]]``.

    The probability, with the table's margins fixed, of a top-left cell of ``a`` or more:
    ``P(X >= a)`` for ``X`` hypergeometric with ``N = a + b + c + d`` items of which
    ``a + c`` are marked and ``a + b`` are drawn (R. A. Fisher, *The Design of Experiments*,
    1935, section 2; "greater" is the alternative of an odds ratio above one). Equal to
    ``scipy.stats.fisher_exact([[a, b], [c, d]], alternative="greater").pvalue``, that is
    ``scipy.stats.hypergeom.sf(a - 1, N, a + c, a + b)``; like scipy, a table with an empty
    row or column gives 1.0.

    Method: the terms ``t(x) = C(a + c, x) C(b + d, a + b - x)`` are summed relative to the
    term at the mode, each from its neighbour by the ratio ``t(x + 1) / t(x)``, walking
    outward until the rest of the series is provably below 1e-17 of the sum. No factorial
    or binomial coefficient is formed, and the work is the number of terms that matter (some
    standard deviations either side of the mode; the deviation grows like the square root of
    the counts, not like the counts) plus the steps from the mode out to ``a``, bounded alike:
    a tail beyond ``exp(-800)`` of the mode's term is 0.0 in double precision and returned at
    once. A tail far above the mode is carried in log space, so a tiny p-value comes out tiny
    rather than 0 wherever a double can hold it (down to about 5e-324).
    """
    a, b, c, d = (_count(value, name) for value, name in ((a, "a"), (b, "b"), (c, "c"), (d, "d")))
    if a + b == 0 or c + d == 0 or a + c == 0 or b + d == 0:
        return 1.0
    terms = _HypergeometricTerms(marked=a + c, unmarked=b + d, drawn=a + b)
    if a <= terms.lowest:
        return 1.0
    mode = terms.mode

    if a <= mode:
        # The tail holds the mode: p = upper / (upper + lower), both relative to t(mode).
        upper = _sum_outward(1.0, mode, 1, terms.highest, terms.up)
        term, x = 1.0, mode
        while x > a:
            r = terms.down(x)
            if r < 1.0 and term * r < NEGLIGIBLE * upper * (1.0 - r):
                # Everything from here down, above a or below it, is negligible: p rounds to 1.
                return 1.0
            term *= r
            x -= 1
            upper += term
        # a > lowest here, so there is at least one term below a.
        lower = _sum_outward(term * terms.down(a), a - 1, -1, terms.lowest, terms.down)
        return min(upper / (upper + lower), 1.0)

    # The tail lies above the mode: p = t(a) / sum(t) * (sum over x >= a of t(x) / t(a)).
    if terms.log_term(a) - terms.log_term(mode) < _LOG_UNDERFLOW:
        return 0.0
    term, log_scale = 1.0, 0.0
    for x in range(mode, a):
        term *= terms.up(x)
        if term < _RESCALE_BELOW:
            log_scale += math.log(term)
            term = 1.0
    tail = _sum_outward(1.0, a, 1, terms.highest, terms.up)
    log_p = log_scale + math.log(term) + math.log(tail) - math.log(terms.sum_from_mode())
    return min(math.exp(log_p), 1.0)


def _midranks(values: Sequence[float]) -> tuple[list[float], list[int]]:
    """Ranks from 1, ties sharing the mean of the ranks they span; and the size of every
    group of tied values (1 for a value without ties)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    group_sizes = []
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and values[order[end]] == values[order[start]]:
            end += 1
        # Ranks start + 1 .. end, averaged: a half-integer, exact in a double.
        shared = (start + 1 + end) / 2.0
        for position in range(start, end):
            ranks[order[position]] = shared
        group_sizes.append(end - start)
        start = end
    return ranks, group_sizes


def _u_counts(smaller: int, larger: int) -> list[int]:
    """How many of the ``C(m + n, m)`` arrangements of two samples without ties give each
    value ``0 .. m n`` of U: the coefficients of the Gaussian binomial coefficient
    ``[m + n choose m]_q = prod_{i=1..m} (1 - q^(n + i)) / (1 - q^i)`` (Mann and Whitney
    1947; the same numbers as Loeffler's recurrence that scipy uses). Exact integers;
    O(m^2 n) operations, with m <= 8 wherever the exact distribution is used."""
    size = smaller * larger + 1
    counts = [1] + [0] * (size - 1)
    for i in range(1, smaller + 1):
        # Multiply by (1 - q^(n + i)), then divide by (1 - q^i): both exact on the integers,
        # and truncating above degree m n changes no coefficient below it.
        shift = larger + i
        for u in range(size - 1, shift - 1, -1):
            counts[u] -= counts[u - shift]
        for u in range(i, size):
            counts[u] += counts[u - i]
    return counts


def _normal_sf(z: float) -> float:
    """``P(Z > z)`` for a standard normal ``Z``; accurate in the far upper tail too."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def mann_whitney_u_greater(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """The Mann-Whitney U test, one-sided: is ``x`` stochastically greater than ``y``?

    Returns ``(U, p)`` where ``U`` is the statistic of ``x`` (the number of pairs with the
    ``x`` value above the ``y`` value, ties counting a half), computed from midranks as
    ``R_x - n_x (n_x + 1) / 2``; and ``p`` is ``P(U' >= U)`` under the null hypothesis that
    both samples come from one distribution (H. B. Mann and D. R. Whitney, "On a test of
    whether one of two random variables is stochastically larger than the other", Ann.
    Math. Statist. 18, 1947). Equal to ``scipy.stats.mannwhitneyu(x, y,
    alternative="greater")`` with its defaults ``method="auto"``, ``use_continuity=True``:

    * exact, from the null distribution of U (:func:`_u_counts`), when there are no ties
      and one of the samples has at most 8 values;
    * otherwise the normal approximation with the tie-corrected variance
      ``n_x n_y / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))`` and a continuity correction
      of 1/2 towards the mean.

    Like scipy: a NaN anywhere gives ``(nan, nan)``; an empty sample is a ValueError.
    """
    n_x, n_y = len(x), len(y)
    if n_x == 0 or n_y == 0:
        raise ValueError("both samples need at least one value")
    values = [float(value) for value in (*x, *y)]
    if any(math.isnan(value) for value in values):
        return math.nan, math.nan
    ranks, group_sizes = _midranks(values)
    u_x = math.fsum(ranks[:n_x]) - n_x * (n_x + 1) / 2.0
    ties = any(size > 1 for size in group_sizes)

    if (n_x <= 8 or n_y <= 8) and not ties:
        counts = _u_counts(min(n_x, n_y), max(n_x, n_y))
        at_least = sum(counts[int(u_x) :])
        return u_x, min(at_least / math.comb(n_x + n_y, n_x), 1.0)

    n = n_x + n_y
    tie_term = float(sum(size**3 - size for size in group_sizes))
    variance = n_x * n_y / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    excess = u_x - n_x * n_y / 2 - 0.5
    if variance > 0:
        z = excess / math.sqrt(variance)
    else:
        # Every value tied: no spread at all. scipy divides by zero here (z = -inf, p = 1).
        z = math.copysign(math.inf, excess) if excess else math.nan
    return u_x, min(max(_normal_sf(z), 0.0), 1.0)


def chi_square_sf_df1(statistic: float) -> float:
    """``P(X > statistic)`` for ``X`` chi-square with one degree of freedom.

    With one degree of freedom ``X = Z^2`` for a standard normal ``Z``, so the tail is
    ``P(|Z| > sqrt(s)) = erfc(sqrt(s / 2))`` (exact, no series). Equal to
    ``scipy.stats.chi2.sf(statistic, 1)``; 1.0 for a statistic of 0 or below.
    """
    if math.isnan(statistic):
        return math.nan
    if statistic <= 0:
        return 1.0
    return math.erfc(math.sqrt(statistic / 2.0))


def chisquare_two_categories(
    observed: Sequence[float], expected: Sequence[float]
) -> tuple[float, float]:
    """Pearson's chi-square goodness of fit for two categories: ``(statistic, p)``.

    The statistic is ``sum((o - e)^2 / e)`` and ``p`` its upper tail with one degree of
    freedom (K. Pearson, Phil. Mag. 50, 1900). Equal to
    ``scipy.stats.chisquare(observed, expected)``, including its check that both add up to
    the same total (relative tolerance 1.5e-8, the square root of the double epsilon).
    """
    if len(observed) != 2 or len(expected) != 2:
        raise ValueError("chisquare_two_categories takes exactly two categories")
    observed_total = float(observed[0]) + float(observed[1])
    expected_total = float(expected[0]) + float(expected[1])
    if abs(observed_total - expected_total) > _SUM_TOLERANCE * min(observed_total, expected_total):
        raise ValueError(
            f"observed ({observed_total:g}) and expected ({expected_total:g}) counts "
            "must add up to the same total"
        )
    statistic = sum(
        (float(o) - float(e)) ** 2 / float(e) for o, e in zip(observed, expected, strict=True)
    )
    return statistic, chi_square_sf_df1(statistic)


#: scipy.stats.chisquare's tolerance on the totals: sqrt(double epsilon).
_SUM_TOLERANCE = math.sqrt(2.220446049250313e-16)

"""The verdict's statistics (canary_tui.domain.stats) against published results, exact rational
arithmetic and scipy.stats, the oracle they replace.

Tolerances. Where a result can be computed exactly (integers and fractions) ours must agree to
1e-12 relative: it sums in double precision, so it should be, and is, within a few ulps. Against
scipy the bound is 1e-9 relative wherever scipy's p-value is above 1e-300, except for Fisher's
test on large tables (up to a million requests a side), where scipy's own hypergeometric
distribution (Boost's) is off by up to ~5e-10 relative (measured against exact rationals,
see ``test_scipy_is_the_less_exact_one_on_a_large_table``), so 1e-9 would test scipy's rounding
rather than ours: there the bound is 1e-8, still five orders of magnitude below any alpha.
An absolute bound (1e-12) would say nothing about the tiny p-values that make a FAIL, so the
bounds are relative; below 1e-300 both must simply be below 1e-290.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from canary_tui.domain.stats import (
    chi_square_sf_df1,
    chisquare_two_categories,
    fisher_exact_greater,
    mann_whitney_u_greater,
)

TINY = 1e-300


def exact_fisher_greater(a: int, b: int, c: int, d: int) -> float:
    """P(X >= a) in exact rational arithmetic, term by term (slow: small tables only)."""
    marked, unmarked, drawn = a + c, b + d, a + b
    top = min(drawn, marked)
    ways = sum(math.comb(marked, x) * math.comb(unmarked, drawn - x) for x in range(a, top + 1))
    return float(Fraction(ways, math.comb(marked + unmarked, drawn)))


def scipy_fisher_greater(a: int, b: int, c: int, d: int) -> float:
    return float(stats.fisher_exact([[a, b], [c, d]], alternative="greater")[1])


def assert_close(ours: float, reference: float, rel: float) -> None:
    if reference > TINY:
        assert ours == pytest.approx(reference, rel=rel, abs=0.0)
    else:
        assert ours < 1e-290, (ours, reference)


class TestFisherExactGreater:
    def test_lady_tasting_tea(self) -> None:
        # Fisher (1935): 3 of 4 cups right, [[3, 1], [1, 3]]; P = 17/70 = 0.2429.
        assert fisher_exact_greater(3, 1, 1, 3) == pytest.approx(17 / 70, rel=1e-15)
        assert fisher_exact_greater(3, 1, 1, 3) == pytest.approx(0.2429, abs=1e-4)

    def test_scipy_documentation_example(self) -> None:
        # scipy.stats.fisher_exact docs: [[6, 2], [1, 4]], greater: 0.08624708624708627.
        assert fisher_exact_greater(6, 2, 1, 4) == pytest.approx(0.08624708624708627, rel=1e-14)

    def test_all_four_cups_right(self) -> None:
        # The only table as extreme: 1 / C(8, 4) = 1/70.
        assert fisher_exact_greater(4, 0, 0, 4) == pytest.approx(1 / 70, rel=1e-15)

    @pytest.mark.parametrize(
        "table",
        [(0, 5, 3, 7), (0, 0, 3, 7), (3, 7, 0, 0), (0, 5, 0, 7), (5, 0, 7, 0), (0, 0, 0, 0)],
    )
    def test_no_errors_on_the_canary_or_an_empty_row_or_column_gives_one(
        self, table: tuple[int, int, int, int]
    ) -> None:
        assert fisher_exact_greater(*table) == 1.0
        assert scipy_fisher_greater(*table) == 1.0

    @pytest.mark.parametrize(
        "table", [(5, 0, 0, 5), (5, 5, 0, 10), (1, 0, 0, 1_000_000), (2, 0, 0, 3)]
    )
    def test_zeros_in_cells(self, table: tuple[int, int, int, int]) -> None:
        assert fisher_exact_greater(*table) == pytest.approx(
            exact_fisher_greater(*table), rel=1e-12
        )
        assert_close(fisher_exact_greater(*table), scipy_fisher_greater(*table), 1e-9)

    def test_the_highest_possible_count_is_as_likely_as_its_single_table(self) -> None:
        # a = min(row, column): only the observed table is as extreme.
        assert fisher_exact_greater(10, 0, 5, 85) == pytest.approx(
            math.comb(15, 10) / math.comb(100, 10), rel=1e-12
        )

    def test_scipy_is_the_less_exact_one_on_a_large_table(self) -> None:
        # 16 canary requests against ~950k: few terms, so exact rationals are cheap here.
        table = (1, 15, 20_916, 927_063)
        exact = exact_fisher_greater(*table)
        assert fisher_exact_greater(*table) == pytest.approx(exact, rel=1e-14)
        # scipy 1.17 gives 0.30021856827418925: off by 2.7e-10, hence the 1e-8 bound below.
        assert scipy_fisher_greater(*table) == pytest.approx(exact, rel=1e-8)

    def test_millions_of_requests_and_a_tiny_p_value_that_is_not_zero(self) -> None:
        # 1.58 % vs 1 % errors over a million requests each: p = 7.47e-292, not 0.
        table = (15_800, 984_200, 10_000, 990_000)
        p_value = fisher_exact_greater(*table)
        assert p_value == pytest.approx(7.4682155e-292, rel=1e-7)
        assert_close(p_value, scipy_fisher_greater(*table), 1e-8)
        # 1.6 %: 6.0e-310, a subnormal double, still not 0.
        assert fisher_exact_greater(16_000, 984_000, 10_000, 990_000) == pytest.approx(
            5.99572870e-310, rel=1e-6
        )

    def test_a_canary_far_better_than_the_baseline_gives_one(self) -> None:
        # 0.5 % vs 5 % errors: every table as extreme as this one or more is nearly all of them.
        table = (5_000, 995_000, 50_000, 950_000)
        assert fisher_exact_greater(*table) == 1.0
        assert scipy_fisher_greater(*table) == pytest.approx(1.0, abs=1e-15)

    def test_beyond_double_precision_is_zero(self) -> None:
        assert fisher_exact_greater(50_000, 950_000, 10_000, 990_000) == 0.0

    def test_rejects_negative_and_fractional_counts(self) -> None:
        with pytest.raises(ValueError, match="non-negative"):
            fisher_exact_greater(-1, 2, 3, 4)
        with pytest.raises(TypeError):
            fisher_exact_greater(1.5, 2, 3, 4)  # type: ignore[arg-type]

    @settings(max_examples=300, deadline=None)
    @given(a=st.integers(0, 40), b=st.integers(0, 40), c=st.integers(0, 40), d=st.integers(0, 40))
    def test_small_tables_equal_exact_rationals_and_scipy(
        self, a: int, b: int, c: int, d: int
    ) -> None:
        ours = fisher_exact_greater(a, b, c, d)
        if a + b and c + d and a + c and b + d:
            assert ours == pytest.approx(exact_fisher_greater(a, b, c, d), rel=1e-12)
        assert_close(ours, scipy_fisher_greater(a, b, c, d), 1e-9)

    @settings(max_examples=300, deadline=None)
    @given(
        canary_requests=st.integers(1, 1_000_000),
        baseline_requests=st.integers(1, 1_000_000),
        baseline_rate=st.floats(0.0, 0.05),
        canary_factor=st.floats(0.0, 4.0),
    )
    def test_large_tables_with_realistic_error_rates_equal_scipy(
        self,
        canary_requests: int,
        baseline_requests: int,
        baseline_rate: float,
        canary_factor: float,
    ) -> None:
        canary_errors = min(canary_requests, round(canary_requests * baseline_rate * canary_factor))
        baseline_errors = round(baseline_requests * baseline_rate)
        table = (
            canary_errors,
            canary_requests - canary_errors,
            baseline_errors,
            baseline_requests - baseline_errors,
        )
        assert_close(fisher_exact_greater(*table), scipy_fisher_greater(*table), 1e-8)

    @settings(max_examples=300, deadline=None)
    @given(
        a=st.integers(1, 300_000),
        b=st.integers(0, 300_000),
        c=st.integers(0, 300_000),
        d=st.integers(1, 300_000),
    )
    def test_the_two_tails_add_up_to_one(self, a: int, b: int, c: int, d: int) -> None:
        # P(X >= a) + P(X <= a - 1) = 1; the lower tail is the upper tail of the other column:
        # P(b + x' >= b + 1) in the table [[b + 1, a - 1], [d - 1, c + 1]] (same margins).
        upper = fisher_exact_greater(a, b, c, d)
        lower = fisher_exact_greater(b + 1, a - 1, d - 1, c + 1)
        assert upper + lower == pytest.approx(1.0, abs=1e-12)


def scipy_mann_whitney_greater(x: list[float], y: list[float]) -> tuple[float, float]:
    result = stats.mannwhitneyu(x, y, alternative="greater")
    return float(result.statistic), float(result.pvalue)


def samples(max_size: int) -> st.SearchStrategy[list[float]]:
    return st.lists(
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=max_size
    )


class TestMannWhitneyUGreater:
    def test_scipy_documentation_example(self) -> None:
        # Diagnosis ages (Shier 2004, in scipy's docs): males against females, U_M = 17,
        # exact one-sided p = 7 / C(9, 4) = 1/18 = 0.0556.
        males = [19.0, 22.0, 16.0, 29.0, 24.0]
        females = [20.0, 11.0, 17.0, 12.0]
        u_statistic, p_value = mann_whitney_u_greater(males, females)
        assert u_statistic == 17
        assert p_value == pytest.approx(1 / 18, rel=1e-14)
        # The other way round: U_F = 3, and P(U >= 3) = 1 - P(U <= 2), where U = 0, 1, 2 come
        # from 1, 1 and 2 of the 126 arrangements: 1 - 4/126.
        assert mann_whitney_u_greater(females, males) == (3.0, pytest.approx(122 / 126))

    def test_every_x_above_every_y_is_the_single_most_extreme_arrangement(self) -> None:
        u_statistic, p_value = mann_whitney_u_greater([10.0, 11.0, 12.0], [1.0, 2.0, 3.0, 4.0])
        assert u_statistic == 12
        assert p_value == pytest.approx(1 / math.comb(7, 3), rel=1e-14)

    def test_large_samples_use_the_normal_approximation_with_continuity(self) -> None:
        # 9 and 9 values, no ties: z = (U - 40.5 - 0.5) / sqrt(81 * 19 / 12).
        x = [float(value) for value in range(10, 19)]
        y = [float(value) for value in range(0, 9)]
        u_statistic, p_value = mann_whitney_u_greater(x, y)
        assert u_statistic == 81
        z = (81 - 40.5 - 0.5) / math.sqrt(81 * 19 / 12)
        assert p_value == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=1e-14)

    def test_ties_take_midranks_and_the_tie_corrected_variance(self) -> None:
        x = [1.0, 2.0, 2.0, 3.0]
        y = [2.0, 1.0, 1.0]
        # Ranks: 1.0 x3 -> 2; 2.0 x3 -> 5; 3.0 -> 7. R_x = 2 + 5 + 5 + 7 = 19, U = 19 - 10 = 9.
        u_statistic, p_value = mann_whitney_u_greater(x, y)
        assert u_statistic == 9
        variance = 4 * 3 / 12 * (8 - (24 + 24) / (7 * 6))
        z = (9 - 6 - 0.5) / math.sqrt(variance)
        assert p_value == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=1e-14)
        assert (u_statistic, p_value) == pytest.approx(scipy_mann_whitney_greater(x, y), rel=1e-9)

    def test_all_values_equal_gives_one(self) -> None:
        assert mann_whitney_u_greater([5.0] * 10, [5.0] * 12) == (60.0, 1.0)
        assert scipy_mann_whitney_greater([5.0] * 10, [5.0] * 12) == (60.0, 1.0)

    def test_nan_gives_nan_like_scipy_and_an_empty_sample_is_refused(self) -> None:
        u_statistic, p_value = mann_whitney_u_greater([math.nan, 1.0], [2.0])
        assert math.isnan(u_statistic) and math.isnan(p_value)
        with pytest.raises(ValueError, match="at least one value"):
            mann_whitney_u_greater([], [1.0])

    @settings(max_examples=400, deadline=None)
    @given(x=samples(60), y=samples(60), digits=st.sampled_from([None, 0, 1, 3]))
    def test_equals_scipy_with_and_without_ties(
        self, x: list[float], y: list[float], digits: int | None
    ) -> None:
        if digits is not None:
            # Rounding coarse data makes ties, as CloudWatch's millisecond averages do.
            x = [round(value / 1e4, digits) for value in x]
            y = [round(value / 1e4, digits) for value in y]
        u_statistic, p_value = mann_whitney_u_greater(x, y)
        expected_u, expected_p = scipy_mann_whitney_greater(x, y)
        assert u_statistic == expected_u
        assert_close(p_value, expected_p, 1e-9)

    @settings(max_examples=200, deadline=None)
    @given(x=samples(8), y=samples(60), shift=st.floats(-3e5, 3e5))
    def test_small_samples_without_ties_use_the_exact_distribution_like_scipy(
        self, x: list[float], y: list[float], shift: float
    ) -> None:
        x = [value + shift for value in x]
        u_statistic, p_value = mann_whitney_u_greater(x, y)
        expected_u, expected_p = scipy_mann_whitney_greater(x, y)
        assert u_statistic == expected_u
        assert_close(p_value, expected_p, 1e-9)


class TestChiSquare:
    @pytest.mark.parametrize(
        ("statistic", "p_value"),
        [
            # The textbook critical values of chi-square with one degree of freedom.
            (3.841458820694124, 0.05),
            (6.634896601021214, 0.01),
            (10.827566170662733, 0.001),
            (0.0, 1.0),
        ],
    )
    def test_critical_values(self, statistic: float, p_value: float) -> None:
        assert chi_square_sf_df1(statistic) == pytest.approx(p_value, rel=1e-12)

    def test_sixty_forty_against_an_even_split(self) -> None:
        statistic, p_value = chisquare_two_categories([60, 40], [50, 50])
        assert statistic == 4.0
        assert p_value == pytest.approx(0.0455, abs=1e-4)

    def test_totals_must_agree_like_scipy(self) -> None:
        with pytest.raises(ValueError, match="same total"):
            chisquare_two_categories([60, 40], [50, 60])
        with pytest.raises(ValueError):
            stats.chisquare([60, 40], [50, 60])
        with pytest.raises(ValueError, match="two categories"):
            chisquare_two_categories([1, 2, 3], [2, 2, 2])

    @settings(max_examples=300, deadline=None)
    @given(statistic=st.floats(0.0, 1500.0))
    def test_tail_equals_scipy(self, statistic: float) -> None:
        assert_close(chi_square_sf_df1(statistic), float(stats.chi2.sf(statistic, 1)), 1e-9)

    @settings(max_examples=300, deadline=None)
    @given(
        total=st.integers(10, 10_000_000),
        configured_share=st.floats(0.001, 0.999),
        observed_fraction=st.floats(0.0, 1.0),
    )
    def test_goodness_of_fit_equals_scipy(
        self, total: int, configured_share: float, observed_fraction: float
    ) -> None:
        canary = round(total * observed_fraction)
        observed = [float(canary), float(total - canary)]
        expected_canary = total * configured_share
        expected = [expected_canary, total - expected_canary]
        statistic, p_value = chisquare_two_categories(observed, expected)
        reference = stats.chisquare(observed, expected)
        assert statistic == pytest.approx(float(reference.statistic), rel=1e-12, abs=1e-12)
        assert_close(p_value, float(reference.pvalue), 1e-9)


def test_a_verdict_loads_neither_scipy_nor_numpy() -> None:
    # In a fresh interpreter: pytest (and this module) have imported scipy in this one.
    script = textwrap.dedent(
        """
        import sys
        from datetime import UTC, datetime, timedelta

        from canary_tui.domain.metrics import MetricKey, Series, VariantMetrics, VariantRef
        from canary_tui.domain.verdict import Outcome, compute_verdict

        start = datetime(2026, 1, 1, tzinfo=UTC)

        def series(values):
            return Series(
                tuple((start + timedelta(minutes=i), float(v)) for i, v in enumerate(values))
            )

        def variant(name, requests, errors, latency):
            return VariantMetrics(
                VariantRef("ep", name),
                {
                    MetricKey.INVOCATIONS: series([requests] * 30),
                    MetricKey.ERRORS_4XX: series([0] * 30),
                    MetricKey.ERRORS_5XX: series([errors] * 30),
                    MetricKey.MODEL_LATENCY_AVG: series(
                        [latency + (i % 7) * 0.37 for i in range(30)]
                    ),
                },
            )

        verdict = compute_verdict(
            "ep",
            {"blue": variant("blue", 900, 2, 50.0), "green": variant("green", 100, 9, 80.0)},
            {"blue": 0.9, "green": 0.1},
            period_seconds=60,
            window_seconds=1800,
        )
        assert verdict.outcome is Outcome.FAIL, verdict.reason
        loaded = sorted(m for m in ("scipy", "numpy") if m in sys.modules)
        assert not loaded, loaded
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

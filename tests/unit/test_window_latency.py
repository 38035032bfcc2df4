"""Window latency: the plan of one period per judged window, and how chunks combine."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canary_tui.domain.metrics import DataStatus, Series, VariantRef
from canary_tui.domain.window_latency import (
    MAX_WINDOW_PERIOD,
    WindowPlan,
    combine_window,
    grid_step,
    plan_window,
)

NOW = datetime(2026, 12, 3, 12, 34, 56, tzinfo=UTC)
REF = VariantRef("e", "canary")


def test_a_recent_window_is_one_period_on_whole_minutes() -> None:
    plan = plan_window(NOW - timedelta(minutes=30), NOW, NOW)
    assert plan.start == datetime(2026, 12, 3, 12, 4, tzinfo=UTC)
    assert plan.end == datetime(2026, 12, 3, 12, 35, tzinfo=UTC)
    assert (plan.period_seconds, plan.chunks) == (31 * 60, 1)


@pytest.mark.parametrize(
    ("age", "step"),
    [(timedelta(days=14), 60), (timedelta(days=20), 300), (timedelta(days=70), 3600)],
)
def test_older_windows_follow_retention(age: timedelta, step: int) -> None:
    start = NOW - age
    assert grid_step(start, NOW) == step
    plan = plan_window(start, start + timedelta(hours=2), NOW)
    assert plan.period_seconds % step == 0
    assert int(plan.start.timestamp()) % step == 0


def test_a_window_longer_than_a_period_may_be_is_cut_into_equal_chunks() -> None:
    start = NOW - timedelta(days=2, minutes=3)
    plan = plan_window(start, NOW, NOW)
    assert plan.chunks == 3
    assert plan.period_seconds * 3 >= (NOW - start).total_seconds()
    assert plan.period_seconds <= MAX_WINDOW_PERIOD and plan.period_seconds % 60 == 0
    assert plan.end - timedelta(seconds=plan.period_seconds * 3) == plan.start


@given(
    st.integers(0, 10 * 86_400), st.integers(1, 5 * 86_400), st.sampled_from([600, 3600, 86_400])
)
def test_a_plan_covers_the_window_on_its_grid(offset: int, length: int, max_period: int) -> None:
    start = NOW - timedelta(days=11) + timedelta(seconds=offset)
    end = start + timedelta(seconds=length)
    plan = plan_window(start, end, NOW, max_period)
    step = grid_step(start, NOW)
    assert plan.start <= start and plan.end >= end
    assert plan.period_seconds <= max_period and plan.period_seconds % step == 0
    assert plan.chunks == math.ceil(
        (math.ceil(end.timestamp() / step) * step - plan.start.timestamp()) / max_period
    )
    # Less than a grid step per chunk beyond the rounded end.
    assert (plan.end - end).total_seconds() < step * (plan.chunks + 1)


def _series(plan: WindowPlan, values: list[float | None], complete: bool = True) -> Series:
    starts = plan.chunk_starts()
    window = (plan.start, plan.end)
    return Series(
        tuple((ts, value) for ts, value in zip(starts, values, strict=True) if value is not None),
        () if complete else (window,),
        DataStatus.COMPLETE if complete else DataStatus.PARTIAL_DATA,
        window=window,
    )


def _plan(chunks: int) -> WindowPlan:
    start = NOW.replace(second=0)
    return WindowPlan(start, start + timedelta(seconds=600 * chunks), 600, chunks)


def test_one_chunk_gives_cloudwatch_s_own_percentiles() -> None:
    plan = _plan(1)
    result = combine_window(
        REF, plan, _series(plan, [40.0]), _series(plan, [12.0]),
        _series(plan, [10.0]), _series(plan, [45.0]),
    )  # fmt: skip
    assert result.complete and result.samples == 40.0 and result.average_ms == 12.0
    assert result.p50 is not None and result.p50.value == 10.0
    assert result.p99 is not None and result.p99.value == 45.0


def test_chunks_combine_the_average_exactly_and_bound_the_percentiles() -> None:
    plan = _plan(3)
    result = combine_window(
        REF, plan,
        _series(plan, [10.0, None, 30.0]),  # no samples in the middle chunk
        _series(plan, [20.0, None, 40.0]),
        _series(plan, [15.0, None, 35.0]),
        _series(plan, [50.0, None, 90.0]),
    )  # fmt: skip
    assert result.samples == 40.0
    assert result.average_ms == pytest.approx((10 * 20 + 30 * 40) / 40)
    assert result.p99 is not None
    assert (result.p99.low, result.p99.high, result.p99.value) == (50.0, 90.0, None)


def test_without_percentiles_the_average_is_the_fallback() -> None:
    plan = _plan(1)
    result = combine_window(REF, plan, _series(plan, [5.0]), _series(plan, [8.0]))
    assert result.average_ms == 8.0 and result.p50 is None and result.p99 is None


def test_no_samples_is_zero_not_unknown() -> None:
    plan = _plan(1)
    result = combine_window(REF, plan, _series(plan, [None]), _series(plan, [None]))
    assert result.complete and result.samples == 0.0 and result.average_ms is None


def test_an_incomplete_sample_count_makes_everything_unknown() -> None:
    plan = _plan(2)
    result = combine_window(
        REF, plan, _series(plan, [5.0, None], complete=False), _series(plan, [8.0, None]),
        _series(plan, [7.0, None]), _series(plan, [9.0, None]),
    )  # fmt: skip
    assert not result.complete and result.status is DataStatus.PARTIAL_DATA
    assert (result.samples, result.average_ms, result.p50, result.p99) == (None, None, None, None)


def test_samples_without_their_percentile_give_no_percentile() -> None:
    plan = _plan(2)
    result = combine_window(
        REF, plan, _series(plan, [5.0, 6.0]), _series(plan, [8.0, 9.0]),
        _series(plan, [7.0, None], complete=False), _series(plan, [9.0, 10.0]),
    )  # fmt: skip
    assert result.p50 is None and result.p99 is not None and not result.complete


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@given(
    st.lists(st.lists(st.floats(0, 1e6), min_size=1, max_size=40), min_size=1, max_size=6),
    st.sampled_from([0.5, 0.9, 0.99]),
)
def test_a_pooled_percentile_lies_between_the_chunks_percentiles(
    chunks: list[list[float]], q: float
) -> None:
    """Why several chunks give a range: the claim WindowPercentile rests on."""
    pooled = _nearest_rank([value for chunk in chunks for value in chunk], q)
    per_chunk = [_nearest_rank(chunk, q) for chunk in chunks]
    assert min(per_chunk) <= pooled <= max(per_chunk)

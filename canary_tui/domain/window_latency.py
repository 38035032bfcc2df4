"""ModelLatency over a whole judged window, as CloudWatch computes it: one p50, one p99 and
one average per variant, instead of statistics of per-minute percentiles.

At a 1 % canary a per-minute p99 is taken over a handful of requests and is nearly their
maximum; the median of those says little about the canary's real p99. CloudWatch computes a
percentile over all the samples of a period, so a period as long as the window gives the
window's p99. This module plans that window and combines what comes back; the gateway
(``aws.cloudwatch``) runs the queries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from canary_tui.domain.metrics import DataStatus, Series, VariantRef

#: The longest period one chunk may have. The GetMetricData reference gives no maximum
#: Period; a day is our own ceiling (and far beyond any bake or verdict window).
MAX_WINDOW_PERIOD = 86_400

# Retention: 1-minute data is kept 15 days, then only 5-minute aggregates until 63 days,
# then 1-hour aggregates. A Period must be a multiple of what is left, and CloudWatch rounds
# StartTime down to that step, so the window is laid on the same grid.
_RETENTION_STEPS = ((timedelta(days=15), 60), (timedelta(days=63), 300))
_OLDEST_STEP = 3600


@dataclass(frozen=True, slots=True)
class WindowPlan:
    """[start, end) laid out as ``chunks`` equal periods of ``period_seconds``."""

    start: datetime
    end: datetime
    period_seconds: int
    chunks: int

    def chunk_starts(self) -> tuple[datetime, ...]:
        step = timedelta(seconds=self.period_seconds)
        return tuple(self.start + step * index for index in range(self.chunks))


def _epoch(moment: datetime) -> int:
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def grid_step(start: datetime, now: datetime) -> int:
    """The finest period CloudWatch still holds for data starting at ``start``."""
    age = now - start
    for limit, step in _RETENTION_STEPS:
        if age < limit:
            return step
    return _OLDEST_STEP


def plan_window(
    start: datetime, end: datetime, now: datetime, max_period: int = MAX_WINDOW_PERIOD
) -> WindowPlan:
    """One period covering [start, end) when it fits ``max_period``, else equal chunks.

    The start is rounded down and the end up to the retention grid (:func:`grid_step`).
    Chunks must be equal because one query has one Period laid from one StartTime; when the
    window does not divide evenly, the last chunk ends a little after ``end`` (less than
    one grid step per chunk), which for a window ending now only adds time with no data yet.
    """
    step = grid_step(start, now)
    if max_period % step:
        raise ValueError(f"max_period {max_period} is not a multiple of the {step} s grid")
    start_seconds = _epoch(start) - _epoch(start) % step
    end_seconds = max(-(-_epoch(end) // step) * step, start_seconds + step)
    length = end_seconds - start_seconds
    chunks = math.ceil(length / max_period)
    period = math.ceil(length / chunks / step) * step
    plan_start = datetime.fromtimestamp(start_seconds, tz=UTC)
    return WindowPlan(
        start=plan_start,
        end=plan_start + timedelta(seconds=period * chunks),
        period_seconds=period,
        chunks=chunks,
    )


@dataclass(frozen=True, slots=True)
class WindowPercentile:
    """A percentile of the whole window in ms.

    With one chunk CloudWatch computed it over every sample: ``low == high == value``. Over
    several chunks percentiles cannot be averaged; what holds is that a percentile of the
    pooled samples lies between the smallest and the largest of the chunks' percentiles, so
    ``low``/``high`` are those and ``value`` is None.
    """

    low: float
    high: float
    chunks: int

    @property
    def value(self) -> float | None:
        return self.low if self.chunks == 1 else None


@dataclass(frozen=True, slots=True)
class WindowLatency:
    """ModelLatency of one variant over the planned window.

    ``samples`` is ModelLatency's SampleCount (requests that reached the model), 0.0 when
    CloudWatch knows of none; ``average_ms`` is exact over chunks (sample-weighted). p50 and
    p99 are None where the backend computes no percentiles (moto: use ``average_ms``), where
    there were no samples, or where some of the window is unknown. Every value is None
    rather than a guess when ``complete`` is False for the part it needs.
    """

    ref: VariantRef
    samples: float | None
    average_ms: float | None
    p50: WindowPercentile | None
    p99: WindowPercentile | None
    complete: bool
    status: DataStatus = DataStatus.COMPLETE
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WindowLatencyBatch:
    plan: WindowPlan
    variants: Mapping[VariantRef, WindowLatency]
    percentiles_available: bool
    api_calls: int = 0
    messages: tuple[str, ...] = ()


def _percentile(
    series: Series | None, plan: WindowPlan, counts: list[float]
) -> WindowPercentile | None:
    if series is None:
        return None
    by_time = dict(series.points)
    values: list[float] = []
    for moment, count in zip(plan.chunk_starts(), counts, strict=True):
        if count <= 0:
            continue
        value = by_time.get(moment)
        if value is None:
            return None  # samples without a percentile: not something to guess around
        values.append(value)
    if not values:
        return None
    return WindowPercentile(min(values), max(values), plan.chunks)


def combine_window(
    ref: VariantRef,
    plan: WindowPlan,
    samples: Series,
    average: Series,
    p50: Series | None = None,
    p99: Series | None = None,
) -> WindowLatency:
    """One variant's window statistics from its per-chunk series (Period = the chunk).

    Pass ``p50``/``p99`` as None when the backend has no percentiles.
    """
    parts = [series for series in (samples, average, p50, p99) if series is not None]
    incomplete = [series for series in parts if not series.complete]
    messages = tuple(dict.fromkeys(message for series in parts for message in series.messages))
    status = incomplete[0].status if incomplete else DataStatus.COMPLETE
    chunk_counts = samples.dense_known(plan.start, plan.period_seconds, plan.chunks, 0.0)
    if any(count is None for count in chunk_counts):
        return WindowLatency(ref, None, None, None, None, False, status, messages)
    counts = [count for count in chunk_counts if count is not None]
    total = math.fsum(counts)
    averages = dict(average.points)
    weighted: list[float] = []
    for moment, count in zip(plan.chunk_starts(), counts, strict=True):
        if count > 0:
            value = averages.get(moment)
            if value is None:
                weighted = []
                break
            weighted.append(value * count)
    average_ms = math.fsum(weighted) / total if weighted and total > 0 else None
    return WindowLatency(
        ref=ref,
        samples=total,
        average_ms=average_ms,
        p50=_percentile(p50, plan, counts),
        p99=_percentile(p99, plan, counts),
        complete=not incomplete,
        status=status,
        messages=messages,
    )

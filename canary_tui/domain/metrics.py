"""The per-variant CloudWatch metrics canary-tui reads, and the window arithmetic around them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

NAMESPACE = "AWS/SageMaker"


class MetricKey(StrEnum):
    """One series per variant. Values are the names used in queries, JSON and config."""

    INVOCATIONS = "invocations"
    ERRORS_4XX = "errors_4xx"
    ERRORS_5XX = "errors_5xx"
    MODEL_LATENCY_AVG = "model_latency_avg"
    OVERHEAD_LATENCY_AVG = "overhead_latency_avg"
    MODEL_LATENCY_P50 = "model_latency_p50"
    MODEL_LATENCY_P99 = "model_latency_p99"


@dataclass(frozen=True, slots=True)
class MetricSpec:
    key: MetricKey
    metric_name: str
    stat: str
    # What the value means once converted for display.
    unit: str
    # Multiply the CloudWatch value by this to get ``unit`` (latencies arrive in microseconds).
    scale: float = 1.0
    is_percentile: bool = False


METRIC_SPECS: Mapping[MetricKey, MetricSpec] = {
    spec.key: spec
    for spec in (
        MetricSpec(MetricKey.INVOCATIONS, "Invocations", "Sum", "req"),
        MetricSpec(MetricKey.ERRORS_4XX, "Invocation4XXErrors", "Sum", "req"),
        MetricSpec(MetricKey.ERRORS_5XX, "Invocation5XXErrors", "Sum", "req"),
        MetricSpec(MetricKey.MODEL_LATENCY_AVG, "ModelLatency", "Average", "ms", 0.001),
        MetricSpec(MetricKey.OVERHEAD_LATENCY_AVG, "OverheadLatency", "Average", "ms", 0.001),
        MetricSpec(MetricKey.MODEL_LATENCY_P50, "ModelLatency", "p50", "ms", 0.001, True),
        MetricSpec(MetricKey.MODEL_LATENCY_P99, "ModelLatency", "p99", "ms", 0.001, True),
    )
}
BASE_METRICS = tuple(key for key, spec in METRIC_SPECS.items() if not spec.is_percentile)
PERCENTILE_METRICS = tuple(key for key, spec in METRIC_SPECS.items() if spec.is_percentile)


@dataclass(frozen=True, slots=True, order=True)
class VariantRef:
    endpoint: str
    variant: str


@dataclass(frozen=True, slots=True)
class Series:
    """Datapoints of one metric, oldest first, already scaled to the spec's unit.

    A period with no datapoint is simply absent: CloudWatch reports nothing for a period in
    which nothing was published, which for Invocations means zero requests.
    """

    points: tuple[tuple[datetime, float], ...] = ()

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(value for _, value in self.points)

    def total(self) -> float:
        return math.fsum(self.values)

    def merged_with(self, newer: Series, since: datetime) -> Series:
        """Keep points from ``since`` on, newer datapoints replacing older ones per timestamp."""
        by_time = {ts: value for ts, value in self.points if ts >= since}
        by_time.update({ts: value for ts, value in newer.points if ts >= since})
        return Series(tuple(sorted(by_time.items())))

    def dense(self, start: datetime, period_seconds: int, count: int, fill: float) -> list[float]:
        """One value per period from ``start``, ``fill`` where no datapoint exists."""
        by_time = dict(self.points)
        step = timedelta(seconds=period_seconds)
        return [by_time.get(start + step * index, fill) for index in range(count)]


@dataclass(frozen=True, slots=True)
class VariantMetrics:
    ref: VariantRef
    series: Mapping[MetricKey, Series] = field(default_factory=dict)

    def get(self, key: MetricKey) -> Series:
        return self.series.get(key, Series())


@dataclass(frozen=True, slots=True)
class MetricsBatch:
    """The answer to one refresh: every requested variant, and what the backend could give."""

    start: datetime
    end: datetime
    period_seconds: int
    variants: Mapping[VariantRef, VariantMetrics]
    # False when the backend cannot compute percentiles (moto): p50/p99 show as n/a.
    percentiles_available: bool
    api_calls: int = 0


def aligned_window(
    now: datetime, window: timedelta, period_seconds: int
) -> tuple[datetime, datetime]:
    """Start and end on period boundaries, as CloudWatch aggregates: [start, end).

    The end is the start of the current (incomplete) period plus one period, so the period in
    progress is included and refreshed on every poll.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    epoch_seconds = int(now.timestamp())
    end_seconds = epoch_seconds - epoch_seconds % period_seconds + period_seconds
    end = datetime.fromtimestamp(end_seconds, tz=UTC)
    periods = max(1, math.ceil(window.total_seconds() / period_seconds))
    return end - timedelta(seconds=period_seconds * periods), end


def error_rate(errors: float, invocations: float) -> float | None:
    """Errors over invocations in percent; None when there was no traffic to judge."""
    if invocations <= 0:
        return None
    return errors / invocations * 100.0

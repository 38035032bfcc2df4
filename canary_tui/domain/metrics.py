"""The per-variant CloudWatch metrics canary-tui reads, and the window arithmetic around them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from canary_tui.domain.kind_metrics import KindRef

NAMESPACE = "AWS/SageMaker"


class MetricKey(StrEnum):
    """One series per variant. Values are the names used in queries, JSON and config."""

    INVOCATIONS = "invocations"
    ERRORS_4XX = "errors_4xx"
    ERRORS_5XX = "errors_5xx"
    MODEL_ERRORS = "model_errors"
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
        # Requests the model container did not answer with a 2XX: its 4XX/5XX responses, socket
        # errors, malformed responses and timeouts. SageMaker sends 1 per such request (unit
        # None), so the Sum is a count that can exceed 4XX + 5XX.
        MetricSpec(MetricKey.MODEL_ERRORS, "InvocationModelErrors", "Sum", "req"),
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


class DataStatus(StrEnum):
    """How much of a window a series holds: CloudWatch's ``MetricDataResult.StatusCode``
    after every NextToken page, plus ``NoResult`` (ours) when no page named the query."""

    COMPLETE = "Complete"
    PARTIAL_DATA = "PartialData"
    INTERNAL_ERROR = "InternalError"
    FORBIDDEN = "Forbidden"
    NO_RESULT = "NoResult"


#: [start, end) of a stretch of time.
Span = tuple[datetime, datetime]


def _normalised(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted, overlapping and touching spans joined, empty ones dropped."""
    joined: list[Span] = []
    for span_start, span_end in sorted(span for span in spans if span[0] < span[1]):
        if joined and span_start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], span_end))
        else:
            joined.append((span_start, span_end))
    return tuple(joined)


def _without(spans: Iterable[Span], removed: Span) -> tuple[Span, ...]:
    kept: list[Span] = []
    for span_start, span_end in spans:
        kept.append((span_start, min(span_end, removed[0])))
        kept.append((max(span_start, removed[1]), span_end))
    return _normalised(kept)


@dataclass(frozen=True, slots=True)
class Series:
    """Datapoints of one metric, oldest first, already scaled to the spec's unit.

    A period with no datapoint means nothing was published then (for Invocations: zero
    requests), but only where the data is known. CloudWatch says per query whether it
    returned everything (``StatusCode``); where it did not, the fetched window goes into
    ``unknown`` and a period there without a datapoint is unknown, never zero. The datapoints
    that did come back are real and kept.
    """

    points: tuple[tuple[datetime, float], ...] = ()
    # Where a missing datapoint is unknown rather than zero; empty when complete.
    unknown: tuple[Span, ...] = ()
    # Why ``unknown`` is not empty: the status of the latest fetch that left some unknown.
    status: DataStatus = DataStatus.COMPLETE
    # CloudWatch's ``Messages`` for this query, as "Code: text".
    messages: tuple[str, ...] = ()
    # The window the fetch asked about, if this came from one: a later complete fetch of a
    # window clears what an earlier one left unknown there (see :meth:`merged_with`).
    window: Span | None = None

    @property
    def complete(self) -> bool:
        return not self.unknown

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(value for _, value in self.points)

    def total(self) -> float:
        """Sum of the datapoints: exact when :attr:`complete`, otherwise only a lower bound
        for a count (use :meth:`known_total` where that matters)."""
        return math.fsum(self.values)

    def known_total(self) -> float | None:
        """Sum of the datapoints, or None when some of the window is unknown."""
        return self.total() if self.complete else None

    def is_known(self, period_start: datetime, period_seconds: int) -> bool:
        """Whether the period has a datapoint or lies wholly where absence means zero."""
        if any(ts == period_start for ts, _ in self.points):
            return True
        return not self._in_unknown(period_start, period_seconds)

    def _in_unknown(self, period_start: datetime, period_seconds: int) -> bool:
        period_end = period_start + timedelta(seconds=period_seconds)
        return any(start < period_end and period_start < end for start, end in self.unknown)

    def since(self, start: datetime) -> Series:
        """The same series from ``start`` on, unknown spans and status kept."""
        unknown = _normalised((max(span_start, start), end) for span_start, end in self.unknown)
        return Series(
            tuple(point for point in self.points if point[0] >= start),
            unknown,
            self.status if unknown else DataStatus.COMPLETE,
            self.messages if unknown else (),
            self.window,
        )

    def merged_with(self, newer: Series, since: datetime) -> Series:
        """Keep points from ``since`` on, newer datapoints replacing older ones per timestamp.

        What this series left unknown stays unknown except where ``newer`` fetched its
        window completely; what ``newer`` left unknown is added.
        """
        by_time = {ts: value for ts, value in self.points if ts >= since}
        by_time.update({ts: value for ts, value in newer.points if ts >= since})
        older_unknown = self.unknown
        if newer.window is not None:
            older_unknown = _without(older_unknown, newer.window)
        unknown = _normalised(
            (max(start, since), end) for start, end in (*older_unknown, *newer.unknown)
        )
        messages: tuple[str, ...] = ()
        if not unknown:
            status = DataStatus.COMPLETE
        elif newer.unknown:
            status, messages = newer.status, tuple(dict.fromkeys((*newer.messages, *self.messages)))
        else:
            status, messages = self.status, self.messages
        return Series(tuple(sorted(by_time.items())), unknown, status, messages, newer.window)

    def dense(self, start: datetime, period_seconds: int, count: int, fill: float) -> list[float]:
        """One value per period from ``start``, ``fill`` where no datapoint exists."""
        by_time = dict(self.points)
        step = timedelta(seconds=period_seconds)
        return [by_time.get(start + step * index, fill) for index in range(count)]

    def dense_known(
        self, start: datetime, period_seconds: int, count: int, fill: float
    ) -> list[float | None]:
        """As :meth:`dense`, but None for a period without a datapoint where data is unknown."""
        by_time = dict(self.points)
        step = timedelta(seconds=period_seconds)
        values: list[float | None] = []
        for index in range(count):
            moment = start + step * index
            if moment in by_time:
                values.append(by_time[moment])
            else:
                values.append(None if self._in_unknown(moment, period_seconds) else fill)
        return values


@dataclass(frozen=True, slots=True)
class VariantMetrics:
    ref: VariantRef
    series: Mapping[MetricKey, Series] = field(default_factory=dict)
    #: Configured quality metrics' series (``domain.quality``), by ``QualityMetric.series_key``.
    quality: Mapping[str, Series] = field(default_factory=dict)

    def get(self, key: MetricKey) -> Series:
        return self.series.get(key, Series())

    def incomplete(self) -> tuple[MetricKey, ...]:
        """The metrics with some of their window unknown (NODATA for a check that uses them)."""
        return tuple(key for key, series in self.series.items() if not series.complete)


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
    # GetMetricData's top-level ``Messages`` ("Code: text"), e.g. a limit was exceeded.
    messages: tuple[str, ...] = ()
    #: The kind metrics asked for (``domain.kind_metrics``), fetched in the same calls.
    kind: Mapping[KindRef, Series] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every series of every variant came back whole."""
        return not any(metrics.incomplete() for metrics in self.variants.values())


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

"""Turning domain objects into the text and numbers the widgets show. Pure, no Textual."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from canary_tui.domain.capacity import EndpointScaling, limits_text
from canary_tui.domain.metrics import MetricKey, Series, VariantMetrics, error_rate
from canary_tui.domain.models import Endpoint, EndpointSummary, Variant
from canary_tui.ui.refresh import latency_key, latency_label

NO_VALUE = "\u2013"  # en dash: "no value", distinct from a minus sign
#: CloudWatch did not return the latest period whole (PartialData...): unknown, not zero.
UNKNOWN_VALUE = "?"


def format_percent(value: float) -> str:
    """90 -> "90", 9.5 -> "9.5", 100/3 -> "33.333": short, and exact enough to add to 100."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in {"", "-0"} else "0"


def format_weight(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return text or "0"


def share_text(share: float) -> str:
    return f"{share:.1f}%"


@dataclass(frozen=True, slots=True)
class EndpointRow:
    name: str
    status: str
    variants: str
    canary: str


def endpoint_row(summary: EndpointSummary, endpoint: Endpoint | None) -> EndpointRow:
    # ListEndpoints is fresher for status than a background describe minutes old.
    if endpoint is None:
        return EndpointRow(summary.name, summary.status, "…", "…")
    canary = share_text(endpoint.canary_share) if len(endpoint.variants) > 1 else NO_VALUE
    return EndpointRow(summary.name, summary.status, str(len(endpoint.variants)), canary)


@dataclass(frozen=True, slots=True)
class VariantRow:
    name: str
    traffic: str
    weight: str
    instances: str
    status: str
    model: str
    #: The scalable target's min-max instance count (NO_VALUE: no target, "?": not known).
    limits: str = "?"


def _count_text(count: int | None) -> str:
    return "?" if count is None else str(count)


def variant_rows(endpoint: Endpoint, scaling: EndpointScaling | None = None) -> list[VariantRow]:
    """Current values; "current → desired" wherever an update is rolling through.
    ``scaling``: Application Auto Scaling's limits (None: not read yet, shown as ``?``)."""
    current_shares = endpoint.current_traffic_shares
    desired_shares = endpoint.desired_traffic_shares
    rows = []
    for variant in endpoint.variants:
        traffic = share_text(current_shares[variant.name])
        weight = format_weight(variant.current_weight)
        if abs(current_shares[variant.name] - desired_shares[variant.name]) >= 0.05:
            traffic = f"{traffic} → {share_text(desired_shares[variant.name])}"
        if variant.current_weight != variant.desired_weight:
            weight = f"{weight} → {format_weight(variant.desired_weight)}"
        rows.append(
            VariantRow(
                name=variant.name,
                traffic=traffic,
                weight=weight,
                instances=_instances_text(variant),
                status=variant.status or ("settling" if variant.is_settling else "ok"),
                model=variant.model_name or NO_VALUE,
                limits=limits_text(scaling, variant.name),
            )
        )
    return rows


def _instances_text(variant: Variant) -> str:
    kind = variant.instance_type or "?"
    current, desired = variant.current_instance_count, variant.desired_instance_count
    if current is None and desired is None:
        return kind
    if current != desired and desired is not None:
        return f"{kind} x{_count_text(current)} → {desired}"
    return f"{kind} x{_count_text(current)}"


class ChartMetric(StrEnum):
    INVOCATIONS = "invocations/min"
    ERROR_RATE = "error rate %"
    LATENCY = "model latency"


CHART_METRICS = tuple(ChartMetric)


@dataclass(frozen=True, slots=True)
class MetricCell:
    """One sparkline and the number beside it."""

    values: tuple[float, ...]
    latest: str
    #: (minutes before the window end, value) for the big chart.
    points: tuple[tuple[float, float], ...]
    #: The latest value is this old (no traffic since): shown dimmed with its age. None: current.
    age_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class MetricsFrame:
    """The window being shown: [start, end) in periods of ``period_seconds``."""

    start: datetime
    end: datetime
    period_seconds: int

    @property
    def periods(self) -> int:
        return int((self.end - self.start).total_seconds()) // self.period_seconds

    @property
    def last_complete_period(self) -> datetime:
        # The last period of the window is still in progress; its sum is partial.
        return self.end - timedelta(seconds=2 * self.period_seconds)

    def minutes_before_end(self, timestamp: datetime) -> float:
        return (timestamp - self.end).total_seconds() / 60.0


def _latest_complete(points: Sequence[tuple[datetime, float]], frame: MetricsFrame) -> float | None:
    cutoff = frame.last_complete_period
    for timestamp, value in reversed(points):
        if timestamp <= cutoff:
            return value
    return None


def invocations_cell(metrics: VariantMetrics, frame: MetricsFrame) -> MetricCell:
    per_minute = 60.0 / frame.period_seconds
    series = metrics.get(MetricKey.INVOCATIONS)
    if not series.points:
        # Nothing at all in the window: no traffic, or CloudWatch has not caught up. Say
        # nothing rather than a zero that may be wrong.
        return MetricCell(values=(), latest=NO_VALUE, points=())
    # Between datapoints, a period without one had no request counted in it: zero; unless
    # CloudWatch did not answer for it (PartialData...): then it is unknown, never zero.
    known = series.dense_known(frame.start, frame.period_seconds, frame.periods, 0.0)
    values = [0.0 if value is None else value for value in known]
    step = timedelta(seconds=frame.period_seconds)
    points = tuple(
        (frame.minutes_before_end(frame.start + step * index), value * per_minute)
        for index, value in enumerate(values)
        if frame.start + step * index <= frame.last_complete_period
    )
    latest = _latest_complete([(frame.start + step * i, v) for i, v in enumerate(values)], frame)
    cutoff = frame.last_complete_period
    last_index = next(
        (i for i in reversed(range(len(known))) if frame.start + step * i <= cutoff), None
    )
    unknown_now = last_index is not None and known[last_index] is None
    return MetricCell(
        values=tuple(value * per_minute for value in values),
        latest=UNKNOWN_VALUE
        if unknown_now
        else (NO_VALUE if latest is None else f"{latest * per_minute:,.0f}/m"),
        points=points,
    )


def _error_rate_points(
    metrics: VariantMetrics, period_seconds: int
) -> list[tuple[datetime, float]]:
    invocations = dict(metrics.get(MetricKey.INVOCATIONS).points)
    series_4xx, series_5xx = metrics.get(MetricKey.ERRORS_4XX), metrics.get(MetricKey.ERRORS_5XX)
    errors_4xx = dict(series_4xx.points)
    errors_5xx = dict(series_5xx.points)
    points = []
    for timestamp in sorted(invocations):
        # An error count CloudWatch did not return is unknown: no rate, rather than 0 errors.
        if not (
            series_4xx.is_known(timestamp, period_seconds)
            and series_5xx.is_known(timestamp, period_seconds)
        ):
            continue
        errors = errors_4xx.get(timestamp, 0.0) + errors_5xx.get(timestamp, 0.0)
        rate = error_rate(errors, invocations[timestamp])
        # Periods without traffic have no error rate; they are left out, not drawn as 0 %.
        if rate is not None:
            points.append((timestamp, rate))
    return points


def _age(
    points: Sequence[tuple[datetime, float]], metrics: VariantMetrics, frame: MetricsFrame
) -> float | None:
    """How old the latest complete value is when the variant had no traffic in the latest
    complete period (an unknown count is not "no traffic": that is marked elsewhere)."""
    cutoff = frame.last_complete_period
    served = {ts for ts, value in metrics.get(MetricKey.INVOCATIONS).points if value > 0}
    if cutoff in served:
        return None
    for timestamp, _ in reversed(points):
        if timestamp <= cutoff:
            return (cutoff - timestamp).total_seconds() or None
    return None


def _age_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes}m" if minutes < 60 else f"{round(seconds / 3600)}h"


def error_rate_cell(metrics: VariantMetrics, frame: MetricsFrame) -> MetricCell:
    points = _error_rate_points(metrics, frame.period_seconds)
    latest = _latest_complete(points, frame)
    age = _age(points, metrics, frame)
    text = NO_VALUE if latest is None else f"{latest:.2f}%"
    if latest is not None and age is not None:
        text = f"{latest:.1f}% {_age_text(age)}"
    return MetricCell(
        values=tuple(value for _, value in points),
        latest=text,
        points=tuple((frame.minutes_before_end(ts), v) for ts, v in points),
        age_seconds=age,
    )


def latency_cell(
    metrics: VariantMetrics, frame: MetricsFrame, percentiles_available: bool
) -> MetricCell:
    series: Series = metrics.get(latency_key(percentiles_available))
    latest = _latest_complete(series.points, frame)
    age = _age(series.points, metrics, frame)
    text = NO_VALUE if latest is None else f"{latest:,.1f}ms"
    if latest is not None and age is not None:
        text = f"{latest:,.0f}ms {_age_text(age)}"
    return MetricCell(
        values=series.values,
        latest=text,
        points=tuple((frame.minutes_before_end(ts), v) for ts, v in series.points),
        age_seconds=age,
    )


@dataclass(frozen=True, slots=True)
class VariantMetricsView:
    variant: str
    invocations: MetricCell
    error_rate: MetricCell
    latency: MetricCell
    #: (quality metric name, its cell), in the settings' order (ui/quality_view.py).
    quality: tuple[tuple[str, MetricCell], ...] = ()

    def cell(self, metric: ChartMetric | str) -> MetricCell:
        if not isinstance(metric, ChartMetric):
            return dict(self.quality).get(metric, MetricCell((), NO_VALUE, ()))
        if metric is ChartMetric.INVOCATIONS:
            return self.invocations
        if metric is ChartMetric.ERROR_RATE:
            return self.error_rate
        return self.latency


def variant_metrics_view(
    variant: str, metrics: VariantMetrics, frame: MetricsFrame, percentiles_available: bool
) -> VariantMetricsView:
    return VariantMetricsView(
        variant=variant,
        invocations=invocations_cell(metrics, frame),
        error_rate=error_rate_cell(metrics, frame),
        latency=latency_cell(metrics, frame, percentiles_available),
    )


def chart_title(metric: ChartMetric, percentiles_available: bool, window: str) -> str:
    if metric is ChartMetric.LATENCY:
        return f"{latency_label(percentiles_available)} (ms) · last {window}"
    return f"{metric.value} · last {window}"

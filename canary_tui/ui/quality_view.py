"""Quality metrics ([[verdict.metrics]]) as the metrics pane and the chart show them. Pure,
no Textual: one :class:`~canary_tui.ui.view.MetricCell` per metric and variant.

A proportion shows its rate per period (successes / trials, in %; periods without trials
are left out, not drawn as 0 %), a continuous metric its per-period values. A delayed metric
ends its delay before the window's end: its latest value is that old, and says so.
"""

from __future__ import annotations

from datetime import datetime

from canary_tui.domain.metrics import VariantMetrics
from canary_tui.domain.quality import QualityKind, QualityMetric, quality_series
from canary_tui.ui.view import NO_VALUE, UNKNOWN_VALUE, MetricCell, MetricsFrame


def quality_points(metrics: VariantMetrics, metric: QualityMetric) -> list[tuple[datetime, float]]:
    if metric.kind is QualityKind.CONTINUOUS:
        return list(quality_series(metrics.quality, metric, "value").points)
    successes = dict(quality_series(metrics.quality, metric, "successes").points)
    points = []
    for moment, trials in quality_series(metrics.quality, metric, "trials").points:
        if trials > 0:
            points.append((moment, min(successes.get(moment, 0.0), trials) / trials * 100.0))
    return points


def quality_unit(metric: QualityMetric) -> str:
    if metric.kind is QualityKind.PROPORTION:
        return "%"
    return "" if metric.unit in (None, "None", "Count") else f" {metric.unit}"


def quality_heading(metric: QualityMetric) -> str:
    late = f" (-{metric.delay_seconds // 60}m)" if metric.delay_seconds >= 60 else ""
    unit = " %" if metric.kind is QualityKind.PROPORTION else ""
    return f"{metric.name}{unit}{late}"


def quality_cell(metrics: VariantMetrics, frame: MetricsFrame, metric: QualityMetric) -> MetricCell:
    points = quality_points(metrics, metric)
    cutoff = frame.last_complete_period
    latest = next((value for moment, value in reversed(points) if moment <= cutoff), None)
    unknown = any(
        not quality_series(metrics.quality, metric, role).complete for role, _ in metric.queries()
    )
    if latest is None:
        text = UNKNOWN_VALUE if unknown else NO_VALUE
    elif metric.kind is QualityKind.PROPORTION:
        text = f"{latest:.1f}%"
    else:
        text = f"{latest:,.4g}{quality_unit(metric)}"
    return MetricCell(
        values=tuple(value for _, value in points),
        latest=text,
        points=tuple((frame.minutes_before_end(moment), value) for moment, value in points),
    )


def quality_cells(
    metrics: VariantMetrics, frame: MetricsFrame, quality: tuple[QualityMetric, ...]
) -> tuple[tuple[str, MetricCell], ...]:
    return tuple((metric.name, quality_cell(metrics, frame, metric)) for metric in quality)


def quality_chart_title(metric: QualityMetric, window: str) -> str:
    unit = "%" if metric.kind is QualityKind.PROPORTION else metric.statistic
    late = f", {metric.delay_seconds // 60}m late" if metric.delay_seconds >= 60 else ""
    return f"{metric.name} ({unit}{late}) · last {window}"

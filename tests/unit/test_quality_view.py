"""Quality metrics in the metrics pane and the chart: per-period rates, the latest whole
period, unknown shown as ?, and the chart's choice of metric by name."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from canary_tui.domain.metrics import DataStatus, Series, VariantMetrics, VariantRef
from canary_tui.domain.quality import Better, QualityKind, QualityMetric
from canary_tui.ui.quality_view import quality_cell, quality_chart_title, quality_heading
from canary_tui.ui.view import MetricCell, MetricsFrame, variant_metrics_view

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FRAME = MetricsFrame(START, START + timedelta(minutes=10), 60)
ACCURACY = QualityMetric(
    "accuracy",
    "CanaryTui/Demo",
    QualityKind.PROPORTION,
    Better.HIGHER,
    2.0,
    successes="Correct",
    trials="Labeled",
    delay_seconds=120,
)


def _at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def _metrics(**series: Series) -> VariantMetrics:
    return VariantMetrics(VariantRef("ep", "v"), quality=series)


def test_a_proportion_shows_its_rate_per_period_and_skips_periods_without_trials() -> None:
    metrics = _metrics(
        **{
            "accuracy.successes": Series(((_at(0), 9.0), (_at(2), 8.0), (_at(5), 6.0))),
            "accuracy.trials": Series(
                ((_at(0), 10.0), (_at(1), 0.0), (_at(2), 10.0), (_at(5), 8.0))
            ),
        }
    )
    cell = quality_cell(metrics, FRAME, ACCURACY)
    assert cell.values == (90.0, 80.0, 75.0)
    assert cell.latest == "75.0%"
    assert [round(x) for x, _ in cell.points] == [-10, -8, -5]


def test_unknown_data_without_a_value_reads_unknown_not_zero() -> None:
    unknown = Series(unknown=((START, FRAME.end),), status=DataStatus.PARTIAL_DATA)
    metrics = _metrics(**{"accuracy.successes": unknown, "accuracy.trials": unknown})
    assert quality_cell(metrics, FRAME, ACCURACY).latest == "?"
    assert quality_cell(_metrics(), FRAME, ACCURACY).latest == "\u2013"


def test_a_continuous_metric_shows_its_values_with_its_unit() -> None:
    cost = replace(
        ACCURACY,
        name="cost",
        kind=QualityKind.CONTINUOUS,
        metric="Cost",
        unit="Milliseconds",
        delay_seconds=0,
    )
    metrics = _metrics(**{"cost.value": Series(((_at(3), 1234.5),))})
    assert quality_cell(metrics, FRAME, cost).latest == "1,234 Milliseconds"
    assert quality_heading(cost) == "cost" and quality_heading(ACCURACY) == "accuracy % (-2m)"
    assert quality_chart_title(ACCURACY, "1h") == "accuracy (%, 2m late) · last 1h"


def test_the_chart_takes_a_quality_metric_by_name() -> None:
    view = variant_metrics_view("v", VariantMetrics(VariantRef("ep", "v")), FRAME, False)
    cell = MetricCell((1.0,), "1", ((-1.0, 1.0),))
    view = replace(view, quality=(("accuracy", cell),))
    assert view.cell("accuracy") is cell
    assert view.cell("nothing").latest == "\u2013"

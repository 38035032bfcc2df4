"""A variant with no traffic in the latest period: its last error rate and latency are shown
with their age (and dimmed by the metrics pane), not as if current (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from canary_tui.domain.metrics import MetricKey, Series, VariantMetrics, VariantRef
from canary_tui.ui.view import MetricsFrame, error_rate_cell, latency_cell

START = datetime(2026, 1, 1, tzinfo=UTC)
FRAME = MetricsFrame(START, START + timedelta(minutes=60), 60)


def metrics(last_minute: int) -> VariantMetrics:
    minutes = range(last_minute + 1)

    def series(value: float) -> Series:
        return Series(tuple((START + timedelta(minutes=m), value) for m in minutes))

    return VariantMetrics(
        VariantRef("ep", "v"),
        {
            MetricKey.INVOCATIONS: series(100.0),
            MetricKey.ERRORS_4XX: series(1.0),
            MetricKey.ERRORS_5XX: series(0.0),
            MetricKey.MODEL_LATENCY_AVG: series(26.0),
        },
    )


def test_current_values_have_no_age() -> None:
    current = metrics(58)  # the last complete period of the window
    assert error_rate_cell(current, FRAME).age_seconds is None
    assert error_rate_cell(current, FRAME).latest == "1.00%"
    assert latency_cell(current, FRAME, False).latest == "26.0ms"


def test_a_variant_that_stopped_serving_shows_its_last_values_with_their_age() -> None:
    stopped = metrics(46)  # twelve periods before the last complete one
    errors = error_rate_cell(stopped, FRAME)
    latency = latency_cell(stopped, FRAME, False)
    assert errors.age_seconds == latency.age_seconds == 12 * 60
    assert errors.latest == "1.0% 12m"
    assert latency.latest == "26ms 12m"
    assert len(errors.latest) <= 9 and len(latency.latest) <= 9  # the value column's width

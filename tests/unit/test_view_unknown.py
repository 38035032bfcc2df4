"""The metrics pane on data CloudWatch did not return whole: unknown, never a zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from canary_tui.domain.metrics import DataStatus, MetricKey, Series, VariantMetrics, VariantRef
from canary_tui.ui.view import (
    NO_VALUE,
    UNKNOWN_VALUE,
    MetricsFrame,
    error_rate_cell,
    invocations_cell,
)

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FRAME = MetricsFrame(START, START + timedelta(minutes=10), 60)


def minutes(*values: tuple[int, float]) -> tuple[tuple[datetime, float], ...]:
    return tuple((START + timedelta(minutes=m), v) for m, v in values)


def metrics(**series: Series) -> VariantMetrics:
    return VariantMetrics(VariantRef("ep", "v"), {MetricKey(k): s for k, s in series.items()})


def test_a_latest_period_cloudwatch_did_not_answer_is_unknown_not_zero() -> None:
    # Minutes 0-5 known; 6-10 unknown (PartialData): the last complete period is minute 8.
    partial = Series(
        minutes((0, 60.0), (5, 60.0)),
        unknown=((START + timedelta(minutes=6), START + timedelta(minutes=10)),),
        status=DataStatus.PARTIAL_DATA,
    )
    assert invocations_cell(metrics(invocations=partial), FRAME).latest == UNKNOWN_VALUE
    whole = Series(minutes((0, 60.0), (5, 60.0)))
    assert invocations_cell(metrics(invocations=whole), FRAME).latest == "0/m"  # a real zero


def test_an_unknown_error_count_gives_no_rate_instead_of_zero_errors() -> None:
    invocations = Series(minutes(*((m, 100.0) for m in range(10))))
    errors_5xx = Series(
        minutes(*((m, 5.0) for m in range(6))),
        unknown=((START + timedelta(minutes=6), START + timedelta(minutes=10)),),
        status=DataStatus.INTERNAL_ERROR,
    )
    cell = error_rate_cell(
        metrics(invocations=invocations, errors_5xx=errors_5xx, errors_4xx=Series(())), FRAME
    )
    assert len(cell.values) == 6  # minutes 6-9 are left out, not drawn as 0 %
    assert cell.latest == "5.00%"
    nothing = error_rate_cell(metrics(), FRAME)
    assert nothing.latest == NO_VALUE

"""The poll planner and metric cache, without an app: what each refresh asks AWS for."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from canary_tui.domain.metrics import MetricKey, MetricsBatch, Series, VariantMetrics, VariantRef
from canary_tui.domain.models import Endpoint, EndpointSummary
from canary_tui.ui.refresh import (
    MetricsCache,
    background_due,
    backoff_seconds,
    changed_since_described,
    latency_label,
    refresh_describes,
    window_length,
)
from canary_tui.ui.view import (
    NO_VALUE,
    MetricsFrame,
    endpoint_row,
    error_rate_cell,
    format_percent,
    invocations_cell,
    variant_rows,
)
from tests.ui.fakes import variant

NOW = datetime(2026, 11, 25, 9, 30, 20, tzinfo=UTC)
REF = VariantRef("ep", "a")


def batch_for(refs: list[VariantRef], start: datetime, end: datetime, value: float) -> MetricsBatch:
    points = []
    moment = start
    while moment < end:
        points.append((moment, value))
        moment += timedelta(minutes=1)
    series = {MetricKey.INVOCATIONS: Series(tuple(points))}
    return MetricsBatch(
        start, end, 60, {ref: VariantMetrics(ref, series) for ref in refs}, False, 1
    )


def test_first_fetch_covers_the_window_then_only_the_last_periods() -> None:
    cache = MetricsCache(period_seconds=60)
    first = cache.request("ep", ["a"], NOW, "1h")
    assert first.full
    assert first.end == datetime(2026, 11, 25, 9, 31, tzinfo=UTC)
    assert first.end - first.start == timedelta(hours=1)
    cache.merge(first, batch_for([REF], first.start, first.end, 1.0))

    later = NOW + timedelta(minutes=1)
    second = cache.request("ep", ["a"], later, "1h")
    assert not second.full
    assert second.end - second.start == timedelta(minutes=5)
    cache.merge(second, batch_for([REF], second.start, second.end, 2.0))

    merged = cache.get(REF).get(MetricKey.INVOCATIONS)
    # Still one point per minute of the (moved) window; the refetched periods replaced.
    assert len(merged.points) == 60
    assert merged.points[0][0] == second.window_start
    assert merged.values[-5:] == (2.0,) * 5
    assert merged.values[:-5] == (1.0,) * 55


@pytest.mark.parametrize(
    ("variants", "window", "later"),
    [
        (["a"], "3h", timedelta(minutes=1)),  # another window
        (["a", "b"], "1h", timedelta(minutes=1)),  # the variants changed
        (["a"], "1h", timedelta(minutes=10)),  # a gap the incremental fetch would not cover
    ],
)
def test_full_fetch_again_when_the_increment_would_be_wrong(
    variants: list[str], window: str, later: timedelta
) -> None:
    cache = MetricsCache(period_seconds=60)
    first = cache.request("ep", ["a"], NOW, "1h")
    cache.merge(first, batch_for([REF], first.start, first.end, 1.0))
    assert cache.request("ep", variants, NOW + later, window).full


def test_one_request_per_refresh_covers_every_variant() -> None:
    cache = MetricsCache()
    request = cache.request("ep", ["a", "b", "c"], NOW, "15m")
    assert [ref.variant for ref in request.refs] == ["a", "b", "c"]


def test_a_refresh_describes_selected_updating_and_changed_only() -> None:
    assert refresh_describes(selected="a", transitional=["b", "a"], changed=["c", "b"]) == [
        "a",
        "b",
        "c",
    ]
    assert refresh_describes(selected=None, transitional=[], changed=[]) == []


def test_the_list_tells_which_endpoints_changed() -> None:
    then = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    later = then + timedelta(minutes=3)
    described = {
        "same": Endpoint("same", "InService", (), last_modified=then),
        "modified": Endpoint("modified", "InService", (), last_modified=then),
        "status": Endpoint("status", "InService", (), last_modified=then),
    }
    summaries = [
        EndpointSummary("same", "InService", last_modified=then),
        EndpointSummary("modified", "InService", last_modified=later),
        EndpointSummary("status", "Updating", last_modified=then),
        EndpointSummary("never-described", "InService", last_modified=then),
    ]
    assert changed_since_described(summaries, described) == ["modified", "status"]


def test_background_describes_are_spread_out() -> None:
    names = [f"ep-{index:03}" for index in range(200)]
    described = {name: 1000.0 for name in names}
    assert (
        background_due(
            names=names, described_at=described, now_monotonic=1010.0, interval=300, batch=10
        )
        == []
    )
    # Five minutes on: at most a batch per round, never-described first, then oldest.
    described["ep-150"] = 900.0
    del described["ep-199"]
    due = background_due(
        names=names, described_at=described, now_monotonic=1300.0, interval=300, batch=10
    )
    assert due[:2] == ["ep-199", "ep-150"]
    assert len(due) == 10


def test_backoff_grows_and_is_bounded() -> None:
    assert backoff_seconds(60, 0) == 60
    assert backoff_seconds(60, 1) == 120
    assert backoff_seconds(60, 2) == 240
    assert backoff_seconds(60, 30) == 300


def test_window_names() -> None:
    assert window_length("12h") == timedelta(hours=12)
    with pytest.raises(ValueError, match="unknown window"):
        window_length("2d")


def test_latency_label_says_which_statistic() -> None:
    assert latency_label(True) == "latency p99"
    assert latency_label(False) == "latency avg"


def test_rows_show_current_to_desired_while_updating() -> None:
    settling = Endpoint("ep", "Updating", (variant("a", 0.9, 2), variant("b", 0.1, 1)))
    settling = dataclasses.replace(
        settling,
        variants=(
            dataclasses.replace(settling.variants[0], desired_weight=0.5, desired_instance_count=3),
            dataclasses.replace(settling.variants[1], desired_weight=0.5),
        ),
    )
    rows = variant_rows(settling)
    assert rows[0].traffic == "90.0% → 50.0%"
    assert rows[0].weight == "0.9 → 0.5"
    assert rows[0].instances == "ml.m5.xlarge x2 → 3"
    assert rows[0].status == "settling"
    assert endpoint_row(EndpointSummary("ep", "Updating"), settling).canary == "10.0%"
    assert endpoint_row(EndpointSummary("ep", "Creating"), None).variants == "…"


def test_metric_cells_never_invent_values() -> None:
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    frame = MetricsFrame(start, start + timedelta(minutes=10), 60)
    empty = VariantMetrics(REF)
    assert invocations_cell(empty, frame).latest == NO_VALUE
    assert invocations_cell(empty, frame).values == ()
    assert error_rate_cell(empty, frame).values == ()
    minute = timedelta(minutes=1)
    with_traffic = VariantMetrics(
        REF,
        {
            MetricKey.INVOCATIONS: Series(((start, 200.0), (start + minute * 8, 100.0))),
            MetricKey.ERRORS_5XX: Series(((start + minute * 8, 3.0),)),
        },
    )
    cell = invocations_cell(with_traffic, frame)
    # Missing invocation periods are zero requests; the in-progress 9th period is not "latest".
    assert cell.values[:3] == (200.0, 0.0, 0.0)
    assert cell.latest == "100/m"
    rates = error_rate_cell(with_traffic, frame)
    assert rates.values == (0.0, 3.0)  # periods without traffic have no error rate
    assert rates.latest == "3.00%"


def test_format_percent_round_trips_to_100() -> None:
    thirds = [format_percent(100 / 3)] * 3
    assert thirds == ["33.333"] * 3
    assert abs(sum(float(text) for text in thirds) - 100) <= 0.01
    assert format_percent(90.0) == "90"
    assert format_percent(0.0) == "0"

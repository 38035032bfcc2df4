"""CloudWatchGateway, honest data: InvocationModelErrors, StatusCode and Messages after
paging, and ModelLatency over a whole judged window. moto where it can (it always answers
Complete and has no percentiles), botocore's Stubber (validated against the service model)
for the rest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from canary_tui.aws.backend import Backend
from canary_tui.domain.metrics import DataStatus, MetricKey, VariantRef, aligned_window
from tests.aws.test_cloudwatch_gateway import BASELINE, CANARY, PERIOD, _publish, _result

REQUEST_PARAMS = "before-parameter-build.cloudwatch.GetMetricData"


def _window(minutes: int = 10) -> tuple[datetime, datetime]:
    return aligned_window(datetime.now(UTC), timedelta(minutes=minutes), PERIOD)


def _with_status(result: dict[str, Any], status: str, *messages: str) -> dict[str, Any]:
    return {
        **result,
        "StatusCode": status,
        "Messages": [{"Code": status, "Value": text} for text in messages],
    }


@pytest.fixture
def stubbed(backend: Backend) -> Iterator[tuple[Backend, Stubber, Stubber]]:
    data = Stubber(backend.clients.cloudwatch)
    probe = Stubber(backend.clients.cloudwatch_probe)
    with data, probe:
        yield backend, data, probe
    data.assert_no_pending_responses()
    probe.assert_no_pending_responses()


def _sent(backend: Backend) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    backend.clients.cloudwatch.meta.events.register(
        REQUEST_PARAMS, lambda params, **kwargs: sent.append(dict(params))
    )
    return sent


# --- moto ------------------------------------------------------------------------------------


def test_model_errors_come_back_with_the_other_metrics(
    backend: Backend, cloudwatch_client: Any
) -> None:
    start, end = _window()
    minute = start + timedelta(minutes=3)
    _publish(cloudwatch_client, CANARY, "Invocations", minute, [50])
    _publish(cloudwatch_client, CANARY, "InvocationModelErrors", minute, [1, 1, 1])
    batch = backend.cloudwatch.fetch([CANARY, BASELINE], start, end, PERIOD)
    canary = batch.variants[CANARY]
    assert canary.get(MetricKey.MODEL_ERRORS).points == ((minute, 3.0),)
    assert batch.variants[BASELINE].get(MetricKey.MODEL_ERRORS).points == ()
    # moto answers Complete for every query: no errors is a known zero here.
    assert batch.complete and canary.get(MetricKey.MODEL_ERRORS).window == (start, end)
    assert batch.api_calls == 1


def test_window_latency_on_moto_falls_back_to_the_average(
    backend: Backend, cloudwatch_client: Any
) -> None:
    now = datetime.now(UTC)
    start = now - timedelta(minutes=20)
    _publish(cloudwatch_client, CANARY, "ModelLatency", now - timedelta(minutes=5), [10_000])
    _publish(cloudwatch_client, CANARY, "ModelLatency", now - timedelta(minutes=15), [30_000])
    _publish(cloudwatch_client, CANARY, "ModelLatency", now - timedelta(minutes=15), [20_000])
    batch = backend.cloudwatch.window_latency([CANARY, BASELINE], start, now, now)
    assert batch.plan.chunks == 1 and batch.percentiles_available is False
    canary = batch.variants[CANARY]
    assert canary.samples == 3.0
    assert canary.average_ms == pytest.approx(20.0)  # over every sample, not per minute
    assert canary.p50 is None and canary.p99 is None and canary.complete
    baseline = batch.variants[BASELINE]
    assert baseline.samples == 0.0 and baseline.average_ms is None
    # Percentiles are known to be missing now: the next window is one call.
    again = backend.cloudwatch.window_latency([CANARY], start, now, now)
    assert again.api_calls == 1 and again.variants[CANARY].average_ms == pytest.approx(20.0)


# --- Stubber: StatusCode and Messages -----------------------------------------------------------


def test_partial_data_completed_on_the_next_page_is_complete(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, _ = stubbed
    start, end = _window()
    data.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                _with_status(_result("q0_errors_5xx", [(start, 1.0)]), "PartialData")
            ],
            "NextToken": "page-2",
        },
    )
    data.add_response(
        "get_metric_data",
        {"MetricDataResults": [_result("q0_errors_5xx", [(start + timedelta(minutes=1), 2.0)])]},
    )
    errors = backend.cloudwatch.fetch([CANARY], start, end, PERIOD).variants[CANARY]
    series = errors.get(MetricKey.ERRORS_5XX)
    assert series.complete and series.known_total() == 3.0


@pytest.mark.parametrize("status", ["PartialData", "InternalError", "Forbidden"])
def test_a_result_not_complete_after_paging_is_unknown_not_zero(
    stubbed: tuple[Backend, Stubber, Stubber], status: str
) -> None:
    """The false PASS of issue 14: 5XX errors unreadable while Invocations is complete."""
    backend, data, _ = stubbed
    start, end = _window()
    data.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                _result("q0_invocations", [(start, 100.0)]),
                _with_status(_result("q0_errors_5xx", []), status, "not all data"),
            ],
            "Messages": [{"Code": "MaxMetricsExceeded", "Value": "too many"}],
        },
    )
    batch = backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    canary = batch.variants[CANARY]
    errors = canary.get(MetricKey.ERRORS_5XX)
    assert errors.status is DataStatus(status) and errors.unknown == ((start, end),)
    assert errors.known_total() is None
    assert errors.dense_known(start, PERIOD, 2, 0.0) == [None, None]
    assert errors.messages == (f"{status}: not all data",)
    assert canary.get(MetricKey.INVOCATIONS).known_total() == 100.0
    assert MetricKey.ERRORS_5XX in canary.incomplete() and not batch.complete
    assert batch.messages == ("MaxMetricsExceeded: too many",)


def test_an_internal_error_is_not_undone_by_a_later_page(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, _ = stubbed
    start, end = _window()
    data.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [_with_status(_result("q0_invocations", []), "InternalError")],
            "NextToken": "page-2",
        },
    )
    data.add_response(
        "get_metric_data", {"MetricDataResults": [_result("q0_invocations", [(start, 5.0)])]}
    )
    series = (
        backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
        .variants[CANARY]
        .get(MetricKey.INVOCATIONS)
    )
    assert series.status is DataStatus.INTERNAL_ERROR and not series.complete
    assert series.points == ((start, 5.0),)


def test_a_query_no_page_answered_is_unknown(stubbed: tuple[Backend, Stubber, Stubber]) -> None:
    backend, data, _ = stubbed
    start, end = _window()
    data.add_response("get_metric_data", {"MetricDataResults": []})
    canary = backend.cloudwatch.fetch([CANARY], start, end, PERIOD).variants[CANARY]
    assert canary.get(MetricKey.MODEL_ERRORS).status is DataStatus.NO_RESULT
    assert set(canary.incomplete()) == set(canary.series)


# --- Stubber: window latency with percentiles ---------------------------------------------------


def _window_results(ref_index: int, at: datetime, **values: float) -> list[dict[str, Any]]:
    return [_result(f"w{ref_index}_{stat}", [(at, value)]) for stat, value in values.items()]


def test_window_percentiles_are_one_period_over_the_window(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, probe = stubbed
    sent = _sent(backend)
    now = datetime(2026, 12, 3, 12, 34, 56, tzinfo=UTC)
    start = now - timedelta(minutes=30)
    plan_start = datetime(2026, 12, 3, 12, 4, tzinfo=UTC)
    data.add_response(
        "get_metric_data",
        {"MetricDataResults": _window_results(0, plan_start, samplecount=40.0, average=12_000.0)},
    )
    probe.add_response("get_metric_data", {"MetricDataResults": [_result("probe", [])]})
    data.add_response(
        "get_metric_data",
        {"MetricDataResults": _window_results(0, plan_start, p50=10_000.0, p99=45_000.0)},
    )
    batch = backend.cloudwatch.window_latency([CANARY], start, now, now)
    assert batch.percentiles_available and batch.api_calls == 3
    canary = batch.variants[CANARY]
    assert canary.p99 is not None and canary.p99.value == pytest.approx(45.0)
    assert canary.p50 is not None and canary.p50.value == pytest.approx(10.0)
    assert canary.samples == 40.0 and canary.average_ms == pytest.approx(12.0)
    stats = [query["MetricStat"] for query in sent[-1]["MetricDataQueries"]]
    assert [stat["Stat"] for stat in stats] == ["p50", "p99"]
    assert {stat["Period"] for stat in stats} == {31 * 60}
    assert (sent[-1]["StartTime"], sent[-1]["EndTime"]) == (
        plan_start,
        plan_start + timedelta(minutes=31),
    )

    # Known to work now: every statistic in the one call.
    data.add_response(
        "get_metric_data",
        {
            "MetricDataResults": _window_results(
                0, plan_start, samplecount=40.0, average=12_000.0, p50=9_000.0, p99=50_000.0
            )
        },
    )
    again = backend.cloudwatch.window_latency([CANARY], start, now, now)
    assert again.api_calls == 1
    p99 = again.variants[CANARY].p99
    assert p99 is not None and p99.value == pytest.approx(50.0)


def test_a_window_beyond_one_period_gives_percentile_bounds(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, probe = stubbed
    sent = _sent(backend)
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    start = now - timedelta(days=2)
    day = timedelta(days=1)
    results = [
        _result("w0_samplecount", [(start, 100.0), (start + day, 300.0)]),
        _result("w0_average", [(start, 10_000.0), (start + day, 30_000.0)]),
    ]
    data.add_response("get_metric_data", {"MetricDataResults": results})
    probe.add_response("get_metric_data", {"MetricDataResults": []})
    data.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                _result("w0_p50", [(start, 9_000.0), (start + day, 25_000.0)]),
                _result("w0_p99", [(start, 40_000.0), (start + day, 70_000.0)]),
            ]
        },
    )
    batch = backend.cloudwatch.window_latency([CANARY], start, now, now)
    assert (batch.plan.chunks, batch.plan.period_seconds) == (2, 86_400)
    assert {q["MetricStat"]["Period"] for q in sent[0]["MetricDataQueries"]} == {86_400}
    canary = batch.variants[CANARY]
    assert canary.average_ms == pytest.approx((100 * 10 + 300 * 30) / 400)
    assert canary.p99 is not None and canary.p99.value is None
    assert (canary.p99.low, canary.p99.high) == pytest.approx((40.0, 70.0))


def test_window_latency_with_partial_data_is_unknown(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, _ = stubbed
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    results = [
        _with_status(_result("w0_samplecount", []), "PartialData"),
        _result("w0_average", []),
    ]
    data.add_response("get_metric_data", {"MetricDataResults": results})
    batch = backend.cloudwatch.window_latency(
        [VariantRef("e", "v")], now - timedelta(minutes=10), now, now
    )
    latency = batch.variants[VariantRef("e", "v")]
    assert not latency.complete and latency.status is DataStatus.PARTIAL_DATA
    assert latency.samples is None and latency.average_ms is None
    assert batch.api_calls == 1  # no probe without known samples

"""CloudWatchGateway: per-variant metrics from moto, call counts, paging and percentile probing."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.cloudwatch import MAX_QUERIES_PER_CALL, aligned_to_period
from canary_tui.aws.errors import ServiceUnavailable, Throttled, ValidationFailed
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.domain.metrics import BASE_METRICS, MetricKey, VariantRef, aligned_window
from tests.aws import faults as f
from tests.aws.faults import FaultInjector
from tests.conftest import REGION

PERIOD = 60
CANARY = VariantRef("existing-endpoint-name", "new-model")
BASELINE = VariantRef("existing-endpoint-name", "current-model")


def _window(minutes: int = 10) -> tuple[datetime, datetime]:
    return aligned_window(datetime.now(UTC), timedelta(minutes=minutes), PERIOD)


def _publish(
    cloudwatch_client: Any, ref: VariantRef, metric: str, at: datetime, values: list[float]
) -> None:
    cloudwatch_client.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [
                    {"Name": "EndpointName", "Value": ref.endpoint},
                    {"Name": "VariantName", "Value": ref.variant},
                ],
                "Timestamp": at,
                "Value": value,
            }
            for value in values
        ],
    )


@pytest.fixture
def counted_backend(moto_url: str, faults: FaultInjector) -> Backend:
    """Standard retries on (4 attempts), as in production: to show what the probe does not do."""
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=4),
        on_client_created=faults,
    )
    return build_backend(clients)


def test_published_metrics_come_back_per_variant_scaled(
    faulty_backend: Backend, faults: FaultInjector, cloudwatch_client: Any
) -> None:
    start, end = _window()
    minute = start + timedelta(minutes=7)
    _publish(cloudwatch_client, BASELINE, "Invocations", minute + timedelta(seconds=5), [600, 300])
    _publish(cloudwatch_client, CANARY, "Invocations", minute + timedelta(seconds=5), [100])
    _publish(cloudwatch_client, CANARY, "Invocation5XXErrors", minute, [4])
    _publish(cloudwatch_client, CANARY, "ModelLatency", minute, [20_000, 40_000])  # µs
    _publish(cloudwatch_client, CANARY, "OverheadLatency", minute, [1_500])

    batch = faulty_backend.cloudwatch.fetch([BASELINE, CANARY], start, end, PERIOD)

    assert (batch.start, batch.end) == (start, end)
    assert batch.variants[BASELINE].get(MetricKey.INVOCATIONS).points == ((minute, 900.0),)
    canary = batch.variants[CANARY]
    assert canary.get(MetricKey.INVOCATIONS).total() == 100
    assert canary.get(MetricKey.ERRORS_5XX).points == ((minute, 4.0),)
    assert canary.get(MetricKey.ERRORS_4XX).points == ()
    assert canary.get(MetricKey.MODEL_LATENCY_AVG).points == ((minute, pytest.approx(30.0)),)
    assert canary.get(MetricKey.OVERHEAD_LATENCY_AVG).latest == pytest.approx(1.5)
    assert batch.variants[BASELINE].get(MetricKey.MODEL_LATENCY_AVG).points == ()
    # moto cannot do percentiles: they are absent, never made up.
    assert batch.percentiles_available is False
    assert faulty_backend.cloudwatch.percentiles_available is False
    assert canary.get(MetricKey.MODEL_LATENCY_P99).points == ()
    assert MetricKey.MODEL_LATENCY_P50 not in canary.series


def test_unaligned_window_is_widened_to_whole_periods(
    faulty_backend: Backend, cloudwatch_client: Any
) -> None:
    start, end = _window()
    _publish(cloudwatch_client, CANARY, "Invocations", start + timedelta(seconds=90), [5])
    _publish(cloudwatch_client, CANARY, "Invocations", start + timedelta(seconds=100), [7])
    # Ask from 20 s into the first period to 10 s before the end of the last one.
    batch = faulty_backend.cloudwatch.fetch(
        [CANARY], start + timedelta(seconds=20), end - timedelta(seconds=10), PERIOD
    )
    assert (batch.start, batch.end) == (start, end)
    points = batch.variants[CANARY].get(MetricKey.INVOCATIONS).points
    # One datapoint, on the period boundary, with both values: not split by a shifted grid.
    assert points == ((start + timedelta(seconds=60), 12.0),)


def test_aligned_to_period() -> None:
    moment = datetime(2026, 11, 25, 9, 30, 17, tzinfo=UTC)
    assert aligned_to_period(moment, moment + timedelta(minutes=5), 60) == (
        datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        datetime(2026, 11, 25, 9, 36, tzinfo=UTC),
    )
    # Already aligned: unchanged. Naive datetimes are UTC.
    naive = datetime(2026, 11, 25, 9, 0)
    assert aligned_to_period(naive, naive + timedelta(hours=1), 300) == (
        naive.replace(tzinfo=UTC),
        naive.replace(tzinfo=UTC) + timedelta(hours=1),
    )
    # An empty window still covers one period.
    assert aligned_to_period(moment, moment, 60)[1] - aligned_to_period(moment, moment, 60)[
        0
    ] == timedelta(minutes=1)


@pytest.mark.parametrize("period", [0, 7, 45, 90, -60])
def test_period_cloudwatch_cannot_use_is_refused(faulty_backend: Backend, period: int) -> None:
    start, end = _window()
    with pytest.raises(ValidationFailed, match="multiple of 60"):
        faulty_backend.cloudwatch.fetch([CANARY], start, end, period)


# The most variants whose queries fit one call, and one more.
_PER_CALL = MAX_QUERIES_PER_CALL // len(BASE_METRICS)


@pytest.mark.parametrize(("variant_count", "expected_calls"), [(_PER_CALL, 1), (_PER_CALL + 1, 2)])
def test_queries_are_split_into_calls_of_500(
    faulty_backend: Backend, faults: FaultInjector, variant_count: int, expected_calls: int
) -> None:
    refs = [VariantRef(f"endpoint-{index}", "v") for index in range(variant_count)]
    start, end = _window()
    batch = faulty_backend.cloudwatch.fetch(refs, start, end, PERIOD)
    query_count = variant_count * len(BASE_METRICS)
    assert expected_calls == math.ceil(query_count / MAX_QUERIES_PER_CALL)
    assert faults.calls["cloudwatch.GetMetricData"] == expected_calls
    assert batch.api_calls == expected_calls
    sent = [p for op, p in faults.requests if op == "cloudwatch.GetMetricData"]
    assert [len(p["MetricDataQueries"]) for p in sent] == (
        [500, query_count - 500] if expected_calls == 2 else [query_count]
    )
    assert set(batch.variants) == set(refs)


def test_a_variant_asked_for_twice_is_queried_once(
    faulty_backend: Backend, faults: FaultInjector
) -> None:
    start, end = _window()
    batch = faulty_backend.cloudwatch.fetch([CANARY, BASELINE, CANARY], start, end, PERIOD)
    sent = [p for op, p in faults.requests if op == "cloudwatch.GetMetricData"]
    assert len(sent[0]["MetricDataQueries"]) == 2 * len(BASE_METRICS)
    assert set(batch.variants) == {CANARY, BASELINE}


def test_no_variants_no_calls(faulty_backend: Backend, faults: FaultInjector) -> None:
    start, end = _window()
    batch = faulty_backend.cloudwatch.fetch([], start, end, PERIOD)
    assert batch.variants == {} and batch.api_calls == 0
    assert faults.calls_to("GetMetricData") == 0


def test_percentile_probe_on_moto_does_not_retry_and_is_asked_once(
    counted_backend: Backend, faults: FaultInjector, cloudwatch_client: Any
) -> None:
    start, end = _window()
    _publish(cloudwatch_client, CANARY, "ModelLatency", start + timedelta(minutes=3), [9_000])

    first = counted_backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    # The fetch, the p99 probe (HTTP 500 from moto), and the plain probe that tells
    # "no percentiles" from "CloudWatch is down". One HTTP attempt each: the probe client
    # does not retry a 500 (the data client would have tried 4 times).
    assert faults.calls["cloudwatch.GetMetricData"] == 3
    assert faults.attempts["cloudwatch.GetMetricData"] == 3
    assert first.api_calls == 3
    assert first.percentiles_available is False
    assert first.variants[CANARY].get(MetricKey.MODEL_LATENCY_AVG).latest == pytest.approx(9.0)

    faults.reset_counts()
    second = counted_backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert faults.calls["cloudwatch.GetMetricData"] == 1
    assert second.api_calls == 1
    assert second.percentiles_available is False


def test_no_probe_until_there_is_latency_data(
    faulty_backend: Backend, faults: FaultInjector, cloudwatch_client: Any
) -> None:
    # On moto a percentile query over no data succeeds; that would wrongly read as "supported".
    start, end = _window()
    batch = faulty_backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert faults.calls["cloudwatch.GetMetricData"] == 1
    assert batch.percentiles_available is False
    assert faulty_backend.cloudwatch.percentiles_available is None  # still unknown
    _publish(cloudwatch_client, CANARY, "ModelLatency", start + timedelta(minutes=2), [1_000])
    faulty_backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert faulty_backend.cloudwatch.percentiles_available is False


def test_outage_during_probe_raises_and_probes_again(
    faulty_backend: Backend, faults: FaultInjector, cloudwatch_client: Any
) -> None:
    start, end = _window()
    _publish(cloudwatch_client, CANARY, "ModelLatency", start + timedelta(minutes=1), [1_000])
    # The data call goes through; then the link drops for both probe calls.
    faults.fail("cloudwatch.GetMetricData", f.connection_refused(), after=1)
    with pytest.raises(ServiceUnavailable, match="cannot reach AWS"):
        faulty_backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert faults.calls["cloudwatch.GetMetricData"] == 3
    # An outage says nothing about percentiles: still unknown, asked again next time.
    assert faulty_backend.cloudwatch.percentiles_available is None
    faults.clear()
    batch = faulty_backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert batch.percentiles_available is False
    assert faulty_backend.cloudwatch.percentiles_available is False


def test_throttled_probe_raises_and_decides_nothing(
    faulty_backend: Backend, faults: FaultInjector, cloudwatch_client: Any
) -> None:
    start, end = _window()
    _publish(cloudwatch_client, CANARY, "ModelLatency", start + timedelta(minutes=1), [1_000])
    faults.fail("cloudwatch.GetMetricData", f.throttling("cloudwatch"), after=1, times=1)
    with pytest.raises(Throttled):
        faulty_backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert faulty_backend.cloudwatch.percentiles_available is None


# --- what moto cannot do: Stubber ----------------------------------------------------------


def _result(query_id: str, points: list[tuple[datetime, float]]) -> dict[str, Any]:
    return {
        "Id": query_id,
        "Label": query_id,
        "Timestamps": [ts for ts, _ in points],
        "Values": [value for _, value in points],
        "StatusCode": "Complete",
    }


@pytest.fixture
def stubbed(backend: Backend) -> Iterator[tuple[Backend, Stubber, Stubber]]:
    data = Stubber(backend.clients.cloudwatch)
    probe = Stubber(backend.clients.cloudwatch_probe)
    with data, probe:
        yield backend, data, probe
    data.assert_no_pending_responses()
    probe.assert_no_pending_responses()


def test_next_token_pages_are_followed_and_merged(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, _ = stubbed
    start, end = _window()
    minute_1, minute_2 = start, start + timedelta(minutes=1)
    data.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [_result("q0_invocations", [(minute_1, 10.0)])],
            "NextToken": "page-2",
        },
    )
    data.add_response(
        "get_metric_data",
        {"MetricDataResults": [_result("q0_invocations", [(minute_2, 20.0)])]},
    )
    batch = backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert batch.api_calls == 2
    assert batch.variants[CANARY].get(MetricKey.INVOCATIONS).points == (
        (minute_1, 10.0),
        (minute_2, 20.0),
    )


def test_next_token_is_sent_with_the_same_queries(backend: Backend) -> None:
    start, end = _window()
    sent: list[dict[str, Any]] = []
    client = backend.clients.cloudwatch
    client.meta.events.register(
        "before-parameter-build.cloudwatch.GetMetricData",
        lambda params, **kwargs: sent.append(dict(params)),
    )
    with Stubber(client) as data:
        data.add_response("get_metric_data", {"MetricDataResults": [], "NextToken": "t2"})
        data.add_response("get_metric_data", {"MetricDataResults": []})
        backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert "NextToken" not in sent[0]
    assert sent[1]["NextToken"] == "t2"
    assert sent[1]["MetricDataQueries"] == sent[0]["MetricDataQueries"]
    assert (sent[1]["StartTime"], sent[1]["EndTime"]) == (start, end)


def test_percentiles_when_the_backend_computes_them(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, probe = stubbed
    start, end = _window()
    minute = start + timedelta(minutes=4)
    data.add_response(
        "get_metric_data",
        {"MetricDataResults": [_result("q0_model_latency_avg", [(minute, 12_000.0)])]},
    )
    probe.add_response("get_metric_data", {"MetricDataResults": [_result("probe", [])]})
    data.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                _result("q0_model_latency_p50", [(minute, 10_000.0)]),
                _result("q0_model_latency_p99", [(minute, 45_000.0)]),
            ]
        },
    )
    batch = backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert batch.percentiles_available is True
    assert batch.api_calls == 3
    canary = batch.variants[CANARY]
    assert canary.get(MetricKey.MODEL_LATENCY_P50).latest == pytest.approx(10.0)
    assert canary.get(MetricKey.MODEL_LATENCY_P99).latest == pytest.approx(45.0)
    assert canary.get(MetricKey.MODEL_LATENCY_AVG).latest == pytest.approx(12.0)

    # From now on percentiles ride along in the one call.
    data.add_response(
        "get_metric_data",
        {"MetricDataResults": [_result("q0_model_latency_p99", [(minute, 50_000.0)])]},
    )
    again = backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert again.api_calls == 1 and again.percentiles_available is True
    assert again.variants[CANARY].get(MetricKey.MODEL_LATENCY_P99).latest == pytest.approx(50.0)


def test_a_5xx_with_percentiles_sends_the_next_fetch_back_to_probing(
    stubbed: tuple[Backend, Stubber, Stubber],
) -> None:
    backend, data, probe = stubbed
    start, end = _window()
    minute = start + timedelta(minutes=4)
    data.add_response(
        "get_metric_data",
        {"MetricDataResults": [_result("q0_model_latency_avg", [(minute, 1.0)])]},
    )
    probe.add_response("get_metric_data", {"MetricDataResults": []})
    data.add_response("get_metric_data", {"MetricDataResults": []})
    backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert backend.cloudwatch.percentiles_available is True
    data.add_client_error("get_metric_data", "InternalFailure", "boom", http_status_code=500)
    with pytest.raises(ServiceUnavailable):
        backend.cloudwatch.fetch([CANARY], start, end, PERIOD)
    assert backend.cloudwatch.percentiles_available is None

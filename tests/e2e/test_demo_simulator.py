"""The traffic simulator against moto: what it publishes is what CloudWatch then reports.

These use the shared in-process moto server (unpatched): the simulator only needs
DescribeEndpoint weights and PutMetricData, which stock moto does right.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from scipy import stats

from canary_tui.demo.seed import (
    BASELINE_VARIANT,
    CANARY_ENDPOINT,
    CANARY_VARIANT,
    DEMO_ENDPOINTS,
    SERVERLESS_ENDPOINT,
    seed_demo_account,
)
from canary_tui.demo.simulator import (
    MAX_METRIC_DATA_PER_CALL,
    NAMESPACE,
    SimulatorThread,
    TrafficSimulator,
    demo_traffic,
)

# A period boundary, so each test period is a whole minute of simulated traffic.
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PERIOD = 60


def fetch(
    cloudwatch: Any,
    endpoint: str,
    variant: str,
    metric: str,
    stat: str,
    start: datetime,
    end: datetime,
) -> dict[datetime, float]:
    response = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "q",
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [
                            {"Name": "EndpointName", "Value": endpoint},
                            {"Name": "VariantName", "Value": variant},
                        ],
                    },
                    "Period": PERIOD,
                    "Stat": stat,
                },
            }
        ],
        StartTime=start,
        EndTime=end,
    )
    result = response["MetricDataResults"][0]
    return dict(zip(result["Timestamps"], result["Values"], strict=True))


def canary_share(cloudwatch: Any, start: datetime, end: datetime) -> float:
    args = (CANARY_ENDPOINT, "Invocations", "Sum", start, end)
    canary = sum(fetch(cloudwatch, args[0], CANARY_VARIANT, *args[1:]).values())
    baseline = sum(fetch(cloudwatch, args[0], BASELINE_VARIANT, *args[1:]).values())
    return canary / (canary + baseline)


@pytest.fixture
def demo_account(sagemaker_client: Any) -> list[str]:
    return seed_demo_account(sagemaker_client)


def make_simulator(
    sagemaker_client: Any, cloudwatch_client: Any, scenario: str = "healthy", seed: int = 7
) -> TrafficSimulator:
    return TrafficSimulator(
        sagemaker_client, cloudwatch_client, traffic=demo_traffic(scenario), seed=seed
    )


def test_backfill_publishes_an_hour_for_every_variant(
    demo_account: list[str], sagemaker_client: Any, cloudwatch_client: Any
) -> None:
    simulator = make_simulator(sagemaker_client, cloudwatch_client)
    published = simulator.backfill(T0)
    assert published > 0
    # Batched: the fewest PutMetricData calls the 1000-per-call limit allows, per namespace
    # (one call carries one namespace: SageMaker's metrics, then the delayed labels).
    labels = simulator.labels_published
    assert simulator.put_calls == math.ceil(
        (published - labels) / MAX_METRIC_DATA_PER_CALL
    ) + math.ceil(labels / MAX_METRIC_DATA_PER_CALL)
    start = T0 - timedelta(hours=1)
    for endpoint, variants in DEMO_ENDPOINTS.items():
        # This moto is unpatched: it drops shadow variants (tests/e2e/test_demo_kinds.py
        # covers their copied traffic on the demo's own server).
        for variant in (variant for variant in variants if not variant.shadow):
            invocations = fetch(
                cloudwatch_client, endpoint, variant.name, "Invocations", "Sum", start, T0
            )
            assert invocations, f"no traffic for {endpoint}/{variant.name}"
            assert min(invocations) >= start
            if endpoint not in ("churn-batch-scorer", SERVERLESS_ENDPOINT):
                assert len(invocations) == 60
    # The batch endpoint idles between bursts: 3 busy minutes of every 15.
    batch = fetch(
        cloudwatch_client, "churn-batch-scorer", "xgb-2024", "Invocations", "Sum", start, T0
    )
    assert len(batch) == 12
    latency = fetch(
        cloudwatch_client, CANARY_ENDPOINT, BASELINE_VARIANT, "ModelLatency", "Average", start, T0
    )
    # Microseconds, like SageMaker: a ~45 ms median model averages around 48,000.
    assert 40_000 < sum(latency.values()) / len(latency) < 56_000
    overhead = fetch(
        cloudwatch_client,
        CANARY_ENDPOINT,
        BASELINE_VARIANT,
        "OverheadLatency",
        "Average",
        start,
        T0,
    )
    assert all(1_000 < value < 6_000 for value in overhead.values())


def test_serverless_cold_starts_come_from_the_simulated_traffic(
    demo_account: list[str], sagemaker_client: Any, cloudwatch_client: Any
) -> None:
    """Busy 5 minutes in 10: the variant without provisioned concurrency starts cold at the
    start of each burst (ModelSetupTime, microseconds, one sample per launch); the one with
    5 provisioned never does at this load."""
    make_simulator(sagemaker_client, cloudwatch_client).backfill(T0)
    start = T0 - timedelta(hours=1)
    args = (start, T0)
    launches = fetch(
        cloudwatch_client,
        SERVERLESS_ENDPOINT,
        "distilbert-v3",
        "ModelSetupTime",
        "SampleCount",
        *args,
    )
    setup = fetch(
        cloudwatch_client,
        SERVERLESS_ENDPOINT,
        "distilbert-v3",
        "ModelSetupTime",
        "Average",
        *args,
    )
    served = fetch(
        cloudwatch_client, SERVERLESS_ENDPOINT, "distilbert-v3", "Invocations", "Sum", *args
    )
    assert len(launches) == 6 and all(count == 1 for count in launches.values())
    for moment in launches:  # the first minute of a burst, after an idle one
        assert moment in served and moment - timedelta(minutes=1) not in served
    assert all(1_000_000 < value < 10_000_000 for value in setup.values())
    assert not fetch(
        cloudwatch_client,
        SERVERLESS_ENDPOINT,
        "distilbert-v2",
        "ModelSetupTime",
        "SampleCount",
        *args,
    )


def test_tick_publishes_the_time_since_the_last_tick(
    demo_account: list[str], sagemaker_client: Any, cloudwatch_client: Any
) -> None:
    simulator = make_simulator(sagemaker_client, cloudwatch_client)
    simulator.backfill(T0)
    assert simulator.tick(T0) == 0  # nothing new yet
    assert simulator.tick(T0 + timedelta(seconds=5)) > 0
    assert simulator.published_until == T0 + timedelta(seconds=5)
    rate = demo_traffic("healthy")[CANARY_ENDPOINT].rate_at(T0)
    next_period = fetch(
        cloudwatch_client,
        CANARY_ENDPOINT,
        BASELINE_VARIANT,
        "Invocations",
        "Sum",
        T0,
        T0 + timedelta(minutes=1),
    )
    # Five seconds of ~90 % of the endpoint's rate, in the period that has just begun.
    assert list(next_period) == [T0]
    assert next_period[T0] == pytest.approx(rate * 5 * 0.9, rel=0.3)


def test_a_weight_change_moves_the_split_within_one_period(
    demo_account: list[str], sagemaker_client: Any, cloudwatch_client: Any
) -> None:
    simulator = make_simulator(sagemaker_client, cloudwatch_client)
    simulator.backfill(T0)
    assert canary_share(cloudwatch_client, T0 - timedelta(hours=1), T0) == pytest.approx(
        0.1, abs=0.01
    )
    sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=CANARY_ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": BASELINE_VARIANT, "DesiredWeight": 0.5},
            {"VariantName": CANARY_VARIANT, "DesiredWeight": 0.5},
        ],
    )
    for second in range(5, PERIOD + 1, 5):
        simulator.tick(T0 + timedelta(seconds=second))
    next_period = (T0, T0 + timedelta(seconds=PERIOD))
    assert canary_share(cloudwatch_client, *next_period) == pytest.approx(0.5, abs=0.06)
    # History is untouched: the hour before still shows the 90/10 split.
    assert canary_share(cloudwatch_client, T0 - timedelta(minutes=5), T0) == pytest.approx(
        0.1, abs=0.03
    )


def canary_hour(
    sagemaker_client: Any, cloudwatch_client: Any, scenario: str
) -> dict[str, dict[datetime, float]]:
    requests_reset_and_seed(sagemaker_client)
    make_simulator(sagemaker_client, cloudwatch_client, scenario).backfill(T0)
    start = T0 - timedelta(hours=1)
    series = {}
    for variant in (BASELINE_VARIANT, CANARY_VARIANT):
        for metric, stat in (
            ("Invocations", "Sum"),
            ("Invocation5XXErrors", "Sum"),
            ("ModelLatency", "Average"),
        ):
            series[f"{variant}/{metric}"] = fetch(
                cloudwatch_client, CANARY_ENDPOINT, variant, metric, stat, start, T0
            )
    return series


def requests_reset_and_seed(sagemaker_client: Any) -> None:
    url = sagemaker_client.meta.endpoint_url
    requests.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()
    seed_demo_account(sagemaker_client)


def error_rate(series: dict[str, dict[datetime, float]], variant: str) -> float:
    errors = sum(series[f"{variant}/Invocation5XXErrors"].values())
    return errors / sum(series[f"{variant}/Invocations"].values())


def test_regression_shows_more_canary_errors_and_latency_than_healthy(
    sagemaker_client: Any, cloudwatch_client: Any
) -> None:
    healthy = canary_hour(sagemaker_client, cloudwatch_client, "healthy")
    regression = canary_hour(sagemaker_client, cloudwatch_client, "regression")

    assert error_rate(healthy, CANARY_VARIANT) < 0.01
    assert 0.03 < error_rate(regression, CANARY_VARIANT) < 0.05
    assert error_rate(regression, CANARY_VARIANT) > 5 * error_rate(healthy, CANARY_VARIANT)

    def latencies(series: dict[str, dict[datetime, float]], variant: str) -> list[float]:
        return list(series[f"{variant}/ModelLatency"].values())

    healthy_test = stats.mannwhitneyu(
        latencies(healthy, CANARY_VARIANT), latencies(healthy, BASELINE_VARIANT)
    )
    regression_test = stats.mannwhitneyu(
        latencies(regression, CANARY_VARIANT), latencies(regression, BASELINE_VARIANT)
    )
    assert healthy_test.pvalue > 0.01  # indistinguishable from the baseline
    assert regression_test.pvalue < 1e-6
    ratio = sum(latencies(regression, CANARY_VARIANT)) / sum(
        latencies(regression, BASELINE_VARIANT)
    )
    assert ratio == pytest.approx(1.6, abs=0.1)


def test_same_seed_same_numbers_other_seed_other_numbers(
    sagemaker_client: Any, cloudwatch_client: Any
) -> None:
    def invocations(seed: int) -> dict[datetime, float]:
        requests_reset_and_seed(sagemaker_client)
        make_simulator(sagemaker_client, cloudwatch_client, seed=seed).backfill(T0)
        return fetch(
            cloudwatch_client,
            CANARY_ENDPOINT,
            CANARY_VARIANT,
            "Invocations",
            "Sum",
            T0 - timedelta(hours=1),
            T0,
        )

    first = invocations(1)
    assert invocations(1) == first
    assert invocations(2) != first


def test_a_deleted_endpoint_gets_no_more_traffic_and_the_rest_goes_on(
    demo_account: list[str], sagemaker_client: Any, cloudwatch_client: Any
) -> None:
    simulator = make_simulator(sagemaker_client, cloudwatch_client)
    simulator.backfill(T0)
    sagemaker_client.delete_endpoint(EndpointName="fraud-scoring")
    simulator.tick(T0 + timedelta(seconds=30))
    after = (T0, T0 + timedelta(minutes=1))
    assert fetch(cloudwatch_client, "fraud-scoring", "fraud-v7", "Invocations", "Sum", *after) == {}
    assert fetch(cloudwatch_client, CANARY_ENDPOINT, BASELINE_VARIANT, "Invocations", "Sum", *after)


class SteppingClock:
    """Advances five simulated seconds per reading: ticks without waiting for real time."""

    def __init__(self, start: datetime) -> None:
        self._current = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self._current += timedelta(seconds=5)
            return self._current


@pytest.fixture
def simulator_thread(
    demo_account: list[str], sagemaker_client: Any, cloudwatch_client: Any
) -> Iterator[SimulatorThread]:
    simulator = TrafficSimulator(
        sagemaker_client,
        cloudwatch_client,
        traffic=demo_traffic("healthy"),
        seed=3,
        now=SteppingClock(T0),
    )
    simulator.backfill(T0)
    thread = SimulatorThread(simulator, interval=0.01)
    yield thread
    thread.stop()


def test_background_thread_ticks_until_stopped(simulator_thread: SimulatorThread) -> None:
    simulator = simulator_thread.simulator
    calls_after_backfill = simulator.put_calls
    simulator_thread.start()
    deadline = time.monotonic() + 10
    while simulator.put_calls < calls_after_backfill + 3 and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a condition with a deadline
    assert simulator.put_calls >= calls_after_backfill + 3
    assert simulator.published_until is not None and simulator.published_until > T0
    simulator_thread.stop()
    assert not simulator_thread.alive
    assert simulator.failed_ticks == 0

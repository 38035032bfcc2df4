"""The AWS bill of an open console, counted at the botocore level against moto (issue 6).

``tests/ui/test_refresh_budget.py`` pins one steady-state refresh at 101 endpoints. These
tests pin what the benchmarks report over time: a simulated stretch of refreshes at the
default cadence (one per 60 s metric period, the app's clock advanced a period each time)
asks CloudWatch for each metric of each variant once per period, in one GetMetricData call
per refresh, and asks SageMaker only for the list and the selected and updating endpoints.
Behaviour, not timing: the counts do not depend on the machine.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from canary_tui.aws.backend import build_backend
from canary_tui.aws.cloudwatch import MAX_QUERIES_PER_CALL
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.demo.seed import SeedVariant, create_endpoint
from canary_tui.domain.metrics import BASE_METRICS
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.refresh import INCREMENTAL_PERIODS
from tests.aws.faults import FaultInjector
from tests.conftest import REGION
from tests.ui.helpers import console, refresh_and_settle, wait_for

ENDPOINTS = 101  # two pages of ListEndpoints
VARIANTS = (
    SeedVariant("baseline", 0.8),
    SeedVariant("canary-a", 0.1),
    SeedVariant("canary-b", 0.1),
)
PERIOD = timedelta(seconds=60)
REFRESHES = 15  # a quarter of an hour at the default cadence
START = datetime(2026, 11, 25, 9, 30, 20, tzinfo=UTC)
UPDATING = "ep-010"
UPDATING_TEST_ENDPOINTS = 20


class SimulatedClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def seed(sagemaker_client: Any, count: int = ENDPOINTS) -> None:
    for index in range(count):
        create_endpoint(sagemaker_client, f"ep-{index:03}", VARIANTS)


def console_app(
    moto_url: str, faults: FaultInjector, clock: SimulatedClock, endpoints: int = ENDPOINTS
) -> CanaryApp:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=faults,
    )
    return CanaryApp(
        build_backend(clients, label="moto"),
        None,
        # poll=False: no timers; ctrl+r starts the same poll the refresh timer starts.
        ConsoleOptions(read_only=True, poll=False, region=REGION, background_batch=endpoints),
        clock=clock,
    )


def metric_requests(faults: FaultInjector, since: int) -> list[dict[str, Any]]:
    return [params for op, params in faults.requests[since:] if op == "cloudwatch.GetMetricData"]


async def test_an_hour_of_refreshes_asks_each_metric_once_per_period(
    moto_url: str, sagemaker_client: Any, tmp_path: Path
) -> None:
    seed(sagemaker_client)
    faults = FaultInjector()
    clock = SimulatedClock()
    app = console_app(moto_url, faults, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, "ep-000")
        # The background round after the first refresh describes every endpoint once.
        await wait_for(pilot, lambda: len(console(app).endpoints) == ENDPOINTS, "the list")
        await app.workers.wait_for_complete()

        calls_before = Counter(faults.calls)
        requests_before = len(faults.requests)
        for minute in range(1, REFRESHES + 1):
            clock.now = START + minute * PERIOD
            await pilot.press("ctrl+r")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
        calls = Counter(faults.calls)
        calls.subtract(calls_before)

    queries_per_refresh = len(VARIANTS) * len(BASE_METRICS)
    requests = metric_requests(faults, requests_before)
    # One GetMetricData per refresh: ceil(queries / 500) with 3 variants on screen.
    assert len(requests) == REFRESHES * math.ceil(queries_per_refresh / MAX_QUERIES_PER_CALL)
    for params in requests:
        # Each metric of each variant once...
        assert len(params["MetricDataQueries"]) == queries_per_refresh
        # ...over the last few periods only (late datapoints), never the whole window again.
        assert params["EndTime"] - params["StartTime"] <= INCREMENTAL_PERIODS * PERIOD
    # So an hour at the default cadence costs one query per metric per period per variant.
    per_variant_per_hour = sum(len(p["MetricDataQueries"]) for p in requests) / len(VARIANTS)
    per_variant_per_hour *= timedelta(hours=1) / (REFRESHES * PERIOD)
    assert per_variant_per_hour == len(BASE_METRICS) * (timedelta(hours=1) / PERIOD)

    # SageMaker: every page of the list, the selected endpoint, nothing else; configs cached.
    assert calls["sagemaker.ListEndpoints"] == REFRESHES * math.ceil(ENDPOINTS / 100)
    assert calls["sagemaker.DescribeEndpoint"] == REFRESHES
    assert calls["sagemaker.DescribeEndpointConfig"] == 0
    assert {op for op, n in calls.items() if n} == {
        "sagemaker.ListEndpoints",
        "sagemaker.DescribeEndpoint",
        "cloudwatch.GetMetricData",
    }


async def test_an_updating_endpoint_is_described_each_refresh_and_no_other(
    moto_url: str, sagemaker_client: Any, tmp_path: Path
) -> None:
    seed(sagemaker_client, UPDATING_TEST_ENDPOINTS)
    faults = FaultInjector()
    clock = SimulatedClock()

    def list_updating(response: dict[str, Any]) -> None:
        # moto never reports Updating; real SageMaker does while a change rolls through.
        for summary in response.get("Endpoints", []):
            if summary["EndpointName"] == UPDATING:
                summary["EndpointStatus"] = "Updating"

    def describe_updating(response: dict[str, Any]) -> None:
        if response.get("EndpointName") == UPDATING:
            response["EndpointStatus"] = "Updating"

    faults.rewrite("sagemaker.ListEndpoints", list_updating)
    faults.rewrite("sagemaker.DescribeEndpoint", describe_updating)
    app = console_app(moto_url, faults, clock, UPDATING_TEST_ENDPOINTS)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, "ep-000")
        await wait_for(
            pilot, lambda: len(console(app).endpoints) == UPDATING_TEST_ENDPOINTS, "the list"
        )
        await app.workers.wait_for_complete()
        assert console(app).endpoints[UPDATING].status == "Updating"

        requests_before = len(faults.requests)
        refreshes = 3
        for minute in range(1, refreshes + 1):
            clock.now = START + minute * PERIOD
            await pilot.press("ctrl+r")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

    described = Counter(
        params["EndpointName"]
        for op, params in faults.requests[requests_before:]
        if op == "sagemaker.DescribeEndpoint"
    )
    assert described == {"ep-000": refreshes, UPDATING: refreshes}
    configs = [op for op, _ in faults.requests[requests_before:] if op.endswith("Config")]
    assert configs == []

"""A serverless endpoint's cold-start metrics cost no extra call: the console's steady
refresh still makes one GetMetricData (ModelSetupTime in it, beside the variants' metrics)
and the multi-model check is one ListMetrics for the endpoint, never repeated; counted at
the botocore level against moto."""

from __future__ import annotations

from collections import Counter
from typing import Any

from canary_tui.aws.backend import build_backend
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.demo.seed import SeedVariant, create_endpoint
from canary_tui.domain.kind_metrics import KindMetric
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from tests.aws.faults import FaultInjector
from tests.conftest import REGION
from tests.ui.fakes import frozen_clock
from tests.ui.helpers import console, refresh_and_settle
from tests.ui.test_refresh_budget import calls_since


async def test_kind_metrics_ride_in_the_same_get_metric_data(
    moto_url: str, sagemaker_client: Any
) -> None:
    create_endpoint(
        sagemaker_client,
        "tc",
        [
            SeedVariant("v2", 0.9, serverless=(2048, 20, 5)),
            SeedVariant("v3", 0.1, serverless=(2048, 10, None)),
        ],
    )
    faults = FaultInjector()
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=faults,
    )
    app = CanaryApp(
        build_backend(clients, label="moto"),
        None,
        ConsoleOptions(read_only=True, poll=False, region=REGION),
        clock=frozen_clock,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "tc")
        await app.workers.wait_for_complete()
        assert faults.calls["cloudwatch.ListMetrics"] == 1
        before = Counter(faults.calls)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        steady = calls_since(faults, before)
        assert steady.get("cloudwatch.GetMetricData") == 1
        assert "cloudwatch.ListMetrics" not in steady
        sent = [p for op, p in faults.requests if op == "cloudwatch.GetMetricData"][-1]
        names = [q["MetricStat"]["Metric"]["MetricName"] for q in sent["MetricDataQueries"]]
        assert names.count("ModelSetupTime") == 4  # Average and SampleCount, two variants
        kinds = console(app).metrics.kind_series("tc")
        assert {ref.key for ref in kinds} == {KindMetric.MODEL_SETUP_AVG, KindMetric.MODEL_SETUPS}

"""What a console refresh costs in AWS calls, counted at the botocore level against moto.

The budget (issue 6): per steady-state refresh, ceil(N/100) ListEndpoints, DescribeEndpoint
for the selected (and updating) endpoints only, DescribeEndpointConfig 0 (cached), and one
GetMetricData for the selected endpoint's variants. Application Auto Scaling's limits are
read with the selected endpoint on the slow (background describe) cadence, not every refresh.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from canary_tui.aws.backend import build_backend
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.demo.seed import SeedVariant, create_endpoint
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from tests.aws.faults import FaultInjector
from tests.conftest import REGION
from tests.ui.fakes import frozen_clock
from tests.ui.helpers import console, refresh_and_settle

ENDPOINTS = 101  # two pages of ListEndpoints


def calls_since(faults: FaultInjector, before: Counter[str]) -> dict[str, int]:
    return {op: n - before.get(op, 0) for op, n in faults.calls.items() if n - before.get(op, 0)}


async def test_steady_state_refresh_stays_within_budget(
    moto_url: str, sagemaker_client: Any, tmp_path: Path
) -> None:
    for index in range(ENDPOINTS):
        create_endpoint(
            sagemaker_client,
            f"ep-{index:03}",
            [SeedVariant("baseline", 0.9), SeedVariant("canary", 0.1)],
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
        ConsoleOptions(read_only=True, poll=False, region=REGION, background_batch=ENDPOINTS),
        clock=frozen_clock,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, "ep-000")
        await app.workers.wait_for_complete()
        # The first refresh plus one background round described every endpoint once.
        assert len(console(app).endpoints) == ENDPOINTS
        assert faults.calls["sagemaker.DescribeEndpoint"] <= ENDPOINTS + 1
        # The selected endpoint's scaling limits, once (no targets: no policies to read).
        assert faults.calls["application-auto-scaling.DescribeScalableTargets"] == 1
        assert faults.calls["application-auto-scaling.DescribeScalingPolicies"] == 0

        before = Counter(faults.calls)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        steady = calls_since(faults, before)
        assert steady.get("sagemaker.ListEndpoints") == 2
        assert steady.get("sagemaker.DescribeEndpoint") == 1
        assert steady.get("sagemaker.DescribeEndpointConfig", 0) == 0
        assert steady.get("cloudwatch.GetMetricData") == 1
        assert set(steady) <= {
            "sagemaker.ListEndpoints",
            "sagemaker.DescribeEndpoint",
            "cloudwatch.GetMetricData",
        }

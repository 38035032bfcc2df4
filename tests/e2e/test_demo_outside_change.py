"""A weight change made outside canary-tui (as `aws sagemaker
update-endpoint-weights-and-capacities` makes it) against the headless demo: `verdict` says
so and judges the traffic split from the change on, instead of failing a healthy canary on
the hour of the old split (it said `traffic_split FAIL 11.4% observed vs 30.0%`, exit 3)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest

from canary_tui.demo.seed import CANARY_ENDPOINT
from tests.e2e.test_demo_accuracy import headless
from tests.e2e.test_demo_cli import CLI

__all__ = ["headless"]


@pytest.mark.parametrize("headless", ["healthy"], indirect=True)
def test_an_outside_change_is_named_and_the_split_is_judged_from_it(
    headless: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    _, shell = headless
    environment = {**shell, "XDG_DATA_HOME": str(tmp_path)}  # this test's own audit log
    # Our own change first (audited), as in the report: then someone else's.
    ours = subprocess.run(
        [*CLI, "set-weights", CANARY_ENDPOINT, "current-model=0.85", "new-model=0.15", "--yes"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ours.returncode == 0, ours.stderr
    sagemaker = boto3.client(
        "sagemaker",
        region_name=environment["AWS_REGION"],
        endpoint_url=environment["AWS_ENDPOINT_URL"],
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
    )
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=CANARY_ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": "current-model", "DesiredWeight": 0.7},
            {"VariantName": "new-model", "DesiredWeight": 0.3},
        ],
    )
    result = subprocess.run(
        [*CLI, "verdict", CANARY_ENDPOINT, "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    verdict = json.loads(result.stdout)
    notes = " ".join(verdict["notes"])
    assert "changed outside canary-tui" in notes, notes
    checks = {check["name"]: check for check in verdict["canaries"][0]["checks"]}
    assert checks["traffic_split"]["outcome"] != "FAIL", checks["traffic_split"]
    assert result.returncode != 3 or any(
        check["outcome"] == "FAIL" and name != "traffic_split" for name, check in checks.items()
    )
    # Who made it (issue 17): the demo server keeps a CloudTrail Event history (moto has
    # none). Only the call without canary-tui's user agent is "outside".
    who = subprocess.run(
        [*CLI, "who-changed", CANARY_ENDPOINT, "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert who.returncode == 0, who.stderr
    changes = json.loads(who.stdout)["changes"]
    assert [change["weights"] for change in changes] == [{"current-model": 0.7, "new-model": 0.3}]
    assert changes[0]["caller"] == "arn:aws:sts::123456789012:user/moto"
    every = subprocess.run(
        [*CLI, "who-changed", CANARY_ENDPOINT, "--all", "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    mine = [change for change in json.loads(every.stdout)["changes"] if change["by_canary_tui"]]
    assert [change["weights"]["new-model"] for change in mine] == [0.15]

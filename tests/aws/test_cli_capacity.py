"""The CLI's capacity checks against moto: min..max refusals (exit 2, nothing sent), the load
per instance now -> after in the plan, and unreadable scaling limits as a warning only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from canary_tui.aws.autoscaling import DIMENSION, resource_id
from canary_tui.aws.backend import Backend
from tests.aws import faults as f
from tests.aws.faults import FaultInjector
from tests.conftest import REGION

UPDATE = "sagemaker.UpdateEndpointWeightsAndCapacities"


def _run_main(args: list[str]) -> int:
    from canary_tui.cli.main import main

    try:
        return main(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.fixture
def cli_backend(
    faulty_backend: Backend, monkeypatch: pytest.MonkeyPatch, canary_endpoint: str
) -> Backend:
    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: faulty_backend)
    return faulty_backend


@pytest.fixture
def limits_1_to_4(moto_url: str, canary_endpoint: str) -> None:
    client = boto3.client("application-autoscaling", region_name=REGION, endpoint_url=moto_url)
    for variant in ("current-model", "new-model"):
        client.register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId=resource_id(canary_endpoint, variant),
            ScalableDimension=DIMENSION,
            MinCapacity=1,
            MaxCapacity=4,
        )
    client.put_scaling_policy(
        PolicyName="invocations-70",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id(canary_endpoint, "new-model"),
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
        },
    )


def _publish_traffic(cloudwatch_client: Any, endpoint: str, per_minute: dict[str, float]) -> None:
    """Invocations for the last ten complete minutes, as SageMaker publishes them."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    data = [
        {
            "MetricName": "Invocations",
            "Dimensions": [
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": variant},
            ],
            "Timestamp": now - timedelta(minutes=minutes),
            "Value": value,
            "Unit": "None",
        }
        for variant, value in per_minute.items()
        for minutes in range(1, 11)
    ]
    cloudwatch_client.put_metric_data(Namespace="AWS/SageMaker", MetricData=data)


def test_count_above_max_exits_2_and_sends_nothing(
    cli_backend: Backend,
    faults: FaultInjector,
    limits_1_to_4: None,
    canary_endpoint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sagemaker_client: Any,
) -> None:
    audit = tmp_path / "audit.jsonl"
    code = _run_main(
        ["set-capacity", canary_endpoint, "new-model", "5", "--yes", "--audit-log", str(audit)]
    )
    captured = capsys.readouterr()
    assert code == 2
    err = captured.err.strip().splitlines()
    assert len(err) == 1
    assert "5 instance(s) is outside new-model's scaling limits 1..4" in err[0]
    assert err[0].endswith("nothing was sent")
    assert faults.calls[UPDATE] == 0
    assert not audit.exists() or audit.read_text() == ""
    variants = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)[
        "ProductionVariants"
    ]
    assert {v["VariantName"]: v["DesiredInstanceCount"] for v in variants}["new-model"] == 1


def test_count_in_range_warns_that_the_policy_may_override_it(
    cli_backend: Backend,
    faults: FaultInjector,
    limits_1_to_4: None,
    canary_endpoint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = _run_main(["set-capacity", canary_endpoint, "new-model", "3", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "warning: scaling policy invocations-70 on new-model may override this count" in out
    assert faults.calls[UPDATE] == 0


def test_the_plan_shows_load_per_instance_now_and_after_and_warns_at_100(
    cli_backend: Backend,
    faults: FaultInjector,
    limits_1_to_4: None,
    canary_endpoint: str,
    cloudwatch_client: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 2 baseline instances at 900 req/min, 1 canary instance at 100: the seed's shape.
    _publish_traffic(cloudwatch_client, canary_endpoint, {"current-model": 900, "new-model": 100})
    code = _run_main(["promote", canary_endpoint, "new-model", "--dry-run"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out if line.startswith(("current", "new"))}
    # variant, weights/traffic rows come first; the capacity table repeats the names.
    capacity = [line.split() for line in out if "->" in line and "instance" not in line]
    assert ["current-model", "2", "->", "2", "1-4", "450", "0"] in capacity
    assert ["new-model", "1", "->", "1", "1-4", "100", "1,000"] in capacity
    assert rows  # the weights table is still there
    warnings = [line for line in out if line.startswith("warning:")]
    assert len(warnings) == 1 and "new-model would carry 1,000 req/min per instance" in warnings[0]
    assert faults.calls["cloudwatch.GetMetricData"] == 1
    assert faults.calls[UPDATE] == 0


def test_unreadable_scaling_limits_warn_and_the_change_goes_ahead(
    cli_backend: Backend,
    faults: FaultInjector,
    canary_endpoint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults.fail(
        "DescribeScalableTargets",
        f.access_denied("application-autoscaling:DescribeScalableTargets"),
    )
    audit = tmp_path / "audit.jsonl"
    code = _run_main(
        ["set-capacity", canary_endpoint, "new-model", "40", "--yes", "--audit-log", str(audit)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "warning: scaling limits not readable" in out
    assert faults.calls[UPDATE] == 1


def test_metrics_that_cannot_be_read_leave_the_numbers_unknown(
    cli_backend: Backend,
    faults: FaultInjector,
    canary_endpoint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults.fail("GetMetricData", f.access_denied("cloudwatch:GetMetricData"))
    code = _run_main(["promote", canary_endpoint, "new-model", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "note: requests per instance unknown: access denied" in out
    rows = [line.split() for line in out.splitlines() if "->" in line]
    assert ["new-model", "1", "->", "1", "-", "-", "-"] in rows
    assert not [line for line in out.splitlines() if line.startswith("warning: new-model")]


def test_the_ramp_plan_shows_load_per_instance_per_step_and_warns_at_the_big_steps(
    faulty_backend: Backend,
    faults: FaultInjector,
    limits_1_to_4: None,
    canary_endpoint: str,
    cloudwatch_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("canary_tui.cli.ramp.backend_from_args", lambda args: faulty_backend)
    _publish_traffic(cloudwatch_client, canary_endpoint, {"current-model": 900, "new-model": 100})
    audit = tmp_path / "audit.jsonl"
    ramp = ["ramp", canary_endpoint, "--canary", "new-model", "--steps", "25,50,100"]
    code = _run_main([*ramp, "--audit-log", str(audit)])
    out = capsys.readouterr().out.splitlines()
    assert code == 2  # no terminal and no --yes: the plan is shown, nothing is sent
    start = out.index(
        "req/min per instance (current-model x2, new-model x1; last 5 complete periods):"
    )
    table = [line.split() for line in out[start + 2 : start + 6]]
    assert table == [
        ["now", "450", "100"],
        ["step", "1", "375", "250"],
        ["step", "2", "250", "500"],
        ["step", "3", "0", "1,000"],
    ]
    warnings = [line for line in out if line.startswith("warning:")]
    assert [w.split(":")[1].strip() for w in warnings] == ["step 2 (50%)", "step 3 (100%)"]
    assert "new-model would carry 1,000 req/min per instance on 1 instance(s)" in warnings[1]
    assert faults.calls[UPDATE] == 0

"""CloudWatchGateway.alarm_states against moto: states as set, missing names reported."""

from __future__ import annotations

from typing import Any

from canary_tui.aws.backend import Backend
from canary_tui.aws.cloudwatch import ALARM_MISSING


def put_alarm(cloudwatch_client: Any, name: str) -> None:
    cloudwatch_client.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Dimensions=[
            {"Name": "EndpointName", "Value": "existing-endpoint-name"},
            {"Name": "VariantName", "Value": "new-model"},
        ],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=10,
        ComparisonOperator="GreaterThanThreshold",
    )


def test_alarm_states_reports_each_state_and_missing_names(
    backend: Backend, cloudwatch_client: Any
) -> None:
    for name in ("canary-5xx", "canary-latency", "unrelated"):
        put_alarm(cloudwatch_client, name)
    cloudwatch_client.set_alarm_state(
        AlarmName="canary-5xx", StateValue="ALARM", StateReason="test"
    )
    cloudwatch_client.set_alarm_state(
        AlarmName="canary-latency", StateValue="OK", StateReason="test"
    )

    states = backend.cloudwatch.alarm_states(["canary-5xx", "canary-latency", "typo-alarm"])

    assert states == {"canary-5xx": "ALARM", "canary-latency": "OK", "typo-alarm": ALARM_MISSING}


def test_alarm_states_handles_more_names_than_one_request_takes(
    backend: Backend, cloudwatch_client: Any
) -> None:
    names = [f"alarm-{index:03d}" for index in range(120)]
    for name in names[::10]:
        put_alarm(cloudwatch_client, name)
        cloudwatch_client.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test")

    states = backend.cloudwatch.alarm_states(names)

    assert list(states) == names
    assert {name for name, state in states.items() if state == "OK"} == set(names[::10])
    assert sum(state == ALARM_MISSING for state in states.values()) == 108


def test_no_names_means_no_call(backend: Backend) -> None:
    assert backend.cloudwatch.alarm_states([]) == {}

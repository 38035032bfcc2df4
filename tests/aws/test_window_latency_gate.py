"""Wiring of the latency gate's window p99 (issue 14): a ramp step's verdict asks the
gateway for one p99 per variant over the step when the backend computes percentiles, and
not at all when it does not (moto: the average, as before, no extra call)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.aws.cloudwatch import CloudWatchGateway
from canary_tui.changes import ChangeService
from canary_tui.domain.ramp import RampPlan, RampState
from canary_tui.domain.window_latency import (
    WindowLatency,
    WindowLatencyBatch,
    WindowPercentile,
    plan_window,
)
from canary_tui.ramp_actions import RampActions
from canary_tui.ramp_control import RampSettings
from tests.aws.test_quality_metrics import BASELINE, CANARY, ENDPOINT
from tests.ramp_helpers import FakeClock


class PercentileGateway(CloudWatchGateway):
    """moto's gateway, but saying percentiles exist and answering the window's p99s."""

    def __init__(self, inner: CloudWatchGateway, p99: dict[str, float]) -> None:
        self.__dict__.update(inner.__dict__)
        self.p99 = p99
        self.asked: list[tuple[datetime, datetime]] = []

    def fetch(self, *args: Any, **kwargs: Any) -> Any:
        return replace(super().fetch(*args, **kwargs), percentiles_available=True)

    def window_latency(  # type: ignore[override]
        self, refs: Any, start: datetime, end: datetime, now: datetime | None = None
    ) -> WindowLatencyBatch:
        self.asked.append((start, end))
        plan = plan_window(start, end, now or end)
        variants = {
            ref: WindowLatency(
                ref,
                500.0,
                45.0,
                WindowPercentile(40.0, 40.0, 1),
                WindowPercentile(self.p99[ref.variant], self.p99[ref.variant], 1),
                True,
            )
            for ref in refs
        }
        return WindowLatencyBatch(plan, variants, True, 1)


def _publish_latency(cloudwatch_client: Any, start: datetime, minutes: int) -> None:
    for ref, latency in ((BASELINE, 45.0), (CANARY, 60.0)):
        dimensions = [
            {"Name": "EndpointName", "Value": ref.endpoint},
            {"Name": "VariantName", "Value": ref.variant},
        ]
        data = []
        for index in range(minutes):
            at = start + timedelta(minutes=index)
            requests = 900.0 if ref is BASELINE else 100.0
            data.append(
                {
                    "MetricName": "Invocations",
                    "Dimensions": dimensions,
                    "Timestamp": at,
                    "Value": requests,
                }
            )
            data.append(
                {
                    "MetricName": "ModelLatency",
                    "Dimensions": dimensions,
                    "Timestamp": at,
                    "Value": (latency + (index % 3)) * 1000.0,
                }
            )
        cloudwatch_client.put_metric_data(Namespace="AWS/SageMaker", MetricData=data)


def _step_verdict(backend: Backend, tmp_path: Any, applied: datetime) -> Any:
    plan = RampPlan(endpoint=ENDPOINT, canary=CANARY.variant, bake_seconds=600)
    state = replace(
        RampState.start(plan, {"current-model": 0.9, "new-model": 0.1}, applied),
        step_applied_at=applied,
    )
    changes = ChangeService(backend, AuditLog(tmp_path / "audit.jsonl"), "ramp")
    now = datetime.now(UTC)
    actions = RampActions(backend, changes, FakeClock(now), RampSettings(), lambda *_: None)
    return actions.compute_verdict(state, now, interim=False)


def test_a_step_judges_latency_on_the_window_p99_where_there_are_percentiles(
    backend: Backend, canary_endpoint: str, cloudwatch_client: Any, tmp_path: Any
) -> None:
    applied = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)
    _publish_latency(cloudwatch_client, applied, 20)
    without = _step_verdict(backend, tmp_path, applied)
    assert without.canary(CANARY.variant).check("latency").numbers["p99_source"] == "none (average)"

    gateway = PercentileGateway(backend.cloudwatch, {"current-model": 100.0, "new-model": 160.0})
    with_window = replace(backend, cloudwatch=gateway)
    verdict = _step_verdict(with_window, tmp_path, applied)
    latency = verdict.canary(CANARY.variant).check("latency")
    assert latency.numbers["p99_source"] == "window" and latency.numbers["ratio"] == 1.6
    assert latency.outcome.value == "FAIL", latency.reason
    assert len(gateway.asked) == 1 and gateway.asked[0][0] == applied  # the step, not before

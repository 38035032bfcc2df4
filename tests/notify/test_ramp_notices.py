"""A ramp against moto (fake clock, the demo's simulator) tells its webhook what happened:
started, each step passed, or the verdict that turned FAIL and the rollback, with the why."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeService
from canary_tui.demo.simulator import TrafficSimulator, demo_traffic
from canary_tui.domain.ramp import Phase, RampPlan
from canary_tui.notify.hub import Hub, installed
from canary_tui.notify.targets import EventKind, Webhook
from canary_tui.ramp import RampRunner, RampSettings, RampStore
from tests.ramp_helpers import FakeClock

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Recorder:
    """A transport that answers 200 and keeps every body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, url: str, payload: bytes, timeout: float) -> tuple[int, Mapping[str, str]]:
        with self.lock:
            self.bodies.append(json.loads(payload))
        return 200, {}


def run_ramp(
    scenario: str,
    backend: Backend,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    tmp_path: Path,
) -> tuple[Phase, list[dict[str, Any]]]:
    clock = FakeClock(T0)
    simulator = TrafficSimulator(
        sagemaker_client, cloudwatch_client, traffic=demo_traffic(scenario), seed=7, now=clock.now
    )
    simulator.backfill(T0, timedelta(minutes=30))
    clock.hooks.append(simulator.tick)
    audit = AuditLog(tmp_path / "audit.jsonl")
    runner = RampRunner(
        backend,
        ChangeService(backend, audit, "ramp"),
        RampStore.next_to(audit.path),
        clock=clock,
        settings=RampSettings(poll_seconds=60, period_seconds=60),
    )
    recorder = Recorder()
    events = frozenset(EventKind) - {EventKind.CHANGE_APPLIED}
    hook = Webhook(url="https://hooks.example/x", events=events)
    with installed(Hub([hook], transport=recorder)):
        plan = RampPlan("existing-endpoint-name", "new-model", steps=(10.0, 50.0, 100.0))
        final = runner.run(runner.start(plan))
    return final.phase, recorder.bodies


def test_a_healthy_ramp_says_started_and_each_step(
    backend: Backend,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    canary_endpoint: str,
    tmp_path: Path,
) -> None:
    phase, bodies = run_ramp("healthy", backend, sagemaker_client, cloudwatch_client, tmp_path)
    assert phase is Phase.DONE
    assert [body["event"] for body in bodies] == [
        "ramp.started",
        "ramp.step_passed",
        "ramp.step_passed",
        "ramp.step_passed",
    ]
    started, first, _, done = bodies
    assert started["traffic_percent_after"] == {"current-model": 90.0, "new-model": 10.0}
    assert first["traffic_percent_after"] == {"current-model": 50.0, "new-model": 50.0}
    assert done["summary"] == "ramp done on existing-endpoint-name: new-model at 100%"
    assert all(body["account"] == "123456789012" for body in bodies)


def test_a_regression_says_verdict_fail_and_rolled_back_with_why(
    backend: Backend,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    canary_endpoint: str,
    tmp_path: Path,
) -> None:
    phase, bodies = run_ramp("regression", backend, sagemaker_client, cloudwatch_client, tmp_path)
    assert phase is Phase.ROLLED_BACK
    assert [body["event"] for body in bodies] == [
        "ramp.started",
        "verdict.failed",
        "ramp.rolled_back",
    ]
    _, failed, rolled_back = bodies
    why = {reason["check"]: reason for reason in failed["why"]}
    assert "errors_5xx" in why, failed["why"]
    five = why["errors_5xx"]
    assert five["variant"] == "new-model" and five["test"] and five["p_value_text"]
    assert five["canary"].endswith("%") and five["baseline"].endswith("%")
    assert five["p_value_text"] != "0"
    assert rolled_back["traffic_percent_after"] == {"current-model": 100.0, "new-model": 0.0}
    assert "errors_5xx" in {reason["check"] for reason in rolled_back["why"]}

"""Ramps against moto, driven by a fake clock, with the demo simulator publishing traffic.

Every change goes through the real ChangeService and audit log, so "weights back on the
baseline" below is what DescribeEndpoint says, not what the runner believes.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeService
from canary_tui.demo.simulator import TrafficSimulator, demo_traffic
from canary_tui.domain.ramp import Abort, Phase, RampPlan, RampPlanError
from canary_tui.domain.verdict import VerdictThresholds
from canary_tui.ramp import (
    RampBusy,
    RampControl,
    RampProgress,
    RampRollbackFailed,
    RampRunner,
    RampSettings,
    RampStore,
)
from tests.aws.faults import FaultInjector, internal_error
from tests.ramp_helpers import FakeClock

ENDPOINT = "existing-endpoint-name"
CANARY = "new-model"
BASELINE = "current-model"
# A period boundary: the verdict windows then hold whole minutes of simulated traffic.
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


class Harness:
    """Backend, audit log, store, fake clock and simulator, wired like the CLI wires them."""

    def __init__(
        self,
        backend: Backend,
        sagemaker_client: Any,
        cloudwatch_client: Any,
        tmp_path: Path,
        scenario: str,
    ) -> None:
        self.backend = backend
        self.sagemaker_client = sagemaker_client
        self.audit = AuditLog(tmp_path / "audit.jsonl")
        self.store = RampStore.next_to(self.audit.path)
        self.clock = FakeClock(T0)
        self.control = RampControl()
        self.progress: list[RampProgress] = []
        self.simulator = TrafficSimulator(
            sagemaker_client,
            cloudwatch_client,
            traffic=demo_traffic(scenario),
            seed=7,
            now=self.clock.now,
        )
        self.simulator.backfill(T0, timedelta(minutes=30))
        self.clock.hooks.append(self.simulator.tick)
        self.settings = RampSettings(poll_seconds=60, period_seconds=60)

    def runner(self, **settings: Any) -> RampRunner:
        if settings:
            self.settings = dataclasses.replace(self.settings, **settings)
        return RampRunner(
            self.backend,
            ChangeService(self.backend, self.audit, "ramp"),
            self.store,
            clock=self.clock,
            settings=self.settings,
            control=self.control,
            on_progress=self.progress.append,
        )

    def weights(self) -> dict[str, float]:
        description = self.sagemaker_client.describe_endpoint(EndpointName=ENDPOINT)
        return {v["VariantName"]: v["DesiredWeight"] for v in description["ProductionVariants"]}

    def messages(self) -> list[str]:
        return [item.line for item in self.progress]


def plan(**overrides: Any) -> RampPlan:
    fields: dict[str, Any] = {
        "endpoint": ENDPOINT,
        "canary": CANARY,
        "steps": (10.0, 25.0, 50.0, 100.0),
        "bake_seconds": 600.0,
    }
    fields.update(overrides)
    return RampPlan(**fields)


@pytest.fixture
def make_harness(
    backend: Backend,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    canary_endpoint: str,
    tmp_path: Path,
) -> Any:
    def build(scenario: str = "healthy") -> Harness:
        return Harness(backend, sagemaker_client, cloudwatch_client, tmp_path, scenario)

    return build


def put_alarm(cloudwatch_client: Any, name: str) -> None:
    cloudwatch_client.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Dimensions=[
            {"Name": "EndpointName", "Value": ENDPOINT},
            {"Name": "VariantName", "Value": CANARY},
        ],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=100,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch_client.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test")


def test_healthy_canary_ramps_through_every_step_to_100_percent(make_harness: Any) -> None:
    harness = make_harness("healthy")
    runner = harness.runner()
    state = runner.start(plan())

    final = runner.run(state)

    assert final.phase is Phase.DONE, final.status_reason
    assert harness.weights() == {BASELINE: 0.0, CANARY: 1.0}
    # Each step baked at least its 10 minutes before the next one was applied.
    applied = [entry.time for entry in final.history if "baking 10m" in entry.message]
    assert len(applied) == 4
    assert all(b - a >= timedelta(minutes=10) for a, b in itertools.pairwise(applied))
    assert any("passed (verdict PASS)" in entry.message for entry in final.history)
    # Every change went through the guarded path, recorded as source "ramp". The demo's
    # canary already takes 10 %, so the first step sends nothing.
    entries = harness.audit.read().entries
    assert [e.intent.source for e in entries] == ["ramp"] * 3
    assert [round(e.intent.traffic_percent_after[CANARY]) for e in entries] == [25, 50, 100]
    assert all(e.result == "applied" for e in entries)
    # The saved state says the ramp is over, so the next start does not report it.
    assert harness.store.load(ENDPOINT) == final
    assert harness.store.in_progress() == []


def test_regression_fails_the_verdict_and_rolls_back_to_the_baseline(make_harness: Any) -> None:
    harness = make_harness("regression")
    runner = harness.runner()
    final = runner.run(runner.start(plan()))

    assert final.phase is Phase.ROLLED_BACK
    assert final.step_index == 0  # caught at the first step
    assert final.status_reason is not None and "verdict FAIL" in final.status_reason
    assert "5XX rate" in final.status_reason
    assert harness.weights() == {BASELINE: 1.0, CANARY: 0.0}
    entries = harness.audit.read().entries
    assert [round(e.intent.traffic_percent_after[CANARY]) for e in entries] == [0]
    assert entries[-1].intent.reason is not None
    assert entries[-1].intent.reason.startswith("ramp rollback: verdict FAIL")
    assert any("rolling back to current-model" in line for line in harness.messages())
    assert runner.last_verdict is not None and runner.last_verdict.outcome.value == "FAIL"


def test_alarm_during_a_bake_rolls_back_at_once(make_harness: Any, cloudwatch_client: Any) -> None:
    harness = make_harness("healthy")
    put_alarm(cloudwatch_client, "canary-5xx")
    runner = harness.runner()
    state = runner.start(plan(alarm_names=("canary-5xx",)))
    # Step 1 applied at T0 and passed at T0+10m; step 2 bakes from there.
    harness.clock.at(
        T0 + timedelta(minutes=13),
        lambda: cloudwatch_client.set_alarm_state(
            AlarmName="canary-5xx", StateValue="ALARM", StateReason="5XX spike"
        ),
    )

    final = runner.run(state)

    assert final.phase is Phase.ROLLED_BACK
    assert final.step_index == 1
    assert final.status_reason == "alarm in ALARM state: canary-5xx"
    assert harness.weights() == {BASELINE: 1.0, CANARY: 0.0}
    rollback_time = next(e.time for e in final.history if "rolling back" in e.message)
    assert rollback_time <= T0 + timedelta(minutes=14)  # within one poll, not at bake end


def test_a_missing_alarm_refuses_the_plan_before_anything_changes(make_harness: Any) -> None:
    harness = make_harness("healthy")
    with pytest.raises(RampPlanError, match="no CloudWatch alarm named typo-alarm"):
        harness.runner().start(plan(alarm_names=("typo-alarm",)))
    assert harness.weights() == {BASELINE: 0.9, CANARY: 0.1}
    assert harness.store.load(ENDPOINT) is None


def test_pause_holds_the_bake_and_resume_finishes_it(make_harness: Any) -> None:
    harness = make_harness("healthy")
    runner = harness.runner()
    state = runner.start(plan(steps=(10.0, 100.0)))
    harness.clock.at(T0 + timedelta(minutes=4), harness.control.pause)
    harness.clock.at(T0 + timedelta(minutes=30), harness.control.resume)

    final = runner.run(state)

    assert final.phase is Phase.DONE
    messages = [entry.message for entry in final.history]
    assert "paused by the operator" in messages
    assert "resumed: baking 6m more" in messages
    second_step = next(e.time for e in final.history if "next step 100%" in e.message)
    # 4 minutes baked, paused until 30, then the 6 minutes left.
    assert second_step >= T0 + timedelta(minutes=36)
    # Nothing moved while paused: one weight change only (10 % was already in effect).
    assert len(harness.audit.read().entries) == 1


def test_skip_advances_without_waiting_for_the_bake(make_harness: Any) -> None:
    harness = make_harness("healthy")
    runner = harness.runner()
    state = runner.start(plan(steps=(10.0, 50.0)))
    harness.clock.at(T0 + timedelta(minutes=1), harness.control.skip)
    harness.clock.at(T0 + timedelta(minutes=2), harness.control.skip)

    final = runner.run(state)

    assert final.phase is Phase.DONE
    assert harness.clock.now() < T0 + timedelta(minutes=5)
    assert harness.weights() == {BASELINE: 0.5, CANARY: 0.5}


def test_abort_rolls_back_and_ends_aborted(make_harness: Any) -> None:
    harness = make_harness("healthy")
    runner = harness.runner()
    state = runner.start(plan())
    harness.clock.at(T0 + timedelta(minutes=12), harness.control.abort)

    final = runner.run(state)

    assert final.phase is Phase.ABORTED
    assert final.status_reason == "aborted by the operator"
    assert harness.weights() == {BASELINE: 1.0, CANARY: 0.0}


def test_inconclusive_keeps_baking_then_holds_instead_of_advancing(make_harness: Any) -> None:
    harness = make_harness("healthy")
    # More requests than a 10 % canary gets in 30 minutes: the verdict stays INCONCLUSIVE.
    runner = harness.runner(
        thresholds=VerdictThresholds(min_requests=1_000_000), return_when_paused=True
    )
    final = runner.run(runner.start(plan(max_extra_bakes=2)))

    assert final.phase is Phase.PAUSED
    assert final.step_index == 0
    assert final.last_verdict == "INCONCLUSIVE"
    assert "need" in (final.last_verdict_reason or "")
    assert "after 2 extra bakes" in (final.status_reason or "")
    assert harness.clock.now() >= T0 + timedelta(minutes=30)
    assert harness.weights() == {BASELINE: 0.9, CANARY: 0.1}


def test_restart_resumes_a_persisted_ramp(make_harness: Any) -> None:
    harness = make_harness("healthy")
    runner = harness.runner()
    state = runner.start(plan(steps=(10.0, 25.0, 100.0)))
    # The console closes in the second bake: the runner stops, the state stays on disk.
    harness.clock.at(T0 + timedelta(minutes=13), harness.control.detach)
    left = runner.run(state)
    assert left.phase is Phase.BAKING and left.step_index == 1

    # A new process: a fresh store, runner and control find and finish it.
    store = RampStore.next_to(harness.audit.path)
    assert [s.plan.endpoint for s in store.in_progress()] == [ENDPOINT]
    with pytest.raises(RampPlanError, match=r"in progress .* use --resume"):
        harness.runner().start(plan())
    harness.control = RampControl()
    persisted = store.load(ENDPOINT)
    assert persisted == left
    final = harness.runner().run(persisted)

    assert final.phase is Phase.DONE
    assert harness.weights() == {BASELINE: 0.0, CANARY: 1.0}
    assert len(harness.audit.read().entries) == 2  # 25 % and 100 %, nothing applied twice


def test_resume_after_a_crash_between_apply_and_save_does_not_apply_twice(
    make_harness: Any,
) -> None:
    harness = make_harness("healthy")
    runner = harness.runner()
    state = runner.start(plan(steps=(25.0, 100.0)))
    # The step was sent, then the process died before recording "applied".
    harness.sagemaker_client.update_endpoint_weights_and_capacities(
        EndpointName=ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": BASELINE, "DesiredWeight": 0.75},
            {"VariantName": CANARY, "DesiredWeight": 0.25},
        ],
    )
    final = runner.run(state)
    assert final.phase is Phase.DONE
    # 25 % was already in effect: only the 100 % step was sent.
    shares = [e.intent.traffic_percent_after[CANARY] for e in harness.audit.read().entries]
    assert shares == [100.0]


def test_two_processes_cannot_drive_one_ramp(make_harness: Any) -> None:
    harness = make_harness("healthy")
    state = harness.runner().start(plan())
    with harness.store.lock(ENDPOINT), pytest.raises(RampBusy, match="another canary-tui"):
        harness.runner().run(state)


def test_a_rollback_that_fails_is_reported_loudly_at_once(
    make_harness: Any, backend: Backend
) -> None:
    harness = make_harness("regression")
    faults = FaultInjector()
    faults.install(backend.clients)
    runner = harness.runner()
    state = runner.start(plan())
    # 10 % is already in effect, so the first write is the rollback: make every write fail.
    faults.fail("sagemaker.UpdateEndpointWeightsAndCapacities", internal_error())

    with pytest.raises(RampRollbackFailed) as raised:
        runner.run(state)

    assert "could not roll existing-endpoint-name back to current-model" in raised.value.message
    assert "canary-tui rollback existing-endpoint-name --to current-model" in raised.value.message
    # Sent once: no timer of blind retries of a write whose fate AWS did not tell.
    assert faults.calls["sagemaker.UpdateEndpointWeightsAndCapacities"] == 1
    assert harness.weights() == {BASELINE: 0.9, CANARY: 0.1}
    saved = harness.store.load(ENDPOINT)
    assert saved is not None and saved.phase is Phase.ROLLING_BACK  # --resume carries on
    faults.clear()
    final = harness.runner().run(saved)
    assert final.phase is Phase.ROLLED_BACK
    assert harness.weights() == {BASELINE: 1.0, CANARY: 0.0}


def test_a_rollback_waits_for_an_updating_endpoint_then_sends_once(
    make_harness: Any, backend: Backend
) -> None:
    harness = make_harness("regression")
    faults = FaultInjector()
    faults.install(backend.clients)
    runner = harness.runner()
    state = runner.start(plan(steps=(25.0, 100.0)))
    # A scaling activity keeps the endpoint Updating for a while (reads say so, and a
    # write would be refused); the rollback reads until it settles, then sends once.
    updating = {"left": 0}

    def maybe_updating(parsed: dict[str, Any]) -> None:
        if updating["left"] > 0:
            updating["left"] -= 1
            parsed["EndpointStatus"] = "Updating"

    faults.rewrite("sagemaker.DescribeEndpoint", maybe_updating)
    state = state.on(Abort(harness.clock.now()))  # the operator aborts: roll back now
    assert state.phase is Phase.ROLLING_BACK
    updating["left"] = 5
    before = harness.clock.waited
    final = runner.run(state)
    assert final.phase is Phase.ABORTED
    assert updating["left"] == 0
    assert faults.calls["sagemaker.UpdateEndpointWeightsAndCapacities"] == 1
    assert harness.weights() == {BASELINE: 1.0, CANARY: 0.0}
    # 5, 10, 20, 40, 60 s between the reads: the backoff, in fake time.
    assert harness.clock.waited - before == pytest.approx(5 + 10 + 20 + 40 + 60)
    assert any("rollback waits for" in p.message for p in harness.progress)


def test_a_rollback_stops_at_once_when_the_endpoint_failed(
    make_harness: Any, backend: Backend
) -> None:
    harness = make_harness("regression")
    faults = FaultInjector()
    faults.install(backend.clients)
    runner = harness.runner()
    state = runner.start(plan())
    faults.rewrite(
        "sagemaker.DescribeEndpoint",
        lambda parsed: parsed.__setitem__("EndpointStatus", "UpdateRollbackFailed"),
    )
    state = state.on(Abort(harness.clock.now()))
    with pytest.raises(RampRollbackFailed, match="UpdateRollbackFailed"):
        runner.run(state)
    assert faults.calls["sagemaker.UpdateEndpointWeightsAndCapacities"] == 0


def test_state_file_is_plain_json_next_to_the_audit_log(make_harness: Any) -> None:
    harness = make_harness("healthy")
    harness.runner().start(plan())
    path = harness.audit.path.parent / "ramps" / f"{ENDPOINT}.json"
    data = json.loads(path.read_text())
    assert data["phase"] == "applying"
    assert data["baseline"] == BASELINE
    assert data["plan"]["steps"] == [10.0, 25.0, 50.0, 100.0]


def test_weights_changed_by_someone_else_hold_the_ramp_instead_of_overriding_them(
    make_harness: Any,
) -> None:
    harness = make_harness("healthy")
    runner = harness.runner(return_when_paused=True)
    state = runner.start(plan(steps=(25.0, 50.0, 100.0)))

    # A colleague rolls back by hand in the middle of the first bake.
    def colleague_rolls_back() -> None:
        harness.sagemaker_client.update_endpoint_weights_and_capacities(
            EndpointName=ENDPOINT,
            DesiredWeightsAndCapacities=[
                {"VariantName": BASELINE, "DesiredWeight": 1.0},
                {"VariantName": CANARY, "DesiredWeight": 0.0},
            ],
        )

    harness.clock.at(T0 + timedelta(minutes=3), colleague_rolls_back)
    held = runner.run(state)

    assert held.phase is Phase.PAUSED
    assert held.step_index == 0
    assert "weights changed outside the ramp: new-model is at 0.0%" in (held.status_reason or "")
    assert harness.clock.now() < T0 + timedelta(minutes=5)  # noticed at the next poll
    assert harness.weights() == {BASELINE: 1.0, CANARY: 0.0}  # the colleague's call stands
    assert len(harness.audit.read().entries) == 1  # only the ramp's own 25 %

    # A person resumes: the ramp starts the step again from the live weights.
    harness.control.resume()
    final = harness.runner(return_when_paused=False).run(held)
    assert final.phase is Phase.DONE
    assert harness.weights() == {BASELINE: 0.0, CANARY: 1.0}

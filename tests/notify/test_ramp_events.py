"""Which ramp transitions are events, and what each says: the state machine driven by its
own events, no runner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from canary_tui.domain.ramp import (
    Abort,
    Applied,
    ApplyFailed,
    Checked,
    Pause,
    RampPlan,
    RampState,
    RollbackFailed,
    RolledBack,
    Tick,
)
from canary_tui.notify.bodies import json_body
from canary_tui.notify.change_events import Where, ramp_event, ramp_transition
from canary_tui.notify.targets import EventKind

T0 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
WHERE = Where(region="eu-west-1", profile="prod", caller_arn="arn:aws:iam::111122223333:user/a")


def started() -> RampState:
    plan = RampPlan("ep", "new", steps=(10.0, 50.0), bake_seconds=60)
    return RampState.start(plan, {"old": 1.0, "new": 0.0}, T0)


def baked(state: RampState, verdict: str = "PASS") -> RampState:
    state = state.on(Applied(T0)).on(Tick(T0 + timedelta(seconds=61)))
    return state.on(Checked(T0 + timedelta(seconds=62), verdict, "reason"))


def test_start_step_and_done() -> None:
    first = started()
    assert ramp_transition(None, first) is EventKind.RAMP_STARTED
    event = ramp_event(EventKind.RAMP_STARTED, None, first, time=T0, where=WHERE)
    assert event.shares_before == {"old": 100.0, "new": 0.0}
    assert event.shares_after == {"old": 90.0, "new": 10.0}
    assert event.account == "111122223333" and event.region == "eu-west-1"
    applied = first.on(Applied(T0))
    assert ramp_transition(first, applied) is None  # a step being applied is not news
    second = baked(first)
    assert ramp_transition(applied, second) is EventKind.RAMP_STEP_PASSED
    passed = ramp_event(EventKind.RAMP_STEP_PASSED, applied, second, time=T0, where=WHERE)
    assert passed.shares_before == {"old": 90.0, "new": 10.0}
    assert passed.shares_after == {"old": 50.0, "new": 50.0}
    assert "step 1/2 passed" in passed.summary
    done = baked(second)
    assert ramp_transition(second.on(Applied(T0)), done) is EventKind.RAMP_STEP_PASSED
    final = ramp_event(EventKind.RAMP_STEP_PASSED, second, done, time=T0, where=WHERE)
    assert final.summary == "ramp done on ep: new at 50%"
    # A resumed ramp (more than its start in its history) is not started again.
    assert ramp_transition(None, second) is None


def test_held_but_not_an_operators_pause() -> None:
    first = started()
    held = first.on(ApplyFailed(T0, "AccessDenied"))
    assert ramp_transition(first, held) is EventKind.RAMP_HELD
    event = ramp_event(EventKind.RAMP_HELD, first, held, time=T0, where=WHERE)
    assert "could not apply 10%: AccessDenied" in event.summary
    assert event.reasons[0].text == held.status_reason
    baking = first.on(Applied(T0))
    assert ramp_transition(baking, baking.on(Pause(T0))) is None


def test_rolled_back_with_the_verdicts_why() -> None:
    baking = started().on(Applied(T0))
    rolling = baking.on(Checked(T0, "FAIL", "5XX rate 5% vs 0.1%", final=False))
    assert ramp_transition(baking, rolling) is EventKind.VERDICT_FAILED
    failed = rolling.on(RollbackFailed(T0, "ThrottlingException"))
    assert ramp_transition(rolling, failed) is EventKind.RAMP_ROLLBACK_FAILED
    back = failed.on(RolledBack(T0))
    assert ramp_transition(failed, back) is EventKind.RAMP_ROLLED_BACK
    event = ramp_event(EventKind.RAMP_ROLLED_BACK, failed, back, time=T0, where=WHERE)
    assert event.shares_before == {"old": 90.0, "new": 10.0}
    assert event.shares_after == {"old": 100.0, "new": 0.0}
    assert "verdict FAIL: 5XX rate 5% vs 0.1%" in event.summary
    assert json_body(event)["details"]["phase"] == "rolled_back"


def test_an_alarm_rollback_is_not_a_verdict_event_and_abort_is_rolled_back() -> None:
    baking = started().on(Applied(T0))
    rolling = baking.on(Checked(T0, "PASS", "fine", alarms={"p99": "ALARM"}, final=False))
    assert ramp_transition(baking, rolling) is None
    aborting = baking.on(Abort(T0))
    aborted = aborting.on(RolledBack(T0))
    assert ramp_transition(aborting, aborted) is EventKind.RAMP_ROLLED_BACK
    event = ramp_event(EventKind.RAMP_ROLLED_BACK, aborting, aborted, time=T0, where=WHERE)
    assert event.summary.startswith("ramp aborted on ep")

"""Ramp plans (parsing, validation) and the pure ramp state machine."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canary_tui.domain.ramp import (
    Abort,
    ActionKind,
    Applied,
    ApplyFailed,
    Checked,
    Interfered,
    Pause,
    Phase,
    RampPlan,
    RampPlanError,
    RampState,
    Resume,
    RollbackFailed,
    RolledBack,
    Skip,
    Tick,
    parse_duration,
    parse_steps,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
WEIGHTS = {"current-model": 0.9, "new-model": 0.1}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def plan(**overrides: object) -> RampPlan:
    fields: dict[str, object] = {
        "endpoint": "ep",
        "canary": "new-model",
        "steps": (10.0, 50.0, 100.0),
        "bake_seconds": 600.0,
        "alarm_names": ("canary-5xx",),
    }
    fields.update(overrides)
    return RampPlan(**fields)  # type: ignore[arg-type]


def baking_state(ramp: RampPlan | None = None) -> RampState:
    state = RampState.start(ramp or plan(), WEIGHTS, T0)
    return state.on(Applied(at(0)))


class TestParsing:
    @pytest.mark.parametrize(
        ("text", "seconds"),
        [("600", 600), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1.5h", 5400), ("1d", 86400)],
    )
    def test_durations(self, text: str, seconds: float) -> None:
        assert parse_duration(text) == seconds

    @pytest.mark.parametrize("text", ["", "ten minutes", "10x", "m10", "0", "-5m", "nan", "inf"])
    def test_bad_durations_have_a_message(self, text: str) -> None:
        with pytest.raises(RampPlanError) as raised:
            parse_duration(text)
        assert raised.value.message
        assert "\n" not in raised.value.message

    def test_steps(self) -> None:
        assert parse_steps("10,25%, 50 ,100") == (10.0, 25.0, 50.0, 100.0)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("10,,50", "empty step"),
            ("10,abc", "not a number.*'abc'"),
            ("50,25", "steps must increase"),
            ("10,10", "steps must increase"),
            ("0,50", "above 0 and at most 100"),
            ("10,150", "above 0 and at most 100"),
            ("nan", "above 0 and at most 100"),
        ],
    )
    def test_bad_steps(self, text: str, message: str) -> None:
        with pytest.raises(RampPlanError, match=message):
            parse_steps(text)


class TestPlanValidation:
    def test_defaults(self) -> None:
        ramp = RampPlan(endpoint="ep", canary="new-model")
        assert ramp.steps == (10.0, 25.0, 50.0, 100.0)
        assert "10% -> 25% -> 50% -> 100%, bake 10m per step" in ramp.describe()

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"canary": " "}, "canary variant"),
            ({"bake_seconds": 0.0}, "bake time must be above 0"),
            ({"alarm_names": ("a", "a")}, "more than once"),
            ({"alarm_names": ("",)}, "cannot be empty"),
            ({"steps": ()}, "at least one step"),
        ],
    )
    def test_invalid_plans(self, overrides: dict[str, object], message: str) -> None:
        with pytest.raises(RampPlanError, match=message):
            plan(**overrides)

    def test_baseline_is_the_heaviest_other_variant(self) -> None:
        weights = {"a": 0.5, "b": 0.3, "new-model": 0.2}
        assert plan(steps=(25.0, 100.0)).choose_baseline(weights) == "a"

    def test_unknown_canary(self) -> None:
        with pytest.raises(RampPlanError, match="has no variant 'new-model'"):
            plan().choose_baseline({"a": 1.0, "b": 0.0})

    def test_single_variant_endpoint(self) -> None:
        with pytest.raises(RampPlanError, match="nothing to ramp from"):
            plan().choose_baseline({"new-model": 1.0})

    def test_steps_that_move_traffic_back_are_refused(self) -> None:
        with pytest.raises(RampPlanError, match="would move traffic back"):
            plan(steps=(10.0, 50.0)).choose_baseline({"current-model": 0.7, "new-model": 0.3})
        with pytest.raises(RampPlanError, match="would not move it forward"):
            plan(steps=(10.0, 50.0)).choose_baseline({"current-model": 0.5, "new-model": 0.5})


class TestStateMachine:
    def test_start_applies_the_first_step(self) -> None:
        state = RampState.start(plan(), WEIGHTS, T0)
        assert state.phase is Phase.APPLYING
        assert state.baseline == "current-model"
        action = state.next_action()
        assert action.kind is ActionKind.APPLY and action.share == 10.0

    def test_applied_bakes_until_the_deadline_then_checks(self) -> None:
        state = baking_state()
        assert state.phase is Phase.BAKING
        assert state.next_action().kind is ActionKind.WAIT
        assert state.next_action().until == at(600)
        assert state.bake_left(at(100)) == 500
        assert state.on(Tick(at(599))).phase is Phase.BAKING
        checking = state.on(Tick(at(600)))
        assert checking.phase is Phase.CHECKING
        assert checking.next_action().kind is ActionKind.CHECK
        assert checking.next_action().needs_verdict is True

    def test_pass_with_alarms_ok_advances_to_the_next_step(self) -> None:
        state = baking_state().on(Tick(at(600)))
        state = state.on(Checked(at(600), "PASS", "fine", {"canary-5xx": "OK"}))
        assert state.phase is Phase.APPLYING
        assert state.step_index == 1
        assert state.next_action().share == 50.0
        # The verdict belonged to the 10 % split; the 50 % step starts without one.
        assert state.last_verdict is None
        assert "passed (verdict PASS)" in state.history[-1].message

    def test_last_step_checks_alarms_only_and_finishes(self) -> None:
        state = RampState.start(plan(steps=(100.0,)), WEIGHTS, T0).on(Applied(at(0)))
        state = state.on(Tick(at(600)))
        assert state.next_action().needs_verdict is False
        state = state.on(Checked(at(600), None, "", {"canary-5xx": "OK"}))
        assert state.phase is Phase.DONE
        assert state.is_over
        assert state.next_action().kind is ActionKind.STOP

    def test_fail_rolls_back_with_the_reason(self) -> None:
        state = baking_state().on(Tick(at(600)))
        state = state.on(Checked(at(600), "FAIL", "5XX rate 5% vs 1%", {"canary-5xx": "OK"}))
        assert state.phase is Phase.ROLLING_BACK
        action = state.next_action()
        assert action.kind is ActionKind.ROLLBACK
        assert action.reason == "verdict FAIL: 5XX rate 5% vs 1%"
        done = state.on(RolledBack(at(601)))
        assert done.phase is Phase.ROLLED_BACK
        assert "all traffic back on current-model" in done.history[-1].message

    def test_alarm_mid_bake_rolls_back_at_once(self) -> None:
        state = baking_state().on(
            Checked(at(120), "PASS", "fine", {"canary-5xx": "ALARM"}, final=False)
        )
        assert state.phase is Phase.ROLLING_BACK
        assert state.status_reason == "alarm in ALARM state: canary-5xx"

    def test_mid_bake_pass_does_not_advance(self) -> None:
        state = baking_state().on(Checked(at(120), "PASS", "fine", {"canary-5xx": "OK"}, False))
        assert state.phase is Phase.BAKING
        assert state.step_index == 0
        assert state.last_verdict == "PASS"

    def test_inconclusive_bakes_again_then_holds(self) -> None:
        state = baking_state(plan(max_extra_bakes=1)).on(Tick(at(600)))
        state = state.on(Checked(at(600), "INCONCLUSIVE", "need 500 more requests", {}))
        assert state.phase is Phase.BAKING
        assert state.bake_deadline == at(1200)
        assert state.step_applied_at == at(0)  # the verdict window keeps growing
        state = state.on(Tick(at(1200)))
        state = state.on(Checked(at(1200), "INCONCLUSIVE", "need 100 more requests", {}))
        assert state.phase is Phase.PAUSED
        assert state.step_index == 0
        assert "INCONCLUSIVE" in (state.status_reason or "")
        assert "skip to advance anyway" in (state.status_reason or "")
        assert state.next_action().kind is ActionKind.WAIT
        assert state.next_action().until is None
        # Resuming a hold gives a fresh bake.
        resumed = state.on(Resume(at(1500)))
        assert resumed.phase is Phase.BAKING
        assert resumed.bake_deadline == at(2100)

    def test_alarm_not_ok_is_not_a_pass(self) -> None:
        state = baking_state().on(Tick(at(600)))
        state = state.on(Checked(at(600), "PASS", "fine", {"canary-5xx": "INSUFFICIENT_DATA"}))
        assert state.phase is Phase.BAKING
        assert "canary-5xx INSUFFICIENT_DATA" in state.history[-1].message

    def test_pause_keeps_the_bake_time_left_and_resume_restores_it(self) -> None:
        state = baking_state().on(Pause(at(200)))
        assert state.phase is Phase.PAUSED
        assert state.bake_left(at(5000)) == 400
        assert state.on(Tick(at(5000))).phase is Phase.PAUSED
        resumed = state.on(Resume(at(1000)))
        assert resumed.phase is Phase.BAKING
        assert resumed.bake_deadline == at(1400)

    def test_skip_advances_without_a_verdict(self) -> None:
        state = baking_state().on(Skip(at(10)))
        assert state.phase is Phase.APPLYING
        assert state.step_index == 1
        assert "skipped by the operator" in state.history[-1].message

    def test_skip_on_the_last_step_finishes(self) -> None:
        state = RampState.start(plan(steps=(100.0,)), WEIGHTS, T0).on(Applied(at(0)))
        assert state.on(Skip(at(10))).phase is Phase.DONE

    def test_abort_rolls_back_and_ends_aborted(self) -> None:
        state = baking_state().on(Abort(at(10)))
        assert state.phase is Phase.ROLLING_BACK
        assert state.on(Pause(at(11))).phase is Phase.ROLLING_BACK  # nothing stops a rollback
        failed = state.on(RollbackFailed(at(12), "throttled"))
        assert failed.phase is Phase.ROLLING_BACK and failed.rollback_attempts == 1
        assert failed.on(RolledBack(at(20))).phase is Phase.ABORTED

    def test_apply_failure_holds_and_resume_applies_again(self) -> None:
        state = RampState.start(plan(), WEIGHTS, T0).on(ApplyFailed(at(1), "weights changed"))
        assert state.phase is Phase.PAUSED
        assert "could not apply 10%: weights changed" in (state.status_reason or "")
        again = state.on(Resume(at(50)))
        assert again.phase is Phase.APPLYING and again.next_action().share == 10.0

    def test_events_after_the_end_change_nothing(self) -> None:
        state = baking_state().on(Abort(at(1))).on(RolledBack(at(2)))
        for event in (Resume(at(3)), Skip(at(3)), Applied(at(3)), Tick(at(9999))):
            assert state.on(event) == state

    def test_state_round_trips_through_json(self) -> None:
        state = baking_state().on(Checked(at(60), "INCONCLUSIVE", "need more", {"a": "OK"}, False))
        state = state.on(Pause(at(100)))
        restored = RampState.from_dict(json.loads(json.dumps(state.to_dict())))
        assert restored == state
        assert restored.next_action() == state.next_action()
        assert restored.on(Resume(at(200))).bake_deadline == at(700)


# -- properties ------------------------------------------------------------------------------


@given(st.text(max_size=20))
def test_any_duration_text_is_a_positive_number_or_a_one_line_error(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except RampPlanError as error:
        assert error.message and "\n" not in error.message
    else:
        assert seconds > 0


@given(st.text(alphabet="0123456789.,%-e ninfa", max_size=20))
def test_any_steps_text_is_increasing_steps_or_a_one_line_error(text: str) -> None:
    try:
        steps = parse_steps(text)
    except RampPlanError as error:
        assert error.message and "\n" not in error.message
    else:
        assert all(0 < step <= 100 for step in steps)
        assert list(steps) == sorted(set(steps))


def _event(kind: str, now: datetime) -> object:
    verdicts = {"pass": "PASS", "fail": "FAIL", "inconclusive": "INCONCLUSIVE", "none": None}
    if kind in verdicts:
        return Checked(now, verdicts[kind], kind, {"a": "OK"})
    if kind == "alarm":
        return Checked(now, "PASS", "", {"a": "ALARM"}, final=False)
    return {
        "applied": Applied,
        "tick": Tick,
        "rolled_back": RolledBack,
        "pause": Pause,
        "resume": Resume,
        "skip": Skip,
        "abort": Abort,
        "interfered": lambda moment: Interfered(moment, "changed by hand"),
    }.get(kind, lambda moment: ApplyFailed(moment, "refused"))(now)


EVENT_KINDS = st.sampled_from(
    [
        "applied", "apply_failed", "tick", "pass", "fail", "inconclusive", "none", "alarm",
        "rolled_back", "pause", "resume", "skip", "abort", "interfered",
    ]
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.tuples(EVENT_KINDS, st.integers(0, 900)), max_size=40))
def test_any_event_sequence_keeps_the_state_consistent(events: list[tuple[str, int]]) -> None:
    ramp = plan(max_extra_bakes=1)
    state = RampState.start(ramp, WEIGHTS, T0)
    now = T0
    for kind, seconds in events:
        now += timedelta(seconds=seconds)
        before = state
        state = state.on(_event(kind, now))  # type: ignore[arg-type]
        assert 0 <= state.step_index < len(ramp.steps)
        assert state.step_index >= before.step_index  # a ramp never steps back
        if before.is_over:
            assert state == before  # the end is the end
        if before.phase is Phase.ROLLING_BACK:
            assert state.phase in (Phase.ROLLING_BACK, Phase.ROLLED_BACK, Phase.ABORTED)
        if state.phase is Phase.BAKING:
            assert state.bake_deadline is not None
        # Every reachable state survives a save and a load, and means the same.
        restored = RampState.from_dict(json.loads(json.dumps(state.to_dict())))
        assert restored == state
        assert restored.next_action() == state.next_action()


def test_interference_holds_and_resume_accepts_the_live_weights() -> None:
    state = baking_state()
    assert state.applied_share == 10.0
    held = state.on(Interfered(at(60), "weights changed outside the ramp"))
    assert held.phase is Phase.PAUSED
    assert "resume to re-apply 10%" in (held.status_reason or "")
    resumed = held.on(Resume(at(120)))
    assert resumed.phase is Phase.APPLYING
    assert resumed.applied_share is None
    assert resumed.on(Applied(at(121))).applied_share == 10.0

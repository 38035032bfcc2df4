"""Request-count bakes: a step bakes until N requests on the canary and at least T (pure
plan and state machine; the runner's side is in tests/aws/test_ramp_bakes_runner.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canary_tui.domain.ramp import (
    Applied,
    Checked,
    Phase,
    RampPlan,
    RampPlanError,
    RampState,
    Tick,
    expected_bake_seconds,
    parse_bake_requests,
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
        "bake_requests": 2000,
    }
    fields.update(overrides)
    return RampPlan(**fields)  # type: ignore[arg-type]


def baking(ramp: RampPlan | None = None) -> RampState:
    return RampState.start(ramp or plan(), WEIGHTS, T0).on(Applied(at(0)))


def checked(
    seconds: float,
    requests: float | None,
    *,
    verdict: str | None = "PASS",
    final: bool = True,
    complete: bool = True,
    wait: float = 0.0,
) -> Checked:
    return Checked(
        at(seconds),
        verdict,
        "all checks pass",
        {},
        final,
        canary_requests=requests,
        requests_complete=complete,
        data_wait_seconds=wait,
    )


class TestPlan:
    def test_default_is_the_clock_alone_and_old_saved_plans_load(self) -> None:
        assert RampPlan(endpoint="ep", canary="c").bake_requests == 0
        saved = plan().to_dict()
        del saved["bake_requests"]  # a ramp saved before request-count bakes
        assert RampPlan.from_dict(saved).bake_requests == 0

    def test_round_trip_and_text(self) -> None:
        ramp = plan()
        assert RampPlan.from_dict(json.loads(json.dumps(ramp.to_dict()))) == ramp
        assert "bake 10m and 2,000 requests per step" in ramp.describe()

    @pytest.mark.parametrize("value", [-1, 10**12 + 1, True])
    def test_out_of_bounds_is_refused(self, value: object) -> None:
        with pytest.raises(RampPlanError, match="bake requests"):
            plan(bake_requests=value)

    @pytest.mark.parametrize(
        ("text", "value"), [("0", 0), ("2000", 2000), (" 15 ", 15), ("1000000000000", 10**12)]
    )
    def test_parse(self, text: str, value: int) -> None:
        assert parse_bake_requests(text) == value

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "enter a number"),
            ("-5", "cannot be negative"),
            ("1000000000001", "between 0 and 1,000,000,000,000 requests"),
            ("٣٠٠", "ASCII digits"),
            ("2e3", "ASCII digits"),
            ("1_000", "ASCII digits"),
            ("9" * 40, "too long"),
            ("12.5", "not a whole number"),
        ],
    )
    def test_bad_text_is_one_line_naming_the_field(self, text: str, message: str) -> None:
        with pytest.raises(RampPlanError) as raised:
            parse_bake_requests(text)
        assert raised.value.message.startswith("bake requests: ")
        assert message in raised.value.message, raised.value.message
        assert "\n" not in raised.value.message

    @given(st.text(max_size=40))
    def test_any_text_is_a_count_in_bounds_or_a_one_line_error(self, text: str) -> None:
        try:
            value = parse_bake_requests(text)
        except RampPlanError as error:
            assert error.message and "\n" not in error.message
        else:
            assert 0 <= value <= 10**12

    def test_expected_bake_at_the_current_traffic(self) -> None:
        ramp = plan(bake_seconds=60.0, bake_requests=2000)
        # 2,400 req/min on the endpoint: 240/min on the canary at 10 % -> 500 s for 2,000.
        assert expected_bake_seconds(ramp, 2400.0, 10.0) == pytest.approx(500.0)
        # At 100 % the 2,000 come in 50 s, so the bake time decides.
        assert expected_bake_seconds(ramp, 2400.0, 100.0) == 60.0
        assert expected_bake_seconds(ramp, None, 10.0) is None
        assert expected_bake_seconds(ramp, 0.0, 10.0) is None
        assert expected_bake_seconds(plan(bake_requests=0), None, 10.0) == 600.0


class TestBakeDecision:
    def test_time_alone_is_not_enough(self) -> None:
        state = baking().on(Tick(at(600)))
        assert state.phase is Phase.CHECKING
        state = state.on(checked(600, 340))
        assert state.phase is Phase.BAKING and state.extra_bakes == 1
        assert "needs 2,000 requests on new-model, saw 340 in 10m" in state.history[-1].message

    def test_requests_alone_are_not_enough(self) -> None:
        # Mid-bake, before the bake time: the count being there does not end the bake.
        state = baking().on(checked(300, 5000, final=False))
        assert state.phase is Phase.BAKING and state.bake_deadline == at(600)

    def test_both_reached_advances_and_says_the_count(self) -> None:
        state = baking().on(Tick(at(600))).on(checked(600, 2400))
        assert state.phase is Phase.APPLYING and state.step_index == 1
        assert "2,400 of 2,000 requests" in state.history[-1].message
        assert state.step_requests == 2400  # for the next step's audit record
        assert state.on(Applied(at(610))).step_requests is None  # which counts afresh

    def test_an_extra_bake_ends_as_soon_as_the_count_is_reached(self) -> None:
        state = baking().on(Tick(at(600))).on(checked(600, 1500))
        assert state.phase is Phase.BAKING and state.bake_deadline == at(1200)
        still = state.on(checked(660, 1900, final=False))
        assert still.phase is Phase.BAKING
        # An interim check without a verdict yet (None below 100 %) does not end it either.
        assert state.on(checked(700, 2500, verdict=None, final=False)).phase is Phase.BAKING
        over = still.on(checked(720, 2050, final=False))
        assert over.phase is Phase.CHECKING
        assert over.history[-1].message == "bake over: 2,050 of 2,000 requests"

    def test_not_reached_after_the_extra_bakes_holds_naming_both_numbers(self) -> None:
        state = baking(plan(max_extra_bakes=2)).on(Tick(at(600)))
        for seconds, seen in ((600, 100), (1200, 220)):
            state = state.on(checked(seconds, seen))
            state = state.on(Tick(at(seconds + 600)))
        state = state.on(checked(1800, 340))
        assert state.phase is Phase.PAUSED
        assert state.status_reason is not None
        assert state.status_reason.startswith("needs 2,000 requests on new-model, saw 340 in 30m")
        assert "after 2 extra bakes" in state.status_reason

    def test_unknown_is_not_zero_and_not_enough(self) -> None:
        state = baking(plan(max_extra_bakes=0)).on(Tick(at(600)))
        held = state.on(checked(600, None))
        assert held.phase is Phase.PAUSED
        assert "saw an unknown number" in (held.status_reason or "")

    def test_an_incomplete_count_is_a_lower_bound(self) -> None:
        state = baking(plan(max_extra_bakes=0)).on(Tick(at(600)))
        short = state.on(checked(600, 1200, complete=False))
        assert short.phase is Phase.PAUSED
        assert "saw at least 1,200 (CloudWatch data incomplete)" in (short.status_reason or "")
        # At least 2,500 were served even though some periods are missing: enough.
        enough = state.on(checked(600, 2500, complete=False))
        assert enough.phase is Phase.APPLYING
        assert "at least 2,500 of 2,000 requests" in enough.history[-1].message

    def test_a_fail_rolls_back_whatever_the_count(self) -> None:
        state = baking().on(checked(120, 50, verdict="FAIL", final=False))
        assert state.phase is Phase.ROLLING_BACK

    def test_at_100_percent_the_count_still_gates(self) -> None:
        ramp = plan(steps=(100.0,), max_extra_bakes=1)
        state = baking(ramp).on(Tick(at(600))).on(checked(600, 900, verdict=None))
        assert state.phase is Phase.BAKING
        state = state.on(checked(660, 2100, verdict=None, final=False))
        assert state.phase is Phase.CHECKING
        assert state.on(checked(660, 2100, verdict=None)).phase is Phase.DONE

    def test_the_clock_alone_is_as_before(self) -> None:
        state = baking(plan(bake_requests=0)).on(Tick(at(600))).on(checked(600, None))
        assert state.phase is Phase.APPLYING

    def test_a_bake_again_lasts_as_long_as_the_missing_periods(self) -> None:
        # A 1 min bake whose verdict needs 8 more one-minute periods bakes 8 min again, so
        # the next check has them, rather than holding after two more 1 min bakes.
        ramp = plan(bake_seconds=60.0, bake_requests=0)
        state = baking(ramp).on(Tick(at(60)))
        state = state.on(checked(60, 500, verdict="INCONCLUSIVE", wait=480.0))
        assert state.phase is Phase.BAKING and state.bake_deadline == at(540)

    def test_a_bake_again_waits_for_the_missing_requests_at_the_rate_seen(self) -> None:
        # 1m bake, 250 of 2,000 requests in the first minute: 7 more minutes at that rate.
        state = baking(plan(bake_seconds=60.0)).on(Tick(at(60))).on(checked(60, 250))
        assert state.bake_deadline == at(60 + 420)
        # Traffic too slow for an hour is a person's call: the wait is capped at an hour.
        slow = baking(plan(bake_seconds=60.0)).on(Tick(at(60))).on(checked(60, 1))
        assert slow.bake_deadline == at(60 + 3600)

    def test_the_count_survives_a_restart(self) -> None:
        state = baking().on(Tick(at(600))).on(checked(600, 1200, complete=False))
        loaded = RampState.from_dict(json.loads(json.dumps(state.to_dict())))
        assert loaded == state
        old = state.to_dict()
        del old["step_requests"], old["step_requests_complete"]
        assert RampState.from_dict(old).step_requests is None


def test_progress_lines_say_the_requests_seen_and_needed() -> None:
    from canary_tui.ramp_control import RampProgress

    state = baking().on(checked(120, 340, verdict=None, final=False))
    assert "requests 340/2,000" in RampProgress(at(120), state, "baking").line
    partial = baking().on(checked(120, 340, verdict=None, final=False, complete=False))
    assert "requests 340+/2,000" in RampProgress(at(120), partial, "baking").line
    assert "requests ?/2,000" in RampProgress(at(0), baking(), "baking").line
    clock_only = baking(plan(bake_requests=0))
    assert "requests" not in RampProgress(at(0), clock_only, "baking").line

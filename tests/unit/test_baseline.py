"""The baseline a rollback goes to, and which variant is the canary (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from canary_tui.domain.baseline import (
    BaselineMark,
    LoggedChange,
    current_episode,
    is_resting,
    observations,
    resolve_baseline,
    split_label,
)

T0 = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
C, N = "current-model", "new-model"


def split(current: float, new: float) -> dict[str, float]:
    return {C: current, N: new}


def change(
    minute: int,
    before: Mapping[str, float],
    after: Mapping[str, float],
    result: str = "applied",
    seen: Mapping[str, float] | None = None,
) -> LoggedChange:
    return LoggedChange(
        change_id=f"change{minute:04d}",
        time=T0 + timedelta(minutes=minute),
        result=result,
        weights_before=before,
        weights_after=after,
        seen_after=seen,
        outcome_time=T0 + timedelta(minutes=minute, seconds=1),
    )


def ramp_up(*steps: tuple[float, float]) -> list[LoggedChange]:
    """Applied changes from 90/10 through ``steps``, one minute apart."""
    changes, before = [], split(0.9, 0.1)
    for minute, step in enumerate(steps):
        after = split(*step)
        changes.append(change(minute, before, after))
        before = after
    return changes


def test_a_40_60_episode_goes_back_to_90_10_not_to_the_canary() -> None:
    changes = ramp_up((0.6, 0.4), (0.4, 0.6))
    baseline = resolve_baseline(split(40, 60), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(90, 10))
    assert baseline.canary == N
    assert baseline.source == "audit"
    assert baseline.label == "current-model 90% / new-model 10%"


def test_many_steps_forward_and_back_keep_the_episode_start() -> None:
    changes = ramp_up((0.8, 0.2), (0.5, 0.5), (0.7, 0.3), (0.25, 0.75))
    baseline = resolve_baseline(split(25, 75), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(90, 10))
    assert baseline.canary == N


def test_an_unknown_outcome_in_the_middle_still_shows_where_it_started() -> None:
    changes = [
        change(0, split(0.9, 0.1), split(0.6, 0.4)),
        change(1, split(0.6, 0.4), split(0.4, 0.6), result="unknown"),
        change(2, split(0.4, 0.6), split(0.3, 0.7), result="unfinished"),
    ]
    baseline = resolve_baseline(split(30, 70), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(90, 10))
    assert baseline.canary == N


def test_an_unknown_first_change_uses_the_split_seen_before_it() -> None:
    changes = [change(0, split(0.9, 0.1), split(0.5, 0.5), result="unknown")]
    baseline = resolve_baseline(split(50, 50), changes)
    assert baseline is not None and baseline.shares == pytest.approx(split(90, 10))


def test_not_applied_changes_do_not_move_the_endpoint() -> None:
    changes = [
        change(0, split(0.9, 0.1), split(0.0, 1.0), result="not-applied", seen=split(0.9, 0.1))
    ]
    # The log shows only 90/10: nothing moved, so no baseline is known from it.
    assert resolve_baseline(split(90, 10), changes) is None


def test_a_refusal_uses_what_was_read_not_what_was_confirmed() -> None:
    # The person confirmed from a stale 50/50; the guard saw 90/10 live.
    changes = [
        change(0, split(0.5, 0.5), split(0.4, 0.6), result="refused", seen=split(0.9, 0.1)),
        change(1, split(0.9, 0.1), split(0.4, 0.6)),
    ]
    baseline = resolve_baseline(split(40, 60), changes)
    assert baseline is not None and baseline.shares == pytest.approx(split(90, 10))


def test_weights_that_sum_differently_are_compared_as_traffic_shares() -> None:
    changes = [
        change(0, split(9, 1), split(60, 40)),  # 9/1 is 90/10
        change(1, split(0.6, 0.4), split(2, 3)),  # 2/3 is 40/60
    ]
    baseline = resolve_baseline(split(0.4, 0.6), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(90, 10))
    assert sum(baseline.shares.values()) == pytest.approx(100.0)


def test_a_log_of_another_endpoints_variants_says_nothing() -> None:
    other = {"ranker-a": 0.5, "ranker-b": 0.5}
    changes = [change(0, other, {"ranker-a": 1.0, "ranker-b": 0.0})]
    assert resolve_baseline(split(40, 60), changes) is None


def test_no_log_no_baseline_and_no_canary() -> None:
    assert resolve_baseline(split(90, 10), []) is None


def test_the_episode_starts_at_the_last_resting_split_that_was_left() -> None:
    changes = [
        *ramp_up((0.5, 0.5), (0.0, 1.0)),  # an old episode ending in a promote
        change(2, split(0.0, 1.0), split(0.2, 0.8)),  # a new canary: current-model again
        change(3, split(0.2, 0.8), split(0.5, 0.5)),
    ]
    baseline = resolve_baseline(split(50, 50), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(0, 100))
    assert baseline.canary == C


def test_rollback_right_after_a_promote_undoes_the_promote() -> None:
    changes = ramp_up((0.5, 0.5), (0.0, 1.0))
    baseline = resolve_baseline(split(0, 100), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(90, 10))
    assert baseline.canary == N


def test_after_the_rollback_the_baseline_is_where_the_endpoint_is() -> None:
    changes = [*ramp_up((0.4, 0.6)), change(1, split(0.4, 0.6), split(0.9, 0.1))]
    baseline = resolve_baseline(split(90, 10), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(90, 10))
    assert baseline.canary == N  # still known: the episode moved traffic onto it


def test_an_earlier_deployment_with_other_variants_is_ignored() -> None:
    old = {"model-v1": 1.0, C: 0.0}
    changes = [
        change(0, old, {"model-v1": 0.0, C: 1.0}),
        change(1, split(1.0, 0.0), split(0.7, 0.3)),
    ]
    baseline = resolve_baseline(split(70, 30), changes)
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(100, 0))
    assert baseline.canary == N


def test_live_changes_outside_the_log_are_part_of_the_episode() -> None:
    changes = ramp_up((0.8, 0.2))
    baseline = resolve_baseline(split(30, 70), changes)  # someone else went on to 30/70
    assert baseline is not None
    assert baseline.shares == pytest.approx(split(90, 10))


def test_three_variants_canary_is_the_one_that_gained() -> None:
    before = {"a": 0.8, "b": 0.1, "c": 0.1}
    changes = [change(0, before, {"a": 0.5, "b": 0.1, "c": 0.4})]
    baseline = resolve_baseline({"a": 50, "b": 10, "c": 40}, changes)
    assert baseline is not None
    assert baseline.canary == "c"
    assert baseline.label == "a 80% / b 10% / c 10%"


def test_capacity_changes_alone_are_no_episode() -> None:
    changes = [change(0, split(0.9, 0.1), split(0.9, 0.1))]
    assert resolve_baseline(split(90, 10), changes) is None


def test_all_zero_weights_in_a_record_are_skipped() -> None:
    changes = [change(0, split(0, 0), split(0.9, 0.1)), *ramp_up((0.4, 0.6))]
    baseline = resolve_baseline(split(40, 60), changes)
    assert baseline is not None and baseline.shares == pytest.approx(split(90, 10))


def test_out_of_order_records_are_read_in_time_order() -> None:
    changes = list(reversed(ramp_up((0.6, 0.4), (0.4, 0.6))))
    baseline = resolve_baseline(split(40, 60), changes)
    assert baseline is not None and baseline.shares == pytest.approx(split(90, 10))


def test_a_ramp_in_progress_gives_its_start_and_canary() -> None:
    baseline = resolve_baseline(split(40, 60), [], ramp=(split(0.95, 0.05), N))
    assert baseline is not None
    assert baseline.source == "ramp"
    assert baseline.shares == pytest.approx(split(95, 5))
    assert baseline.canary == N


def test_a_ramp_of_other_variants_is_ignored() -> None:
    assert resolve_baseline(split(40, 60), [], ramp=({"x": 1.0, "y": 0.0}, "y")) is None


def test_a_mark_wins_over_the_log() -> None:
    changes = ramp_up((0.8, 0.2), (0.4, 0.6))
    mark = BaselineMark("ep", split(80, 20), T0 + timedelta(seconds=30))
    baseline = resolve_baseline(split(40, 60), changes, mark=mark)
    assert baseline is not None
    assert baseline.source == "mark"
    assert baseline.shares == pytest.approx(split(80, 20))
    assert baseline.canary == N


def test_a_mark_before_a_finished_episode_is_stale() -> None:
    mark = BaselineMark("ep", split(90, 10), T0 - timedelta(hours=1))
    changes = [
        *ramp_up((0.0, 1.0)),  # promoted: the endpoint rested on new-model
        change(1, split(0.0, 1.0), split(0.3, 0.7)),  # and a new episode left it
    ]
    baseline = resolve_baseline(split(30, 70), changes, mark=mark)
    assert baseline is not None
    assert baseline.source == "audit"
    assert baseline.shares == pytest.approx(split(0, 100))


def test_a_mark_of_other_variants_is_ignored() -> None:
    mark = BaselineMark("ep", {"x": 100.0}, T0)
    assert resolve_baseline(split(40, 60), [], mark=mark) is None


def test_a_mark_with_no_log_knows_the_canary_from_the_live_split() -> None:
    mark = BaselineMark("ep", split(90, 10), T0)
    baseline = resolve_baseline(split(40, 60), [], mark=mark)
    assert baseline is not None and baseline.canary == N


def test_a_mark_at_the_live_split_knows_no_canary_without_a_log() -> None:
    mark = BaselineMark("ep", split(90, 10), T0)
    baseline = resolve_baseline(split(90, 10), [], mark=mark)
    assert baseline is not None and baseline.canary is None


@pytest.mark.parametrize(
    ("shares", "resting"),
    [(split(100, 0), True), (split(0, 100), True), (split(99.9, 0.1), False), ({}, False)],
)
def test_resting(shares: dict[str, float], resting: bool) -> None:
    assert is_resting(shares) is resting


def test_split_label_rounds_for_people() -> None:
    assert split_label({"a": 100 / 3, "b": 200 / 3}) == "a 33.3% / b 66.7%"


def test_observations_of_an_applied_change_without_read_back_use_the_plan() -> None:
    found = observations([change(0, split(0.9, 0.1), split(0.5, 0.5))])
    assert [dict(obs.shares) for obs in found] == [split(90, 10), split(50, 50)]


def test_episode_is_none_when_nothing_moved() -> None:
    assert current_episode([], split(90, 10)) is None

"""The console's refresh schedule, driven by a fake clock: no app, no timers, no sleeps."""

from __future__ import annotations

from canary_tui.ui.console.schedule import Job, RefreshSchedule


def schedule(**overrides: object) -> RefreshSchedule:
    values: dict[str, object] = {
        "refresh_seconds": 60.0,
        "follow_seconds": 3.0,
        "background_seconds": 3.0,
    }
    values.update(overrides)
    return RefreshSchedule(**values)  # type: ignore[arg-type]


def run_poll(
    plan: RefreshSchedule, now: float, *, ok: bool = True, transient: bool = False
) -> bool:
    assert plan.request_poll()
    plan.started(Job.POLL)
    return plan.poll_finished(now, ok=ok, transient=transient)


def test_the_next_poll_is_due_a_period_after_the_last_one_finished() -> None:
    plan = schedule()
    assert plan.next_wake(0.0) is None
    run_poll(plan, now=10.0)  # a poll that took 10 s
    assert plan.next_wake(10.0) == 60.0
    assert plan.take_due(69.9) == []
    assert plan.take_due(70.0) == [Job.POLL]
    assert plan.next_wake(70.0) is None  # taken: not due twice


def test_polls_never_overlap_one_asked_for_meanwhile_runs_right_after() -> None:
    plan = schedule()
    assert plan.request_poll()
    plan.started(Job.POLL)
    assert not plan.request_poll()  # ctrl+r while it runs
    assert plan.poll_finished(5.0, ok=True) is True  # run again now
    assert plan.next_wake(5.0) is None  # and no timer besides it


def test_transient_failures_back_off_doubling_and_a_success_resets() -> None:
    plan = schedule(refresh_seconds=10.0)
    run_poll(plan, 0.0, ok=False, transient=True)
    assert plan.next_wake(0.0) == 20.0
    run_poll(plan, 0.0, ok=False, transient=True)
    assert plan.next_wake(0.0) == 40.0
    for _ in range(20):
        run_poll(plan, 0.0, ok=False, transient=True)
    assert plan.next_wake(0.0) == 300.0  # capped
    run_poll(plan, 0.0, ok=False, transient=False)  # access denied: no point backing off
    assert plan.next_wake(0.0) == 10.0
    run_poll(plan, 0.0, ok=False, transient=True)
    run_poll(plan, 0.0, ok=True)
    assert plan.poll_failures == 0 and plan.next_wake(0.0) == 10.0


def test_pause_stops_everything_and_resume_polls_at_once() -> None:
    plan = schedule()
    run_poll(plan, 0.0)
    plan.want_follow(0.0, anything_to_follow=True)
    plan.want_background(0.0, anything_due=True)
    plan.pause()
    assert plan.next_wake(0.0) is None
    assert plan.take_due(1000.0) == []
    assert not plan.request_poll()
    plan.want_follow(0.0, anything_to_follow=True)
    assert plan.want_background(0.0, anything_due=True) is False
    assert plan.next_wake(0.0) is None
    assert plan.resume() is True


def test_a_poll_due_behind_a_dialog_waits_and_runs_when_it_closes() -> None:
    plan = schedule()
    run_poll(plan, 0.0)
    plan.suspend()
    assert plan.take_due(60.0) == []  # due, but a dialog is open
    assert plan.next_wake(60.0) is None
    assert plan.unsuspend() is True


def test_closing_a_dialog_before_the_poll_is_due_polls_nothing_extra() -> None:
    plan = schedule()
    run_poll(plan, 0.0)
    plan.suspend()
    assert plan.unsuspend() is False
    assert plan.next_wake(1.0) == 59.0


def test_follow_runs_behind_a_dialog_but_background_does_not() -> None:
    plan = schedule()
    plan.suspend()
    plan.want_follow(0.0, anything_to_follow=True)
    plan.want_background(0.0, anything_due=True)
    assert sorted(job.value for job in plan.take_due(3.0)) == ["follow"]


def test_follow_is_armed_once_and_dropped_when_nothing_is_updating() -> None:
    plan = schedule()
    plan.want_follow(0.0, anything_to_follow=True)
    plan.want_follow(2.0, anything_to_follow=True)  # does not push it back
    assert plan.next_wake(0.0) == 3.0
    plan.want_follow(2.0, anything_to_follow=False)
    assert plan.next_wake(2.0) is None


def test_a_running_follow_is_not_started_twice() -> None:
    plan = schedule()
    plan.started(Job.FOLLOW)
    assert plan.follow_now() is False
    plan.want_follow(0.0, anything_to_follow=True)
    assert plan.next_wake(0.0) is None
    plan.job_finished(Job.FOLLOW)
    assert plan.follow_now() is True


def test_background_rounds_are_spaced_by_the_round_interval() -> None:
    plan = schedule(background_seconds=4.5)
    assert plan.want_background(0.0, anything_due=True) is True  # the first: at once
    plan.started(Job.BACKGROUND)
    plan.job_finished(Job.BACKGROUND)
    assert plan.want_background(0.0, anything_due=True) is False
    assert plan.next_wake(0.0) == 4.5
    assert plan.take_due(4.5) == [Job.BACKGROUND]
    plan.started(Job.BACKGROUND)
    assert plan.want_background(4.5, anything_due=True) is False  # one at a time
    plan.job_finished(Job.BACKGROUND)
    assert plan.want_background(6.0, anything_due=False) is False
    assert plan.next_wake(6.0) is None  # the list is full: no timer at all


def test_without_timers_nothing_comes_due_and_one_background_round_follows_a_poll() -> None:
    plan = schedule(timers=False)
    run_poll(plan, 0.0)
    plan.want_follow(0.0, anything_to_follow=True)
    assert plan.next_wake(0.0) is None
    assert plan.want_background(0.0, anything_due=True) is True
    plan.started(Job.BACKGROUND)
    plan.job_finished(Job.BACKGROUND)
    assert plan.want_background(0.0, anything_due=True) is False  # once per poll
    run_poll(plan, 1.0)
    assert plan.want_background(1.0, anything_due=True) is True

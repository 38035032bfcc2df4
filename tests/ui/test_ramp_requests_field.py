"""The ramp plan dialog's ``requests`` field (bake until N canary requests and at least the
bake time): read by the strict parser, its error named with the other fields' at once, the
expected time to N at the traffic on screen, and the plan that ``y`` starts carries it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from canary_tui.ui.screens.ramp import RampPlanDialog
from tests.ui.fakes import fake_backend
from tests.ui.helpers import console, refresh_and_settle, static_text, wait_for
from tests.ui.ramp_fakes import SteppedClock, fake_launcher
from tests.ui.test_verdict_ramp import CANARY, make_app


def message_of(dialog: RampPlanDialog) -> str:
    return " ".join(static_text(dialog.query_one("#ramp-plan-message", Static)).split())


@pytest.mark.parametrize(
    ("requests", "needle"),
    [
        ("-1", "bake requests: cannot be negative"),
        ("\u0663\u0660\u0660", "bake requests: not a whole number (ASCII digits)"),
        ("1000000000001", "between 0 and 1,000,000,000,000 requests"),
        ("", "bake requests: enter a number"),
    ],
)
async def test_a_bad_count_is_named_with_the_other_bad_fields_and_starts_nothing(
    tmp_path: Path, requests: str, needle: str
) -> None:
    backend = fake_backend()
    launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
    app = make_app(backend, launcher=launcher, changes=changes)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the plan")
        dialog = app.screen
        assert isinstance(dialog, RampPlanDialog)
        # steps -> bake (made bad too) -> alarms -> requests
        await pilot.press("e", "tab", "ctrl+u", *"8d", "tab", "tab", "ctrl+u", *requests)
        await pilot.pause()
        message = message_of(dialog)
        assert "not valid yet" in message
        assert needle in message and "from 1s to 7d" in message, message  # both at once
        assert dialog.query_one("#ramp-requests", Input).has_class("-bad")
        assert dialog.query_one("#ramp-bake", Input).has_class("-bad")
        assert not dialog.query_one("#ramp-steps", Input).has_class("-bad")
        assert not dialog.query_one("#ramp-plan-table", Static).display
        await pilot.press("enter", "y")
        await pilot.pause()
        assert dialog.is_attached and dialog.plan is None
        await pilot.press("escape")
        await pilot.pause()
        assert changes.applied == []
        assert CANARY not in console(app).ramps


async def test_a_count_shows_the_time_to_it_and_the_started_ramp_carries_it(
    tmp_path: Path,
) -> None:
    backend = fake_backend()
    launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
    app = make_app(backend, launcher=launcher, changes=changes)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the plan")
        dialog = app.screen
        assert isinstance(dialog, RampPlanDialog)
        table = dialog.query_one("#ramp-plan-table", Static)
        assert "step 1, bake 10m" in static_text(table)  # 0: the clock alone
        await pilot.press("e", "ctrl+u", *"25,50,100", "tab", "ctrl+u", *"1m")
        await pilot.press("tab", "tab", "ctrl+u", *"2000")
        await pilot.pause()
        assert dialog.plan is not None and dialog.plan.bake_requests == 2000
        # The fake endpoint serves 990 req/min: 2,000 on a 25 % canary take about 8 min,
        # at 100 % about 2 (each at least the 1m bake).
        rows = static_text(table)
        assert "step 1, bake ~8m" in rows and "step 3, bake ~2m" in rows, rows
        await pilot.press("enter", "y")
        await wait_for(pilot, lambda: CANARY in console(app).ramps, "the ramp")
        assert console(app).ramps[CANARY].state.plan.bake_requests == 2000


def test_the_ramp_panel_says_the_requests_seen_and_needed() -> None:
    from datetime import UTC, datetime

    from canary_tui.domain.ramp import Applied, Checked, RampPlan, RampState
    from canary_tui.ui.widgets.ramp import RampView, progress_line

    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    plan = RampPlan(endpoint="ep", canary="new-model", bake_seconds=60.0, bake_requests=2000)
    state = RampState.start(plan, {"current-model": 0.9, "new-model": 0.1}, now).on(Applied(now))
    state = state.on(Checked(now, None, "so far", {}, False, canary_requests=340))
    line = progress_line(RampView(state, "baking", now, running=True)).plain
    assert "bake 1m left · 340/2,000 req" in line, line
    clock_only = RampState.start(
        RampPlan(endpoint="ep", canary="new-model"), {"current-model": 0.9, "new-model": 0.1}, now
    ).on(Applied(now))
    assert " req" not in progress_line(RampView(clock_only, "baking", now, running=True)).plain

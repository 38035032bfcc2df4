"""The console's ramp dialog reads steps and bake with the strict number parser (issue 12,
item 9): an empty step list, Unicode digits, underscores or a bake past 7 days are refused
next to the field, and no ramp starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from canary_tui.ui.screens.ramp import RampPlanDialog
from tests.ui.fakes import fake_backend
from tests.ui.helpers import console, refresh_and_settle, static_text, wait_for
from tests.ui.ramp_fakes import SteppedClock, fake_launcher
from tests.ui.test_verdict_ramp import CANARY, make_app


@pytest.mark.parametrize(
    ("steps", "bake", "field", "needle"),
    [
        ("", "10m", "#ramp-steps", "empty step"),
        ("10,\u0665\u0660", "10m", "#ramp-steps", "not a number"),
        ("1_0,50", "10m", "#ramp-steps", "not a number"),
        ("25,50", "1e12", "#ramp-bake", "not a duration"),
        ("25,50", "8d", "#ramp-bake", "from 1s to 7d"),
    ],
)
async def test_bad_numbers_in_the_ramp_dialog_start_nothing(
    tmp_path: Path, steps: str, bake: str, field: str, needle: str
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
        await pilot.press("e", "ctrl+u", *steps, "tab", "ctrl+u", *bake, "enter", "y")
        await pilot.pause()
        assert dialog.is_attached and dialog.plan is None
        assert dialog.query_one(field, Input).has_class("-bad")
        assert dialog.query_one(field, Input).value == (steps if field == "#ramp-steps" else bake)
        message = " ".join(static_text(dialog.query_one("#ramp-plan-message", Static)).split())
        assert needle in message
        await pilot.press("escape")
        await pilot.pause()
        assert changes.applied == []
        assert CANARY not in console(app).ramps
        assert not launcher.store.path_for(CANARY).exists()


async def test_every_bad_field_is_named_at_once_and_no_old_plan_stays(tmp_path: Path) -> None:
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
        assert table.display
        await pilot.press("e", "ctrl+u", "tab", "ctrl+u", *"8d")
        await pilot.pause()
        message = " ".join(static_text(dialog.query_one("#ramp-plan-message", Static)).split())
        assert "not valid yet" in message
        assert "empty step" in message and "from 1s to 7d" in message  # both, at once
        assert dialog.query_one("#ramp-steps", Input).has_class("-bad")
        assert dialog.query_one("#ramp-bake", Input).has_class("-bad")
        assert not table.display  # the last valid plan is not left on screen
        await pilot.press("shift+tab", *"25,50")
        await pilot.pause()
        assert not dialog.query_one("#ramp-steps", Input).has_class("-bad")
        assert not table.display  # the bake is still bad
        await pilot.press("tab", "ctrl+u", *"10m")
        await pilot.pause()
        assert table.display and dialog.plan is not None
        await pilot.press("escape", "escape")
        assert changes.applied == []

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

"""Issue 16: the ramp panel reads as words, keeps its keys at 80 columns, puts P/S/X in
the footer while a ramp is driven, and the demo's quit question tells the truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from canary_tui.domain.ramp import Phase
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.ramp import RampQuestion
from canary_tui.ui.widgets.ramp import RampPanel
from tests.ui.fakes import fake_backend, frozen_clock
from tests.ui.helpers import console, refresh_and_settle, static_text, wait_for
from tests.ui.ramp_fakes import SteppedClock, fake_launcher
from tests.ui.test_verdict_ramp import CANARY, settle_ramp, start_ramp

RAMP_KEYS = {"P", "S", "X"}


def footer_keys(app: CanaryApp) -> set[str]:
    return {key for key, b in app.active_bindings.items() if b.binding.show}


def question_text(app: CanaryApp) -> str:
    return static_text(app.screen.query_one("#ramp-question-text"))  # type: ignore[arg-type]


async def test_ramp_words_keys_in_panel_and_footer_at_80_columns(tmp_path: Path) -> None:
    backend = fake_backend()
    clock = SteppedClock()
    launcher, changes = fake_launcher(backend, tmp_path, clock)
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=False, region="us-east-1"),
        clock=frozen_clock,
        audit=launcher.audit,
        ramps=launcher,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        assert not RAMP_KEYS & footer_keys(app)  # nothing to pause yet
        await start_ramp(pilot, app)
        await settle_ramp(pilot, app, Phase.BAKING, "step 1 baking")
        panel = console(app).query_one(RampPanel)
        # What is on screen, cell for cell: the keys lead the second line, whole.
        rendered = [strip.text for strip in panel.render_lines(panel.region.reset_offset)]
        assert rendered[1].strip().startswith("[P pause · S skip · X abort]"), rendered
        assert "baking" in rendered[0] and "BAKING" not in rendered[0]
        assert footer_keys(app) >= RAMP_KEYS
        # At 80 columns the footer leaves out c, / and r so the way back and out still fits.
        assert footer_keys(app) >= {"b", "question_mark", "q"}
        assert not {"c", "slash", "r"} & footer_keys(app)
        await pilot.pause()
        fitted = {k.key for k in app.screen.query(FooterKey) if k.region.right <= 80}
        assert fitted >= RAMP_KEYS | {"b", "question_mark", "q"}, fitted
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert footer_keys(app) >= RAMP_KEYS | {"c", "slash", "r", "q"}
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not {"c", "slash", "r"} & footer_keys(app)

        await pilot.press("P")
        await settle_ramp(pilot, app, Phase.PAUSED, "paused")
        assert "[P resume · S skip · X abort]" in panel.plain

        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "abort question")
        await pilot.press("y")
        await settle_ramp(pilot, app, Phase.ABORTED, "aborted")
        await wait_for(pilot, lambda: console(app).ramps[CANARY].control is None, "runner end")
        await pilot.pause()
        assert "aborted" in panel.plain and "ABORTED" not in panel.plain
        assert not RAMP_KEYS & footer_keys(app)  # over: the keys leave the footer
        assert footer_keys(app) >= {"c", "slash", "r"}  # and the others come back


@pytest.mark.parametrize(
    ("demo", "says", "never"),
    [
        (True, "nothing is saved to resume", "next console resumes"),
        (False, "next console resumes it with r", "nothing is saved"),
    ],
)
async def test_demo_quit_question_says_the_ramp_is_not_kept(
    tmp_path: Path, demo: bool, says: str, never: str
) -> None:
    backend = fake_backend()
    launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=False, region="us-east-1", demo=demo),
        clock=frozen_clock,
        audit=launcher.audit,
        ramps=launcher,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await start_ramp(pilot, app)
        await settle_ramp(pilot, app, Phase.BAKING, "step 1 baking")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, RampQuestion), "quit question")
        text = question_text(app)
        assert says in text and never not in text, text
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.is_running, "the app to exit", timeout=20)

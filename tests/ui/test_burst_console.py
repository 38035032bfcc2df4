"""Issue 16: the burst ``w ] enter y`` in the console itself."""

from __future__ import annotations

from textual import events
from textual.widgets import Static

from canary_tui.domain.weights import WeightPlan
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.typeahead import Y_IGNORED
from tests.ui.helpers import refresh_and_settle, wait_for
from tests.ui.test_console import make_app


async def test_w_bracket_enter_y_in_one_packet_reaches_the_confirmation() -> None:
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        for key, character in (
            ("w", "w"),
            ("right_square_bracket", "]"),
            ("enter", "\r"),
            ("y", "y"),
        ):
            app.post_message(events.Key(key, character))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the confirmation")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmChange) and isinstance(confirm.plan, WeightPlan)
        assert confirm.plan.share_after["new-model"] == 25.0  # ] landed, enter reviewed
        line = confirm.query_one("#confirm-typed-ahead", Static)
        assert line.display and str(line.render()) == Y_IGNORED
        assert changes.applied == []
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(changes.applied), "the answered confirmation")


async def test_an_empty_region_says_so_in_the_metrics_pane_too() -> None:
    from canary_tui.ui.widgets.metrics import MetricsPanel
    from tests.ui.fakes import fake_backend
    from tests.ui.helpers import console
    from tests.ui.test_verdict_ramp import make_app as ramp_app

    app = ramp_app(fake_backend({}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: console(app).endpoints_part.listed, "the empty list")
        await app.workers.wait_for_complete()
        await pilot.pause()
        empty = console(app).query_one(MetricsPanel).query_one("#metrics-empty", Static)
        assert str(empty.render()) == "no endpoints in us-east-1"

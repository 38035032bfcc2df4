"""Issue 16: the burst ``w ] enter y`` in the console itself, and text typed in the same
packet as the key that opens the filter (`/`) or the command line (`:`)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Static

from canary_tui.domain.weights import CapacityPlan, WeightPlan
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.editor import WeightEditor
from canary_tui.ui.screens.typeahead import Y_IGNORED
from canary_tui.ui.widgets.endpoint_list import EndpointList
from tests.ui.helpers import console, refresh_and_settle, wait_for
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


def _burst(app: CanaryApp, text: str) -> None:
    """``text`` as one packet of keys (an SSH link delivers a fast typist's line at once)."""
    names = {
        " ": "space",
        "-": "minus",
        ":": "colon",
        "/": "slash",
        "\r": "enter",
        "\x1b": "escape",
    }
    for character in text:
        app.post_message(events.Key(names.get(character, character), character))


async def test_a_filter_typed_in_one_packet_goes_into_the_filter_not_to_the_console_keys() -> None:
    # Before: `/fraud` opened the filter empty, and r and a ran the ramp and audit keys.
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await refresh_and_settle(pilot)
        _burst(app, "/fraud")
        await wait_for(pilot, lambda: console(app).view.filter_text == "fraud", "the filter")
        await pilot.pause()
        assert app.focused is console(app).query_one("#filter", Input)
        assert list(app._notifications) == [] and len(app.screen_stack) == 1


async def test_filter_enter_and_w_in_one_packet_edit_the_endpoint_filtered_to() -> None:
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await refresh_and_settle(pilot)
        # enter keeps the filter and the keys after it act on the list: w edits the match.
        _burst(app, "/fraud\rw")
        await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")
        assert isinstance(app.screen, WeightEditor)
        assert app.screen.endpoint.name == "fraud-scoring"
        assert console(app).view.filter_text == "fraud"
        await pilot.press("escape")
        assert changes.applied == []


async def test_escape_in_the_same_packet_clears_the_filter() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        _burst(app, "/fr\x1b")
        await wait_for(pilot, lambda: app.focused is console(app).query_one(EndpointList), "list")
        await pilot.pause()
        assert console(app).view.filter_text == ""
        assert not console(app).query_one("#filter", Input).display


async def test_a_command_typed_in_one_packet_reaches_the_command_line_and_runs() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await refresh_and_settle(pilot)
        assert console(app).view.selected != "fraud-scoring"
        _burst(app, ":ep fraud-scoring\r")
        await wait_for(pilot, lambda: console(app).view.selected == "fraud-scoring", "selected")
        await pilot.pause()
        assert app.screen is console(app)  # the command line ran and closed
        assert not any("amp" in n.message or "audit" in n.message for n in app._notifications)


async def test_c_count_enter_y_in_one_packet_reaches_the_confirmation_and_ignores_the_y() -> None:
    # Before: what followed c was dropped silently, and the editor opened on the old count.
    app, _, changes = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        _burst(app, "c3\ry")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the confirmation")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmChange) and isinstance(confirm.plan, CapacityPlan)
        assert confirm.plan.count_after == 3  # typed over the current count, not after it
        line = confirm.query_one("#confirm-typed-ahead", Static)
        assert line.display and str(line.render()) == Y_IGNORED
        assert changes.applied == []

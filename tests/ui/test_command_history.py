"""`:` remembers what was typed (up/down, newest first) and `:ep NAME` selects an endpoint."""

from __future__ import annotations

from textual.widgets import Input

from canary_tui.ui.screens.command_line import HISTORY_SIZE, CommandLine, remember
from tests.ui.helpers import console, refresh_and_settle, wait_for
from tests.ui.test_ecosystem import make_app


def test_history_is_newest_first_without_repeats_and_bounded() -> None:
    history: list[str] = []
    for line in ["theme nord", "ep a", " theme nord ", ""]:
        remember(history, line)
    assert history == ["theme nord", "ep a"]
    for index in range(HISTORY_SIZE + 10):
        remember(history, f"ep e{index}")
    assert len(history) == HISTORY_SIZE and history[0] == f"ep e{HISTORY_SIZE + 9}"


async def test_ep_selects_the_endpoint_even_behind_a_filter() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("slash", *"fraud", "enter")
        await wait_for(pilot, lambda: console(app).selected == "fraud-scoring", "the filter")
        await pilot.press("colon", *"ep search-ranking", "enter")
        await wait_for(pilot, lambda: console(app).selected == "search-ranking", ":ep")
        assert console(app).query_one("#filter", Input).value == ""
        await pilot.press("colon", *"ep no-such", "enter")
        await pilot.pause()
        assert console(app).selected == "search-ranking"
        messages = [n.message for n in app._notifications]
        assert any("No endpoint no-such in this list." in m for m in messages), messages


async def test_up_and_down_walk_the_history_and_come_back_to_what_was_typed() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("colon", *"theme nord", "enter")
        await wait_for(pilot, lambda: app.theme == "nord", "the first command")
        await pilot.press("colon", *"ep fraud-scoring", "enter")
        await wait_for(pilot, lambda: console(app).selected == "fraud-scoring", "the second")
        await pilot.press("colon", *"the")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandLine), "the prompt")
        field = app.screen.query_one(Input)
        await pilot.press("up")
        assert field.value == "ep fraud-scoring"
        await pilot.press("up", "up")  # the oldest stays
        assert field.value == "theme nord"
        await pilot.press("down", "down")
        assert field.value == "the"  # back to what was being typed
        await pilot.press("escape")

"""The endpoint filter: `/` narrows, enter keeps it, esc clears it; the selection stays on
the endpoint the person was on, never jumps back to the top of the list."""

from __future__ import annotations

import pytest

from canary_tui.ui.console import endpoints_part
from canary_tui.ui.widgets.endpoint_list import EndpointList
from tests.ui.helpers import console, refresh_and_settle, table_rows, wait_for
from tests.ui.test_console import make_app


def names(app: object) -> list[str]:
    return [row[0] for row in table_rows(console(app).query_one(EndpointList))]  # type: ignore[arg-type]


def cursor_name(app: object) -> str | None:
    table = console(app).query_one(EndpointList)  # type: ignore[arg-type]
    return table.highlighted_name


async def test_clearing_the_filter_keeps_the_selection() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("slash", "s", "e", "a")
        await wait_for(pilot, lambda: console(app).selected == "search-ranking", "the match")
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert len(names(app)) == 3
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert console(app).selected == "search-ranking"
        assert cursor_name(app) == "search-ranking"


async def test_escape_clears_the_filter_even_one_that_matches_nothing() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("slash", "z", "z", "z")
        assert names(app) == []
        await pilot.press("escape")
        await pilot.pause()
        screen = console(app)
        assert len(names(app)) == 3
        assert screen.query_one("#filter").display is False
        assert app.focused is screen.query_one(EndpointList)
        assert screen.query_one("#endpoints-pane").border_title == "Endpoints (3)"


async def test_enter_keeps_the_filter_and_escape_on_the_list_clears_it() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("slash", "f", "r", "a", "u", "d", "enter")
        await wait_for(pilot, lambda: console(app).selected == "fraud-scoring", "the match")
        assert names(app) == ["fraud-scoring"]
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(names(app)) == 3
        assert console(app).selected == "fraud-scoring"
        assert cursor_name(app) == "fraud-scoring"


async def test_the_panes_wait_for_typing_to_pause_and_enter_settles_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Redrawing the variants, metrics and verdict for every letter cost ~30 ms a key at
    # 5,000 endpoints; the panes keep the endpoint their title names until typing pauses.
    monkeypatch.setattr(endpoints_part, "FILTER_SETTLE_SECONDS", 60.0)  # never, in this test
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        before = console(app).selected
        assert before is not None and before != "search-ranking"
        await pilot.press("slash", "s", "e", "a")
        assert cursor_name(app) == "search-ranking"
        assert console(app).selected == before
        assert before in str(console(app).query_one("#variants").border_title)
        await pilot.press("enter")
        assert console(app).selected == "search-ranking"
        await pilot.press("slash", "backspace", "backspace", "backspace", *"fraud", "escape")
        assert console(app).selected == "fraud-scoring"  # esc settles it too, then clears


async def test_the_panes_follow_the_cursor_once_typing_pauses() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("slash", *"fraud")
        await wait_for(pilot, lambda: console(app).selected == "fraud-scoring", "the pause")

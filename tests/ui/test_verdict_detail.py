"""The verdict's detail (v) at 80x24: every line of every check is reachable by scrolling and
none is cut (lines wrap; no ellipsis), including the judge's effect, test and score."""

from __future__ import annotations

from canary_tui.ui.app import CanaryApp
from canary_tui.ui.widgets.verdict import VerdictPanel
from tests.ui.helpers import console, refresh_and_settle
from tests.ui.test_snapshots import snapshot_app


def screen_text(app: CanaryApp, panel: VerdictPanel) -> list[str]:
    region = panel.region
    lines = []
    for y in range(region.y, region.bottom):
        strip = app.screen._compositor.render_strips()[y]
        lines.append(strip.text[region.x : region.right])
    return lines


async def test_the_detail_scrolls_to_every_line_and_cuts_none_at_80x24() -> None:
    app = snapshot_app()  # the fake backend, frozen clock, no polling
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        screen = console(app)
        await pilot.press("v")
        await pilot.pause()
        panel = screen.query_one(VerdictPanel)
        text = panel.plain
        for needle in ("score ", "90% CI", "Fisher's exact test", "Mann-Whitney", "HIGH"):
            assert needle in text, needle
        panel.focus()
        seen: list[str] = []
        while True:
            seen += screen_text(app, panel)
            if panel.scroll_y >= panel.max_scroll_y:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        shown = " ".join(" ".join(seen).split())
        assert "…" not in shown
        # Every word of the detail is on screen at some scroll position.
        for word in ("Newcombe", "Hodges-Lehmann", "critical", "note:"):
            assert word in shown, word
        assert text.splitlines()[-1].split()[-1] in shown


async def test_v_gives_the_detail_the_list_rows_and_the_keys_then_gives_them_back() -> None:
    app = snapshot_app()  # the fake backend, frozen clock, no polling
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        screen = console(app)
        panel = screen.query_one(VerdictPanel)
        collapsed_height = panel.region.height
        await pilot.press("v")
        await pilot.pause()
        assert not screen.query_one("#endpoints-pane").display
        assert panel.has_focus and panel.region.height > collapsed_height + 6
        await pilot.press("pagedown")
        assert panel.scroll_y > 0  # the keys scroll it at once, no tab first
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#endpoints-pane").display
        assert screen.query_one("#endpoints").has_focus

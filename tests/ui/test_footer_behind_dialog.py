"""The console's footer is not rebuilt under a dialog (it was, on every `w`, on the path of
painting the editor), and is rebuilt once the console is back on top."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from canary_tui.ui.screens.editor import WeightEditor
from canary_tui.ui.widgets.footer import KeyFooter
from tests.ui.helpers import console, refresh_and_settle, wait_for
from tests.ui.test_ecosystem import make_app


async def test_the_footer_waits_under_a_dialog_and_catches_up_after() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        footer = console(app).query_one(KeyFooter)
        before = list(footer.query(FooterKey))
        assert any(key.description == "weights" for key in before)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")
        await pilot.pause()
        await pilot.pause()
        assert list(footer.query(FooterKey)) == before  # the same widgets: not rebuilt
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WeightEditor), "closed")
        await wait_for(
            pilot,
            lambda: (
                any(key.description == "weights" for key in footer.query(FooterKey))
                and list(footer.query(FooterKey)) != before
            ),
            "the footer rebuilt on return",
        )

"""The footer lets go of the keys it replaced (Textual keeps them via data binding)."""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey

from tests.ui.helpers import refresh_and_settle
from tests.ui.test_console import make_app


def detached_footer_keys() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, FooterKey) and not obj.is_attached)


async def test_focus_changes_do_not_pile_up_footer_keys() -> None:
    app, _, _ = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("tab", "tab")
        await pilot.pause()
        before = detached_footer_keys()
        for _ in range(10):  # every focus change recomposes the footer with new keys
            await pilot.press("tab")
            await pilot.pause()
        await pilot.press("question_mark", "escape")  # and every screen change
        await pilot.pause()
        assert detached_footer_keys() - before <= 15  # one footer's worth still being removed

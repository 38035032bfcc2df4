"""Issue 16: a region with no endpoints says so, instead of "select an endpoint"."""

from __future__ import annotations

from canary_tui.ui.app import CanaryApp
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.widgets.tables import VariantsTable
from tests.ui.fakes import fake_backend
from tests.ui.helpers import console, refresh_and_settle, wait_for
from tests.ui.test_ecosystem_moto import staging_app, switched_from
from tests.ui.test_verdict_ramp import make_app

__all__ = ["staging_app"]


def variants_title(app: CanaryApp) -> str:
    return str(console(app).query_one(VariantsTable).border_title)


async def test_region_switch_to_an_empty_region_says_it_has_no_endpoints(
    staging_app: CanaryApp,
) -> None:
    app = staging_app
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, "staging-endpoint")
        old = console(app)
        await pilot.press("colon", *"region ap-southeast-2", "enter")
        await switched_from(app, old, pilot)
        new = console(app)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: new.endpoints_part.listed, "the empty list")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen) and not new.summaries
        assert "no endpoints in ap-southeast-2" in variants_title(app)
        assert new.endpoints_part.empty_text() == "no endpoints in ap-southeast-2"
        assert "select an endpoint" not in variants_title(app)


async def test_a_filter_matching_nothing_says_so() -> None:
    app = make_app(fake_backend())
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("slash", *"zzz")
        await wait_for(
            pilot, lambda: "no endpoint matches /zzz" in variants_title(app), "the filter's text"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: "matches" not in variants_title(app), "the list back")

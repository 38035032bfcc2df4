"""The background describe pass over a long list: its progress is shown while it runs,
and it keeps to the configured rate (rounds of ``background_batch``)."""

from __future__ import annotations

from canary_tui.domain.models import Endpoint
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from tests.ui.fakes import fake_backend, frozen_clock, variant
from tests.ui.helpers import console, refresh_and_settle, wait_for

LISTED = 30


def long_list() -> dict[str, Endpoint]:
    return {
        f"ep-{index:02}": Endpoint(
            f"ep-{index:02}", "InService", (variant("a", 0.9), variant("b", 0.1))
        )
        for index in range(LISTED)
    }


async def test_the_first_pass_shows_how_far_it_is_and_how_long_is_left() -> None:
    backend = fake_backend(long_list())
    options = ConsoleOptions(
        poll=False, region="us-east-1", background_batch=5, background_describe_rate=2.5
    )
    app = CanaryApp(backend, None, options, clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await refresh_and_settle(pilot, "ep-00")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = console(app)
        # The poll described the selected endpoint; one background round five more.
        assert len(screen.endpoints) == 6
        assert backend.sagemaker.count("DescribeEndpoint") == 6
        pane = screen.query_one("#endpoints-pane")
        # 24 left at 2.5 a second: about 10 s.
        assert pane.border_subtitle == f"described 6/{LISTED}, ~10 s"
        for _ in range(4):  # each asked-for refresh brings one more round
            await pilot.press("ctrl+r")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert len(screen.endpoints) == 26
        # 4 left, within one round: the next round fills them, nothing to announce.
        await wait_for(pilot, lambda: pane.border_subtitle is None, "the progress gone")


def test_the_round_interval_keeps_to_the_rate() -> None:
    options = ConsoleOptions(background_batch=10, background_describe_rate=2.0)
    assert options.background_round_seconds == 5.0
    assert ConsoleOptions().background_round_seconds == 3.0  # the old 10 every 3 s

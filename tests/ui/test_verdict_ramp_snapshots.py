"""Snapshots of the verdict panel, the ramp plan and the ramp progress at 80x24 (and the
expanded verdict at 160x50), on the fake backend with the clock frozen and polling stopped.
Update with ``pytest --snapshot-update tests/ui/test_verdict_ramp_snapshots.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from canary_tui.domain.ramp import Phase
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.ramp import RampPlanDialog
from canary_tui.ui.widgets.verdict import VerdictPanel
from tests.ui.fakes import fake_backend, frozen_clock
from tests.ui.helpers import console, refresh_and_settle, wait_for
from tests.ui.ramp_fakes import SteppedClock, fake_launcher

SnapCompare = Callable[..., bool]


def snapshot_app(tmp_path: Path) -> CanaryApp:
    backend = fake_backend()
    launcher, changes = fake_launcher(backend, tmp_path, SteppedClock())
    return CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=False, region="us-east-1", mode_label="demo"),
        clock=frozen_clock,
        audit=launcher.audit,
        ramps=launcher,
    )


async def verdict_shown(pilot: Pilot[Any]) -> None:
    await refresh_and_settle(pilot)
    assert isinstance(pilot.app, CanaryApp)
    panel = console(pilot.app).query_one(VerdictPanel)
    await wait_for(
        pilot, lambda: panel.view is not None and panel.view.verdict is not None, "verdict"
    )
    await pilot.pause()


def after(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await verdict_shown(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()

    return run_before


class TestVerdictPanel:
    def test_collapsed_80x24(self, snap_compare: SnapCompare, tmp_path: Path) -> None:
        assert snap_compare(snapshot_app(tmp_path), terminal_size=(80, 24), run_before=after())

    def test_expanded_80x24(self, snap_compare: SnapCompare, tmp_path: Path) -> None:
        assert snap_compare(snapshot_app(tmp_path), terminal_size=(80, 24), run_before=after("v"))

    def test_wide_160x50(self, snap_compare: SnapCompare, tmp_path: Path) -> None:
        assert snap_compare(snapshot_app(tmp_path), terminal_size=(160, 50), run_before=after())


class TestRamp:
    def test_plan_80x24(self, snap_compare: SnapCompare, tmp_path: Path) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await verdict_shown(pilot)
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, RampPlanDialog), "plan")
            pilot.app.clear_notifications()
            await pilot.pause()

        assert snap_compare(snapshot_app(tmp_path), terminal_size=(80, 24), run_before=run_before)

    @pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
    def test_progress(
        self, snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]
    ) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await verdict_shown(pilot)
            app = pilot.app
            assert isinstance(app, CanaryApp)
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "plan")
            await pilot.press("e", "ctrl+u", *"25,50,100", "enter", "y")

            def baking() -> bool:
                entry = console(app).ramps.get("existing-endpoint-name")
                return entry is not None and entry.state.phase is Phase.BAKING

            await wait_for(pilot, baking, "step 1 baking")
            screen = console(app)

            def running(group: str) -> bool:
                return any(w.group == group and w.is_running for w in app.workers)

            def verdict_on_new_weights() -> bool:
                # Not wait_for_complete(): the ramp's worker runs until the ramp ends.
                endpoint = screen.endpoints["existing-endpoint-name"]
                key = screen.verdict.keys.get(endpoint.name)
                view = screen.verdict.verdicts.get(endpoint.name)
                return (
                    endpoint.desired_traffic_shares["new-model"] == 25.0
                    and key is not None
                    and key[3] == tuple(sorted(endpoint.current_weights.items()))
                    and view is not None
                    and view.verdict is not None
                    and not running("follow")
                    and not running("verdict")
                )

            await wait_for(pilot, verdict_on_new_weights, "the verdict on the new weights")
            await pilot.pause()
            app.clear_notifications()  # toasts would cover the panels
            await pilot.pause()

        assert snap_compare(snapshot_app(tmp_path), terminal_size=size, run_before=run_before)

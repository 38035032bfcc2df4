"""Regenerate the README screenshots from the demo: ``python screenshots/capture.py``.

Runs the same console as ``canary-tui demo`` (its moto server, traffic simulator, change
service and ramps, with a temporary audit log and ramp state), headless at 80x24 and 120x40,
and saves for each size: the main screen, the weight editor, the confirm dialog, the
verdict's detail and a ramp running. The changes go only to the demo's own server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from canary_tui.audit import AuditLog
from canary_tui.cli.demo import DemoStart, first_frame_options
from canary_tui.demo.quality import demo_quality_override
from canary_tui.demo.seed import CANARY_ENDPOINT
from canary_tui.demo.server import DemoServer
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.widgets.metrics import VariantMetricsRow

HERE = Path(__file__).parent
SIZES = ((80, 24), (120, 40))
SHOTS = ("main", "editor", "confirm", "verdict", "ramp")


async def until(pilot: object, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        await pilot.pause(0.1)  # type: ignore[attr-defined]


async def capture(server: DemoServer, size: tuple[int, int], data: Path) -> None:
    args = argparse.Namespace(
        scenario="healthy", seed=7, tick=5.0, read_only=False, theme=None, ascii=False
    )
    start = DemoStart(server, args)
    app = CanaryApp.starting(
        start,
        first_frame_options(args),
        starting_text="starting the demo account…",
        audit=AuditLog(data / f"audit-{size[0]}.jsonl"),
    )
    suffix = f"{size[0]}x{size[1]}"

    def shot(name: str) -> None:
        app.save_screenshot(f"{name}-{suffix}.svg", str(HERE))

    try:
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.change_service is not None, "the demo account")
            screen = app.console_screen
            await until(
                pilot,
                lambda: (
                    screen.selected == CANARY_ENDPOINT
                    and screen.metrics.has(CANARY_ENDPOINT)
                    and len(screen.query(VariantMetricsRow)) == 2
                    and "waiting" not in str(screen.verdict.verdicts.get(CANARY_ENDPOINT))
                ),
                "the canary's metrics and verdict",
            )
            await app.workers.wait_for_complete()
            await pilot.pause()
            shot("main")
            await pilot.press("w")
            await until(pilot, lambda: type(app.screen).__name__ == "WeightEditor", "editor")
            await pilot.press("right_square_bracket")  # the canary: 10 % -> 25 %
            await pilot.pause()
            shot("editor")
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmChange", "confirm")
            await pilot.pause()
            shot("confirm")
            await pilot.press("n")
            await until(pilot, lambda: app.screen is screen, "the console")
            opened = not screen.verdict.is_expanded  # from 36 rows it is open already
            if opened:
                await pilot.press("v")
            await pilot.pause()
            shot("verdict")
            if opened:
                await pilot.press("v")
            await pilot.press("r")
            await until(pilot, lambda: type(app.screen).__name__ == "RampPlanDialog", "plan")
            await pilot.press("y")
            await until(
                pilot,
                lambda: (
                    bool(screen.ramps)
                    and screen.ramps[CANARY_ENDPOINT].state.step_index >= 0
                    and "baking" in str(screen.ramps[CANARY_ENDPOINT].state.phase).lower()
                ),
                "the ramp's first step",
            )
            # Not workers.wait_for_complete(): the ramp's worker bakes for ten minutes.
            await pilot.pause(0.5)
            shot("ramp")
            screen.ramp_part.detach_all()
    finally:
        start.close()


def main() -> None:
    os.environ.pop("CANARY_TUI_CONFIG", None)
    for size in SIZES:
        # Each size its own audit log and ramp state: a ramp detached by the first run
        # would be offered for resuming in the next.
        data = Path(tempfile.mkdtemp(prefix="canary-tui-shots-"))
        os.environ["XDG_DATA_HOME"] = str(data)
        os.environ.update(demo_quality_override())  # the demo's accuracy metric, as the demo
        server = DemoServer()
        server.launch()
        try:
            asyncio.run(capture(server, size, data))
        finally:
            server.stop()
    names = [f"{shot}-{w}x{h}.svg" for w, h in SIZES for shot in SHOTS]
    print(f"saved {', '.join(names)} in {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Regenerate the README screenshots from the demo: ``python screenshots/capture.py``.

Starts the same embedded demo as ``canary-tui demo`` (moto server + traffic simulator), opens
the console headless at 120x36, and saves SVGs of the main screen, the weight editor and the
confirm dialog. Nothing is applied: the dialog is cancelled.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from canary_tui.aws.backend import build_backend
from canary_tui.demo.clients import DemoAwsClients
from canary_tui.demo.seed import CANARY_ENDPOINT, seed_demo_account, seed_demo_scaling
from canary_tui.demo.server import DemoServer
from canary_tui.demo.simulator import TrafficSimulator, demo_traffic
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.widgets.metrics import VariantMetricsRow

HERE = Path(__file__).parent
SIZE = (120, 36)


async def capture(url: str) -> None:
    backend = build_backend(DemoAwsClients(url), label="demo")
    app = CanaryApp(
        backend,
        None,
        ConsoleOptions(mode_label="demo", region="us-east-1"),
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = app.console_screen
        deadline = time.monotonic() + 30
        while not (
            screen.selected == CANARY_ENDPOINT
            and screen.metrics.has(CANARY_ENDPOINT)
            and len(screen.query(VariantMetricsRow)) == 2
        ):
            if time.monotonic() > deadline:
                raise SystemExit("the demo did not load in 30 s")
            await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot("main.svg", str(HERE))
        # The editor needs a change service to open; the demo console has one, but this
        # script must never apply anything, so it only looks.
        app.console_screen.change_service = _NeverApply()
        await pilot.press("w", "right_square_bracket")  # the canary: 10 % -> 25 %
        await pilot.pause()
        app.save_screenshot("editor.svg", str(HERE))
        await pilot.press("enter")
        await pilot.pause()
        app.save_screenshot("confirm.svg", str(HERE))
        await pilot.press("n")
        await pilot.pause()


class _NeverApply:
    def apply(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError("screenshots never apply a change")


def main() -> None:
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="canary-tui-shots-")
    with DemoServer() as server:
        clients = DemoAwsClients(server.url)
        seed_demo_account(clients.sagemaker)
        seed_demo_scaling(clients.application_autoscaling)
        simulator = TrafficSimulator(
            clients.sagemaker, clients.cloudwatch, traffic=demo_traffic("healthy"), seed=7
        )
        simulator.backfill(simulator.now())
        asyncio.run(capture(server.url))
    print(f"saved {', '.join(p.name for p in sorted(HERE.glob('*.svg')))} in {HERE}")


if __name__ == "__main__":
    main()

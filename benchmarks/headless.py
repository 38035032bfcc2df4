"""The console, headless, against a moto server: a simulated hour of refreshes, counted.

Run as a child process by ``benchmarks.run`` (its own RSS, its own GIL)::

    python -m benchmarks.headless URL --minutes 60

Drives the real :class:`canary_tui.ui.app.CanaryApp` through Textual's Pilot, ``ctrl+r`` once
per simulated minute (the default cadence follows the 60 s metric period) with the app's clock
advanced by a minute each time, and prints one JSON object: API calls per refresh, metric
queries, event-loop lateness of a 10 ms heartbeat during refreshes, RSS over time, and
whether the verdict panel judged the endpoint on screen (and loaded no scipy or numpy).
Polling timers are off (``poll=False``): the refreshes are the ones the timer would start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.fixtures import FIRST_ENDPOINT, CallCounter
from canary_tui.aws.backend import build_backend
from canary_tui.aws.session import AwsClients, AwsTarget
from canary_tui.demo.clients import DEMO_REGION
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.console import ConsoleScreen

HEARTBEAT_SECONDS = 0.01


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Heartbeat:
    """Lateness of a 10 ms interval timer: how long the event loop could not run it."""

    def __init__(self) -> None:
        self.recording = False
        self.lateness: list[float] = []
        self._last: float | None = None

    def beat(self) -> None:
        now = time.perf_counter()
        if self._last is not None and self.recording:
            self.lateness.append(max(0.0, now - self._last - HEARTBEAT_SECONDS))
        self._last = now


async def simulate(url: str, minutes: int) -> dict[str, Any]:
    counter = CallCounter()
    clients = AwsClients(AwsTarget(region=DEMO_REGION, endpoint_url=url), on_client_created=counter)
    start = datetime.now(UTC)
    simulated = [start]
    app = CanaryApp(
        build_backend(clients, label="bench"),
        None,
        ConsoleOptions(read_only=True, poll=False, region=DEMO_REGION),
        clock=lambda: simulated[0],
    )
    heartbeat = Heartbeat()
    refreshes: list[dict[str, Any]] = []
    rss: list[tuple[int, float]] = []

    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        app.set_interval(HEARTBEAT_SECONDS, heartbeat.beat)

        async def refresh() -> dict[str, Any]:
            before_calls, before_queries = counter.snapshot()
            heartbeat.recording = True
            began = time.perf_counter()
            await pilot.press("ctrl+r")
            # Until the poll and the background round it starts are done and on screen.
            while True:
                await app.workers.wait_for_complete()
                await pilot.pause()
                if not any(w.is_running for w in app.workers):
                    break
            elapsed = time.perf_counter() - began
            heartbeat.recording = False
            after_calls, after_queries = counter.snapshot()
            calls = after_calls - before_calls
            return {
                "calls": dict(calls),
                "queries": after_queries - before_queries,
                "seconds": elapsed,
            }

        first = await refresh()
        if screen.selected != FIRST_ENDPOINT or not screen.metrics.has(FIRST_ENDPOINT):
            raise RuntimeError(f"the console did not open on {FIRST_ENDPOINT}: {screen.selected}")
        rss.append((0, rss_mb()))
        for minute in range(1, minutes + 1):
            simulated[0] = start + timedelta(minutes=minute)
            refreshes.append(await refresh())
            if minute % 15 == 0:
                rss.append((minute, rss_mb()))
        described = len(screen.endpoints)
        listed = len(screen.summaries)
        shown = screen.verdict.verdicts.get(FIRST_ENDPOINT)
        verdict_computed = shown is not None and shown.verdict is not None

    # Steady state: after the background loop has described every endpoint once, a refresh
    # is just the poll (the loop re-describes an endpoint only every 300 s of wall time).
    steady = [
        r
        for r in refreshes
        if "sagemaker.DescribeEndpoint" in r["calls"]
        and r["calls"]["sagemaker.DescribeEndpoint"] <= 2
    ] or refreshes
    per_op: dict[str, list[int]] = {}
    for op in (
        "sagemaker.ListEndpoints",
        "sagemaker.DescribeEndpoint",
        "sagemaker.DescribeEndpointConfig",
        "cloudwatch.GetMetricData",
    ):
        per_op[op] = [r["calls"].get(op, 0) for r in steady]
    total: Counter[str] = Counter()
    for r in refreshes:
        total.update(r["calls"])
    return {
        "minutes": minutes,
        "listed": listed,
        "described": described,
        "variants_on_screen": len(screen.endpoints[FIRST_ENDPOINT].variants),
        "first_refresh": first,
        "steady_refreshes": len(steady),
        "steady_calls_max": {op: max(v) for op, v in per_op.items()},
        "steady_calls_min": {op: min(v) for op, v in per_op.items()},
        "metric_queries_per_hour": sum(r["queries"] for r in refreshes) * 60 / minutes,
        "calls_total": dict(total),
        "heartbeat_samples": len(heartbeat.lateness),
        "heartbeat_p99_ms": percentile(heartbeat.lateness, 0.99) * 1000,
        "heartbeat_max_ms": max(heartbeat.lateness, default=float("nan")) * 1000,
        "refresh_seconds_median": statistics.median(r["seconds"] for r in refreshes),
        "rss_mb": rss,
        # The RSS above includes the verdict panel's statistics: true when it judged once.
        "verdict_computed": verdict_computed,
        # The verdict's tests are plain Python (canary_tui.domain.stats): expected empty.
        "numeric_modules_loaded": sorted(m for m in ("scipy", "numpy") if m in sys.modules),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.headless")
    parser.add_argument("url")
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(simulate(args.url, args.minutes))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

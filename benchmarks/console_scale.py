"""The console at thousands of endpoints (issue 13's "Scale and speed"): ``--only scale``.

Against :mod:`benchmarks.bulk_server` (a moto child seeded with 5,000 or 2,000 endpoints
x 3 variants in its backend), each figure beside its yardstick from the same run:

1. ``canary-tui --read-only`` in an 80x24 pty, from spawn until the endpoints pane's title
   says ``(5000)`` (the table holds every row), vs a plain boto3 script listing the same
   5,000 endpoints (50 pages) from spawn to exit; alternating, median.
2. the headless console (:mod:`benchmarks.scale_child` ``keys``): a filter keystroke → the
   frame showing the filtered rows, and ``w`` → the frame showing the weight editor, p99;
   vs a one-Input app echoing the same keys and opening a one-Static dialog.
3. figure 8's simulated hour at 5,000: RSS every 15 simulated minutes, every endpoint
   described in the run.
4. the background describe pass at 2,000 at the default options (timers on, real clock):
   endpoints described per second over a window, so the time a whole pass takes.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.bulk_server import bulk_server
from benchmarks.fixtures import aws_environment, json_child, publish_minutes
from benchmarks.headless import percentile
from benchmarks.run import Figure, report
from benchmarks.terminal import TerminalSession
from canary_tui.demo.clients import DemoAwsClients

SCALE = 5000
PASS_SCALE = 2000

#: Lists every endpoint with the paginator, as any script would: what the list costs.
LIST_SCRIPT = (
    "import boto3\n"
    "client = boto3.client('sagemaker')\n"
    "pages = client.get_paginator('list_endpoints').paginate()\n"
    "print(sum(len(page['Endpoints']) for page in pages))\n"
)


def child(mode: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    return json_child("benchmarks.scale_child", [mode, *args], env, timeout=1800)


def list_on_screen(url: str, runs: int, figures: list[Figure]) -> None:
    env = aws_environment(url)
    ours, plain, first_frames = [], [], []
    for _ in range(runs):
        began = time.monotonic()
        listed = subprocess.run(
            [sys.executable, "-c", LIST_SCRIPT],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        plain.append(time.monotonic() - began)
        if int(listed.stdout.strip()) != SCALE:
            raise RuntimeError(f"the script listed {listed.stdout.strip()}, not {SCALE}")
        argv = [sys.executable, "-m", "canary_tui", "--read-only"]
        with TerminalSession(argv, env, columns=80, rows=24) as term:
            first_frames.append(term.wait_for_text("Endpoints"))
            ours.append(term.wait_for_text(f"Endpoints ({SCALE})", timeout=300))
    ratio = statistics.median(ours) / statistics.median(plain)
    report(
        Figure(
            f"console at {SCALE}: list on screen (pty, median of {runs})",
            f"{statistics.median(ours):.2f} s vs boto3 list script "
            f"{statistics.median(plain):.2f} s = {ratio:.1f}x",
            "<= 3 s",
            statistics.median(ours) <= 3.0,
        ),
        figures,
    )
    report(
        Figure(
            "  its first frame",
            f"{statistics.median(first_frames) * 1000:.0f} ms",
            "-",
            None,
        ),
        figures,
    )


def key_latency(url: str, rounds: int, opens: int, figures: list[Figure]) -> None:
    env = aws_environment(url)
    sizes = ["--rounds", str(rounds), "--opens", str(opens)]
    yard = child("yardstick", env, *sizes)
    ours = child("keys", env, url, *sizes)
    for name, key, label in (
        ("filter_ms", "filter keystroke → repaint", "/ then type, backspace"),
        ("editor_ms", "w → editor painted", "w, escape"),
    ):
        p99, p50 = percentile(ours[name], 0.99), statistics.median(ours[name])
        yard_p99 = percentile(yard[name], 0.99)
        report(
            Figure(
                f"console at {ours['listed']}: {key} (p99)",
                f"{p99:.0f} ms (p50 {p50:.0f}, max {max(ours[name]):.0f}, "
                f"{len(ours[name])} keys; yardstick p99 {yard_p99:.0f} ms)",
                "p99 < 50 ms",
                p99 < 50,
            ),
            figures,
        )
        print(f"    {label}: {' '.join(f'{ms:.0f}' for ms in ours[name])}", flush=True)


def memory_at_scale(url: str, minutes: int, batch: int, figures: list[Figure]) -> None:
    hour = child(
        "hour", aws_environment(url), url, "--minutes", str(minutes), "--batch", str(batch)
    )
    samples = hour["rss_mb"]
    final = samples[-1][1]
    half = next(mb for minute, mb in samples if minute >= minutes // 2)
    growth = final - half
    trail = " ".join(f"{minute}m:{mb:.0f}" for minute, mb in samples)
    refresh = hour["refresh_seconds"]
    report(
        Figure(
            f"RSS, {hour['listed']}x3 after {minutes} simulated min",
            f"{final:.0f} MB ({trail}; {hour['described']} described, {hour['rows']} rows)",
            "< 150 MB, flat",
            final < 150 and growth < 0.05 * final and hour["described"] == hour["listed"],
        ),
        figures,
    )
    report(
        Figure(
            f"  a refresh with {batch} background describes",
            f"median {statistics.median(refresh):.1f} s, max {max(refresh):.1f} s",
            "-",
            None,
        ),
        figures,
    )


def describe_pass(url: str, window: float, figures: list[Figure]) -> None:
    result = child("pass", aws_environment(url), url, "--seconds", str(window))
    samples = result["samples"]
    # From the first sample after the first background round, to the last sample.
    start = next((s for s in samples if s[1] > 1), samples[0])
    end = samples[-1]
    rate = (end[1] - start[1]) / (end[0] - start[0]) if end[0] > start[0] else float("nan")
    listed = result["listed"]
    batch, follow = result["background_batch"], result["follow_seconds"]
    rounds = math.ceil(listed / batch)
    round_seconds = batch / rate if rate else float("nan")
    report(
        Figure(
            f"background describe pass at {listed} (defaults: {batch} every {follow:g} s)",
            f"{listed / rate / 60:.1f} min projected ({rate:.2f}/s measured over "
            f"{end[0] - start[0]:.0f} s; {rounds} rounds x {round_seconds:.2f} s)",
            "stated",
            None,
        ),
        figures,
    )
    report(
        Figure(
            f"  re-describe interval {result['background_describe_seconds']:g} s vs one pass",
            f"a pass takes {listed / rate:.0f} s: each endpoint is re-described once a pass",
            "-",
            None,
        ),
        figures,
    )


def scale(quick: bool, figures: list[Figure]) -> None:
    with bulk_server(SCALE) as url:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        # The first endpoint's hour of metrics, as figure 8's fixture has it.
        publish_minutes(DemoAwsClients(url), "bench-0000", now - timedelta(minutes=60), 61)
        list_on_screen(url, 1 if quick else 3, figures)
        key_latency(url, 5 if quick else 10, 40 if quick else 100, figures)
        memory_at_scale(url, 60 if quick else 120, 100 if quick else 50, figures)
    with bulk_server(PASS_SCALE) as url:
        describe_pass(url, 45 if quick else 90, figures)

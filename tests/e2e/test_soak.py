"""A bounded soak test: the console on the demo backend, driven by random keys.

The real stack runs end to end: the demo's moto server process (DemoServer, seeded with the
demo account), a real Backend on DemoAwsClients, a real ChangeService and an AuditLog in
tmp_path, and the traffic simulator publishing on an injected clock (the console reads its
metrics windows from the same clock). A seeded random sequence of valid and invalid keys
(navigation, edits, confirms and refusals, filter text, window and chart keys, help, audit,
and keys bound to nothing) is pressed through Pilot; between batches the clock moves on a
minute and the simulator publishes that minute of traffic.

What it asserts at the end:

- nothing escaped: the app is still running (no return code), and no notification shows a
  Python exception's name (what the console prints for an error that is not a typed AWS
  error, a refusal or an input error) or reports a failed worker other than a change the
  AWS side refused;
- the app still answers: ``?`` opens help and ``escape`` closes it;
- memory is bounded: traced Python memory (tracemalloc) at the end is within
  ``MEMORY_GROWTH_BOUND`` of what it was after the warm-up third of the steps;
- the audit log matches the endpoints: every intent has an outcome, and each endpoint's live
  desired weights (DescribeEndpoint) are those of its last ``ok`` outcome, or the seed's when
  it has none;
- at least one change was really applied (the sequence is biased towards w ... enter y).

The sequence is deterministic by seed (``SOAK_SEED``); the console's refresh and follow
timers run in real time, so which poll sees which state is not. ``q``, ``ctrl+q``,
``ctrl+c``, ``:`` (whose prompt takes ``:q``) and ``ctrl+p`` (whose palette can run quit)
are never pressed, nor ``r``/``P``/``S``/``X`` (ramps are not wired here; tests/e2e/
test_ramp_demo.py and tests/ui/test_verdict_ramp*.py cover them).

Run it longer by hand with ``CANARY_TEST_SOAK_STEPS`` (and another ``CANARY_TEST_SOAK_SEED``)::

    CANARY_TEST_SOAK_STEPS=5000 pytest -q tests/e2e/test_soak.py
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import random
import re
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerFailed, WorkerState

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import build_backend
from canary_tui.changes import ChangeService
from canary_tui.demo.clients import DemoAwsClients
from canary_tui.demo.seed import DEMO_ENDPOINTS, seed_demo_account
from canary_tui.demo.server import DemoServer
from canary_tui.demo.simulator import TrafficSimulator, demo_traffic
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.screens.help import HelpScreen
from tests.ui.helpers import wait_for

REGION = "us-east-1"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SOAK_SEED = int(os.environ.get("CANARY_TEST_SOAK_SEED", "20261125"))
#: Sized for about 60-90 s on a 2-core machine shared with other work.
DEFAULT_STEPS = 240
SOAK_STEPS = int(os.environ.get("CANARY_TEST_SOAK_STEPS", str(DEFAULT_STEPS)))
#: SOAK_DEBUG=1 (with pytest -s): print the notifications and the biggest memory growth.
DEBUG = bool(os.environ.get("SOAK_DEBUG"))
#: A step (a few keys, maybe a tick) that takes this long has hung.
STEP_TIMEOUT_SECONDS = 60
#: Steps between two simulator ticks (each tick is one simulated minute).
STEPS_PER_TICK = 20
#: Traced memory may grow this much from the end of the warm-up third to the end. The
#: console's own state is bounded by design (one metrics cache per window and endpoint, 9
#: demo endpoints, notifications that expire, screens popped when closed), so a leak per
#: key press or per refresh (a few KB each) would pass this only if it were tiny; what
#: legitimately still grows after warm-up is Textual's bounded caches (style, segment and
#: layout LRUs, a few MB at most) and CPython's own free lists. Steps that add up to
#: thousands of refreshes and key presses would cross 20 MB at ~10 KB leaked per step.
MEMORY_GROWTH_BOUND = 20 * 1024 * 1024

#: Detached widgets that may be alive at one moment and not the other (a toast or dialog
#: still being torn down when counted).
DETACHED_WIDGET_SLACK = 10
#: What ``_error_text`` prints for an error that is not a typed AWS error, a refusal or an
#: input error: ``TypeError: ...``. An expected failure never reads like that.
EXCEPTION_TEXT = re.compile(r"^\s*[A-Za-z_][\w.]*(Error|Exception|Failure|Interrupt)\b:")
#: Keys bound to nothing on any screen, or meaningless where they land.
GARBAGE_KEYS = (
    "x", "z", "Z", "j", "k", "h", "l", "o", "u", "i", "t", "d", "@", "#", "!", "-", "+",
    "%", ".", "0", "9", "é", "ж", "٣", "home", "end", "pageup", "pagedown", "delete",
    "backspace", "f5", "ctrl+t", "ctrl+a", "ctrl+e", "insert",
)  # fmt: skip
FILTER_TEXT = "abcdefghijklmnoprstuvwxyz-0123456789 "  # no q: a stray one must never quit
EDITOR_KEYS = (
    "right_square_bracket", "left_square_bracket", "up", "down", "shift+up", "shift+down",
    "tab", "ctrl+t", "backspace", "0", "1", "5", ".", "%", "x",
)  # fmt: skip
SINGLE_KEYS = (
    "up", "down", "left", "right", "shift+up", "shift+down", "tab", "shift+tab", "enter",
    "escape", "space", "ctrl+r", "w", "b", "p", "c", "B", "y", "n", "e", "1", "2", "3", "4",
    "m", "g", "v", "a", "f", "question_mark", "left_square_bracket", "right_square_bracket",
)  # fmt: skip


@dataclass
class SoakClock:
    now_value: datetime = T0

    def now(self) -> datetime:
        return self.now_value


@dataclass
class Notices:
    """Every notification the app showed: (severity, title, message)."""

    seen: list[tuple[str, str, str]] = field(default_factory=list)

    def internal_failures(self) -> list[tuple[str, str, str]]:
        failures = []
        for severity, title, message in self.seen:
            if EXCEPTION_TEXT.match(message):
                failures.append((severity, title, message))
            elif severity == "error" and title.endswith(" failed") and title != "Change failed":
                # "<group> failed": a worker other than poll/select/follow/change died.
                failures.append((severity, title, message))
        return failures


def record_notifications(app: CanaryApp, notices: Notices) -> None:
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        notices.seen.append(
            (str(kwargs.get("severity", "information")), str(kwargs.get("title", "")), message)
        )
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]


# -- the random key sequence -------------------------------------------------------------


def change_macro(rng: random.Random) -> list[str]:
    """w, a few editor keys, enter, then mostly y: the flow that really changes weights."""
    edits = [rng.choice(("right_square_bracket", "left_square_bracket", "shift+up"))]
    edits += [rng.choice(EDITOR_KEYS) for _ in range(rng.randint(0, 2))]
    return ["w", *edits, "enter", rng.choice(("y", "y", "y", "n"))]


def one_key(rng: random.Random) -> list[str]:
    return [rng.choice(SINGLE_KEYS)]


def garbage(rng: random.Random) -> list[str]:
    return [rng.choice(GARBAGE_KEYS) for _ in range(rng.randint(1, 3))]


def filter_text(rng: random.Random) -> list[str]:
    """Type a filter; mostly clear it again, as people do (one that matches nothing would
    leave nothing selected, and every later edit key would only be refused)."""
    text = [rng.choice(FILTER_TEXT) for _ in range(rng.randint(0, 4))]
    cleared = ["backspace"] * (len(text) + 1) if rng.random() < 0.75 else []
    return ["slash", *text, *cleared, rng.choice(("enter", "escape"))]


def digits_in_a_field(rng: random.Random) -> list[str]:
    """An editor (weights or count) with typed text, valid or not."""
    opener = rng.choice(("w", "c"))
    typed = [rng.choice("0123456789.% ") for _ in range(rng.randint(0, 5))]
    return [opener, *typed, "enter", rng.choice(("y", "n", "escape"))]


def rollback_or_promote(rng: random.Random) -> list[str]:
    return [rng.choice(("b", "p")), rng.choice(("y", "n", "escape"))]


MOVES: tuple[tuple[Callable[[random.Random], list[str]], int], ...] = (
    (one_key, 50),
    (garbage, 12),
    (filter_text, 6),
    (change_macro, 8),
    (digits_in_a_field, 6),
    (rollback_or_promote, 4),
)


def key_sequence(seed: int, steps: int) -> Iterator[list[str]]:
    rng = random.Random(seed)
    moves = [move for move, _ in MOVES]
    weights = [weight for _, weight in MOVES]
    for _ in range(steps):
        yield rng.choices(moves, weights)[0](rng)


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def demo_url(demo_server: DemoServer) -> str:
    requests.post(f"{demo_server.url}/moto-api/reset", timeout=10).raise_for_status()
    seed_demo_account(boto3.client("sagemaker", region_name=REGION, endpoint_url=demo_server.url))
    return demo_server.url


def live_desired_weights(url: str) -> dict[str, dict[str, float]]:
    sagemaker = boto3.client("sagemaker", region_name=REGION, endpoint_url=url)
    weights = {}
    for name in DEMO_ENDPOINTS:
        described = sagemaker.describe_endpoint(EndpointName=name)
        weights[name] = {
            v["VariantName"]: float(v["DesiredWeight"]) for v in described["ProductionVariants"]
        }
    return weights


def traced_now() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def detached_widgets() -> Counter[str]:
    """Widgets still alive but no longer in the DOM (closed dialogs, removed rows...)."""
    gc.collect()
    return Counter(
        type(node).__name__
        for node in gc.get_objects()
        if isinstance(node, Widget) and not node.is_attached
    )


async def settle(pilot: Pilot[int], app: CanaryApp) -> None:
    """Wait for the workers under way, except the flow worker: it awaits the open dialog,
    and would wait for ever. A worker that failed is the app's to report (notifications are
    checked at the end), not this wait's."""
    busy = [
        worker
        for worker in app.workers
        if worker.group != "flow" and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
    ]
    if busy:  # (an empty list would mean "all workers" to wait_for_complete)
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete(busy)
    await pilot.pause()


async def back_to_console(pilot: Pilot[int], app: CanaryApp) -> None:
    """Close whatever dialogs are open (escape answers no in every one of them)."""
    for _ in range(10):
        await settle(pilot, app)
        if isinstance(app.screen, ConsoleScreen):
            await settle(pilot, app)
            return
        await pilot.press("escape")
    raise AssertionError(f"could not get back to the console from {app.screen!r}")


# -- the test -----------------------------------------------------------------------------


async def test_console_survives_random_keys_on_the_demo(demo_url: str, tmp_path: Path) -> None:
    clock = SoakClock()
    simulator_clients = DemoAwsClients(demo_url)
    simulator = TrafficSimulator(
        simulator_clients.sagemaker,
        simulator_clients.cloudwatch,
        traffic=demo_traffic("healthy"),
        seed=SOAK_SEED,
        now=clock.now,
    )
    simulator.backfill(T0, timedelta(hours=1))
    seeded = live_desired_weights(demo_url)

    backend = build_backend(DemoAwsClients(demo_url), label="demo")
    audit = AuditLog(tmp_path / "audit.jsonl")
    app = CanaryApp(
        backend,
        ChangeService(backend, audit, "console"),
        # Refresh and follow on a short real-time cadence, so polls interleave with keys.
        ConsoleOptions(
            region=REGION, mode_label="demo", demo=True, refresh_seconds=3.0, follow_seconds=1.0
        ),
        audit=audit,
        clock=clock.now,
    )
    notices = Notices()
    record_notifications(app, notices)

    warm_up_steps = max(1, SOAK_STEPS // 3)
    memory_after_warm_up: int | None = None
    detached_after_warm_up: Counter[str] = Counter()
    warm_snapshot: tracemalloc.Snapshot | None = None
    tracemalloc.start()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: bool(app.console_screen.summaries), "the endpoint list")
            for step, keys in enumerate(key_sequence(SOAK_SEED, SOAK_STEPS), start=1):
                try:
                    async with asyncio.timeout(STEP_TIMEOUT_SECONDS):
                        for key in keys:
                            await pilot.press(key)
                        if step % STEPS_PER_TICK == 0:
                            clock.now_value += timedelta(minutes=1)
                            await asyncio.to_thread(simulator.tick, clock.now_value)
                            await settle(pilot, app)
                        if step == warm_up_steps:
                            await back_to_console(pilot, app)
                            memory_after_warm_up = traced_now()
                            detached_after_warm_up = detached_widgets()
                            warm_snapshot = tracemalloc.take_snapshot() if DEBUG else None
                except TimeoutError:
                    raise AssertionError(f"step {step} ({keys}) hung on {app.screen!r}") from None
                assert app.return_code is None, f"the app exited at step {step} after {keys}"

            await back_to_console(pilot, app)
            memory_at_end = traced_now()
            detached_at_end = detached_widgets()
            if DEBUG and warm_snapshot is not None:
                diff = tracemalloc.take_snapshot().compare_to(warm_snapshot, "filename")
                for stat in diff[:25]:
                    print(stat)
            assert app.return_code is None

            # Still answers keys: help opens and closes.
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen), "the console")
            # Nothing is open now: every worker, the flow worker too, must come to an end.
            await asyncio.wait_for(app.workers.wait_for_complete(), timeout=30)
    finally:
        tracemalloc.stop()

    for notice in notices.seen if DEBUG else ():
        print(notice)
    assert simulator.failed_ticks == 0, simulator.last_error
    assert notices.internal_failures() == []

    assert memory_after_warm_up is not None
    growth = memory_at_end - memory_after_warm_up
    assert growth < MEMORY_GROWTH_BOUND, f"traced memory grew {growth / 1e6:.1f} MB"
    # Sharper than bytes: closed dialogs, removed rows, expired toasts and the footer keys
    # of every recompose (see canary_tui.ui.widgets.footer) must be freed.
    leaked = detached_at_end - detached_after_warm_up
    assert sum(leaked.values()) <= DETACHED_WIDGET_SLACK, leaked

    # The audit log against the endpoints.
    entries = audit.entries()
    assert all(entry.is_finished for entry in entries), [
        e.change_id for e in entries if not e.is_finished
    ]
    applied = [entry for entry in entries if entry.result == "applied"]
    assert applied, "no change was applied during the soak: it proved nothing"
    live = live_desired_weights(demo_url)
    # A summary for whoever runs it longer by hand (pytest -s).
    results = [entry.result for entry in entries]
    print(
        f"soak: {SOAK_STEPS} steps, seed {SOAK_SEED}; changes "
        f"{ {result: results.count(result) for result in sorted(set(results))} }; "
        f"traced memory {memory_after_warm_up / 1e6:.1f} -> {memory_at_end / 1e6:.1f} MB; "
        f"{len(notices.seen)} notifications; detached widgets "
        f"{sum(detached_after_warm_up.values())} -> {sum(detached_at_end.values())} "
        f"({detached_at_end.most_common(3)})"
    )
    for name, weights in live.items():
        last_ok = [entry for entry in applied if entry.endpoint == name][-1:]
        if not last_ok:
            assert weights == pytest.approx(seeded[name]), name
            continue
        outcome = last_ok[0].outcome
        assert outcome is not None
        expected = outcome.desired_weights_after or last_ok[0].intent.weights_after
        assert weights == pytest.approx(dict(expected)), name

"""The console at thousands of endpoints, headless, in a child process of its own.

Run by :mod:`benchmarks.console_scale` (its own RSS and GIL; the moto server is a third
process)::

    python -m benchmarks.scale_child keys URL --rounds 10 --opens 100
    python -m benchmarks.scale_child yardstick --rounds 10 --opens 100
    python -m benchmarks.scale_child hour URL --minutes 120 --batch 100
    python -m benchmarks.scale_child pass URL --seconds 90

Each prints one JSON object on its last line. The console is driven only through its public
surface: :class:`CanaryApp`, key events, the DOM (the ``#endpoints`` table, the title of the
pane around it, the screen on top) and ``app.console_screen``'s ``summaries`` / ``endpoints``.

Key → painted (:class:`Frames`): the key event goes to the app as Pilot sends it, and the
sample ends when the compositor has rendered the first frame that shows the key's result
(the pane's title names the new filter and the table holds the rows it matches; the editor
is the screen being drawn), including the escape sequences for the terminal, which headless
Textual would skip: only the write itself is left out. ``pilot.press``/``pause`` alone
cannot time this: each waits for the process to look idle in 20 ms sleeps (~85 ms a key).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from benchmarks.headless import rss_mb
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions

SIZE = (120, 36)
FILTER_TYPED = "bench-4999"


class Frames:
    """Wraps ``app._display`` (called with each update the compositor rendered): headless
    updates also build their terminal output, and the first frame after a key that shows
    what it should is timed."""

    def __init__(self, app: App[Any]) -> None:
        from textual._compositor import CompositorUpdate

        self.app = app
        self.shows: Callable[[Any], bool] | None = None
        self.shown_at: float | None = None
        self.shown = asyncio.Event()
        display = app._display

        def display_and_render(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is None:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            if self.shows is not None and self.shown_at is None and self.shows(screen):
                self.shown_at = time.perf_counter()
                self.shown.set()

        app._display = display_and_render  # type: ignore[method-assign]

    async def press(self, pilot: Pilot[Any], key: str, shows: Callable[[Any], bool]) -> float:
        """Milliseconds from the key event to the end of the first frame rendered with
        ``shows(screen)`` true; then waits (untimed) until the app is idle again."""
        self.shows, self.shown_at = shows, None
        self.shown.clear()
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        try:  # the character, as Pilot.press derives it
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(name))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(name, char)
        event.set_sender(self.app)
        assert self.app._driver is not None
        began = time.perf_counter()
        self.app._driver.send_message(event)
        await asyncio.wait_for(self.shown.wait(), timeout=600)
        assert self.shown_at is not None
        elapsed = (self.shown_at - began) * 1000
        self.shows = None
        await pilot.pause()
        return elapsed


def console_app(url: str, options: ConsoleOptions, audit_dir: str | None = None) -> CanaryApp:
    from canary_tui.audit import AuditLog
    from canary_tui.aws.backend import build_backend
    from canary_tui.aws.session import AwsClients, AwsTarget
    from canary_tui.changes import ChangeService
    from canary_tui.demo.clients import DEMO_REGION

    backend = build_backend(AwsClients(AwsTarget(region=DEMO_REGION, endpoint_url=url)), "bench")
    changes = None
    if audit_dir is not None:  # the editor opens only in a writable console
        changes = ChangeService(backend, AuditLog(Path(audit_dir) / "audit.jsonl"), "console")
    return CanaryApp(backend, changes, options)


async def settle(app: App[Any], pilot: Pilot[Any]) -> None:
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


def endpoints_table(app: CanaryApp) -> Any:
    """The endpoint list (``row_count``: the rows the filter matches)."""
    return app.console_screen.query_one("#endpoints")


def endpoints_subtitle(app: CanaryApp) -> str | None:
    """The subtitle of the titled pane around the endpoints table (it shows the filter)."""
    node: Widget | None = endpoints_table(app)
    while node is not None and not node.border_title:
        node = node.parent if isinstance(node.parent, Widget) else None
    return None if node is None else node.border_subtitle


async def keys(url: str, rounds: int, opens: int) -> dict[str, Any]:
    options = ConsoleOptions(poll=False, region="us-east-1")
    with tempfile.TemporaryDirectory(prefix="canary-scale-") as audit_dir:
        app = console_app(url, options, audit_dir)
        async with app.run_test(size=SIZE) as pilot:
            frames = Frames(app)
            began = time.perf_counter()
            await pilot.press("ctrl+r")
            await settle(app, pilot)
            loaded = time.perf_counter() - began
            names = list(app.console_screen.summaries)
            if endpoints_table(app).row_count != len(names):
                raise RuntimeError(f"{endpoints_table(app).row_count} rows for {len(names)}")
            filter_ms = await filter_samples(app, pilot, frames, names, rounds)
            await pilot.press("escape")  # leave the (empty) filter: the endpoints table again
            await pilot.pause()
            editor_ms = await editor_samples(app, pilot, frames, opens)
    return {
        "listed": len(names),
        "loaded_s": loaded,
        "filter_ms": filter_ms,
        "editor_ms": editor_ms,
    }


async def filter_samples(
    app: CanaryApp, pilot: Pilot[Any], frames: Frames, names: list[str], rounds: int
) -> list[float]:
    """``/``, then type FILTER_TYPED a letter at a time and take it back with backspace:
    5,000 → 1,000 → 100 → 10 → 1 rows and back up, one sample per key."""
    await pilot.press("slash")
    await pilot.pause()
    table = endpoints_table(app)
    samples = []
    for _ in range(rounds):
        typed = ""
        steps = [(c, typed := typed + c) for c in FILTER_TYPED]
        steps += [("backspace", FILTER_TYPED[:i]) for i in range(len(FILTER_TYPED) - 1, -1, -1)]
        for key, text in steps:
            wanted = sum(1 for name in names if text in name)
            subtitle = f"/{text}" if text else None

            def shows(screen: Any, wanted: int = wanted, subtitle: str | None = subtitle) -> bool:
                # The subtitle names the filter first; the background pass's progress
                # may follow it ("/bench-4 · described 11/5000, ~25 min").
                shown = endpoints_subtitle(app) or ""
                named = shown.startswith(subtitle) if subtitle else not shown.startswith("/")
                return table.row_count == wanted and named

            samples.append(await frames.press(pilot, key, shows))
    return samples


async def editor_samples(
    app: CanaryApp, pilot: Pilot[Any], frames: Frames, opens: int
) -> list[float]:
    samples = []
    for _ in range(opens):
        samples.append(await frames.press(pilot, "w", lambda s: isinstance(s, ModalScreen)))
        if not isinstance(app.screen, ModalScreen):
            raise RuntimeError(f"w opened {type(app.screen).__name__}, not the editor")
        await pilot.press("escape")
        await pilot.pause()
        if isinstance(app.screen, ModalScreen):
            raise RuntimeError("escape did not close the editor")
    return samples


class YardstickDialog(ModalScreen[None]):
    BINDINGS = [("escape", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        yield Static("a dialog")


class YardstickApp(App[None]):
    """The least a keystroke costs here: one Input echoing a letter; one dialog opening."""

    BINDINGS = [Binding("w", "open", "open")]
    AUTO_FOCUS = None  # closing the dialog must not give the Input the focus (w would type)

    def compose(self) -> ComposeResult:
        yield Input(id="field")
        yield Static("yardstick")

    def action_open(self) -> None:
        self.push_screen(YardstickDialog())


async def yardstick(rounds: int, opens: int) -> dict[str, Any]:
    app = YardstickApp()
    async with app.run_test(size=SIZE) as pilot:
        frames = Frames(app)
        field = app.query_one(Input)
        field.focus()
        await pilot.pause()
        filter_ms = []
        for _ in range(rounds):
            typed = ""
            steps = [(c, typed := typed + c) for c in FILTER_TYPED]
            steps += [("backspace", FILTER_TYPED[:i]) for i in range(len(FILTER_TYPED) - 1, -1, -1)]
            for key, text in steps:
                filter_ms.append(
                    await frames.press(pilot, key, lambda s, text=text: field.value == text)
                )
        app.set_focus(None)  # w now reaches the app's binding, as in the console's table
        await pilot.pause()
        editor_ms = []
        for _ in range(opens):
            editor_ms.append(await frames.press(pilot, "w", lambda s: isinstance(s, ModalScreen)))
            await pilot.press("escape")
            await pilot.pause()
    return {"filter_ms": filter_ms, "editor_ms": editor_ms}


async def hour(url: str, minutes: int, batch: int) -> dict[str, Any]:
    """Figure 8's simulated hour (benchmarks/headless.py) at thousands of endpoints: a
    ``ctrl+r`` per simulated minute, the app's clock a minute on each time, RSS every 15
    minutes; ``batch`` describes per refresh, so the run describes what an hour at the
    defaults does (10 every 3 s: every endpoint of 5,000, more than twice)."""
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC)
    simulated = [start]
    options = ConsoleOptions(read_only=True, poll=False, region="us-east-1", background_batch=batch)
    app = console_app(url, options)
    app.clock = lambda: simulated[0]
    rss: list[tuple[int, float]] = []
    seconds: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.console_screen
        for minute in range(minutes + 1):
            simulated[0] = start + timedelta(minutes=minute)
            began = time.perf_counter()
            await pilot.press("ctrl+r")
            await settle(app, pilot)
            seconds.append(time.perf_counter() - began)
            if minute % 15 == 0:
                rss.append((minute, rss_mb()))
        listed, described = len(screen.summaries), len(screen.endpoints)
        rows = endpoints_table(app).row_count
    return {
        "minutes": minutes,
        "listed": listed,
        "described": described,
        "rows": rows,
        "rss_mb": rss,
        "refresh_seconds": seconds,
    }


async def describe_pass(url: str, window: float) -> dict[str, Any]:
    """The console at its default options (timers on, real clock): how many endpoints the
    background loop has described, sampled once a second over ``window`` seconds."""
    options = ConsoleOptions(read_only=True, region="us-east-1")
    app = console_app(url, options)
    samples: list[tuple[float, int]] = []
    async with app.run_test(size=(80, 24)):
        screen = app.console_screen
        began = time.perf_counter()
        while not screen.summaries:
            await asyncio.sleep(0.1)  # a benchmark may wait by the clock
        listed_at = time.perf_counter() - began
        end = time.perf_counter() + window
        while time.perf_counter() < end:
            samples.append((time.perf_counter() - began, len(screen.endpoints)))
            await asyncio.sleep(1.0)
        listed = len(screen.summaries)
    return {
        "listed": listed,
        "listed_s": listed_at,
        "samples": samples,
        "follow_seconds": options.follow_seconds,
        "background_batch": options.background_batch,
        "background_describe_seconds": options.background_describe_seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_child")
    parser.add_argument("mode", choices=("keys", "yardstick", "hour", "pass"))
    parser.add_argument("url", nargs="?")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--opens", type=int, default=100)
    parser.add_argument("--minutes", type=int, default=120)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=90)
    args = parser.parse_args()
    if args.mode == "yardstick":
        result = asyncio.run(yardstick(args.rounds, args.opens))
    elif args.mode == "keys":
        result = asyncio.run(keys(args.url, args.rounds, args.opens))
    elif args.mode == "hour":
        result = asyncio.run(hour(args.url, args.minutes, args.batch))
    else:
        result = asyncio.run(describe_pass(args.url, args.seconds))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`canary-tui demo`: the console on a simulated SageMaker account, no AWS account needed.

Starts a moto server child on 127.0.0.1, seeds the demo endpoints through boto3, backfills an
hour of metrics, keeps a traffic simulator publishing, and opens the console against the
server exactly as against AWS. Everything is torn down on every way out: quitting, Ctrl+C,
SIGTERM, an error; a SIGKILL is covered by the child's parent-death signal.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from canary_tui.cli.common import (
    EXIT_AWS_FAILURE,
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    decimal_flag,
    fail,
    whole_number_flag,
)

if TYPE_CHECKING:
    from canary_tui.config import Settings
    from canary_tui.demo.server import DemoServer
    from canary_tui.demo.simulator import SimulatorThread
    from canary_tui.ui.app import CanaryApp
    from canary_tui.ui.options import ConsoleOptions
    from canary_tui.ui.startup import BackendFactory, StartedBackend

DEFAULT_SEED = 1
DEMO_REFRESH_SECONDS = 5.0
DEMO_AUDIT_FILE = "audit.jsonl"


def _positive_seconds(text: str) -> float:
    # The strict number parser (ASCII digits, finite): a tick of 0.1 to 3600 seconds.
    return decimal_flag(0.1, 3600)(text)


def register(subparsers: Any) -> None:
    from canary_tui.demo.simulator import DEFAULT_TICK_SECONDS, SCENARIOS

    parser = subparsers.add_parser(
        "demo",
        help="open the console on a built-in simulated SageMaker account (no AWS needed)",
        description="Run a local moto server on 127.0.0.1 with simulated endpoints and live "
        "traffic, and open the console on it. Needs the demo extra: pip install "
        "'canary-tui[demo]'. Nothing is sent to AWS.",
    )
    parser.add_argument(
        "--scenario",
        choices=SCENARIOS,
        default="healthy",
        help="how the canary 'new-model' behaves: like the baseline (healthy, the default), "
        "with ~1.6x latency and ~4%% server errors (regression), or as healthy but right "
        "~86%% of the time instead of ~92%% (accuracy-regression)",
    )
    parser.add_argument(
        "--seed",
        type=whole_number_flag(0, 2**32 - 1),
        default=DEFAULT_SEED,
        metavar="N",
        help=f"random seed of the simulated traffic (default {DEFAULT_SEED})",
    )
    parser.add_argument("--read-only", action="store_true", help="hide and refuse every write")
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no console: print the server URL and the environment for other commands, then "
        "serve until Ctrl+C",
    )
    parser.add_argument(
        "--tick",
        type=_positive_seconds,
        default=DEFAULT_TICK_SECONDS,
        metavar="SECONDS",
        help=f"seconds between simulated metric publications (default {DEFAULT_TICK_SECONDS:g})",
    )
    from canary_tui.cli.console_settings import add_console_setting_arguments

    add_console_setting_arguments(parser)
    parser.set_defaults(run=run)


def _check_demo_extra() -> None:
    missing = [name for name in ("moto", "flask") if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(
            f"the demo needs the 'demo' extra ({', '.join(missing)} missing): "
            "pip install 'canary-tui[demo]'"
        )


def run(args: argparse.Namespace) -> int:
    _check_demo_extra()
    from canary_tui.demo.server import DemoServerError, Terminated, termination_raises

    try:
        with ExitStack() as stack:
            if threading.current_thread() is threading.main_thread():
                stack.enter_context(termination_raises())
            return _run_demo(args, stack)
    except DemoServerError as error:
        fail(str(error), EXIT_AWS_FAILURE)
    except (KeyboardInterrupt, Terminated):
        # Ctrl+C, SIGTERM and a closed terminal are how a demo is meant to end: everything
        # is torn down by now.
        if args.headless:
            print("canary-tui demo: stopped", file=sys.stderr)
        return EXIT_OK


def _run_demo(args: argparse.Namespace, stack: ExitStack) -> int:
    if not args.headless:
        return _run_demo_console(args, stack)
    from canary_tui.aws.errors import translated
    from canary_tui.demo.clients import DemoAwsClients, shell_exports
    from canary_tui.demo.seed import seed_demo_account, seed_demo_scaling, seed_demo_team
    from canary_tui.demo.server import DemoServer
    from canary_tui.demo.simulator import SimulatorThread, TrafficSimulator, demo_traffic

    server = stack.enter_context(DemoServer())
    # The simulator gets clients of its own: the console may reset its clients (credential
    # refresh) at any time, and must never share a connection pool with a background thread.
    simulator_clients = DemoAwsClients(server.url)
    with translated():
        seed_demo_account(simulator_clients.sagemaker)
        seed_demo_scaling(simulator_clients.application_autoscaling)
        seed_demo_team(simulator_clients.dynamodb)
        simulator = TrafficSimulator(
            simulator_clients.sagemaker,
            simulator_clients.cloudwatch,
            traffic=demo_traffic(args.scenario),
            seed=args.seed,
        )
        simulator.backfill(simulator.now())
    stack.enter_context(SimulatorThread(simulator, interval=args.tick))

    from canary_tui.demo.quality import demo_config_text

    # The headless commands judge the demo's accuracy too: its settings file, named in the
    # line to paste (CANARY_TUI_CONFIG), removed when the demo stops.
    directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="canary-tui-demo-")))
    config_file = directory / "demo.toml"
    config_file.write_text(demo_config_text(), encoding="utf-8")
    exports = f"{shell_exports(server.url)} CANARY_TUI_CONFIG={shlex.quote(str(config_file))}"
    return _serve_headless(server, exports, args)


def _run_demo_console(args: argparse.Namespace, stack: ExitStack) -> int:
    """Paint the console first, then get the demo account ready behind it.

    Only the server's process start happens here (in the main thread, for its parent-death
    signal); waiting for it, seeding, the backfill and the simulator run in the app's
    worker (:class:`DemoStart`). This function's stack still owns the server and the
    simulator, so every way out tears both down, also a quit before they were ready.
    """
    from canary_tui.demo.server import DemoServer

    server = DemoServer()
    stack.callback(server.stop)
    server.launch()
    data_directory = stack.enter_context(_demo_data_directory())
    # The settings (file < CANARY_TUI_* < flags) are read by DemoStart behind the first
    # frame: pydantic-settings costs ~0.1 s. Until then the console shows what the flags say;
    # a bad setting closes it and exits 2.
    start = DemoStart(server, args)
    stack.callback(start.close)  # runs before server.stop: the simulator stops first

    return run_starting_console(
        start, first_frame_options(args), audit_path=data_directory / DEMO_AUDIT_FILE
    )


def first_frame_options(args: argparse.Namespace) -> ConsoleOptions:
    """The demo console's options from its flags alone, before the settings are read; with
    no settings file or CANARY_TUI_* variable they equal :func:`demo_console_options`."""
    from canary_tui.demo.seed import DEMO_REGION
    from canary_tui.ui.options import ConsoleOptions

    options = ConsoleOptions(ascii=args.ascii, **({"theme": args.theme} if args.theme else {}))
    return _demo_overrides(options, read_only=args.read_only, region=DEMO_REGION)


def demo_console_options(args: argparse.Namespace, settings: Settings) -> ConsoleOptions:
    """Display settings (theme, ascii, keys, window) apply; the AWS target ones do not: the
    demo talks only to its own server, as its own read-only-or-not account."""
    from canary_tui.cli.console_settings import console_options_from
    from canary_tui.demo.seed import DEMO_REGION

    options = console_options_from(settings)
    return _demo_overrides(
        options, read_only=args.read_only or settings.read_only, region=DEMO_REGION
    )


def _demo_overrides(options: ConsoleOptions, *, read_only: bool, region: str) -> ConsoleOptions:
    import dataclasses

    return dataclasses.replace(
        options,
        read_only=read_only,
        always_read_only=read_only,
        production=False,
        profile=None,
        refresh_seconds=DEMO_REFRESH_SECONDS,
        mode_label="demo",
        demo=True,
        region=region,  # known before the server is: the status line says it at once
    )


def run_starting_console(
    factory: BackendFactory, options: ConsoleOptions, *, audit_path: Path
) -> int:
    """Run the console that paints first and gets its backend from ``factory`` in a
    worker; a factory failure exits with its one line once the console has closed (exit 2
    when it was bad input, such as a bad setting)."""
    from canary_tui.audit import AuditLog
    from canary_tui.ui.app import CanaryApp

    app = CanaryApp.starting(
        factory,
        options,
        starting_text="starting the demo account…",
        audit=AuditLog(audit_path),
    )
    with _termination_closes(app) as received:
        result = app.run()
    if received:
        from canary_tui.demo.server import Terminated

        raise Terminated(received[0])  # run() tears down and ends quietly, as before
    if app.start_error is not None:
        bad_input = isinstance(app.start_failure, UsageError)
        fail(app.start_error, EXIT_BAD_INPUT if bad_input else EXIT_AWS_FAILURE)
    return int(result or 0)


@contextmanager
def _termination_closes(app: CanaryApp) -> Iterator[list[int]]:
    """While the console runs, SIGTERM and SIGHUP close it like `q` (then the caller raises
    :class:`~canary_tui.demo.server.Terminated`). Raising inside the event loop instead, as
    ``termination_raises`` does, would land in whatever Textual is doing, e.g. rendering
    the first frame, and print a traceback on the terminal."""
    from canary_tui.demo.server import TERMINATION_SIGNALS, Terminated

    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def close_app(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        # Textual keeps its loop private; call_soon_threadsafe is safe in a signal handler.
        loop = app._loop
        if loop is None or loop.is_closed():
            raise Terminated(signum)  # not running (yet or any more): plain Python here
        loop.call_soon_threadsafe(app.exit)

    previous = {signum: signal.signal(signum, close_app) for signum in TERMINATION_SIGNALS}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class DemoStart:
    """The demo's backend factory: called once in the app's worker thread.

    It fills in the simulator thread; :meth:`close` (the CLI's teardown, main thread) stops
    it, and refuses to let a factory that is still running start one afterwards.
    """

    def __init__(self, server: DemoServer, args: argparse.Namespace) -> None:
        self.server = server
        self.args = args
        self.simulator_thread: SimulatorThread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __call__(self) -> StartedBackend:
        from canary_tui.audit import AuditLog
        from canary_tui.aws.backend import build_backend
        from canary_tui.aws.errors import translated
        from canary_tui.changes import ChangeService
        from canary_tui.cli.console import ramp_launcher
        from canary_tui.demo.clients import DEMO_REGION, DemoAwsClients
        from canary_tui.demo.seed import (
            DEMO_TEAM_TABLE,
            seed_demo_account,
            seed_demo_scaling,
            seed_demo_team,
        )
        from canary_tui.demo.server import DemoServerError
        from canary_tui.demo.simulator import SimulatorThread, TrafficSimulator, demo_traffic
        from canary_tui.ui.startup import StartedBackend
        from canary_tui.ui.targets import DemoTargetSwitcher

        settings = console_settings_of_demo(self.args)  # UsageError: the CLI exits 2
        options = demo_console_options(self.args, settings)
        read_only = options.read_only
        url = self.server.wait_until_ready()
        # The simulator gets clients of its own: the console may reset its clients
        # (credential refresh) at any time, and must never share a connection pool with a
        # background thread.
        simulator_clients = DemoAwsClients(url)
        with translated():
            seed_demo_account(simulator_clients.sagemaker)
            seed_demo_scaling(simulator_clients.application_autoscaling)
            seed_demo_team(simulator_clients.dynamodb)
            simulator = TrafficSimulator(
                simulator_clients.sagemaker,
                simulator_clients.cloudwatch,
                traffic=demo_traffic(self.args.scenario),
                seed=self.args.seed,
            )
            simulator.backfill(simulator.now())
        with self._lock:
            if self._closed:
                raise DemoServerError("the demo was closed while it was starting")
            self.simulator_thread = SimulatorThread(simulator, interval=self.args.tick).start()
        backend = build_backend(DemoAwsClients(url), label="demo", team_table=DEMO_TEAM_TABLE)
        audit = AuditLog(settings.effective_audit_path)
        return StartedBackend(
            backend=backend,
            change_service=None if read_only else ChangeService(backend, audit, "console"),
            switcher=DemoTargetSwitcher(url, audit=audit, read_only=read_only),
            ramps=None if read_only else ramp_launcher(backend, audit),
            region=DEMO_REGION,
            options=options,
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            thread, self.simulator_thread = self.simulator_thread, None
        if thread is not None:
            thread.stop()


def console_settings_of_demo(args: argparse.Namespace) -> Settings:
    from canary_tui.cli.common import settings_from_flags

    return settings_from_flags(
        {"theme": args.theme, "ascii": True if args.ascii else None, "audit_path": None}
    )


@contextmanager
def _demo_data_directory() -> Iterator[Path]:
    """Point this process's canary-tui data (audit log, ramp state) at a temporary directory.

    The demo account is created afresh on every run, so its audit records and ramp state
    describe endpoints that no longer exist once it ends; in the user's real audit log they
    would be noise, and an unfinished demo record would be reported at the next real start.
    Only this process's environment changes, and only for the console's lifetime.
    """
    from canary_tui.demo.quality import demo_quality_override
    from canary_tui.demo.ramp_defaults import demo_ramp_override

    with tempfile.TemporaryDirectory(prefix="canary-tui-demo-data-") as directory:
        overrides = {
            "XDG_DATA_HOME": directory,  # platformdirs' user data dir on Linux and BSD
            "CANARY_TUI_AUDIT_PATH": str(Path(directory) / DEMO_AUDIT_FILE),
            **demo_quality_override(),
            **demo_ramp_override(),
        }
        previous = {name: os.environ.get(name) for name in overrides}
        os.environ.update(overrides)
        try:
            yield Path(directory)
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _serve_headless(server: DemoServer, exports: str, args: argparse.Namespace) -> int:
    print(
        f"canary-tui demo: moto server at {server.url} (scenario {args.scenario}, "
        f"seed {args.seed}); Ctrl+C to stop. In another shell:",
        flush=True,
    )
    print(exports, flush=True)
    idle = threading.Event()  # never set: wait in short steps so signals are handled promptly
    while not idle.wait(0.5):
        if not server.running:
            fail("the demo's moto server stopped unexpectedly", EXIT_AWS_FAILURE)
    return EXIT_OK

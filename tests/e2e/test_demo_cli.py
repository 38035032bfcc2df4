"""`canary-tui demo` end to end: a real moto child, real boto3, real signals."""

from __future__ import annotations

import dataclasses
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from canary_tui.audit import default_audit_path
from canary_tui.cli import demo
from canary_tui.cli.console import ConsoleOptions
from canary_tui.cli.main import build_parser, main
from canary_tui.demo.seed import CANARY_ENDPOINT, DEMO_ENDPOINTS
from canary_tui.demo.server import DemoServerError
from canary_tui.ui.startup import BackendFactory
from tests.e2e.test_demo_server import process_gone, wait_until_gone

CLI = [sys.executable, "-m", "canary_tui.cli.main"]
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy")


def read_line(stream: Any, deadline: float) -> str:
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no complete line in time; got {line!r}"
        ready, _, _ = select.select([stream], [], [], remaining)
        if ready:
            chunk = os.read(stream.fileno(), 1)
            assert chunk, f"stream closed; got {line!r}"
            line += chunk
    return line.decode().rstrip("\n")


def child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def exported_environment(export_line: str) -> dict[str, str]:
    """Apply the printed ``unset ...; export ...`` line to a copy of our environment."""
    environment = dict(os.environ)
    for command in export_line.split(";"):
        words = shlex.split(command)
        if words[0] == "unset":
            for name in words[1:]:
                environment.pop(name, None)
        else:
            assert words[0] == "export"
            for assignment in words[1:]:
                name, value = assignment.split("=", 1)
                environment[name] = value
    return environment


@dataclass
class HeadlessDemo:
    process: subprocess.Popen[bytes]
    banner: str
    export_line: str

    @property
    def url(self) -> str:
        return self.banner.split(" at ", 1)[1].split()[0]


@pytest.fixture
def headless_demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeadlessDemo]:
    # A user's shell pointing somewhere else must not matter to the demo.
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    process = subprocess.Popen(
        [*CLI, "demo", "--headless", "--tick", "0.2", "--scenario", "regression"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        banner = read_line(process.stdout, deadline)
        export_line = read_line(process.stdout, deadline)
        yield HeadlessDemo(process, banner, export_line)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_headless_prints_the_url_and_the_environment_for_other_shells(
    headless_demo: HeadlessDemo, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert headless_demo.url.startswith("http://127.0.0.1:")
    assert "scenario regression" in headless_demo.banner
    environment = exported_environment(headless_demo.export_line)
    for name in PROXY_VARIABLES:  # the other shell has no proxy; the demo's did
        environment.pop(name)
    assert environment["AWS_ENDPOINT_URL"] == headless_demo.url
    assert "AWS_PROFILE" not in environment

    status = subprocess.run(
        [*CLI, "status", "--json"], env=environment, capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0, status.stderr
    listed = json.dumps(json.loads(status.stdout))
    for endpoint in DEMO_ENDPOINTS:
        assert endpoint in listed

    # Plain boto3 in a shell where the line was pasted: no endpoint or key arguments.
    for name in set(os.environ) - set(environment):
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    sagemaker = boto3.client("sagemaker")
    variants = sagemaker.describe_endpoint(EndpointName=CANARY_ENDPOINT)["ProductionVariants"]
    assert {v["VariantName"]: v["CurrentWeight"] for v in variants} == {
        "current-model": 0.9,
        "new-model": 0.1,
    }
    cloudwatch = boto3.client("cloudwatch")
    now = datetime.now(UTC)
    backfilled = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="Invocations",
        Dimensions=[
            {"Name": "EndpointName", "Value": CANARY_ENDPOINT},
            {"Name": "VariantName", "Value": "new-model"},
        ],
        StartTime=now - timedelta(hours=1, minutes=1),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    assert len(backfilled) >= 59


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_headless_stops_cleanly_with_no_orphan_and_no_moto_output(
    headless_demo: HeadlessDemo, stop_signal: signal.Signals
) -> None:
    process = headless_demo.process
    (server_pid,) = child_pids(process.pid)
    assert not process_gone(server_pid)
    process.send_signal(stop_signal)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert wait_until_gone(server_pid)
    assert stdout == b""
    # Our one line, and nothing from moto or werkzeug (no request log, no traceback).
    assert stderr.decode().splitlines() == ["canary-tui demo: stopped"]


@pytest.mark.parametrize(
    "arguments",
    [["--scenario", "chaos"], ["--tick", "0"], ["--tick", "soon"], ["--seed", "x"]],
)
def test_bad_arguments_give_one_line_and_exit_2(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", *arguments])
    assert exit_info.value.code == 2
    error_lines = capsys.readouterr().err.strip().splitlines()
    assert len(error_lines) == 1 and error_lines[0].startswith("canary-tui: ")


def test_console_gets_a_demo_backend_bound_to_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    seen: dict[str, Any] = {}

    def fake_run_console(factory: BackendFactory, options: ConsoleOptions, **_: object) -> int:
        # Called while the demo runs (the console would call the factory in a worker after
        # its first frame): the backend must reach the demo server, not AWS.
        started = factory()
        backend = started.backend
        seen["simulating"] = isinstance(factory, demo.DemoStart) and factory.simulator_thread
        seen["options"] = options
        seen["label"] = backend.label
        seen["endpoints"] = [summary.name for summary in backend.sagemaker.list_endpoints()]
        seen["canary"] = backend.sagemaker.describe_endpoint(CANARY_ENDPOINT)
        seen["server_pids"] = child_pids(os.getpid())
        seen["audit_path"] = default_audit_path()
        return 0

    monkeypatch.setattr(demo, "run_starting_console", fake_run_console)
    user_data_home = os.environ["XDG_DATA_HOME"]
    assert main(["demo", "--read-only", "--tick", "60"]) == 0
    assert seen["label"] == "demo"
    assert seen["simulating"]
    options = seen["options"]
    assert (options.read_only, options.refresh_seconds, options.mode_label) == (True, 5, "demo")
    assert (options.demo, options.profile, options.production) == (True, None, False)
    assert options.region == "us-east-1"
    assert sorted(seen["endpoints"]) == sorted(DEMO_ENDPOINTS)
    weights = {v.name: v.current_weight for v in seen["canary"].variants}
    assert weights == {"current-model": 0.9, "new-model": 0.1}
    # Demo changes are audited in a throwaway log, never in the user's real one.
    assert not str(seen["audit_path"]).startswith(user_data_home)
    assert not seen["audit_path"].parent.exists()
    assert os.environ["XDG_DATA_HOME"] == user_data_home
    # The server child existed during the console and is gone after it.
    assert seen["server_pids"]
    for pid in seen["server_pids"]:
        assert wait_until_gone(pid)


def test_console_failure_still_tears_everything_down(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []

    def crashing_console(factory: BackendFactory, options: ConsoleOptions, **_: object) -> int:
        factory()
        started.extend(child_pids(os.getpid()))
        raise RuntimeError("console crashed")

    monkeypatch.setattr(demo, "run_starting_console", crashing_console)
    with pytest.raises(RuntimeError, match="console crashed"):
        main(["demo", "--tick", "60"])
    assert started
    for pid in started:
        assert wait_until_gone(pid)


def test_quitting_before_the_demo_is_ready_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factories: list[BackendFactory] = []
    server_pids: list[int] = []

    def quit_at_once(factory: BackendFactory, options: ConsoleOptions, **_: object) -> int:
        # The person quits before the worker got the account ready: the factory never ran.
        factories.append(factory)
        server_pids.extend(child_pids(os.getpid()))
        return 0

    monkeypatch.setattr(demo, "run_starting_console", quit_at_once)
    assert main(["demo", "--tick", "60"]) == 0
    assert server_pids
    for pid in server_pids:
        assert wait_until_gone(pid)
    # A worker still running the factory after the teardown starts no server or simulator.
    (factory,) = factories
    with pytest.raises(DemoServerError, match="stopped before it was ready"):
        factory()
    assert isinstance(factory, demo.DemoStart) and factory.simulator_thread is None
    assert not child_pids(os.getpid())


def _read_pty_until(master: int, wanted: bytes, deadline: float, received: bytes = b"") -> bytes:
    while wanted not in received:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{wanted!r} never appeared; got {received[-300:]!r}"
        ready, _, _ = select.select([master], [], [], remaining)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            received += chunk
    return received


def _drain_pty(master: int) -> bytes:
    received = b""
    while select.select([master], [], [], 0.5)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    return received


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP])
def test_console_paints_before_the_account_is_ready_and_stops_cleanly_on_a_signal(
    stop_signal: signal.Signals,
) -> None:
    import fcntl
    import pty
    import struct
    import termios

    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        [*CLI, "demo", "--tick", "60"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(terminal)
    try:
        # The first frame already has the layout and says why there is no data yet.
        deadline = time.monotonic() + 30
        shown = _read_pty_until(master, b"starting the demo account", deadline)
        shown = _read_pty_until(master, b"Endpoints", deadline, shown)  # same frame
        (server_pid,) = child_pids(process.pid)
        process.send_signal(stop_signal)  # most likely still starting: the worst moment
        assert process.wait(timeout=20) == 0
        rest = _drain_pty(master)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert wait_until_gone(server_pid)
    assert b"Traceback" not in shown + rest


@pytest.mark.parametrize(
    "flags", [[], ["--theme", "nord", "--ascii"], ["--read-only"]], ids=["none", "display", "ro"]
)
def test_the_first_frame_shows_what_the_settings_say_when_there_is_no_settings_file(
    flags: list[str],
) -> None:
    # The demo paints before it reads the settings (pydantic-settings is ~0.1 s). With no
    # settings file and no CANARY_TUI_* variable nothing may change once they are read.
    args = build_parser("demo").parse_args(["demo", *flags])
    first = demo.first_frame_options(args)
    read = demo.demo_console_options(args, demo.console_settings_of_demo(args))
    assert dataclasses.replace(read, audit_path=None) == first


def test_a_bad_setting_closes_the_console_and_exits_2_with_one_line() -> None:
    import fcntl
    import pty
    import struct
    import termios

    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        [*CLI, "demo", "--tick", "60"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "TERM": "xterm-256color", "CANARY_TUI_WINDOW": "2d"},
        start_new_session=True,
    )
    os.close(terminal)
    try:
        shown = _read_pty_until(master, b"canary-tui: ", time.monotonic() + 30)
        server_pids = child_pids(process.pid)
        assert process.wait(timeout=20) == 2
        shown += _drain_pty(master)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    for pid in server_pids:
        assert wait_until_gone(pid)
    error = shown.split(b"canary-tui: ", 1)[1].splitlines()[0].decode()
    assert "CANARY_TUI_WINDOW" in error and "window" in error
    assert b"Traceback" not in shown

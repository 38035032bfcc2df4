"""`canary-tui serve`: starts on loopback and answers with the page; refuses to bind
anything else without the acknowledgement; says how to install the extra."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import pytest
import requests

from canary_tui.cli.main import main
from canary_tui.cli.serve import is_loopback


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def console_output(port: int, wanted: str, timeout: float = 60) -> str:
    """Open a browser session's websocket and read the terminal stream until ``wanted``."""
    received = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"ws://127.0.0.1:{port}/ws") as socket_,
    ):
        await socket_.send_json(["resize", {"width": 80, "height": 24}])
        deadline = time.monotonic() + timeout
        while wanted.encode() not in received:
            assert time.monotonic() < deadline, received.decode("utf-8", "replace")[-2000:]
            try:
                message = await socket_.receive(timeout=1)
            except TimeoutError:
                continue
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            data = message.data
            received += data if isinstance(data, bytes) else data.encode()
        await socket_.send_json(["stdin", "q"])
    return received.decode("utf-8", "replace")


async def test_serve_answers_on_loopback_and_runs_the_console(
    moto_url: str, canary_endpoint: str
) -> None:
    port = free_loopback_port()
    console_args = ["--endpoint-url", moto_url, "--read-only", "--ascii"]
    server = subprocess.Popen(
        [sys.executable, "-m", "canary_tui", "serve", "--port", str(port), "--", *console_args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        response = None
        while response is None:
            assert server.poll() is None, server.communicate()[1]
            try:
                response = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # polling a port that is not open yet, under a deadline
        assert response.status_code == 200
        assert "text/html" in response.headers["Content-Type"]
        assert response.text.startswith("<!DOCTYPE html>")
        # The terminal page's session websocket points back at the same loopback address.
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in response.text
        # A browser session runs the real console, with the arguments given after --.
        screen = await console_output(port, canary_endpoint)
        assert "READ-ONLY" in screen
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, stderr = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, stderr = server.communicate()
    assert f"serving the console at http://127.0.0.1:{port}" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "my-laptop.example.com"])
def test_a_non_loopback_host_without_the_flag_is_refused(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # stdin is not a terminal under pytest: nobody to ask, so refuse.
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--host", host, "--port", str(free_loopback_port())])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "YOUR AWS credentials" in error
    assert "without --i-understand-remote-access" in error.splitlines()[-1]


def test_loopback_names() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "10.0.0.1", "example.com"]))


def test_a_bad_console_argument_fails_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--", "--window", "2d"])
    assert exited.value.code == 2
    assert "invalid choice: '2d'" in capsys.readouterr().err


def test_without_the_serve_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    with pytest.raises(SystemExit) as exited:
        main(["serve"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "canary-tui: serve needs the 'serve' extra: pip install 'canary-tui[serve]'\n"
    )


def test_stopping_leaves_no_traceback_of_a_transport_on_the_closed_loop() -> None:
    # CI saw "Exception ignored in BaseSubprocessTransport.__del__ ... Event loop is closed"
    # with a traceback after Ctrl+C, when a session's console was still ending.
    import asyncio.base_subprocess
    from types import SimpleNamespace

    from canary_tui.cli.serve import quiet_closed_loop_transports

    passed_on: list[object] = []
    closed = RuntimeError("Event loop is closed")
    transport_del = asyncio.base_subprocess.BaseSubprocessTransport.__del__
    quiet_closed_loop_transports(
        SimpleNamespace(exc_value=closed, object=transport_del), passed_on.append
    )
    assert passed_on == []
    # Anything else still reaches the default hook: another error, or elsewhere.
    others = [
        SimpleNamespace(exc_value=ValueError("boom"), object=transport_del),
        SimpleNamespace(exc_value=closed, object=main),
    ]
    for other in others:
        quiet_closed_loop_transports(other, passed_on.append)
    assert passed_on == others

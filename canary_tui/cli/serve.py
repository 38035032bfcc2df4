"""`canary-tui serve`: the same console in a browser, through textual-serve.

Every browser tab runs its own ``canary-tui console`` (or ``demo``) process on this machine,
with this machine's AWS credentials. So the server binds to 127.0.0.1 unless told otherwise,
and binding anything else needs an explicit acknowledgement.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from typing import Any

from canary_tui.cli.common import EXIT_OK, UsageError, whole_number_flag

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
ACKNOWLEDGE_FLAG = "--i-understand-remote-access"
MISSING_EXTRA = "serve needs the 'serve' extra: pip install 'canary-tui[serve]'"


def is_loopback(host: str) -> bool:
    """True only for names that can never be reached from another machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def remote_warning(host: str, port: int) -> str:
    return (
        f"warning: serving on {host}:{port}, not loopback. Anyone who can reach this port "
        "gets a console that drives SageMaker with YOUR AWS credentials (and can change "
        "endpoint weights unless --read-only is passed to the console). There is no login. "
        "Prefer the default 127.0.0.1 with an SSH tunnel (ssh -L)."
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the console in a web browser (textual-serve), on 127.0.0.1 by default",
        description="Serve the console as a web page for team demos: each browser tab runs "
        "its own console process on this machine, with this machine's AWS credentials. "
        "Arguments after -- go to the console (or to the demo with --demo), e.g. "
        "canary-tui serve --demo -- --scenario regression. Binding anything but loopback "
        f"prints a warning and needs {ACKNOWLEDGE_FLAG} (or typing yes at a prompt). "
        "Needs the serve extra: pip install 'canary-tui[serve]'.",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind (default {DEFAULT_HOST}; anything else is reachable by others)",
    )
    parser.add_argument(
        "--port",
        type=whole_number_flag(0, 65535),
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve the demo (simulated account, no AWS) instead of the real console",
    )
    parser.add_argument(
        ACKNOWLEDGE_FLAG,
        dest="remote_ok",
        action="store_true",
        help="allow binding a non-loopback address without asking",
    )
    parser.add_argument(
        "console_args",
        nargs=argparse.REMAINDER,
        metavar="-- ARGS",
        help="arguments for the served console or demo",
    )
    parser.set_defaults(run=run)


def served_command(args: argparse.Namespace) -> list[str]:
    """The command each browser session runs, its arguments checked now (a typo fails here,
    with one line, rather than in every browser tab)."""
    from canary_tui.cli.main import build_parser

    extra = list(args.console_args)
    if extra and extra[0] == "--":
        extra = extra[1:]
    command = "demo" if args.demo else "console"
    if {"--headless", "-h", "--help"} & set(extra):
        raise UsageError(f"serve runs the interactive {command}; drop {' '.join(extra)}")
    build_parser().parse_args([command, *extra])  # exits 2 with one line on a bad flag
    return [sys.executable, "-m", "canary_tui", command, *extra]


def _confirm_remote(args: argparse.Namespace) -> None:
    if is_loopback(args.host):
        return
    print(f"canary-tui: {remote_warning(args.host, args.port)}", file=sys.stderr)
    if args.remote_ok:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to serve on {args.host} without {ACKNOWLEDGE_FLAG} (no terminal to ask)"
        )
    answer = input(f"Serve on {args.host}:{args.port} anyway? Type yes to continue: ")
    if answer.strip().lower() != "yes":
        raise UsageError(f"not serving on {args.host}")


def quiet_closed_loop_transports(args: Any, default: Any = None) -> None:
    """``sys.unraisablehook`` while serving: drop the one known message of a clean stop.

    On Ctrl+C aiohttp closes the event loop; a browser session's console process that was
    still ending leaves an asyncio subprocess transport, whose ``__del__`` then runs on the
    closed loop and Python prints "Exception ignored ... RuntimeError: Event loop is closed"
    with a traceback (seen in CI, timing-dependent). Nothing is lost: the process is gone.
    Every other unraisable exception goes to the default hook, as before."""
    error = args.exc_value
    where = getattr(getattr(args, "object", None), "__qualname__", "")
    if (
        isinstance(error, RuntimeError)
        and str(error) == "Event loop is closed"
        and where.endswith("Transport.__del__")
    ):
        return
    (default or sys.__unraisablehook__)(args)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    command = served_command(args)
    _confirm_remote(args)
    server = Server(shlex.join(command), host=args.host, port=args.port, title="canary-tui")
    print(
        f"canary-tui: serving {'the demo' if args.demo else 'the console'} at "
        f"{server.public_url} (Ctrl+C to stop)",
        file=sys.stderr,
        flush=True,
    )
    sys.unraisablehook = quiet_closed_loop_transports
    server.serve()
    return EXIT_OK

"""Entry point of the demo's moto server child: ``python -m canary_tui.demo.moto_process``.

Started by :class:`canary_tui.demo.server.DemoServer`, never by hand. It binds 127.0.0.1 on
a port the kernel picks (no race between choosing a port and binding it), writes one line
``PORT <n>`` to stdout for the parent, and then serves until SIGTERM/SIGINT or until its
parent is gone. Its own stdout and stderr go to a log file or /dev/null (the parent decides):
moto's request log must never reach the user's terminal.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

READY_PREFIX = "PORT "
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGTERM us when the parent dies, even if it is SIGKILLed.

    Elsewhere (no prctl) the serve loop polls the parent pid instead. The check after prctl
    closes the race where the parent died before the request was made.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        raise SystemExit(0)


def quiet_logging() -> None:
    """Warnings and errors (moto's tracebacks) go to stderr, which the parent points at the
    log file; werkzeug's per-request lines are dropped. The terminal sees neither."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, force=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="canary_tui.demo.moto_process")
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    die_with_parent(args.parent_pid)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    quiet_logging()

    from moto.server import ThreadedMotoServer

    from canary_tui.demo.moto_cloudtrail import apply_demo_cloudtrail
    from canary_tui.demo.moto_patches import apply_demo_patches

    apply_demo_patches()
    apply_demo_cloudtrail()
    server = ThreadedMotoServer(ip_address=args.host, port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    sys.stdout.write(f"{READY_PREFIX}{port}\n")
    sys.stdout.flush()
    # The parent reads exactly one line; anything printed later goes to /dev/null rather
    # than into a pipe nobody drains.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)

    while not stop.wait(1.0):
        if os.getppid() != args.parent_pid:
            break
    # No graceful server.stop(): it waits out werkzeug's 0.5 s poll, and nothing in memory is
    # worth keeping. The serving thread is a daemon and ends with the process.
    return 0


if __name__ == "__main__":
    sys.exit(main())

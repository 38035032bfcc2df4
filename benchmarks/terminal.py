"""Run a program in a pseudo-terminal of a given size and watch what it writes.

Everything a full-screen app sends to an SSH user goes through the pty master, so the bytes
read here are the bytes that would cross the link.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence

# CSI, OSC and two-byte escapes: what is left is the text a person sees.
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor, colour, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: title, hyperlinks
    rb"|\x1bP[^\x1b]*\x1b\\"  # DCS
    rb"|\x1b[()][A-Za-z0-9]|\x1b[=>78]"
)


def visible_text(output: bytes) -> str:
    return _ESCAPES.sub(b"", output).decode("utf-8", "replace")


class TerminalSession:
    """A child process on a pty; a thread drains the master so the child never blocks."""

    def __init__(
        self, argv: Sequence[str], env: dict[str, str], columns: int = 80, rows: int = 24
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,  # its own process group: we stop exactly what we started
            close_fds=True,
        )
        os.close(slave)
        self._master = master
        self._output = bytearray()
        #: (monotonic time, total bytes so far) after each read.
        self.marks: list[tuple[float, int]] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            with self._changed:
                if not chunk:
                    self.marks.append((time.monotonic(), -1))
                    self._changed.notify_all()
                    return
                self._output += chunk
                self.marks.append((time.monotonic(), len(self._output)))
                self._changed.notify_all()

    @property
    def size(self) -> int:
        with self._changed:
            return len(self._output)

    def output(self, since: int = 0) -> bytes:
        with self._changed:
            return bytes(self._output[since:])

    def wait_for_text(self, text: str, timeout: float = 60.0, since: int = 0) -> float:
        """Seconds from start until ``text`` is visible in the output after byte ``since``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if text in visible_text(bytes(self._output[since:])):
                    return self.marks[-1][0] - self.started
                if self.marks and self.marks[-1][1] == -1:
                    raise RuntimeError(
                        f"exited before showing {text!r}: "
                        f"{visible_text(bytes(self._output))[-300:]!r}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{text!r} not shown in {timeout:g}s: "
                        f"{visible_text(bytes(self._output))[-300:]!r}"
                    )
                self._changed.wait(remaining)

    def wait_quiet(self, quiet: float = 1.0, timeout: float = 30.0) -> int:
        """Wait until nothing was written for ``quiet`` seconds; returns the byte count."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                last = self.marks[-1][0] if self.marks else self.started
                idle = time.monotonic() - last
                if idle >= quiet:
                    return len(self._output)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the terminal did not go quiet for {quiet:g}s")
                self._changed.wait(quiet - idle)

    def wait_for_output(self, since: int, timeout: float = 30.0) -> None:
        """Wait until anything past byte ``since`` has been written."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._output) <= since:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"nothing written in {timeout:g}s")
                self._changed.wait(remaining)

    def send(self, data: bytes) -> None:
        os.write(self._master, data)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the child so far (/proc/<pid>/stat, fields 14 and 15)."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        self._reader.join(timeout=2)
        os.close(self._master)

    def __enter__(self) -> TerminalSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

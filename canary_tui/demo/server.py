"""The demo's moto server: a separate process on 127.0.0.1, started and always torn down.

Why a process and not moto's in-process thread: the console's event loop and the simulator
must not share a GIL-heavy HTTP server, and a process can be killed for sure. Teardown is
guaranteed on every path we can see (context manager, :func:`atexit`, SIGTERM via
:func:`termination_raises`) and, on Linux, on the one we cannot: the child asks the kernel for
``PR_SET_PDEATHSIG``, so even a SIGKILLed parent leaves no orphan.

``PR_SET_PDEATHSIG`` fires when the *thread* that started the child ends, so call
:meth:`DemoServer.start` from a thread that lives as long as the server (the main thread).
"""

from __future__ import annotations

import atexit
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, TracebackType

from canary_tui.demo.moto_process import READY_PREFIX

LOOPBACK = "127.0.0.1"


def child_environment() -> dict[str, str]:
    """The user's environment minus their AWS settings, plus dummy credentials.

    moto itself builds boto3 sessions inside the server (CreateModel does), so a user's
    ``AWS_PROFILE`` naming a profile the server cannot read would turn requests into 500s;
    ``MOTO_*`` switches would make the demo behave differently on one machine.
    """
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "MOTO_"))
    }
    environment.update(
        AWS_ACCESS_KEY_ID="demo",
        AWS_SECRET_ACCESS_KEY="demo",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONUNBUFFERED="1",
    )
    return environment


class DemoServerError(Exception):
    """The demo server could not be started; the message is one line for a person."""


class DemoServer:
    """A moto server child process on loopback. Use as a context manager."""

    def __init__(self, *, startup_timeout: float = 30.0, keep_log: bool = False) -> None:
        self._startup_timeout = startup_timeout
        self._keep_log = keep_log
        self._process: subprocess.Popen[bytes] | None = None
        self._log_dir: Path | None = None
        self._url: str | None = None
        self._deadline = 0.0

    @property
    def url(self) -> str:
        if self._url is None:
            raise DemoServerError("the demo server is not running")
        return self._url

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def log_path(self) -> Path | None:
        return self._log_dir / "moto.log" if self._log_dir is not None else None

    def start(self) -> str:
        """Start the child, wait until it answers HTTP, and return its base URL."""
        self.launch()
        return self.wait_until_ready()

    def launch(self) -> None:
        """Start the child and return at once (:meth:`wait_until_ready` waits for it).

        Call from the main thread (see the module docstring); the wait may run in another
        thread, so the console can paint while the server starts."""
        if self._process is not None:
            return
        self._log_dir = Path(tempfile.mkdtemp(prefix="canary-tui-demo-"))
        assert self.log_path is not None
        atexit.register(self.stop)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "canary_tui.demo.moto_process",
                    "--parent-pid",
                    str(os.getpid()),
                    "--host",
                    LOOPBACK,
                ],
                env=child_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                # Own session: Ctrl+C in the terminal reaches only us, and we stop the
                # simulator before the server it talks to.
                start_new_session=True,
                close_fds=True,
            )
        self._deadline = time.monotonic() + self._startup_timeout

    def wait_until_ready(self) -> str:
        """Wait until the launched child answers HTTP; return its base URL."""
        if self._url is not None:
            return self._url
        if self._process is None:
            raise DemoServerError("the demo's moto server was stopped before it was ready")
        try:
            port = self._read_port(self._deadline)
            url = f"http://{LOOPBACK}:{port}"
            self._url = url
            self._wait_until_answering(self._deadline)
        except BaseException:
            self.stop()
            raise
        return url

    def _read_port(self, deadline: float) -> int:
        assert self._process is not None and self._process.stdout is not None
        stream = self._process.stdout
        received = b""
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DemoServerError(self._failure("did not report its port in time"))
            ready, _, _ = select.select([stream], [], [], min(remaining, 0.5))
            if ready:
                chunk = os.read(stream.fileno(), 1024)
                if not chunk:
                    raise DemoServerError(self._failure("exited while starting"))
                received += chunk
        line = received.split(b"\n", 1)[0].decode("ascii", "replace").strip()
        stream.close()
        if not line.startswith(READY_PREFIX) or not line[len(READY_PREFIX) :].isdigit():
            raise DemoServerError(self._failure(f"reported {line!r} instead of its port"))
        return int(line[len(READY_PREFIX) :])

    def _wait_until_answering(self, deadline: float) -> None:
        # Imported here, in the worker: urllib.request costs ~8 ms of the first frame.
        import urllib.error
        import urllib.request

        probe = f"{self.url}/moto-api/"
        # No proxy: HTTP_PROXY in the user's shell must not swallow a loopback request.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            try:
                with opener.open(probe, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # any HTTP answer means it is serving
            except OSError as error:
                if time.monotonic() > deadline:
                    raise DemoServerError(self._failure(f"does not answer ({error})")) from error
                assert self._process is not None
                if self._process.poll() is not None:
                    raise DemoServerError(self._failure("exited while starting")) from error
                time.sleep(0.05)  # polling a condition with a deadline, not synchronisation

    def _failure(self, what: str) -> str:
        tail = ""
        if self.log_path is not None and self.log_path.exists():
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
            if lines:
                tail = f": {lines[-1].strip()}"
        return f"the demo's moto server {what}{tail}"

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate and reap the child; idempotent and safe from atexit or a signal."""
        process, self._process = self._process, None
        self._url = None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=timeout)
            if process.stdout is not None and not process.stdout.closed:
                process.stdout.close()
        atexit.unregister(self.stop)
        if self._log_dir is not None and not self._keep_log:
            shutil.rmtree(self._log_dir, ignore_errors=True)
            self._log_dir = None

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class Terminated(SystemExit):
    """Raised in the main thread on SIGTERM or SIGHUP so every ``finally`` and ``with`` runs."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(128 + signum)


#: SIGTERM: a stop request (kill, systemd, CI). SIGHUP: the SSH session or terminal went away.
TERMINATION_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def termination_raises() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` instead of killing us.

    Their default action ends the process without running ``finally`` blocks or atexit
    handlers, and the server would live on until PDEATHSIG (Linux only) caught up with it.
    Call from the main thread (only it may install signal handlers).
    """

    def raise_terminated(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    previous = {signum: signal.signal(signum, raise_terminated) for signum in TERMINATION_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

"""One change at a time per endpoint on this machine: a lock file per endpoint.

``<data dir>/canary-tui/locks/<region>--<endpoint>.lock`` (the audit log's platformdirs data
dir) is held with ``fcntl.flock`` from before the change path's re-read until the endpoint
has been read back after the write, so two runs cannot both read 90/10 and both write. The
file holds who has it (pid, host, user, command, since) for the message a waiting run gives.

* Within one process the lock is re-entrant per thread (the CLI takes it before it shows the
  plan, the change path takes it again) and other threads wait for it like other processes.
* A holder that died leaves its record behind but not the flock (the kernel drops it): the
  next run takes the lock over and says whose it was.
* A second run waits up to ``wait_seconds``, then :class:`EndpointBusy` names the holder.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCKS_DIR_NAME = "locks"
DEFAULT_WAIT_SECONDS = 10.0
#: How often a waiting run tries the lock again.
_RETRY_SECONDS = 0.05
_MAX_RECORD_BYTES = 4096
_MAX_COMMAND = 200


def default_locks_dir() -> Path:
    from canary_tui.audit import default_audit_path

    return default_audit_path().parent / LOCKS_DIR_NAME


@dataclass(frozen=True, slots=True)
class LockHolder:
    pid: int
    host: str
    user: str
    command: str
    since: str

    def describe(self) -> str:
        return f"{self.user} (pid {self.pid} on {self.host}, {self.command!r}) since {self.since}"

    @property
    def is_dead(self) -> bool:
        """True only when we can tell: same host, and no such process."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # someone else's live process
            return False
        return False


class EndpointBusy(Exception):
    """Someone else is changing this endpoint from this machine; nothing was sent."""

    def __init__(self, message: str, holder: LockHolder | None) -> None:
        super().__init__(message)
        self.message = message
        self.holder = holder


def _read_holder(handle_fd: int) -> LockHolder | None:
    try:
        raw = os.pread(handle_fd, _MAX_RECORD_BYTES, 0)
        record = json.loads(raw.decode("utf-8"))
        return LockHolder(
            pid=int(record["pid"]),
            host=str(record["host"]),
            user=str(record["user"]),
            command=str(record["command"]),
            since=str(record["since"]),
        )
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


def command_line() -> str:
    """This run's command line, shortened, for the records that say who holds what."""
    command = " ".join(["canary-tui", *sys.argv[1:]]) if sys.argv else "canary-tui"
    return command if len(command) <= _MAX_COMMAND else command[: _MAX_COMMAND - 1] + "\u2026"


def lock_file_name(endpoint: str, region: str | None) -> str:
    # Endpoint names are [a-zA-Z0-9-]; anything else is replaced so a name is never a path.
    def safe(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "_", text)

    return f"{safe(region or 'default-region')}--{safe(endpoint)}.lock"


def holder_if_changing(directory: Path, endpoint: str, region: str | None) -> LockHolder | None:
    """Who holds the endpoint's lock right now, without taking it or creating the file:
    an intent with no outcome whose lock is held is a change still going on, not a crash."""
    path = directory / lock_file_name(endpoint, region)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(descriptor) or LockHolder(0, "?", "?", "?", "?")
        except OSError:
            return None
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return None
    finally:
        os.close(descriptor)


class _Held:
    """This process's hold on one lock file."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.descriptor: int | None = None


_registry_lock = threading.Lock()
_registry: dict[Path, _Held] = {}


def _held_for(path: Path) -> _Held:
    with _registry_lock:
        return _registry.setdefault(path, _Held())


class EndpointLocks:
    """Lock files in ``directory``; ``notify`` hears about waits and take-overs."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        notify: Callable[[str], None] | None = None,
        command: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait_flag: str | None = None,
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_locks_dir()
        #: The option that sets the wait ("--lock-wait" in the CLI), named in a refusal.
        self.wait_flag = wait_flag
        self.wait_seconds = wait_seconds
        self.notify = notify
        self.command = command
        self._clock = clock

    def path_for(self, endpoint: str, region: str | None) -> Path:
        return self.directory / lock_file_name(endpoint, region)

    @contextmanager
    def hold(self, endpoint: str, region: str | None) -> Iterator[None]:
        """Hold the endpoint's lock for the block; :class:`EndpointBusy` after the wait."""
        path = self.path_for(endpoint, region)
        held = _held_for(path)
        deadline = self._clock() + self.wait_seconds
        if not held.thread_lock.acquire(timeout=max(0.0, self.wait_seconds)):
            raise self._busy(endpoint, None)
        try:
            if held.depth == 0:
                held.descriptor = self._acquire_file(path, endpoint, deadline)
            held.depth += 1
            try:
                yield
            finally:
                held.depth -= 1
                if held.depth == 0 and held.descriptor is not None:
                    self._release_file(held.descriptor)
                    held.descriptor = None
        finally:
            held.thread_lock.release()

    def _acquire_file(self, path: Path, endpoint: str, deadline: float) -> int:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as error:
            raise EndpointBusy(
                f"cannot open the lock file {path}: {error.strerror or error}; nothing was sent",
                None,
            ) from error
        told_waiting = False
        try:
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as error:
                    if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise
                holder = _read_holder(descriptor)
                if self._clock() >= deadline:
                    raise self._busy(endpoint, holder)
                if not told_waiting and self.notify is not None:
                    told_waiting = True
                    who = holder.describe() if holder else "another canary-tui process"
                    self.notify(
                        f"waiting up to {self.wait_seconds:g}s for {endpoint}: being changed "
                        f"by {who}"
                    )
                time.sleep(_RETRY_SECONDS)
            previous = _read_holder(descriptor)
            if previous is not None and previous.pid != os.getpid() and self.notify is not None:
                # A clean release empties the file: a record left behind is a holder that
                # died (the kernel dropped its flock).
                state = (
                    "is no longer running" if previous.is_dead else "exited without releasing it"
                )
                self.notify(
                    f"took over the lock on {endpoint} from {previous.describe()}, which {state}"
                )
            self._write_holder(descriptor)
        except BaseException:
            os.close(descriptor)
            raise
        return descriptor

    def _write_holder(self, descriptor: int) -> None:
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "user": _current_user(),
            "command": self.command or command_line(),
            "since": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
        payload = json.dumps(record).encode("utf-8")
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, payload, 0)

    @staticmethod
    def _release_file(descriptor: int) -> None:
        try:
            os.ftruncate(descriptor, 0)
        except OSError:
            pass  # the record is only for messages; the flock is what counts
        finally:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
            finally:
                os.close(descriptor)

    def _busy(self, endpoint: str, holder: LockHolder | None) -> EndpointBusy:
        who = holder.describe() if holder else "another canary-tui run in this process or machine"
        flag = f" ({self.wait_flag})" if self.wait_flag else ""
        return EndpointBusy(
            f"{endpoint} is being changed by {who}; waited {self.wait_seconds:g}s{flag}; "
            "nothing was sent, try again when it is done",
            holder,
        )

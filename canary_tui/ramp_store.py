"""Where ramps live between processes: one state file per endpoint, and its lock.

After every change of state the runner writes the state (atomically: temp file, fsync,
rename) to ``<audit log dir>/ramps/<endpoint>.json``, so a restarted console or CLI finds a
ramp in progress and reports or resumes it. A lock file beside it keeps two processes from
driving one ramp (:class:`RampBusy`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from canary_tui.domain.ramp import RampPlanError, RampState

RAMPS_DIR_NAME = "ramps"


class RampBusy(Exception):
    """Another process is driving this endpoint's ramp."""


def _file_stem(endpoint: str) -> str:
    # Endpoint names are [a-zA-Z0-9-]; anything else is replaced so a name is never a path.
    return re.sub(r"[^A-Za-z0-9._-]", "_", endpoint)


class RampStore:
    """One JSON file per endpoint, written atomically (temp file, fsync, rename)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @classmethod
    def next_to(cls, audit_path: Path) -> RampStore:
        return cls(Path(audit_path).parent / RAMPS_DIR_NAME)

    def path_for(self, endpoint: str) -> Path:
        return self.directory / f"{_file_stem(endpoint)}.json"

    def load(self, endpoint: str) -> RampState | None:
        path = self.path_for(endpoint)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return RampState.from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as error:
            # OverflowError: int() of an Infinity in the file (json reads it as a float).
            raise RampPlanError(f"cannot read the ramp state {path}: {error}") from error

    def save(self, state: RampState) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(state.plan.endpoint)
        payload = json.dumps(state.to_dict(), indent=2, allow_nan=False).encode("utf-8")
        descriptor, temp_name = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)

    def in_progress(self) -> list[RampState]:
        """Every ramp that has not ended, for reporting at start."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                state = RampState.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if not state.is_over:
                found.append(state)
        return found

    @contextmanager
    def lock(self, endpoint: str) -> Iterator[None]:
        """Exclusive per endpoint across processes; RampBusy if someone else holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        lock_path = self.directory / f".{_file_stem(endpoint)}.lock"
        with open(lock_path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RampBusy(
                    f"another canary-tui process is running the ramp on {endpoint}; "
                    "control it there (Ctrl+C in a CLI pauses it), then try again"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def unfinished_ramp_note(audit_path: Path, endpoint: str) -> str | None:
    """What a hand-made change should know about a ramp saved on ``endpoint`` and not over
    (running in another process, detached or left by one that died), or None. The ramp holds
    when it next looks at the endpoint ("weights changed outside the ramp"): nothing is
    lost, but the operator should hear it before, not after."""
    try:
        state = RampStore.next_to(audit_path).load(endpoint)
    except RampPlanError:
        return None  # `canary-tui ramp ENDPOINT --show` reports an unreadable state
    if state is None or state.is_over:
        return None
    return (
        f"note: a ramp of {state.plan.canary} on {endpoint} is saved at {state.progress_text}; "
        "after this change it holds (weights changed outside the ramp) until resumed or "
        f"aborted: canary-tui ramp {endpoint} --show"
    )

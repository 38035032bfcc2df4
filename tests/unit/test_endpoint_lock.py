"""The per-endpoint lock under real processes: serialised, bounded wait, dead-holder take-over."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from canary_tui.endpoint_lock import EndpointBusy, EndpointLocks, lock_file_name


def _hold_until_told(directory: str, ready: object, release: object) -> None:
    locks = EndpointLocks(Path(directory), wait_seconds=5, command="canary-tui set-weights ep")
    with locks.hold("ep", "us-east-1"):
        ready.set()  # type: ignore[attr-defined]
        release.wait(20)  # type: ignore[attr-defined]


@pytest.fixture
def holder(tmp_path: Path):  # type: ignore[no-untyped-def]
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    process = context.Process(target=_hold_until_told, args=(str(tmp_path), ready, release))
    process.start()
    assert ready.wait(30), "the holder process did not take the lock"
    yield process, release
    release.set()
    process.join(30)


def test_a_second_process_is_refused_after_the_wait_naming_the_holder(
    tmp_path: Path, holder: tuple[multiprocessing.Process, object]
) -> None:
    process, _ = holder
    heard: list[str] = []
    locks = EndpointLocks(tmp_path, wait_seconds=0.3, notify=heard.append)
    with pytest.raises(EndpointBusy) as busy, locks.hold("ep", "us-east-1"):
        pytest.fail("took a lock another process holds")
    assert busy.value.holder is not None
    assert busy.value.holder.pid == process.pid
    assert f"(pid {process.pid} on {socket.gethostname()}, 'canary-tui set-weights ep')" in (
        busy.value.message
    )
    assert busy.value.message.startswith("ep is being changed by ")
    assert "waited 0.3s" in busy.value.message and "nothing was sent" in busy.value.message
    assert heard and heard[0].startswith("waiting up to 0.3s for ep: being changed by ")


def test_a_waiting_process_gets_the_lock_when_the_holder_lets_go(
    tmp_path: Path, holder: tuple[multiprocessing.Process, object]
) -> None:
    process, release = holder
    got_it = threading.Event()
    heard: list[str] = []

    def release_when_waiting(message: str) -> None:
        heard.append(message)
        release.set()  # type: ignore[attr-defined]

    locks = EndpointLocks(tmp_path, wait_seconds=20, notify=release_when_waiting)
    with locks.hold("ep", "us-east-1"):
        got_it.set()
    process.join(30)
    assert got_it.is_set() and heard and "waiting" in heard[0]
    # Released cleanly: the record is gone, so the next run has nothing to take over.
    assert (tmp_path / lock_file_name("ep", "us-east-1")).read_bytes() == b""


def test_a_dead_holder_is_taken_over_with_a_message(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    path = tmp_path / lock_file_name("ep", "us-east-1")
    path.write_text(
        json.dumps(
            {
                "pid": dead_pid,
                "host": socket.gethostname(),
                "user": "bob",
                "command": "canary-tui promote ep new-model",
                "since": "2026-12-03T06:00:00Z",
            }
        )
    )
    heard: list[str] = []
    with EndpointLocks(tmp_path, wait_seconds=0, notify=heard.append).hold("ep", "us-east-1"):
        record = json.loads(path.read_text())
        assert record["pid"] == os.getpid()
    assert heard == [
        f"took over the lock on ep from bob (pid {dead_pid} on {socket.gethostname()}, "
        "'canary-tui promote ep new-model') since 2026-12-03T06:00:00Z, which is no longer running"
    ]


def test_reentrant_in_one_thread_and_exclusive_between_threads(tmp_path: Path) -> None:
    locks = EndpointLocks(tmp_path, wait_seconds=0.2)
    outcome: list[str] = []
    with locks.hold("ep", "r"), locks.hold("ep", "r"):
        other = threading.Thread(
            target=lambda: outcome.append(_try(EndpointLocks(tmp_path, wait_seconds=0.2)))
        )
        other.start()
        other.join(10)
    assert outcome == ["busy"]
    assert _try(locks) == "held"  # released after the outer block


def _try(locks: EndpointLocks) -> str:
    try:
        with locks.hold("ep", "r"):
            return "held"
    except EndpointBusy:
        return "busy"


def test_endpoints_and_regions_have_their_own_locks(tmp_path: Path) -> None:
    locks = EndpointLocks(tmp_path, wait_seconds=0)
    with locks.hold("ep", "us-east-1"):
        assert _try_other(locks, "ep", "eu-west-1") and _try_other(locks, "other", "us-east-1")
    assert lock_file_name("../x?", None) == "default-region--.._x_.lock"


def _try_other(locks: EndpointLocks, endpoint: str, region: str) -> bool:
    result: list[bool] = []

    def attempt() -> None:
        with locks.hold(endpoint, region):
            result.append(True)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(10)
    return result == [True]


def test_an_intent_whose_lock_is_held_is_a_change_going_on_not_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from canary_tui.audit import AuditLog, default_audit_path
    from canary_tui.cli.output import report_audit_problems
    from canary_tui.endpoint_lock import default_locks_dir, holder_if_changing

    # conftest points XDG_DATA_HOME at tmp_path/data: the CLI's own lock directory.
    audit = AuditLog(default_audit_path())
    audit.record_intent(
        endpoint="ep",
        kind="weights",
        source="cli",
        region="eu-west-1",
        weights_before={"a": 0.9, "b": 0.1},
        weights_after={"a": 0.5, "b": 0.5},
    )
    locks = EndpointLocks(default_locks_dir(), wait_seconds=0)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with locks.hold("ep", "eu-west-1"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        assert holder_if_changing(default_locks_dir(), "ep", "eu-west-1") is not None
        report_audit_problems(audit)
        assert capsys.readouterr().err == ""  # another run is doing it right now
    finally:
        release.set()
        thread.join(10)
    assert holder_if_changing(default_locks_dir(), "ep", "eu-west-1") is None
    report_audit_problems(audit)
    assert "1 unfinished change in the audit log" in capsys.readouterr().err
    assert not (default_locks_dir() / lock_file_name("ep", "us-east-1")).exists()

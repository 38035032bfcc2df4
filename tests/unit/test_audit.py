"""The audit log on its own: records on disk, pairing, unfinished intents, damaged files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from canary_tui.audit import AuditLog, AuditWriteError, default_audit_path


def _intent(log: AuditLog, endpoint: str = "ep", **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "endpoint": endpoint,
        "kind": "weights",
        "source": "cli",
        "weights_before": {"current-model": 0.9, "new-model": 0.1},
        "weights_after": {"current-model": 0.75, "new-model": 0.25},
        "caller": "arn:aws:sts::123456789012:assumed-role/Ops/alice",
        "profile": "prod",
        "region": "eu-west-1",
        "reason": "INC-42 widen canary",
    }
    fields.update(overrides)
    return log.record_intent(**fields)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_default_path_is_in_the_user_data_dir(tmp_path: Path) -> None:
    # conftest points XDG_DATA_HOME at tmp_path/data.
    assert default_audit_path() == tmp_path / "data" / "canary-tui" / "audit.jsonl"
    log = AuditLog()
    _intent(log)
    assert (tmp_path / "data" / "canary-tui" / "audit.jsonl").exists()


def test_intent_record_has_every_field(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 25, 9, 30, 0, 123000, tzinfo=UTC)
    log = AuditLog(tmp_path / "nested" / "dir" / "audit.jsonl", clock=lambda: moment)
    change_id = _intent(
        log,
        request={"EndpointName": "ep", "DesiredWeightsAndCapacities": []},
        instance_counts_before={"current-model": 2, "new-model": None},
        instance_counts_after={"current-model": 2, "new-model": None},
    )
    [record] = _lines(log.path)
    assert record["id"] == change_id
    assert record["phase"] == "intent"
    assert record["time"] == "2026-11-25T09:30:00.123Z"
    assert record["caller"] == "arn:aws:sts::123456789012:assumed-role/Ops/alice"
    assert (record["profile"], record["region"], record["endpoint"]) == ("prod", "eu-west-1", "ep")
    assert (record["kind"], record["source"]) == ("weights", "cli")
    assert record["reason"] == "INC-42 widen canary"
    assert record["before"]["weights"] == {"current-model": 0.9, "new-model": 0.1}
    assert record["before"]["traffic_percent"] == {"current-model": 90.0, "new-model": 10.0}
    assert record["after"]["traffic_percent"] == {"current-model": 75.0, "new-model": 25.0}
    assert record["after"]["instance_counts"] == {"current-model": 2, "new-model": None}
    assert record["request"]["EndpointName"] == "ep"


def test_each_record_is_fsynced_before_returning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    synced: list[tuple[str, int]] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        # At fsync time the whole record must already be in the file.
        what = "dir" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "file"
        synced.append((what, len(log.path.read_bytes())))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    change_id = _intent(log)
    log.record_outcome(change_id, result="applied", endpoint="ep")
    sizes = [len(line) + 1 for line in log.path.read_bytes().splitlines()]
    # The directory is synced once, when the file is created.
    assert synced == [("file", sizes[0]), ("dir", sizes[0]), ("file", sizes[0] + sizes[1])]


def test_intent_and_outcome_are_paired_newest_last(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ticks = iter(start + timedelta(seconds=second) for second in range(100))
    log = AuditLog(tmp_path / "audit.jsonl", clock=lambda: next(ticks))
    first = _intent(log, endpoint="ep-a")
    second = _intent(log, endpoint="ep-b")
    log.record_outcome(
        second,
        result="not-applied",
        endpoint="ep-b",
        error_kind="throttled",
        error_message="AWS is throttling",
    )
    log.record_outcome(
        first,
        result="applied",
        endpoint="ep-a",
        desired_weights_after={"current-model": 0.75, "new-model": 0.25},
    )
    entries = log.entries()
    assert [entry.change_id for entry in entries] == [first, second]
    assert entries[0].result == "applied"
    assert entries[0].outcome is not None
    assert entries[0].outcome.traffic_percent_after == {"current-model": 75.0, "new-model": 25.0}
    assert entries[1].result == "not-applied"
    assert entries[1].outcome is not None
    assert entries[1].outcome.error_kind == "throttled"
    assert [entry.change_id for entry in log.entries(endpoint="ep-b")] == [second]
    assert log.unfinished() == []


def test_intent_without_outcome_is_unfinished(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    done = _intent(log)
    log.record_outcome(done, result="applied", endpoint="ep")
    crashed = _intent(log, endpoint="other")
    # A second process reading the same file sees it too.
    unfinished = AuditLog(log.path).unfinished()
    assert [entry.change_id for entry in unfinished] == [crashed]
    assert unfinished[0].result == "unfinished"
    assert AuditLog(log.path).unfinished(endpoint="ep") == []


def test_truncated_last_line_is_skipped_and_reported(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    kept = _intent(log)
    log.record_outcome(kept, result="applied", endpoint="ep")
    whole = log.path.read_bytes()
    lost_line = json.dumps({"id": "x", "phase": "intent", "endpoint": "ep"})
    # A crash mid-write: half a record, no newline.
    log.path.write_bytes(whole + lost_line[: len(lost_line) // 2].encode())
    reading = log.read()
    assert [entry.change_id for entry in reading.entries] == [kept]
    assert len(reading.skipped) == 1
    assert reading.skipped[0].line_number == 3
    assert "audit.jsonl:3" in reading.skipped[0].describe(log.path)
    # The next record starts on its own line instead of being glued to the broken one.
    later = _intent(log)
    reading = log.read()
    assert [entry.change_id for entry in reading.entries] == [kept, later]
    assert len(reading.skipped) == 1


def test_records_of_the_wrong_shape_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text(
        '[1, 2]\n{"phase": "intent"}\n{"phase": "bogus", "id": "1"}\n'
        '{"phase": "intent", "id": "2", "time": "2026-01-01T00:00:00Z", "endpoint": "e",'
        ' "kind": "weights", "source": "cli", "before": [], "after": []}\n'
        '{"phase": "outcome", "id": "3", "time": "2026-01-01T00:00:00Z", "result": "maybe"}\n'
    )
    reading = AuditLog(path).read()
    assert reading.entries == ()
    assert [skipped.line_number for skipped in reading.skipped] == [1, 2, 3, 4, 5]


def test_missing_file_reads_as_empty(tmp_path: Path) -> None:
    reading = AuditLog(tmp_path / "never-written.jsonl").read()
    assert reading.entries == () and reading.skipped == ()


def test_unwritable_log_raises_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    log = AuditLog(blocker / "audit.jsonl")
    with pytest.raises(AuditWriteError) as caught:
        _intent(log)
    assert "cannot write the audit log" in caught.value.message
    assert "nothing was sent" in caught.value.message
    assert "\n" not in caught.value.message


def test_non_finite_weights_are_rejected(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(ValueError):
        _intent(log, weights_after={"current-model": float("nan"), "new-model": 1.0})
    assert not log.path.exists()


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    # Two AuditLog objects (like two processes) and several threads on each.
    logs = [AuditLog(path), AuditLog(path)]
    per_thread = 40
    ids: list[str] = []
    ids_lock = threading.Lock()
    barrier = threading.Barrier(8)

    def writer(index: int) -> None:
        log = logs[index % 2]
        barrier.wait()
        for _ in range(per_thread):
            change_id = _intent(log, endpoint=f"ep-{index}", reason="x" * 500)
            log.record_outcome(change_id, result="applied", endpoint=f"ep-{index}")
            with ids_lock:
                ids.append(change_id)

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    reading = AuditLog(path).read()
    assert reading.skipped == ()
    assert len(reading.entries) == 8 * per_thread
    assert {entry.change_id for entry in reading.entries} == set(ids)
    assert all(entry.result == "applied" for entry in reading.entries)


def test_concurrent_processes_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    writer = (
        "import sys\n"
        "from pathlib import Path\n"
        "from canary_tui.audit import AuditLog\n"
        "log = AuditLog(Path(sys.argv[1]))\n"
        "for _ in range(50):\n"
        "    change_id = log.record_intent(endpoint=sys.argv[2], kind='weights', source='cli',\n"
        "        weights_before={'a': 1.0}, weights_after={'a': 2.0}, reason='y' * 3000)\n"
        "    log.record_outcome(change_id, result='applied', endpoint=sys.argv[2])\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", writer, str(path), f"ep-{index}"])
        for index in range(4)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0, 0, 0]
    reading = AuditLog(path).read()
    assert reading.skipped == ()
    assert len(reading.entries) == 200
    assert all(entry.result == "applied" for entry in reading.entries)


@pytest.mark.parametrize(
    ("result", "error_kind", "read_as"),
    [
        ("ok", None, "applied"),
        ("error", "validation", "not-applied"),
        ("error", "access-denied", "not-applied"),
        # A version-1 "error" only said the call raised: a timeout may have applied.
        ("error", "unavailable", "unknown"),
        ("error", "aws-error", "unknown"),
        # Version 1 logged botocore's retry of our own accepted write as refused.
        ("refused", "in-progress", "unknown"),
        ("refused", "guard", "refused"),
    ],
)
def test_version_1_outcomes_are_read_in_todays_words(
    tmp_path: Path, result: str, error_kind: str | None, read_as: str
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    change_id = _intent(log)
    record = {
        "v": 1,
        "id": change_id,
        "phase": "outcome",
        "time": "2026-01-01T00:00:00.000Z",
        "endpoint": "ep",
        "result": result,
        "error_kind": error_kind,
    }
    with log.path.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    [entry] = log.entries()
    assert entry.result == read_as
    assert entry.may_have_applied == (read_as == "unknown" or read_as == "applied")


def test_an_outcome_keeps_its_evidence(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    change_id = _intent(log)
    log.record_outcome(change_id, result="unknown", evidence="re-read failed: timeout")
    [entry] = log.entries()
    assert entry.outcome is not None and entry.outcome.evidence == "re-read failed: timeout"
    assert json.loads(log.path.read_text().splitlines()[-1])["v"] == 2

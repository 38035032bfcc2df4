"""Reading the audit log: any bytes are tolerated, reads are bounded, and the index makes a
long log cheap without ever changing what is read."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canary_tui import audit_read
from canary_tui.audit import AuditLog, AuditReadError, AuditReading, AuditWriteError
from canary_tui.audit_read import index_path
from canary_tui.domain.text import printable


def _record(change_id: str, endpoint: str = "ep", **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "v": 2,
        "id": change_id,
        "phase": "intent",
        "time": "2026-11-25T09:30:00.000Z",
        "endpoint": endpoint,
        "kind": "weights",
        "source": "cli",
        "reason": None,
        "before": {"weights": {"a": 0.9, "b": 0.1}, "traffic_percent": {"a": 90, "b": 10}},
        "after": {"weights": {"a": 0.5, "b": 0.5}, "traffic_percent": {"a": 50, "b": 50}},
    }
    record.update(overrides)
    return record


def _outcome(change_id: str, endpoint: str = "ep", result: str = "applied") -> dict[str, Any]:
    return {
        "v": 2,
        "id": change_id,
        "phase": "outcome",
        "time": "2026-11-25T09:30:01.000Z",
        "endpoint": endpoint,
        "result": result,
    }


def _write(path: Path, *records: dict[str, Any] | str) -> None:
    with path.open("a") as handle:
        for record in records:
            handle.write((record if isinstance(record, str) else json.dumps(record)) + "\n")


def _summary(reading: AuditReading) -> tuple[Any, ...]:
    return (
        tuple((e.change_id, e.endpoint, e.result) for e in reading.entries),
        tuple((s.line_number, s.problem) for s in reading.skipped),
        tuple((s.line_number, s.problem) for s in reading.flagged),
    )


def _cold(log: AuditLog, endpoint: str | None = None) -> AuditReading:
    index_path(log.path).unlink(missing_ok=True)
    return log.read(endpoint)


def test_a_time_without_a_time_zone_is_read_as_utc_and_flagged(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    _write(log.path, _record("aware", time="2026-11-25T10:00:00Z"))
    _write(log.path, _record("naive", time="2026-11-25T09:00:00"))
    reading = log.read()  # sorting naive against aware times used to raise TypeError
    assert [entry.change_id for entry in reading.entries] == ["naive", "aware"]
    assert reading.entries[0].intent.time_zone_assumed
    assert [(f.line_number, f.problem) for f in reading.flagged] == [
        (2, "time without a time zone, read as UTC")
    ]


def test_non_finite_numbers_are_kept_as_text_or_skip_the_record(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    request = '{"EndpointName":"ep","DesiredWeightsAndCapacities":[{"DesiredWeight":Infinity}]}'
    line = json.dumps(_record("inf-request")).replace('"reason": null', f'"request": {request}')
    _write(log.path, line, json.dumps(_record("huge")).replace("0.9", "1e400"))
    reading = log.read()
    [entry] = reading.entries
    assert entry.intent.request == {
        "EndpointName": "ep",
        "DesiredWeightsAndCapacities": [{"DesiredWeight": "Infinity"}],
    }
    assert json.dumps(entry.intent.request, allow_nan=False)  # printable as JSON again
    # 1e400 is too large for a float: kept as the text it was, so it is not a weight.
    [skipped] = reading.skipped
    assert (skipped.line_number, skipped.problem) == (2, "weight before of a is not a number")


def test_a_huge_line_is_skipped_without_being_kept(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    _write(log.path, _record("one"), "x" * (3 * 1024 * 1024), _record("two"))
    reading = log.read()
    assert [entry.change_id for entry in reading.entries] == ["one", "two"]
    assert [(s.line_number, s.problem) for s in reading.skipped] == [
        (2, f"line too long ({3 * 1024 * 1024} bytes)")
    ]


def test_only_a_regular_file_is_read_or_written(tmp_path: Path) -> None:
    # /dev/full reads zeros forever: reading it once grew the process to 23 GB.
    with pytest.raises(AuditReadError, match="not a regular file"):
        AuditLog(Path("/dev/full")).read()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(AuditReadError, match="not a regular file"):  # and does not hang
        AuditLog(fifo).read_unfinished()
    with pytest.raises(AuditWriteError, match="nothing was sent"):
        AuditLog(Path("/dev/full")).record_outcome("x", result="applied")


def test_the_index_is_rebuilt_when_it_does_not_match_the_log(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    _write(log.path, _record("one"), _outcome("one"), _record("two"))
    assert [e.change_id for e in log.unfinished()] == ["two"]
    assert index_path(log.path).exists()
    # The log replaced by a shorter one (rotated, restored from a backup):
    log.path.unlink()
    _write(log.path, _record("three"))
    assert [e.change_id for e in log.unfinished()] == ["three"]
    # The index damaged:
    index_path(log.path).write_text('{"v": 1, "index": {"dev": "x"}}')
    assert [e.change_id for e in log.unfinished()] == ["three"]
    index_path(log.path).write_bytes(b"\xff\x00")
    assert [e.change_id for e in log.read().entries] == ["three"]
    fields = json.loads(json.dumps({"v": 1, "index": {}}))
    status = os.stat(log.path)
    fields["index"] = {
        "dev": status.st_dev,
        "ino": status.st_ino,
        "offset": 0,
        "tail_digest": audit_read._digest_of(b""),
        "spans": "junk",
        "unfinished": {"x": "junk"},
    }
    index_path(log.path).write_text(json.dumps(fields))
    assert [e.change_id for e in log.read_unfinished().entries] == ["three"]


def test_a_warm_read_parses_only_the_lines_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    for number in range(200):
        _write(log.path, _record(f"c{number}", f"ep{number % 4}"), _outcome(f"c{number}"))
    _write(log.path, _record("open", "ep1"))
    parsed: list[bytes] = []
    real_parse = audit_read.parse_line

    def counting(raw: bytes) -> Any:
        parsed.append(raw)
        return real_parse(raw)

    monkeypatch.setattr(audit_read, "parse_line", counting)
    assert [e.change_id for e in log.unfinished()] == ["open"]
    assert len(parsed) == 401  # the first read builds the index
    parsed.clear()
    assert [e.change_id for e in log.unfinished()] == ["open"]
    assert len(parsed) == 1  # the unfinished intent only
    parsed.clear()
    assert len(log.read("ep2").entries) == 50
    assert len(parsed) == 100  # ep2's 50 intents and their outcomes
    parsed.clear()
    _write(log.path, _outcome("open", "ep1"))
    assert log.unfinished() == []
    assert len(parsed) == 1  # only the new line


def test_a_last_line_being_written_is_read_but_not_indexed(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    _write(log.path, _record("one"))
    with log.path.open("a") as handle:
        handle.write(json.dumps(_outcome("one"))[:30])
    reading = log.read()
    assert [e.result for e in reading.entries] == ["unfinished"]
    assert [s.line_number for s in reading.skipped] == [2]
    log.record_outcome("one", result="applied", endpoint="ep")  # starts a fresh line
    assert [e.result for e in log.read().entries] == ["applied"]
    assert _summary(log.read()) == _summary(_cold(log))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.binary(max_size=600),
    second=st.binary(max_size=600),
    records=st.lists(st.sampled_from([0, 1, 2, 3]), max_size=6),
)
def test_any_bytes_read_the_same_warm_or_cold_and_never_raise(
    tmp_path_factory: pytest.TempPathFactory, first: bytes, second: bytes, records: list[int]
) -> None:
    directory = tmp_path_factory.mktemp("any")
    log = AuditLog(directory / "audit.jsonl")
    samples = [
        json.dumps(_record("a")).encode(),
        json.dumps(_outcome("a")).encode(),
        json.dumps(_record("b", time="2026-01-01T00:00:00")).encode(),
        b'{"phase":"intent","id":"c","time":"2026-01-01T00:00:00Z","before":' + b"[" * 3000,
    ]
    body = b"\n".join(samples[choice] for choice in records)
    log.path.write_bytes(first + b"\n" + body)
    log.read()
    log.read_unfinished("a")
    with log.path.open("ab") as handle:
        handle.write(second)
    warm = (log.read(), log.read("ep"), log.read_unfinished())
    shutil.copy(log.path, directory / "copy.jsonl")
    copy = AuditLog(directory / "copy.jsonl")
    cold = (copy.read(), copy.read("ep"), copy.read_unfinished())
    assert [_summary(reading) for reading in warm] == [_summary(reading) for reading in cold]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("INC-42 \x1b[2J\x1b]0;pwned\x07 widen", "INC-42 \\x1b[2J\\x1b]0;pwned\\x07 widen"),
        ("90/10 \u202e01/09", "90/10 \\u202e01/09"),
        ("line\u2028two\r\n", "line\\u2028two\\x0d\\x0a"),
        ("csi \x9b31m", "csi \\x9b31m"),
        ("fine: ünïcödé 名前", "fine: ünïcödé 名前"),
    ],
)
def test_control_characters_are_escaped_for_display(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_cuts_long_text() -> None:
    assert printable("x" * 10, 5) == "xxxx…"

"""The CLI on an audit log that anyone could have edited: every command still works, says
what it skipped, and never prints a control character or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "canary_tui", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
        timeout=60,
        check=False,
    )


def _intent(change_id: str, **overrides: Any) -> str:
    record: dict[str, Any] = {
        "v": 2,
        "id": change_id,
        "phase": "intent",
        "time": "2026-11-25T09:30:00.000Z",
        "endpoint": "prod-ranker",
        "kind": "weights",
        "source": "cli",
        "reason": None,
        "before": {"weights": {"a": 0.9, "b": 0.1}, "traffic_percent": {"a": 90, "b": 10}},
        "after": {"weights": {"a": 0.5, "b": 0.5}, "traffic_percent": {"a": 50, "b": 50}},
    }
    record.update(overrides)
    return json.dumps(record)


@pytest.fixture
def hostile_log(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    lines = [
        _intent("escapes", reason="INC-1 \x1b[2J\x1b]0;pwned\x07 [bold]markup[/]"),
        _intent("naive", time="2026-11-25T08:00:00"),
        _intent("inf").replace('"reason": null', '"request": {"DesiredWeight": Infinity}'),
        "{not json",
        "\xff\xfe",
    ]
    path.write_text("\n".join(lines) + "\n", errors="surrogateescape")
    return path


def test_audit_text_output_escapes_control_characters(hostile_log: Path) -> None:
    result = _cli("audit", "--audit-log", str(hostile_log))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert "\x07" not in result.stdout
    assert "reason: INC-1 \\x1b[2J\\x1b]0;pwned\\x07 [bold]markup[/]" in result.stdout
    assert "time had no time zone: read as UTC" in result.stdout
    warnings = result.stderr.strip().splitlines()
    assert any("skipped unreadable audit record" in line for line in warnings)
    assert any("time without a time zone, read as UTC" in line for line in warnings)
    assert "Traceback" not in result.stderr


def test_audit_json_prints_non_finite_numbers_as_text(hostile_log: Path) -> None:
    result = _cli("audit", "--audit-log", str(hostile_log), "--json")
    assert result.returncode == 0, result.stderr
    entries = {entry["id"]: entry for entry in json.loads(result.stdout)["entries"]}
    assert entries["inf"]["request"] == {"DesiredWeight": "Infinity"}
    assert entries["naive"]["time_zone_assumed"] is True
    assert [line["line"] for line in json.loads(result.stdout)["skipped_lines"]] == [4, 5]


def test_a_device_as_the_audit_log_is_one_line_and_exit_2() -> None:
    result = _cli("audit", "--audit-log", "/dev/full")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "canary-tui: cannot read the audit log /dev/full: not a regular file"
    )

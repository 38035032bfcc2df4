"""With a team table, a teammate's change (another machine, its own audit log) is in the
report's timeline as theirs, from the table's trail, not as a change made outside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from canary_tui.audit import AuditLog
from tests.aws.test_team_audit import TABLE, change, created, machine
from tests.report.test_cli_report import quiet_moto, run

__all__ = ["created", "quiet_moto"]


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr><td>#\d+</td>(.*?)</tr>", html)


def test_a_teammates_change_is_theirs_not_outside(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    created: None,
    moto_url: str,
    tmp_path: Path,
    canary_endpoint: str,
) -> None:
    ours, theirs = tmp_path / "ours.jsonl", tmp_path / "theirs.jsonl"
    change(machine(moto_url), AuditLog(ours), canary_endpoint, 20)
    change(machine(moto_url), AuditLog(theirs), canary_endpoint, 30)
    alone, shared = tmp_path / "alone.html", tmp_path / "shared.html"

    code, _, err = run(
        capsys, moto_url, canary_endpoint, "-o", str(alone), "--audit-log", str(ours)
    )
    assert code == 0, err
    rows = _rows(alone.read_text())
    assert len(rows) == 2 and "outside canary-tui" in rows[1]  # only implied, by our log

    monkeypatch.setenv("CANARY_TUI_TEAM_TABLE", TABLE)
    code, _, err = run(
        capsys, moto_url, canary_endpoint, "-o", str(shared), "--audit-log", str(ours)
    )
    assert code == 0, err
    html = shared.read_text()
    rows = _rows(html)
    assert len(rows) == 2 and not any("outside canary-tui" in row for row in rows), rows
    assert "new-model 20.0% -&gt; 30.0%" in rows[1] and "applied" in rows[1]
    assert f"audit log + team table {TABLE}" in html

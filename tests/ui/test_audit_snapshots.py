"""Snapshots of the audit view and its detail at 80x24 and 120x40 (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canary_tui.audit import AuditLog
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.test_audit_screen import _log_with_three_changes
from tests.ui.test_snapshots import SIZES, SnapCompare, after


def audit_app(tmp_path: Path) -> CanaryApp:
    """Three changes with fixed ids and times, so every run draws the same frame."""
    log = _log_with_three_changes(tmp_path / "audit.jsonl")
    ids: dict[str, str] = {}
    records = []
    for line in log.path.read_text().splitlines():
        record = json.loads(line)
        record["id"] = ids.setdefault(record["id"], f"{len(ids) + 1:08d}{'0' * 24}")
        record["time"] = f"2026-11-25T09:{30 + len(ids):02d}:00.000Z"
        records.append(json.dumps(record))
    log.path.write_text("\n".join(records) + "\n")
    backend = fake_backend()
    return CanaryApp(
        backend,
        FakeChangeService(backend.sagemaker),
        ConsoleOptions(poll=False, region="us-east-1", mode_label="demo"),
        clock=frozen_clock,
        audit=AuditLog(log.path),
    )


@pytest.mark.parametrize("size", SIZES)
class TestAudit:
    def test_list(self, snap_compare: SnapCompare, size: tuple[int, int], tmp_path: Path) -> None:
        app = audit_app(tmp_path)
        assert snap_compare(app, terminal_size=size, run_before=after("a"))

    def test_detail(self, snap_compare: SnapCompare, size: tuple[int, int], tmp_path: Path) -> None:
        app = audit_app(tmp_path)
        assert snap_compare(app, terminal_size=size, run_before=after("a", "up", "enter"))

"""The audit log on a long history: what ``status`` (unfinished changes) and one endpoint's
history cost on 100k changes, against the yardstick of merely parsing every line once
(``json.loads``), which is what any reader without an index pays on every call."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.audit_read import index_path

RECORDS = 100_000
ENDPOINTS = 50


def write_history(path: Path, records: int = RECORDS) -> None:
    """``records`` changes over ``ENDPOINTS`` endpoints, one in 1,000 left unfinished;
    written as the writer writes them, without an fsync per line."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    weights_before = {"current-model": 0.9, "new-model": 0.1}
    weights_after = {"current-model": 0.8, "new-model": 0.2}
    with path.open("w") as handle:
        for number in range(records):
            change_id = f"{number:032x}"
            endpoint = f"endpoint-{number % ENDPOINTS:02}"
            moment += timedelta(seconds=30)
            when = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            intent: dict[str, Any] = {
                "v": 2, "id": change_id, "phase": "intent", "time": when,
                "caller": "arn:aws:sts::123456789012:assumed-role/Ops/alice",
                "profile": None, "region": "us-east-1", "endpoint": endpoint,
                "kind": "weights", "source": "cli", "reason": "ramp step",
                "before": {"weights": weights_before,
                           "traffic_percent": {"current-model": 90.0, "new-model": 10.0}},
                "after": {"weights": weights_after,
                          "traffic_percent": {"current-model": 80.0, "new-model": 20.0}},
                "request": None,
            }  # fmt: skip
            handle.write(json.dumps(intent, separators=(",", ":")) + "\n")
            if number % 1000 != 7:
                outcome = {
                    "v": 2, "id": change_id, "phase": "outcome", "time": when,
                    "endpoint": endpoint, "result": "applied", "evidence": "re-read",
                    "desired_weights_after": weights_after,
                }  # fmt: skip
                handle.write(json.dumps(outcome, separators=(",", ":")) + "\n")


def _seconds(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def measure(records: int = RECORDS) -> list[tuple[str, float]]:
    """(label, seconds) for each reading, the yardstick first."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audit.jsonl"
        write_history(path, records)
        log = AuditLog(path)

        def parse_every_line() -> None:
            for line in path.read_bytes().splitlines():
                json.loads(line)

        figures = [("yardstick: json.loads of every line", _seconds(parse_every_line))]
        figures.append(("first read, building the index", _seconds(log.read_unfinished)))
        figures.append(("status: unfinished changes, indexed", _seconds(log.read_unfinished)))
        figures.append(
            ("one endpoint's history, indexed", _seconds(lambda: log.read("endpoint-07")))
        )
        index_path(path).unlink()
        figures.append(("whole log, every entry, no index", _seconds(log.read)))
        return figures

"""No lost updates: two processes changing one endpoint at once (the slow identity lookup
case is in test_changes.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from canary_tui.audit import AuditLog
from tests.fault_proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def proxy(moto_url: str) -> Iterator[FaultProxy]:
    running = FaultProxy(moto_url)
    try:
        yield running
    finally:
        running.close()


def _cli(proxy: FaultProxy, audit: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), AWS_ENDPOINT_URL=proxy.url)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "canary_tui",
            "set-weights",
            "existing-endpoint-name",
            *args,
            "--yes",
            "--audit-log",
            str(audit),
            "--region",
            "us-east-1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_are_serialised_and_the_second_starts_from_the_first(
    proxy: FaultProxy, canary_endpoint: str, sagemaker_client: Any, tmp_path: Path
) -> None:
    audit_path = tmp_path / "audit.jsonl"
    proxy.set("hold")  # the first write is answered only when the test says so
    first = _cli(proxy, audit_path, "current-model=70%", "new-model=30%")
    second: subprocess.Popen[str] | None = None
    try:
        assert proxy.arrived.wait(60), "the first run's write did not arrive"
        second = _cli(proxy, audit_path, "current-model=50%", "new-model=50%", "--lock-wait", "60")
        assert second.stderr is not None
        # The second run says whom it waits for (after a warning about the first's intent,
        # which has no outcome yet). readline returns "" at exit, so this loop is bounded.
        waiting = "-"
        while waiting and not waiting.startswith("canary-tui: waiting"):
            waiting = second.stderr.readline()
        assert waiting.startswith("canary-tui: waiting up to 60s for existing-endpoint-name")
        assert f"(pid {first.pid} on " in waiting and "set-weights" in waiting
        proxy.gate.set()
        assert first.wait(60) == 0
        assert second.wait(60) == 0
    finally:
        proxy.gate.set()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
    described = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)
    live = {v["VariantName"]: v["DesiredWeight"] for v in described["ProductionVariants"]}
    assert live == {"current-model": 0.5, "new-model": 0.5}
    one, two = AuditLog(audit_path).entries()
    assert (one.result, two.result) == ("applied", "applied")
    assert dict(one.intent.traffic_percent_before) == {"current-model": 90.0, "new-model": 10.0}
    assert dict(two.intent.traffic_percent_before) == dict(one.intent.traffic_percent_after)
    assert proxy.writes_seen == 2

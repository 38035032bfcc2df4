"""End to end: ``canary-tui set-weights`` (a subprocess, against moto) posts its change to the
configured webhook before it exits; a webhook that never answers delays its exit by the
bounded flush only, never the change; delivery failures are one line on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from canary_tui.config import config_path

from .receiver import HANG, receiver


def _configure(url: str, timeout: str = "5s") -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[[webhooks]]\nname = "ops"\nurl = "{url}"\ntimeout = "{timeout}"\n')


def _set_weights(moto_url: str, endpoint: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "canary_tui",
            "set-weights",
            endpoint,
            "current-model=75%",
            "new-model=25%",
            "--yes",
            "--endpoint-url",
            moto_url,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )


def test_set_weights_posts_change_applied(
    moto_url: str, canary_endpoint: str, sagemaker_client: Any
) -> None:
    with receiver((200, {})) as server:
        _configure(server.url)
        result = _set_weights(moto_url, canary_endpoint)
        assert result.returncode == 0, result.stderr
        (request,) = server.requests  # delivered before the command exited
    assert request.body["event"] == "change.applied"
    assert request.body["traffic_percent_after"] == {"current-model": 75.0, "new-model": 25.0}
    assert request.body["details"]["source"] == "cli"
    assert "webhook" not in result.stderr  # a delivery that went through is not news


def test_a_dead_webhook_costs_the_command_only_the_bounded_flush(
    moto_url: str, canary_endpoint: str, sagemaker_client: Any
) -> None:
    with receiver(HANG) as server:
        _configure(server.url, timeout="30s")
        started = time.monotonic()
        result = _set_weights(moto_url, canary_endpoint)
        elapsed = time.monotonic() - started
        assert len(server.requests) == 1
    assert result.returncode == 0, result.stderr
    live = sagemaker_client.describe_endpoint(EndpointName=canary_endpoint)
    weights = {v["VariantName"]: v["DesiredWeight"] for v in live["ProductionVariants"]}
    assert weights == {"current-model": 0.75, "new-model": 0.25}
    # The 30 s timeout is not waited for: the flush on exit is bounded (3 s).
    assert elapsed < 25, elapsed
    assert "given up" in result.stderr and "s3cr3t" not in result.stderr

"""The demo's accuracy end to end: the headless demo (a real child with its moto server and
simulator) and `canary-tui verdict` in a shell where its export line was pasted; a ramp on
the accuracy-regression scenario rolling back on the accuracy check, with the reason in the
audit log."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from canary_tui.config.quality import quality_metrics
from canary_tui.demo.quality import DEMO_METRIC_ENTRY
from canary_tui.demo.seed import CANARY_ENDPOINT, SHADOW_ENDPOINT
from canary_tui.domain.ramp import Phase
from canary_tui.domain.verdict import VerdictThresholds
from tests.e2e.test_demo_cli import CLI, exported_environment, read_line
from tests.e2e.test_ramp_demo import demo_server, demo_url, ramp_on_demo

__all__ = ["demo_server", "demo_url"]  # the fixtures, shared with the ramp tests


@pytest.fixture
def headless(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, str]]]:
    """(export line, the environment of a shell it was pasted into)."""
    scenario = str(request.param)
    process = subprocess.Popen(
        [*CLI, "demo", "--headless", "--scenario", scenario],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        read_line(process.stdout, deadline)  # the banner: printed once the hour is backfilled
        export_line = read_line(process.stdout, deadline)
        yield export_line, exported_environment(export_line)
    finally:
        process.send_signal(signal.SIGTERM)  # a clean stop removes the demo's settings file
        process.wait(30)


def _verdict(
    environment: dict[str, str], endpoint: str = CANARY_ENDPOINT
) -> tuple[int, dict[str, object]]:
    result = subprocess.run(
        [*CLI, "verdict", endpoint, "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr == "", result.stderr
    return result.returncode, json.loads(result.stdout)


def _checks(verdict: dict[str, object]) -> dict[str, dict[str, object]]:
    canaries = verdict["canaries"]
    assert isinstance(canaries, list)
    return {check["name"]: check for check in canaries[0]["checks"]}


@pytest.mark.parametrize("headless", ["accuracy-regression"], indirect=True)
def test_accuracy_regression_fails_on_accuracy(headless: tuple[str, dict[str, str]]) -> None:
    export_line, environment = headless
    config = Path(environment["CANARY_TUI_CONFIG"])
    assert "CANARY_TUI_CONFIG=" in export_line and config.name == "demo.toml"
    assert 'name = "accuracy"' in config.read_text()
    code, verdict = _verdict(environment)
    assert code == 3 and verdict["outcome"] == "FAIL"
    checks = _checks(verdict)
    accuracy = checks["accuracy"]
    assert accuracy["outcome"] == "FAIL", accuracy
    numbers = accuracy["numbers"]
    assert isinstance(numbers, dict)
    assert numbers["canary_rate_pct"] == pytest.approx(86, abs=2.5)
    assert numbers["baseline_rate_pct"] == pytest.approx(92, abs=1.5)
    # Latency and errors as healthy: accuracy alone fails it.
    assert [name for name, check in checks.items() if check["outcome"] == "FAIL"] == ["accuracy"]


@pytest.mark.parametrize("headless", ["healthy"], indirect=True)
def test_healthy_passes_with_accuracy_judged_and_so_does_its_shadow_test(
    headless: tuple[str, dict[str, str]],
) -> None:
    _, environment = headless
    code, verdict = _verdict(environment)
    assert code == 0 and verdict["outcome"] == "PASS", verdict["reason"]
    accuracy = _checks(verdict)["accuracy"]
    assert accuracy["outcome"] == "PASS"
    numbers = accuracy["numbers"]
    assert isinstance(numbers, dict) and int(str(numbers["canary_trials"])) > 1000
    # The same healthy demo's shadow endpoint (its server keeps ShadowProductionVariants).
    code, verdict = _verdict(environment, SHADOW_ENDPOINT)
    assert code == 0 and verdict["outcome"] == "PASS", verdict["reason"]
    assert verdict["shadows"] == ["recsys-v5-shadow"]
    notes = verdict["notes"]
    assert isinstance(notes, list) and any("shadow test" in note for note in notes)
    checks = _checks(verdict)
    # Judged on latency, errors and quality; a shadow's copy of traffic has no split to check.
    assert {"errors_5xx", "errors_model", "latency", "accuracy"} <= set(checks)
    assert "traffic_split" not in checks
    assert all(check["outcome"] == "PASS" for check in checks.values()), checks


def test_a_ramp_rolls_back_on_accuracy_and_audits_why(demo_url: str, tmp_path: Path) -> None:
    accuracy = quality_metrics([dict(DEMO_METRIC_ENTRY)])
    final = ramp_on_demo(
        demo_url,
        "accuracy-regression",
        tmp_path,
        thresholds=VerdictThresholds(quality=accuracy),
    )
    assert final.phase is Phase.ROLLED_BACK, final
    assert "accuracy" in (final.status_reason or "")
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert any("accuracy" in json.dumps(record) for record in records)

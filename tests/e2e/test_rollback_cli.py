"""`canary-tui rollback` and `promote` end to end against moto: the baseline from the audit
log, the refusal when none is known, the canary as promote's default, and a rollback that
waits for an Updating endpoint to settle before it sends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from canary_tui.cli import rollback_cmd
from canary_tui.cli.main import main
from canary_tui.demo.seed import DEMO_ENDPOINTS, create_endpoint

ENDPOINT = "existing-endpoint-name"
RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "canary-tui" / "audit.jsonl"


@pytest.fixture
def run_cli(moto_url: str) -> RunCli:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "canary_tui", *args, "--endpoint-url", moto_url],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "100"},
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def demo_account(sagemaker_client: Any) -> None:
    for name, variants in DEMO_ENDPOINTS.items():
        create_endpoint(sagemaker_client, name, variants)


def desired(sagemaker_client: Any, name: str = ENDPOINT) -> dict[str, float]:
    description = sagemaker_client.describe_endpoint(EndpointName=name)
    return {v["VariantName"]: v["DesiredWeight"] for v in description["ProductionVariants"]}


def updates(audit_path: Path) -> list[dict[str, Any]]:
    if not audit_path.exists():
        return []
    records = [json.loads(line) for line in audit_path.read_text().splitlines()]
    return [record for record in records if record["phase"] == "intent"]


def episode_to_40_60(run_cli: RunCli) -> None:
    for split in (("60%", "40%"), ("40%", "60%")):
        result = run_cli(
            "set-weights", ENDPOINT, f"current-model={split[0]}", f"new-model={split[1]}", "-y"
        )
        assert result.returncode == 0, result.stderr


def test_rollback_at_40_60_goes_back_to_90_10(
    run_cli: RunCli, demo_account: None, sagemaker_client: Any, audit_path: Path
) -> None:
    episode_to_40_60(run_cli)
    result = run_cli("rollback", ENDPOINT, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Roll back existing-endpoint-name to current-model 90% / new-model 10%" in result.stdout
    assert "baseline: audit log" in result.stdout
    assert "new-model 100" not in result.stdout

    result = run_cli("rollback", ENDPOINT, "-y")
    assert result.returncode == 0, result.stderr
    assert desired(sagemaker_client) == pytest.approx({"current-model": 0.9, "new-model": 0.1})
    # A second rollback has nothing to do: the endpoint is at its baseline.
    again = run_cli("rollback", ENDPOINT, "-y")
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert len(updates(audit_path)) == 3


def test_rollback_without_a_known_baseline_refuses_and_lists_the_variants(
    run_cli: RunCli, demo_account: None, sagemaker_client: Any, audit_path: Path
) -> None:
    result = run_cli("rollback", ENDPOINT, "-y")
    assert result.returncode == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "no baseline is known for existing-endpoint-name" in line
    assert "current-model (weight 0.9, 90.0%)" in line
    assert "new-model (weight 0.1, 10.0%)" in line
    assert "--to current-model=90%,new-model=10%" in line
    assert desired(sagemaker_client) == {"current-model": 0.9, "new-model": 0.1}
    assert updates(audit_path) == []


def test_rollback_to_an_explicit_split_and_bad_to_values(
    run_cli: RunCli, demo_account: None, sagemaker_client: Any, audit_path: Path
) -> None:
    result = run_cli("rollback", ENDPOINT, "--to", "current-model=95%,new-model=5%", "-y")
    assert result.returncode == 0, result.stderr
    assert desired(sagemaker_client) == pytest.approx({"current-model": 0.95, "new-model": 0.05})
    for bad in ("current-model=95%", "nope", "", "current-model=95%,,new-model=5%", "a=-1,b=2"):
        refused = run_cli("rollback", ENDPOINT, "--to", bad, "-y")
        assert refused.returncode == 2, (bad, refused.stderr)
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert len(updates(audit_path)) == 1


def test_promote_defaults_to_the_canary_and_refuses_when_unknown(
    run_cli: RunCli, demo_account: None, sagemaker_client: Any
) -> None:
    unknown = run_cli("promote", ENDPOINT, "-y")
    assert unknown.returncode == 2
    assert "no canary is known for existing-endpoint-name" in unknown.stderr
    assert "--variant NAME" in unknown.stderr
    assert desired(sagemaker_client) == {"current-model": 0.9, "new-model": 0.1}

    episode_to_40_60(run_cli)
    result = run_cli("promote", ENDPOINT, "-y")
    assert result.returncode == 0, result.stderr
    assert "Promote new-model to 100% on existing-endpoint-name (the canary)" in result.stdout
    assert desired(sagemaker_client) == {"current-model": 0.0, "new-model": 1.0}
    # Right after a promote, a rollback undoes it: back to before the episode.
    back = run_cli("rollback", ENDPOINT, "-y")
    assert back.returncode == 0, back.stderr
    assert desired(sagemaker_client) == pytest.approx({"current-model": 0.9, "new-model": 0.1})


def test_promote_variant_chooses(
    run_cli: RunCli, demo_account: None, sagemaker_client: Any
) -> None:
    result = run_cli("promote", ENDPOINT, "--variant", "current-model", "-y")
    assert result.returncode == 0, result.stderr
    assert desired(sagemaker_client) == {"current-model": 1.0, "new-model": 0.0}
    legacy = run_cli("promote", ENDPOINT, "new-model", "-y")
    assert legacy.returncode == 0, legacy.stderr
    assert desired(sagemaker_client) == {"current-model": 0.0, "new-model": 1.0}


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rollback_waits_for_an_updating_endpoint_then_sends_once(
    backend: Any,
    canary_endpoint: str,
    sagemaker_client: Any,
    faults: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults.install(backend.clients)
    statuses = iter(["Updating"] * 4)

    def updating_for_a_while(parsed: dict[str, Any]) -> None:
        status = next(statuses, None)
        if status is not None:
            parsed["EndpointStatus"] = status

    faults.rewrite("sagemaker.DescribeEndpoint", updating_for_a_while)
    fake = FakeTime()
    monkeypatch.setattr(rollback_cmd, "time", fake)
    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: backend)
    code = main(["rollback", canary_endpoint, "--to", "current-model", "-y"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "is Updating; waiting up to 1800s" in err
    assert fake.sleeps == [5, 10, 20]  # 1 read by the command, then 3 of the settle
    assert faults.calls["sagemaker.UpdateEndpointWeightsAndCapacities"] == 1
    assert desired(sagemaker_client, canary_endpoint) == {"current-model": 1.0, "new-model": 0.0}


@pytest.mark.parametrize("status", ["Failed", "UpdateRollbackFailed", "OutOfService"])
def test_rollback_stops_waiting_at_once_on_a_terminal_status(
    backend: Any,
    canary_endpoint: str,
    faults: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    status: str,
) -> None:
    faults.install(backend.clients)
    faults.rewrite(
        "sagemaker.DescribeEndpoint", lambda parsed: parsed.__setitem__("EndpointStatus", status)
    )
    fake = FakeTime()
    monkeypatch.setattr(rollback_cmd, "time", fake)
    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: backend)
    code = main(["rollback", canary_endpoint, "--to", "current-model", "-y"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"refused: {canary_endpoint} is {status}" in err
    assert fake.sleeps == []
    assert faults.calls["sagemaker.UpdateEndpointWeightsAndCapacities"] == 0


def test_rollback_wait_is_bounded_by_wait_timeout(
    backend: Any,
    canary_endpoint: str,
    faults: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults.install(backend.clients)
    faults.rewrite(
        "sagemaker.DescribeEndpoint",
        lambda parsed: parsed.__setitem__("EndpointStatus", "Updating"),
    )
    fake = FakeTime()
    monkeypatch.setattr(rollback_cmd, "time", fake)
    monkeypatch.setattr("canary_tui.cli.set_weights.backend_from_args", lambda args: backend)
    code = main(
        ["rollback", canary_endpoint, "--to", "current-model", "-y", "--wait-timeout", "90"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "did not settle within 90s" in err
    assert fake.now == pytest.approx(90)
    assert faults.calls["sagemaker.UpdateEndpointWeightsAndCapacities"] == 0


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "1e400", "100000"])
def test_bad_wait_timeouts_are_refused(
    value: str, canary_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["rollback", canary_endpoint, "--to", "current-model", "--wait-timeout", value])
    assert raised.value.code == 2
    assert "--wait-timeout" in capsys.readouterr().err

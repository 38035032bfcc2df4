"""Ramps and verdicts end to end against the demo: its moto server process, its seeded
account and its traffic simulator.

The ramps run in process with the simulator's injected clock (a bake of 10 minutes takes
milliseconds); the CLI runs as a subprocess in real time, for what is quick in real time: the
verdict over backfilled traffic, confirmation, state reporting, abort, and a one-step ramp.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import ChangeService
from canary_tui.demo.seed import (
    BASELINE_VARIANT,
    CANARY_ENDPOINT,
    CANARY_VARIANT,
    seed_demo_account,
)
from canary_tui.demo.server import DemoServer
from canary_tui.demo.simulator import TrafficSimulator, demo_traffic
from canary_tui.domain.ramp import Applied, Checked, Phase, RampPlan, RampState
from canary_tui.domain.verdict import VerdictThresholds
from canary_tui.domain.weights import plan_canary_share
from canary_tui.ramp import RampRunner, RampSettings, RampStore
from tests.ramp_helpers import FakeClock

REGION = "us-east-1"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def demo_url(demo_server: DemoServer) -> str:
    """The demo server, emptied and seeded with the demo account."""
    requests.post(f"{demo_server.url}/moto-api/reset", timeout=10).raise_for_status()
    seed_demo_account(boto3.client("sagemaker", region_name=REGION, endpoint_url=demo_server.url))
    return demo_server.url


def clients_at(url: str) -> tuple[Any, Any]:
    return (
        boto3.client("sagemaker", region_name=REGION, endpoint_url=url),
        boto3.client("cloudwatch", region_name=REGION, endpoint_url=url),
    )


def canary_weights(url: str) -> dict[str, float]:
    sagemaker, _ = clients_at(url)
    description = sagemaker.describe_endpoint(EndpointName=CANARY_ENDPOINT)
    return {v["VariantName"]: v["DesiredWeight"] for v in description["ProductionVariants"]}


def demo_backend(url: str) -> Backend:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=url), config=client_config(max_attempts=1)
    )
    return build_backend(clients, label="demo")


def ramp_on_demo(
    url: str,
    scenario: str,
    tmp_path: Path,
    thresholds: VerdictThresholds | None = None,
    bake_seconds: float = 600,
) -> RampState:
    clock = FakeClock(T0)
    sagemaker, cloudwatch = clients_at(url)
    simulator = TrafficSimulator(
        sagemaker, cloudwatch, traffic=demo_traffic(scenario), seed=3, now=clock.now
    )
    simulator.backfill(T0, timedelta(minutes=30))
    clock.hooks.append(simulator.tick)
    backend = demo_backend(url)
    audit = AuditLog(tmp_path / "audit.jsonl")
    runner = RampRunner(
        backend,
        ChangeService(backend, audit, "ramp"),
        RampStore.next_to(audit.path),
        clock=clock,
        settings=RampSettings(poll_seconds=60, thresholds=thresholds or VerdictThresholds()),
    )
    plan = RampPlan(endpoint=CANARY_ENDPOINT, canary=CANARY_VARIANT, bake_seconds=bake_seconds)
    return runner.run(runner.start(plan))


def test_healthy_scenario_ramps_to_100_percent(demo_url: str, tmp_path: Path) -> None:
    final = ramp_on_demo(demo_url, "healthy", tmp_path)
    assert final.phase is Phase.DONE, final.status_reason
    assert final.step_share == 100.0
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 0.0, CANARY_VARIANT: 1.0}


def test_regression_scenario_is_rolled_back(demo_url: str, tmp_path: Path) -> None:
    final = ramp_on_demo(demo_url, "regression", tmp_path)
    assert final.phase is Phase.ROLLED_BACK
    assert final.status_reason is not None and final.status_reason.startswith("verdict FAIL")
    # The rollback says why: both sides, p, and the effect with its interval.
    assert " vs " in final.status_reason and "(p=" in final.status_reason
    assert "% CI" in final.status_reason  # 99 % on an interim check (stricter alpha)
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 1.0, CANARY_VARIANT: 0.0}


# -- the CLI, in real time ----------------------------------------------------------------

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit" / "audit.jsonl"


@pytest.fixture
def run_cli(demo_url: str, audit_path: Path) -> RunCli:
    def run(
        *args: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "canary_tui", *args, "--endpoint-url", demo_url]
        if args and args[0] == "ramp":
            command += ["--audit-log", str(audit_path)]
        return subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "100", **(env or {})},
            timeout=timeout,
            check=False,
        )

    return run


def backfill_now(url: str, scenario: str) -> None:
    """An hour of traffic up to the real now, which is what the CLI's window looks at."""
    sagemaker, cloudwatch = clients_at(url)
    TrafficSimulator(sagemaker, cloudwatch, traffic=demo_traffic(scenario), seed=5).backfill(
        datetime.now(UTC), timedelta(hours=1)
    )


def test_verdict_of_the_healthy_demo_passes(run_cli: RunCli, demo_url: str) -> None:
    backfill_now(demo_url, "healthy")
    result = run_cli("verdict", CANARY_ENDPOINT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{CANARY_ENDPOINT}: PASS")
    assert "new-model vs current-model: PASS" in result.stdout
    assert "latency ratio uses averages" in result.stdout
    assert "(score 100/100" in result.stdout
    assert "rate difference +" in result.stdout or "rate difference -" in result.stdout
    assert "90% CI (Newcombe hybrid score interval (Wilson))" in result.stdout
    assert "p=0 " not in result.stdout and "p=0\n" not in result.stdout


def test_verdict_of_the_regression_demo_fails_with_exit_3(run_cli: RunCli, demo_url: str) -> None:
    backfill_now(demo_url, "regression")
    result = run_cli("verdict", CANARY_ENDPOINT, "--json")
    assert result.returncode == 3, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["outcome"] == "FAIL"
    checks = {c["name"]: c for c in verdict["canaries"][0]["checks"]}
    assert checks["errors_5xx"]["outcome"] == "FAIL"
    assert checks["latency"]["outcome"] == "FAIL"
    assert checks["latency"]["numbers"]["ratio"] == pytest.approx(1.6, rel=0.1)
    # The judge says why: which way, how much with its interval, the score.
    assert checks["errors_5xx"]["classification"] == "HIGH"
    assert checks["errors_5xx"]["effect"]["low"] > 0
    assert checks["latency"]["classification"] == "HIGH"
    latency = checks["latency"]["effect"]
    assert latency["kind"] == "ratio" and latency["low"] > 1.2
    assert latency["low"] <= latency["estimate"] <= latency["high"]
    assert verdict["canaries"][0]["score"]["value"] == 0
    assert any("Mann-Whitney" in line for line in checks["latency"]["detail"])


def test_verdict_with_too_little_data_is_inconclusive_with_exit_4(
    run_cli: RunCli, demo_url: str
) -> None:
    backfill_now(demo_url, "healthy")
    result = run_cli("verdict", CANARY_ENDPOINT, "--min-requests", "10000000")
    assert result.returncode == 4, result.stderr
    assert "INCONCLUSIVE" in result.stdout
    assert "need " in result.stdout and "more requests" in result.stdout
    assert "power, errors_5xx: smallest detectable now about +" in result.stdout


def test_verdict_bad_input_is_one_line_and_exit_2(run_cli: RunCli) -> None:
    for args in (
        ["--window", "soon"],
        ["--alpha", "2"],
        ["--baseline", "nope"],
        ["--period", "7"],
    ):
        result = run_cli("verdict", CANARY_ENDPOINT, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_ramp_without_a_terminal_or_yes_changes_nothing(run_cli: RunCli, demo_url: str) -> None:
    result = run_cli("ramp", CANARY_ENDPOINT, "--canary", CANARY_VARIANT)
    assert result.returncode == 2
    assert "25.0%" in result.stdout  # the plan was shown
    assert "pass --yes" in result.stderr
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 0.9, CANARY_VARIANT: 0.1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--canary", "nope", "--yes"], "has no variant 'nope'"),
        (["--canary", CANARY_VARIANT, "--steps", "50,25", "--yes"], "steps must increase"),
        (["--canary", CANARY_VARIANT, "--bake", "forever", "--yes"], "not a duration"),
        (["--yes"], "--canary VARIANT"),
        (["--canary", CANARY_VARIANT, "--alarm", "typo", "--yes"], "no CloudWatch alarm"),
        (["--resume"], "no ramp in progress"),
    ],
)
def test_ramp_bad_input_exits_2_and_changes_nothing(
    run_cli: RunCli, demo_url: str, args: list[str], message: str
) -> None:
    result = run_cli("ramp", CANARY_ENDPOINT, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 0.9, CANARY_VARIANT: 0.1}


def test_a_one_step_ramp_runs_to_the_end_and_prints_progress(
    run_cli: RunCli, demo_url: str, audit_path: Path
) -> None:
    # At 100 % there is no baseline to compare with, so a one-step ramp only bakes.
    result = run_cli(
        "ramp",
        CANARY_ENDPOINT,
        "--canary",
        CANARY_VARIANT,
        "--steps",
        "100",
        "--bake",
        "1s",
        "--poll",
        "1s",
        "--yes",
    )
    assert result.returncode == 0, result.stderr
    assert "step 1/1 (100%) baking" in result.stdout
    assert result.stdout.rstrip().endswith(
        f"done: {CANARY_VARIANT} takes 100% of {CANARY_ENDPOINT}"
    )
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 0.0, CANARY_VARIANT: 1.0}
    records = [json.loads(line) for line in audit_path.read_text().splitlines()]
    assert {record["source"] for record in records if record.get("source")} == {"ramp"}


def test_a_ramp_in_progress_is_reported_and_can_be_aborted(
    run_cli: RunCli, demo_url: str, audit_path: Path
) -> None:
    # A ramp left at 25 % by a process that died.
    sagemaker, _ = clients_at(demo_url)
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=CANARY_ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": BASELINE_VARIANT, "DesiredWeight": 0.75},
            {"VariantName": CANARY_VARIANT, "DesiredWeight": 0.25},
        ],
    )
    plan = RampPlan(endpoint=CANARY_ENDPOINT, canary=CANARY_VARIANT, steps=(25.0, 100.0))
    state = RampState.start(plan, {BASELINE_VARIANT: 0.9, CANARY_VARIANT: 0.1}, T0)
    RampStore.next_to(audit_path).save(state)

    started = run_cli("ramp", CANARY_ENDPOINT, "--canary", CANARY_VARIANT, "--yes")
    assert started.returncode == 2
    assert "is in progress" in started.stderr and "--resume" in started.stderr

    shown = run_cli("ramp", CANARY_ENDPOINT, "--show")
    assert shown.returncode == 0
    assert "applying at step 1/2 (25%)" in shown.stdout

    other = run_cli("ramp", "search-ranking", "--canary", "ranker-c", "--show")
    assert f"a ramp of {CANARY_VARIANT} on {CANARY_ENDPOINT} is applying" in other.stderr

    # A change by hand is allowed (an incident does not wait for a dead ramp) and says what
    # it does to the ramp; a capacity change does not touch the weights it watches.
    by_hand = run_cli(
        "set-weights",
        CANARY_ENDPOINT,
        f"{CANARY_VARIANT}=0.3",
        "--yes",
        "--audit-log",
        str(audit_path),
    )
    assert by_hand.returncode == 0, by_hand.stderr
    assert (
        f"note: a ramp of {CANARY_VARIANT} on {CANARY_ENDPOINT} is saved at step 1/2 (applying); "
        "after this change it holds" in by_hand.stderr
    )
    capacity = run_cli(
        "set-capacity",
        CANARY_ENDPOINT,
        CANARY_VARIANT,
        "2",
        "--yes",
        "--audit-log",
        str(audit_path),
    )
    assert capacity.returncode == 0, capacity.stderr
    assert "note: a ramp" not in capacity.stderr

    aborted = run_cli("ramp", CANARY_ENDPOINT, "--abort", "--yes")
    assert aborted.returncode == 3, aborted.stderr
    assert "aborted: all traffic on current-model" in aborted.stdout
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 1.0, CANARY_VARIANT: 0.0}
    assert run_cli("ramp", CANARY_ENDPOINT, "--resume").returncode == 2  # nothing left


def test_verdict_judges_the_split_from_the_last_audited_weight_change(
    run_cli: RunCli, demo_url: str, audit_path: Path
) -> None:
    # 50 minutes at 90/10, a change to 75/25 ten minutes ago (through the guarded path, so
    # it is in the audit log), then 10 minutes at 75/25.
    now = datetime.now(UTC)
    changed_at = now - timedelta(minutes=10)
    sagemaker, cloudwatch = clients_at(demo_url)
    simulator = TrafficSimulator(sagemaker, cloudwatch, traffic=demo_traffic("healthy"), seed=9)
    simulator.backfill(changed_at, timedelta(minutes=50))
    backend = demo_backend(demo_url)
    endpoint = backend.sagemaker.describe_endpoint(CANARY_ENDPOINT)
    audit = AuditLog(audit_path, clock=lambda: changed_at)
    ChangeService(backend, audit, "cli").apply(
        plan_canary_share(endpoint, CANARY_VARIANT, 25.0), endpoint
    )
    simulator.backfill(now, timedelta(minutes=10))

    result = run_cli("verdict", CANARY_ENDPOINT, "--audit-log", str(audit_path), "--json")

    verdict = json.loads(result.stdout)
    split = {c["name"]: c for c in verdict["canaries"][0]["checks"]}["traffic_split"]
    assert split["outcome"] == "PASS", split
    assert split["numbers"]["configured_share_pct"] == pytest.approx(25.0)
    assert split["numbers"]["observed_share_pct"] == pytest.approx(25.0, abs=1.5)
    assert any("weights changed at" in n and "(audit log)" in n for n in verdict["notes"])
    assert result.returncode == 0, result.stderr


def test_ctrl_c_pauses_the_ramp_where_it_is_and_abort_rolls_it_back(
    run_cli: RunCli, demo_url: str, audit_path: Path
) -> None:
    command = [
        sys.executable, "-m", "canary_tui", "ramp", CANARY_ENDPOINT,
        "--canary", CANARY_VARIANT, "--steps", "25,100", "--bake", "1h", "--poll", "1s",
        "--yes", "--endpoint-url", demo_url, "--audit-log", str(audit_path),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        for line in process.stdout:  # ends at EOF if the process dies: no hang
            if "baking" in line:
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "paused where it is" in stderr and "--resume" in stderr
    saved = RampStore.next_to(audit_path).load(CANARY_ENDPOINT)
    assert saved is not None and saved.phase is Phase.PAUSED
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 0.75, CANARY_VARIANT: 0.25}

    aborted = run_cli("ramp", CANARY_ENDPOINT, "--abort", "--yes")
    assert aborted.returncode == 3, aborted.stderr
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 1.0, CANARY_VARIANT: 0.0}


def test_thresholds_and_ramp_defaults_come_from_the_config_unless_flags_say_otherwise(
    run_cli: RunCli, demo_url: str
) -> None:
    backfill_now(demo_url, "healthy")
    strict = {"CANARY_TUI_VERDICT__MIN_REQUESTS": "10000000"}
    assert run_cli("verdict", CANARY_ENDPOINT, env=strict).returncode == 4
    assert run_cli("verdict", CANARY_ENDPOINT, "--min-requests", "100", env=strict).returncode == 0
    broken = run_cli("verdict", CANARY_ENDPOINT, env={"CANARY_TUI_VERDICT__ALPHA": "2"})
    assert broken.returncode == 2 and len(broken.stderr.strip().splitlines()) == 1

    quick = {"CANARY_TUI_RAMP__STEPS": "100", "CANARY_TUI_RAMP__BAKE": "1s"}
    result = run_cli("ramp", CANARY_ENDPOINT, "--canary", CANARY_VARIANT, "--poll", "1s",
                     "--yes", env=quick)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "100%, bake 1s per step" in result.stdout


def test_skip_advances_a_held_ramp_after_confirmation(
    run_cli: RunCli, demo_url: str, audit_path: Path
) -> None:
    sagemaker, _ = clients_at(demo_url)
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=CANARY_ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": BASELINE_VARIANT, "DesiredWeight": 0.75},
            {"VariantName": CANARY_VARIANT, "DesiredWeight": 0.25},
        ],
    )
    plan = RampPlan(
        endpoint=CANARY_ENDPOINT, canary=CANARY_VARIANT, steps=(25.0, 100.0), bake_seconds=1
    )
    now = datetime.now(UTC)
    held = (
        RampState.start(plan, {BASELINE_VARIANT: 0.9, CANARY_VARIANT: 0.1}, now)
        .on(Applied(now))
        .on(Checked(now, "INCONCLUSIVE", "need 500 more requests", {}))
        .on(Checked(now, "INCONCLUSIVE", "need 400 more requests", {}))
        .on(Checked(now, "INCONCLUSIVE", "need 300 more requests", {}))
    )
    assert held.phase is Phase.PAUSED
    RampStore.next_to(audit_path).save(held)

    unconfirmed = run_cli("ramp", CANARY_ENDPOINT, "--skip")
    assert unconfirmed.returncode == 2
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 0.75, CANARY_VARIANT: 0.25}

    skipped = run_cli("ramp", CANARY_ENDPOINT, "--skip", "--yes", "--poll", "1s")
    assert skipped.returncode == 0, skipped.stderr
    assert "skipped by the operator" in skipped.stdout
    assert canary_weights(demo_url) == {BASELINE_VARIANT: 0.0, CANARY_VARIANT: 1.0}

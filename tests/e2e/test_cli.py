"""The headless commands end to end: `python -m canary_tui ...` as a subprocess against the
moto server, asserting exit codes, output, the endpoint's real state and the audit log.

"Nothing was sent" is checked with moto's request recorder, which logs every request that
reaches the server, so a write that happened to leave the state unchanged is caught too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canary_tui.demo.seed import DEMO_ENDPOINTS, SeedVariant, create_endpoint

ENDPOINT = "existing-endpoint-name"
UPDATE_TARGET = "SageMaker.UpdateEndpointWeightsAndCapacities"

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    # conftest points XDG_DATA_HOME here; the CLI must find its log there by default.
    return tmp_path / "data" / "canary-tui" / "audit.jsonl"


@pytest.fixture
def run_cli(moto_url: str) -> RunCli:
    def run(
        *args: str,
        stdin_text: str | None = None,
        endpoint_url: str | None = moto_url,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "canary_tui", *args]
        if endpoint_url is not None:
            command += ["--endpoint-url", endpoint_url]
        env = {**os.environ, "COLUMNS": "80"}
        return subprocess.run(
            command,
            input=stdin_text,
            stdin=None if stdin_text is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def sent_targets(
    moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], list[str]]]:
    """Every API operation (X-Amz-Target) that reached the moto server during the test."""
    from moto.moto_api import recorder

    monkeypatch.setattr(recorder, "_location", str(tmp_path / "moto-recording.jsonl"))
    requests.post(f"{moto_url}/moto-api/recorder/reset-recording", timeout=10)
    requests.post(f"{moto_url}/moto-api/recorder/start-recording", timeout=10)

    def targets() -> list[str]:
        path = Path(recorder._location)
        if not path.exists():
            return []
        entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        headers = [{k.lower(): v for k, v in entry["headers"].items()} for entry in entries]
        return [header.get("x-amz-target", "") for header in headers]

    yield targets
    requests.post(f"{moto_url}/moto-api/recorder/stop-recording", timeout=10)


@pytest.fixture
def demo_account(sagemaker_client: Any) -> None:
    for name, variants in DEMO_ENDPOINTS.items():
        create_endpoint(sagemaker_client, name, variants)


def _desired_weights(sagemaker_client: Any, name: str = ENDPOINT) -> dict[str, float]:
    description = sagemaker_client.describe_endpoint(EndpointName=name)
    return {v["VariantName"]: v["DesiredWeight"] for v in description["ProductionVariants"]}


def _records(audit_path: Path) -> list[dict[str, Any]]:
    if not audit_path.exists():
        return []
    return [json.loads(line) for line in audit_path.read_text().splitlines()]


def _assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("canary-tui: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# -- status ------------------------------------------------------------------------------


def test_status_lists_every_endpoint_with_canary_share(run_cli: RunCli, demo_account: None) -> None:
    result = run_cli("status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "ENDPOINT",
        "KIND",
        "STATUS",
        "VARIANTS",
        "CANARY",
        "LAST",
        "MODIFIED",
        "(UTC)",
    ]
    # At 80 columns a long name is cut (with ~): key the rows by the first 16 characters.
    rows = {line.split()[0][:16]: line.split()[1:5] for line in lines[1:]}
    assert rows == {
        "churn-batch-scor": ["real-time", "InService", "1", "-"],
        "existing-endpoin": ["real-time", "InService", "2", "10.0%"],
        "fraud-scoring": ["real-time", "InService", "1", "-"],
        "search-ranking": ["real-time", "InService", "3", "40.0%"],
        # The test server is unpatched moto: it drops the shadow variant (a real account,
        # or the demo's patched server, says shadow-test).
        "recommender-shad": ["real-time", "InService", "1", "-"],
        "text-classifier-": ["serverless", "InService", "2", "10.0%"],
    }
    assert all(len(line) <= 80 for line in lines)


def test_the_status_list_describes_each_endpoint_but_not_its_config(
    run_cli: RunCli, demo_account: None, sent_targets: Callable[[], list[str]]
) -> None:
    assert run_cli("status").returncode == 0
    calls = sent_targets()
    assert calls.count("SageMaker.DescribeEndpoint") == len(DEMO_ENDPOINTS)
    assert "SageMaker.DescribeEndpointConfig" not in calls  # 2,000 endpoints: 2,000 calls saved
    assert run_cli("status", ENDPOINT).returncode == 0
    assert sent_targets().count("SageMaker.DescribeEndpointConfig") == 1  # model, instance type


def test_status_of_one_endpoint_shows_each_variant(run_cli: RunCli, demo_account: None) -> None:
    result = run_cli("status", ENDPOINT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [ENDPOINT, "InService", "kind:", "real-time"]
    assert lines[1].split() == [
        "VARIANT",
        "KIND",
        "MODEL",
        "TYPE",
        "CAPACITY",
        "WEIGHT",
        "TRAFFIC",
        "STATUS",
    ]
    current = lines[2].split()
    assert current[:2] == ["current-model", "instance"]
    assert current[3:] == ["ml.m5.xlarge", "2", "0.9", "90.0%", "-"]
    assert lines[3].split()[3:] == ["ml.m5.xlarge", "1", "0.1", "10.0%", "-"]
    assert all(len(line) <= 80 for line in lines)


def test_status_json_of_one_endpoint(run_cli: RunCli, demo_account: None) -> None:
    result = run_cli("status", ENDPOINT, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["name"], data["status"], data["failure_reason"]) == (ENDPOINT, "InService", None)
    assert data["config_name"] == f"{ENDPOINT}-config"
    assert data["variants"][1] == {
        "name": "new-model",
        "model": f"{ENDPOINT}-new-model",
        "instance_type": "ml.m5.xlarge",
        "current_instance_count": 1,
        "desired_instance_count": 1,
        "current_weight": 0.1,
        "desired_weight": 0.1,
        "current_traffic_percent": 10.0,
        "desired_traffic_percent": 10.0,
        "status": None,
        "kind": "instance",
        "compute": "instance",
        "shadow_sampling_percent": None,
        "current_serverless": None,
        "desired_serverless": None,
    }
    assert (data["kind"], data["kinds"], data["pending_deployment"]) == (
        "real-time",
        ["real-time"],
        None,
    )
    assert data["inference_components"] == [] and data["metric_period_seconds"] == 60


def test_status_json_follows_every_page_of_150_endpoints(
    run_cli: RunCli, sagemaker_client: Any
) -> None:
    names = [f"ep-{index:03d}" for index in range(150)]
    for index, name in enumerate(names):
        variants = [SeedVariant("main", 1.0)]
        if index % 2:
            variants.append(SeedVariant("canary", 0.25))
        create_endpoint(sagemaker_client, name, variants)
    result = run_cli("status", "--json")
    assert result.returncode == 0, result.stderr
    endpoints = json.loads(result.stdout)["endpoints"]
    assert [endpoint["name"] for endpoint in endpoints] == names
    assert endpoints[0]["variants"] == 1 and endpoints[0]["canary_traffic_percent"] == 0.0
    assert endpoints[1]["variants"] == 2 and endpoints[1]["canary_traffic_percent"] == 20.0
    assert endpoints[1]["traffic_percent"] == {"main": 80.0, "canary": 20.0}
    assert endpoints[1]["kind"] == "real-time"
    assert endpoints[1]["variant_kinds"] == {"main": "instance", "canary": "instance"}
    assert all(endpoint["error"] is None for endpoint in endpoints)


def test_status_of_an_unknown_endpoint_is_bad_input(run_cli: RunCli, demo_account: None) -> None:
    line = _assert_one_line_error(run_cli("status", "no-such-endpoint"), 2)
    assert "'no-such-endpoint' not found" in line


def test_status_when_aws_is_unreachable_is_an_aws_failure(run_cli: RunCli) -> None:
    # A port nothing listens on: connection refused, retried, then one line and exit 1.
    result = run_cli("status", endpoint_url="http://127.0.0.1:9")
    _assert_one_line_error(result, 1)


# -- set-weights -------------------------------------------------------------------------


def test_set_weights_yes_changes_the_endpoint_and_writes_the_audit_log(
    run_cli: RunCli,
    demo_account: None,
    sagemaker_client: Any,
    audit_path: Path,
    sent_targets: Callable[[], list[str]],
) -> None:
    result = run_cli(
        "set-weights",
        ENDPOINT,
        "current-model=75%",
        "new-model=25%",
        "--yes",
        "--reason",
        "INC-42 widen canary",
    )
    assert result.returncode == 0, result.stderr
    assert _desired_weights(sagemaker_client) == {"current-model": 0.75, "new-model": 0.25}
    preview = result.stdout.splitlines()
    assert preview[2].split() == ["current-model", "0.9", "0.75", "90.0%", "75.0%"]
    assert preview[3].split() == ["new-model", "0.1", "0.25", "10.0%", "25.0%"]
    request = json.loads(preview[4].removeprefix("request: UpdateEndpointWeightsAndCapacities "))
    assert request == {
        "EndpointName": ENDPOINT,
        "DesiredWeightsAndCapacities": [
            {"VariantName": "current-model", "DesiredWeight": 0.75},
            {"VariantName": "new-model", "DesiredWeight": 0.25},
        ],
    }
    assert "desired traffic now: current-model 75.0%, new-model 25.0%" in result.stdout
    assert sent_targets().count(UPDATE_TARGET) == 1
    intent, outcome = _records(audit_path)
    assert (intent["phase"], intent["source"], intent["reason"]) == (
        "intent",
        "cli",
        "INC-42 widen canary",
    )
    assert intent["after"]["traffic_percent"] == {"current-model": 75.0, "new-model": 25.0}
    assert (outcome["phase"], outcome["result"], outcome["id"]) == (
        "outcome",
        "applied",
        intent["id"],
    )


def test_set_weights_wait_follows_until_in_service(
    run_cli: RunCli, demo_account: None, sagemaker_client: Any
) -> None:
    result = run_cli("set-weights", ENDPOINT, "new-model=0.9", "--yes", "--wait")
    assert result.returncode == 0, result.stderr
    assert f"{ENDPOINT} is InService; traffic now: current-model 50.0%, new-model 50.0%" in (
        result.stdout
    )


def test_dry_run_sends_nothing(
    run_cli: RunCli,
    demo_account: None,
    sagemaker_client: Any,
    audit_path: Path,
    sent_targets: Callable[[], list[str]],
) -> None:
    result = run_cli("set-weights", ENDPOINT, "new-model=0.5", "--dry-run", "--yes")
    assert result.returncode == 0, result.stderr
    assert "dry run: nothing was sent" in result.stdout
    assert "UpdateEndpointWeightsAndCapacities" in result.stdout
    assert UPDATE_TARGET not in sent_targets()
    assert "SageMaker.DescribeEndpoint" in sent_targets()
    assert _desired_weights(sagemaker_client) == {"current-model": 0.9, "new-model": 0.1}
    assert _records(audit_path) == []


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (
            ["new-model=nan"],
            "new-model: not a finite number; must be between 0 and 100 (got 'nan')",
        ),
        (["new-model=inf"], "new-model: not a finite number"),
        (["new-model=-0.1"], "new-model: cannot be negative; must be between 0 and 100"),
        (["new-model=\u0663"], "new-model: not a number (ASCII digits, one '.')"),
        (["new-model=\uff11"], "new-model: not a number"),
        (
            ["new-model=1_0"],
            "new-model: not a number (ASCII digits, one '.'); must be between 0 and 100 "
            "(got '1_0')",
        ),
        (["new-model=1e400"], "new-model: not a number"),
        (["new-model=0", "current-model=0"], "at least one variant must receive traffic"),
        (["old-model=0.5"], "unknown variant 'old-model'"),
        (["new-model=0.2", "new-model=0.3"], "variant 'new-model' is given more than once"),
        (["new-model=lots"], "new-model: not a number (ASCII digits, one '.')"),
        (["new-model=20%", "current-model=70%"], "percentages add up to 90%, not 100%"),
        (["new-model=20%"], "with percentages, list every variant (missing: current-model)"),
        (["new-model"], "expected VARIANT=WEIGHT, got 'new-model'"),
        (["new-model=20%", "current-model=0.8"], "use either weights or percentages, not both"),
    ],
)
def test_bad_weights_exit_2_with_one_line_and_send_nothing(
    run_cli: RunCli,
    demo_account: None,
    audit_path: Path,
    sent_targets: Callable[[], list[str]],
    assignments: list[str],
    message: str,
) -> None:
    line = _assert_one_line_error(run_cli("set-weights", ENDPOINT, *assignments, "--yes"), 2)
    assert message in line
    assert UPDATE_TARGET not in sent_targets()
    assert _records(audit_path) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set-weights", "no-such-endpoint", "a=1", "--yes"], "not found"),
        (["set-weights", ENDPOINT, "new-model=1", "--yes", "--reason", "a\nb"], "one line"),
        (["set-capacity", ENDPOINT, "new-model", "two", "--yes"], "not a whole number"),
        (["set-capacity", ENDPOINT, "new-model", "0", "--yes"], "between 1 and 1,000 instances"),
        (["set-capacity", ENDPOINT, "new-model", "1_000", "--yes"], "not a whole number"),
        (
            ["set-capacity", ENDPOINT, "new-model", "99999999999999999999", "--yes"],
            "between 1 and 1,000 instances",
        ),
        (["set-weights", "a?b&c/d", "new-model=1", "--yes"], "not a valid SageMaker endpoint"),
        (["status", "bad/name"], "not a valid SageMaker endpoint name"),
        (["promote", ENDPOINT, "nope", "--yes"], "unknown variant 'nope'"),
        (["set-weights", ENDPOINT, "--yes"], "the following arguments are required"),
    ],
)
def test_other_bad_input_exits_2_and_sends_nothing(
    run_cli: RunCli,
    demo_account: None,
    sent_targets: Callable[[], list[str]],
    args: list[str],
    message: str,
) -> None:
    line = _assert_one_line_error(run_cli(*args), 2)
    assert message in line
    assert UPDATE_TARGET not in sent_targets()


def test_a_misspelt_setting_variable_is_bad_input_and_sends_nothing(
    run_cli: RunCli,
    demo_account: None,
    audit_path: Path,
    sent_targets: Callable[[], list[str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Ignored, it would have sent the change and audited it somewhere nobody looks.
    monkeypatch.setenv("CANARY_TUI_AUDIT_LOG", str(tmp_path / "meant-here.jsonl"))
    line = _assert_one_line_error(run_cli("set-weights", ENDPOINT, "new-model=0.5", "--yes"), 2)
    assert "CANARY_TUI_AUDIT_LOG is not a setting (did you mean CANARY_TUI_AUDIT_PATH?)" in line
    assert sent_targets() == []
    assert _records(audit_path) == [] and not (tmp_path / "meant-here.jsonl").exists()


@pytest.mark.parametrize("stdin_text", [None, "y\n"], ids=["no-input", "piped-y"])
def test_without_a_terminal_and_without_yes_nothing_is_sent(
    run_cli: RunCli,
    demo_account: None,
    sagemaker_client: Any,
    sent_targets: Callable[[], list[str]],
    stdin_text: str | None,
) -> None:
    # A piped "y" is refused on purpose: a runbook must say --yes, not pipe `yes` into it.
    result = run_cli("set-weights", ENDPOINT, "new-model=0.5", stdin_text=stdin_text)
    line = _assert_one_line_error(result, 2)
    assert "pass --yes" in line
    assert UPDATE_TARGET not in sent_targets()
    assert _desired_weights(sagemaker_client) == {"current-model": 0.9, "new-model": 0.1}


def _run_on_a_terminal(moto_url: str, args: list[str], answer: str) -> tuple[int, str, str]:
    """Run with stdin on a pseudo-terminal (as a person would) and type ``answer``."""
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "canary_tui", *args, "--endpoint-url", moto_url],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COLUMNS": "80"},
        )
        os.close(follower)
        # The terminal buffers the typed line until the prompt reads it.
        os.write(leader, answer.encode())
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(leader)
    return process.returncode, stdout, stderr


@pytest.mark.parametrize(
    ("answer", "code", "weights"),
    [
        ("y\n", 0, {"current-model": 0.5, "new-model": 0.5}),
        ("\n", 1, {"current-model": 0.9, "new-model": 0.1}),
        ("no\n", 1, {"current-model": 0.9, "new-model": 0.1}),
    ],
)
def test_the_prompt_on_a_terminal_applies_only_on_yes(
    moto_url: str,
    demo_account: None,
    sagemaker_client: Any,
    answer: str,
    code: int,
    weights: dict[str, float],
) -> None:
    returncode, stdout, stderr = _run_on_a_terminal(
        moto_url, ["set-weights", ENDPOINT, "current-model=50%", "new-model=50%"], answer
    )
    assert returncode == code, stderr
    assert "Apply? [y/N]" in stderr
    assert _desired_weights(sagemaker_client) == weights
    if code:
        assert "cancelled: nothing was sent" in stdout


def test_promote_rollback_and_set_capacity(
    run_cli: RunCli, demo_account: None, sagemaker_client: Any, audit_path: Path
) -> None:
    assert run_cli("promote", ENDPOINT, "new-model", "-y").returncode == 0
    assert _desired_weights(sagemaker_client) == {"current-model": 0.0, "new-model": 1.0}
    assert run_cli("rollback", ENDPOINT, "--to", "current-model", "-y").returncode == 0
    assert _desired_weights(sagemaker_client) == {"current-model": 1.0, "new-model": 0.0}
    result = run_cli("set-capacity", ENDPOINT, "new-model", "3", "-y")
    assert result.returncode == 0, result.stderr
    kinds = [record["kind"] for record in _records(audit_path) if record["phase"] == "intent"]
    assert kinds == ["weights", "weights", "capacity"]
    # Without --to and with nothing in the log about it, no baseline is known: exit 2,
    # never a guess (the largest variant may well be the canary).
    before = _desired_weights(sagemaker_client, "search-ranking")
    result = run_cli("rollback", "search-ranking", "-y")
    assert result.returncode == 2, result.stderr
    assert "no baseline is known for search-ranking" in result.stderr
    assert _desired_weights(sagemaker_client, "search-ranking") == before


# -- audit -------------------------------------------------------------------------------


def test_audit_lists_changes_and_reports_unfinished_ones(
    run_cli: RunCli, demo_account: None, audit_path: Path
) -> None:
    assert (
        run_cli("set-weights", ENDPOINT, "new-model=0.5", "-y", "--reason", "ramp").returncode == 0
    )
    assert run_cli("set-weights", "search-ranking", "ranker-c=0", "-y").returncode == 0

    result = run_cli("audit", endpoint_url=None)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["TIME", "(UTC)", "ENDPOINT", "SOURCE", "RESULT", "BY", "ID"]
    assert lines[1].split()[2:5] == [ENDPOINT, "cli", "applied"]
    assert lines[2].strip() == (
        "current-model 90.0% -> 64.3%, new-model 10.0% -> 35.7%; reason: ramp"
    )
    assert lines[3].split()[2] == "search-ranking"

    one = json.loads(run_cli("audit", "search-ranking", "--json", endpoint_url=None).stdout)
    [entry] = one["entries"]
    assert (entry["endpoint"], entry["result"], entry["source"]) == (
        "search-ranking",
        "applied",
        "cli",
    )
    assert entry["after"]["traffic_percent"] == {
        "ranker-a": 66.6667,
        "ranker-b": 33.3333,
        "ranker-c": 0.0,
    }
    assert entry["outcome"]["desired_weights_after"]["ranker-c"] == 0.0

    # A process killed between intent and outcome leaves an intent alone on disk.
    intent = _records(audit_path)[0]
    intent["id"] = "killed-mid-change"
    with audit_path.open("a") as handle:
        handle.write(json.dumps(intent) + "\n")
    status = run_cli("status")
    assert status.returncode == 0
    warning = status.stderr.strip().splitlines()
    assert len(warning) == 1 and "1 unfinished change in the audit log" in warning[0]
    unfinished = run_cli("audit", "--unfinished", "--json", endpoint_url=None)
    assert [e["id"] for e in json.loads(unfinished.stdout)["entries"]] == ["killed-mid-change"]
    assert json.loads(unfinished.stdout)["entries"][0]["result"] == "unfinished"


def test_audit_with_no_log_yet(run_cli: RunCli, audit_path: Path) -> None:
    result = run_cli("audit", endpoint_url=None)
    assert result.returncode == 0
    assert result.stdout.strip() == f"no changes in {audit_path}"


# -- fuzz --------------------------------------------------------------------------------

_variant_names = st.sampled_from(["current-model", "new-model", "other", "", " new-model"])
_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-5, max_value=200).map(str),
    st.text(max_size=8),
)
_assignment = st.one_of(
    st.builds(
        lambda name, value, percent: f"{name}={value}{'%' if percent else ''}",
        _variant_names,
        _values,
        st.booleans(),
    ),
    st.text(max_size=12),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(assignments=st.lists(_assignment, min_size=1, max_size=4))
def test_no_typed_input_escapes_as_an_exception_or_reaches_the_api(
    moto_url: str,
    demo_account: None,
    sent_targets: Callable[[], list[str]],
    capsys: pytest.CaptureFixture[str],
    assignments: list[str],
) -> None:
    # In process (a subprocess per example would take minutes): main() either succeeds
    # (a valid dry run) or exits 2 with one line; anything else fails the test.
    from canary_tui.cli.main import main

    args = ["set-weights", ENDPOINT, "--dry-run", "--endpoint-url", moto_url, "--", *assignments]
    try:
        code = main(args)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    if code == 0:
        assert "dry run: nothing was sent" in captured.out
    else:
        assert code == 2, captured.err
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("canary-tui: "), captured.err
    assert UPDATE_TARGET not in sent_targets()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--profile", "no-such-profile"], "no-such-profile) could not be found"),
        (["set-weights", ENDPOINT, "a=1", "--profile", "no-such-profile"], "could not be found"),
    ],
)
def test_an_unknown_profile_is_bad_input(run_cli: RunCli, args: list[str], message: str) -> None:
    assert message in _assert_one_line_error(run_cli(*args), 2)


def test_audit_path_comes_from_flag_then_env_then_config_file(
    run_cli: RunCli,
    demo_account: None,
    tmp_path: Path,
    audit_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from_file = tmp_path / "from-file.jsonl"
    from_env = tmp_path / "from-env.jsonl"
    from_flag = tmp_path / "from-flag.jsonl"
    config = tmp_path / "config" / "canary-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'audit_path = "{from_file}"\n')

    change = ["set-weights", ENDPOINT, "new-model=0.2", "-y"]
    assert run_cli(*change).returncode == 0
    monkeypatch.setenv("CANARY_TUI_AUDIT_PATH", str(from_env))
    assert run_cli(*change[:2], "new-model=0.3", "-y").returncode == 0
    assert (
        run_cli(*change[:2], "new-model=0.4", "-y", "--audit-log", str(from_flag)).returncode == 0
    )

    assert [len(_records(path)) for path in (from_file, from_env, from_flag, audit_path)] == [
        2,
        2,
        2,
        0,
    ]
    listed = run_cli("audit", "--json", "--audit-log", str(from_flag), endpoint_url=None)
    assert json.loads(listed.stdout)["path"] == str(from_flag)


def test_audit_resolve_closes_unfinished_changes(
    run_cli: RunCli, demo_account: None, audit_path: Path
) -> None:
    assert run_cli("set-weights", ENDPOINT, "new-model=0.5", "-y").returncode == 0
    intent = _records(audit_path)[0]
    # As if killed right after sending: the intent is there, its outcome is not.
    intent["id"] = "killed-after-sending"
    with audit_path.open("a") as handle:
        handle.write(json.dumps(intent) + "\n")

    result = run_cli("audit", "--resolve")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"killed-a {ENDPOINT}: applied: reconciled after an interruption: "
        "the live endpoint has the intended values"
    )
    assert run_cli("status").stderr == ""
    assert run_cli("audit", "--resolve").stdout.strip().startswith("no unfinished changes")

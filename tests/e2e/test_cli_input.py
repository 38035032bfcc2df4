"""Bad numbers, settings files and read-only rules through the real command line (issue 12,
items 6 and 9): each is one line on stderr, exit 2, no traceback, nothing sent to the moto
server (its request recorder sees every call) and nothing written to the audit log.

Most cases run ``main()`` in-process against the moto server (fast); the FIFO case runs
a subprocess with a timeout, because a regression there would hang the test itself.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from canary_tui.cli.main import main
from tests.e2e.test_cli import ENDPOINT, UPDATE_TARGET, demo_account, sent_targets

__all__ = ["demo_account", "sent_targets"]  # fixtures used by name below

SentTargets = Callable[[], list[str]]


@pytest.fixture(autouse=True)
def quiet_moto_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # The in-process moto server logs each request to stderr, which capsys would mix
    # into the one line under test.
    monkeypatch.setattr(logging.getLogger("werkzeug"), "level", logging.ERROR)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "canary-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    # conftest points XDG_DATA_HOME here: the audit log and saved ramps live below it.
    return tmp_path / "data" / "canary-tui"


def run_main(capsys: pytest.CaptureFixture[str], moto_url: str, *args: str) -> tuple[int, str]:
    """Exit code and stderr of ``canary-tui ARGS --endpoint-url MOTO`` run in-process."""
    capsys.readouterr()
    try:
        code = main([*args, "--endpoint-url", moto_url])
    except SystemExit as exited:
        code = exited.code if isinstance(exited.code, int) else 1
    return code, capsys.readouterr().err


def assert_refused(code: int, stderr: str, needle: str) -> str:
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("canary-tui: ") and "Traceback" not in stderr
    assert needle in lines[0], lines[0]
    return lines[0]


def assert_nothing_written(sent: SentTargets, data_dir: Path) -> None:
    assert UPDATE_TARGET not in sent()
    audit = data_dir / "audit.jsonl"
    assert not audit.exists() or audit.read_text() == "", "an audit intent was written"
    ramps = data_dir / "ramps"
    assert not ramps.exists() or not any(ramps.iterdir()), "a ramp state was saved"


WRITES = [
    ["set-weights", ENDPOINT, "new-model=0.5", "--yes"],
    ["set-capacity", ENDPOINT, "new-model", "2", "--yes"],
    ["promote", ENDPOINT, "new-model", "--yes"],
    ["rollback", ENDPOINT, "--yes"],
    ["ramp", ENDPOINT, "--canary", "new-model", "--yes"],
]
HUGE = ["1e30", "9223372036854775807"]


# -- huge numbers in the file or the environment ------------------------------------------


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    ("table", "key", "env"),
    [
        ("", "refresh_seconds", "CANARY_TUI_REFRESH_SECONDS"),
        ("", "metric_period_seconds", "CANARY_TUI_METRIC_PERIOD_SECONDS"),
        ("ramp", "bake", "CANARY_TUI_RAMP__BAKE"),
    ],
)
@pytest.mark.parametrize("source", ["file", "env"])
@pytest.mark.parametrize("command", [WRITES[0], WRITES[4], ["status"], ["console"]])
def test_huge_numbers_in_settings_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: SentTargets,
    config_file: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    table: str,
    key: str,
    env: str,
    source: str,
    command: list[str],
) -> None:
    if source == "file":
        config_file.write_text((f"[{table}]\n" if table else "") + f"{key} = {value}\n")
    else:
        monkeypatch.setenv(env, value)
    code, stderr = run_main(capsys, moto_url, *command)
    dotted = f"{table}.{key}" if table else key
    assert_refused(code, stderr, f"{dotted}: ")
    assert (str(config_file) if source == "file" else env) in stderr
    assert_nothing_written(sent_targets, data_dir)
    if command[0] != "status":
        assert sent_targets() == []


def test_verdict_window_1e30_is_bad_input(
    capsys: pytest.CaptureFixture[str], moto_url: str, demo_account: None
) -> None:
    code, stderr = run_main(capsys, moto_url, "verdict", ENDPOINT, "--window", "1e30")
    assert_refused(code, stderr, "--window: ")


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--bake", "1e12"], "--bake: "),
        (["--bake", "8d"], "--bake: must be from 1s to 7d"),
        (["--steps", ""], "--steps: empty step"),
        (["--steps", "10,\u0665\u0660"], "--steps: step: not a number"),
        (["--max-extra-bakes", "1_0"], "--max-extra-bakes: not a whole number"),
        (["--poll", "nan"], "--poll: "),
        (["--alpha", "nan"], "--alpha: verdict.alpha: not a finite number"),
        (["--period", "45"], "--period: metric_period_seconds: must be 1, 5, 10, 30"),
    ],
)
def test_ramp_bad_numbers_are_refused_before_step_1(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: SentTargets,
    data_dir: Path,
    flags: list[str],
    needle: str,
) -> None:
    code, stderr = run_main(
        capsys, moto_url, "ramp", ENDPOINT, "--canary", "new-model", *flags, "--yes"
    )
    assert_refused(code, stderr, needle)
    assert_nothing_written(sent_targets, data_dir)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["set-weights", ENDPOINT, "new-model=\u0663", "--yes"], "new-model: not a number"),
        (["set-weights", ENDPOINT, "new-model=\uff11", "--yes"], "new-model: not a number"),
        (["set-weights", ENDPOINT, "new-model=1_0", "--yes"], "new-model: not a number"),
        (["set-weights", ENDPOINT, "new-model=1 0", "--yes"], "new-model: not a number"),
        (["set-capacity", ENDPOINT, "new-model", "1_000", "--yes"], "not a whole number"),
        (["set-capacity", ENDPOINT, "new-model", "9" * 20, "--yes"], "1,000 instances"),
        (["set-capacity", ENDPOINT, "new-model", "9" * 5000, "--yes"], "too long"),
        (["set-weights", ENDPOINT, "new-model=1", "--wait", "--wait-timeout", "inf"], "--wait"),
        (["set-weights", "a?b&c/d", "new-model=1", "--yes"], "not a valid SageMaker endpoint"),
        (["promote", "trailing-hyphen-", "new-model", "--yes"], "not a valid SageMaker"),
        (["verdict", "x" * 64], "not a valid SageMaker endpoint name"),
    ],
)
def test_bad_numbers_and_names_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: SentTargets,
    data_dir: Path,
    args: list[str],
    needle: str,
) -> None:
    code, stderr = run_main(capsys, moto_url, *args)
    line = assert_refused(code, stderr, needle)
    assert len(line) < 300  # a 5,000-digit count is shown shortened
    assert_nothing_written(sent_targets, data_dir)


# -- what the settings file may be -------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"read_only = 'yes'\n", "read_only: must be true or false (got 'yes')"),
        (b"ascii = 1\n", "ascii: must be true or false"),
        (b"audit_path = 5\n", "audit_path: must be a file path in quotes (got '5')"),
        (b"theme = '\xff\xfe'\n", "not UTF-8 text"),
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than 32 levels deep"),
        (b"x = " + b"[" * 40 + b"]" * 40 + b"\n", "nested more than 32 levels deep"),
        (b"# " + b"a" * (1 << 20) + b"\n", "larger than 1024 KiB"),
        (b"[verdict]\nmin_requests = 1e30\n", "verdict.min_requests: must be a whole number"),
        (b"[verdict]\nalpha = nan\n", "verdict.alpha: not a finite number"),
        (b"[ramp]\nsteps = [10, 1e400]\n", "ramp.steps: not a finite number"),
    ],
)
@pytest.mark.parametrize("command", [WRITES[0], ["console"], ["status"]])
def test_a_bad_settings_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: SentTargets,
    config_file: Path,
    data_dir: Path,
    content: bytes,
    needle: str,
    command: list[str],
) -> None:
    config_file.write_bytes(content)
    code, stderr = run_main(capsys, moto_url, *command)
    assert_refused(code, stderr, needle)
    assert_nothing_written(sent_targets, data_dir)


@pytest.mark.parametrize("environ", [{"CANARY_TUI_READ_ONLY": "yes"}, {"CANARY_TUI_ASCII": "on"}])
def test_a_non_boolean_variable_is_refused(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    code, stderr = run_main(capsys, moto_url, "status")
    assert_refused(code, stderr, "must be true or false")


def test_a_directory_as_the_settings_file(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CANARY_TUI_CONFIG", str(tmp_path))
    code, stderr = run_main(capsys, moto_url, "status")
    assert_refused(code, stderr, "not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", [["status"], ["console"], ["set-weights", ENDPOINT, "a=1"]])
def test_a_fifo_as_the_settings_file_does_not_hang(tmp_path: Path, command: list[str]) -> None:
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "canary_tui", *command, "--endpoint-url", "http://127.0.0.1:9"],
        env={**os.environ, "CANARY_TUI_CONFIG": str(fifo)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "not a regular file" in result.stderr


# -- read-only stops CLI writes too ------------------------------------------------------


@pytest.mark.parametrize("command", [*WRITES, ["ramp", ENDPOINT, "--resume", "--yes"]])
@pytest.mark.parametrize(
    ("file_text", "environ", "needle"),
    [
        ("read_only = true\n", {}, "read-only: read_only = true ("),
        ("", {"CANARY_TUI_READ_ONLY": "true"}, "read_only = true (CANARY_TUI_READ_ONLY)"),
        (
            'read_only_profiles = ["prod-*"]\n',
            {"AWS_PROFILE": "prod-admin"},
            "profile 'prod-admin' matches read_only_profiles pattern 'prod-*'",
        ),
        ("", {"CANARY_TUI_READ_ONLY_PROFILES": "default"}, "profile 'default' matches"),
    ],
)
def test_read_only_refuses_cli_changes_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: SentTargets,
    config_file: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    file_text: str,
    environ: dict[str, str],
    needle: str,
) -> None:
    config_file.write_text(file_text)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    code, stderr = run_main(capsys, moto_url, *command)
    line = assert_refused(code, stderr, needle)
    assert "nothing was sent" in line
    assert sent_targets() == []  # not even a describe
    assert_nothing_written(sent_targets, data_dir)


def test_read_only_leaves_reads_alone(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CANARY_TUI_READ_ONLY", "true")
    code, stderr = run_main(capsys, moto_url, "status", ENDPOINT)
    assert code == 0, stderr
    code, stderr = run_main(capsys, moto_url, "ramp", ENDPOINT, "--show")
    assert code == 0, stderr


@pytest.mark.parametrize(
    "args",
    [
        ["set-weights", ENDPOINT, "new-model=\uff11", "--yes"],
        ["set-weights", ENDPOINT, "new-model=25%", "current-model=0.75", "--yes"],
        ["set-capacity", ENDPOINT, "new-model", "1_000", "--yes"],
        ["rollback", ENDPOINT, "--to", "current-model=\u0663,new-model=1", "--yes"],
        ["set-weights", ENDPOINT, "new-model=0.2", "--lock-wait", "\uff11", "--yes"],
        ["promote", ENDPOINT, "--lock-wait", "1e400", "--yes"],
        ["rollback", ENDPOINT, "--to", "current-model=90%,,new-model=10%", "--yes"],
    ],
)
def test_bad_numbers_are_refused_before_any_aws_call(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    # Nothing listens on port 9: a describe before the check would exit 1 ("cannot reach").
    code, stderr = run_main(capsys, "http://127.0.0.1:9", *args)
    assert_refused(code, stderr, "")
    assert "cannot reach" not in stderr

"""``canary-tui ramp --bake-requests N`` and the ``ramp.bake_requests`` setting: bad values are
one line and exit 2 before anything is sent or saved; a good one is in the plan, with the
time each step is expected to take at the endpoint's traffic."""

from __future__ import annotations

from pathlib import Path

import pytest

from canary_tui.cli.main import main
from tests.e2e import test_cli_input
from tests.e2e.test_cli import ENDPOINT
from tests.e2e.test_cli_input import assert_nothing_written, assert_refused, run_main

# The fixtures those tests use, by name.
demo_account = test_cli_input.demo_account
sent_targets = test_cli_input.sent_targets
data_dir = test_cli_input.data_dir
config_file = test_cli_input.config_file
quiet_moto_server = test_cli_input.quiet_moto_server

RAMP = ["ramp", ENDPOINT, "--canary", "new-model"]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "--bake-requests: enter a number"),
        ("-1", "--bake-requests: cannot be negative"),
        ("1000000000001", "between 0 and 1,000,000,000,000 requests"),
        ("\u0663\u0660\u0660", "--bake-requests: not a whole number (ASCII digits)"),
        ("\uff12000", "--bake-requests: not a whole number (ASCII digits)"),
        ("2e3", "--bake-requests: not a whole number"),
        ("1_000", "--bake-requests: not a whole number"),
        ("9" * 5000, "--bake-requests: too long"),
    ],
)
def test_bad_bake_requests_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: test_cli_input.SentTargets,
    data_dir: Path,
    value: str,
    needle: str,
) -> None:
    code, stderr = run_main(capsys, moto_url, *RAMP, "--bake-requests", value, "--yes")
    assert_refused(code, stderr, needle)
    assert_nothing_written(sent_targets, data_dir)
    assert sent_targets() == []


@pytest.mark.parametrize("source", ["file", "env"])
def test_a_bad_setting_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: test_cli_input.SentTargets,
    config_file: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    if source == "file":
        config_file.write_text("[ramp]\nbake_requests = -5\n")
    else:
        monkeypatch.setenv("CANARY_TUI_RAMP__BAKE_REQUESTS", "1e30")
    code, stderr = run_main(capsys, moto_url, *RAMP, "--yes")
    assert_refused(code, stderr, "ramp.bake_requests: ")
    assert_nothing_written(sent_targets, data_dir)


def test_the_plan_says_the_bake_and_the_time_to_the_requests(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    demo_account: None,
    sent_targets: test_cli_input.SentTargets,
    config_file: Path,
    data_dir: Path,
) -> None:
    # From the settings file; not a terminal and no --yes: the plan is shown, nothing sent.
    config_file.write_text('[ramp]\nbake_requests = 2000\nbake = "1m"\n')
    code, out = plan_output(capsys, moto_url)
    assert code == 2
    assert "bake 1m and 2,000 requests per step" in out
    # moto's fresh account has no traffic: the estimate says so rather than guessing.
    assert "time to 2,000 requests on new-model: not known (no request rate yet)" in out
    assert_nothing_written(sent_targets, data_dir)
    # A flag wins over the setting.
    code, out = plan_output(capsys, moto_url, "--bake-requests", "0")
    assert code == 2
    assert "bake 1m per step" in out and "time to" not in out


def plan_output(capsys: pytest.CaptureFixture[str], moto_url: str, *flags: str) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = main([*RAMP, *flags, "--endpoint-url", moto_url])
    except SystemExit as exited:
        code = exited.code if isinstance(exited.code, int) else 1
    return code, capsys.readouterr().out

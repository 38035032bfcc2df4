"""The console's options from settings: defaults < config file < CANARY_TUI_* < flags,
through the real argument parser, without running the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from canary_tui.cli.common import UsageError
from canary_tui.cli.console_settings import console_options_from, console_options_from_args
from canary_tui.cli.main import build_parser, main
from canary_tui.config import load_settings
from canary_tui.ui.options import ConsoleOptions


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The platform config file (conftest points XDG_CONFIG_HOME into tmp_path)."""
    path = tmp_path / "config" / "canary-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def options_for(*argv: str) -> ConsoleOptions:
    args = build_parser().parse_args(["console", *argv])
    return console_options_from_args(args)


def test_window_comes_from_file_then_env_then_flag(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert options_for().window == "1h"  # the default
    config_file.write_text('window = "15m"\nrefresh_seconds = "2m"\n')
    assert options_for().window == "15m"
    assert options_for().refresh_seconds == 120
    monkeypatch.setenv("CANARY_TUI_WINDOW", "3h")
    assert options_for().window == "3h"
    assert options_for("--window", "12h").window == "12h"
    assert options_for("--refresh", "30").refresh_seconds == 30


def test_theme_and_ascii_from_file_and_flags(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text('theme = "nord"\n')
    assert options_for().theme == "nord"
    monkeypatch.setenv("CANARY_TUI_THEME", "gruvbox")
    assert options_for().theme == "gruvbox"
    assert options_for("--theme", "canary-high-contrast").theme == "canary-high-contrast"
    assert options_for().ascii is False
    assert options_for("--ascii").ascii is True
    monkeypatch.setenv("CANARY_TUI_ASCII", "true")
    assert options_for().ascii is True


def test_read_only_and_production_follow_the_profile(config_file: Path) -> None:
    config_file.write_text(
        'profile = "prod-admin"\n'
        'read_only_profiles = ["prod-*"]\n'
        'production_profiles = ["prod-*", "billing"]\n'
        'keymap = {quit = "ctrl+q"}\n'
    )
    options = options_for()
    assert (options.profile, options.read_only, options.production) == ("prod-admin", True, True)
    assert options.always_read_only is False
    assert options.keymap == {"quit": "ctrl+q"}
    assert options.production_profiles == ("prod-*", "billing")
    staging = options_for("--profile", "staging")
    assert (staging.read_only, staging.production) == (False, False)
    forced = options_for("--profile", "staging", "--read-only")
    assert (forced.read_only, forced.always_read_only) == (True, True)


def test_audit_path_and_metric_period_reach_the_options(config_file: Path, tmp_path: Path) -> None:
    config_file.write_text(f'audit_path = "{tmp_path / "a.jsonl"}"\nmetric_period_seconds = 300\n')
    options = options_for()
    assert options.audit_path == tmp_path / "a.jsonl"
    assert options.metric_period_seconds == 300
    assert options.effective_refresh_seconds == 300


def test_overrides_win_over_settings() -> None:
    options = console_options_from(load_settings().settings, mode_label="demo", refresh_seconds=5)
    assert (options.mode_label, options.refresh_seconds) == ("demo", 5)


@pytest.mark.parametrize(
    ("file_text", "argv", "message"),
    [
        ('window = "2d"\n', [], "window: must be one of 15m, 1h, 3h, 12h"),
        ("refresh_seconds = 0\n", [], "refresh_seconds"),
        ("", ["--region", "Not A Region"], "--region: region: not an AWS region name"),
        ("", ["--refresh", "0.5"], "--refresh: refresh_seconds: must be from 1s to 7d"),
        ("", ["--refresh", "1e30"], "--refresh: refresh_seconds: not a duration"),
    ],
)
def test_a_bad_setting_is_one_line_of_bad_input(
    config_file: Path, file_text: str, argv: list[str], message: str
) -> None:
    config_file.write_text(file_text)
    with pytest.raises(UsageError) as raised:
        options_for(*argv)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("command", ["console", "demo"])
def test_console_and_demo_exit_2_on_a_bad_setting_before_starting(
    command: str, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file.write_text('window = "2d"\n')
    with pytest.raises(SystemExit) as exited:
        main([command])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error == f"canary-tui: {config_file}: window: must be one of 15m, 1h, 3h, 12h\n"


def test_an_unknown_profile_exits_2_before_the_console_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--profile", "no-such-profile"])  # plain canary-tui opens the console
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "no-such-profile) could not be found" in error and error.count("\n") == 1


@pytest.mark.parametrize("variable", ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
def test_the_profile_from_the_environment_is_judged_by_the_read_only_rules(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    # The console and the CLI share one rule (aws.profiles.read_only_reason): boto3 uses
    # AWS_PROFILE / AWS_DEFAULT_PROFILE when no profile is named, so the rules must too.
    config_file.write_text('read_only_profiles = ["prod-*"]\nproduction_profiles = ["prod-*"]\n')
    assert options_for().read_only is False
    monkeypatch.setenv(variable, "prod-admin")
    options = options_for()
    assert options.read_only is True and options.production is True
    assert options_for("--profile", "dev").read_only is False  # a named profile wins

"""Settings: file < environment < flags, every bad value a one-line ConfigError, the
commented default file, and `canary-tui config`."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from canary_tui.cli.main import main
from canary_tui.config import (
    ConfigError,
    Settings,
    config_path,
    default_file_text,
    load_settings,
    parse_duration,
    setting_keys,
    value_at,
    write_default_file,
)
from canary_tui.config.loading import _flag_name
from canary_tui.domain.verdict import VerdictThresholds


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The platform config file (conftest points XDG_CONFIG_HOME into tmp_path)."""
    path = tmp_path / "config" / "canary-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def test_file_lives_in_the_platform_config_dir(tmp_path: Path) -> None:
    assert config_path() == tmp_path / "config" / "canary-tui" / "config.toml"


def test_canary_tui_config_names_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('window = "12h"\n')
    monkeypatch.setenv("CANARY_TUI_CONFIG", str(other))
    assert config_path() == other
    loaded = load_settings()
    assert loaded.settings.window == "12h"
    assert loaded.path == other
    assert loaded.unknown_env == ()  # CANARY_TUI_CONFIG itself is not a typo


def test_a_missing_file_named_by_canary_tui_config_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default file may be absent (all defaults); a file named on purpose may not: a typo
    # in CANARY_TUI_CONFIG must not quietly drop read_only = true.
    monkeypatch.setenv("CANARY_TUI_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(ConfigError, match=r"typo.toml: no such file \(CANARY_TUI_CONFIG"):
        load_settings()


def test_defaults_without_file_env_or_flags() -> None:
    loaded = load_settings()
    settings = loaded.settings
    assert settings.profile is None and settings.region is None
    assert settings.metric_period_seconds == 60
    assert settings.refresh_seconds is None and settings.effective_refresh_seconds == 60
    assert settings.window == "1h" and settings.window_duration == timedelta(hours=1)
    assert settings.read_only is False and settings.read_only_profiles == []
    assert settings.verdict.alpha == 0.05 and settings.verdict.min_requests == 1000
    assert settings.ramp.steps == (10, 25, 50, 100)
    assert settings.ramp.bake == timedelta(minutes=10)
    assert settings.effective_audit_path.name == "audit.jsonl"
    assert set(loaded.sources.values()) == {"default"}
    assert list(loaded.sources) == setting_keys()


@pytest.mark.parametrize(
    ("key", "file_text", "env_name", "env_value", "flag_value", "values"),
    [
        ("window", 'window = "3h"', "CANARY_TUI_WINDOW", "12h", "15m", ("3h", "12h", "15m")),
        ("region", 'region = "eu-west-1"', "CANARY_TUI_REGION", "us-west-2", "ap-south-1", None),
        (
            "read_only",
            "read_only = false",
            "CANARY_TUI_READ_ONLY",
            "true",
            False,
            (False, True, False),
        ),
        (
            "read_only_profiles",
            'read_only_profiles = ["a"]',
            "CANARY_TUI_READ_ONLY_PROFILES",
            "b,c",
            ["d"],
            (["a"], ["b", "c"], ["d"]),
        ),
        (
            "verdict.alpha",
            "[verdict]\nalpha = 0.1",
            "CANARY_TUI_VERDICT__ALPHA",
            "0.01",
            0.001,
            (0.1, 0.01, 0.001),
        ),
        (
            "ramp.bake",
            '[ramp]\nbake = "5m"',
            "CANARY_TUI_RAMP__BAKE",
            "90s",
            "1h",
            (timedelta(minutes=5), timedelta(seconds=90), timedelta(hours=1)),
        ),
    ],
)
def test_precedence_file_then_env_then_flag(
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    file_text: str,
    env_name: str,
    env_value: str,
    flag_value: Any,
    values: tuple[Any, Any, Any] | None,
) -> None:
    config_file.write_text(file_text + "\n")
    from_file = load_settings()
    monkeypatch.setenv(env_name, env_value)
    from_env = load_settings()
    from_flag = load_settings({key: flag_value})
    assert from_file.sources[key] == "file"
    assert from_env.sources[key] == f"env {env_name}"
    assert from_flag.sources[key] == f"flag {_flag_name(key)}"
    seen = tuple(value_at(loaded.settings, key) for loaded in (from_file, from_env, from_flag))
    if values is None:
        assert len(set(seen)) == 3  # each layer really changed the value
    else:
        assert seen == values


def test_a_flag_not_given_does_not_hide_the_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANARY_TUI_PROFILE", "ops")
    loaded = load_settings({"profile": None, "region": None})
    assert loaded.settings.profile == "ops"
    assert loaded.sources["profile"] == "env CANARY_TUI_PROFILE"


def test_nested_tables_merge_across_layers(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text("[verdict]\nmin_requests = 50\nalpha = 0.2\n")
    monkeypatch.setenv("CANARY_TUI_VERDICT__ALPHA", "0.02")
    loaded = load_settings({"verdict.min_periods": 3})
    verdict = loaded.settings.verdict
    assert (verdict.min_requests, verdict.alpha, verdict.min_periods) == (50, 0.02, 3)
    assert verdict.max_latency_ratio == 1.2
    assert loaded.sources["verdict.min_requests"] == "file"
    assert loaded.sources["verdict.alpha"] == "env CANARY_TUI_VERDICT__ALPHA"
    assert loaded.sources["verdict.min_periods"] == "flag --min-periods"  # the real flag
    assert loaded.sources["verdict.split_tolerance"] == "default"
    assert verdict.thresholds() == VerdictThresholds(
        alpha=0.02, min_requests=50, min_periods=3, split_tolerance=verdict.split_tolerance
    )


def test_lists_and_key_map_from_file_and_env(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text(
        'production_profiles = ["prod-*"]\nkeymap = {quit = "ctrl+q"}\n'
        "[ramp]\nsteps = [5, 50, 100]\n"
    )
    settings = load_settings().settings
    assert settings.production_profiles == ["prod-*"]
    assert settings.keymap == {"quit": "ctrl+q"}
    assert settings.ramp.steps == (5, 50, 100)
    monkeypatch.setenv("CANARY_TUI_READ_ONLY_PROFILES", "prod-*, billing")
    monkeypatch.setenv("CANARY_TUI_KEYMAP", "quit=ctrl+x,help=f1")
    monkeypatch.setenv("CANARY_TUI_RAMP__STEPS", "1,2,100")
    settings = load_settings().settings
    assert settings.read_only_profiles == ["prod-*", "billing"]
    assert settings.keymap == {"quit": "ctrl+x", "help": "f1"}
    assert settings.ramp.steps == (1, 2, 100)
    monkeypatch.setenv("CANARY_TUI_KEYMAP", '{"split,pane": "ctrl+s"}')
    assert load_settings().settings.keymap == {"split,pane": "ctrl+s"}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("10m", 600), ("1h", 3600), ("1h30m", 5400), ("45", 45), (120, 120)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["soon", "10 minutes", "-5s", "0s", "", "5x", True, None])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_refresh_and_period_take_durations(config_file: Path) -> None:
    config_file.write_text('refresh_seconds = "30s"\nmetric_period_seconds = "5m"\n')
    settings = load_settings().settings
    assert settings.refresh_seconds == 30 and settings.effective_refresh_seconds == 30
    assert settings.metric_period_seconds == 300


@pytest.mark.parametrize(
    ("file_text", "key", "needle"),
    [
        ("windw = '1h'", "windw", "unknown setting"),
        ("[verdict]\nalhpa = 0.1", "verdict.alhpa", "unknown setting (known: alpha"),
        ("window = '2h'", "window", "must be one of 15m, 1h, 3h, 12h"),
        ("window = 5", "window", "must be one of"),
        ("read_only = 'maybe'", "read_only", "must be true or false"),
        ("metric_period_seconds = 45", "metric_period_seconds", "multiple of 60"),
        ("refresh_seconds = 'soon'", "refresh_seconds", "not a duration"),
        ("[ramp]\nbake = 'soon'", "ramp.bake", "not a duration"),
        ("[ramp]\nsteps = [50, 10]", "ramp.steps", "steps must increase"),
        ("[ramp]\nsteps = [10, 150]", "ramp.steps", "at most 100"),
        ("[verdict]\nalpha = 1.5", "verdict.alpha", "strictly between 0 and 1"),
        ("[verdict]\nmin_requests = 'lots'", "verdict.min_requests", "not a whole number"),
        ("verdict = 3", "verdict", "VerdictSettings"),
        ("region = 'Europe West'", "region", "not an AWS region"),
        ("endpoint_url = 'localhost:5000'", "endpoint_url", "http://"),
        ("keymap = {quit = ''}", "keymap", "no key given"),
    ],
)
def test_bad_file_values_name_the_file_and_the_key(
    config_file: Path, file_text: str, key: str, needle: str
) -> None:
    config_file.write_text(file_text + "\n")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{config_file}: {key}: ")
    assert needle in message
    assert "\n" not in message


def test_unreadable_toml_names_the_file_and_line(config_file: Path) -> None:
    config_file.write_text('window = "1h"\nregion = \n')
    with pytest.raises(ConfigError, match=re.escape(str(config_file)) + r".*line 2"):
        load_settings()


def test_bad_env_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANARY_TUI_VERDICT__MIN_PERIODS", "many")
    with pytest.raises(
        ConfigError, match=r"^CANARY_TUI_VERDICT__MIN_PERIODS: verdict\.min_periods"
    ):
        load_settings()


def test_a_whole_table_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANARY_TUI_VERDICT", '{"alpha": 0.2}')
    loaded = load_settings()
    assert loaded.settings.verdict.alpha == 0.2
    assert loaded.sources["verdict.alpha"] == "env CANARY_TUI_VERDICT"
    monkeypatch.setenv("CANARY_TUI_VERDICT", "alpha=0.2")
    with pytest.raises(ConfigError, match=r"^CANARY_TUI_VERDICT: verdict: not valid JSON"):
        load_settings()


def test_audit_path_expands_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CANARY_TUI_AUDIT_PATH", "~/audit/canary.jsonl")
    settings = load_settings().settings
    assert settings.effective_audit_path == tmp_path / "audit" / "canary.jsonl"


def test_bad_flag_value_names_the_flag() -> None:
    with pytest.raises(ConfigError, match=r"^--window: window: must be one of"):
        load_settings({"window": "1d"})


def test_unknown_env_variables_are_refused_with_the_likely_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CANARY_TUI_WINDWO", "1h")
    monkeypatch.setenv("CANARY_TUI_VERDICT__ALPHA", "0.1")
    with pytest.raises(
        ConfigError,
        match=r"^environment: CANARY_TUI_WINDWO is not a setting "
        r"\(did you mean CANARY_TUI_WINDOW\?\); unset it",
    ):
        load_settings()
    # canary-tui config lists them instead, so it can still show what is in force.
    assert load_settings(allow_unknown_env=True).unknown_env == ("CANARY_TUI_WINDWO",)


def test_an_unknown_env_variable_like_no_setting_gets_no_guess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CANARY_TUI_FOO", "1")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "did you mean" not in str(raised.value)


def test_settings_alone_read_file_and_env(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text('theme = "nord"\nascii = true\n')
    monkeypatch.setenv("CANARY_TUI_ASCII", "false")
    settings = Settings()
    assert settings.theme == "nord" and settings.ascii is False


# --- the commented default file --------------------------------------------------------------


def test_default_file_is_valid_toml_and_changes_nothing(config_file: Path) -> None:
    # Only the table headers are live; every key is commented out.
    assert tomllib.loads(default_file_text()) == {"verdict": {}, "ramp": {}}
    config_file.write_text(default_file_text())
    assert set(load_settings().sources.values()) == {"default"}


def test_uncommenting_the_default_file_gives_the_defaults(config_file: Path) -> None:
    # Every "# key = value" line, uncommented, must reproduce the defaults exactly.
    text = re.sub(r"(?m)^# (\w+ = )", r"\1", default_file_text())
    config_file.write_text(text)
    loaded = load_settings()
    assert loaded.settings == Settings.model_validate({})
    from_file = [key for key, source in loaded.sources.items() if source == "file"]
    assert "window" in from_file and "verdict.alpha" in from_file and "ramp.bake" in from_file


def test_every_setting_is_documented_in_the_default_file() -> None:
    text = default_file_text()
    for key in setting_keys():
        leaf = key.rsplit(".", 1)[-1]
        assert re.search(rf"(?m)^# (example: )?{leaf} = ", text), key
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_write_default_file_never_overwrites(config_file: Path) -> None:
    assert write_default_file() == config_file
    config_file.write_text("window = '3h'\n")
    with pytest.raises(ConfigError, match="already exists"):
        write_default_file()
    assert config_file.read_text() == "window = '3h'\n"


# --- canary-tui config -----------------------------------------------------------------------


def test_cli_prints_values_and_sources(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file.write_text('window = "3h"\n')
    monkeypatch.setenv("CANARY_TUI_THEME", "nord")
    assert main(["config", "--region", "eu-west-1"]) == 0
    out = capsys.readouterr().out
    assert f"config file: {config_file}" in out
    assert re.search(r'(?m)^window\s+"3h"\s+file$', out)
    assert re.search(r'(?m)^theme\s+"nord"\s+env CANARY_TUI_THEME$', out)
    assert re.search(r'(?m)^region\s+"eu-west-1"\s+flag --region$', out)
    assert re.search(r"(?m)^verdict\.alpha\s+0\.05\s+default$", out)


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file_exists"] is False
    assert data["settings"]["ramp.bake"] == {"value": "10m", "source": "default"}
    assert data["settings"]["ramp.steps"]["value"] == [10, 25, 50, 100]


def test_cli_path_and_init(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(config_file)
    assert main(["config", "--init"]) == 0
    assert config_file.read_text() == default_file_text()
    with pytest.raises(SystemExit) as exited:
        main(["config", "--init"])
    assert exited.value.code == 2
    assert "already exists" in capsys.readouterr().err


def test_cli_bad_config_is_one_line_and_exit_2(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file.write_text("[verdict]\nalpha = 'high'\n")
    with pytest.raises(SystemExit) as exited:
        main(["config"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"canary-tui: {config_file}: verdict.alpha: ")
    assert "Traceback" not in err

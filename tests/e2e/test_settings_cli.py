"""Headless commands take profile, region and endpoint URL from the settings:
config file < CANARY_TUI_* < flags, through the real command line against moto."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canary_tui.cli.main import main


def listed_endpoints(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["status", "--json", *argv]) == 0
    return [endpoint["name"] for endpoint in json.loads(capsys.readouterr().out)["endpoints"]]


def test_status_region_and_endpoint_url_from_file_then_env_then_flag(
    moto_url: str,
    two_region_account: dict[str, tuple[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config" / "canary-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    # The endpoint URL comes from the file too: no flag, no AWS_ENDPOINT_URL.
    config.write_text(f'region = "eu-west-1"\nendpoint_url = "{moto_url}"\n')
    assert listed_endpoints(capsys) == ["prod-endpoint"]
    monkeypatch.setenv("CANARY_TUI_REGION", "us-east-1")
    assert listed_endpoints(capsys) == ["staging-endpoint"]
    assert listed_endpoints(capsys, "--region", "eu-west-1") == ["prod-endpoint"]


def test_status_profile_from_the_settings_picks_its_region(
    moto_url: str,
    two_region_account: dict[str, tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")  # the profile's region must decide
    monkeypatch.setenv("CANARY_TUI_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("CANARY_TUI_PROFILE", "prod-admin")
    assert listed_endpoints(capsys) == ["prod-endpoint"]
    assert listed_endpoints(capsys, "--profile", "staging") == ["staging-endpoint"]


def test_a_bad_setting_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CANARY_TUI_ENDPOINT_URL", "not-a-url")
    with pytest.raises(SystemExit) as exited:
        main(["status"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("canary-tui: CANARY_TUI_ENDPOINT_URL: endpoint_url: expected an http")
    assert error.count("\n") == 1

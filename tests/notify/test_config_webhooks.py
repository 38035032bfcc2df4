"""[[webhooks]]: good entries become Webhook; every bad one is one line naming the entry and
the key (never the URL's path), exit 2, on the full load and the quick path alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from canary_tui.config import ConfigError, config_path, load_settings
from canary_tui.config.quick import quick_target
from canary_tui.config.webhooks import webhooks
from canary_tui.notify.setup import configured_webhooks
from canary_tui.notify.targets import EventKind

SECRET_PATH = "/services/T000/B000/s3cr3t"
SLACK = {"name": "oncall", "url": f"https://hooks.slack.com{SECRET_PATH}", "format": "slack"}


def _write(entries: list[dict[str, Any]]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ['window = "1h"']
    for entry in entries:
        lines.append("[[webhooks]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in entry.items())
    path.write_text("\n".join(lines) + "\n")


def test_a_good_entry_is_read_with_its_defaults() -> None:
    _write([SLACK, {"url": "http://127.0.0.1:8080/hook"}])
    slack, local = load_settings().settings.webhooks
    assert slack.format == "slack" and slack.events == frozenset(EventKind)
    assert slack.timeout_seconds == 5.0 and slack.profiles == () and slack.label == "oncall"
    assert local.format == "json" and local.shown_url == "http://127.0.0.1:8080/..."
    assert SECRET_PATH not in repr(slack) and SECRET_PATH not in json.dumps(slack.to_dict())
    assert quick_target() is not None  # the quick path accepts what the full load accepts
    assert configured_webhooks() == (slack, local)


def test_events_timeout_and_profiles() -> None:
    (hook,) = webhooks(
        [
            {
                "url": "https://example.com/h",
                "events": ["ramp.*", "change.failed"],
                "timeout": "1.5s",
                "profiles": ["prod-*"],
            }
        ]
    )
    assert EventKind.RAMP_HELD in hook.events and EventKind.CHANGE_FAILED in hook.events
    assert EventKind.CHANGE_APPLIED not in hook.events and hook.timeout_seconds == 1.5
    assert hook.wants(EventKind.RAMP_HELD, "prod-admin")
    assert not hook.wants(EventKind.RAMP_HELD, "dev") and not hook.wants(EventKind.RAMP_HELD, None)
    assert not hook.wants(EventKind.CHANGE_APPLIED, "prod-admin")


def test_url_env_keeps_the_secret_out_of_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_HOOK", f"https://hooks.slack.com{SECRET_PATH}")
    _write([{"url_env": "SLACK_HOOK", "format": "slack"}])
    (hook,) = load_settings().settings.webhooks
    assert hook.url.endswith(SECRET_PATH) and hook.to_dict()["url_env"] == "SLACK_HOOK"
    monkeypatch.delenv("SLACK_HOOK")
    with pytest.raises(ConfigError, match="url_env: the variable SLACK_HOOK is not set"):
        load_settings()
    assert quick_target() is None  # deferred to the full load, which says why


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"url": "http://example.com/x"}, "http:// only to localhost"),
        ({"url": "ftp://example.com/x"}, "must be an https:// URL"),
        ({"url": 5}, "must be an https:// URL in quotes"),
        ({"url": "https://user:pw@example.com/x"}, "user name or password"),
        ({"url": "https://example.com/a b"}, "spaces"),
        ({}, "one of the two"),
        ({"url": "https://a.example/x", "url_env": "X"}, "one of the two"),
        ({"url_env": "not a name"}, "must name an environment variable"),
        ({"url": "https://a.example/x", "format": "teams"}, 'must be "slack" or "json"'),
        ({"url": "https://a.example/x", "events": ["ramp.exploded"]}, "no event is called"),
        ({"url": "https://a.example/x", "events": "ramp.*"}, "must be a list"),
        ({"url": "https://a.example/x", "timeout": "5m"}, "timeout: must be from"),
        ({"url": "https://a.example/x", "timeout": "soon"}, "timeout: not a duration"),
        ({"url": "https://a.example/x", "profiles": "prod"}, "profiles: must be a list"),
        ({"url": "https://a.example/x", "colour": "red"}, "unknown key 'colour'"),
    ],
)
def test_every_bad_entry_is_one_line(entry: dict[str, Any], expected: str) -> None:
    _write([SLACK, entry])
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "webhooks: webhooks entry 2" in message and expected in message, message
    assert "\n" not in message and "/x" not in message.split("webhooks entry 2", 1)[1]
    assert quick_target() is None
    assert configured_webhooks() == ()  # the command reports it; nothing is installed


def test_the_secret_path_is_never_in_an_error() -> None:
    _write([{"url": f"http://hooks.slack.com{SECRET_PATH}"}])
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert SECRET_PATH not in str(caught.value) and "http://hooks.slack.com/..." in str(
        caught.value
    )


def test_from_a_variable_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANARY_TUI_WEBHOOKS", json.dumps([SLACK]))
    assert load_settings().settings.webhooks[0].format == "slack"
    assert configured_webhooks()[0].format == "slack"
    monkeypatch.setenv("CANARY_TUI_WEBHOOKS", json.dumps([{**SLACK, "format": "x"}]))
    with pytest.raises(ConfigError, match=r"CANARY_TUI_WEBHOOKS: webhooks: .*format"):
        load_settings()


@pytest.mark.parametrize(
    "command",
    [["config"], ["set-weights", "some-endpoint", "v1=50%", "--yes"], ["status", "some-ep"]],
    ids=["full", "write", "quick"],
)
def test_the_cli_exits_2_with_one_line(command: list[str]) -> None:
    _write([{**SLACK, "timeout": "forever"}])
    result = subprocess.run(
        [sys.executable, "-m", "canary_tui", *command],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "webhooks entry 1 (oncall): timeout: " in lines[0], lines
    assert SECRET_PATH not in result.stderr

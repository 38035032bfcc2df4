"""The settings loader under hostile input (issue 12, item 9): any bytes as the file give
Settings or a one-line ConfigError, never another exception; huge numbers, non-booleans,
non-paths, oversized, non-UTF-8, deeply nested and non-regular files are refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canary_tui.config import MAX_FILE_BYTES, ConfigError, Settings, load_settings


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "canary-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def refused(config_file: Path, content: str | bytes) -> str:
    if isinstance(content, str):
        content = content.encode()
    config_file.write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(config_file))
    return message


@pytest.mark.parametrize("value", ["1e30", "9223372036854775807", "-1", "inf", "nan", "'1e30'"])
@pytest.mark.parametrize(
    "key", ["refresh_seconds", "metric_period_seconds", "[ramp]\nbake", "[verdict]\nmin_periods"]
)
def test_huge_or_non_finite_numbers_are_refused(config_file: Path, key: str, value: str) -> None:
    message = refused(config_file, f"{key} = {value}\n")
    assert key.split("\n")[-1] in message and "(got " in message


@pytest.mark.parametrize("name", ["CANARY_TUI_REFRESH_SECONDS", "CANARY_TUI_RAMP__BAKE"])
@pytest.mark.parametrize("value", ["1e30", "9223372036854775807", "\u0665m", "1_0s"])
def test_huge_numbers_in_the_environment_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"{name}: ") and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("read_only = true", True), ("read_only = false", False)],
)
def test_toml_booleans(config_file: Path, text: str, expected: bool) -> None:
    config_file.write_text(text)
    assert load_settings().settings.read_only is expected


@pytest.mark.parametrize(
    "text", ["read_only = 'yes'", "read_only = 1", "ascii = 'on'", "ascii = 0"]
)
def test_booleans_are_strict(config_file: Path, text: str) -> None:
    assert "must be true or false" in refused(config_file, text)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("FALSE", False)])
def test_boolean_variables(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("CANARY_TUI_READ_ONLY", value)
    assert load_settings().settings.read_only is expected


@pytest.mark.parametrize("text", ["audit_path = 5", "audit_path = true", "audit_path = ''"])
def test_audit_path_must_be_a_path_in_quotes(config_file: Path, text: str) -> None:
    assert "audit_path: must be a file path" in refused(config_file, text)


def test_audit_path_expands_home(config_file: Path) -> None:
    config_file.write_text("audit_path = '~/a.jsonl'")
    assert load_settings().settings.audit_path == Path("~/a.jsonl").expanduser()


def test_file_size_is_bounded(config_file: Path) -> None:
    assert "larger than 1024 KiB" in refused(config_file, b"#" * (MAX_FILE_BYTES + 1))
    config_file.write_bytes(b"#" * MAX_FILE_BYTES)
    assert load_settings().settings.read_only is False


def test_non_utf8_is_refused(config_file: Path) -> None:
    assert "not UTF-8 text (bad byte at offset 9)" in refused(config_file, b"theme = '\xff'")


@pytest.mark.parametrize("depth", [33, 1000, 5000])
def test_deep_nesting_is_refused(config_file: Path, depth: int) -> None:
    message = refused(config_file, "x = " + "[" * depth + "]" * depth)
    assert "nested more than 32 levels deep" in message


def test_deep_inline_tables_are_refused(config_file: Path) -> None:
    message = refused(config_file, "x = " + "{a = " * 40 + "1" + "}" * 40)
    assert "nested more than 32 levels deep" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    monkeypatch.setenv("CANARY_TUI_CONFIG", str(fifo))
    with pytest.raises(ConfigError, match="not a regular file"):
        load_settings()
    with pytest.raises(ConfigError, match="not a regular file"):
        Settings()  # reading the file without load_settings takes the same path


def test_a_device_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANARY_TUI_CONFIG", "/dev/zero")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_settings()


def test_an_unreadable_file_is_one_line(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 0 does not stop root (CI may run as root), so the refusal is the kernel's
    # answer played back: open() raising EACCES for this one path.
    config_file.write_text("window = '1h'")
    real_open = os.open

    def refusing_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if Path(path) == config_file:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(config_file))
    assert "cannot read: Permission denied" in message


TOML_BITS = st.sampled_from(
    [
        b"refresh_seconds = ", b"metric_period_seconds = ", b"read_only = ", b"audit_path = ",
        b"window = ", b"[ramp]\n", b"[verdict]\n", b"bake = ", b"steps = ", b"alpha = ",
        b"min_requests = ", b"keymap = ", b"1e30", b"9223372036854775807", b"-1", b"nan",
        b"inf", b"'yes'", b"true", b"5", b"[", b"]", b"{", b"}", b"'10m'", b"\n", b"\xff",
        b"\"\\u0663\"", b"[10, 25]", b"0.5", b"\x00",
    ]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.lists(TOML_BITS, max_size=12).map(b"".join),
    )
)
def test_any_bytes_give_settings_or_a_config_error(config_file: Path, content: bytes) -> None:
    config_file.write_bytes(content)
    try:
        loaded = load_settings()
    except ConfigError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(loaded.settings, Settings)
        assert loaded.settings.effective_refresh_seconds >= 1


@pytest.mark.parametrize("name", ["CANARY_TUI_VERDICT", "CANARY_TUI_RAMP", "CANARY_TUI_KEYMAP"])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_in_a_variable_is_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, opening: str
) -> None:
    monkeypatch.setenv(name, opening * 5000)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 300

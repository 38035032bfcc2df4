"""The quick settings path (canary_tui.config.quick) gives what load_settings gives, or
defers: never another value, never a bad setting let through."""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BeforeValidator

from canary_tui.config import ConfigError, Settings, config_path, load_settings, parsing
from canary_tui.config.models import NESTED_MODELS
from canary_tui.config.quick import (
    CHECKS,
    RAMP_CHECKS,
    VERDICT_CHECKS,
    quick_target,
)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return "{" + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + "}"


def _write_file(values: Mapping[str, Any] | None) -> None:
    path = config_path()
    if values is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key} = {_toml(value)}\n" for key, value in values.items()))


def _full(flags: Mapping[str, Any]) -> tuple[Any, ...] | None:
    try:
        loaded = load_settings(flags).settings
    except ConfigError:
        return None
    return (
        loaded.profile,
        loaded.region,
        loaded.endpoint_url,
        loaded.effective_audit_path,
        loaded.team_table,
    )


def _quick(flags: Mapping[str, Any]) -> tuple[Any, ...] | None:
    quick = quick_target(flags)
    if quick is None:
        return None
    return (
        quick.profile,
        quick.region,
        quick.endpoint_url,
        quick.effective_audit_path,
        quick.team_table,
    )


@pytest.fixture
def environment() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


# Good and bad values for each setting, as a file or a variable might give them.
TEXTS = ["", "ops", "prod-admin", " x ", "a,b", "ctrl+q", "{}"]
GOOD_AND_BAD: dict[str, tuple[list[Any], list[Any]]] = {
    "profile": (TEXTS, [3, True]),
    "region": (["eu-west-1", "us-east-1"], ["EU", "", "eu_west", 5]),
    "endpoint_url": (["http://127.0.0.1:5000", "https://x"], ["ftp://x", "", 1]),
    "refresh_seconds": (["30s", "2m", 45, 1.5], [0, "8d", "soon", True]),
    "metric_period_seconds": ([60, 1, "300", 120.0], [7, -60]),
    "rollback_wait_seconds": (["30m", 1800], ["0s", [1]]),
    "window": (["1h", "15m"], ["2h", 1, ""]),
    "audit_path": (["~/audit.jsonl", "/tmp/a.jsonl"], ["", 5, "a\0b"]),
    "theme": (TEXTS, [3]),
    "ascii": ([True, False, "true", "0"], ["yes", 1]),
    "read_only": ([True, False, "1", "false"], ["no", 0]),
    "read_only_profiles": ([["prod-*"], [], "a, b", "x"], [[1], ["a", 2]]),
    "production_profiles": ([["p"], "prod-*"], [[True]]),
    "keymap": (
        [{"quit": "ctrl+q"}, "quit=ctrl+q", '{"a": "b"}'],
        [{"quit": " "}, {"quit": 1}, "quit"],
    ),
    "verdict": ([{"alpha": 0.01}, {"min_requests": 50}], [{"alpha": 1.5}, {"x": 1}]),
    "ramp": ([{"steps": [10, 100]}, {"bake": "5m"}], [{"steps": [50, 10]}, {"bake": "0s"}, 5]),
    "capacity_warning_factor": ([1.0, 2, "1.5"], [0, 101]),
    "background_describe_rate": ([1, 0.5, "10"], [0, -1, 51, "fast"]),
    "not_a_setting": ([], [1]),
}
TARGET_KEYS = ["profile", "region", "endpoint_url", "audit_path", "team_table"]


def _value(key: str) -> st.SearchStrategy[Any]:
    good, bad = GOOD_AND_BAD.get(key, (TEXTS, []))
    # Mostly good values: a bad one anywhere makes both paths refuse, which tests little.
    return st.one_of(
        *[st.sampled_from(good)] * 3 if good else [], *[st.sampled_from(bad)] * bool(bad)
    )


def _text_of(value: Any) -> str:
    # What a variable would say for a file value: the text of it.
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


# The four settings quick_target returns come up more often than the others.
setting_names = st.sampled_from([*TARGET_KEYS * 3, *GOOD_AND_BAD])
files = st.none() | st.dictionaries(setting_names, st.none(), max_size=3).flatmap(
    lambda keys: st.fixed_dictionaries({key: _value(key) for key in keys})
)
variable_names = st.sampled_from(
    [
        *(f"CANARY_TUI_{key.upper()}" for key in [*TARGET_KEYS * 3, *GOOD_AND_BAD]),
        "canary_tui_profile",
        "CANARY_TUI_VERDICT__ALPHA",
        "CANARY_TUI_RAMP__BAKE",
    ]
)
variables = st.dictionaries(variable_names, st.none(), max_size=2).flatmap(
    lambda names: st.fixed_dictionaries(
        {
            name: _value(name.removeprefix("CANARY_TUI_").lower())
            .map(_text_of)
            .filter(lambda text: "\0" not in text)  # no variable holds one
            for name in names
        }
    )
)
flag_values = st.fixed_dictionaries(
    {},
    optional={
        "profile": st.none() | st.sampled_from(TEXTS),
        "region": st.none() | st.sampled_from(["eu-west-2", "bad region"]),
        "endpoint_url": st.none() | st.sampled_from(["http://localhost:1", "nope"]),
        "audit_path": st.none() | st.sampled_from(["/tmp/flag.jsonl", ""]),
        "window": st.sampled_from(["3h"]),
    },
)


@settings(max_examples=600, deadline=None)
@given(file=files, env=variables, flags=flag_values)
def test_the_quick_path_agrees_with_load_settings_or_defers(
    file: dict[str, Any] | None, env: dict[str, str], flags: dict[str, Any]
) -> None:
    with pytest.MonkeyPatch.context() as environment:
        for name in [name for name in os.environ if name.upper().startswith("CANARY_TUI_")]:
            environment.delenv(name)
        for name, value in env.items():
            environment.setenv(name, value)
        _write_file(file)
        quick = _quick(flags)
        if quick is not None:
            assert quick == _full(flags)


ONE_VALUE = [
    (key, value, is_bad)
    for key, (good, bad) in GOOD_AND_BAD.items()
    for values, is_bad in ((good, False), (bad, True))
    for value in values
]


@pytest.mark.parametrize(("key", "value", "bad"), ONE_VALUE)
@pytest.mark.parametrize("where", ["file", "env"])
def test_each_value_alone(
    environment: pytest.MonkeyPatch, key: str, value: Any, bad: bool, where: str
) -> None:
    if where == "file":
        _write_file({key: value})
    elif "\0" in _text_of(value):
        return  # no variable can hold it
    else:
        environment.setenv(f"CANARY_TUI_{key.upper()}", _text_of(value))
    quick, full = _quick({}), _full({})
    if bad and where == "file":  # as text in a variable, some are good (profile "3")
        assert full is None, "a bad example that the full load takes"
    if full is None:
        assert quick is None
    elif quick is not None:
        assert quick == full


@pytest.mark.parametrize(
    ("file", "env", "flags"),
    [
        (None, {}, {}),
        (None, {}, {"profile": None, "region": None, "endpoint_url": "http://127.0.0.1:1"}),
        ({"profile": "ops", "region": "eu-west-1"}, {}, {"audit_path": None}),
        (
            {
                "theme": "nord",
                "read_only_profiles": ["prod-*"],
                "keymap": {"quit": "ctrl+q"},
                "verdict": {"alpha": 0.01, "min_requests": 50},
                "ramp": {"steps": [10, 50, 100], "bake": "5m"},
                "window": "3h",
                "refresh_seconds": "30s",
            },
            {"CANARY_TUI_PROFILE": "ci", "CANARY_TUI_READ_ONLY": "true"},
            {"region": "us-west-2"},
        ),
        # Each layer over the one below: the variable over the file, the flag over both.
        ({"profile": "ops", "region": "eu-west-1"}, {"CANARY_TUI_PROFILE": "ci"}, {}),
        ({"region": "eu-west-1"}, {"CANARY_TUI_REGION": "eu-north-1"}, {"region": "us-west-2"}),
        ({"audit_path": "~/a.jsonl"}, {"CANARY_TUI_AUDIT_PATH": "/tmp/b"}, {"audit_path": "c"}),
        # A bad value that a higher layer replaces is not read, by either path.
        ({"region": "Frankfurt"}, {"CANARY_TUI_REGION": "eu-central-1"}, {}),
    ],
)
def test_the_usual_settings_take_the_quick_path(
    environment: pytest.MonkeyPatch,
    file: dict[str, Any] | None,
    env: dict[str, str],
    flags: dict[str, Any],
) -> None:
    for name, value in env.items():
        environment.setenv(name, value)
    _write_file(file)
    quick = _quick(flags)
    assert quick is not None
    assert quick == _full(flags)


@pytest.mark.parametrize(
    ("file", "env"),
    [
        ({"region": "Frankfurt"}, {}),  # a bad value: the full load says what is wrong
        ({"verdict": {"alpha": 2}}, {}),
        ({"regoin": "eu-west-1"}, {}),  # an unknown key
        ({"read_only_profiles": ["prod", 1]}, {}),  # not all text
        (None, {"CANARY_TUI_WINDOW": "2h"}),
        (None, {"CANARY_TUI_VERDICT__ALPHA": "0.01"}),  # nested: pydantic-settings decides
        (None, {"CANARY_TUI_CONFIG": "/nonexistent/canary.toml"}),  # the file's own error
    ],
)
def test_what_it_cannot_decide_goes_the_full_way(
    environment: pytest.MonkeyPatch, file: dict[str, Any] | None, env: dict[str, str]
) -> None:
    for name, value in env.items():
        environment.setenv(name, value)
    _write_file(file)
    assert quick_target() is None


def _before_validator(annotation: Any, metadata: list[Any]) -> Any:
    for arg in typing.get_args(annotation):  # Optional[Annotated[int, BeforeValidator]]
        metadata = [*metadata, *getattr(arg, "__metadata__", ())]
    (validator,) = [item for item in metadata if isinstance(item, BeforeValidator)]
    return validator.func


def test_every_setting_is_checked_with_the_parser_its_field_runs() -> None:
    assert list(CHECKS) == list(Settings.model_fields)
    tables = {"verdict": VERDICT_CHECKS, "ramp": RAMP_CHECKS}
    assert set(tables) == set(NESTED_MODELS)
    for name, checks in tables.items():
        fields = NESTED_MODELS[name].model_fields
        assert list(checks) == list(fields)
        for key, check in checks.items():
            field = fields[key]
            assert check is _before_validator(field.annotation, field.metadata), f"{name}.{key}"
    # The quick checks of the lists and the key map call these parsers, then check the type.
    wrapped = {
        "read_only_profiles": parsing.comma_list,
        "production_profiles": parsing.comma_list,
        "keymap": parsing.key_map,
    }
    for key, field in Settings.model_fields.items():
        if key in ("profile", "region", "endpoint_url", "team_table", "window", "theme", *tables):
            continue  # no parser before pydantic's type check
        expected = wrapped.get(key, CHECKS[key])
        assert expected is _before_validator(field.annotation, field.metadata), key

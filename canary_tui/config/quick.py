"""The settings a command needs to reach AWS, read without pydantic when that gives the
same answer.

``canary-tui status NAME`` needs four settings (profile, region, endpoint_url, audit_path),
yet loading them through :class:`~canary_tui.config.models.Settings` imports pydantic and
pydantic-settings: ~0.1 s, a third of the command. :func:`quick_target` reads the same file
(:func:`~canary_tui.config.files.read_config_file`) and the same ``CANARY_TUI_*`` variables,
takes the same precedence (flags > environment > file > defaults) and checks every value
that would win with the same parsers (:mod:`canary_tui.config.parsing`), so a bad value
anywhere in the settings still stops the command.

It decides only what it can decide for sure. Anything else (an unreadable file, an unknown
key, a nested or JSON variable, a value its checks refuse) makes it return None, and the
caller loads the settings the full way, which gives the values or the one-line error as
always. So the quick path never changes an answer: it gives the same values or defers.
``tests/unit/test_config_quick.py`` holds it to :func:`~canary_tui.config.load_settings`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from canary_tui.config import parsing
from canary_tui.config.files import (
    CONFIG_PATH_ENV,
    ENV_PREFIX,
    ConfigError,
    config_path,
    default_audit_path,
    read_config_file,
)
from canary_tui.config.quality import quality_metrics
from canary_tui.config.webhooks import webhooks


class _Defer(Exception):
    """Not for the quick path to decide: load the settings the full way."""


class TargetSettings:
    """The AWS target, audit log and team table settings, as :class:`Settings` would
    have them."""

    __slots__ = ("audit_path", "endpoint_url", "profile", "region", "team_table")

    def __init__(
        self,
        profile: str | None,
        region: str | None,
        endpoint_url: str | None,
        audit_path: Path | None,
        team_table: str | None = None,
    ) -> None:
        self.profile = profile
        self.region = region
        self.endpoint_url = endpoint_url
        self.audit_path = audit_path
        self.team_table = team_table

    @property
    def effective_audit_path(self) -> Path:
        return self.audit_path or default_audit_path()


def _text(value: object) -> str:
    # pydantic's str takes text only (a TOML number or boolean is an error there).
    if not isinstance(value, str):
        raise _Defer
    return value


def _texts(value: object) -> list[str]:
    items = parsing.comma_list(value)
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _Defer
    return items


def _window(value: object) -> str:
    if not isinstance(value, str) or value not in parsing.WINDOWS:
        raise _Defer
    return value


def _key_map(value: object) -> dict[str, str]:
    if isinstance(value, str) and value.strip().startswith("{"):
        raise _Defer  # JSON: pydantic's rules for what it decodes to
    pairs = parsing.key_map(value)
    if not isinstance(pairs, dict) or not all(
        isinstance(action, str) and isinstance(key, str) for action, key in pairs.items()
    ):
        raise _Defer
    return parsing.keys_given(pairs)


def _table(checks: Mapping[str, Callable[[object], object]]) -> Callable[[object], object]:
    def check(value: object) -> object:
        if not isinstance(value, dict) or not set(value) <= set(checks):
            raise _Defer
        return {key: checks[key](item) for key, item in value.items()}

    return check


#: The parser each nested setting runs before its type check, as in ``models``.
VERDICT_CHECKS: Mapping[str, Callable[[object], object]] = {
    "alpha": parsing.decimal_in(parsing.ALPHA),
    "min_requests": parsing.whole_in(parsing.MIN_REQUESTS),
    "min_periods": parsing.whole_in(parsing.MIN_PERIODS),
    "max_latency_ratio": parsing.decimal_in(parsing.LATENCY_RATIO),
    "max_error_rate_increase": parsing.decimal_in(parsing.PERCENTAGE_POINTS),
    "split_tolerance": parsing.decimal_in(parsing.PERCENTAGE_POINTS),
    "metrics": quality_metrics,
}
RAMP_CHECKS: Mapping[str, Callable[[object], object]] = {
    "steps": parsing.ramp_steps,
    "bake": parsing.parse_duration,
    "bake_requests": parsing.whole_in(parsing.BAKE_REQUESTS),
}
#: Every setting, what checks it, in ``Settings``' order. Each parser returns a value of the
#: field's type, or raises.
CHECKS: Mapping[str, Callable[[object], object]] = {
    "profile": _text,
    "region": lambda value: parsing.region_name(_text(value)),
    "endpoint_url": lambda value: parsing.http_url(_text(value)),
    "refresh_seconds": parsing.duration_seconds,
    "metric_period_seconds": parsing.metric_period,
    "rollback_wait_seconds": parsing.duration_seconds,
    "window": _window,
    "audit_path": parsing.path_text,
    "team_table": lambda value: parsing.team_table_name(_text(value)),
    "theme": _text,
    "ascii": parsing.strict_bool,
    "read_only": parsing.strict_bool,
    "read_only_profiles": _texts,
    "production_profiles": _texts,
    "keymap": _key_map,
    "verdict": _table(VERDICT_CHECKS),
    "ramp": _table(RAMP_CHECKS),
    "capacity_warning_factor": parsing.decimal_in(parsing.CAPACITY_FACTOR),
    "background_describe_rate": parsing.decimal_in(parsing.DESCRIBE_RATE),
    "webhooks": webhooks,
}
#: Settings the quick path reads from a variable: those whose variable is plain text to
#: pydantic-settings (the tables and the key map may be JSON or split over ``__`` names).
ENV_KEYS = frozenset(CHECKS) - {"verdict", "ramp", "keymap", "webhooks"}
#: Settings a command line may give the quick path.
FLAG_KEYS = frozenset({"profile", "region", "endpoint_url", "audit_path"})


def _environment() -> dict[str, str]:
    """The ``CANARY_TUI_*`` settings in the environment, by key."""
    values: dict[str, str] = {}
    for name, value in os.environ.items():
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or upper == CONFIG_PATH_ENV:
            continue
        key = upper[len(ENV_PREFIX) :].lower()
        # pydantic-settings matches names in any case; two spellings of one name, a nested
        # name or one that is not a setting are its to decide.
        if name != upper or key not in ENV_KEYS:
            raise _Defer
        values[key] = value
    return values


def _winning_values(flags: Mapping[str, Any]) -> dict[str, object]:
    try:
        file_values = read_config_file(config_path())
    except ConfigError:
        raise _Defer from None
    if not set(file_values) <= set(CHECKS):
        raise _Defer
    given = {key.replace("-", "_"): value for key, value in flags.items() if value is not None}
    if not set(given) <= FLAG_KEYS or not all(isinstance(v, str) for v in given.values()):
        raise _Defer
    return {**file_values, **_environment(), **given}


def quick_target(flags: Mapping[str, Any] | None = None) -> TargetSettings | None:
    """Profile, region, endpoint_url and audit_path as :func:`load_settings` would give
    them with ``flags`` (setting key -> value, None: not given), after checking every
    setting; None when the full load must decide (see the module's docstring)."""
    try:
        checked = {key: CHECKS[key](value) for key, value in _winning_values(flags or {}).items()}
    except Exception:
        # _Defer, a parser's ValueError, or anything else a parser raises: deferring is
        # always safe (the full load gives the same values, or the one-line error).
        return None
    audit_path = checked.get("audit_path")
    return TargetSettings(
        profile=_text_or_none(checked.get("profile")),
        region=_text_or_none(checked.get("region")),
        endpoint_url=_text_or_none(checked.get("endpoint_url")),
        audit_path=audit_path if isinstance(audit_path, Path) else None,
        team_table=_text_or_none(checked.get("team_table")),
    )


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None

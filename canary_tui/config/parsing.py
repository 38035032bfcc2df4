"""Parsing one setting's value, from the file (TOML types) or the environment (text).

Every number goes through :mod:`canary_tui.domain.numbers` (ASCII digits, finite, within
bounds). Booleans are strict: ``true``/``false`` (and ``1``/``0`` in a variable), never
``"yes"``. Each parser raises ValueError with one line; pydantic puts it under the key.

Plain functions without pydantic: :mod:`canary_tui.config.values` wraps them as pydantic
validators for :class:`~canary_tui.config.models.Settings`, and
:mod:`canary_tui.config.quick` calls the same functions on the path that reads the few
settings a command needs to reach AWS without importing pydantic.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from canary_tui.domain import numbers

WINDOWS: Mapping[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "3h": timedelta(hours=3),
    "12h": timedelta(hours=12),
}

# Bounds of the verdict thresholds (documented in each field's docstring).
ALPHA = numbers.Bounds(0, 1, low_inclusive=False, high_inclusive=False)
MIN_REQUESTS = numbers.Bounds(0, 1_000_000_000, integer=True)
MIN_PERIODS = numbers.Bounds(1, 100_000, integer=True)
LATENCY_RATIO = numbers.Bounds(1, 1000)
PERCENTAGE_POINTS = numbers.Bounds(0, 100, unit="percentage points")
CAPACITY_FACTOR = numbers.Bounds(0, 100, low_inclusive=False)
#: Background DescribeEndpoint calls per second (SageMaker throttles per account).
DESCRIBE_RATE = numbers.Bounds(0, 50, low_inclusive=False, unit="describes per second")
#: Requests on the canary a ramp step bakes until (the plan's own bounds, 0 to 10^12).
BAKE_REQUESTS = numbers.Bounds(0, 10**12, integer=True, unit="requests")


def _plain(parse: Callable[[], Any]) -> Any:
    # pydantic wants ValueError; NumberInputError is one, but say it without a field name:
    # the error formatting puts the key in front.
    try:
        return parse()
    except numbers.NumberInputError as error:
        raise ValueError(error.message) from None


def parse_duration(value: object) -> timedelta:
    """``"90s"``, ``"10m"``, ``"1h"``, ``"1h30m"``, or a number of seconds: 1 s to 7 days."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    seconds = _plain(lambda: numbers.parse_duration(value))
    return timedelta(seconds=seconds)


def format_duration(duration: timedelta) -> str:
    seconds = duration.total_seconds()
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def duration_seconds(value: object) -> object:
    if value is None:
        return None
    return round(parse_duration(value).total_seconds())


def metric_period(value: object) -> int:
    return int(_plain(lambda: numbers.parse_metric_period(value)))


# Cached: one function per bounds, so a test can check that a Settings field and the quick
# path's table use the very same parser.
@functools.cache
def decimal_in(bounds: numbers.Bounds) -> Callable[[object], float]:
    """The parser of a decimal setting within ``bounds``."""
    return lambda value: float(_plain(lambda: numbers.parse_decimal(value, bounds)))


@functools.cache
def whole_in(bounds: numbers.Bounds) -> Callable[[object], int]:
    """The parser of a whole-number setting within ``bounds``."""
    return lambda value: int(_plain(lambda: numbers.parse_integer(value, bounds)))


def strict_bool(value: object) -> bool:
    """``true``/``false`` from the file; ``true``/``false``/``1``/``0`` from a variable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
    raise ValueError(f"must be true or false (got {numbers.shown(value)})")


def path_text(value: object) -> Path | None:
    """A file path given as text; ``~`` is expanded. A number is a mistake, not ``./5``."""
    if value is None or isinstance(value, Path):
        return value.expanduser() if isinstance(value, Path) else None
    if not isinstance(value, str):
        raise ValueError(f"must be a file path in quotes (got {numbers.shown(value)})")
    if not value.strip() or "\0" in value:
        raise ValueError(f"must be a file path (got {numbers.shown(value)})")
    return Path(value).expanduser()


def comma_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def ramp_steps(value: object) -> tuple[float, ...]:
    """``"10,25,50,100"`` (a variable) or ``[10, 25, 50, 100]`` (the file)."""
    # The ramp domain is only needed when steps are given: not on every command's path.
    from canary_tui.domain.ramp import STEP_PERCENT, RampPlanError, parse_steps, validate_steps

    try:
        if isinstance(value, str):
            return parse_steps(value)
        if isinstance(value, list | tuple):
            step = decimal_in(STEP_PERCENT)
            return validate_steps([step(item) for item in value])
    except RampPlanError as error:
        raise ValueError(error.message) from None
    raise ValueError(f"expected a list of traffic % like [10, 25, 50, 100] (got {value!r:.40})")


def key_map(value: object) -> object:
    # From the environment: "quit=ctrl+q,help=f1" (or JSON, for keys containing commas).
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                decoded: object = json.loads(text)
            except (json.JSONDecodeError, RecursionError) as error:
                message = error.msg if isinstance(error, json.JSONDecodeError) else "too deep"
                raise ValueError(f"not valid JSON: {message}") from None
            return decoded
        pairs: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            action, separator, key = item.partition("=")
            if not separator or not action.strip() or not key.strip():
                raise ValueError(f"expected ACTION=KEY pairs, got {numbers.shown(item)}")
            pairs[action.strip()] = key.strip()
        return pairs
    return value


def keys_given(keymap: dict[str, str]) -> dict[str, str]:
    for action, key in keymap.items():
        if not key.strip():
            raise ValueError(f"no key given for {action!r}")
    return keymap


def http_url(url: str | None) -> str | None:
    if url is not None and not re.match(r"^https?://[^\s/]+", url):
        raise ValueError(f"expected an http:// or https:// URL, got {url!r:.80}")
    return url


def region_name(region: str | None) -> str | None:
    if region is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", region):
        raise ValueError(f"not an AWS region name: {region!r:.80}")
    return region


def team_table_name(table: str | None) -> str | None:
    """A DynamoDB table name: 3 to 255 of letters, digits, ``_``, ``-`` and ``.``; empty
    text turns the team table off (``CANARY_TUI_TEAM_TABLE=`` overrides the file)."""
    if table is not None and not table.strip():
        return None
    if table is not None and not re.fullmatch(r"[A-Za-z0-9_.-]{3,255}", table):
        raise ValueError(f"not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .): {table!r:.80}")
    return table

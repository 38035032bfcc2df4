"""The settings' value types for pydantic: each is a parser of
:mod:`canary_tui.config.parsing` run before pydantic's own type check.

Every number goes through :mod:`canary_tui.domain.numbers` (ASCII digits, finite, within
bounds). Booleans are strict: ``true``/``false`` (and ``1``/``0`` in a variable), never
``"yes"``. Each parser raises ValueError with one line; pydantic puts it under the key.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_settings import NoDecode

from canary_tui.config.parsing import (
    ALPHA,
    CAPACITY_FACTOR,
    DESCRIBE_RATE,
    LATENCY_RATIO,
    MIN_PERIODS,
    MIN_REQUESTS,
    PERCENTAGE_POINTS,
    comma_list,
    decimal_in,
    duration_seconds,
    format_duration,
    key_map,
    metric_period,
    parse_duration,
    path_text,
    ramp_steps,
    strict_bool,
    whole_in,
)
from canary_tui.domain import numbers

__all__ = [
    "ALPHA",
    "CAPACITY_FACTOR",
    "DESCRIBE_RATE",
    "LATENCY_RATIO",
    "MIN_PERIODS",
    "MIN_REQUESTS",
    "PERCENTAGE_POINTS",
    "Duration",
    "KeyMap",
    "MetricPeriod",
    "PathText",
    "PatternList",
    "RampSteps",
    "Seconds",
    "StrictBool",
    "decimal",
    "format_duration",
    "parse_duration",
    "path_text",
    "ramp_steps",
    "strict_bool",
    "whole",
]


def decimal(bounds: numbers.Bounds) -> BeforeValidator:
    return BeforeValidator(decimal_in(bounds))


def whole(bounds: numbers.Bounds) -> BeforeValidator:
    return BeforeValidator(whole_in(bounds))


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Seconds = Annotated[int, BeforeValidator(duration_seconds)]
MetricPeriod = Annotated[int, BeforeValidator(metric_period)]
StrictBool = Annotated[bool, BeforeValidator(strict_bool)]
PathText = Annotated[Path | None, BeforeValidator(path_text)]
PatternList = Annotated[list[str], NoDecode, BeforeValidator(comma_list)]
KeyMap = Annotated[dict[str, str], NoDecode, BeforeValidator(key_map)]
RampSteps = Annotated[tuple[float, ...], NoDecode, BeforeValidator(ramp_steps)]

"""The one strict parser for every number a person gives: flags, the config file,
``CANARY_TUI_*`` variables and the console's editors.

Python's own ``int()`` and ``float()`` are too kind for input that ends up in an AWS call:
they take Unicode digits (``٣``, fullwidth ``\\uff11``), underscores (``1_000``), ``nan``,
``inf`` and ``1e400``, and ``int()`` of 5,000 digits raises an error of its own. Here a
number is ASCII digits with at most one ``.`` and an optional sign, at most
:data:`MAX_TEXT_LENGTH` characters, finite, and inside the documented bounds of its kind.
Anything else is a :class:`NumberInputError` whose message is one line naming the field,
the value (escaped and shortened) and the bounds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

#: Longer text is refused before any conversion (no number of ours needs more digits).
MAX_TEXT_LENGTH = 32
_SHOWN_LENGTH = 24
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
# One part of a duration: "90s", "1.5h". Parts may be separated by one space: "1h 30m".
_DURATION_PART = re.compile(r" ?([0-9]+(?:\.[0-9]+)?)([smhd])")
_NON_FINITE = ("nan", "inf", "infinity")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Only ASCII blanks around the text are forgiven: a no-break space is a character typed.
_BLANKS = " \t"


class Problem(StrEnum):
    """What is wrong, for a short mark next to an editor's field."""

    EMPTY = "empty"
    TOO_LONG = "too long"
    NOT_A_NUMBER = "not a number"
    NOT_FINITE = "not finite"
    NEGATIVE = "negative"
    OUT_OF_BOUNDS = "out of bounds"


class NumberInputError(ValueError):
    """A number that cannot be used. ``message`` is one line: field, value shown, bounds."""

    def __init__(
        self, message: str, field: str | None = None, problem: Problem = Problem.NOT_A_NUMBER
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Bounds:
    """The range of one kind of number; ``integer`` asks for a whole number."""

    low: float
    high: float
    integer: bool = False
    #: False: the bound itself is outside (alpha is strictly between 0 and 1).
    low_inclusive: bool = True
    high_inclusive: bool = True
    unit: str = ""

    def contains(self, value: float) -> bool:
        above = value >= self.low if self.low_inclusive else value > self.low
        below = value <= self.high if self.high_inclusive else value < self.high
        return above and below

    def describe(self) -> str:
        if self.unit == "duration":
            return f"from {format_bound_seconds(self.low)} to {format_bound_seconds(self.high)}"
        kind = "a whole number " if self.integer else ""
        low, high = _number_text(self.low), _number_text(self.high)
        unit = f" {self.unit}" if self.unit else ""
        if self.low_inclusive and self.high_inclusive:
            return f"{kind}between {low} and {high}{unit}"
        if self.high_inclusive:
            return f"{kind}above {low} and at most {high}{unit}"
        return f"{kind}strictly between {low} and {high}{unit}"


#: Traffic share in percent, as typed in ``25%`` or the editor's % mode.
PERCENT = Bounds(0, 100, unit="%")
#: Relative weight as typed (0.9/0.1 = 90/10 = 9/1): 100 is ample for any split a person
#: means; SageMaker itself only asks for >= 0.
WEIGHT = Bounds(0, 100)
#: Desired instance count of a variant. SageMaker's model allows 0 only for endpoints
#: that host inference components, which canary-tui does not manage; 1000 is far above any
#: account's default instance quota, so anything larger is a typo.
INSTANCE_COUNT = Bounds(1, 1000, integer=True, unit="instances")
MAX_DURATION_SECONDS = 7 * 86400
#: Every duration (refresh, bake, poll, verdict window, wait timeouts): 1 s to 7 days.
DURATION = Bounds(1, MAX_DURATION_SECONDS, unit="duration")
#: CloudWatch periods: 1, 5, 10 and 30 s (high-resolution metrics) or a multiple of 60 up
#: to one day.
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 30)
MAX_PERIOD_SECONDS = 86400


def _number_text(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def format_bound_seconds(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def shown(value: object) -> str:
    """The value as a message shows it: quoted, control characters escaped, shortened."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > _SHOWN_LENGTH:
        return repr(text[:_SHOWN_LENGTH]) + f"... ({len(text)} characters)"
    return repr(text)


def _fail(
    field: str | None, value: object, text: str, problem: Problem = Problem.NOT_A_NUMBER
) -> NumberInputError:
    label = f"{field}: " if field else ""
    return NumberInputError(f"{label}{text} (got {shown(value)})", field, problem)


def _clean_text(value: str, field: str | None, bounds: Bounds) -> str:
    text = value.strip(_BLANKS)
    what = "a duration" if bounds.unit == "duration" else "a number"
    if not text:
        raise NumberInputError(
            f"{field + ': ' if field else ''}enter {what} {bounds.describe()}",
            field,
            Problem.EMPTY,
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise _fail(
            field, value, f"too long; expected {what} {bounds.describe()}", Problem.TOO_LONG
        )
    return text


def _checked(number: float, value: object, bounds: Bounds, field: str | None) -> float:
    if not math.isfinite(number):
        raise _fail(
            field, value, f"not a finite number; must be {bounds.describe()}", Problem.NOT_FINITE
        )
    if number < 0 <= bounds.low:
        raise _fail(
            field, value, f"cannot be negative; must be {bounds.describe()}", Problem.NEGATIVE
        )
    if not bounds.contains(number):
        raise _fail(field, value, f"must be {bounds.describe()}", Problem.OUT_OF_BOUNDS)
    # "-0" is zero, not a negative weight that prints as "-0".
    return number + 0.0 if number else 0.0


def parse_decimal(value: object, bounds: Bounds, *, field: str | None = None) -> float:
    """A number from text (``12``, ``0.25``, ``.5``) or from a TOML int/float."""
    if isinstance(value, bool):
        raise _fail(field, value, f"expected a number {bounds.describe()}, not true/false")
    if isinstance(value, int):
        if abs(value) > 10**18:  # float() of a huge int raises OverflowError
            raise _fail(field, value, f"must be {bounds.describe()}", Problem.OUT_OF_BOUNDS)
        return _checked(float(value), value, bounds, field)
    if isinstance(value, float):
        return _checked(value, value, bounds, field)
    if not isinstance(value, str):
        raise _fail(field, value, f"expected a number {bounds.describe()}")
    text = _clean_text(value, field, bounds)
    if not _DECIMAL.fullmatch(text):
        if text.lstrip("+-").lower() in _NON_FINITE:
            raise _fail(
                field,
                value,
                f"not a finite number; must be {bounds.describe()}",
                Problem.NOT_FINITE,
            )
        raise _fail(
            field, value, f"not a number (ASCII digits, one '.'); must be {bounds.describe()}"
        )
    return _checked(float(text), value, bounds, field)


def parse_integer(value: object, bounds: Bounds, *, field: str | None = None) -> int:
    """A whole number from text (``3``) or from a TOML integer (a float like 2.0 too)."""
    if isinstance(value, bool):
        raise _fail(field, value, f"expected {bounds.describe()}, not true/false")
    if isinstance(value, float):
        if not value.is_integer():
            raise _fail(field, value, f"must be {bounds.describe()}", Problem.OUT_OF_BOUNDS)
        number = value
    elif isinstance(value, int):
        number = float(value) if abs(value) <= 10**18 else math.inf
    elif isinstance(value, str):
        text = _clean_text(value, field, bounds)
        if not _INTEGER.fullmatch(text):
            raise _fail(
                field, value, f"not a whole number (ASCII digits); must be {bounds.describe()}"
            )
        number = float(int(text))  # at most MAX_TEXT_LENGTH digits: no int() limit hit
    else:
        raise _fail(field, value, f"expected {bounds.describe()}")
    return int(_checked(number, value, bounds, field))


def parse_duration(value: object, bounds: Bounds = DURATION, *, field: str | None = None) -> float:
    """Seconds from ``90``, ``90s``, ``10m``, ``1.5h``, ``1h30m``, ``1h 30m``, ``1d`` or a
    TOML number of seconds, within ``bounds`` (default 1 s to 7 days)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(field, value, f"expected a duration like 90s, 10m or 1h, {bounds.describe()}")
    if not isinstance(value, str):
        return parse_decimal(value, bounds, field=field)
    text = _clean_text(value, field, bounds).lower()
    if _DECIMAL.fullmatch(text):
        return parse_decimal(text, bounds, field=field)
    seconds, position = 0.0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position or (position == 0 and match.group(0).startswith(" ")):
            break
        seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position != len(text) or position == 0:
        raise _fail(field, value, f"not a duration; use e.g. 90s, 10m, 1h30m, {bounds.describe()}")
    if not bounds.contains(seconds):
        raise _fail(field, value, f"must be {bounds.describe()}", Problem.OUT_OF_BOUNDS)
    return seconds


def parse_metric_period(value: object, *, field: str | None = None) -> int:
    """A CloudWatch period in whole seconds: 1, 5, 10, 30 or a multiple of 60 up to 1 day."""
    seconds = parse_duration(value, Bounds(1, MAX_PERIOD_SECONDS, unit="duration"), field=field)
    if seconds.is_integer() and (int(seconds) in HIGH_RESOLUTION_PERIODS or int(seconds) % 60 == 0):
        return int(seconds)
    raise _fail(
        field,
        value,
        "must be 1, 5, 10, 30 or a multiple of 60 seconds, up to 1d (CloudWatch periods)",
    )

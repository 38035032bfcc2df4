"""The strict number parser (domain/numbers.py), SageMaker names (domain/names.py), and the
ramp's bake deadline: unit cases from issue 12 and properties over any text."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canary_tui.domain import numbers
from canary_tui.domain.names import NameInputError, check_endpoint_name, is_valid_name
from canary_tui.domain.numbers import (
    DURATION,
    INSTANCE_COUNT,
    PERCENT,
    WEIGHT,
    Bounds,
    NumberInputError,
    parse_decimal,
    parse_duration,
    parse_integer,
    parse_metric_period,
)
from canary_tui.domain.ramp import RampPlan, RampPlanError, RampState, bake_deadline

REFUSED_TEXT = [
    "\u0663",  # Arabic-Indic three
    "\uff11",  # fullwidth one
    "1_0",
    "1_000",
    "1 0",
    "\u00a010",  # no-break space in front
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "1e3",
    "0x10",
    "",
    " ",
    ".",
    "abc",
    "9" * 5000,
    "1,5",
    "--1",
    "1.2.3",
]


@pytest.mark.parametrize("text", REFUSED_TEXT)
def test_text_python_would_take_or_choke_on_is_refused(text: str) -> None:
    for parse in (
        lambda: parse_decimal(text, WEIGHT, field="w"),
        lambda: parse_integer(text, INSTANCE_COUNT, field="n"),
        lambda: parse_duration(text, field="d"),
    ):
        with pytest.raises(NumberInputError) as raised:
            parse()
        assert "\n" not in raised.value.message and len(raised.value.message) < 200


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0.0),
        ("25", 25.0),
        (" 90 ", 90.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("100", 100.0),
        ("-0", 0.0),
        ("+3", 3.0),
    ],
)
def test_plain_decimals(text: str, value: float) -> None:
    assert parse_decimal(text, PERCENT) == value


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("-1", "cannot be negative"),
        ("100.5", "between 0 and 100 %"),
        (1e30, "between 0 and 100"),
        (9223372036854775807, "between 0 and 100"),
        (10**400, "between 0 and 100"),
        (math.nan, "not a finite number"),
        (True, "not true/false"),
        ([1], "expected a number"),
    ],
)
def test_out_of_bounds_names_field_value_and_bounds(value: object, needle: str) -> None:
    with pytest.raises(NumberInputError) as raised:
        parse_decimal(value, PERCENT, field="new-model")
    message = raised.value.message
    assert message.startswith("new-model: ") and needle in message and "(got " in message
    assert raised.value.field == "new-model"


def test_instance_counts() -> None:
    assert parse_integer("3", INSTANCE_COUNT) == 3
    assert parse_integer(2.0, INSTANCE_COUNT) == 2
    for bad in ("0", "1001", "99999999999999999999", "2.5", 2.5, "1_000"):
        with pytest.raises(NumberInputError):
            parse_integer(bad, INSTANCE_COUNT)


def test_a_long_value_is_shown_shortened_and_escaped() -> None:
    with pytest.raises(NumberInputError) as raised:
        parse_decimal("\x1b[31m" + "9" * 100, WEIGHT)
    assert "\x1b" not in raised.value.message and "\\x1b" in raised.value.message
    assert "(105 characters)" in raised.value.message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1", 1),
        ("90s", 90),
        ("10m", 600),
        ("1.5h", 5400),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("7d", 604800),
        ("1D", 86400),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "0.5",
        "8d",
        "604801",
        "1e30",
        "9223372036854775807",
        1e30,
        "1h  30m",
        "h",
        "10x",
        "1\u0663m",
    ],
)
def test_durations_are_1_second_to_7_days(value: object) -> None:
    with pytest.raises(NumberInputError):
        parse_duration(value, DURATION, field="ramp.bake")


@pytest.mark.parametrize(
    ("value", "period"), [(1, 1), ("5", 5), ("30s", 30), ("5m", 300), (86400, 86400)]
)
def test_cloudwatch_periods(value: object, period: int) -> None:
    assert parse_metric_period(value) == period


@pytest.mark.parametrize("value", [45, "90", 0, "1.5", 86460, "1e30", 9223372036854775807])
def test_bad_cloudwatch_periods(value: object) -> None:
    with pytest.raises(NumberInputError):
        parse_metric_period(value)


bounds_strategy = st.builds(
    lambda low, span, integer: Bounds(low, low + span, integer=integer),
    st.integers(0, 1000),
    st.integers(0, 10**6),
    st.booleans(),
)


@given(text=st.one_of(st.text(max_size=40), st.sampled_from(REFUSED_TEXT)), bounds=bounds_strategy)
def test_any_text_is_a_value_inside_the_bounds_or_a_number_input_error(
    text: str, bounds: Bounds
) -> None:
    for parse in (parse_decimal, parse_integer):
        try:
            value = parse(text, bounds, field="f")
        except NumberInputError as error:
            assert error.message and "\n" not in error.message
        else:
            assert math.isfinite(value) and bounds.low <= value <= bounds.high
            assert text.strip(" \t").lstrip("+-").replace(".", "").isascii()


@given(value=st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.booleans(), st.none()))
def test_any_value_is_a_duration_in_bounds_or_a_number_input_error(value: object) -> None:
    try:
        seconds = parse_duration(value, field="d")
    except NumberInputError as error:
        assert "\n" not in error.message
    else:
        assert 1 <= seconds <= numbers.MAX_DURATION_SECONDS
    try:
        period = parse_metric_period(value)
    except NumberInputError:
        pass
    else:
        assert period in (1, 5, 10, 30) or (period % 60 == 0 and 60 <= period <= 86400)


# -- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "existing-endpoint-name", "A1--b2", "x" * 63])
def test_valid_endpoint_names(name: str) -> None:
    assert check_endpoint_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "a?b", "a&b", "a/b", "-a", "a-", "x" * 64, "caf\u00e9", "a b", "a_b"]
)
def test_invalid_endpoint_names(name: str) -> None:
    assert not is_valid_name(name)
    with pytest.raises(NameInputError) as raised:
        check_endpoint_name(name)
    assert "\n" not in raised.value.message


# -- ramp bakes -----------------------------------------------------------------------------


def test_a_bake_longer_than_7_days_is_not_a_plan() -> None:
    with pytest.raises(RampPlanError, match="at most 7d"):
        RampPlan(endpoint="ep", canary="new-model", bake_seconds=1e12)


def test_a_deadline_past_year_9999_is_refused_when_the_ramp_starts() -> None:
    plan = RampPlan(endpoint="ep", canary="new-model", bake_seconds=86400)
    late = datetime(9999, 12, 31, 12, tzinfo=UTC)
    with pytest.raises(RampPlanError, match="past the year 9999"):
        RampState.start(plan, {"current-model": 0.9, "new-model": 0.1}, late)
    with pytest.raises(RampPlanError):
        bake_deadline(datetime(2026, 1, 1, tzinfo=UTC), 1e30)

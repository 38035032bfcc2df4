"""The weight editor's field logic without an app (ui/weight_fields.py): typed values are read
with the strict parser, arrows start from them, two variants take the complement, and no text
makes anything but a plan or a WeightInputError."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canary_tui.domain.weights import WeightInputError, WeightPlan
from canary_tui.ui import weight_fields
from tests.unit.test_weights import BRIEF, make_endpoint

THREE = make_endpoint(a=0.6, b=0.3, c=0.1)
texts = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789.%- e", max_size=8),
    st.sampled_from(["nan", "inf", "-1", "1e400", "\u0663", "1_0", "100", "0", "25%"]),
)


def test_typed_share_is_the_fields_own_number() -> None:
    assert weight_fields.typed_share(BRIEF, ["90", "25"], 1, percent_mode=True) == 25
    # Weight mode: the share the typed weights give it.
    assert weight_fields.typed_share(BRIEF, ["3", "1"], 1, percent_mode=False) == 25


@pytest.mark.parametrize("text", ["abc", "-1", "nan", ""])
def test_typed_share_of_an_unreadable_field_is_an_error(text: str) -> None:
    with pytest.raises(WeightInputError) as raised:
        weight_fields.typed_share(BRIEF, ["90", text], 1, percent_mode=True)
    assert raised.value.field == "new-model"


def test_plan_with_share_keeps_the_typed_proportions_of_the_others() -> None:
    plan = weight_fields.plan_with_share(THREE, ["20", "46", "20"], 1, 46, percent_mode=True)
    assert plan.share_after == pytest.approx({"a": 27.0, "b": 46.0, "c": 27.0})


def test_marks_name_the_problem() -> None:
    reading = weight_fields.read_fields(THREE, ["-1", "nan", "150"], percent_mode=True)
    assert reading.marks == {"a": "✗ negative", "b": "✗ NaN/inf", "c": "✗ > 100"}
    assert reading.first_error is not None and reading.first_error.startswith("a: ")


@pytest.mark.parametrize(
    ("text", "rest"),
    [("25", 75.0), ("25%", 75.0), ("0", 100.0), ("x", None), ("-1", None), ("101", None)],
)
def test_complement(text: str, rest: float | None) -> None:
    assert weight_fields.complement(text) == rest


@given(first=texts, second=texts, percent_mode=st.booleans())
def test_any_field_text_gives_a_plan_or_a_weight_input_error(
    first: str, second: str, percent_mode: bool
) -> None:
    try:
        plan = weight_fields.plan_from_fields(BRIEF, [first, second], percent_mode)
    except WeightInputError as error:
        assert error.message and "\n" not in error.message
    else:
        assert isinstance(plan, WeightPlan)
        assert all(math.isfinite(w) and w >= 0 for w in plan.after.values())
    try:
        share = weight_fields.typed_share(BRIEF, [first, second], 1, percent_mode)
    except WeightInputError:
        pass
    else:
        assert 0 <= share <= 100
    rest = weight_fields.complement(second)
    assert rest is None or 0 <= rest <= 100

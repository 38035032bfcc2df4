"""Weight plans: parsing, validation and before -> after, as properties and as examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canary_tui.domain.models import Endpoint, Variant, traffic_shares
from canary_tui.domain.weights import (
    WeightInputError,
    normalise,
    parse_assignments,
    parse_instance_count,
    parse_number,
    plan_all_to,
    plan_canary_share,
)


def make_endpoint(**weights: float) -> Endpoint:
    return Endpoint(
        name="ep",
        status="InService",
        variants=tuple(Variant(name, w, w, 1, 1) for name, w in weights.items()),
    )


BRIEF = make_endpoint(**{"current-model": 0.9, "new-model": 0.1})


@pytest.mark.parametrize(
    "spelling",
    [
        ["current-model=0.9", "new-model=0.1"],
        ["current-model=90", "new-model=10"],
        ["current-model=9", "new-model=1"],
        ["current-model=90%", "new-model=10%"],
    ],
)
def test_relative_weights_mean_the_same_split(spelling: list[str]) -> None:
    plan = parse_assignments(BRIEF, spelling)
    assert plan.share_after == pytest.approx({"current-model": 90.0, "new-model": 10.0})


def test_unlisted_variant_keeps_its_weight() -> None:
    plan = parse_assignments(BRIEF, ["new-model=0.9"])
    assert plan.share_after == pytest.approx({"current-model": 50.0, "new-model": 50.0})


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (["new-model=nan"], "finite"),
        (["new-model=inf"], "finite"),
        (["new-model=-1"], "negative"),
        (["current-model=0", "new-model=0"], "at least one variant"),
        (["ghost=1"], "unknown variant 'ghost'"),
        (["new-model=1", "new-model=2"], "more than once"),
        (["new-model=abc"], "not a number"),
        (["new-model"], "expected VARIANT=WEIGHT"),
        (["current-model=60%", "new-model=30%"], "add up to 90%"),
        (["new-model=10%"], "list every variant"),
        (["current-model=90%", "new-model=0.1"], "not both"),
        (["new-model=120%", "current-model=0%"], "between 0 and 100 %"),
        ([], "at least one"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(assignments: list[str], message: str) -> None:
    with pytest.raises(WeightInputError, match=message):
        parse_assignments(BRIEF, assignments)


def test_plan_is_normalised_and_api_request_is_exact() -> None:
    plan = parse_assignments(BRIEF, ["current-model=3", "new-model=1"])
    assert plan.api_request() == {
        "EndpointName": "ep",
        "DesiredWeightsAndCapacities": [
            {"VariantName": "current-model", "DesiredWeight": 0.75},
            {"VariantName": "new-model", "DesiredWeight": 0.25},
        ],
    }
    rows = {change.variant: change for change in plan.changes}
    assert rows["new-model"].share_before == pytest.approx(10.0)
    assert rows["new-model"].share_after == pytest.approx(25.0)
    assert not plan.is_noop


def test_promote_and_rollback_send_everything_to_one_variant() -> None:
    assert plan_all_to(BRIEF, "new-model").share_after == {"current-model": 0.0, "new-model": 100.0}
    assert plan_all_to(BRIEF, "current-model").share_after == {
        "current-model": 100.0,
        "new-model": 0.0,
    }


def test_canary_share_keeps_the_others_proportions() -> None:
    endpoint = make_endpoint(a=0.6, b=0.3, c=0.1)
    plan = plan_canary_share(endpoint, "c", 25)
    assert plan.share_after == pytest.approx({"a": 50.0, "b": 25.0, "c": 25.0})


def test_canary_share_from_zero_others_splits_evenly() -> None:
    endpoint = make_endpoint(a=0.0, b=0.0, c=1.0)
    assert plan_canary_share(endpoint, "c", 50).share_after == pytest.approx(
        {"a": 25.0, "b": 25.0, "c": 50.0}
    )


def test_instance_count_must_be_a_positive_whole_number() -> None:
    assert parse_instance_count(BRIEF, "new-model", " 3 ").count_after == 3
    for bad in ("0", "-1", "1.5", "x", ""):
        with pytest.raises(WeightInputError):
            parse_instance_count(BRIEF, "new-model", bad)


weights_strategy = st.dictionaries(
    st.text("abcdefgh-", min_size=1, max_size=8),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    min_size=1,
    max_size=6,
).filter(lambda weights: sum(weights.values()) > 1e-6)


@given(weights_strategy)
def test_normalised_weights_sum_to_one_and_keep_shares(weights: dict[str, float]) -> None:
    normalised = normalise(weights)
    assert math.isclose(sum(normalised.values()), 1.0, abs_tol=1e-5)
    assert all(value >= 0 for value in normalised.values())
    before, after = traffic_shares(weights), traffic_shares(normalised)
    for name in weights:
        assert after[name] == pytest.approx(before[name], abs=1e-3)


@given(weights_strategy)
def test_shares_sum_to_100(weights: dict[str, float]) -> None:
    assert sum(traffic_shares(weights).values()) == pytest.approx(100.0)


@given(st.text(max_size=20))
def test_parse_number_never_escapes_with_another_exception(text: str) -> None:
    try:
        parsed = parse_number(text)
    except WeightInputError as error:
        assert error.message and "\n" not in error.message
    else:
        assert math.isfinite(parsed.value) and parsed.value >= 0


@given(st.lists(st.text(max_size=15), max_size=4))
def test_parse_assignments_either_plans_validly_or_refuses(assignments: list[str]) -> None:
    try:
        plan = parse_assignments(BRIEF, assignments)
    except WeightInputError:
        return
    assert set(plan.after) == {"current-model", "new-model"}
    assert math.isclose(sum(plan.after.values()), 1.0, abs_tol=1e-5)

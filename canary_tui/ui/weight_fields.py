"""What the weight editor's fields say, as plain code (no Textual): each field's text read
with the strict number parser, the plan they describe, and where the arrows, presets and
the two-variant complement go from there.

The fields are never filtered or rewritten behind the person's back: a field that cannot be
read keeps its text and gets a short mark next to it (:attr:`FieldsReading.marks`); the
arrows and presets start from what is typed, not from the live weights.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from canary_tui.domain.models import Endpoint
from canary_tui.domain.numbers import Problem
from canary_tui.domain.weights import (
    WeightInputError,
    WeightPlan,
    parse_number,
    plan_canary_share,
    plan_from_shares,
    plan_from_weights,
)

#: The short mark shown in a field's preview column (11 cells wide).
PROBLEM_MARKS: Mapping[Problem | None, str] = {
    Problem.EMPTY: "✗ empty",
    Problem.TOO_LONG: "✗ too long",
    Problem.NOT_A_NUMBER: "✗ invalid",
    Problem.NOT_FINITE: "✗ NaN/inf",
    Problem.NEGATIVE: "✗ negative",
    Problem.OUT_OF_BOUNDS: "✗ > 100",
    None: "✗ invalid",
}


@dataclass(frozen=True, slots=True)
class FieldsReading:
    """Each field's number (None: unreadable) and, for the unreadable ones, why."""

    values: Mapping[str, float | None]
    #: Variant -> one-line message, for each field that cannot be read.
    errors: Mapping[str, str]
    marks: Mapping[str, str]

    @property
    def first_error(self) -> str | None:
        return next(iter(self.errors.values()), None)


def read_fields(endpoint: Endpoint, texts: Sequence[str], percent_mode: bool) -> FieldsReading:
    values: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    marks: dict[str, str] = {}
    for name, text in zip(endpoint.variant_names, texts, strict=True):
        try:
            values[name] = parse_number(text, field=name, percent=percent_mode).value
        except WeightInputError as error:
            values[name] = None
            errors[name] = error.message
            marks[name] = PROBLEM_MARKS.get(error.problem, PROBLEM_MARKS[None])
    return FieldsReading(values, errors, marks)


def plan_from_fields(endpoint: Endpoint, texts: Sequence[str], percent_mode: bool) -> WeightPlan:
    """The plan the fields describe, or a WeightInputError naming the first bad field."""
    reading = read_fields(endpoint, texts, percent_mode)
    for name, message in reading.errors.items():
        raise WeightInputError(message, name)
    numbers = {name: value for name, value in reading.values.items() if value is not None}
    if percent_mode:
        return plan_from_shares(endpoint, numbers)
    return plan_from_weights(endpoint, numbers)


def typed_share(endpoint: Endpoint, texts: Sequence[str], index: int, percent_mode: bool) -> float:
    """The traffic % the focused field stands for, from what is typed: in % mode its own
    number; in weight mode its weight over the typed total. WeightInputError when that
    cannot be read (the arrows then refuse rather than start from the live weights)."""
    reading = read_fields(endpoint, texts, percent_mode)
    name = endpoint.variant_names[index]
    if percent_mode:
        value = reading.values[name]
        if value is None:
            raise WeightInputError(reading.errors[name], name)
        return value
    if reading.errors:
        bad = next(iter(reading.errors))
        raise WeightInputError(reading.errors[bad], bad)
    total = sum(value or 0.0 for value in reading.values.values())
    if total <= 0:
        raise WeightInputError("at least one variant must receive traffic", name)
    return (reading.values[name] or 0.0) / total * 100.0


def plan_with_share(
    endpoint: Endpoint, texts: Sequence[str], index: int, share: float, percent_mode: bool
) -> WeightPlan:
    """The focused variant at ``share`` %; the others keep the proportions typed in their
    fields (the live ones for the others when a field among them cannot be read)."""
    name = endpoint.variant_names[index]
    reading = read_fields(endpoint, texts, percent_mode)
    others = [other for other in endpoint.variant_names if other != name]
    typed = {other: reading.values[other] for other in others}
    if all(value is not None for value in typed.values()):
        endpoint = dataclasses.replace(
            endpoint,
            variants=tuple(
                dataclasses.replace(variant, desired_weight=typed[variant.name] or 0.0)
                if variant.name in typed
                else variant
                for variant in endpoint.variants
            ),
        )
    return plan_canary_share(endpoint, name, share)


def complement(text: str) -> float | None:
    """With exactly two variants, the other field's share for this field's text (25 -> 75);
    None when the text is not a readable percentage (the other field is left alone)."""
    try:
        value = parse_number(text, percent=True).value
    except WeightInputError:
        return None
    return 100.0 - value

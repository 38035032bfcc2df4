"""Weight plans: parse what a person typed, validate it, and diff before -> after.

SageMaker variant weights are relative: 0.9/0.1, 90/10 and 9/1 route traffic the same way.
People, however, think in traffic percentages, so input may be either:

* weights: ``current-model=0.9`` (unlisted variants keep their current weight), or
* percentages: ``current-model=90%`` (then every variant must be listed and the shares
  must add up to 100, because a percentage that silently changes meaning is a surprise).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from canary_tui.domain.models import Endpoint, traffic_shares
from canary_tui.domain.numbers import (
    INSTANCE_COUNT,
    PERCENT,
    WEIGHT,
    NumberInputError,
    Problem,
    parse_decimal,
    parse_integer,
)

# Percentages typed by a person rarely add up to exactly 100.0 in binary floating point.
PERCENT_TOLERANCE = 0.01
# Weights are sent normalised to sum to 1 and rounded: readable in the console and the
# AWS CLI, and far finer than SageMaker's routing granularity.
WEIGHT_DECIMALS = 6


class WeightInputError(ValueError):
    """Input that cannot become a weight plan. The message is one line for a person."""

    def __init__(
        self, message: str, field: str | None = None, problem: Problem | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        # The variant the problem is about, so an editor can show it next to that field.
        self.field = field
        #: For a number that could not be read: what was wrong with it (a short mark).
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ParsedValue:
    value: float
    is_percent: bool


def parse_number(
    text: str, *, field: str | None = None, percent: bool | None = None
) -> ParsedValue:
    """Parse ``0.9``, ``90%`` or ``90 %`` with the strict number parser: ASCII digits,
    finite, 0..100 (a weight or a share), or a WeightInputError naming ``field``.

    ``percent``: None takes either; True or False says which the text must be (the
    editor's mode), so ``%`` typed in weight mode is refused, not silently dropped."""
    raw = text.strip(" \t")
    label = f"{field}: " if field else ""
    if not raw:
        raise WeightInputError(f"{label}enter a weight or a percentage", field, Problem.EMPTY)
    is_percent = raw.endswith("%")
    if percent is False and is_percent:
        raise WeightInputError(
            f"{label}this editor is in weight mode (ctrl+t for %)", field, Problem.NOT_A_NUMBER
        )
    number_text = raw[:-1].rstrip(" \t") if is_percent else raw
    bounds = PERCENT if is_percent or percent else WEIGHT
    try:
        value = parse_decimal(number_text, bounds, field=field)
    except NumberInputError as error:
        raise WeightInputError(error.message, field, error.problem) from None
    return ParsedValue(value=value, is_percent=is_percent)


def normalise(weights: Mapping[str, float]) -> dict[str, float]:
    """Scale weights to sum to 1, rounded; the largest absorbs the rounding remainder."""
    total = sum(weights.values())
    if total <= 0 or not math.isfinite(total):
        raise WeightInputError("at least one variant must receive traffic")
    scaled = {name: round(weight / total, WEIGHT_DECIMALS) for name, weight in weights.items()}
    largest = max(scaled, key=lambda name: scaled[name])
    scaled[largest] = round(scaled[largest] + (1.0 - sum(scaled.values())), WEIGHT_DECIMALS)
    return scaled


@dataclass(frozen=True, slots=True)
class WeightChange:
    """One variant's row in a before -> after preview."""

    variant: str
    weight_before: float
    weight_after: float
    share_before: float
    share_after: float

    @property
    def changed(self) -> bool:
        return abs(self.share_before - self.share_after) >= 1e-9


@dataclass(frozen=True, slots=True)
class WeightPlan:
    """A validated change of an endpoint's variant weights.

    ``before`` is what the person saw when confirming (desired weights of the described
    endpoint), ``after`` the complete new weight of every variant, normalised to sum to 1.
    """

    endpoint_name: str
    before: Mapping[str, float]
    after: Mapping[str, float]

    @property
    def share_before(self) -> dict[str, float]:
        return traffic_shares(self.before)

    @property
    def share_after(self) -> dict[str, float]:
        return traffic_shares(self.after)

    @property
    def changes(self) -> tuple[WeightChange, ...]:
        share_before, share_after = self.share_before, self.share_after
        return tuple(
            WeightChange(
                variant=name,
                weight_before=self.before[name],
                weight_after=self.after[name],
                share_before=share_before[name],
                share_after=share_after[name],
            )
            for name in self.before
        )

    @property
    def is_noop(self) -> bool:
        return not any(change.changed for change in self.changes)

    def api_request(self) -> dict[str, object]:
        """The exact UpdateEndpointWeightsAndCapacities parameters this plan sends."""
        return {
            "EndpointName": self.endpoint_name,
            "DesiredWeightsAndCapacities": [
                {"VariantName": name, "DesiredWeight": weight}
                for name, weight in self.after.items()
            ],
        }


def plan_from_weights(endpoint: Endpoint, new_weights: Mapping[str, float]) -> WeightPlan:
    """Validate a complete or partial mapping of new relative weights against an endpoint."""
    known = endpoint.variant_names
    for name, weight in new_weights.items():
        if name not in known:
            raise WeightInputError(
                f"unknown variant {name!r}; {endpoint.name} has {', '.join(known)}", name
            )
        if not math.isfinite(weight):
            raise WeightInputError(f"{name}: weight must be a finite number", name)
        if weight < 0:
            raise WeightInputError(f"{name}: weights cannot be negative", name)
    before = endpoint.desired_weights
    merged = {name: float(new_weights.get(name, before[name])) for name in known}
    if sum(merged.values()) <= 0:
        raise WeightInputError("at least one variant must receive traffic (all weights are zero)")
    return WeightPlan(endpoint_name=endpoint.name, before=before, after=normalise(merged))


def plan_from_shares(endpoint: Endpoint, shares: Mapping[str, float]) -> WeightPlan:
    """Validate traffic percentages: every variant listed, each 0..100, adding up to 100."""
    known = endpoint.variant_names
    for name in shares:
        if name not in known:
            raise WeightInputError(
                f"unknown variant {name!r}; {endpoint.name} has {', '.join(known)}", name
            )
    missing = [name for name in known if name not in shares]
    if missing:
        raise WeightInputError(
            f"with percentages, list every variant (missing: {', '.join(missing)})", missing[0]
        )
    for name, share in shares.items():
        if not math.isfinite(share) or share < 0 or share > 100:
            raise WeightInputError(f"{name}: a share must be between 0% and 100%", name)
    total = sum(shares.values())
    if abs(total - 100.0) > PERCENT_TOLERANCE:
        raise WeightInputError(f"percentages add up to {total:g}%, not 100%")
    return plan_from_weights(endpoint, shares)


def parse_assignment_values(assignments: Iterable[str]) -> dict[str, ParsedValue]:
    """``VARIANT=WEIGHT`` / ``VARIANT=PERCENT%`` arguments read without the endpoint, so the
    command line can refuse bad numbers before it calls AWS at all."""
    values: dict[str, ParsedValue] = {}
    for assignment in assignments:
        name, separator, value_text = assignment.partition("=")
        name = name.strip()
        if not separator or not name:
            raise WeightInputError(f"expected VARIANT=WEIGHT, got {assignment!r:.80}")
        if name in values:
            raise WeightInputError(f"variant {name!r} is given more than once", name)
        values[name] = parse_number(value_text, field=name)
    if not values:
        raise WeightInputError("give at least one VARIANT=WEIGHT")
    kinds = {parsed.is_percent for parsed in values.values()}
    if len(kinds) > 1:
        raise WeightInputError("use either weights or percentages, not both")
    return values


def parse_assignments(endpoint: Endpoint, assignments: Iterable[str]) -> WeightPlan:
    """Parse ``VARIANT=WEIGHT`` / ``VARIANT=PERCENT%`` arguments into a validated plan."""
    values = parse_assignment_values(assignments)
    if all(parsed.is_percent for parsed in values.values()):
        return plan_from_shares(endpoint, {name: p.value for name, p in values.items()})
    return plan_from_weights(endpoint, {name: p.value for name, p in values.items()})


def plan_all_to(endpoint: Endpoint, variant: str) -> WeightPlan:
    """Every request to one variant: promote it, or roll back to the baseline."""
    if variant not in endpoint.variant_names:
        raise WeightInputError(f"unknown variant {variant!r}", variant)
    return plan_from_weights(
        endpoint, {name: (1.0 if name == variant else 0.0) for name in endpoint.variant_names}
    )


def plan_canary_share(endpoint: Endpoint, canary: str, share_percent: float) -> WeightPlan:
    """Give ``canary`` exactly ``share_percent`` of traffic; the others keep their proportions.

    When every other variant is at zero weight, the rest goes to them equally.
    """
    if canary not in endpoint.variant_names:
        raise WeightInputError(f"unknown variant {canary!r}", canary)
    if not math.isfinite(share_percent) or not 0 <= share_percent <= 100:
        raise WeightInputError("a share must be between 0% and 100%", canary)
    others = {n: w for n, w in endpoint.desired_weights.items() if n != canary}
    other_total = sum(others.values())
    rest = 100.0 - share_percent
    if not others:
        if share_percent <= 0:
            raise WeightInputError("the only variant must receive traffic", canary)
        return plan_from_weights(endpoint, {canary: 1.0})
    if other_total > 0:
        shares = {n: rest * w / other_total for n, w in others.items()}
    else:
        shares = {n: rest / len(others) for n in others}
    shares[canary] = share_percent
    return plan_from_shares(endpoint, shares)


@dataclass(frozen=True, slots=True)
class CapacityPlan:
    """A change of one variant's desired instance count (same API as weights)."""

    endpoint_name: str
    variant: str
    count_before: int | None
    count_after: int

    def api_request(self) -> dict[str, object]:
        return {
            "EndpointName": self.endpoint_name,
            "DesiredWeightsAndCapacities": [
                {"VariantName": self.variant, "DesiredInstanceCount": self.count_after}
            ],
        }


def parse_count(text: str, variant: str) -> int:
    """A whole number of instances, 1..1000 (the strict number parser's INSTANCE_COUNT)."""
    try:
        return parse_integer(text, INSTANCE_COUNT, field=variant)
    except NumberInputError as error:
        raise WeightInputError(error.message, variant, error.problem) from None


def parse_instance_count(endpoint: Endpoint, variant: str, text: str) -> CapacityPlan:
    if variant not in endpoint.variant_names:
        raise WeightInputError(f"unknown variant {variant!r}", variant)
    count = parse_count(text, variant)
    return CapacityPlan(
        endpoint_name=endpoint.name,
        variant=variant,
        count_before=endpoint.variant(variant).desired_instance_count,
        count_after=count,
    )

"""Ramp plans: the steps, the bake time and the alarms of a ramp, and their validation.

A plan is what a person asks for (``canary-tui ramp``, the console's ramp form, settings); it
is checked here, before anything is sent, against itself and then against the endpoint's
live weights (:meth:`RampPlan.choose_baseline`). Refusals are :class:`RampPlanError`, one line
for a person. The bake-time arithmetic and its text are here too, as the plan defines them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from canary_tui.domain import numbers

DEFAULT_STEPS = (10.0, 25.0, 50.0, 100.0)
#: Extra bakes of one step while the verdict stays INCONCLUSIVE, before the ramp holds.
DEFAULT_MAX_EXTRA_BAKES = 2
# Shares within this many percentage points are the same step (weights are rounded floats).
SHARE_TOLERANCE = 0.05
#: A step is a canary traffic share above 0 and at most 100 %.
STEP_PERCENT = numbers.Bounds(0, 100, low_inclusive=False, unit="%")


#: A longer bake is a typo (and a deadline past year 9999 cannot even be represented).
MAX_BAKE_SECONDS = numbers.MAX_DURATION_SECONDS
#: Requests on the canary a step bakes until (0: the clock alone). 10^12 is far beyond any
#: endpoint's traffic in a week; more is a typo. (config.parsing.BAKE_REQUESTS is the same.)
BAKE_REQUESTS = numbers.Bounds(0, 10**12, integer=True, unit="requests")


class RampPlanError(ValueError):
    """A plan that cannot run. ``message`` is one line for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``10m``, ``1h30m``, ``1d`` -> seconds (1 s to 7 days), else
    RampPlanError; the strict number parser's durations."""
    try:
        return numbers.parse_duration(text)
    except numbers.NumberInputError as error:
        raise RampPlanError(error.message) from None


def parse_steps(text: str) -> tuple[float, ...]:
    """``10,25,50,100`` (``%`` optional) -> validated steps; empty text is an error."""
    steps = []
    for part in text.split(","):
        raw = part.strip(" \t").removesuffix("%").strip(" \t")
        if not raw:
            raise RampPlanError(f"empty step in {text!r}; use e.g. 10,25,50,100")
        try:
            steps.append(numbers.parse_decimal(raw, STEP_PERCENT, field="step"))
        except numbers.NumberInputError as error:
            raise RampPlanError(error.message) from None
    return validate_steps(steps)


def parse_bake_requests(text: str) -> int:
    """``2000`` -> 2000 (a whole number, 0 to 10^12, ASCII digits), else RampPlanError."""
    try:
        return int(numbers.parse_integer(text, BAKE_REQUESTS, field="bake requests"))
    except numbers.NumberInputError as error:
        raise RampPlanError(error.message) from None


def validate_steps(steps: Sequence[float]) -> tuple[float, ...]:
    if not steps:
        raise RampPlanError("a ramp needs at least one step")
    for step in steps:
        if not math.isfinite(step) or not 0 < step <= 100:
            raise RampPlanError(f"each step is a traffic % above 0 and at most 100 (got {step:g})")
    for before, after in itertools.pairwise(steps):
        if after <= before:
            raise RampPlanError(f"steps must increase ({before:g} then {after:g})")
    return tuple(float(step) for step in steps)


@dataclass(frozen=True, slots=True)
class RampPlan:
    endpoint: str
    canary: str
    steps: tuple[float, ...] = DEFAULT_STEPS
    bake_seconds: float = 600.0
    #: CloudWatch alarms that must stay OK; ALARM anywhere in a bake rolls back.
    alarm_names: tuple[str, ...] = ()
    max_extra_bakes: int = DEFAULT_MAX_EXTRA_BAKES
    #: A step's bake also waits for this many requests on the canary since the step (its
    #: first whole metric period); 0 bakes by the clock alone.
    bake_requests: int = 0

    def __post_init__(self) -> None:
        if not self.endpoint.strip():
            raise RampPlanError("give the endpoint to ramp")
        if not self.canary.strip():
            raise RampPlanError("give the canary variant to ramp (--canary)")
        validate_steps(self.steps)
        if not math.isfinite(self.bake_seconds) or not 0 < self.bake_seconds <= MAX_BAKE_SECONDS:
            raise RampPlanError(
                f"the bake time must be above 0 and at most "
                f"{numbers.format_bound_seconds(MAX_BAKE_SECONDS)}"
            )
        if any(not name.strip() for name in self.alarm_names):
            raise RampPlanError("an alarm name cannot be empty")
        if len(set(self.alarm_names)) != len(self.alarm_names):
            raise RampPlanError("an alarm is named more than once")
        if self.max_extra_bakes < 0:
            raise RampPlanError("max extra bakes cannot be negative")
        if isinstance(self.bake_requests, bool) or not isinstance(self.bake_requests, int):
            raise RampPlanError("bake requests must be a whole number")
        if not BAKE_REQUESTS.contains(self.bake_requests):
            raise RampPlanError(f"bake requests must be {BAKE_REQUESTS.describe()}")

    def choose_baseline(self, weights: Mapping[str, float]) -> str:
        """Check the plan against the endpoint's weights before the ramp; return the baseline:
        the variant other than the canary with the largest weight."""
        if self.canary not in weights:
            raise RampPlanError(
                f"{self.endpoint} has no variant {self.canary!r} (it has {', '.join(weights)})"
            )
        others = {name: weight for name, weight in weights.items() if name != self.canary}
        if not others:
            raise RampPlanError(
                f"{self.endpoint} has only {self.canary}; there is nothing to ramp from"
            )
        baseline = max(others, key=lambda name: others[name])
        total = sum(weights.values())
        canary_share = weights[self.canary] / total * 100.0 if total > 0 else 0.0
        if self.steps[-1] <= canary_share + SHARE_TOLERANCE:
            raise RampPlanError(
                f"{self.canary} already takes {canary_share:.1f}% of traffic; "
                f"the last step ({self.steps[-1]:g}%) would not move it forward"
            )
        if self.steps[0] < canary_share - SHARE_TOLERANCE:
            raise RampPlanError(
                f"{self.canary} already takes {canary_share:.1f}%; the first step "
                f"({self.steps[0]:g}%) would move traffic back; start at or above it"
            )
        return baseline

    def describe(self) -> str:
        alarms = f", alarms {', '.join(self.alarm_names)}" if self.alarm_names else ""
        steps = " -> ".join(f"{step:g}%" for step in self.steps)
        bake = self.bake_text
        return f"ramp {self.canary} on {self.endpoint}: {steps}, bake {bake} per step{alarms}"

    @property
    def bake_text(self) -> str:
        """``10m``, or ``1m and 2,000 requests`` when the bake also waits for requests."""
        bake = format_seconds(self.bake_seconds)
        if self.bake_requests:
            return f"{bake} and {self.bake_requests:,} requests"
        return bake

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "canary": self.canary,
            "steps": list(self.steps),
            "bake_seconds": self.bake_seconds,
            "alarm_names": list(self.alarm_names),
            "max_extra_bakes": self.max_extra_bakes,
            "bake_requests": self.bake_requests,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RampPlan:
        return cls(
            endpoint=str(data["endpoint"]),
            canary=str(data["canary"]),
            steps=tuple(float(step) for step in data["steps"]),
            bake_seconds=float(data["bake_seconds"]),
            alarm_names=tuple(str(name) for name in data.get("alarm_names", ())),
            max_extra_bakes=int(data.get("max_extra_bakes", DEFAULT_MAX_EXTRA_BAKES)),
            # Saved before request-count bakes existed: the clock alone, as then.
            bake_requests=int(data.get("bake_requests", 0)),
        )


def bake_deadline(now: datetime, seconds: float) -> datetime:
    """``now + seconds``, or RampPlanError when that is past what a datetime can hold."""
    try:
        return now + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        raise RampPlanError(
            f"a bake of {format_seconds(seconds)} from {now:%Y-%m-%d} ends past the year 9999"
        ) from None


def format_seconds(seconds: float) -> str:
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{secs}s" if secs or not text else "")


def expected_bake_seconds(
    plan: RampPlan, requests_per_minute: float | None, share: float
) -> float | None:
    """About how long a step at ``share`` % bakes when the endpoint serves
    ``requests_per_minute`` in all: the bake time, or longer when the canary's part of the
    traffic needs longer to reach ``bake_requests``. None when the rate is unknown (or 0)
    and requests are asked for; an estimate at the current traffic, never used to decide."""
    if not plan.bake_requests:
        return plan.bake_seconds
    if requests_per_minute is None or not math.isfinite(requests_per_minute):
        return None
    canary_per_second = requests_per_minute * share / 100.0 / 60.0
    if canary_per_second <= 0:
        return None
    return max(plan.bake_seconds, plan.bake_requests / canary_per_second)

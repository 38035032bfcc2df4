"""Capacity: how much traffic each instance of a variant carries now and after a change, and
what Application Auto Scaling allows (min..max) and may do behind a count set by hand.

Pure code. Numbers come from the last complete metric periods; when something is not known
(no metrics yet, no instance count, scaling limits not readable) it stays unknown (None) and
is shown as such: nothing here invents a number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from canary_tui.domain.metrics import Series
from canary_tui.domain.models import Endpoint
from canary_tui.domain.weights import CapacityPlan, WeightPlan, plan_canary_share

#: The default of the ``capacity_warning_factor`` setting: warn as soon as a variant would
#: carry more per instance than the busiest variant carries now. The busiest variant is the
#: one load we know the instances take; more than that is untested.
DEFAULT_WARNING_FACTOR = 1.0
#: How many complete periods the request rate is averaged over (5 minutes at 60 s).
RATE_PERIODS = 5
NO_VALUE = "\u2013"  # en dash, as the console shows "no value"
UNKNOWN = "?"
SCALING_UNREADABLE = "scaling limits not readable"


# -- Application Auto Scaling ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScalingLimits:
    """One variant's scalable target (sagemaker:variant:DesiredInstanceCount)."""

    min_capacity: int
    max_capacity: int
    #: Names of the scaling policies attached to the target.
    policies: tuple[str, ...] = ()
    #: Scale-in and scale-out both suspended: no policy will move the count.
    dynamic_suspended: bool = False

    def allows(self, count: int) -> bool:
        return self.min_capacity <= count <= self.max_capacity

    @property
    def text(self) -> str:
        return f"{self.min_capacity}-{self.max_capacity}"


@dataclass(frozen=True, slots=True)
class EndpointScaling:
    """What Application Auto Scaling says about one endpoint's variants.

    ``readable`` False (e.g. no ``application-autoscaling:Describe*`` permission): the limits
    are unknown, shown as ``?``, and changes go ahead with a warning.
    """

    endpoint: str
    limits: Mapping[str, ScalingLimits] = field(default_factory=dict)
    readable: bool = True
    #: Why the limits are unknown (one line), when not readable.
    reason: str | None = None

    @classmethod
    def unreadable(cls, endpoint: str, reason: str) -> EndpointScaling:
        return cls(endpoint, {}, readable=False, reason=reason)

    def for_variant(self, variant: str) -> ScalingLimits | None:
        return self.limits.get(variant)

    def limits_text(self, variant: str) -> str:
        """``1-4``; ``NO_VALUE`` when the variant has no scalable target; ``?`` when unknown."""
        if not self.readable:
            return UNKNOWN
        limits = self.limits.get(variant)
        return NO_VALUE if limits is None else limits.text


def limits_text(scaling: EndpointScaling | None, variant: str) -> str:
    """The variants pane's min-max cell: ``?`` until the limits have been read."""
    return UNKNOWN if scaling is None else scaling.limits_text(variant)


@dataclass(frozen=True, slots=True)
class CountCheck:
    """A hand-set instance count against the scaling limits: ``refusal`` (one line, nothing
    may be sent) or ``warnings`` (the change may go ahead)."""

    refusal: str | None = None
    warnings: tuple[str, ...] = ()


def check_instance_count(scaling: EndpointScaling | None, variant: str, count: int) -> CountCheck:
    if scaling is None:
        return CountCheck(
            warnings=(f"scaling limits not read yet; {count} is not checked against min..max",)
        )
    if not scaling.readable:
        # The reason already starts with "scaling limits not readable: ..." (the gateway's).
        reason = scaling.reason or SCALING_UNREADABLE
        return CountCheck(warnings=(f"{reason}; {count} is not checked against min..max",))
    limits = scaling.for_variant(variant)
    if limits is None:
        return CountCheck()
    if not limits.allows(count):
        return CountCheck(
            refusal=(
                f"{count} instance(s) is outside {variant}'s scaling limits "
                f"{limits.min_capacity}..{limits.max_capacity} (Application Auto Scaling "
                "would move it back): pick a count in range, or change the scalable target"
            )
        )
    if limits.policies and not limits.dynamic_suspended:
        names = ", ".join(limits.policies)
        return CountCheck(
            warnings=(
                f"scaling policy {names} on {variant} may override this count at its next "
                "scaling activity",
            )
        )
    return CountCheck()


# -- load per instance ---------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def recent_request_rates(
    invocations: Mapping[str, Series],
    now: datetime,
    period_seconds: int,
    periods: int = RATE_PERIODS,
) -> dict[str, float]:
    """Requests per minute per variant over the last ``periods`` complete periods.

    The period in progress is left out (it is partial). A complete period without a
    datapoint counts as zero requests, which is what CloudWatch's silence means for
    Invocations; the caller passes only series it has actually fetched.
    """
    if period_seconds <= 0 or periods <= 0:
        return {}
    epoch = int(_as_utc(now).timestamp())
    current_start = datetime.fromtimestamp(epoch - epoch % period_seconds, tz=UTC)
    first = current_start - timedelta(seconds=period_seconds * periods)
    minutes = period_seconds * periods / 60.0
    rates = {}
    for variant, series in invocations.items():
        total = math.fsum(
            value for moment, value in series.points if first <= _as_utc(moment) < current_start
        )
        rates[variant] = total / minutes
    return rates


@dataclass(frozen=True, slots=True)
class VariantLoad:
    variant: str
    share_before: float
    share_after: float
    instances_before: int | None
    instances_after: int | None
    #: Requests per minute per instance; None when not known.
    per_instance_before: float | None
    per_instance_after: float | None

    @property
    def text(self) -> str:
        """``120 → 480 req/min/inst``; ``NO_VALUE`` for what is not known."""
        return f"{rate_text(self.per_instance_before)} → {rate_text(self.per_instance_after)}"


@dataclass(frozen=True, slots=True)
class LoadForecast:
    variants: tuple[VariantLoad, ...]
    #: The most any variant carries per instance now (None: not known).
    busiest_now: float | None
    warnings: tuple[str, ...] = ()

    def for_variant(self, variant: str) -> VariantLoad | None:
        for load in self.variants:
            if load.variant == variant:
                return load
        return None


def rate_text(rate: float | None) -> str:
    if rate is None or not math.isfinite(rate):
        return NO_VALUE
    if rate == 0:
        return "0"
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


def _per_instance(rate: float | None, instances: int | None) -> float | None:
    if rate is None or instances is None or instances <= 0:
        return None
    return rate / instances


def forecast_load(
    variants: Sequence[str],
    shares_before: Mapping[str, float],
    shares_after: Mapping[str, float],
    counts_before: Mapping[str, int | None],
    counts_after: Mapping[str, int | None],
    rates: Mapping[str, float] | None,
    factor: float = DEFAULT_WARNING_FACTOR,
) -> LoadForecast:
    """Per variant, requests/min per instance now (observed) and after, and a warning for
    each variant that would carry more per instance than ``factor`` times the busiest variant
    does now.

    *After* is the endpoint's observed total times the variant's new share (routing follows
    the weights; the observed split is the weights plus noise), except that a variant whose
    share the change leaves alone keeps its own observed rate: noise must not make it look
    busier (a capacity change, a ramp step equal to today's split).

    ``rates`` (req/min per variant, from :func:`recent_request_rates`) None or missing a
    variant: the rates are unknown and every number is None; no warning is guessed.
    """
    known = rates is not None and all(name in rates for name in variants)
    total = math.fsum(rates[name] for name in variants) if rates is not None and known else None
    loads = []
    for name in variants:
        rate = rates[name] if rates is not None and known else None
        before = _per_instance(rate, counts_before.get(name))
        share_before, share_after = shares_before.get(name, 0.0), shares_after.get(name, 0.0)
        after_rate: float | None = None
        if rate is not None and math.isclose(share_before, share_after, abs_tol=1e-6):
            after_rate = rate  # the change leaves this variant's traffic as it is
        elif total is not None:
            after_rate = total * share_after / 100.0
        loads.append(
            VariantLoad(
                variant=name,
                share_before=shares_before.get(name, 0.0),
                share_after=shares_after.get(name, 0.0),
                instances_before=counts_before.get(name),
                instances_after=counts_after.get(name),
                per_instance_before=before,
                per_instance_after=_per_instance(after_rate, counts_after.get(name)),
            )
        )
    known_now = [load.per_instance_before for load in loads if load.per_instance_before is not None]
    busiest = max(known_now) if known_now else None
    warnings = []
    if busiest is not None and busiest > 0:
        limit = busiest * factor
        for load in loads:
            after = load.per_instance_after
            if after is None or after <= limit:
                continue
            # A variant that carries no more than it does now is not made worse by the change.
            if load.per_instance_before is not None and after <= load.per_instance_before:
                continue
            warnings.append(
                f"{load.variant} would carry {rate_text(after)} req/min per instance on "
                f"{load.instances_after} instance(s), more than the busiest variant now "
                f"({rate_text(busiest)}{'' if factor == 1 else f' x {factor:g}'}): "
                "add instances first or take a smaller step"
            )
    return LoadForecast(tuple(loads), busiest, tuple(warnings))


def _counts_now(endpoint: Endpoint) -> dict[str, int | None]:
    """Instances running now: the current count, else (not reported) the desired one."""
    return {
        variant.name: (
            variant.current_instance_count
            if variant.current_instance_count is not None
            else variant.desired_instance_count
        )
        for variant in endpoint.variants
    }


def forecast_shares(
    endpoint: Endpoint,
    shares_after: Mapping[str, float],
    rates: Mapping[str, float] | None,
    factor: float = DEFAULT_WARNING_FACTOR,
    counts_after: Mapping[str, int | None] | None = None,
) -> LoadForecast:
    """:func:`forecast_load` for ``endpoint`` moving to ``shares_after`` (traffic %)."""
    counts_now = _counts_now(endpoint)
    after = dict(
        counts_after
        if counts_after is not None
        else {v.name: v.desired_instance_count for v in endpoint.variants}
    )
    return forecast_load(
        endpoint.variant_names,
        endpoint.current_traffic_shares,
        shares_after,
        counts_now,
        after,
        rates,
        factor,
    )


def forecast_plan(
    plan: WeightPlan | CapacityPlan,
    endpoint: Endpoint,
    rates: Mapping[str, float] | None,
    factor: float = DEFAULT_WARNING_FACTOR,
) -> LoadForecast:
    """The load per instance once ``plan`` is applied (a capacity plan keeps the split)."""
    if isinstance(plan, WeightPlan):
        return forecast_shares(endpoint, plan.share_after, rates, factor)
    counts_after = {v.name: v.desired_instance_count for v in endpoint.variants}
    counts_after[plan.variant] = plan.count_after
    return forecast_shares(endpoint, endpoint.desired_traffic_shares, rates, factor, counts_after)


def plan_warnings(
    plan: WeightPlan | CapacityPlan,
    forecast: LoadForecast,
    scaling: EndpointScaling | None,
) -> tuple[str, ...]:
    """Every warning for a plan: load per instance, then the scaling limits."""
    warnings = list(forecast.warnings)
    if isinstance(plan, CapacityPlan):
        warnings += check_instance_count(scaling, plan.variant, plan.count_after).warnings
    elif scaling is not None and not scaling.readable:
        warnings.append(scaling.reason or SCALING_UNREADABLE)
    return tuple(warnings)


def capacity_refusal(
    plan: WeightPlan | CapacityPlan, scaling: EndpointScaling | None
) -> str | None:
    """Why ``plan`` must not be sent (a count outside min..max), else None."""
    if not isinstance(plan, CapacityPlan):
        return None
    return check_instance_count(scaling, plan.variant, plan.count_after).refusal


def load_lines(forecast: LoadForecast) -> list[str]:
    """``req/min per instance now → after: a 450 → 0, b 100 → 1,000`` as one line."""
    if not forecast.variants:
        return []
    parts = ", ".join(f"{load.variant} {load.text}" for load in forecast.variants)
    return [f"req/min per instance, now → after: {parts}"]


def ramp_forecasts(
    endpoint: Endpoint,
    canary: str,
    steps: Sequence[float],
    rates: Mapping[str, float] | None,
    factor: float = DEFAULT_WARNING_FACTOR,
) -> list[LoadForecast]:
    """One forecast per ramp step (the canary at ``step`` %, the rest split as the ramp
    does), at today's instance counts: a ramp never changes counts."""
    forecasts = []
    for step in steps:
        shares = plan_canary_share(endpoint, canary, step).share_after
        forecasts.append(forecast_shares(endpoint, shares, rates, factor))
    return forecasts

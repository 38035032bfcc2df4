"""What the CLI shows about capacity before a change: requests/min per instance now -> after
(from the last complete periods of Invocations), the scaling limits, and the warnings.

Reads are best effort: metrics or scaling limits that cannot be read leave those numbers
unknown (and say so); they never block a change. A count outside min..max does (exit 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from canary_tui.aws.backend import Backend
from canary_tui.aws.errors import AwsError
from canary_tui.cli.common import settings_from_flags, target_flags
from canary_tui.cli.output import format_count, format_table
from canary_tui.domain.capacity import (
    NO_VALUE,
    RATE_PERIODS,
    SCALING_UNREADABLE,
    EndpointScaling,
    LoadForecast,
    forecast_plan,
    forecast_shares,
    limits_text,
    plan_warnings,
    ramp_forecasts,
    rate_text,
    recent_request_rates,
)
from canary_tui.domain.metrics import VariantRef
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import RampPlan
from canary_tui.domain.weights import CapacityPlan, WeightPlan


@dataclass(frozen=True, slots=True)
class CapacityContext:
    scaling: EndpointScaling
    #: Requests/min per variant over the last complete periods; None: not known.
    rates: Mapping[str, float] | None
    #: Why the rates are not known (one line), when they are not.
    rates_note: str | None
    factor: float


def read_rates(
    backend: Backend, endpoint: Endpoint, period_seconds: int, now: datetime
) -> tuple[dict[str, float] | None, str | None]:
    """Invocations of every variant over the last complete periods (one GetMetricData)."""
    if not endpoint.variants:
        return None, None
    refs = [VariantRef(endpoint.name, name) for name in endpoint.variant_names]
    end = now + timedelta(seconds=period_seconds)
    start = now - timedelta(seconds=period_seconds * (RATE_PERIODS + 1))
    try:
        series = backend.cloudwatch.invocations(refs, start, end, period_seconds)
    except AwsError as error:
        return None, f"requests per instance unknown: {error.message}"
    invocations = {ref.variant: points for ref, points in series.items()}
    return recent_request_rates(invocations, now, period_seconds), None


def read_capacity(
    backend: Backend, endpoint: Endpoint, args: argparse.Namespace, now: datetime | None = None
) -> CapacityContext:
    settings = settings_from_flags(target_flags(args))
    rates, note = read_rates(
        backend, endpoint, settings.metric_period_seconds, now or datetime.now(UTC)
    )
    scaling = backend.autoscaling.endpoint_scaling(endpoint.name, endpoint.variant_names)
    return CapacityContext(scaling, rates, note, settings.capacity_warning_factor)


def _plain(text: str) -> str:
    # The CLI writes "-" for "no value" (format_count does too); the console draws a dash.
    return "-" if text == NO_VALUE else text


def capacity_lines(
    context: CapacityContext, plan: WeightPlan | CapacityPlan, endpoint: Endpoint
) -> list[str]:
    """Per variant: instances, min-max, req/min per instance now and after; then warnings."""
    forecast: LoadForecast = forecast_plan(plan, endpoint, context.rates, context.factor)
    rows = []
    for load in forecast.variants:
        rows.append(
            [
                load.variant,
                f"{format_count(load.instances_before)} -> {format_count(load.instances_after)}",
                _plain(limits_text(context.scaling, load.variant)),
                _plain(rate_text(load.per_instance_before)),
                _plain(rate_text(load.per_instance_after)),
            ]
        )
    lines = [f"capacity (req/min per instance over the last {RATE_PERIODS} complete periods):"]
    lines += format_table(
        ["VARIANT", "INSTANCES", "MIN-MAX", "REQ/MIN/INST NOW", "AFTER"],
        rows,
        right_aligned={1, 2, 3, 4},
        shrinkable=(0,),
    )
    if context.rates_note:
        lines.append(f"note: {context.rates_note}")
    lines += [f"warning: {text}" for text in plan_warnings(plan, forecast, context.scaling)]
    return lines


def ramp_capacity_lines(context: CapacityContext, plan: RampPlan, endpoint: Endpoint) -> list[str]:
    """Per step, req/min per instance of every variant (today's counts), then the first
    warning of each step that has one."""
    forecasts = ramp_forecasts(endpoint, plan.canary, plan.steps, context.rates, context.factor)
    now = forecast_shares(endpoint, endpoint.current_traffic_shares, context.rates)
    names = endpoint.variant_names
    rows = [["now", *(_plain(rate_text(load.per_instance_before)) for load in now.variants)]]
    for index, forecast in enumerate(forecasts, start=1):
        rows.append(
            [
                f"step {index}",
                *(_plain(rate_text(load.per_instance_after)) for load in forecast.variants),
            ]
        )
    counts = ", ".join(
        f"{name} x{format_count(count)}"
        for name, count in zip(names, _counts(endpoint), strict=True)
    )
    lines = [f"req/min per instance ({counts}; last {RATE_PERIODS} complete periods):"]
    lines += format_table(["", *names], rows, right_aligned=set(range(1, len(names) + 1)))
    if context.rates_note:
        lines.append(f"note: {context.rates_note}")
    for index, (step, forecast) in enumerate(zip(plan.steps, forecasts, strict=True), start=1):
        if forecast.warnings:
            lines.append(f"warning: step {index} ({step:g}%): {forecast.warnings[0]}")
    if not context.scaling.readable:
        lines.append(f"warning: {context.scaling.reason or SCALING_UNREADABLE}")
    return lines


def _counts(endpoint: Endpoint) -> list[int | None]:
    return [
        variant.current_instance_count
        if variant.current_instance_count is not None
        else variant.desired_instance_count
        for variant in endpoint.variants
    ]

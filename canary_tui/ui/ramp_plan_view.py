"""The ramp plan as the plan dialog shows it: the fields read into a :class:`RampPlan`
(one line for a person when they do not make one), the table of every step's traffic split,
and key hints. Pure rendering helpers, no screen."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from canary_tui.domain.capacity import LoadForecast, rate_text
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import (
    DEFAULT_MAX_EXTRA_BAKES,
    RampPlan,
    RampPlanError,
    expected_bake_seconds,
    format_seconds,
    parse_bake_requests,
    parse_duration,
    parse_steps,
)
from canary_tui.domain.weights import WeightInputError, plan_canary_share
from canary_tui.ui.view import share_text


def parse_alarm_names(text: str) -> tuple[str, ...]:
    """``a, b`` -> ("a", "b"); blanks between commas are ignored, an empty field means none."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def build_plan(
    endpoint: Endpoint,
    canary: str,
    steps_text: str,
    bake_text: str,
    alarms_text: str,
    requests_text: str = "0",
    max_extra_bakes: int = DEFAULT_MAX_EXTRA_BAKES,
) -> tuple[RampPlan, str]:
    """The plan the fields describe and its baseline; RampPlanError with one line if not."""
    steps = parse_steps(steps_text)
    try:
        bake = parse_duration(bake_text)
    except RampPlanError as error:
        raise RampPlanError(f"bake: {error.message}") from None
    bake_requests = parse_bake_requests(requests_text)  # its message names the field
    plan = RampPlan(
        endpoint=endpoint.name,
        canary=canary,
        steps=steps,
        bake_seconds=bake,
        alarm_names=parse_alarm_names(alarms_text),
        max_extra_bakes=max_extra_bakes,
        bake_requests=bake_requests,
    )
    baseline = plan.choose_baseline(endpoint.desired_weights)
    for step in plan.steps:
        try:
            plan_canary_share(endpoint, canary, step)
        except WeightInputError as error:
            raise RampPlanError(f"step {step:g}%: {error.message}") from None
    return plan, baseline


def plan_table(
    endpoint: Endpoint,
    plan: RampPlan,
    baseline: str,
    forecasts: Sequence[LoadForecast] | None = None,
    requests_per_minute: float | None = None,
) -> Table:
    """Rows: now, each step, rollback; columns: each variant's traffic %. With
    ``forecasts`` (one per step), the canary's req/min per instance, ``!`` where it warns.
    A plan with ``bake_requests`` labels each step with its expected bake at
    ``requests_per_minute`` (the endpoint's now): ``bake ~8m``, or ``bake 1m+`` unknown."""
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column("")
    for name in endpoint.variant_names:
        marker = " (canary)" if name == plan.canary else ""
        table.add_column(f"{name}{marker}", justify="right")
    if forecasts is not None:
        table.add_column("canary req/min/inst", justify="right")
    now = endpoint.desired_traffic_shares
    now_load: tuple[str, ...] = ()
    if forecasts:
        load = forecasts[0].for_variant(plan.canary)
        now_load = (rate_text(load.per_instance_before if load else None),)
    table.add_row(
        "now", *(share_text(now[n]) for n in endpoint.variant_names), *now_load, style="dim"
    )
    for index, step in enumerate(plan.steps, start=1):
        shares = plan_canary_share(endpoint, plan.canary, step).share_after
        step_load: tuple[str, ...] = ()
        if forecasts is not None:
            forecast = forecasts[index - 1]
            load = forecast.for_variant(plan.canary)
            mark = "! " if forecast.warnings else ""
            step_load = (mark + rate_text(load.per_instance_after if load else None),)
        table.add_row(
            f"step {index}, bake {bake_label(plan, requests_per_minute, step)}",
            *(share_text(shares[n]) for n in endpoint.variant_names),
            *step_load,
        )
    table.add_row(
        "rollback",
        *(share_text(100.0 if n == baseline else 0.0) for n in endpoint.variant_names),
        *(("",) if forecasts is not None else ()),
        style="dim",
    )
    return table


def key_hints(pairs: Sequence[tuple[str, str]]) -> Text:
    text = Text()
    for key, what in pairs:
        text.append(key, "bold reverse")
        text.append(f" {what}   ")
    text.rstrip()
    return text


def bake_label(plan: RampPlan, requests_per_minute: float | None, share: float) -> str:
    """A step's bake in its table row: ``10m``; with a request count its expected length at
    today's traffic (``~8m``, whole minutes above one), or ``1m+`` when the rate is unknown."""
    if not plan.bake_requests:
        return format_seconds(plan.bake_seconds)
    seconds = expected_bake_seconds(plan, requests_per_minute, share)
    if seconds is None:
        return f"{format_seconds(plan.bake_seconds)}+"
    if seconds >= 60:
        seconds = round(seconds / 60) * 60
    return f"~{format_seconds(seconds)}"

"""What ``canary-tui ramp`` prints about a plan before it starts and about a saved ramp."""

from __future__ import annotations

from datetime import datetime

from canary_tui.cli.capacity import CapacityContext, ramp_capacity_lines
from canary_tui.cli.output import format_percent, format_table
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import RampPlan, RampState, format_seconds
from canary_tui.domain.ramp_forecast import bake_time_line, total_rate
from canary_tui.domain.ramp_requests import requests_count_text
from canary_tui.domain.weights import plan_canary_share


def plan_lines(
    plan: RampPlan, state: RampState, endpoint: Endpoint, capacity: CapacityContext | None = None
) -> list[str]:
    """The plan as a person checks it: every step's traffic split, the bake and the exits;
    with ``capacity``, each step's req/min per instance and its warnings."""
    rows = [["now", *(format_percent(s) for s in endpoint.desired_traffic_shares.values())]]
    for index, step in enumerate(plan.steps, start=1):
        shares = plan_canary_share(endpoint, plan.canary, step).share_after
        rows.append([f"step {index}", *(format_percent(shares[n]) for n in endpoint.variant_names)])
    rows.append(
        [
            "rollback",
            *(
                format_percent(100.0 if n == state.baseline else 0.0)
                for n in endpoint.variant_names
            ),
        ]
    )
    lines = [plan.describe(), f"baseline: {state.baseline} (rollback target)"]
    lines += format_table(["", *endpoint.variant_names], rows, right_aligned=set(range(1, 9)))
    if capacity is not None:
        lines += ramp_capacity_lines(capacity, plan, endpoint)
    bake_line = bake_time_line(plan, total_rate(capacity.rates if capacity else None))
    if bake_line is not None:
        lines.append(bake_line)
    lines.append(
        "each step: apply (guarded, audited) -> bake, watching alarms and the verdict -> "
        "advance on PASS, roll back on FAIL or ALARM, bake again then hold on INCONCLUSIVE"
    )
    return lines


def state_lines(state: RampState, now: datetime) -> list[str]:
    left = state.bake_left(now)
    lines = [
        f"ramp of {state.plan.canary} on {state.plan.endpoint}: {state.phase.value} at step "
        f"{state.step_index + 1}/{len(state.plan.steps)} ({state.step_share:g}%), "
        f"baseline {state.baseline}, started {state.started_at:%Y-%m-%d %H:%M} UTC"
    ]
    if left is not None:
        lines.append(f"  bake left: {format_seconds(left)}{_requests_so_far(state)}")
    if state.status_reason:
        lines.append(f"  why: {state.status_reason}")
    if state.last_verdict:
        lines.append(f"  last verdict: {state.last_verdict}: {state.last_verdict_reason}")
    return lines


def _requests_so_far(state: RampState) -> str:
    if not state.plan.bake_requests:
        return ""
    seen = requests_count_text(state.plan, state.step_requests, state.step_requests_complete)
    return f", requests {seen}"

"""How long a plan's steps are expected to bake at today's traffic, in one line.

With ``bake_requests`` a step bakes until the canary served that many requests *and* its bake
time passed; at the endpoint's current request rate and each step's canary share that is
:func:`~canary_tui.domain.ramp_plan.expected_bake_seconds`. An estimate for planning (traffic
changes), shown in the plan dialog and ``canary-tui ramp``'s plan; never used to decide.
"""

from __future__ import annotations

from collections.abc import Mapping

from canary_tui.domain.ramp_plan import RampPlan, expected_bake_seconds, format_seconds


def total_rate(rates: Mapping[str, float] | None) -> float | None:
    """The endpoint's requests/min from per-variant rates; None when not known."""
    if rates is None or not rates:
        return None
    return float(sum(rates.values()))


def bake_time_line(plan: RampPlan, requests_per_minute: float | None) -> str | None:
    """``time to 2,000 requests at 2,400 req/min now: step 1 ~8m20s, step 2 ~3m20s, ...``;
    None when the plan bakes by the clock alone."""
    if not plan.bake_requests:
        return None
    goal = f"time to {plan.bake_requests:,} requests on {plan.canary}"
    if requests_per_minute is None or requests_per_minute <= 0:
        return f"{goal}: not known (no request rate yet); each step bakes until they came"
    estimates = []
    for index, step in enumerate(plan.steps, start=1):
        seconds = expected_bake_seconds(plan, requests_per_minute, step)
        estimates.append(f"{index} ~{format_seconds(seconds) if seconds is not None else '?'}")
    return f"{goal} at {requests_per_minute:,.0f} req/min now, by step: " + ", ".join(estimates)

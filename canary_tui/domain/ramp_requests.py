"""The request count of a ramp step: has it reached the plan's ``bake_requests``, and the one
line a hold says when it has not.

The count is the canary's Invocations since the step's first whole metric period. A count
CloudWatch did not return whole is a lower bound: it passes the gate only when even the
bound reaches it, and an unknown count never does (unknown is not zero, nor enough).
"""

from __future__ import annotations

from datetime import datetime

from canary_tui.domain.ramp_plan import RampPlan, format_seconds

#: An extra bake waits for data the traffic would bring, but at most this long beyond
#: the plan's bake time: traffic that slow is for a person to look at (the ramp holds).
MAX_EXTRA_WAIT_SECONDS = 3600.0


def requests_reached(plan: RampPlan, seen: float | None) -> bool:
    needed = plan.bake_requests
    return needed == 0 or (seen is not None and seen >= needed)


def seen_text(seen: float | None, complete: bool) -> str:
    if seen is None:
        return "an unknown number (no metrics read yet)"
    if not complete:
        return f"at least {seen:,.0f} (CloudWatch data incomplete)"
    return f"{seen:,.0f}"


def requests_shortfall(
    plan: RampPlan, seen: float | None, complete: bool, since: datetime | None, now: datetime
) -> str:
    """``needs 2,000 requests on new-model, saw 340 in 30m``: both numbers, one line."""
    elapsed = format_seconds((now - (since or now)).total_seconds())
    return (
        f"needs {plan.bake_requests:,} requests on {plan.canary}, "
        f"saw {seen_text(seen, complete)} in {elapsed}"
    )


def requests_progress(plan: RampPlan, seen: float | None, complete: bool) -> str:
    """``2,340 of 2,000 requests`` for a history line; empty without a request gate."""
    if not plan.bake_requests or seen is None:
        return ""
    bound = "" if complete else "at least "
    return f"{bound}{seen:,.0f} of {plan.bake_requests:,} requests"


def extra_bake_seconds(
    plan: RampPlan,
    data_wait: float,
    seen: float | None,
    since: datetime | None,
    now: datetime,
) -> float:
    """How long a step bakes again: its bake time, or longer when the verdict's missing data
    (``data_wait``, its own estimate) or the missing requests at the rate seen so far need
    longer; never more than :data:`MAX_EXTRA_WAIT_SECONDS`, nor less than the bake time."""
    wait = data_wait
    elapsed = (now - since).total_seconds() if since is not None else 0.0
    if plan.bake_requests and seen and seen < plan.bake_requests and elapsed > 0:
        wait = max(wait, (plan.bake_requests - seen) / (seen / elapsed))
    return max(plan.bake_seconds, min(wait, MAX_EXTRA_WAIT_SECONDS))


def requests_count_text(plan: RampPlan, seen: float | None, complete: bool) -> str:
    """``340/2,000`` for a progress line: ``340+`` a lower bound, ``?`` not known yet."""
    count = "?" if seen is None else f"{seen:,.0f}{'' if complete else '+'}"
    return f"{count}/{plan.bake_requests:,}"

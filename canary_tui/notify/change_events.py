"""Change events (applied / failed / unknown) and ramp events (started, step passed, held,
rolled back, rollback failed), built from plain values. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from canary_tui.domain.ramp_events import Phase
from canary_tui.domain.ramp_state import RampState
from canary_tui.domain.verdict import Verdict
from canary_tui.notify.events import (
    Event,
    Reason,
    account_of,
    rounded_shares,
    shares_text,
    verdict_reasons,
)
from canary_tui.notify.targets import EventKind

_CHANGE_WORDS: Mapping[EventKind, str] = {
    EventKind.CHANGE_APPLIED: "change applied",
    EventKind.CHANGE_FAILED: "change failed",
    EventKind.CHANGE_UNKNOWN: "change outcome unknown",
}


@dataclass(frozen=True, slots=True)
class Where:
    """The AWS target an event happened on."""

    region: str | None = None
    profile: str | None = None
    caller_arn: str | None = None
    #: Looks the caller up later, on the sender's thread, when ``caller_arn`` is unknown.
    account_lookup: Callable[[], str | None] | None = None


def change_event(
    kind: EventKind,
    *,
    time: datetime,
    endpoint: str,
    where: Where,
    change_kind: str,
    weights_before: Mapping[str, float],
    weights_after: Mapping[str, float],
    why: str | None = None,
    source: str | None = None,
    change_id: str | None = None,
    reason: str | None = None,
    counts_before: Mapping[str, int | None] | None = None,
    counts_after: Mapping[str, int | None] | None = None,
) -> Event:
    """``weights_after``: the desired weights read back when known, else the plan's."""
    before, after = rounded_shares(weights_before), rounded_shares(weights_after)
    if change_kind == "capacity" and counts_before is not None and counts_after is not None:
        what = ", ".join(
            f"{name} x{counts_before.get(name)} -> x{count}"
            for name, count in counts_after.items()
            if counts_before.get(name) != count
        )
    else:
        what = f"{shares_text(before)} -> {shares_text(after)}"
    summary = f"{_CHANGE_WORDS[kind]} on {endpoint}: {what or 'no difference'}"
    if why and kind is not EventKind.CHANGE_APPLIED:
        summary += f" ({why})"
    reasons = (Reason(check="outcome", text=why),) if why else ()
    return Event(
        kind=kind,
        time=time,
        endpoint=endpoint,
        summary=summary,
        region=where.region,
        profile=where.profile,
        account=account_of(where.caller_arn),
        account_lookup=None if where.caller_arn else where.account_lookup,
        variants=tuple(dict.fromkeys([*weights_before, *weights_after])),
        shares_before=before,
        shares_after=after,
        reasons=reasons,
        details={
            "change_kind": change_kind,
            "source": source,
            "change_id": change_id,
            "caller": where.caller_arn,
            "operator_reason": reason,
        },
    )


# -- ramps ------------------------------------------------------------------------------


def _step_shares(state: RampState, share: float) -> dict[str, float]:
    """The split the ramp asks for at ``share`` %: the canary's, the rest on the baseline
    (the other variants keep their share of the ramp's starting weights)."""
    before = rounded_shares(state.weights_before)
    canary = state.plan.canary
    others = {name: value for name, value in before.items() if name not in (canary, state.baseline)}
    shares = {name: 0.0 for name in before}
    shares.update(others)
    shares[canary] = round(share, 1)
    shares[state.baseline] = round(max(0.0, 100.0 - share - sum(others.values())), 1)
    return shares


def ramp_transition(before: RampState | None, after: RampState) -> EventKind | None:
    """Which event, if any, going from ``before`` to ``after`` is (``before`` None: the
    runner just started driving ``after``)."""
    if before is None:
        fresh = len(after.history) == 1 and after.phase is Phase.APPLYING
        return EventKind.RAMP_STARTED if fresh else None
    if after.phase in (Phase.ROLLED_BACK, Phase.ABORTED) and before.phase is Phase.ROLLING_BACK:
        return EventKind.RAMP_ROLLED_BACK
    if after.rollback_attempts > before.rollback_attempts:
        return EventKind.RAMP_ROLLBACK_FAILED
    if after.phase is Phase.DONE and before.phase is not Phase.DONE:
        return EventKind.RAMP_STEP_PASSED
    if after.step_index > before.step_index:
        return EventKind.RAMP_STEP_PASSED
    held = after.phase is Phase.PAUSED and after.status_reason != "paused by the operator"
    if held and (before.phase is not Phase.PAUSED or before.status_reason != after.status_reason):
        return EventKind.RAMP_HELD
    rolling_back = after.phase is Phase.ROLLING_BACK and before.phase is not Phase.ROLLING_BACK
    if rolling_back and (after.status_reason or "").startswith("verdict FAIL"):
        return EventKind.VERDICT_FAILED
    return None


def ramp_event(
    kind: EventKind,
    before: RampState | None,
    after: RampState,
    *,
    time: datetime,
    where: Where,
    verdict: Verdict | None = None,
) -> Event:
    plan = after.plan
    steps = len(plan.steps)
    step = f"step {after.step_index + 1}/{steps} ({after.step_share:g}%)"
    last_message = after.history[-1].message if after.history else ""
    shares_before = rounded_shares(after.weights_before)
    shares_after = shares_before
    if kind is EventKind.RAMP_STARTED:
        shares_after = _step_shares(after, after.step_share)
        summary = f"ramp started on {plan.endpoint}: {plan.describe()}"
    elif kind is EventKind.RAMP_STEP_PASSED:
        passed = before.step_index if before is not None else after.step_index
        shares_before = _step_shares(after, plan.steps[passed])
        if after.phase is Phase.DONE:
            shares_after = shares_before
            summary = f"ramp done on {plan.endpoint}: {plan.canary} at {plan.steps[passed]:g}%"
        else:
            shares_after = _step_shares(after, after.step_share)
            summary = f"ramp step {passed + 1}/{steps} passed on {plan.endpoint}: {last_message}"
    elif kind is EventKind.RAMP_HELD:
        shares_before = shares_after = _step_shares(after, after.applied_share or 0.0)
        summary = f"ramp held on {plan.endpoint} at {step}: {after.status_reason}"
    elif kind is EventKind.RAMP_ROLLED_BACK:
        shares_before = _step_shares(after, after.step_share)
        shares_after = {name: 100.0 if name == after.baseline else 0.0 for name in shares_before}
        word = "aborted" if after.phase is Phase.ABORTED else "rolled back"
        summary = (
            f"ramp {word} on {plan.endpoint}: all traffic back on {after.baseline} "
            f"({after.status_reason})"
        )
    elif kind is EventKind.RAMP_ROLLBACK_FAILED:
        summary = (
            f"ramp ROLLBACK FAILED on {plan.endpoint}: {plan.canary} still receives traffic; "
            f"{last_message}"
        )
    else:  # the verdict that turned the ramp back
        summary = f"verdict FAIL on {plan.endpoint} at {step}: rolling back to {after.baseline}"
    reasons: tuple[Reason, ...] = ()
    if verdict is not None and verdict.outcome.value == "FAIL":
        reasons = verdict_reasons(verdict)
    if not reasons and after.status_reason and kind is not EventKind.RAMP_STARTED:
        reasons = (Reason(check="ramp", text=after.status_reason),)
    return Event(
        kind=kind,
        time=time,
        endpoint=plan.endpoint,
        summary=summary,
        region=where.region,
        profile=where.profile,
        account=account_of(where.caller_arn),
        account_lookup=None if where.caller_arn else where.account_lookup,
        variants=tuple(shares_before),
        shares_before=shares_before,
        shares_after=shares_after,
        reasons=reasons,
        details={
            "canary": plan.canary,
            "baseline": after.baseline,
            "step": after.step_index + 1,
            "steps": steps,
            "phase": after.phase.value,
            "ramp_started_at": after.started_at.isoformat(),
        },
    )

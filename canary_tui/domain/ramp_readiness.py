"""What the ramp plan dialog says about the canary before the first step: the verdict so far.

A ramp started on a canary that already FAILs would roll back at its first check, having sent
it more traffic first: the dialog warns. Otherwise it says what the data so far can detect (the
checks' power) and so roughly how long a step must bake to tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from canary_tui.domain.verdict import Verdict
from canary_tui.domain.verdict_thresholds import Outcome


@dataclass(frozen=True, slots=True)
class Readiness:
    #: Lines for the dialog; the first is the headline.
    lines: tuple[str, ...]
    #: The canary already FAILs: starting the ramp is probably a mistake.
    warning: bool = False


def ramp_readiness(verdict: Verdict | None, canary: str) -> Readiness:
    if verdict is None:
        return Readiness(("verdict so far: not computed yet",))
    try:
        judged = verdict.canary(canary)
    except KeyError:
        return Readiness((f"verdict so far: {canary} is not judged (no traffic yet)",))
    if judged.outcome is Outcome.FAIL:
        # Short: the dialog must fit 80x24; the verdict's detail (v) has the numbers.
        failed = ", ".join(c.name for c in judged.checks if c.outcome is Outcome.FAIL)
        return Readiness(
            (
                f"! {canary} already FAILs ({failed}): a ramp would send it more traffic, "
                "then roll back at the first check",
            ),
            warning=True,
        )
    lines = [f"verdict so far: {judged.outcome.value}"]
    # One power line at most (80x24): the first check that cannot yet see its limit.
    for check in judged.checks:
        power = check.numbers.get("power")
        waiting = isinstance(power, str) and "limit is detectable" not in power
        if waiting and check.name in ("errors_5xx", "latency"):
            lines.append(f"{check.name}: {power}")
            break
    return Readiness(tuple(lines))

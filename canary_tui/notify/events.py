"""What a notification says: one :class:`Event`, built by pure functions from what the
change path, the ramp runner and the verdict already know.

Every event carries where (account, region, profile, endpoint), the variants and their
traffic shares before and after, and why: for a verdict, each deciding check with both
sides' values, the test, the p-value (``< 1e-300``, never 0) and the effect.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from canary_tui.domain.models import traffic_shares
from canary_tui.domain.p_values import SMALLEST_P
from canary_tui.domain.verdict import CheckResult, Verdict
from canary_tui.domain.verdict_thresholds import Outcome
from canary_tui.notify.targets import EventKind

#: The test each built-in check runs, when its numbers do not name it.
_TESTS: Mapping[str, str] = {
    "errors_4xx": "Fisher's exact test (one-sided)",
    "errors_5xx": "Fisher's exact test (one-sided)",
    "errors_model": "Fisher's exact test (one-sided)",
    "latency": "Mann-Whitney U (one-sided) and the p99 ratio",
    "traffic_split": "chi-square goodness of fit",
}
#: Which pair of numbers shows each side's value, most telling first.
_VALUE_SUFFIXES = ("rate_pct", "ms", "value", "mean", "rate")


def p_value_text(p_value: float) -> str:
    """``< 1e-300`` for a p-value too small to print, else 3 significant digits; never 0."""
    return f"< {SMALLEST_P:.0e}" if p_value < SMALLEST_P else f"{p_value:.3g}"


@dataclass(frozen=True, slots=True)
class Reason:
    """One deciding check, as a person on call reads it."""

    check: str
    text: str
    variant: str | None = None
    canary_value: str | None = None
    baseline_value: str | None = None
    test: str | None = None
    p_value: float | None = None
    effect: str | None = None

    @property
    def p_text(self) -> str | None:
        return None if self.p_value is None else p_value_text(self.p_value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "variant": self.variant,
            "text": self.text,
            "canary": self.canary_value,
            "baseline": self.baseline_value,
            "test": self.test,
            # JSON has no 1e-320 worth trusting: the text is what a reader should quote.
            "p_value": None if self.p_value is None else max(self.p_value, 0.0),
            "p_value_text": self.p_text,
            "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    time: datetime
    endpoint: str
    #: One line: what happened ("change applied: new-model 10% -> 25%").
    summary: str
    region: str | None = None
    profile: str | None = None
    account: str | None = None
    variants: tuple[str, ...] = ()
    #: Traffic % per variant before and after (the change's, or the ramp step's).
    shares_before: Mapping[str, float] = field(default_factory=dict)
    shares_after: Mapping[str, float] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    #: Anything else worth a field: change id, source, result, evidence, ramp step...
    details: Mapping[str, str | int | float | bool | None] = field(default_factory=dict)
    #: Looks the account up when it was not known when the event was built; called on the
    #: sender's thread, never the caller's (an STS call must not delay a change).
    account_lookup: Callable[[], str | None] | None = field(default=None, compare=False, repr=False)

    def completed(self) -> Event:
        """The event with its account, looked up now if need be (blocking: sender only)."""
        if self.account is not None or self.account_lookup is None:
            return self
        try:
            account = self.account_lookup()
        except Exception:  # an unknown account is worth less than the notification
            account = None
        return replace(self, account=account, account_lookup=None)


def account_of(arn: str | None) -> str | None:
    """The account id in an ARN (``arn:aws:sts::123456789012:assumed-role/...``)."""
    if not arn:
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


def rounded_shares(weights: Mapping[str, float]) -> dict[str, float]:
    """Traffic % per variant, to 0.1, from weights (finite ones only)."""
    clean = {name: value for name, value in weights.items() if math.isfinite(value)}
    if not clean or sum(clean.values()) <= 0:
        return {name: 0.0 for name in clean}
    return {name: round(share, 1) for name, share in traffic_shares(clean).items()}


def shares_text(shares: Mapping[str, float]) -> str:
    return ", ".join(f"{name} {share:g}%" for name, share in shares.items()) or "(none)"


def _value(number: object) -> str | None:
    if number is None or isinstance(number, bool):
        return None
    return f"{number:g}" if isinstance(number, float) else str(number)


def _sides(numbers: Mapping[str, object]) -> tuple[str | None, str | None]:
    for suffix in _VALUE_SUFFIXES:
        canary, baseline = numbers.get(f"canary_{suffix}"), numbers.get(f"baseline_{suffix}")
        if canary is not None or baseline is not None:
            unit = {"rate_pct": "%", "ms": " ms"}.get(suffix, "")
            return _with_unit(_value(canary), unit), _with_unit(_value(baseline), unit)
    return None, None


def _with_unit(text: str | None, unit: str) -> str | None:
    return None if text is None else text + unit


def check_reason(check: CheckResult, variant: str | None = None) -> Reason:
    numbers = check.numbers
    canary, baseline = _sides(numbers)
    raw_p = numbers.get("p_value")
    is_number = isinstance(raw_p, int | float) and not isinstance(raw_p, bool)
    p_value = float(raw_p) if is_number and raw_p is not None else None
    test = numbers.get("test")
    return Reason(
        check=check.name,
        text=check.reason,
        variant=variant,
        canary_value=canary,
        baseline_value=baseline,
        test=str(test) if isinstance(test, str) else _TESTS.get(check.name),
        p_value=p_value,
        effect=check.effect.text() if check.effect is not None else None,
    )


def verdict_reasons(verdict: Verdict) -> tuple[Reason, ...]:
    """Every failed check of every failing canary (the FAIL's why)."""
    return tuple(
        check_reason(check, canary.variant)
        for canary in verdict.canaries
        if canary.outcome is Outcome.FAIL
        for check in canary.checks
        if check.outcome is Outcome.FAIL
    )


def turned_fail(previous: Outcome | str | None, current: Outcome | str | None) -> bool:
    """Only the transition counts: a verdict that was PASS or INCONCLUSIVE and is now FAIL.
    The first verdict seen (``previous`` None) is not a transition, so a console that opens
    on a failing canary does not page again for what happened before it looked."""
    if previous is None or current is None:
        return False
    return str(current) == Outcome.FAIL.value and str(previous) != Outcome.FAIL.value


def verdict_event(
    verdict: Verdict,
    *,
    time: datetime,
    shares: Mapping[str, float],
    region: str | None = None,
    profile: str | None = None,
    account: str | None = None,
    account_lookup: Callable[[], str | None] | None = None,
    variants: Sequence[str] = (),
) -> Event:
    return Event(
        kind=EventKind.VERDICT_FAILED,
        time=time,
        endpoint=verdict.endpoint,
        summary=f"verdict FAIL on {verdict.endpoint}: {verdict.reason}",
        region=region,
        profile=profile,
        account=account,
        account_lookup=account_lookup,
        variants=tuple(variants) or tuple(shares),
        shares_before=dict(shares),
        shares_after=dict(shares),
        reasons=verdict_reasons(verdict),
        details={"baseline": verdict.baseline, "window_seconds": verdict.window_seconds},
    )

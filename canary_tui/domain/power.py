"""Power: the smallest effect the data so far could detect, and how long until the limit could.

An INCONCLUSIVE check says "not significant"; that is not "no regression" unless the data could
have shown one. These are the standard normal-approximation sample-size formulas (J. L. Fleiss,
*Statistical Methods for Rates and Proportions*, 3rd ed., 4.2, without continuity correction;
for ranks the Mann-Whitney test's asymptotic relative efficiency of 3/pi against the t test,
Lehmann, *Nonparametrics*, 2.3): estimates for planning, labelled "about", never used to decide.

* :func:`rate_power`: two error rates (percentage points).
* :func:`ratio_power`: per-period latency values judged by a rank test (a ratio).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from canary_tui.domain.effects import normal_quantile

#: The power a "detectable" effect is detected with.
DEFAULT_POWER = 0.8
#: Mann-Whitney's efficiency relative to the t test under normal data.
RANK_EFFICIENCY = 3.0 / math.pi
#: Beyond this the answer is "not at this traffic" (a week, the longest bake).
LONGEST_WAIT_SECONDS = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Power:
    #: The smallest effect detectable now: pp for rates, a ratio (e.g. 1.35) for latency.
    detectable: float | None
    #: The limit the check uses, in the same unit.
    limit: float
    #: Seconds of more traffic at the current rate until the limit is detectable; 0 when it
    #: already is; None when it would take longer than a week (or there is no traffic).
    seconds_to_limit: float | None
    unit: str
    power: float = DEFAULT_POWER

    def text(self) -> str:
        from canary_tui.domain.verdict_checks import format_duration

        limit = self._value(self.limit)
        if self.detectable is None:
            now = "nothing is detectable yet (no traffic)"
        else:
            now = f"smallest detectable now about {self._value(self.detectable)}"
        now += f" ({self.power * 100:.0f}% power)"
        if self.seconds_to_limit is None:
            then = f"the {limit} limit: not within a week at the current traffic"
        elif self.seconds_to_limit <= 0:
            then = f"the {limit} limit is detectable"
        else:
            then = (
                f"the {limit} limit detectable in about "
                f"{format_duration(self.seconds_to_limit)} at the current traffic"
            )
        return f"{now}; {then}"

    def _value(self, value: float) -> str:
        return f"x{value:.2f}" if self.unit == "x" else f"+{value:.2f} {self.unit}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "detectable": None if self.detectable is None else round(self.detectable, 6),
            "limit": self.limit,
            "seconds_to_limit": None
            if self.seconds_to_limit is None
            else round(self.seconds_to_limit, 1),
            "unit": self.unit,
            "power": self.power,
            "text": self.text(),
        }


def _z_sum(alpha: float, power: float) -> float:
    return normal_quantile(1.0 - alpha) + normal_quantile(power)


def _wait(detectable_after: Callable[[float], float], limit: float) -> float | None:
    """Seconds until ``detectable_after(seconds) <= limit`` (it falls as traffic adds up)."""
    if detectable_after(0.0) <= limit:
        return 0.0
    if not detectable_after(LONGEST_WAIT_SECONDS) <= limit:
        return None
    low, high = 0.0, LONGEST_WAIT_SECONDS
    while high - low > 1.0:
        middle = (low + high) / 2.0
        if detectable_after(middle) <= limit:
            high = middle
        else:
            low = middle
    return high


def rate_power(
    canary_requests: float,
    baseline_requests: float,
    canary_errors: float,
    baseline_errors: float,
    *,
    canary_rate_per_second: float,
    baseline_rate_per_second: float,
    limit_pp: float,
    alpha: float,
    power: float = DEFAULT_POWER,
) -> Power:
    """The smallest error-rate increase (pp) a one-sided test at ``alpha`` detects with
    ``power`` (Fleiss 4.2, without continuity correction): the ``d`` with
    ``d = z_(1-alpha) sqrt(p q (1/n_c + 1/n_b)) + z_power sqrt((p + d)(q - d)/n_c + p q/n_b)``,
    ``p`` the baseline's rate (half an error added, so 0 errors still has a spread); and how
    long until the limit would be."""
    z_alpha, z_power = normal_quantile(1.0 - alpha), normal_quantile(power)
    rate = (baseline_errors + 0.5) / (baseline_requests + 1.0)

    def detectable_after(seconds: float) -> float:
        n_c = canary_requests + canary_rate_per_second * seconds
        n_b = baseline_requests + baseline_rate_per_second * seconds
        if n_c <= 0 or n_b <= 0:
            return math.inf
        null = z_alpha * math.sqrt(rate * (1.0 - rate) * (1.0 / n_c + 1.0 / n_b))

        def excess(d: float) -> float:
            shifted = min(rate + d, 1.0)
            spread = math.sqrt(shifted * (1.0 - shifted) / n_c + rate * (1.0 - rate) / n_b)
            return null + z_power * spread - d

        low, high = 0.0, 1.0 - rate
        if excess(high) > 0:
            return math.inf
        for _ in range(60):
            middle = (low + high) / 2.0
            low, high = (middle, high) if excess(middle) > 0 else (low, middle)
        return high * 100.0

    now = detectable_after(0.0)
    moving = canary_rate_per_second > 0 or math.isfinite(now)
    return Power(
        detectable=now if math.isfinite(now) else None,
        limit=limit_pp,
        seconds_to_limit=_wait(detectable_after, limit_pp) if moving else None,
        unit="pp",
        power=power,
    )


#: Above this math.exp overflows a double.
MAX_EXPONENT = 700.0


def ratio_power(
    canary_values: Sequence[float],
    baseline_values: Sequence[float],
    *,
    period_seconds: float,
    limit_ratio: float,
    alpha: float,
    power: float = DEFAULT_POWER,
) -> Power:
    """The smallest latency ratio a one-sided rank test on per-period values detects:
    ``exp((z_(1-alpha) + z_power) s sqrt(1/m + 1/n) / sqrt(3/pi))`` with ``s`` the pooled
    spread of the log values; one more period on each side every ``period_seconds``."""
    z = _z_sum(alpha, power)
    logs = [
        [math.log(value) for value in sample if value > 0]
        for sample in (canary_values, baseline_values)
    ]
    if any(len(sample) < 2 for sample in logs):
        spread = None
    else:
        spread = math.sqrt(
            (sum((len(s) - 1) * statistics.variance(s) for s in logs))
            / (len(logs[0]) + len(logs[1]) - 2)
        )
    m, n = len(logs[0]), len(logs[1])

    def detectable_after(seconds: float) -> float:
        more = seconds / period_seconds
        if spread is None or m + more < 2:
            return math.inf
        exponent = (
            z * spread * math.sqrt(1.0 / (m + more) + 1.0 / (n + more)) / math.sqrt(RANK_EFFICIENCY)
        )
        # Values spread over hundreds of orders of magnitude (1e-298 ms next to 20 ms) detect
        # nothing: no ratio, rather than OverflowError (found by hypothesis).
        return math.exp(exponent) if exponent < MAX_EXPONENT else math.inf

    now = detectable_after(0.0)
    return Power(
        detectable=now if math.isfinite(now) else None,
        limit=limit_ratio,
        seconds_to_limit=None if spread is None else _wait(detectable_after, limit_ratio),
        unit="x",
        power=power,
    )

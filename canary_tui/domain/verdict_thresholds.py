"""What a verdict can say, and the thresholds that decide it.

:class:`Outcome` is the answer of every check, of each canary and of the whole verdict;
:class:`VerdictThresholds` is what counts as enough data and as a regression that matters
(the settings file's ``[verdict]`` table). Both the checks
(:mod:`canary_tui.domain.verdict_checks`) and the assembled verdict are written against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from canary_tui.domain.quality import QualityMetric


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"
    #: A check whose data CloudWatch did not return whole (PartialData, InternalError,
    #: Forbidden): unknown, never zeros. It holds a PASS back and never causes a FAIL.
    NODATA = "NODATA"


@dataclass(frozen=True, slots=True)
class VerdictThresholds:
    """What counts as enough data and as a regression that matters."""

    #: Significance level of every one-sided test.
    alpha: float = 0.05
    #: Invocations needed on the baseline and on each canary before PASS is possible.
    min_requests: int = 1000
    #: Periods with traffic on the canary before PASS is possible (warm-up noise averages out).
    min_periods: int = 10
    #: FAIL when canary latency / baseline latency exceeds this (and the rank test agrees).
    max_latency_ratio: float = 1.2
    #: FAIL when the canary's error rate exceeds the baseline's by more than this, in
    #: percentage points (and the test agrees).
    max_error_rate_increase: float = 0.5
    #: FAIL when the canary's observed traffic share differs from its configured share by more
    #: than this, in percentage points (and the chi-square test agrees).
    split_tolerance: float = 2.0
    #: Quality metrics judged next to SageMaker's (``[[verdict.metrics]]``, issue 14).
    quality: tuple[QualityMetric, ...] = ()

    def problems(self) -> list[str]:
        """Every reason these thresholds make no sense, as lines for a person."""
        found = []
        if not 0 < self.alpha < 1:
            found.append(f"alpha must be between 0 and 1 (got {self.alpha})")
        if self.min_requests < 0:
            found.append("min_requests cannot be negative")
        if self.min_periods < 0:
            found.append("min_periods cannot be negative")
        if not self.max_latency_ratio >= 1:
            found.append("max_latency_ratio must be at least 1")
        if not self.max_error_rate_increase >= 0:
            found.append("max_error_rate_increase cannot be negative")
        if not self.split_tolerance >= 0:
            found.append("split_tolerance cannot be negative")
        return found

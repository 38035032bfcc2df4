"""The report's verdicts: the existing domain verdict over the whole window and over each
interval between changes, on metrics fetched once. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from canary_tui.domain.metrics import VariantMetrics, VariantRef
from canary_tui.domain.models import Endpoint
from canary_tui.domain.shadow_verdict import combined, judge_endpoint, judged, shadow_verdict
from canary_tui.domain.verdict import Verdict, VerdictThresholds, compute_verdict
from canary_tui.report.intervals import ChangeInterval, sliced


@dataclass(frozen=True, slots=True)
class IntervalVerdict:
    interval: ChangeInterval
    #: None when the interval holds no whole period (``why`` says so).
    verdict: Verdict | None
    why: str | None = None


def _with_traffic(endpoint: Endpoint, traffic: Mapping[str, float]) -> Endpoint:
    """The endpoint as it was: ``traffic`` as its weights (a variant not in it at 0)."""
    variants = tuple(
        replace(variant, current_weight=traffic.get(variant.name, 0.0))
        for variant in endpoint.variants
    )
    return replace(endpoint, variants=variants)


def judge_span(
    endpoint: Endpoint,
    metrics: Mapping[str, VariantMetrics],
    *,
    traffic: Mapping[str, float] | None,
    traffic_note: str,
    period_seconds: int,
    window_seconds: float,
    thresholds: VerdictThresholds,
    baseline: str | None,
) -> Verdict:
    """:func:`judge_endpoint` with ``traffic`` as the weights in force; with the split not
    known, every check but the traffic split (it is not judged against a guess), and
    ``traffic_note`` says why."""
    if traffic is not None:
        return judge_endpoint(
            _with_traffic(endpoint, traffic),
            metrics,
            period_seconds=period_seconds,
            window_seconds=window_seconds,
            thresholds=thresholds,
            baseline=baseline,
            weights_note=f"traffic split judged against {traffic_note}",
        )
    production = compute_verdict(
        endpoint.name,
        {name: metrics[name] for name in endpoint.variant_names if name in metrics},
        endpoint.current_weights,
        period_seconds=period_seconds,
        window_seconds=window_seconds,
        thresholds=thresholds,
        baseline=baseline,
        weights_note=traffic_note,
        judge_split=False,
    )
    if not endpoint.shadow_variants:
        return production
    shadow = shadow_verdict(
        endpoint,
        metrics,
        period_seconds=period_seconds,
        window_seconds=window_seconds,
        thresholds=thresholds,
        production=production.baseline,
    )
    return combined(production, shadow)


def _by_name(metrics: Mapping[VariantRef, VariantMetrics]) -> dict[str, VariantMetrics]:
    return {ref.variant: value for ref, value in metrics.items()}


def window_verdict(
    endpoint: Endpoint,
    metrics: Mapping[VariantRef, VariantMetrics],
    intervals: Sequence[ChangeInterval],
    *,
    window: tuple[datetime, datetime],
    period_seconds: int,
    thresholds: VerdictThresholds,
    baseline: str | None = None,
) -> Verdict | None:
    """Errors, latency, quality and data over the whole window. The traffic split too when
    it did not change in the window; when it did, each interval judges its own split (one
    split for the whole window would be a guess)."""
    if not judged(endpoint) or not intervals:
        return None
    only = intervals[0] if len(intervals) == 1 else None
    changes = len(intervals) - 1
    return judge_span(
        endpoint,
        _by_name(metrics),
        traffic=None if only is None else only.traffic,
        traffic_note=_unjudged_split(only)
        if only is not None
        else f"traffic split judged per interval below: the split changed {changes} "
        f"time{'s' * (changes != 1)} in the window",
        period_seconds=period_seconds,
        window_seconds=(window[1] - window[0]).total_seconds(),
        thresholds=thresholds,
        baseline=baseline,
    )


def _unjudged_split(interval: ChangeInterval) -> str:
    """The note for ``interval``: its split, or why the split is not judged there."""
    if interval.traffic is None:
        return f"traffic split not judged: the split in force is {interval.traffic_note}"
    return interval.traffic_note


def interval_verdicts(
    endpoint: Endpoint,
    metrics: Mapping[VariantRef, VariantMetrics],
    intervals: Sequence[ChangeInterval],
    *,
    period_seconds: int,
    thresholds: VerdictThresholds,
    baseline: str | None = None,
) -> list[IntervalVerdict]:
    """Each interval judged on its own whole periods."""
    found: list[IntervalVerdict] = []
    for interval in intervals:
        if not judged(endpoint):
            found.append(IntervalVerdict(interval, None, "nothing to judge: one variant"))
            continue
        if not interval.has_whole_period:
            found.append(
                IntervalVerdict(interval, None, "not judged: no whole period between the changes")
            )
            continue
        cut = sliced(metrics, interval.judged, period_seconds, thresholds.quality)
        verdict = judge_span(
            endpoint,
            _by_name(cut),
            traffic=interval.traffic,
            traffic_note=_unjudged_split(interval),
            period_seconds=period_seconds,
            window_seconds=(interval.judged_end - interval.judged_start).total_seconds(),
            thresholds=thresholds,
            baseline=baseline,
        )
        found.append(IntervalVerdict(interval, verdict))
    return found

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
    split_since: datetime | None = None,
) -> Verdict:
    """:func:`judge_endpoint` with ``traffic`` as the weights in force; with the split not
    known, every check but the traffic split (it is not judged against a guess)."""
    if traffic is not None:
        return judge_endpoint(
            _with_traffic(endpoint, traffic),
            metrics,
            period_seconds=period_seconds,
            window_seconds=window_seconds,
            thresholds=thresholds,
            baseline=baseline,
            weights_note=f"traffic split judged against {traffic_note}",
            split_since=split_since,
        )
    production = compute_verdict(
        endpoint.name,
        {name: metrics[name] for name in endpoint.variant_names if name in metrics},
        endpoint.current_weights,
        period_seconds=period_seconds,
        window_seconds=window_seconds,
        thresholds=thresholds,
        baseline=baseline,
        weights_note=f"traffic split not judged: the split in force is {traffic_note}",
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
    """Errors, latency and quality over the whole window; the traffic split from the last
    change on, against the split it left (as ``canary-tui verdict`` judges it)."""
    if not judged(endpoint) or not intervals:
        return None
    last = intervals[-1]
    return judge_span(
        endpoint,
        _by_name(metrics),
        traffic=last.traffic,
        traffic_note=last.traffic_note,
        period_seconds=period_seconds,
        window_seconds=(window[1] - window[0]).total_seconds(),
        thresholds=thresholds,
        baseline=baseline,
        split_since=last.judged_start if last.started_by is not None else None,
    )


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
            traffic_note=interval.traffic_note,
            period_seconds=period_seconds,
            window_seconds=(interval.judged_end - interval.judged_start).total_seconds(),
            thresholds=thresholds,
            baseline=baseline,
        )
        found.append(IntervalVerdict(interval, verdict))
    return found

"""The "shadow vs production" verdict of a shadow test (ShadowProductionVariants).

A shadow variant gets a sampled copy of the production variant's requests and its answers
reach no caller, so it is judged as a canary would be on latency, errors (4XX, 5XX, model
errors), data sufficiency and the configured quality metrics, by the same
:func:`canary_tui.domain.verdict.compute_verdict`, against the production variant, but with
no traffic-split check: the shadow has no share of the traffic to hold it to.

:func:`judge_endpoint` is what the console and ``canary-tui verdict`` call: the production
canaries' verdict as before (when the endpoint has two production variants or more), the
shadows' verdict when it has shadow variants, and both as one when it has both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from canary_tui.domain.metrics import VariantMetrics
from canary_tui.domain.models import Endpoint
from canary_tui.domain.verdict import Outcome, Verdict, VerdictThresholds, compute_verdict
from canary_tui.domain.window_latency import WindowLatency

_SEVERITY = (Outcome.FAIL, Outcome.INCONCLUSIVE, Outcome.PASS)


def metric_variant_names(endpoint: Endpoint) -> tuple[str, ...]:
    """The variants whose metrics are read: production, then the shadow variants."""
    return (*endpoint.variant_names, *(variant.name for variant in endpoint.shadow_variants))


def judged(endpoint: Endpoint) -> bool:
    """Something to judge: two production variants or more, or a shadow test."""
    return len(endpoint.variants) >= 2 or bool(endpoint.shadow_variants and endpoint.variants)


def canary_label(verdict: Verdict, variant: str) -> str:
    """The canary's name as a verdict shows it: a shadow variant says so."""
    return f"{variant} (shadow)" if variant in verdict.shadows else variant


def shadow_note(endpoint: Endpoint, production: str) -> str:
    copies = []
    for variant in endpoint.shadow_variants:
        sampling = endpoint.shadow_sampling_percent(variant.name)
        share = f"{sampling:.0f}% of " if sampling is not None else "some of "
        copies.append(f"{variant.name} gets a copy of {share}{production}'s requests")
    return (
        "shadow test: "
        + ", ".join(copies)
        + "; its answers reach no caller; judged on latency, errors and quality against "
        "production, with no traffic-split check"
    )


def shadow_verdict(
    endpoint: Endpoint,
    metrics: Mapping[str, VariantMetrics],
    *,
    period_seconds: int,
    window_seconds: float,
    thresholds: VerdictThresholds | None = None,
    production: str | None = None,
    window_latency: Mapping[str, WindowLatency] | None = None,
) -> Verdict:
    """Each shadow variant against ``production`` (default: the production variant with
    the most weight). ``metrics``: by variant name, the production one and every shadow."""
    if not endpoint.shadow_variants:
        raise ValueError(f"{endpoint.name} has no shadow variant")
    production = production or endpoint.dominant_variant
    if production is None:
        raise ValueError(f"{endpoint.name} has no production variant to compare its shadow with")
    shadows = tuple(variant.name for variant in endpoint.shadow_variants)
    judged = {name: metrics[name] for name in (production, *shadows) if name in metrics}
    verdict = compute_verdict(
        endpoint.name,
        judged,
        {production: 1.0},
        period_seconds=period_seconds,
        window_seconds=window_seconds,
        thresholds=thresholds,
        baseline=production,
        canaries=shadows,
        weights_note=shadow_note(endpoint, production),
        window_latency=window_latency,
        judge_split=False,
    )
    return replace(verdict, shadows=shadows)


def combined(production: Verdict, shadow: Verdict) -> Verdict:
    """One verdict over the production canaries and the shadows: the worse outcome."""
    canaries = (*production.canaries, *shadow.canaries)
    outcome = next(o for o in _SEVERITY if o in (production.outcome, shadow.outcome))
    reasons = [v.reason for v in (production, shadow) if v.outcome is outcome and v.canaries]
    return replace(
        production,
        outcome=outcome,
        reason="; ".join(reasons) or production.reason,
        canaries=canaries,
        notes=tuple(dict.fromkeys((*production.notes, *shadow.notes))),
        shadows=shadow.shadows,
    )


def judge_endpoint(
    endpoint: Endpoint,
    metrics: Mapping[str, VariantMetrics],
    *,
    period_seconds: int,
    window_seconds: float,
    thresholds: VerdictThresholds | None = None,
    baseline: str | None = None,
    weights_note: str = "traffic split judged against the current weights",
    split_since: datetime | None = None,
    window_latency: Mapping[str, WindowLatency] | None = None,
) -> Verdict:
    """The endpoint's verdict: its production canaries against the baseline (as
    :func:`compute_verdict`, on production variants' metrics only, so a shadow's copied
    requests never count in the split), and its shadow variants against production."""
    production_metrics = {n: metrics[n] for n in endpoint.variant_names if n in metrics}
    production: Verdict | None = None
    if len(endpoint.variants) >= 2 or not endpoint.shadow_variants:
        production = compute_verdict(
            endpoint.name,
            production_metrics,
            endpoint.current_weights,
            period_seconds=period_seconds,
            window_seconds=window_seconds,
            thresholds=thresholds,
            baseline=baseline,
            weights_note=weights_note,
            split_since=split_since,
            window_latency=window_latency,
        )
    if production is not None and not endpoint.shadow_variants:
        return production
    shadow = shadow_verdict(
        endpoint,
        metrics,
        period_seconds=period_seconds,
        window_seconds=window_seconds,
        thresholds=thresholds,
        production=baseline if production is None else production.baseline,
        window_latency=window_latency,
    )
    return shadow if production is None else combined(production, shadow)

"""What to ask AWS on each poll, and the metric cache that makes polls incremental.

Pure code (no Textual, no I/O) so the call budget is unit-tested without an app:
per steady-state refresh, the endpoint list (every page), describes of the selected,
updating and just-changed endpoints only, and one metrics fetch for the selected endpoint
that covers only the last few periods once the window is loaded. Other endpoints are
described by a separate, spread-out background loop.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from canary_tui.domain.capacity import recent_request_rates
from canary_tui.domain.kind_metrics import KindRef
from canary_tui.domain.metrics import (
    METRIC_SPECS,
    DataStatus,
    MetricKey,
    MetricsBatch,
    Series,
    VariantMetrics,
    VariantRef,
    aligned_window,
)
from canary_tui.domain.models import Endpoint, EndpointSummary

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("15m", timedelta(minutes=15)),
    ("1h", timedelta(hours=1)),
    ("3h", timedelta(hours=3)),
    ("12h", timedelta(hours=12)),
)
WINDOW_NAMES = tuple(name for name, _ in WINDOWS)
# Re-fetching the last few periods catches late datapoints (CloudWatch can publish a
# period's values a couple of minutes after it ends) without paying for the whole window.
INCREMENTAL_PERIODS = 5


def window_length(name: str) -> timedelta:
    for window_name, length in WINDOWS:
        if window_name == name:
            return length
    raise ValueError(f"unknown window {name!r}; choose one of {', '.join(WINDOW_NAMES)}")


def backoff_seconds(base: float, failures: int, ceiling: float = 300.0) -> float:
    """Delay before the next poll after ``failures`` transient failures in a row."""
    if failures <= 0:
        return base
    return min(ceiling, base * 2.0 ** min(failures, 10))


@dataclass(frozen=True, slots=True)
class MetricsRequest:
    endpoint: str
    refs: tuple[VariantRef, ...]
    window: str
    #: The window the cache keeps; datapoints before it are dropped when merging.
    window_start: datetime
    start: datetime
    end: datetime
    period_seconds: int
    full: bool
    #: The kind metrics asked too (``domain.kind_metrics``), in the same calls.
    kind: tuple[KindRef, ...] = ()


@dataclass(slots=True)
class _Coverage:
    window: str
    refs: tuple[VariantRef, ...]
    end: datetime
    period_seconds: int = 60
    kind: tuple[KindRef, ...] = ()


@dataclass(slots=True)
class MetricsCache:
    """Series of the endpoint on screen, merged poll after poll."""

    period_seconds: int = 60
    incremental_periods: int = INCREMENTAL_PERIODS
    percentiles_available: bool = False
    _by_ref: dict[VariantRef, VariantMetrics] = field(default_factory=dict)
    _by_kind: dict[KindRef, Series] = field(default_factory=dict)
    _coverage: dict[str, _Coverage] = field(default_factory=dict)

    def request(
        self,
        endpoint: str,
        variants: Sequence[str],
        now: datetime,
        window: str,
        period_seconds: int | None = None,
        kind: Sequence[KindRef] = (),
    ) -> MetricsRequest:
        """``period_seconds``: this endpoint's period (its MetricsConfig, see
        ``Endpoint.period_following_metrics``); None: the configured one. ``kind``: its
        kind metrics (``domain.kind_metrics.kind_refs``)."""
        kind = tuple(kind)
        period = period_seconds or self.period_seconds
        refs = tuple(VariantRef(endpoint, variant) for variant in variants)
        window_start, end = aligned_window(now, window_length(window), period)
        covered = self._coverage.get(endpoint)
        step = timedelta(seconds=period)
        incremental_start = end - step * self.incremental_periods
        full = (
            covered is None
            or covered.window != window
            or covered.refs != refs
            or covered.period_seconds != period
            or covered.kind != kind
            # A gap longer than what an incremental fetch covers (paused, slept laptop).
            or covered.end < incremental_start + step
        )
        start = window_start if full else max(window_start, incremental_start)
        return MetricsRequest(
            endpoint=endpoint,
            refs=refs,
            window=window,
            window_start=window_start,
            start=start,
            end=end,
            period_seconds=period,
            full=full,
            kind=kind,
        )

    def merge(
        self,
        request: MetricsRequest,
        batch: MetricsBatch,
        quality_reach: Mapping[str, timedelta] | None = None,
    ) -> None:
        """``quality_reach``: how far before the window each quality series' window starts
        (its delay); its datapoints are kept from there."""
        self.percentiles_available = batch.percentiles_available
        for ref in request.refs:
            fetched = batch.variants.get(ref, VariantMetrics(ref))
            previous = self._by_ref.get(ref)
            if request.full or previous is None:
                merged = {
                    # since(): keeps what CloudWatch could not answer unknown, not zero.
                    key: series.since(request.window_start)
                    for key, series in fetched.series.items()
                }
            else:
                keys = set(previous.series) | set(fetched.series)
                merged = {
                    key: previous.get(key).merged_with(fetched.get(key), request.window_start)
                    for key in keys
                }
            self._by_ref[ref] = VariantMetrics(
                ref, merged, merged_quality(previous, fetched, request, quality_reach or {})
            )
        for kind_ref in request.kind:
            # Not answered at all: unknown over the fetch, never "none published".
            missing = Series((), ((request.start, request.end),), DataStatus.NO_RESULT)
            fetched_kind = batch.kind.get(kind_ref, missing)
            previous_kind = self._by_kind.get(kind_ref)
            if request.full or previous_kind is None:
                self._by_kind[kind_ref] = fetched_kind.since(request.window_start)
            else:
                self._by_kind[kind_ref] = previous_kind.merged_with(
                    fetched_kind, request.window_start
                )
        self._coverage[request.endpoint] = _Coverage(
            request.window, request.refs, request.end, request.period_seconds, request.kind
        )

    def period_of(self, endpoint: str) -> int:
        """The period ``endpoint``'s cached series are in (the configured one until fetched)."""
        covered = self._coverage.get(endpoint)
        return covered.period_seconds if covered is not None else self.period_seconds

    def is_current(
        self, endpoint: str, variants: Sequence[str], now: datetime, window: str
    ) -> bool:
        """Already fetched up to the current period for these variants and window."""
        covered = self._coverage.get(endpoint)
        if covered is None:
            return False
        _, end = aligned_window(now, window_length(window), covered.period_seconds)
        refs = tuple(VariantRef(endpoint, variant) for variant in variants)
        return covered.window == window and covered.refs == refs and covered.end >= end

    def forget(self, endpoint: str) -> None:
        self._coverage.pop(endpoint, None)
        for ref in [ref for ref in self._by_ref if ref.endpoint == endpoint]:
            del self._by_ref[ref]
        for kind_ref in [ref for ref in self._by_kind if ref.endpoint == endpoint]:
            del self._by_kind[kind_ref]

    def has(self, endpoint: str) -> bool:
        return endpoint in self._coverage

    def get(self, ref: VariantRef) -> VariantMetrics:
        return self._by_ref.get(ref, VariantMetrics(ref))

    def kind_series(self, endpoint: str) -> dict[KindRef, Series]:
        """``endpoint``'s kind metrics as last asked for (empty for a plain endpoint)."""
        covered = self._coverage.get(endpoint)
        if covered is None:
            return {}
        return {ref: self._by_kind.get(ref, Series()) for ref in covered.kind}


def merged_quality(
    previous: VariantMetrics | None,
    fetched: VariantMetrics,
    request: MetricsRequest,
    reach: Mapping[str, timedelta],
) -> dict[str, Series]:
    """The quality series as :meth:`MetricsCache.merge` merges the others, each kept from
    its own window's start (the window less the metric's delay)."""
    merged: dict[str, Series] = {}
    keys = set(fetched.quality) | (
        set() if request.full or previous is None else set(previous.quality)
    )
    for key in keys:
        since = request.window_start - reach.get(key, timedelta())
        newer = fetched.quality.get(key, Series())
        if request.full or previous is None:
            merged[key] = newer.since(since)
        else:
            merged[key] = previous.quality.get(key, Series()).merged_with(newer, since)
    return merged


def cached_request_rates(
    metrics: MetricsCache, endpoint: Endpoint, now: datetime
) -> dict[str, float] | None:
    """Requests/min per variant over the last complete periods of the metrics on screen;
    None until the endpoint's metrics have been fetched (never a guess)."""
    if not metrics.has(endpoint.name):
        return None
    invocations = {
        name: metrics.get(VariantRef(endpoint.name, name)).get(MetricKey.INVOCATIONS)
        for name in endpoint.variant_names
    }
    return recent_request_rates(invocations, now, metrics.period_of(endpoint.name))


def endpoint_period(endpoint: Endpoint, configured: int) -> int:
    """The period the console reads ``endpoint``'s metrics in: with a MetricsConfig, the
    period its invocation metrics are published at (as ``canary-tui verdict`` does without
    --period); without one, the configured period."""
    if endpoint.metrics is None:
        return configured
    return endpoint.period_following_metrics(configured, 1)[0]


def period_note(period_seconds: int) -> str:
    """`` · 10s periods`` for a title when the period is not the usual minute; else ""."""
    return "" if period_seconds == 60 else f" · {period_seconds}s periods"


def latency_key(percentiles_available: bool) -> MetricKey:
    return MetricKey.MODEL_LATENCY_P99 if percentiles_available else MetricKey.MODEL_LATENCY_AVG


def latency_label(percentiles_available: bool) -> str:
    spec = METRIC_SPECS[latency_key(percentiles_available)]
    return f"latency {spec.stat.lower().replace('average', 'avg')}"


def changed_since_described(
    summaries: Iterable[EndpointSummary], described: Mapping[str, Endpoint]
) -> list[str]:
    """Endpoints whose list entry says they changed since we described them.

    ListEndpoints carries each endpoint's status and LastModifiedTime, so a change made by
    someone else (or autoscaling) is noticed by the refresh that lists it, at no extra cost.
    """
    changed = []
    for summary in summaries:
        endpoint = described.get(summary.name)
        if endpoint is None:
            continue
        modified = (
            summary.last_modified is not None
            and endpoint.last_modified is not None
            and summary.last_modified != endpoint.last_modified
        )
        if modified or summary.status != endpoint.status:
            changed.append(summary.name)
    return changed


def refresh_describes(
    *, selected: str | None, transitional: Iterable[str], changed: Iterable[str]
) -> list[str]:
    """What one refresh describes: the selected endpoint, the updating ones, and the ones
    the list shows as changed. Nothing else, so a refresh costs the same for 5 or 500."""
    wanted: list[str] = [selected] if selected is not None else []
    for name in (*transitional, *changed):
        if name not in wanted:
            wanted.append(name)
    return wanted


def background_due(
    *,
    names: Iterable[str],
    described_at: Mapping[str, float],
    now_monotonic: float,
    interval: float,
    batch: int,
) -> list[str]:
    """The next few endpoints to describe in the background, never-described ones first,
    then the most overdue: only to fill the list's variant count and canary share."""
    due: list[tuple[float, str]] = []
    for name in names:
        last = described_at.get(name)
        if last is None:
            due.append((-math.inf, name))
        elif now_monotonic - last >= interval:
            due.append((last, name))
    # The batch smallest (batch >= 0), not a sort of every name: O(N log batch) a round.
    return [name for _, name in heapq.nsmallest(batch, due)]

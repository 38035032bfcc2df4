"""The lines under the metrics pane's sparklines for what only some kinds of endpoint
publish (``domain.kind_metrics``): serverless cold starts, an asynchronous endpoint's queue,
a multi-model endpoint's model cache, each inference component's traffic. Pure, no Textual.

Counts are over the window (cold starts, a component's requests); gauges are the latest
datapoint (the queue, the cache hit ratio), with its age when it is not from the latest
minutes. A series CloudWatch did not return whole is said to be partial: a count is then at
least what is shown. Nothing is shown for a metric without datapoints but "none".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

from canary_tui.domain.kind_metrics import (
    ASYNC_QUEUE_METRICS,
    MULTI_MODEL_METRICS,
    SERVERLESS_METRICS,
    KindMetric,
    KindRef,
    Scope,
    kind_period,
)
from canary_tui.domain.metrics import Series
from canary_tui.ui.view import MetricsFrame

_PARTIAL = " (partial)"


def _get(series: Mapping[KindRef, Series], ref: KindRef) -> Series:
    return series.get(ref, Series())


def _age_note(moment: datetime, frame: MetricsFrame) -> str:
    """ " (12m old)" for a datapoint older than the last few minutes of the window."""
    step = kind_period(frame.period_seconds)
    age = frame.end - moment - timedelta(seconds=2 * step)
    if age <= timedelta(0):
        return ""
    minutes = max(1, round(age.total_seconds() / 60))
    return f" ({minutes}m old)" if minutes < 60 else f" ({round(minutes / 60)}h old)"


def _latest(series: Series, frame: MetricsFrame, fmt: str) -> str | None:
    if not series.points:
        return None
    moment, value = series.points[-1]
    return fmt.format(value) + _age_note(moment, frame)


def _weighted_mean(values: Series, weights: Series) -> float | None:
    """Mean of per-period averages weighted by each period's count (exact for an Average
    weighted by its own SampleCount: their product is the period's Sum)."""
    by_time = dict(values.points)
    pairs = [(by_time[t], w) for t, w in weights.points if t in by_time and w > 0]
    total = math.fsum(w for _, w in pairs)
    return math.fsum(v * w for v, w in pairs) / total if total > 0 else None


def _serverless_part(
    name: str, series: Mapping[KindRef, Series], endpoint: str
) -> tuple[str, bool]:
    """``v3 6, setup avg 3,014ms`` (or ``v2 none``), and whether it is partial."""

    def get(key: KindMetric) -> Series:
        return _get(series, KindRef(endpoint, Scope.VARIANT, name, key))

    setups, average = get(KindMetric.MODEL_SETUPS), get(KindMetric.MODEL_SETUP_AVG)
    count = setups.total()
    if count <= 0:
        return f"{name} none", not setups.complete
    mean = _weighted_mean(average, setups)
    setup = "" if mean is None else f", setup avg {mean:,.0f}ms"
    return f"{name} {count:,.0f}{setup}", not setups.complete


def _queue_line(series: Mapping[KindRef, Series], endpoint: str, frame: MetricsFrame) -> str:
    def get(key: KindMetric) -> Series:
        return _get(series, KindRef(endpoint, Scope.ENDPOINT, "", key))

    parts = [
        _latest(get(KindMetric.BACKLOG), frame, "backlog {:,.0f}"),
        _latest(get(KindMetric.BACKLOG_PER_INSTANCE), frame, "{:,.1f}/instance"),
        _latest(get(KindMetric.OLDEST_REQUEST_AGE), frame, "oldest {:,.0f}s"),
    ]
    shown = [part for part in parts if part is not None]
    without = get(KindMetric.BACKLOG_WITHOUT_CAPACITY)
    if without.points and without.points[-1][1] > 0:
        shown.append("BACKLOG WITHOUT CAPACITY" + _age_note(without.points[-1][0], frame))
    if not shown:
        return "queue: no backlog metrics yet"
    return "queue: " + " · ".join(shown)


def _multi_model_part(
    name: str, series: Mapping[KindRef, Series], endpoint: str, frame: MetricsFrame
) -> str:
    def get(key: KindMetric) -> Series:
        return _get(series, KindRef(endpoint, Scope.VARIANT, name, key))

    parts = [
        _latest(get(KindMetric.MODEL_CACHE_HIT), frame, "hit {:.0f}%"),
        _latest(get(KindMetric.MODEL_LOADING_WAIT_AVG), frame, "load wait {:,.0f}ms"),
        _latest(get(KindMetric.MODEL_DOWNLOADING_AVG), frame, "download {:,.0f}ms"),
        _latest(get(KindMetric.MODEL_UNLOADING_AVG), frame, "unload {:,.0f}ms"),
    ]
    shown = [part for part in parts if part is not None]
    return f"{name} " + (", ".join(shown) if shown else "no model loads yet")


def _component_line(name: str, series: Mapping[KindRef, Series], endpoint: str, window: str) -> str:
    def get(key: KindMetric) -> Series:
        return _get(series, KindRef(endpoint, Scope.COMPONENT, name, key))

    invocations = get(KindMetric.COMPONENT_INVOCATIONS)
    errors = [get(KindMetric.COMPONENT_ERRORS_4XX), get(KindMetric.COMPONENT_ERRORS_5XX)]
    partial = "" if invocations.complete and all(e.complete for e in errors) else _PARTIAL
    requests = invocations.total()
    if requests <= 0:
        return f"{name} (component): no requests in {window}{partial}"
    error_share = math.fsum(e.total() for e in errors) / requests * 100.0
    latency = _weighted_mean(get(KindMetric.COMPONENT_LATENCY_AVG), invocations)
    latency_text = "" if latency is None else f" · latency avg {latency:,.1f}ms"
    return (
        f"{name} (component): {requests:,.0f} req in {window} · 4xx+5xx {error_share:.2f}%"
        f"{latency_text}{partial}"
    )


def kind_lines(refs: Mapping[KindRef, Series], frame: MetricsFrame, window: str) -> list[str]:
    """A line for the serverless variants' cold starts, one for an asynchronous endpoint's
    queue, one for the multi-model variants' model cache, and one per inference component,
    from ``refs`` (their series, as the cache holds them). Few lines: the pane is short."""
    cold: list[str] = []
    cold_partial = False
    queue: list[str] = []
    cache: list[str] = []
    components: list[str] = []
    seen: set[tuple[str, Scope, str, str]] = set()
    for ref in refs:
        group = _group(ref.key)
        if (ref.endpoint, ref.scope, ref.name, group) in seen:
            continue
        seen.add((ref.endpoint, ref.scope, ref.name, group))
        if group == "serverless":
            part, partial = _serverless_part(ref.name, refs, ref.endpoint)
            cold.append(part)
            cold_partial = cold_partial or partial
        elif group == "queue":
            queue.append(_queue_line(refs, ref.endpoint, frame))
        elif group == "multi-model":
            cache.append(_multi_model_part(ref.name, refs, ref.endpoint, frame))
        else:
            components.append(_component_line(ref.name, refs, ref.endpoint, window))
    lines: list[str] = []
    if cold:
        lines.append(
            f"cold starts in {window}: " + " · ".join(cold) + (_PARTIAL if cold_partial else "")
        )
    lines += queue
    if cache:
        lines.append("model cache: " + " · ".join(cache))
    return lines + components


def _group(key: KindMetric) -> str:
    if key in SERVERLESS_METRICS:
        return "serverless"
    if key in ASYNC_QUEUE_METRICS:
        return "queue"
    if key in MULTI_MODEL_METRICS:
        return "multi-model"
    return "component"

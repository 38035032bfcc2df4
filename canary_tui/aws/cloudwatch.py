"""CloudWatch gateway: every variant's metrics for a window in as few GetMetricData calls
as the API allows (500 queries each)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from canary_tui.aws.errors import (
    AwsError,
    ServiceUnavailable,
    ValidationFailed,
    translated,
)
from canary_tui.aws.metric_queries import (
    MAX_QUERIES_PER_CALL,
    aligned_to_period,
    check_period,
    chunks,
    kind_query,
    metric_names,
    metric_query,
    quality_query,
    run_queries,
    stat_query,
)
from canary_tui.aws.multi_model import MultiModelDetector
from canary_tui.aws.session import AwsClients
from canary_tui.domain.kind_metrics import KindRef, kind_period
from canary_tui.domain.metrics import (
    BASE_METRICS,
    METRIC_SPECS,
    PERCENTILE_METRICS,
    MetricKey,
    MetricsBatch,
    Series,
    Span,
    VariantMetrics,
    VariantRef,
)
from canary_tui.domain.models import Endpoint
from canary_tui.domain.quality import QualityMetric, clipped
from canary_tui.domain.window_latency import (
    WindowLatencyBatch,
    WindowPlan,
    combine_window,
    plan_window,
)

# ModelLatency over a judged window: SampleCount weighs chunks, Average is the fallback
# where the backend has no percentiles.
_WINDOW_BASE_STATS = ("SampleCount", "Average")
_WINDOW_PERCENTILE_STATS = ("p50", "p99")
MAX_ALARM_NAMES_PER_CALL = 100
#: Each quality metric with the window it is fetched over.
QualityWindows = Sequence[tuple[QualityMetric, Span]]
#: Each variant's quality series, by ``QualityMetric.series_key``.
QualitySeries = dict[VariantRef, dict[str, Series]]
#: What :meth:`CloudWatchGateway.alarm_states` reports for a name no alarm has.
ALARM_MISSING = "MISSING"
# Kept importable from here: tests and callers name them as the gateway's.
__all__ = ["ALARM_MISSING", "MAX_QUERIES_PER_CALL", "CloudWatchGateway", "aligned_to_period"]


class CloudWatchGateway:
    """Reads per-variant SageMaker metrics. Blocking: call it from a worker thread."""

    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients
        # None: not known yet. Decided once, by a probe on a window that has latency data.
        self._percentiles: bool | None = None
        self._probe_lock = threading.Lock()
        #: Endpoints seen with AsyncInferenceConfig: their requests are counted under
        #: other names (see metric_queries.ASYNC_METRIC_NAMES). Replaced whole, not mutated.
        self._asynchronous: frozenset[str] = frozenset()
        self._multi_model = MultiModelDetector(clients)

    def note_endpoint(self, endpoint: Endpoint) -> None:
        """Tell the gateway an endpoint's kind, so an asynchronous one is read by the
        metrics it publishes (never as "no traffic")."""
        if endpoint.asynchronous and endpoint.name not in self._asynchronous:
            self._asynchronous = self._asynchronous | {endpoint.name}
        elif not endpoint.asynchronous and endpoint.name in self._asynchronous:
            self._asynchronous = self._asynchronous - {endpoint.name}

    @property
    def percentiles_available(self) -> bool | None:
        return self._percentiles

    def _probe_percentiles(
        self, ref: VariantRef, start: datetime, end: datetime, period_seconds: int
    ) -> tuple[bool, int]:
        """Ask once whether the backend computes percentiles; returns (answer, calls made).

        Real CloudWatch does; moto fails on them, but only once there is data to aggregate
        (HTTP 500 from its server, an exception in process). So the probe asks about a
        variant and window that are known to have ModelLatency data. The probe client does
        not retry: a 500 here is an answer, not a hiccup. We never invent a value: without
        support, p50/p99 are shown as n/a.
        """
        with self._probe_lock:
            if self._percentiles is not None:
                return self._percentiles, 0
            window: dict[str, Any] = {"StartTime": start, "EndTime": end}
            percentile_query = metric_query(
                "probe", ref, MetricKey.MODEL_LATENCY_P99, period_seconds
            )
            try:
                with translated(self._clients.profile_name):
                    self._clients.cloudwatch_probe.get_metric_data(
                        MetricDataQueries=[percentile_query], **window
                    )
                self._percentiles = True
                return True, 1
            except (ServiceUnavailable, ValidationFailed):
                pass  # a 5xx, or a backend that rejects the statistic: check which below
            except AwsError:
                raise  # credentials, access, throttling: no answer yet; ask again next time
            except Exception:  # in-process moto raises a bare TypeError here
                pass
            # The percentile query failed. Only if the same query with a plain statistic works
            # is it the percentile the backend cannot do; otherwise the backend is down, and
            # this raises so the caller reports an outage and we probe again next time.
            plain_query = metric_query("probe", ref, MetricKey.MODEL_LATENCY_AVG, period_seconds)
            with translated(self._clients.profile_name):
                self._clients.cloudwatch_probe.get_metric_data(
                    MetricDataQueries=[plain_query], **window
                )
            self._percentiles = False
            return False, 2

    def _get_metric_data(
        self,
        refs: Sequence[VariantRef],
        keys: Sequence[MetricKey],
        start: datetime,
        end: datetime,
        period_seconds: int,
        quality: QualityWindows = (),
        kind: Sequence[KindRef] = (),
    ) -> tuple[
        dict[VariantRef, dict[MetricKey, Series]],
        int,
        tuple[str, ...],
        QualitySeries,
        dict[KindRef, Series],
    ]:
        """One query per (variant, metric), per (variant, quality series) and per kind
        metric, all in the same calls; a result that is not Complete after paging becomes a
        series whose window is unknown (see ``domain.metrics.Series``). The calls span from
        the earliest quality window (a delayed metric reaches back) to ``end``; every series
        comes back cut to its own window."""
        queries: list[dict[str, Any]] = []
        by_id: dict[str, tuple[VariantRef, MetricKey]] = {}
        quality_ids: dict[str, tuple[VariantRef, str, Span]] = {}
        alternatives: dict[str, list[str]] = {}
        asynchronous = self._asynchronous
        for ref_index, ref in enumerate(refs):
            for key in keys:
                query_id = f"q{ref_index}_{key.value}"
                by_id[query_id] = (ref, key)
                names = metric_names(key, ref.endpoint in asynchronous)
                if names == (METRIC_SPECS[key].metric_name,):
                    queries.append(metric_query(query_id, ref, key, period_seconds))
                    continue
                alternatives[query_id] = [f"{query_id}_{index}" for index in range(len(names))]
                for alternative_id, name in zip(alternatives[query_id], names, strict=True):
                    stat = METRIC_SPECS[key].stat
                    queries.append(stat_query(alternative_id, ref, name, stat, period_seconds))
            for metric_index, (metric, window) in enumerate(quality):
                for role, metric_name in metric.queries():
                    query_id = f"m{ref_index}_{metric_index}_{role}"
                    quality_ids[query_id] = (ref, metric.series_key(role), window)
                    queries.append(
                        quality_query(query_id, ref, metric, metric_name, period_seconds)
                    )
        kind_ids = {f"k{index}": ref for index, ref in enumerate(kind)}
        queries += [
            kind_query(query_id, ref, kind_period(period_seconds))
            for query_id, ref in kind_ids.items()
        ]
        call_start = min([start, *(window[0] for _, window in quality)])
        results, calls, messages = run_queries(self._clients, queries, call_start, end)
        series: dict[VariantRef, dict[MetricKey, Series]] = {ref: {} for ref in refs}
        for query_id, (ref, key) in by_id.items():
            if query_id in alternatives:
                answers = [results[alternative] for alternative in alternatives[query_id]]
                result = next((answer for answer in answers if answer.points), answers[0])
            else:
                result = results[query_id]
            fetched = result.series(METRIC_SPECS[key].scale, (call_start, end))
            series[ref][key] = fetched if call_start == start else clipped(fetched, (start, end))
        quality_series: QualitySeries = {ref: {} for ref in refs}
        for query_id, (ref, series_key, window) in quality_ids.items():
            fetched = results[query_id].series(1.0, (call_start, end))
            quality_series[ref][series_key] = clipped(fetched, window)
        kind_series = {
            ref: clipped(results[query_id].series(ref.spec.scale, (call_start, end)), (start, end))
            for query_id, ref in kind_ids.items()
        }
        return series, calls, messages, quality_series, kind_series

    def invocations(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        period_seconds: int,
    ) -> dict[VariantRef, Series]:
        """Only the Invocations sums of ``refs`` in [start, end): one GetMetricData (per 500
        variants) and no percentile probe. For capacity estimates in the CLI."""
        check_period(period_seconds)
        start, end = aligned_to_period(start, end, period_seconds)
        refs = list(dict.fromkeys(refs))
        if not refs:
            return {}
        keys = (MetricKey.INVOCATIONS,)
        variants, _, _, _, _ = self._get_metric_data(refs, keys, start, end, period_seconds)
        return {ref: variants[ref][MetricKey.INVOCATIONS] for ref in refs}

    def fetch(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        period_seconds: int,
        quality: Sequence[QualityMetric] = (),
        quality_not_before: datetime | None = None,
        kind: Sequence[KindRef] = (),
    ) -> MetricsBatch:
        """Every metric of every variant in [start, end), one query per metric per variant.

        The window is widened to whole periods (see :func:`aligned_to_period`); pass
        ``domain.metrics.aligned_window`` output to get exactly what you asked for.
        ``quality``: configured quality metrics, fetched in the same calls over each one's
        window (``QualityMetric.window``: shifted back by its delay, not before
        ``quality_not_before``) into ``VariantMetrics.quality``. ``kind``: the metrics only
        some kinds of endpoint publish (``domain.kind_metrics.kind_refs``), in the same
        calls, into ``MetricsBatch.kind``; asked per minute at the finest (``kind_period``).
        """
        check_period(period_seconds)
        start, end = aligned_to_period(start, end, period_seconds)
        windows: QualityWindows = tuple(
            (metric, metric.window(start, end, period_seconds, quality_not_before))
            for metric in quality
        )
        refs = list(dict.fromkeys(refs))  # a variant asked for twice is fetched once
        kind = list(dict.fromkeys(kind))
        if not refs and not kind:
            return MetricsBatch(start, end, period_seconds, {}, bool(self._percentiles), 0)
        with_percentiles = self._percentiles is True
        keys = BASE_METRICS + (PERCENTILE_METRICS if with_percentiles else ())
        try:
            variants, calls, messages, quality_series, kind_series = self._get_metric_data(
                refs, keys, start, end, period_seconds, windows, kind
            )
        except ServiceUnavailable:
            if with_percentiles:
                # If it was the percentiles that broke the backend, the next probe says so.
                self._percentiles = None
            raise

        if self._percentiles is None:
            with_data = next(
                (ref for ref in refs if variants[ref][MetricKey.MODEL_LATENCY_AVG].points), None
            )
            if with_data is not None:
                available, probe_calls = self._probe_percentiles(
                    with_data, start, end, period_seconds
                )
                calls += probe_calls
                if available:
                    extra, extra_calls, extra_messages, _, _ = self._get_metric_data(
                        refs, PERCENTILE_METRICS, start, end, period_seconds
                    )
                    calls += extra_calls
                    messages = tuple(dict.fromkeys((*messages, *extra_messages)))
                    for ref in refs:
                        variants[ref].update(extra[ref])
                    with_percentiles = True

        return MetricsBatch(
            start=start,
            end=end,
            period_seconds=period_seconds,
            variants={
                ref: VariantMetrics(ref, series, quality_series[ref])
                for ref, series in variants.items()
            },
            percentiles_available=with_percentiles,
            api_calls=calls,
            messages=messages,
            kind=kind_series,
        )

    def multi_model_variants(self, endpoint: Endpoint) -> frozenset[str]:
        """The variants of ``endpoint`` that publish ModelCacheHit (multi-model): one
        ListMetrics per endpoint and config, remembered (``aws.multi_model``). Blocking."""
        return self._multi_model.variants(endpoint)

    def window_latency(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        now: datetime | None = None,
    ) -> WindowLatencyBatch:
        """ModelLatency p50, p99, average and sample count of each variant over [start, end),
        each computed by CloudWatch over the whole window: for the verdict's latency gate.

        The window is laid on the retention grid and covered by one period
        (``domain.window_latency.plan_window``); only a window longer than
        ``MAX_WINDOW_PERIOD`` is split into equal chunks, and then each percentile comes
        back as the range the chunks' percentiles bound, never as their average (see
        ``WindowPercentile``); the average is combined exactly, weighted by sample count.
        Queries go 500 to a call with the other refresh's rules: every NextToken page
        followed, a result that is not Complete leaves that variant's values unknown (None).
        Where the backend has no percentiles (moto) p50/p99 are None and ``average_ms`` is
        the fallback; the first time, the same probe as :meth:`fetch` decides.
        """
        plan = plan_window(start, end, now or datetime.now(UTC))
        refs = list(dict.fromkeys(refs))
        if not refs:
            return WindowLatencyBatch(plan, {}, bool(self._percentiles))
        with_percentiles = self._percentiles is True
        stats = _WINDOW_BASE_STATS + (_WINDOW_PERCENTILE_STATS if with_percentiles else ())
        try:
            series, calls, messages = self._window_series(refs, stats, plan)
        except ServiceUnavailable:
            if with_percentiles:
                self._percentiles = None
            raise
        if self._percentiles is None:
            with_data = next((ref for ref in refs if series[ref]["SampleCount"].points), None)
            if with_data is not None:
                available, probe_calls = self._probe_percentiles(
                    with_data, plan.start, plan.end, plan.period_seconds
                )
                calls += probe_calls
                if available:
                    extra, extra_calls, extra_messages = self._window_series(
                        refs, _WINDOW_PERCENTILE_STATS, plan
                    )
                    calls += extra_calls
                    messages = tuple(dict.fromkeys((*messages, *extra_messages)))
                    for ref in refs:
                        series[ref].update(extra[ref])
                    with_percentiles = True
        variants = {
            ref: combine_window(
                ref,
                plan,
                samples=series[ref]["SampleCount"],
                average=series[ref]["Average"],
                p50=series[ref]["p50"] if with_percentiles else None,
                p99=series[ref]["p99"] if with_percentiles else None,
            )
            for ref in refs
        }
        return WindowLatencyBatch(plan, variants, with_percentiles, calls, messages)

    def _window_series(
        self, refs: Sequence[VariantRef], stats: Sequence[str], plan: WindowPlan
    ) -> tuple[dict[VariantRef, dict[str, Series]], int, tuple[str, ...]]:
        latency_scale = METRIC_SPECS[MetricKey.MODEL_LATENCY_AVG].scale
        queries: list[dict[str, Any]] = []
        by_id: dict[str, tuple[VariantRef, str]] = {}
        for ref_index, ref in enumerate(refs):
            for stat in stats:
                query_id = f"w{ref_index}_{stat.lower()}"
                by_id[query_id] = (ref, stat)
                queries.append(stat_query(query_id, ref, "ModelLatency", stat, plan.period_seconds))
        results, calls, messages = run_queries(self._clients, queries, plan.start, plan.end)
        window = (plan.start, plan.end)
        series: dict[VariantRef, dict[str, Series]] = {ref: {} for ref in refs}
        for query_id, (ref, stat) in by_id.items():
            scale = 1.0 if stat == "SampleCount" else latency_scale
            series[ref][stat] = results[query_id].series(scale, window)
        return series, calls, messages

    def alarm_states(self, names: Sequence[str]) -> dict[str, str]:
        """State of each named alarm (metric or composite): OK, ALARM, INSUFFICIENT_DATA, or
        ``MISSING`` when no alarm has that name (a typo must not read as a healthy OK)."""
        wanted = list(dict.fromkeys(names))
        states: dict[str, str] = {}
        with translated(self._clients.target.profile):
            paginator = self._clients.cloudwatch.get_paginator("describe_alarms")
            # DescribeAlarms takes at most 100 names per request.
            for chunk in chunks(wanted, MAX_ALARM_NAMES_PER_CALL):
                for page in paginator.paginate(
                    AlarmNames=list(chunk), AlarmTypes=["MetricAlarm", "CompositeAlarm"]
                ):
                    for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                        states[alarm["AlarmName"]] = str(alarm.get("StateValue", "UNKNOWN"))
        return {name: states.get(name, ALARM_MISSING) for name in wanted}

"""CloudWatch gateway: every variant's metrics for a window in as few GetMetricData calls
as the API allows (500 queries each)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from canary_tui.aws.errors import (
    AwsError,
    ServiceUnavailable,
    ValidationFailed,
    translated,
)
from canary_tui.aws.session import AwsClients
from canary_tui.domain.metrics import (
    BASE_METRICS,
    METRIC_SPECS,
    NAMESPACE,
    PERCENTILE_METRICS,
    MetricKey,
    MetricsBatch,
    Series,
    VariantMetrics,
    VariantRef,
)

MAX_QUERIES_PER_CALL = 500
MAX_ALARM_NAMES_PER_CALL = 100
#: What :meth:`CloudWatchGateway.alarm_states` reports for a name no alarm has.
ALARM_MISSING = "MISSING"
# CloudWatch accepts these periods below a minute (high-resolution metrics), then minutes.
_SUB_MINUTE_PERIODS = frozenset({1, 5, 10, 30})


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def check_period(period_seconds: int) -> None:
    if period_seconds in _SUB_MINUTE_PERIODS or (period_seconds > 0 and period_seconds % 60 == 0):
        return
    raise ValidationFailed(
        f"a metric period must be 1, 5, 10, 30 or a multiple of 60 seconds, not {period_seconds}"
    )


def aligned_to_period(
    start: datetime, end: datetime, period_seconds: int
) -> tuple[datetime, datetime]:
    """Widen [start, end) to whole periods: start rounded down, end rounded up.

    CloudWatch aggregates each period from its boundary; a window that starts mid-period
    gets a first datapoint for a partial period (moto even shifts every period to start at
    StartTime), so two refreshes would disagree about the same minute.
    """

    def epoch(moment: datetime) -> int:
        return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())

    start_seconds = epoch(start) - epoch(start) % period_seconds
    end_seconds = -(-epoch(end) // period_seconds) * period_seconds
    end_seconds = max(end_seconds, start_seconds + period_seconds)
    return (
        datetime.fromtimestamp(start_seconds, tz=UTC),
        datetime.fromtimestamp(end_seconds, tz=UTC),
    )


def metric_query(query_id: str, ref: VariantRef, key: MetricKey, period: int) -> Any:
    spec = METRIC_SPECS[key]
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": spec.metric_name,
                "Dimensions": [
                    {"Name": "EndpointName", "Value": ref.endpoint},
                    {"Name": "VariantName", "Value": ref.variant},
                ],
            },
            "Period": period,
            "Stat": spec.stat,
        },
        "ReturnData": True,
    }


class CloudWatchGateway:
    """Reads per-variant SageMaker metrics. Blocking: call it from a worker thread."""

    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients
        # None: not known yet. Decided once, by a probe on a window that has latency data.
        self._percentiles: bool | None = None
        self._probe_lock = threading.Lock()

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
    ) -> tuple[dict[VariantRef, dict[MetricKey, Series]], int]:
        """One query per (variant, metric), 500 per call, every NextToken page followed."""
        queries: list[dict[str, Any]] = []
        by_id: dict[str, tuple[VariantRef, MetricKey]] = {}
        for ref_index, ref in enumerate(refs):
            for key in keys:
                query_id = f"q{ref_index}_{key.value}"
                by_id[query_id] = (ref, key)
                queries.append(metric_query(query_id, ref, key, period_seconds))

        points: dict[str, dict[datetime, float]] = {query_id: {} for query_id in by_id}
        calls = 0
        with translated(self._clients.profile_name):
            for chunk in _chunks(queries, MAX_QUERIES_PER_CALL):
                request: dict[str, Any] = {
                    "MetricDataQueries": list(chunk),
                    "StartTime": start,
                    "EndTime": end,
                    "ScanBy": "TimestampAscending",
                }
                while True:
                    response = self._clients.cloudwatch.get_metric_data(**request)
                    calls += 1
                    for result in response.get("MetricDataResults", []):
                        bucket = points.get(result["Id"])
                        if bucket is None:
                            continue
                        for timestamp, value in zip(
                            result.get("Timestamps", []), result.get("Values", []), strict=False
                        ):
                            bucket[timestamp] = value
                    token = response.get("NextToken")
                    if not token:
                        break
                    request["NextToken"] = token

        series: dict[VariantRef, dict[MetricKey, Series]] = {ref: {} for ref in refs}
        for query_id, (ref, key) in by_id.items():
            scale = METRIC_SPECS[key].scale
            series[ref][key] = Series(
                tuple((ts, value * scale) for ts, value in sorted(points[query_id].items()))
            )
        return series, calls

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
        variants, _ = self._get_metric_data(refs, keys, start, end, period_seconds)
        return {ref: variants[ref][MetricKey.INVOCATIONS] for ref in refs}

    def fetch(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        period_seconds: int,
    ) -> MetricsBatch:
        """Every metric of every variant in [start, end), one query per metric per variant.

        The window is widened to whole periods (see :func:`aligned_to_period`); pass
        ``domain.metrics.aligned_window`` output to get exactly what you asked for.
        """
        check_period(period_seconds)
        start, end = aligned_to_period(start, end, period_seconds)
        refs = list(dict.fromkeys(refs))  # a variant asked for twice is fetched once
        if not refs:
            return MetricsBatch(start, end, period_seconds, {}, bool(self._percentiles), 0)
        with_percentiles = self._percentiles is True
        keys = BASE_METRICS + (PERCENTILE_METRICS if with_percentiles else ())
        try:
            variants, calls = self._get_metric_data(refs, keys, start, end, period_seconds)
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
                    extra, extra_calls = self._get_metric_data(
                        refs, PERCENTILE_METRICS, start, end, period_seconds
                    )
                    calls += extra_calls
                    for ref in refs:
                        variants[ref].update(extra[ref])
                    with_percentiles = True

        return MetricsBatch(
            start=start,
            end=end,
            period_seconds=period_seconds,
            variants={ref: VariantMetrics(ref, series) for ref, series in variants.items()},
            percentiles_available=with_percentiles,
            api_calls=calls,
        )

    def alarm_states(self, names: Sequence[str]) -> dict[str, str]:
        """State of each named alarm (metric or composite): OK, ALARM, INSUFFICIENT_DATA, or
        ``MISSING`` when no alarm has that name (a typo must not read as a healthy OK)."""
        wanted = list(dict.fromkeys(names))
        states: dict[str, str] = {}
        with translated(self._clients.target.profile):
            paginator = self._clients.cloudwatch.get_paginator("describe_alarms")
            # DescribeAlarms takes at most 100 names per request.
            for chunk in _chunks(wanted, MAX_ALARM_NAMES_PER_CALL):
                for page in paginator.paginate(
                    AlarmNames=list(chunk), AlarmTypes=["MetricAlarm", "CompositeAlarm"]
                ):
                    for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                        states[alarm["AlarmName"]] = str(alarm.get("StateValue", "UNKNOWN"))
        return {name: states.get(name, ALARM_MISSING) for name in wanted}

"""CloudWatch gateway: every variant's metrics for a window in as few GetMetricData calls
as the API allows (500 queries each)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from canary_tui.aws.errors import AwsError, translated
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


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


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
        self._percentiles: bool | None = None  # unknown until probed once
        self._probe_lock = threading.Lock()

    @property
    def percentiles_available(self) -> bool | None:
        return self._percentiles

    def _probe_percentiles(self, ref: VariantRef, end: datetime) -> bool:
        """Ask once whether the backend computes percentiles.

        Real CloudWatch does; moto fails on them (HTTP 500 from its server, an exception in
        process). We never invent a value: without support, p50/p99 are shown as n/a.
        """
        with self._probe_lock:
            if self._percentiles is not None:
                return self._percentiles
            window: dict[str, Any] = {"StartTime": end - timedelta(minutes=5), "EndTime": end}
            percentile_query = metric_query("probe", ref, MetricKey.MODEL_LATENCY_P99, 60)
            try:
                with translated(self._clients.target.profile):
                    self._clients.cloudwatch_probe.get_metric_data(
                        MetricDataQueries=[percentile_query], **window
                    )
                self._percentiles = True
                return True
            except AwsError as error:
                if not error.transient:
                    raise
            except Exception:
                pass
            # The percentile query failed. Only if the same query with a plain statistic works
            # is it the percentile the backend cannot do; otherwise the backend is down, and
            # this raises so the caller reports an outage and we probe again next time.
            plain_query = metric_query("probe", ref, MetricKey.MODEL_LATENCY_AVG, 60)
            with translated(self._clients.target.profile):
                self._clients.cloudwatch_probe.get_metric_data(
                    MetricDataQueries=[plain_query], **window
                )
            self._percentiles = False
            return False

    def fetch(
        self,
        refs: Sequence[VariantRef],
        start: datetime,
        end: datetime,
        period_seconds: int,
    ) -> MetricsBatch:
        """Every metric of every variant in [start, end), one query per metric per variant."""
        if not refs:
            return MetricsBatch(start, end, period_seconds, {}, bool(self._percentiles), 0)
        percentiles = self._probe_percentiles(refs[0], end)
        keys = BASE_METRICS + (PERCENTILE_METRICS if percentiles else ())
        queries: list[dict[str, Any]] = []
        by_id: dict[str, tuple[VariantRef, MetricKey]] = {}
        for ref_index, ref in enumerate(refs):
            for key in keys:
                query_id = f"q{ref_index}_{key.value}"
                by_id[query_id] = (ref, key)
                queries.append(metric_query(query_id, ref, key, period_seconds))

        points: dict[str, dict[datetime, float]] = {query_id: {} for query_id in by_id}
        calls = 0
        with translated(self._clients.target.profile):
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

        variants: dict[VariantRef, dict[MetricKey, Series]] = {ref: {} for ref in refs}
        for query_id, (ref, key) in by_id.items():
            scale = METRIC_SPECS[key].scale
            variants[ref][key] = Series(
                tuple((ts, value * scale) for ts, value in sorted(points[query_id].items()))
            )
        return MetricsBatch(
            start=start,
            end=end,
            period_seconds=period_seconds,
            variants={ref: VariantMetrics(ref, series) for ref, series in variants.items()},
            percentiles_available=percentiles,
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

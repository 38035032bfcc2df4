"""GetMetricData queries and their answers: the request shapes, the 500-query calls with
their NextToken pages, and each result's StatusCode kept so that missing data stays unknown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from canary_tui.aws.errors import ValidationFailed, translated
from canary_tui.aws.session import AwsClients
from canary_tui.domain.kind_metrics import KindRef
from canary_tui.domain.metrics import (
    METRIC_SPECS,
    NAMESPACE,
    DataStatus,
    MetricKey,
    Series,
    VariantRef,
)
from canary_tui.domain.quality import QualityMetric

MAX_QUERIES_PER_CALL = 500
# CloudWatch accepts these periods below a minute (high-resolution metrics), then minutes.
_SUB_MINUTE_PERIODS = frozenset({1, 5, 10, 30})


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
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


def stat_query(query_id: str, ref: VariantRef, metric_name: str, stat: str, period: int) -> Any:
    """A MetricDataQuery for one AWS/SageMaker metric of one variant."""
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": metric_name,
                "Dimensions": [
                    {"Name": "EndpointName", "Value": ref.endpoint},
                    {"Name": "VariantName", "Value": ref.variant},
                ],
            },
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def quality_query(
    query_id: str, ref: VariantRef, metric: QualityMetric, metric_name: str, period: int
) -> Any:
    """A MetricDataQuery for one series of a configured quality metric of one variant."""
    stat: dict[str, Any] = {
        "Metric": {
            "Namespace": metric.namespace,
            "MetricName": metric_name,
            "Dimensions": metric.dimensions_for(ref.endpoint, ref.variant),
        },
        "Period": period,
        "Stat": metric.statistic,
    }
    if metric.unit is not None:
        stat["Unit"] = metric.unit
    return {"Id": query_id, "MetricStat": stat, "ReturnData": True}


#: What an asynchronous endpoint publishes instead (AWS's "Monitor Asynchronous Endpoint",
#: an exhaustive list: no Invocations, OverheadLatency or InvocationsPerInstance there).
#: Requests are counted in InvocationsProcesssed -- AWS's page spells it with three s; some
#: tooling reads InvocationsProcessed, so both are asked and the one with data is used.
#: InvocationFailures ("an invocation fails for any reason") stands in for model errors.
ASYNC_METRIC_NAMES: Mapping[MetricKey, tuple[str, ...]] = {
    MetricKey.INVOCATIONS: ("InvocationsProcesssed", "InvocationsProcessed"),
    MetricKey.MODEL_ERRORS: ("InvocationFailures",),
}


def kind_query(query_id: str, ref: KindRef, period: int) -> Any:
    """A MetricDataQuery for one kind metric (``domain.kind_metrics``): its own dimensions."""
    spec = ref.spec
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": spec.metric_name,
                "Dimensions": ref.dimensions(),
            },
            "Period": period,
            "Stat": spec.stat,
        },
        "ReturnData": True,
    }


def metric_names(key: MetricKey, asynchronous: bool) -> tuple[str, ...]:
    """The metric names to ask for ``key``, first preferred."""
    if asynchronous and key in ASYNC_METRIC_NAMES:
        return ASYNC_METRIC_NAMES[key]
    return (METRIC_SPECS[key].metric_name,)


def metric_query(query_id: str, ref: VariantRef, key: MetricKey, period: int) -> Any:
    spec = METRIC_SPECS[key]
    return stat_query(query_id, ref, spec.metric_name, spec.stat, period)


def message_lines(messages: Sequence[Any]) -> tuple[str, ...]:
    return tuple(f"{item.get('Code', '?')}: {item.get('Value', '')}" for item in messages)


@dataclass(slots=True)
class QueryResult:
    """One query's answer, gathered over every NextToken page."""

    points: dict[datetime, float] = field(default_factory=dict)
    # None until a page names the query. PartialData is CloudWatch's "more on the next
    # page", so a later page's status replaces it; InternalError and Forbidden mean data
    # was lost whatever follows, so they stay.
    status: DataStatus | None = None
    messages: list[str] = field(default_factory=list)

    def add(self, result: Any) -> None:
        for timestamp, value in zip(
            result.get("Timestamps", []), result.get("Values", []), strict=False
        ):
            self.points[timestamp] = value
        raw_code = str(result.get("StatusCode", DataStatus.COMPLETE.value))
        try:
            code = DataStatus(raw_code)
        except ValueError:  # a status newer than this code: whatever it is, not Complete
            code = DataStatus.INTERNAL_ERROR
            self.messages.append(f"StatusCode: {raw_code}")
        if self.status not in (DataStatus.INTERNAL_ERROR, DataStatus.FORBIDDEN):
            self.status = code
        self.messages.extend(
            line for line in message_lines(result.get("Messages", [])) if line not in self.messages
        )

    def series(self, scale: float, window: tuple[datetime, datetime]) -> Series:
        status = self.status or DataStatus.NO_RESULT
        complete = status is DataStatus.COMPLETE
        return Series(
            points=tuple((ts, value * scale) for ts, value in sorted(self.points.items())),
            unknown=() if complete else (window,),
            status=status,
            messages=tuple(self.messages),
            window=window,
        )


def run_queries(
    clients: AwsClients, queries: Sequence[Any], start: datetime, end: datetime
) -> tuple[dict[str, QueryResult], int, tuple[str, ...]]:
    """500 queries per call, every NextToken page followed; results by query id, calls
    made, and the calls' top-level Messages."""
    results: dict[str, QueryResult] = {query["Id"]: QueryResult() for query in queries}
    messages: list[str] = []
    calls = 0
    with translated(clients.profile_name):
        for chunk in chunks(queries, MAX_QUERIES_PER_CALL):
            request: dict[str, Any] = {
                "MetricDataQueries": list(chunk),
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            }
            while True:
                response = clients.cloudwatch.get_metric_data(**request)
                calls += 1
                for result in response.get("MetricDataResults", []):
                    gathered = results.get(result["Id"])
                    if gathered is not None:
                        gathered.add(result)
                messages.extend(
                    line
                    for line in message_lines(response.get("Messages", []))
                    if line not in messages
                )
                token = response.get("NextToken")
                if not token:
                    break
                request["NextToken"] = token
    return results, calls, tuple(messages)

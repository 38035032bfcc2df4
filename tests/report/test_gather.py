"""The report's data from a recorded session on moto: the timeline, the verdicts per change
interval, and the GetMetricData calls (fetched once)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from canary_tui.aws.backend import Backend
from canary_tui.domain.metrics import BASE_METRICS, DataStatus, MetricKey, aligned_window
from canary_tui.domain.verdict import Outcome, VerdictThresholds
from canary_tui.report.content import charts
from canary_tui.report.gather import ReportData, gather
from canary_tui.report.timeline import AuditLogSource
from tests.aws.faults import FaultInjector
from tests.report.scenario import ENDPOINT, REASON, record_session

PERIOD = 60


def _report(backend: Backend, session: Any, thresholds: VerdictThresholds) -> ReportData:
    endpoint = backend.sagemaker.describe_endpoint(ENDPOINT)
    until = datetime.now(UTC)
    since = session.start
    window = aligned_window(until, until - since, PERIOD)
    return gather(
        endpoint,
        backend.cloudwatch,
        [AuditLogSource(session.audit.read(ENDPOINT).entries)],
        asked=(since, until),
        window=window,
        period_seconds=PERIOD,
        thresholds=thresholds,
        generated_at=until,
    )


def test_timeline_intervals_verdicts_and_one_fetch(
    faulty_backend: Backend,
    faults: FaultInjector,
    canary_endpoint: str,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    tmp_path: Path,
) -> None:
    session = record_session(
        faulty_backend, sagemaker_client, cloudwatch_client, tmp_path / "audit.jsonl"
    )
    before = faults.calls_to("GetMetricData")
    thresholds = VerdictThresholds(min_requests=100, min_periods=5)
    data = _report(faulty_backend, session, thresholds)

    # Our change (intent + outcome, who, why), then the outside one DescribeEndpoint shows.
    ours, outside = data.timeline.events
    assert (ours.kind, ours.origin, ours.result, ours.reason) == (
        "weights",
        "cli",
        "applied",
        REASON,
    )
    assert ours.time == session.change_time and ours.traffic_after == {
        "current-model": 70.0,
        "new-model": 30.0,
    }
    assert "new-model 10.0% -> 30.0%" in ours.summary
    assert outside.kind == "outside" and outside.origin == "outside canary-tui"
    assert "new-model 30.0% -> 50.0%" in outside.summary
    assert data.timeline.sources == ("audit log",)

    # The outside change happened after ours and by LastModifiedTime: no more is known.
    assert outside.not_before is not None and outside.not_before >= session.change_time
    # Three intervals: 90/10 before ours; after it, the split is not known (someone changed
    # it at an unknown time since); 50/50 from LastModifiedTime (too short: no whole period).
    first, second, third = data.interval_verdicts
    assert first.interval.traffic == {"current-model": 90.0, "new-model": 10.0}
    assert second.interval.traffic is None and "unknown" in second.interval.traffic_note
    assert third.interval.traffic == {"current-model": 50.0, "new-model": 50.0}
    assert third.verdict is None and "no whole period" in (third.why or "")
    # The first is judged against the split it was served with: no traffic_split FAIL.
    assert first.verdict is not None
    split = first.verdict.canary("new-model").check("traffic_split")
    assert split.outcome is Outcome.PASS, split.reason
    # The second: errors and latency judged, the split not judged against a guess.
    assert second.verdict is not None
    checks = {check.name for check in second.verdict.canary("new-model").checks}
    assert "traffic_split" not in checks and {"errors_5xx", "latency"} <= checks
    assert any("traffic split not judged" in note for note in second.verdict.notes)
    # The first interval's periods end before the minute our change was made in.
    assert first.interval.judged_end <= session.change_time
    assert second.interval.judged_start > session.change_time
    # The whole window: errors and latency over it all; the split, which changed twice,
    # per interval only.
    assert data.verdict is not None
    whole = {check.name for check in data.verdict.canary("new-model").checks}
    assert "traffic_split" not in whole and "errors_5xx" in whole
    assert any("judged per interval below" in note for note in data.verdict.notes)

    # Fetched once: 6 queries a variant, one call for them, plus moto's percentile probe
    # (the plain query after the failed percentile one); the verdicts made no call.
    calls = faults.calls_to("GetMetricData") - before
    assert data.series_queries == len(BASE_METRICS) * 2
    assert data.series_calls == math.ceil(data.series_queries / 500) == 1
    assert calls == data.batch.api_calls == 1 + 2
    assert faults.calls_to("DescribeEndpoint") >= 1


def test_partial_data_is_nodata_and_named_never_a_zero(
    faulty_backend: Backend,
    faults: FaultInjector,
    canary_endpoint: str,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    tmp_path: Path,
) -> None:
    session = record_session(
        faulty_backend,
        sagemaker_client,
        cloudwatch_client,
        tmp_path / "audit.jsonl",
        outside_change=False,
    )

    def partial_5xx_for_the_canary(parsed: dict[str, Any]) -> None:
        for result in parsed.get("MetricDataResults", []):
            if result["Id"] == "q1_errors_5xx":
                result["StatusCode"] = "PartialData"
                result["Timestamps"], result["Values"] = [], []

    faults.rewrite("GetMetricData", partial_5xx_for_the_canary)
    data = _report(faulty_backend, session, VerdictThresholds(min_requests=100, min_periods=5))
    assert len(data.timeline.events) == 1
    canary = next(ref for ref in data.batch.variants if ref.variant == "new-model")
    errors = data.batch.variants[canary].series[MetricKey.ERRORS_5XX]
    assert errors.status is DataStatus.PARTIAL_DATA and not errors.complete
    assert data.verdict is not None
    check = data.verdict.canary("new-model").check("errors_5xx")
    assert check.classification == "NODATA" and data.verdict.outcome is not Outcome.PASS
    for judged in data.interval_verdicts:
        assert judged.verdict is not None
        assert judged.verdict.canary("new-model").check("errors_5xx").classification == "NODATA"
    [chart] = [c for c in charts(data) if c.slug == "errors_5xx-new-model"]
    assert "PartialData" in chart.status and "missing" in chart.status
    assert "no data (PartialData)" in chart.svg and "missing (PartialData)" in chart.svg

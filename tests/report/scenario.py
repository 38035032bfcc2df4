"""A recorded session on moto: an hour of per-minute metrics for a 90/10 canary, our own
change to 70/30 half-way through made through the real change path (so the audit log holds
its intent and outcome), and a change to 50/50 made outside canary-tui at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeService
from canary_tui.domain.weights import parse_assignments

ENDPOINT = "existing-endpoint-name"
REASON = "INC-142 ramp to 30"
MINUTES = 60


@dataclass(frozen=True)
class Session:
    now: datetime
    change_time: datetime
    audit: AuditLog

    @property
    def start(self) -> datetime:
        return self.now - timedelta(minutes=MINUTES)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _publish(cloudwatch: Any, rows: list[dict[str, Any]]) -> None:
    for index in range(0, len(rows), 500):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=rows[index : index + 500])


def _row(variant: str, metric: str, at: datetime, value: float) -> dict[str, Any]:
    return {
        "MetricName": metric,
        "Dimensions": [
            {"Name": "EndpointName", "Value": ENDPOINT},
            {"Name": "VariantName", "Value": variant},
        ],
        "Timestamp": at,
        "Value": value,
    }


def record_session(
    backend: Backend,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    audit_path: Path,
    *,
    outside_change: bool = True,
    reason: str = REASON,
) -> Session:
    now = _minute(datetime.now(UTC))
    change_time = now - timedelta(minutes=MINUTES // 2, seconds=-20)
    rows: list[dict[str, Any]] = []
    for minute in range(MINUTES):
        at = now - timedelta(minutes=MINUTES - minute)
        canary_share = 0.1 if at < change_time else 0.3
        for variant, share in (("current-model", 1 - canary_share), ("new-model", canary_share)):
            requests = round(1000 * share)
            rows.append(_row(variant, "Invocations", at, requests))
            rows.append(_row(variant, "Invocation5XXErrors", at, 1 if minute % 10 == 0 else 0))
            rows.append(_row(variant, "Invocation4XXErrors", at, 0))
            rows.append(_row(variant, "InvocationModelErrors", at, 0))
            rows.append(_row(variant, "ModelLatency", at, 40_000 + 500 * (minute % 5)))
            rows.append(_row(variant, "OverheadLatency", at, 2_000))
    _publish(cloudwatch_client, rows)
    audit = AuditLog(audit_path, clock=lambda: change_time)
    service = ChangeService(backend, audit, "cli")
    confirmed = backend.sagemaker.describe_endpoint(ENDPOINT)
    plan = parse_assignments(confirmed, ["current-model=70%", "new-model=30%"])
    service.apply(plan, confirmed, reason=reason)
    if outside_change:
        sagemaker_client.update_endpoint_weights_and_capacities(
            EndpointName=ENDPOINT,
            DesiredWeightsAndCapacities=[
                {"VariantName": "current-model", "DesiredWeight": 0.5},
                {"VariantName": "new-model", "DesiredWeight": 0.5},
            ],
        )
    return Session(now, change_time, AuditLog(audit_path))

"""A CloudTrail Event history for the demo server ONLY: moto has no LookupEvents.

Every UpdateEndpointWeightsAndCapacities the demo server answers is recorded as CloudTrail
records it (eventTime, userIdentity.arn, userAgent, camelCase requestParameters, errorCode
when refused), and LookupEvents answers by EventName with a time range and pages of
MaxResults, newest first, as the real API does. So in the demo, a change made with the AWS
CLI shows in ``canary-tui who-changed`` as made outside canary-tui (its user agent), and
canary-tui's own as its own. Applied in the demo's moto child process, like
:mod:`canary_tui.demo.moto_patches`; the tests of our gateway use botocore's Stubber.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

#: What moto's STS says the demo's caller is.
DEMO_CALLER = "arn:aws:sts::123456789012:user/moto"
_MAX_EVENTS = 10_000

_events: list[dict[str, Any]] = []
_lock = threading.Lock()


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value


def record_call(name: str, parameters: dict[str, Any], agent: str, error: str | None) -> None:
    now = datetime.now(UTC)
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": DEMO_CALLER},
        "eventTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": name,
        "userAgent": agent,
        "requestParameters": _camel(parameters),
        "eventID": str(uuid.uuid4()),
    }
    if error is not None:
        record["errorCode"] = error
    with _lock:
        _events.append(
            {
                "EventId": record["eventID"],
                "EventName": name,
                "EventTime": now.timestamp(),
                "EventSource": "sagemaker.amazonaws.com",
                "Username": "moto",
                "CloudTrailEvent": json.dumps(record),
            }
        )
        del _events[:-_MAX_EVENTS]


def _recorded(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_endpoint_weights_and_capacities(self: Any) -> Any:
        parameters = {
            "EndpointName": self._get_param("EndpointName"),
            "DesiredWeightsAndCapacities": self._get_param("DesiredWeightsAndCapacities"),
        }
        agent = str(self.headers.get("User-Agent", ""))
        try:
            answer = original(self)
        except Exception as error:
            record_call(
                "UpdateEndpointWeightsAndCapacities",
                parameters,
                agent,
                getattr(error, "error_type", type(error).__name__),
            )
            raise
        record_call("UpdateEndpointWeightsAndCapacities", parameters, agent, None)
        return answer

    return update_endpoint_weights_and_capacities


def lookup_events(self: Any) -> str:
    attributes = self._get_param("LookupAttributes") or []
    wanted = {a.get("AttributeValue") for a in attributes if a.get("AttributeKey") == "EventName"}
    start = self._get_param("StartTime")
    end = self._get_param("EndTime")
    limit = int(self._get_param("MaxResults") or 50)
    offset = int(self._get_param("NextToken") or 0)
    with _lock:
        found = [
            event
            for event in reversed(_events)  # newest first, as Event history answers
            if (not wanted or event["EventName"] in wanted)
            and (start is None or event["EventTime"] >= float(start))
            and (end is None or event["EventTime"] <= float(end))
        ]
    page = found[offset : offset + limit]
    answer: dict[str, Any] = {"Events": page}
    if offset + limit < len(found):
        answer["NextToken"] = str(offset + limit)
    return json.dumps(answer)


def apply_demo_cloudtrail() -> None:
    """Install the recording and LookupEvents in this process. Idempotent."""
    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.sagemaker.responses import SageMakerResponse

    if getattr(CloudTrailResponse, "lookup_events", None) is lookup_events:
        return
    SageMakerResponse.update_endpoint_weights_and_capacities = _recorded(  # type: ignore[method-assign]
        SageMakerResponse.update_endpoint_weights_and_capacities
    )
    CloudTrailResponse.lookup_events = lookup_events  # type: ignore[attr-defined]

"""Who changed an endpoint, from CloudTrail (issue 17). moto has no LookupEvents, so the
gateway is tested with botocore's Stubber: its requests and responses are checked against
CloudTrail's service model. The event bodies follow the documented SageMaker record
(camelCase ``requestParameters``, ``userIdentity.arn``, ``userAgent``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from canary_tui.aws.cloudtrail import CloudTrailGateway
from canary_tui.aws.errors import AccessDenied
from canary_tui.domain.trail_events import parse_trail_event

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=24)
ALICE = "arn:aws:sts::123456789012:assumed-role/ops/alice"


def event(
    name: str,
    endpoint: str,
    at: datetime,
    *,
    agent: str = "aws-cli/2.15.0 Python/3.11",
    error: str | None = None,
    **parameters: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "arn": ALICE},
        "eventTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": name,
        "userAgent": agent,
        "requestParameters": {"endpointName": endpoint, **parameters},
    }
    if error:
        record["errorCode"] = error
    return {
        "EventId": f"id-{at:%H%M}-{endpoint}",
        "EventName": name,
        "EventTime": at,
        "CloudTrailEvent": json.dumps(record),
    }


WEIGHTS = {
    "desiredWeightsAndCapacities": [
        {"variantName": "current-model", "desiredWeight": 0.7},
        {"variantName": "new-model", "desiredWeight": 0.3},
    ]
}


def lookup(name: str, token: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}],
        "StartTime": START,
        "EndTime": END,
        "MaxResults": 50,
    }
    if token:
        request["NextToken"] = token
    return request


@pytest.fixture
def client() -> Any:
    return boto3.client("cloudtrail", region_name="us-east-1")


def test_changes_of_the_endpoint_across_pages_oldest_first(client: Any) -> None:
    weights = "UpdateEndpointWeightsAndCapacities"
    with Stubber(client) as stub:
        stub.add_response(
            "lookup_events",
            {
                "Events": [
                    event(weights, "shop", START + timedelta(hours=3), **WEIGHTS),
                    event(weights, "another-endpoint", START + timedelta(hours=2), **WEIGHTS),
                ],
                "NextToken": "page-2",
            },
            lookup(weights),
        )
        stub.add_response(
            "lookup_events",
            {
                "Events": [
                    event(
                        weights,
                        "shop",
                        START + timedelta(hours=1),
                        agent="Boto3/1.35 canary-tui/0.1.0",
                        **WEIGHTS,
                    )
                ]
            },
            lookup(weights, "page-2"),
        )
        stub.add_response(
            "lookup_events",
            {
                "Events": [
                    event(
                        "UpdateEndpoint",
                        "shop",
                        START + timedelta(hours=2),
                        endpointConfigName="shop-v2",
                    )
                ]
            },
            lookup("UpdateEndpoint"),
        )
        reading = CloudTrailGateway(lambda: client).endpoint_changes("shop", START, END)
        stub.assert_no_pending_responses()
    assert reading.calls == 3 and not reading.truncated
    assert [(c.time.hour, c.event, c.by_canary_tui) for c in reading.changes] == [
        (10, weights, True),
        (11, "UpdateEndpoint", False),
        (12, weights, False),
    ]
    outside = reading.changes[2]
    assert outside.caller == ALICE
    assert outside.weights == {"current-model": 0.7, "new-model": 0.3}
    assert outside.summary == "current-model 70.0%, new-model 30.0%"
    assert reading.changes[1].summary == "config -> shop-v2"


def test_more_pages_than_allowed_is_said(client: Any) -> None:
    with Stubber(client) as stub:
        for name in ("UpdateEndpointWeightsAndCapacities", "UpdateEndpoint"):
            stub.add_response("lookup_events", {"Events": [], "NextToken": "more"}, lookup(name))
        reading = CloudTrailGateway(lambda: client).endpoint_changes(
            "shop", START, END, max_pages=1
        )
    assert reading.truncated and reading.calls == 2 and reading.changes == ()


def test_access_denied_is_a_typed_error(client: Any) -> None:
    with Stubber(client) as stub:
        stub.add_client_error(
            "lookup_events",
            "AccessDeniedException",
            "not authorized",
            400,
            lookup("UpdateEndpointWeightsAndCapacities"),
        )
        with pytest.raises(AccessDenied):
            CloudTrailGateway(lambda: client).endpoint_changes("shop", START, END)


@pytest.mark.parametrize(
    "body",
    ["not json", json.dumps([1]), json.dumps({"eventName": "UpdateEndpoint"})],
)
def test_unreadable_records_are_left_out(body: str) -> None:
    assert parse_trail_event({"CloudTrailEvent": body}, "shop") is None


def test_a_refused_call_says_so() -> None:
    refused = event(
        "UpdateEndpointWeightsAndCapacities", "shop", START, error="ValidationException", **WEIGHTS
    )
    change = parse_trail_event(refused, "shop")
    assert change is not None and change.summary.endswith("(refused: ValidationException)")

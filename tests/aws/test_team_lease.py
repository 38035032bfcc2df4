"""The shared lease on the team table, against moto's DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws

from canary_tui.aws.dynamodb import LeaseHeld, LeaseLost, TeamTable, create_table_requests
from canary_tui.aws.errors import ServiceUnavailable
from canary_tui.team_lease import Lease

ALICE = "arn:aws:sts::123456789012:assumed-role/ops/alice"
BOB = "arn:aws:sts::123456789012:assumed-role/ops/bob"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0  # 2026-09-21T14:13:20Z

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name="eu-west-1")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def table(client: Any, clock: Clock) -> TeamTable:
    team = TeamTable(client, "canary-team", clock=clock)
    team.create()
    return team


def take(table: TeamTable, owner: str, **kwargs: Any) -> Lease:
    return table.acquire(
        "shop", "eu-west-1", owner_arn=owner, host="laptop-1", command="ramp step 2/4", **kwargs
    )


def test_create_sets_key_and_ttl(client: Any, table: TeamTable) -> None:
    described = client.describe_table(TableName="canary-team")["Table"]
    assert described["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    ttl = client.describe_time_to_live(TableName="canary-team")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    assert create_table_requests("t")[1]["TimeToLiveSpecification"]["Enabled"] is True


def test_second_owner_is_refused_with_the_holder(table: TeamTable) -> None:
    take(table, ALICE)
    with pytest.raises(LeaseHeld) as refused:
        take(table, BOB)
    assert refused.value.holder is not None and refused.value.holder.owner_arn == ALICE
    assert str(refused.value) == (
        f"shop is held by {ALICE} on laptop-1 since 14:13 UTC (ramp step 2/4); nothing was sent"
    )


def test_expired_lease_is_taken_over(table: TeamTable, clock: Clock) -> None:
    first = take(table, ALICE, seconds=60)
    clock.now += 61
    second = take(table, BOB)
    assert second.owner_arn == BOB
    with pytest.raises(LeaseLost):
        table.renew(first, "eu-west-1")
    assert table.release(first, "eu-west-1") is False
    holder = table.holder("shop", "eu-west-1")
    assert holder is not None and holder.owner_arn == BOB


def test_heartbeat_keeps_it_and_release_frees_it(table: TeamTable, clock: Clock) -> None:
    lease = take(table, ALICE, seconds=60)
    clock.now += 50
    lease = table.renew(lease, "eu-west-1", seconds=60)
    clock.now += 50  # past the first expiry, inside the renewed one
    with pytest.raises(LeaseHeld):
        take(table, BOB)
    assert table.release(lease, "eu-west-1") is True
    assert take(table, BOB).owner_arn == BOB


def test_retried_put_whose_answer_was_lost_is_ours(client: Any, table: TeamTable) -> None:
    lost: list[str] = []

    def lose_answer(**_: Any) -> None:
        if not lost:
            lost.append("once")
            raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com")

    client.meta.events.register("after-call.dynamodb.PutItem", lose_answer)
    with pytest.raises(ServiceUnavailable):
        take(table, ALICE, token="t-1")
    # The put landed; the item now looks held. Retried with the same token it is ours.
    assert table.holder("shop", "eu-west-1") is not None
    lease = take(table, ALICE, token="t-1")
    assert lease.token == "t-1"
    with pytest.raises(LeaseHeld):
        take(table, ALICE, token="another-run")

"""DynamoDB gateway for the team table: shared leases per endpoint (boto3 only, typed errors).

Opt-in: nothing here is called unless the user names a team table. Every write is conditional:
take only if absent, expired, or already ours (same token); renew and release only while ours.
A ConditionalCheckFailedException asks for the item back (ReturnValuesOnConditionCheckFailure
ALL_OLD) so a refusal names the holder without a second read.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from canary_tui.aws.errors import AwsError, translated
from canary_tui.team_lease import (
    DEFAULT_LEASE_SECONDS,
    Lease,
    lease_from_item,
    lease_item,
    lease_key,
)

TTL_ATTRIBUTE = "expires_at"


class LeaseHeld(AwsError):
    """Someone else holds the endpoint's shared lease; nothing was sent to SageMaker."""

    kind = "lease-held"

    def __init__(self, message: str, holder: Lease | None) -> None:
        super().__init__(message)
        self.holder = holder


class LeaseLost(AwsError):
    """Our lease was broken or taken over after expiring: stop changing the endpoint."""

    kind = "lease-lost"


def create_table_requests(table: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """CreateTable and UpdateTimeToLive parameters for the team table."""
    create = {
        "TableName": table,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    ttl = {
        "TableName": table,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    }
    return create, ttl


def _condition_failed(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) == "ConditionalCheckFailedException"


class TeamTable:
    """One team table; ``client`` is a boto3 DynamoDB client."""

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        profile: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self.table = table
        self._profile = profile
        self._clock = clock

    def create(self) -> None:
        create, ttl = create_table_requests(self.table)
        with translated(self._profile):
            self._client.create_table(**create)
            self._client.get_waiter("table_exists").wait(TableName=self.table)
            self._client.update_time_to_live(**ttl)

    def acquire(
        self,
        endpoint: str,
        region: str | None,
        *,
        owner_arn: str,
        host: str,
        command: str,
        seconds: int = DEFAULT_LEASE_SECONDS,
        token: str | None = None,
    ) -> Lease:
        now = int(self._clock())
        lease = Lease(
            endpoint=endpoint,
            owner_arn=owner_arn,
            host=host,
            command=command,
            since=now,
            expires_at=now + seconds,
            token=token or secrets.token_hex(16),
        )
        try:
            with translated(self._profile):
                try:
                    self._client.put_item(
                        TableName=self.table,
                        Item=lease_item(lease, region),
                        ConditionExpression=(
                            "attribute_not_exists(pk) OR #exp <= :now OR #tok = :tok"
                        ),
                        ExpressionAttributeNames={"#exp": TTL_ATTRIBUTE, "#tok": "token"},
                        ExpressionAttributeValues={
                            ":now": {"N": str(now)},
                            ":tok": {"S": lease.token},
                        },
                        ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    )
                except ClientError as error:
                    if not _condition_failed(error):
                        raise
                    old: Any = error.response.get("Item") or {}
                    holder = lease_from_item(old)
                    if holder is not None and holder.is_ours(lease.token):
                        return holder  # our earlier put landed; its answer was lost
                    if holder is None:
                        holder = self.holder(endpoint, region)
                    text = holder.refusal() if holder else f"{endpoint} is held by someone else"
                    raise LeaseHeld(text, holder) from error
        except LeaseHeld:
            raise
        return lease

    def renew(
        self, lease: Lease, region: str | None, seconds: int = DEFAULT_LEASE_SECONDS
    ) -> Lease:
        expires = int(self._clock()) + seconds
        try:
            with translated(self._profile):
                try:
                    self._client.update_item(
                        TableName=self.table,
                        Key={"pk": {"S": lease_key(lease.endpoint, region)}},
                        UpdateExpression="SET #exp = :exp",
                        ConditionExpression="#tok = :tok",
                        ExpressionAttributeNames={"#exp": TTL_ATTRIBUTE, "#tok": "token"},
                        ExpressionAttributeValues={
                            ":exp": {"N": str(expires)},
                            ":tok": {"S": lease.token},
                        },
                    )
                except ClientError as error:
                    if _condition_failed(error):
                        raise LeaseLost(
                            f"the shared lease on {lease.endpoint} is no longer ours"
                        ) from error
                    raise
        except LeaseLost:
            raise
        return Lease(**{**_fields(lease), "expires_at": expires})

    def release(self, lease: Lease, region: str | None) -> bool:
        """Delete the lease if it is still ours; False if someone else has it now."""
        with translated(self._profile):
            try:
                self._client.delete_item(
                    TableName=self.table,
                    Key={"pk": {"S": lease_key(lease.endpoint, region)}},
                    ConditionExpression="#tok = :tok",
                    ExpressionAttributeNames={"#tok": "token"},
                    ExpressionAttributeValues={":tok": {"S": lease.token}},
                )
            except ClientError as error:
                if _condition_failed(error):
                    return False
                raise
        return True

    def holder(self, endpoint: str, region: str | None) -> Lease | None:
        with translated(self._profile):
            answer = self._client.get_item(
                TableName=self.table,
                Key={"pk": {"S": lease_key(endpoint, region)}},
                ConsistentRead=True,
            )
        return lease_from_item(answer.get("Item") or {})


def _fields(lease: Lease) -> dict[str, Any]:
    return {name: getattr(lease, name) for name in Lease.__slots__}

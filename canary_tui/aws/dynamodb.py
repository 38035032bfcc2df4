"""DynamoDB gateway for the team table: shared leases per endpoint (boto3 only, typed errors).

Opt-in: nothing here is called unless the user names a team table. Every write is conditional:
take only if absent, expired, or already ours (same token); renew and release only while ours.
A ConditionalCheckFailedException asks for the item back (ReturnValuesOnConditionCheckFailure
ALL_OLD) so a refusal names the holder without a second read.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from canary_tui.aws.errors import AwsError, translated
from canary_tui.team_lease import (
    DEFAULT_LEASE_SECONDS,
    LEASE_SORT_KEY,
    Lease,
    audit_key,
    audit_sort_key,
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
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        # pk: a lease or an endpoint's audit trail; sk: "lease", or time#change#phase so
        # one Query reads an endpoint's trail in order.
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
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
        pid: int = 0,
        replacing: Lease | None = None,
    ) -> Lease:
        """Take the lease if it is free, expired or ours (same token); with ``replacing``,
        also while it is still exactly that lease (its token): a take-over of a lease whose
        holder is known to be dead."""
        now = int(self._clock())
        lease = Lease(
            endpoint=endpoint,
            owner_arn=owner_arn,
            host=host,
            command=command,
            since=now,
            expires_at=now + seconds,
            token=token or secrets.token_hex(16),
            pid=pid,
        )
        condition = "attribute_not_exists(pk) OR #exp <= :now OR #tok = :tok"
        values = {":now": {"N": str(now)}, ":tok": {"S": lease.token}}
        if replacing is not None:
            condition += " OR #tok = :old"
            values[":old"] = {"S": replacing.token}
        try:
            with translated(self._profile):
                try:
                    self._client.put_item(
                        TableName=self.table,
                        Item=lease_item(lease, region),
                        ConditionExpression=condition,
                        ExpressionAttributeNames={"#exp": TTL_ATTRIBUTE, "#tok": "token"},
                        ExpressionAttributeValues=values,
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
        self,
        lease: Lease,
        region: str | None,
        seconds: int = DEFAULT_LEASE_SECONDS,
        *,
        command: str | None = None,
    ) -> Lease:
        """Extend our lease (and say what it is for now, e.g. ``ramp step 2/4``);
        :class:`LeaseLost` once it is not ours."""
        expires = int(self._clock()) + seconds
        command = command if command is not None else lease.command
        try:
            with translated(self._profile):
                try:
                    self._client.update_item(
                        TableName=self.table,
                        Key=_lease_item_key(lease.endpoint, region),
                        UpdateExpression="SET #exp = :exp, #cmd = :cmd",
                        ConditionExpression="#tok = :tok",
                        ExpressionAttributeNames={
                            "#exp": TTL_ATTRIBUTE,
                            "#tok": "token",
                            "#cmd": "command",
                        },
                        ExpressionAttributeValues={
                            ":exp": {"N": str(expires)},
                            ":tok": {"S": lease.token},
                            ":cmd": {"S": command},
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
        return Lease(**{**_fields(lease), "expires_at": expires, "command": command})

    def release(self, lease: Lease, region: str | None) -> bool:
        """Delete the lease if it is still ours; False if someone else has it now."""
        with translated(self._profile):
            try:
                self._client.delete_item(
                    TableName=self.table,
                    Key=_lease_item_key(lease.endpoint, region),
                    ConditionExpression="#tok = :tok",
                    ExpressionAttributeNames={"#tok": "token"},
                    ExpressionAttributeValues={":tok": {"S": lease.token}},
                )
            except ClientError as error:
                if _condition_failed(error):
                    return False
                raise
        return True

    def break_lease(self, holder: Lease, region: str | None) -> bool:
        """Delete ``holder``'s lease, only if it is still the one the person was shown
        (same token): a lease taken since is not broken by a stale confirmation."""
        return self.release(holder, region)

    def holder(self, endpoint: str, region: str | None) -> Lease | None:
        with translated(self._profile):
            answer = self._client.get_item(
                TableName=self.table,
                Key=_lease_item_key(endpoint, region),
                ConsistentRead=True,
            )
        return lease_from_item(answer.get("Item") or {})


def _fields(lease: Lease) -> dict[str, Any]:
    return {name: getattr(lease, name) for name in Lease.__slots__}


def _lease_item_key(endpoint: str, region: str | None) -> dict[str, dict[str, str]]:
    return {"pk": {"S": lease_key(endpoint, region)}, "sk": {"S": LEASE_SORT_KEY}}


class TeamAuditTrail:
    """The team's copy of every audit record (intent and outcome), per endpoint, on the
    same table. The local audit log stays the record of truth for this machine."""

    def __init__(self, client: Any, table: str, *, profile: str | None = None) -> None:
        self._client = client
        self.table = table
        self._profile = profile

    def put(self, record: Mapping[str, Any], endpoint: str, region: str | None) -> None:
        """One audit-log record (as written locally) on the endpoint's trail."""
        change_id = str(record.get("id") or "")
        phase = str(record.get("phase") or "record")
        time_text = str(record.get("time") or "")
        body = json.dumps(record, separators=(",", ":"), allow_nan=False)
        with translated(self._profile):
            # A retried put of the same record writes the same item: idempotent by key.
            self._client.put_item(
                TableName=self.table,
                Item={
                    "pk": {"S": audit_key(endpoint, region)},
                    "sk": {"S": audit_sort_key(time_text, change_id, phase)},
                    "record": {"S": body},
                },
            )

    def records(
        self, endpoint: str, region: str | None, *, since: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """The endpoint's records, oldest first (``since``: an ISO time); at most ``limit``
        (the newest ones are kept when there are more)."""
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": {"S": audit_key(endpoint, region)}}
        if since is not None:
            condition += " AND sk >= :since"
            values[":since"] = {"S": since}
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,  # newest first, so the limit keeps the newest
            "ConsistentRead": True,
        }
        with translated(self._profile):
            while len(found) < limit:
                answer = self._client.query(**request)
                for item in answer.get("Items", []):
                    try:
                        decoded = json.loads(item["record"]["S"])
                    except (KeyError, TypeError, ValueError):
                        continue  # not one of ours: skipped, as the local reader does
                    if isinstance(decoded, dict):
                        found.append(decoded)
                last = answer.get("LastEvaluatedKey")
                if not last:
                    break
                request["ExclusiveStartKey"] = last
        found = found[:limit]
        found.reverse()
        return found

"""Issue 17: the change path with a team table, against moto's SageMaker and DynamoDB.

With ``team_table`` set, a change holds the team's lease from before the guard's re-read
until after the read-back, refuses (nothing sent) while a teammate holds it, stops when its
lease was broken since it was taken, and copies its audit records to the team's trail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.dynamodb import TeamTable
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import ChangeBusy, ChangeRefused, ChangeService
from canary_tui.domain.weights import parse_assignments

from ..conftest import REGION

TABLE = "canary-team"
BOB = "arn:aws:sts::123456789012:assumed-role/ops/bob"


@pytest.fixture
def dynamodb(moto_url: str) -> Any:
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_url)
    TeamTable(client, TABLE).create()
    return client


@pytest.fixture
def team_backend(moto_url: str, dynamodb: Any) -> Backend:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url), config=client_config(max_attempts=1)
    )
    return build_backend(clients, label="test", team_table=TABLE)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def weights_of(sagemaker_client: Any, endpoint: str) -> dict[str, float]:
    live = sagemaker_client.describe_endpoint(EndpointName=endpoint)
    return {v["VariantName"]: v["DesiredWeight"] for v in live["ProductionVariants"]}


def results(audit: AuditLog) -> list[str | None]:
    return [entry.result for entry in audit.entries()]


def test_a_change_takes_and_frees_the_lease_and_the_team_sees_its_records(
    team_backend: Backend, audit: AuditLog, canary_endpoint: str, dynamodb: Any
) -> None:
    service = ChangeService(team_backend, audit, "cli")
    confirmed = team_backend.sagemaker.describe_endpoint(canary_endpoint)
    seen_during: list[Any] = []
    original = team_backend.sagemaker.update_weights_and_capacities

    def update(request: Any) -> str:
        seen_during.append(TeamTable(dynamodb, TABLE).holder(canary_endpoint, REGION))
        return original(request)

    team_backend.sagemaker.update_weights_and_capacities = update  # type: ignore[method-assign]
    result = service.apply(
        parse_assignments(confirmed, ["new-model=25%", "current-model=75%"]), confirmed
    )

    holder = seen_during[0]
    assert holder is not None and holder.owner_arn == "arn:aws:sts::123456789012:user/moto"
    assert "canary-tui" in holder.command
    assert TeamTable(dynamodb, TABLE).holder(canary_endpoint, REGION) is None  # released
    assert team_backend.team is not None
    shared = team_backend.team.trail.records(canary_endpoint, REGION)
    local = [json.loads(line) for line in audit.path.read_text().splitlines()]
    assert shared == local  # the same records, intent then outcome
    assert [record["phase"] for record in shared] == ["intent", "outcome"]
    assert shared[0]["id"] == result.change_id and shared[1]["result"] == "applied"


def test_a_teammates_lease_refuses_the_change_and_names_them(
    team_backend: Backend,
    audit: AuditLog,
    canary_endpoint: str,
    dynamodb: Any,
    sagemaker_client: Any,
) -> None:
    TeamTable(dynamodb, TABLE).acquire(
        canary_endpoint, REGION, owner_arn=BOB, host="bob-laptop", command="ramp step 2/4"
    )
    service = ChangeService(team_backend, audit, "cli")
    confirmed = team_backend.sagemaker.describe_endpoint(canary_endpoint)
    with pytest.raises(ChangeBusy) as refused:
        service.apply(
            parse_assignments(confirmed, ["new-model=50%", "current-model=50%"]), confirmed
        )
    assert f"held by {BOB} on bob-laptop since" in refused.value.message
    assert "(ramp step 2/4); nothing was sent" in refused.value.message
    assert weights_of(sagemaker_client, canary_endpoint) == {
        "current-model": 0.9,
        "new-model": 0.1,
    }
    assert results(audit) == ["refused"]


def test_a_lease_broken_since_it_was_taken_stops_the_write(
    team_backend: Backend,
    audit: AuditLog,
    canary_endpoint: str,
    dynamodb: Any,
    sagemaker_client: Any,
) -> None:
    service = ChangeService(team_backend, audit, "cli")
    confirmed = team_backend.sagemaker.describe_endpoint(canary_endpoint)
    other = TeamTable(dynamodb, TABLE)
    assert team_backend.team is not None
    with service.lock(canary_endpoint):  # as the CLI holds it while it shows the plan
        ours = other.holder(canary_endpoint, REGION)
        assert ours is not None
        assert other.break_lease(ours, REGION)  # a teammate breaks it (confirmed, audited)
        other.acquire(canary_endpoint, REGION, owner_arn=BOB, host="bob", command="set-weights")
        team_backend.team.leases.beat()  # our heartbeat finds it gone
        with pytest.raises(ChangeRefused) as refused:
            service.apply(
                parse_assignments(confirmed, ["new-model=50%", "current-model=50%"]), confirmed
            )
    assert "was broken or taken over" in refused.value.message
    assert weights_of(sagemaker_client, canary_endpoint)["new-model"] == 0.1
    assert results(audit) == ["refused"]
    holder = other.holder(canary_endpoint, REGION)
    assert holder is not None and holder.owner_arn == BOB  # ours was not released over his


def test_no_team_table_no_lease_no_change(
    moto_url: str, audit: AuditLog, canary_endpoint: str, sagemaker_client: Any
) -> None:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url), config=client_config(max_attempts=1)
    )
    backend = build_backend(clients, label="test", team_table="no-such-table")
    service = ChangeService(backend, audit, "cli")
    confirmed = backend.sagemaker.describe_endpoint(canary_endpoint)
    with pytest.raises(ChangeBusy) as refused:
        service.apply(
            parse_assignments(confirmed, ["new-model=50%", "current-model=50%"]), confirmed
        )
    assert refused.value.message.startswith("the team table no-such-table cannot be used (")
    assert "nothing was sent (CANARY_TUI_TEAM_TABLE= works without" in refused.value.message
    assert weights_of(sagemaker_client, canary_endpoint)["new-model"] == 0.1


def test_without_a_team_table_no_dynamodb_call_is_made(
    backend: Backend, audit: AuditLog, canary_endpoint: str
) -> None:
    assert backend.team is None
    service = ChangeService(backend, audit, "cli")
    confirmed = backend.sagemaker.describe_endpoint(canary_endpoint)
    service.apply(parse_assignments(confirmed, ["new-model=20%", "current-model=80%"]), confirmed)
    assert audit.mirror is None


def dead_pid() -> int:
    import subprocess
    import sys

    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


MOTO_CALLER = "arn:aws:sts::123456789012:user/moto"


@pytest.mark.parametrize(
    ("owner", "same_host", "taken_over"),
    [(MOTO_CALLER, True, True), (BOB, True, False), (MOTO_CALLER, False, False)],
)
def test_a_lease_left_by_our_own_dead_run_on_this_host_is_taken_over(
    team_backend: Backend,
    audit: AuditLog,
    canary_endpoint: str,
    dynamodb: Any,
    sagemaker_client: Any,
    owner: str,
    same_host: bool,
    taken_over: bool,
) -> None:
    """kill -9 in the middle of a change leaves the lease until its TTL: the same operator's
    next run on the same host need not wait two minutes in an incident. Anyone else waits."""
    assert team_backend.team is not None
    leases = team_backend.team.leases
    said: list[str] = []
    leases.notify = said.append
    host = leases.host if same_host else "another-host"
    TeamTable(dynamodb, TABLE).acquire(
        canary_endpoint, REGION, owner_arn=owner, host=host, command="set-weights", pid=dead_pid()
    )
    service = ChangeService(team_backend, audit, "cli")
    confirmed = team_backend.sagemaker.describe_endpoint(canary_endpoint)
    plan = parse_assignments(confirmed, ["new-model=50%", "current-model=50%"])
    if taken_over:
        service.apply(plan, confirmed)
        assert weights_of(sagemaker_client, canary_endpoint)["new-model"] == 0.5
        assert said and said[0].startswith(f"took over the shared lease on {canary_endpoint}")
    else:
        with pytest.raises(ChangeBusy):
            service.apply(plan, confirmed)
        assert weights_of(sagemaker_client, canary_endpoint)["new-model"] == 0.1

"""The team's trail read back (issue 17): a teammate's change, made on another machine with
its own audit log, shows in this machine's reading of the endpoint (markers, verdict, audit
view), once, and a trail that cannot be read leaves the local reading alone and says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.dynamodb import TeamTable
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import ChangeService
from canary_tui.domain.weights import parse_assignments
from canary_tui.team_audit import TeamAuditReader

from ..conftest import REGION

TABLE = "canary-team"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def machine(moto_url: str, table: str = TABLE) -> Backend:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url), config=client_config(max_attempts=1)
    )
    return build_backend(clients, label="test", team_table=table)


@pytest.fixture
def created(moto_url: str) -> None:
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_url)
    TeamTable(client, TABLE).create()


def change(backend: Backend, audit: AuditLog, endpoint: str, canary: int) -> str:
    confirmed = backend.sagemaker.describe_endpoint(endpoint)
    plan = parse_assignments(confirmed, [f"new-model={canary}%", f"current-model={100 - canary}%"])
    return ChangeService(backend, audit, "cli").apply(plan, confirmed).change_id


def test_a_teammates_change_shows_once_beside_ours(
    created: None, moto_url: str, tmp_path: Path, canary_endpoint: str
) -> None:
    ours, theirs = AuditLog(tmp_path / "ours.jsonl"), AuditLog(tmp_path / "theirs.jsonl")
    here, there = machine(moto_url), machine(moto_url)
    first = change(here, ours, canary_endpoint, 20)
    second = change(there, theirs, canary_endpoint, 30)
    assert here.team is not None
    clock = Clock()
    reader = TeamAuditReader(ours, here.team, region=lambda: REGION, clock=clock)
    entries = reader.read(canary_endpoint).entries
    assert [entry.change_id for entry in entries] == [first, second]
    assert [entry.result for entry in entries] == ["applied", "applied"]
    assert reader.read(None).entries == ours.read(None).entries  # "all": this machine's log
    third = change(there, theirs, canary_endpoint, 40)
    # Within TEAM_TRAIL_SECONDS the trail read is reused; after it, the new change shows.
    assert third not in {e.change_id for e in reader.read(canary_endpoint).entries}
    clock.now += 16
    assert third in {e.change_id for e in reader.read(canary_endpoint).entries}


def test_an_unreadable_trail_leaves_the_local_reading_and_says_why(
    moto_url: str, tmp_path: Path, canary_endpoint: str, created: None
) -> None:
    ours = AuditLog(tmp_path / "ours.jsonl")
    change(machine(moto_url), ours, canary_endpoint, 20)
    missing = machine(moto_url, table="no-such-table")
    assert missing.team is not None
    reader = TeamAuditReader(ours, missing.team, region=lambda: REGION)
    reading = reader.read(canary_endpoint)
    assert reading.entries == ours.read(canary_endpoint).entries
    assert reader.problem is not None and reader.problem.startswith("team table no-such-table:")


def test_records_that_are_not_changes_are_left_out(created: None, moto_url: str) -> None:
    from canary_tui.team_audit import entries_from_records

    records: list[dict[str, Any]] = [
        {"phase": "lease-break", "id": "x", "endpoint": "shop"},
        {"phase": "intent", "id": "broken"},  # no before/after: not usable
    ]
    assert entries_from_records(records) == []

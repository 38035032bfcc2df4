"""Issue 17: a ramp holds the team's lease for its whole drive, and the lease says where it
is ("ramp new-model step 2/4 (baking)"); a teammate's change meanwhile is refused with that,
nothing sent; when the ramp is over the lease is free."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import build_backend
from canary_tui.aws.dynamodb import TeamTable
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import ChangeBusy, ChangeService
from canary_tui.domain.ramp import Phase
from canary_tui.domain.weights import parse_assignments
from tests.aws.test_ramp_runner import CANARY, ENDPOINT, MINUTE, T0, Harness, plan

from ..conftest import REGION

TABLE = "canary-team"


def test_a_ramp_holds_the_lease_and_a_teammates_change_is_refused(
    moto_url: str,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    canary_endpoint: str,
    tmp_path: Path,
) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_url)
    table = TeamTable(dynamodb, TABLE)
    table.create()

    def machine() -> Any:
        clients = AwsClients(
            AwsTarget(region=REGION, endpoint_url=moto_url), config=client_config(max_attempts=1)
        )
        return build_backend(clients, label="test", team_table=TABLE)

    harness = Harness(machine(), sagemaker_client, cloudwatch_client, tmp_path, "healthy")
    teammate = machine()
    seen: list[str] = []
    refusals: list[str] = []

    def look(_: Any) -> None:
        holder = table.holder(ENDPOINT, REGION)
        seen.append(holder.command if holder is not None else "free")

    def teammate_changes() -> None:
        confirmed = teammate.sagemaker.describe_endpoint(ENDPOINT)
        plan_ = parse_assignments(confirmed, ["new-model=0%", "current-model=100%"])
        service = ChangeService(teammate, AuditLog(tmp_path / "teammate.jsonl"), "cli")
        try:
            service.apply(plan_, confirmed)
        except ChangeBusy as busy:
            refusals.append(busy.message)

    harness.clock.hooks.append(look)
    harness.clock.at(T0 + 15 * MINUTE, teammate_changes)
    runner = harness.runner()
    final = runner.run(runner.start(plan(steps=(25.0, 100.0))))

    assert final.phase is Phase.DONE, final.status_reason
    assert f"ramp {CANARY} step 1/2 (baking)" in seen
    assert f"ramp {CANARY} step 2/2 (baking)" in seen
    assert len(refusals) == 1 and "(ramp new-model step 2/2 (baking))" in refusals[0]
    assert harness.weights()[CANARY] == 1.0  # the teammate's rollback was not sent
    assert table.holder(ENDPOINT, REGION) is None

"""``canary-tui team status|break|log`` and ``set-weights`` with a team table, against the
moto server (SageMaker and DynamoDB) through the real CLI."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from canary_tui.aws.dynamodb import TeamTable
from tests.conftest import REGION

TABLE = "canary-team"
BOB = "arn:aws:sts::123456789012:assumed-role/ops/bob"


def _run_main(args: list[str]) -> int:
    from canary_tui.cli.main import main

    try:
        return main(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.fixture
def table(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> TeamTable:
    monkeypatch.setenv("CANARY_TUI_TEAM_TABLE", TABLE)
    monkeypatch.setenv("CANARY_TUI_ENDPOINT_URL", moto_url)
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_url)
    team = TeamTable(client, TABLE)
    team.create()
    return team


def test_set_weights_with_a_team_table_lands_on_the_teams_trail(
    table: TeamTable, canary_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run_main(
        ["set-weights", canary_endpoint, "new-model=30%", "current-model=70%", "--yes"]
    )
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    assert _run_main(["team", "log", canary_endpoint, "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [entry["result"] for entry in log["entries"]] == ["applied"]
    assert _run_main(["team", "status", canary_endpoint]) == 0
    assert capsys.readouterr().out == f"{canary_endpoint}: free (no lease on {TABLE})\n"


def test_a_held_lease_refuses_set_weights_with_exit_6_and_sends_nothing(
    table: TeamTable, canary_endpoint: str, capsys: pytest.CaptureFixture[str], moto_url: str
) -> None:
    table.acquire(canary_endpoint, REGION, owner_arn=BOB, host="bob-laptop", command="ramp")
    code = _run_main(
        ["set-weights", canary_endpoint, "new-model=30%", "current-model=70%", "--yes"]
    )
    err = capsys.readouterr().err
    assert code == 6
    assert f"held by {BOB} on bob-laptop" in err and "Traceback" not in err
    sagemaker: Any = boto3.client("sagemaker", region_name=REGION, endpoint_url=moto_url)
    variants = sagemaker.describe_endpoint(EndpointName=canary_endpoint)["ProductionVariants"]
    assert {v["VariantName"]: v["DesiredWeight"] for v in variants}["new-model"] == 0.1


def test_break_needs_a_person_or_yes_and_is_recorded(
    table: TeamTable, canary_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    table.acquire(canary_endpoint, REGION, owner_arn=BOB, host="bob-laptop", command="ramp")
    assert _run_main(["team", "status", canary_endpoint]) == 0
    assert f"held by {BOB} on bob-laptop since" in capsys.readouterr().out
    # stdin is not a terminal under pytest: no one can confirm.
    assert _run_main(["team", "break", canary_endpoint]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert table.holder(canary_endpoint, REGION) is not None
    assert _run_main(["team", "break", canary_endpoint, "--yes"]) == 0
    assert f"broke the lease of {BOB}" in capsys.readouterr().out
    assert table.holder(canary_endpoint, REGION) is None
    assert _run_main(["team", "log", canary_endpoint, "--json"]) == 0
    breaks = json.loads(capsys.readouterr().out)["lease_breaks"]
    assert [record["broken"]["owner_arn"] for record in breaks] == [BOB]
    assert breaks[0]["caller"] == "arn:aws:sts::123456789012:user/moto"


def test_team_commands_without_a_table_are_bad_input(
    moto_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_main(["team", "status", "shop"]) == 2
    assert capsys.readouterr().err.count("\n") == 1

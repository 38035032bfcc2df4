"""Issue 17: two processes race for one endpoint's team lease on moto's DynamoDB (a server
on loopback, as two operators' machines would share the real table)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3

from canary_tui.aws.dynamodb import TeamTable

from ..conftest import REGION

WORKER = Path(__file__).with_name("team_race_worker.py")
ROUNDS = 15


def test_two_processes_never_hold_the_lease_at_once(moto_url: str, tmp_path: Path) -> None:
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=moto_url)
    TeamTable(client, "canary-team").create()
    marker = tmp_path / "inside"
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    racers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), moto_url, "canary-team", str(marker), str(ROUNDS), who],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for who in ("alice", "bob")
    ]
    outputs = [racer.communicate(timeout=240) for racer in racers]
    for racer, (_out, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err
    lines = sorted(out.strip() for out, _ in outputs)
    assert [line.split()[1:3] for line in lines] == [
        [f"got={ROUNDS}", "overlaps=0"],
        [f"got={ROUNDS}", "overlaps=0"],
    ]
    assert TeamTable(client, "canary-team").holder("shop", REGION) is None  # all released

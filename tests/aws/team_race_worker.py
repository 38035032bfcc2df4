"""One racing "operator" for test_team_race: takes the team lease ROUNDS times through
SharedLeases (the change path's own code), and inside it proves nobody else is inside by
creating a marker file exclusively. Prints how many times it got in and any overlap."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import boto3

from canary_tui.aws.dynamodb import LeaseHeld, TeamTable
from canary_tui.team_coordination import SharedLeases


def main() -> int:
    url, table, marker, rounds, who = sys.argv[1:6]
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=url)
    leases = SharedLeases(TeamTable(client, table), owner=lambda: who, command=f"race {who}")
    got = overlaps = refused = 0
    inside = Path(marker)
    while got < int(rounds):
        try:
            with leases.hold("shop", "us-east-1"):
                try:
                    descriptor = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    overlaps += 1
                    continue
                os.write(descriptor, who.encode())
                os.close(descriptor)
                # A DynamoDB round trip while inside widens the window a second holder
                # would need, without any sleep.
                leases.beat()
                inside.unlink()
                got += 1
        except LeaseHeld:
            refused += 1
    print(f"{who} got={got} overlaps={overlaps} refused={refused}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

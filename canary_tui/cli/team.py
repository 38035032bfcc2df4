"""``canary-tui team init``: create the team table (key ``pk``, TTL on ``expires_at``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from canary_tui.cli.common import EXIT_OK, UsageError, add_target_arguments, settings_from_flags
from canary_tui.config.parsing import team_table_name


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("team", help="shared coordination on a DynamoDB team table")
    actions = parser.add_subparsers(dest="team_action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the team table with its key and TTL")
    init.add_argument("--table", help="table name (default: the team_table setting)")
    init.add_argument("--dry-run", action="store_true", help="print the requests, send nothing")
    add_target_arguments(init)
    init.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from canary_tui.aws.dynamodb import create_table_requests

    table = args.table
    if table is None:
        table = settings_from_flags({}).team_table
    if table is None:
        raise UsageError("no team table: pass --table or set team_table in the config")
    try:
        team_table_name(table)
    except ValueError as error:
        raise UsageError(str(error)) from None
    create, ttl = create_table_requests(table)
    if args.dry_run:
        print(json.dumps({"CreateTable": create, "UpdateTimeToLive": ttl}, indent=2))
        return EXIT_OK
    from canary_tui.aws.dynamodb import TeamTable
    from canary_tui.cli.common import clients_from_args

    clients = clients_from_args(args)
    TeamTable(clients.dynamodb, table, profile=clients.profile_name).create()
    print(f"created {table} (key pk, TTL on expires_at)")
    return EXIT_OK

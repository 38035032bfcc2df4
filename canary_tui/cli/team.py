"""``canary-tui team``: the team table (``init``), who holds an endpoint (``status``), breaking
a lease left by a teammate (``break``), and the team's audit trail (``log``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from canary_tui.cli.common import (
    EXIT_AWS_FAILURE,
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    add_target_arguments,
    settings_from_flags,
)
from canary_tui.config.parsing import team_table_name

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend
    from canary_tui.team_coordination import TeamCoordination


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("team", help="shared coordination on a DynamoDB team table")
    actions = parser.add_subparsers(dest="team_action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the team table with its keys and TTL")
    init.add_argument("--table", help="table name (default: the team_table setting)")
    init.add_argument("--dry-run", action="store_true", help="print the requests, send nothing")
    add_target_arguments(init)
    init.set_defaults(run=run_init)
    status = actions.add_parser("status", help="who holds the endpoint's lease")
    status.add_argument("endpoint", metavar="ENDPOINT")
    status.add_argument("--json", action="store_true", help="print JSON")
    add_target_arguments(status)
    status.set_defaults(run=run_status)
    breaker = actions.add_parser(
        "break",
        help="break a teammate's lease (asks first; recorded on the team's trail)",
        description="For a lease whose holder is gone (a laptop closed mid-ramp). Its "
        "holder's next write is refused. The lease expires by itself after its TTL.",
    )
    breaker.add_argument("endpoint", metavar="ENDPOINT")
    breaker.add_argument("--yes", action="store_true", help="do not ask")
    add_target_arguments(breaker)
    breaker.set_defaults(run=run_break)
    log = actions.add_parser("log", help="the team's audit trail of an endpoint")
    log.add_argument("endpoint", metavar="ENDPOINT")
    log.add_argument("--json", action="store_true", help="print JSON (as `audit --json`)")
    add_target_arguments(log)
    log.set_defaults(run=run_log)


def _table_setting(given: str | None) -> str:
    table = given if given is not None else settings_from_flags({}).team_table
    if table is None:
        raise UsageError("no team table: set team_table in the config (or CANARY_TUI_TEAM_TABLE)")
    try:
        checked = team_table_name(table)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if checked is None:
        raise UsageError("no team table: the team_table setting is empty")
    return checked


def run_init(args: argparse.Namespace) -> int:
    from canary_tui.aws.dynamodb import create_table_requests

    table = _table_setting(args.table)
    create, ttl = create_table_requests(table)
    if args.dry_run:
        print(json.dumps({"CreateTable": create, "UpdateTimeToLive": ttl}, indent=2))
        return EXIT_OK
    from canary_tui.aws.dynamodb import TeamTable
    from canary_tui.cli.common import clients_from_args

    clients = clients_from_args(args)
    TeamTable(clients.dynamodb, table, profile=clients.profile_name).create()
    print(f"created {table} (keys pk and sk, TTL on expires_at)")
    return EXIT_OK


def _team(args: argparse.Namespace) -> tuple[Backend, TeamCoordination]:
    from canary_tui.cli.common import backend_from_args

    _table_setting(None)
    backend = backend_from_args(args)
    if backend.team is None:  # cannot happen after the check above; said, not asserted
        raise UsageError("no team table: set team_table in the config")
    return backend, backend.team


def _since(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def run_status(args: argparse.Namespace) -> int:
    backend, team = _team(args)
    holder = team.leases.table.holder(args.endpoint, backend.clients.region)
    now = datetime.now(UTC).timestamp()
    live = holder is not None and not holder.is_expired(now)
    if args.json:
        print(
            json.dumps(
                {
                    "endpoint": args.endpoint,
                    "table": team.table_name,
                    "held": live,
                    "holder": None
                    if holder is None
                    else {
                        "owner_arn": holder.owner_arn,
                        "host": holder.host,
                        "command": holder.command,
                        "since": _since(holder.since),
                        "expires_at": _since(holder.expires_at),
                        "expired": not live,
                    },
                },
                indent=2,
            )
        )
        return EXIT_OK
    if holder is None:
        print(f"{args.endpoint}: free (no lease on {team.table_name})")
    elif not live:
        print(f"{args.endpoint}: free (an expired lease of {holder.owner_arn} on {holder.host})")
    else:
        print(
            f"{args.endpoint}: held by {holder.owner_arn} on {holder.host} since "
            f"{_since(holder.since)} ({holder.command}); expires {_since(holder.expires_at)} "
            "unless renewed"
        )
    return EXIT_OK


def run_break(args: argparse.Namespace) -> int:
    from canary_tui.cli.output import warn
    from canary_tui.team_audit import lease_break_record

    backend, team = _team(args)
    region = backend.clients.region
    holder = team.leases.table.holder(args.endpoint, region)
    if holder is None:
        print(f"{args.endpoint}: no lease to break")
        return EXIT_OK
    print(
        f"{args.endpoint} is held by {holder.owner_arn} on {holder.host} since "
        f"{_since(holder.since)} ({holder.command})"
    )
    if not args.yes:
        if not sys.stdin.isatty():
            warn("not a terminal, so no one can confirm; pass --yes to break it (nothing sent)")
            return EXIT_BAD_INPUT
        typed = input(f"Type the endpoint name to break this lease ({args.endpoint}): ")
        if typed.strip() != args.endpoint:
            print("cancelled: the lease was not broken")
            return EXIT_AWS_FAILURE
    caller = team.leases.owner()
    record = lease_break_record(holder, caller=caller, region=region)
    # Recorded first: if the delete's answer is lost, the trail still says someone tried.
    team.trail.put(record, args.endpoint, region)
    if not team.leases.table.break_lease(holder, region):
        print(f"{args.endpoint}: the lease changed hands meanwhile; nothing was broken")
        return EXIT_AWS_FAILURE
    print(f"broke the lease of {holder.owner_arn} on {args.endpoint} (recorded on the trail)")
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    from canary_tui.cli.audit import entry_json, entry_table
    from canary_tui.cli.output import print_lines
    from canary_tui.team_audit import entries_from_records

    backend, team = _team(args)
    records = team.trail.records(args.endpoint, backend.clients.region)
    entries = entries_from_records(records)
    breaks = [record for record in records if record.get("phase") == "lease-break"]
    if args.json:
        print(
            json.dumps(
                {
                    "table": team.table_name,
                    "entries": [entry_json(entry) for entry in entries],
                    "lease_breaks": breaks,
                },
                indent=2,
            )
        )
        return EXIT_OK
    if not entries and not breaks:
        print(f"no changes to {args.endpoint} on the team table {team.table_name}")
        return EXIT_OK
    if entries:
        print_lines(entry_table(entries))
    for record in breaks:
        broken = record.get("broken") or {}
        print(
            f"{record.get('time')}  lease broken by {record.get('caller')} "
            f"(was {broken.get('owner_arn')} on {broken.get('host')}: {broken.get('command')})"
        )
    return EXIT_OK

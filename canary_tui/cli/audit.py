"""`canary-tui audit [ENDPOINT] [--json] [--unfinished]`: the log of every change."""

from __future__ import annotations

import argparse
from typing import Any

from canary_tui.audit import AuditEntry, AuditLog, AuditWriteError
from canary_tui.audit_text import is_reconciled, outcome_note, result_label
from canary_tui.changes import ChangeService
from canary_tui.cli.common import (
    EXIT_OK,
    UsageError,
    add_target_arguments,
    backend_from_args,
    whole_number_flag,
)
from canary_tui.cli.output import (
    add_audit_argument,
    audit_log_from_args,
    configuration_is_bad_input,
    format_count,
    format_percent,
    format_table,
    format_time,
    iso_time,
    print_json,
    print_lines,
    report_audit_problems,
    warn,
)
from canary_tui.domain.text import printable


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="show the audit log of changes",
        description="Every change made by the console, the CLI or a ramp: an intent written "
        "before the API call and an outcome after it, oldest first (the console's audit "
        "view too). 'unfinished' means the process stopped in between: check the "
        "endpoint's state.",
    )
    parser.add_argument("endpoint", nargs="?", metavar="ENDPOINT", help="only this endpoint")
    parser.add_argument("--json", action="store_true", help="print JSON (stable keys)")
    parser.add_argument("--unfinished", action="store_true", help="only intents without an outcome")
    parser.add_argument(
        "-n",
        "--limit",
        type=whole_number_flag(1, 10**9),
        metavar="N",
        help="only the N most recent changes",
    )
    parser.add_argument(
        "--resolve",
        action="store_true",
        help="close unfinished changes: describe each endpoint and record whether the "
        "change took effect (reads AWS, writes only the audit log)",
    )
    add_target_arguments(parser)
    add_audit_argument(parser)
    parser.set_defaults(run=run)


@configuration_is_bad_input
def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    audit = audit_log_from_args(args)
    if args.resolve:
        return resolve(args, audit)
    try:
        reading = audit.read(args.endpoint)
    except OSError as error:
        raise UsageError(f"cannot read the audit log {audit.path}: {error.strerror}") from None
    if not args.unfinished:
        report_audit_problems(audit)
    entries = list(reading.unfinished if args.unfinished else reading.entries)
    if args.limit is not None:
        entries = entries[-args.limit :]
    if args.json:
        print_json(
            {
                "path": str(audit.path),
                "entries": [entry_json(entry) for entry in entries],
                "skipped_lines": [
                    {"line": skipped.line_number, "problem": skipped.problem}
                    for skipped in reading.skipped
                ],
            }
        )
        return EXIT_OK
    if args.unfinished and reading.skipped:
        for skipped in reading.skipped:
            warn(f"warning: {skipped.describe(audit.path)}")
    if not entries:
        print(_empty_message(audit, args.endpoint, args.unfinished))
        return EXIT_OK
    print_lines(entry_table(entries))
    return EXIT_OK


def resolve(args: argparse.Namespace, audit: AuditLog) -> int:
    unfinished = audit.unfinished(args.endpoint)
    if not unfinished:
        print(_empty_message(audit, args.endpoint, True))
        return EXIT_OK
    service = ChangeService(backend_from_args(args), audit, "cli")
    for entry in unfinished:
        try:
            result, message = service.resolve_unfinished(entry)
        except AuditWriteError as error:
            raise UsageError(error.message.replace("; nothing was sent", "")) from None
        print(f"{entry.change_id[:8]} {entry.endpoint}: {result}: {message}")
    return EXIT_OK


def _empty_message(audit: AuditLog, endpoint: str | None, unfinished: bool) -> str:
    what = "no unfinished changes" if unfinished else "no changes"
    where = f" for {endpoint}" if endpoint else ""
    return f"{what}{where} in {audit.path}"


def change_summary(entry: AuditEntry) -> str:
    """What the change was meant to do, in a few words: traffic % or instance counts."""
    intent = entry.intent
    if intent.kind == "capacity":
        parts = [
            f"{name} instances {format_count(intent.instance_counts_before.get(name))}"
            f" -> {format_count(after)}"
            for name, after in intent.instance_counts_after.items()
            if intent.instance_counts_before.get(name) != after
        ]
    else:
        parts = [
            f"{name} {format_percent(intent.traffic_percent_before.get(name))}"
            f" -> {format_percent(share)}"
            for name, share in intent.traffic_percent_after.items()
            if abs(intent.traffic_percent_before.get(name, -1.0) - share) >= 0.05
        ]
    return ", ".join(parts) or "no change"


def _short_caller(caller: str | None) -> str:
    # arn:aws:sts::123456789012:assumed-role/Ops/alice -> Ops/alice: the part people know.
    if not caller:
        return "-"
    resource = caller.split(":", 5)[-1]
    return resource.split("/", 1)[-1] if "/" in resource else resource


def entry_table(entries: list[AuditEntry]) -> list[str]:
    """A row per change, then an indented line with what it did, why, and any error."""
    # Everything here may come from a hand-edited log: escape control characters.
    rows = [
        [
            printable(format_time(entry.intent.time)),
            printable(entry.endpoint),
            printable(entry.intent.source),
            result_label(entry),
            printable(_short_caller(entry.intent.caller)),
            printable(entry.change_id[:8]),
        ]
        for entry in entries
    ]
    header, *row_lines = format_table(
        ["TIME (UTC)", "ENDPOINT", "SOURCE", "RESULT", "BY", "ID"],
        rows,
        shrinkable=(1, 4),
    )
    lines = [header]
    for entry, row_line in zip(entries, row_lines, strict=True):
        lines.append(row_line)
        details = [change_summary(entry)]
        if entry.intent.reason:
            details.append(f"reason: {entry.intent.reason}")
        note = outcome_note(entry)
        if note:
            details.append(note)
        outcome = entry.outcome
        if outcome is not None and outcome.evidence and not is_reconciled(outcome):
            details.append(f"evidence: {outcome.evidence}")
        if entry.intent.time_zone_assumed:
            details.append("time had no time zone: read as UTC")
        lines.append("    " + printable("; ".join(details)))
    return lines


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    intent = entry.intent
    outcome = entry.outcome
    return {
        "id": intent.change_id,
        "time": iso_time(intent.time),
        "time_zone_assumed": intent.time_zone_assumed,
        "endpoint": intent.endpoint,
        "kind": intent.kind,
        "source": intent.source,
        "caller": intent.caller,
        "profile": intent.profile,
        "region": intent.region,
        "reason": intent.reason,
        "result": entry.result,
        "before": {
            "weights": dict(intent.weights_before),
            "traffic_percent": dict(intent.traffic_percent_before),
            "instance_counts": dict(intent.instance_counts_before),
        },
        "after": {
            "weights": dict(intent.weights_after),
            "traffic_percent": dict(intent.traffic_percent_after),
            "instance_counts": dict(intent.instance_counts_after),
        },
        "request": dict(intent.request) if intent.request is not None else None,
        "outcome": (
            {
                "time": iso_time(outcome.time),
                "result": outcome.result,
                "error_kind": outcome.error_kind,
                "error_message": outcome.error_message,
                "evidence": outcome.evidence,
                "desired_weights_after": (
                    dict(outcome.desired_weights_after)
                    if outcome.desired_weights_after is not None
                    else None
                ),
            }
            if outcome is not None
            else None
        ),
    }

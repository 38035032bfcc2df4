"""Headless changes: `set-weights` and `set-capacity` (`promote` and `rollback` are in
rollback_cmd.py and share this flow).

All take the guarded change path (ChangeService, source "cli"): print before -> after
and the exact request, confirm, re-check the live endpoint, audit, send, audit.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.aws.dynamodb import LeaseHeld
from canary_tui.change_guards import AnyPlan, capacity_kind_refusal, kind_refusal
from canary_tui.changes import (
    ChangeBusy,
    ChangeNotApplied,
    ChangeOutcomeUnknown,
    ChangeRefused,
    ChangeService,
    SettleTimeout,
    not_writable_message,
)
from canary_tui.cli.capacity import CapacityContext, capacity_lines, read_capacity
from canary_tui.cli.common import (
    EXIT_AWS_FAILURE,
    EXIT_BAD_INPUT,
    EXIT_ENDPOINT_BUSY,
    EXIT_OK,
    EXIT_UNKNOWN_OUTCOME,
    UsageError,
    add_target_arguments,
    backend_from_args,
    decimal_flag,
    duration_flag,
    endpoint_name,
    refuse_if_read_only,
)
from canary_tui.cli.output import (
    add_audit_argument,
    audit_log_from_args,
    configuration_is_bad_input,
    format_count,
    format_percent,
    format_table,
    format_weight,
    print_lines,
    report_audit_problems,
    warn,
)
from canary_tui.cli.status import describe_or_usage_error
from canary_tui.domain.capacity import capacity_refusal
from canary_tui.domain.models import Endpoint, terminal_status_message
from canary_tui.domain.serverless import ServerlessPlan
from canary_tui.domain.weights import (
    CapacityPlan,
    WeightPlan,
    parse_assignment_values,
    parse_assignments,
    parse_count,
    parse_instance_count,
)
from canary_tui.endpoint_lock import DEFAULT_WAIT_SECONDS, EndpointBusy, EndpointLocks
from canary_tui.settle import TERMINAL_STATUSES, is_settled

MAX_REASON_LENGTH = 500
DEFAULT_WAIT_TIMEOUT = 1800.0
WAIT_POLL_SECONDS = 10.0

PlanBuilder = Callable[[Endpoint], AnyPlan]
#: Given the described endpoint when it is not settled (e.g. Updating), after the person
#: confirmed: waits until it settles and returns it, or raises with one line to print.
SettleFirst = Callable[[Backend, Endpoint], Endpoint]

MAX_LOCK_WAIT = 3600.0

EXIT_CODES_HELP = (
    "exit codes: 0 applied (also when the answer was lost and a re-read showed it applied), "
    "dry run, or nothing to change; 1 not applied: AWS failure, refused by a guard (endpoint "
    "changed since shown, not InService, update in progress), or declined at the prompt; "
    f"2 bad input, nothing sent; {EXIT_UNKNOWN_OUTCOME} outcome unknown (the request may have "
    "reached AWS and the endpoint does not show whether it took, or someone else changed it "
    f"meanwhile): check the endpoint; {EXIT_ENDPOINT_BUSY} another run on this machine, or a "
    "teammate holding the team table's lease, is changing the endpoint, nothing sent"
)


def _add_change_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="show the change and the request; send nothing"
    )
    parser.add_argument(
        "-y", "--yes", action="store_true", help="apply without asking (needed when not a TTY)"
    )
    parser.add_argument("--reason", metavar="TEXT", help="why; recorded in the audit log")
    parser.add_argument(
        "--wait",
        action="store_true",
        help="after sending, follow the endpoint until it is InService again",
    )
    parser.add_argument(
        "--wait-timeout",
        type=duration_flag,
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="DURATION",
        help="give up waiting after this long, 1s to 7d: 600, 10m "
        f"(default {DEFAULT_WAIT_TIMEOUT:g}s)",
    )
    parser.add_argument(
        "--lock-wait",
        type=decimal_flag(0, MAX_LOCK_WAIT),
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help="wait this long for another run changing the same endpoint on this machine, then "
        f"refuse (default {DEFAULT_WAIT_SECONDS:g})",
    )
    add_target_arguments(parser)
    add_audit_argument(parser)


def register(subparsers: Any) -> None:
    weights = subparsers.add_parser(
        "set-weights",
        help="change variant weights (traffic split)",
        description="Weights are relative (0.9/0.1 = 90/10 = 9/1); unlisted variants keep "
        "their weight. With percentages (new-model=25%) list every variant; they must add "
        "up to 100.",
        epilog=EXIT_CODES_HELP,
    )
    weights.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    weights.add_argument(
        "assignments", nargs="+", metavar="VARIANT=WEIGHT", help="e.g. new-model=0.25 or 25%%"
    )
    _add_change_options(weights)
    weights.set_defaults(run=run_set_weights)

    capacity = subparsers.add_parser(
        "set-capacity", help="change one variant's desired instance count", epilog=EXIT_CODES_HELP
    )
    capacity.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    capacity.add_argument("variant", metavar="VARIANT")
    capacity.add_argument("count", metavar="COUNT", help="instances, at least 1")
    _add_change_options(capacity)
    capacity.set_defaults(run=run_set_capacity)

    from canary_tui.cli.serverless_cmd import register_set_serverless

    register_set_serverless(subparsers, _add_change_options)


@configuration_is_bad_input
def run_set_weights(args: argparse.Namespace) -> int:
    assignments: list[str] = list(args.assignments)
    parse_assignment_values(assignments)  # bad numbers: exit 2 before any AWS call
    return run_change(args, lambda endpoint: parse_assignments(endpoint, assignments))


@configuration_is_bad_input
def run_set_capacity(args: argparse.Namespace) -> int:
    variant: str = args.variant
    count: str = args.count
    parse_count(count, variant)  # bad numbers: exit 2 before any AWS call
    return run_change(args, lambda endpoint: _capacity_plan(endpoint, variant, count))


def _capacity_plan(endpoint: Endpoint, variant: str, count: str) -> CapacityPlan:
    # Serverless and shadow variants first: "unknown variant" would not say why.
    refusal = capacity_kind_refusal(endpoint, variant)
    if refusal is not None:
        raise UsageError(refusal)
    return parse_instance_count(endpoint, variant, count)


# -- the shared flow ---------------------------------------------------------------------


def _checked_reason(text: str | None) -> str | None:
    if text is None:
        return None
    reason = text.strip()
    if not reason:
        return None
    if any(ord(character) < 32 for character in reason):
        raise UsageError("--reason must be one line of text (no newlines or control characters)")
    if len(reason) > MAX_REASON_LENGTH:
        raise UsageError(f"--reason is longer than {MAX_REASON_LENGTH} characters")
    return reason


def preview_lines(
    plan: AnyPlan, endpoint: Endpoint, capacity: CapacityContext | None = None
) -> list[str]:
    """Before -> after as traffic % (and counts), the exact API request, then (with
    ``capacity``) the load per instance now -> after and its warnings."""
    lines = [f"{endpoint.name}  {endpoint.status}"]
    if isinstance(plan, WeightPlan):
        rows = [
            [
                change.variant,
                format_weight(change.weight_before),
                format_weight(change.weight_after),
                format_percent(change.share_before),
                format_percent(change.share_after),
                "" if change.changed else "(unchanged)",
            ]
            for change in plan.changes
        ]
        lines += format_table(
            ["VARIANT", "WEIGHT", "NEW WEIGHT", "TRAFFIC", "NEW TRAFFIC", ""],
            rows,
            right_aligned={1, 2, 3, 4},
            shrinkable=(0,),
        )
    elif isinstance(plan, ServerlessPlan):
        lines += format_table(
            ["VARIANT", "SERVERLESS", "NEW SERVERLESS"],
            [[plan.variant, plan.before.text(), plan.after.text()]],
            shrinkable=(0,),
        )
    else:
        lines += format_table(
            ["VARIANT", "INSTANCES", "NEW INSTANCES"],
            [[plan.variant, format_count(plan.count_before), str(plan.count_after)]],
            right_aligned={1, 2},
            shrinkable=(0,),
        )
    lines.append("request: UpdateEndpointWeightsAndCapacities " + json.dumps(plan.api_request()))
    if capacity is not None and not isinstance(plan, ServerlessPlan):
        lines += capacity_lines(capacity, plan, endpoint)
    return lines


def _is_noop(plan: AnyPlan) -> bool:
    if isinstance(plan, CapacityPlan):
        return plan.count_before == plan.count_after
    return plan.is_noop


def _confirmed_by_person() -> bool:
    """Ask ``Apply? [y/N]`` on the terminal; anything but y/yes is no."""
    sys.stdout.flush()
    print("Apply? [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return answer.strip().lower() in {"y", "yes"}


def change_service(backend: Backend, audit: AuditLog, args: argparse.Namespace) -> ChangeService:
    """The CLI's change path: its lock waits ``--lock-wait`` and says so on stderr."""
    # --lock-wait is checked (0 to MAX_LOCK_WAIT, strict digits) by its argparse type.
    wait = float(getattr(args, "lock_wait", DEFAULT_WAIT_SECONDS))
    locks = EndpointLocks(wait_seconds=wait, notify=warn, wait_flag="--lock-wait")
    return ChangeService(backend, audit, "cli", locks=locks)


def run_change(
    args: argparse.Namespace, build_plan: PlanBuilder, settle_first: SettleFirst | None = None
) -> int:
    # Read-only (setting, variable or profile pattern): refused before the log or AWS.
    refuse_if_read_only(args, getattr(args, "command", None) or "the change")
    reason = _checked_reason(args.reason)
    audit = audit_log_from_args(args)
    report_audit_problems(audit)
    backend = backend_from_args(args)
    service = change_service(backend, audit, args)
    if not args.yes or args.dry_run:
        return _plan_and_apply(args, build_plan, backend, audit, service, reason, settle_first)
    # Unattended: hold the endpoint's lock from before the describe, so a second run that
    # waited starts from this one's result instead of being refused as stale.
    try:
        with service.lock(args.endpoint):
            return _plan_and_apply(args, build_plan, backend, audit, service, reason, settle_first)
    except (EndpointBusy, LeaseHeld) as busy:
        warn(f"refused: {busy.message}")
        return EXIT_ENDPOINT_BUSY


def _plan_and_apply(
    args: argparse.Namespace,
    build_plan: PlanBuilder,
    backend: Backend,
    audit: AuditLog,
    service: ChangeService,
    reason: str | None,
    settle_first: SettleFirst | None,
) -> int:
    endpoint = describe_or_usage_error(backend.sagemaker, args.endpoint)
    plan = build_plan(endpoint)  # WeightInputError -> exit 2, nothing sent
    refused_for_kind = kind_refusal(plan, endpoint)
    if refused_for_kind is not None:
        raise UsageError(refused_for_kind)
    capacity = None
    if not _is_noop(plan) and not isinstance(plan, ServerlessPlan):
        capacity = read_capacity(backend, endpoint, args)
        refusal = capacity_refusal(plan, capacity.scaling)
        if refusal is not None:
            raise UsageError(f"{refusal}; nothing was sent")
    print_lines(preview_lines(plan, endpoint, capacity))
    if _is_noop(plan):
        print("nothing to change: the endpoint already has these values")
        return EXIT_OK
    if isinstance(plan, WeightPlan):
        from canary_tui.ramp_store import unfinished_ramp_note

        ramp_note = unfinished_ramp_note(audit.path, endpoint.name)  # the ramp will hold
        if ramp_note is not None:
            warn(ramp_note)
    if args.dry_run:
        print("dry run: nothing was sent")
        return EXIT_OK
    # A status that will not move on by itself is refused before asking, not waited for.
    must_settle = (
        settle_first is not None
        and not is_settled(endpoint)
        and endpoint.status not in TERMINAL_STATUSES
    )
    if not endpoint.is_writable and not must_settle:
        # Asking for a confirmation the guard would refuse anyway only wastes a person's time.
        warn(f"refused: {not_writable_message(endpoint)}")
        return EXIT_AWS_FAILURE
    if not args.yes:
        if not sys.stdin.isatty():
            warn("not a terminal, so no one can confirm; pass --yes to apply (nothing was sent)")
            return EXIT_BAD_INPUT
        if not _confirmed_by_person():
            print("cancelled: nothing was sent")
            return EXIT_AWS_FAILURE
    if must_settle and settle_first is not None:
        settled = settle_first(backend, endpoint)
        replanned = build_plan(settled)
        if replanned != plan:
            print_lines(preview_lines(replanned, settled))
        if _is_noop(replanned):
            print("nothing to change: the endpoint already has these values")
            return EXIT_OK
        plan, endpoint = replanned, settled
    return apply_and_report(backend, audit, plan, endpoint, reason, args, service=service)


def apply_and_report(
    backend: Backend,
    audit: AuditLog,
    plan: AnyPlan,
    endpoint: Endpoint,
    reason: str | None,
    args: argparse.Namespace,
    *,
    service: ChangeService | None = None,
) -> int:
    service = service or change_service(backend, audit, args)
    try:
        result = service.apply(plan, endpoint, reason=reason)
    except ChangeRefused as refused:
        warn(f"refused: {refused.message}")
        return EXIT_ENDPOINT_BUSY if isinstance(refused, ChangeBusy) else EXIT_AWS_FAILURE
    except ChangeOutcomeUnknown as unknown:
        warn(f"{unknown.message} (change {unknown.change_id[:8]})")
        return EXIT_UNKNOWN_OUTCOME
    except ChangeNotApplied as not_applied:
        warn(f"{not_applied.message} (change {not_applied.change_id[:8]})")
        return EXIT_AWS_FAILURE
    # Any other AwsError propagates to main: one line, exit 1 (the outcome is recorded).
    if result.audit_warning:
        warn(f"warning: {result.audit_warning}")
    if result.checked:
        print(f"applied after a check: {result.evidence}")
    live = result.live
    if live is not None:
        shares = ", ".join(
            f"{name} {format_percent(share)}" for name, share in live.desired_traffic_shares.items()
        )
        print(f"applied (change {result.change_id[:8]}); desired traffic now: {shares}")
    else:
        print(f"sent and accepted (change {result.change_id[:8]}); could not read it back")
    if not args.wait:
        return EXIT_OK
    return _wait(service, endpoint.name, args.wait_timeout)


def _wait(service: ChangeService, name: str, timeout: float) -> int:
    last_status: list[str] = []

    def progress(endpoint: Endpoint) -> None:
        if not last_status or last_status[-1] != endpoint.status:
            last_status.append(endpoint.status)
            print(f"{name}: {endpoint.status}", file=sys.stderr, flush=True)

    try:
        final = service.wait_until_settled(
            name, timeout=timeout, poll_seconds=WAIT_POLL_SECONDS, on_progress=progress
        )
    except SettleTimeout as timed_out:
        warn(timed_out.message)
        return EXIT_AWS_FAILURE
    if final.is_terminal:
        warn(terminal_status_message(final))
        return EXIT_AWS_FAILURE
    print(
        f"{name} is {final.status}; traffic now: "
        + ", ".join(
            f"{variant} {format_percent(share)}"
            for variant, share in final.current_traffic_shares.items()
        )
    )
    return EXIT_OK

"""`promote` and `rollback`: the same targets as the console's `p` and `b`.

`rollback ENDPOINT` goes back to the baseline (the split before the current canary episode:
see :mod:`canary_tui.domain.baseline`), never to whichever variant is largest now. When no
baseline is known it refuses (exit 2) and lists the variants. `promote ENDPOINT` promotes the
canary the same sources know of, or ``--variant NAME``. A rollback that finds the endpoint
Updating waits for it to settle (reads only) before sending, bounded by ``--wait-timeout``
or the ``rollback_wait_seconds`` setting.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import SettleTimeout
from canary_tui.cli.common import EXIT_AWS_FAILURE, UsageError, endpoint_name, settings_from_flags
from canary_tui.cli.output import audit_log_from_args, configuration_is_bad_input, warn
from canary_tui.cli.set_weights import (
    EXIT_CODES_HELP,
    _add_change_options,
    run_change,
)
from canary_tui.domain.baseline import Baseline
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import RampPlanError
from canary_tui.domain.weights import WeightInputError, WeightPlan, plan_all_to
from canary_tui.ramp import RampStore
from canary_tui.rollback import (
    BaselineMarks,
    Targets,
    check_to_numbers,
    no_baseline_message,
    no_canary_message,
    parse_to,
    promote_title,
    resolve,
    rollback_plan,
    rollback_title,
)
from canary_tui.settle import EndpointStuck, Settler

#: --wait-timeout beyond a day is a typo (the setting has the same bound).
MAX_WAIT_SECONDS = 86400.0


class _Refusal(Exception):
    """Ends the command after the person confirmed: one line on stderr, exit 1."""


def register(subparsers: Any) -> None:
    promote = subparsers.add_parser(
        "promote",
        help="send all traffic to the canary (or --variant)",
        description="Without --variant, promotes the canary: the variant the audit log shows "
        "receiving traffic in the current canary episode, or the one a ramp in progress "
        "ramps. When none is known, refuses (exit 2) and lists the variants.",
        epilog=EXIT_CODES_HELP,
    )
    promote.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    promote.add_argument("--variant", metavar="NAME", help="the variant to promote")
    # Before 0.x the variant was positional; keep accepting it.
    promote.add_argument("variant_positional", nargs="?", metavar="VARIANT", help=argparse.SUPPRESS)
    _add_change_options(promote)
    promote.set_defaults(run=run_promote)

    rollback = subparsers.add_parser(
        "rollback",
        help="put back the traffic split from before the canary episode",
        description="Without --to, goes back to the baseline: a split marked with B in the "
        "console, else the split a ramp in progress started from, else the split before the "
        "current canary episode in the audit log (the changes since one variant last had all "
        "traffic). When none is known, refuses (exit 2) and lists the variants. If the "
        "endpoint is being updated, waits for it to settle (reads only) and then sends once.",
        epilog=EXIT_CODES_HELP,
    )
    rollback.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    rollback.add_argument(
        "--to",
        metavar="VARIANT|VARIANT=PCT,...",
        help="where to go instead: a variant (all traffic to it) or every variant's share, "
        "e.g. current-model=90%%,new-model=10%%",
    )
    _add_change_options(rollback)
    # None: the rollback_wait_seconds setting (default 30 minutes).
    rollback.set_defaults(run=run_rollback, wait_timeout=None)


def _targets(args: argparse.Namespace, audit: AuditLog, endpoint: Endpoint) -> Targets:
    try:
        ramp = RampStore.next_to(audit.path).load(endpoint.name)
    except (RampPlanError, OSError):
        ramp = None  # an unreadable ramp file must not stop a rollback; the log still counts
    try:
        entries = audit.read(endpoint.name).entries
    except (OSError, ValueError):
        entries = ()
    mark = BaselineMarks.next_to(audit.path).load(endpoint.name)
    return resolve(endpoint, entries, ramp=ramp, mark=mark)


@configuration_is_bad_input
def run_promote(args: argparse.Namespace) -> int:
    chosen: str | None = args.variant or args.variant_positional
    if args.variant and args.variant_positional and args.variant != args.variant_positional:
        raise UsageError("give the variant once: --variant NAME")
    audit = audit_log_from_args(args)

    def plan(endpoint: Endpoint) -> WeightPlan:
        variant = chosen
        if variant is None:
            variant = _targets(args, audit, endpoint).canary
            if variant is None:
                raise WeightInputError(no_canary_message(endpoint))
        print(promote_title(endpoint, variant) + (" (the canary)" if chosen is None else ""))
        return plan_all_to(endpoint, variant)

    return run_change(args, plan)


def _wait_timeout(args: argparse.Namespace) -> float:
    given: float | None = args.wait_timeout
    if given is None:
        return float(settings_from_flags({}).rollback_wait_seconds)
    if not math.isfinite(given) or not 0 < given <= MAX_WAIT_SECONDS:
        raise UsageError(f"--wait-timeout must be more than 0 and at most {MAX_WAIT_SECONDS:g}s")
    return given


@configuration_is_bad_input
def run_rollback(args: argparse.Namespace) -> int:
    timeout = _wait_timeout(args)
    args.wait_timeout = timeout  # --wait after sending is bounded by the same time
    audit = audit_log_from_args(args)
    to: str | None = args.to
    if to is not None:
        try:
            check_to_numbers(to)  # bad numbers: exit 2 before any AWS call
        except WeightInputError as error:
            raise UsageError(error.message) from None
    chosen: list[Baseline] = []

    def plan(endpoint: Endpoint) -> WeightPlan:
        if not chosen:
            # Resolved once, against the endpoint as the person saw it; after a wait the same
            # split is planned against the settled endpoint.
            if to is not None:
                chosen.append(parse_to(endpoint, to))
            else:
                baseline = _targets(args, audit, endpoint).baseline
                if baseline is None:
                    raise WeightInputError(no_baseline_message(endpoint))
                chosen.append(baseline)
            baseline = chosen[0]
            print(f"{rollback_title(endpoint, baseline)} (baseline: {baseline.description})")
        return rollback_plan(endpoint, chosen[0])

    def settle_first(backend: Backend, endpoint: Endpoint) -> Endpoint:
        return _settle(backend, endpoint, timeout)

    try:
        return run_change(args, plan, settle_first)
    except _Refusal as refusal:
        warn(str(refusal))
        return EXIT_AWS_FAILURE


def _settle(backend: Backend, endpoint: Endpoint, timeout: float) -> Endpoint:
    print(
        f"{endpoint.name} is {endpoint.status}; waiting up to {timeout:g}s for it to settle "
        "before sending (reads only)",
        file=sys.stderr,
        flush=True,
    )
    seen: list[str] = [endpoint.status]

    def on_wait(live: Endpoint | None, pause: float) -> None:
        if live is not None and live.status != seen[-1]:
            seen.append(live.status)
            print(f"{live.name}: {live.status}", file=sys.stderr, flush=True)

    settler = Settler(
        lambda: backend.sagemaker.describe_endpoint(endpoint.name),
        clock=time.monotonic,
        sleep=time.sleep,
        on_wait=on_wait,
    )
    try:
        settled = settler.wait(settler.clock() + timeout, timeout)
    except (EndpointStuck, SettleTimeout) as error:
        raise _Refusal(f"refused: {error.message}") from None
    print(f"{settled.name} is {settled.status}; sending the rollback", file=sys.stderr)
    return settled

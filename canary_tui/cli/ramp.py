"""`canary-tui ramp ENDPOINT --canary VARIANT`: a guarded, watched traffic ramp.

Exit codes: 0 the ramp reached its last step; 3 rolled back (verdict FAIL or an alarm) or
aborted; 4 holding (verdict still INCONCLUSIVE after the extra bakes, a step could not be
applied, or someone else changed the weights): a person decides with --resume, --skip or
--abort; 1 AWS failure, a rollback that could not be made to take, or confirmation
declined; 2 bad input (including a ramp already in progress, or no terminal to confirm on
without --yes); 130 interrupted (Ctrl+C pauses the ramp, its state is saved).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeService
from canary_tui.cli.capacity import read_capacity
from canary_tui.cli.common import (
    EXIT_AWS_FAILURE,
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    add_target_arguments,
    backend_from_args,
    endpoint_name,
    refuse_if_read_only,
    whole_number_flag,
)
from canary_tui.cli.output import (
    add_audit_argument,
    audit_log_from_args,
    print_lines,
    report_audit_problems,
    warn,
)
from canary_tui.cli.ramp_text import plan_lines, state_lines
from canary_tui.cli.verdict import (
    add_threshold_arguments,
    settings_from_args,
    thresholds_from_args,
)
from canary_tui.domain.ramp import (
    DEFAULT_MAX_EXTRA_BAKES,
    Abort,
    Phase,
    RampPlan,
    RampPlanError,
    RampState,
    Resume,
    Skip,
    parse_bake_requests,
    parse_duration,
    parse_steps,
)
from canary_tui.ramp import (
    RampBusy,
    RampProgress,
    RampRollbackFailed,
    RampRunner,
    RampSettings,
    RampStore,
)

EXIT_ROLLED_BACK = 3
EXIT_HOLDING = 4
EXIT_INTERRUPTED = 130
PHASE_EXIT_CODES = {
    Phase.DONE: EXIT_OK,
    Phase.ROLLED_BACK: EXIT_ROLLED_BACK,
    Phase.ABORTED: EXIT_ROLLED_BACK,
    Phase.PAUSED: EXIT_HOLDING,
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ramp",
        help="shift traffic to a canary step by step, rolling back on FAIL or ALARM",
        description="Applies each step through the guarded change path, bakes, checks the "
        "verdict and the alarms, then advances or rolls back to the baseline (the variant "
        "with the largest weight before the ramp). Exit codes: 0 done, 3 rolled back or "
        "aborted, 4 holding for a decision, 1 AWS failure, 2 bad input, 130 interrupted.",
    )
    parser.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    parser.add_argument("--canary", metavar="VARIANT", help="the variant to ramp up")
    parser.add_argument(
        "--steps",
        help="traffic %% per step, rising, each above 0 and at most 100 "
        "(default: the ramp.steps setting, 10,25,50,100)",
    )
    parser.add_argument(
        "--bake", help="bake time per step, 1s to 7d (default: the ramp.bake setting, 10m)"
    )
    parser.add_argument(
        "--bake-requests",
        metavar="N",
        help="each step also bakes until the canary served N requests since the step, "
        "0 to 10^12 (default: the ramp.bake_requests setting, 0 = the bake time alone); "
        "not reached after the extra bakes, the ramp holds",
    )
    parser.add_argument(
        "--alarm",
        action="append",
        default=[],
        metavar="NAME",
        help="a CloudWatch alarm that must stay OK (repeatable); ALARM rolls back",
    )
    parser.add_argument(
        "--max-extra-bakes",
        type=whole_number_flag(0, 100),
        default=DEFAULT_MAX_EXTRA_BAKES,
        metavar="N",
        help="bake again up to N times while the verdict is INCONCLUSIVE, then hold "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--poll",
        default="60s",
        help="how often alarms and the verdict are read, 1s to 7d (default 60s)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--resume", action="store_true", help="continue the ramp in progress on ENDPOINT"
    )
    mode.add_argument(
        "--abort", action="store_true", help="roll the ramp in progress back to its baseline"
    )
    mode.add_argument(
        "--skip",
        action="store_true",
        help="advance the held or interrupted ramp to its next step without a verdict",
    )
    mode.add_argument(
        "--show", action="store_true", help="print the saved state of ENDPOINT's ramp and exit"
    )
    parser.add_argument(
        "-y", "--yes", action="store_true", help="start without asking (needed when not a TTY)"
    )
    add_threshold_arguments(parser)
    add_target_arguments(parser)
    add_audit_argument(parser)
    parser.set_defaults(run=run)


def _print_progress(progress: RampProgress) -> None:
    print(f"{progress.now:%H:%M:%S}Z {progress.line}", flush=True)


def _confirmed(prompt: str) -> bool:
    sys.stdout.flush()
    print(f"{prompt} [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return answer.strip().lower() in {"y", "yes"}


def _may_proceed(args: argparse.Namespace, prompt: str) -> int | None:
    """None to go on, or the exit code when the person (or the lack of one) says no."""
    if args.yes:
        return None
    if not sys.stdin.isatty():
        warn("not a terminal, so no one can confirm; pass --yes to go ahead (nothing was sent)")
        return EXIT_BAD_INPUT
    if not _confirmed(prompt):
        print("cancelled: nothing was sent")
        return EXIT_AWS_FAILURE
    return None


def _settings(args: argparse.Namespace) -> RampSettings:
    try:
        poll = parse_duration(args.poll)
    except RampPlanError as error:
        raise UsageError(f"--poll: {error.message}") from None
    thresholds, period = thresholds_from_args(args)
    return RampSettings(
        poll_seconds=poll,
        period_seconds=period,
        thresholds=thresholds,
        return_when_paused=True,
        rollback_wait_seconds=float(settings_from_args(args).rollback_wait_seconds),
    )


def _plan_from_args(args: argparse.Namespace) -> RampPlan:
    if not args.canary:
        raise UsageError("give the variant to ramp with --canary VARIANT")
    # Not given on the command line: the ramp settings (config file, CANARY_TUI_RAMP__*).
    defaults = settings_from_args(args).ramp
    try:
        # `--steps ""` is a mistake, not a request for the defaults.
        steps = parse_steps(args.steps) if args.steps is not None else defaults.steps
    except RampPlanError as error:
        raise UsageError(f"--steps: {error.message}") from None
    try:
        bake = parse_duration(args.bake) if args.bake is not None else defaults.bake_seconds
    except RampPlanError as error:
        raise UsageError(f"--bake: {error.message}") from None
    try:
        bake_requests = (
            parse_bake_requests(args.bake_requests)
            if args.bake_requests is not None
            else defaults.bake_requests
        )
    except RampPlanError as error:
        raise UsageError(
            f"--bake-requests: {error.message.removeprefix('bake requests: ')}"
        ) from None
    try:
        return RampPlan(
            endpoint=args.endpoint,
            canary=args.canary,
            steps=steps,
            bake_seconds=bake,
            alarm_names=tuple(args.alarm),
            max_extra_bakes=args.max_extra_bakes,
            bake_requests=bake_requests,
        )
    except RampPlanError as error:
        raise UsageError(error.message) from None


def _report_other_ramps(store: RampStore, endpoint: str) -> None:
    for other in store.in_progress():
        if other.plan.endpoint != endpoint:
            warn(
                f"note: a ramp of {other.plan.canary} on {other.plan.endpoint} is "
                f"{other.phase.value} at {other.step_share:g}% (canary-tui ramp "
                f"{other.plan.endpoint} --resume or --abort)"
            )


def run(args: argparse.Namespace) -> int:
    if not args.show:
        refuse_if_read_only(args, "the ramp")
    settings = _settings(args)
    backend = backend_from_args(args)
    audit = audit_log_from_args(args)
    report_audit_problems(audit)
    store = RampStore.next_to(audit.path)
    _report_other_ramps(store, args.endpoint)
    try:
        saved = store.load(args.endpoint)
    except RampPlanError as error:
        raise UsageError(error.message) from None
    now = datetime.now(UTC)

    if args.show:
        if saved is None:
            print(f"no ramp recorded for {args.endpoint}")
        else:
            print_lines(state_lines(saved, now))
        return EXIT_OK

    if args.resume or args.abort or args.skip:
        if saved is None or saved.is_over:
            raise UsageError(f"no ramp in progress on {args.endpoint}")
        print_lines(state_lines(saved, now))
        if args.skip:
            if saved.phase not in (Phase.BAKING, Phase.CHECKING, Phase.PAUSED):
                raise UsageError(f"cannot skip while {saved.phase.value}; use --resume")
            target = (
                "finish the ramp"
                if saved.is_last_step
                else f"move {saved.plan.canary} to {saved.plan.steps[saved.step_index + 1]:g}%"
            )
            refused = _may_proceed(args, f"Skip the verdict and {target}?")
            if refused is not None:
                return refused
            state = saved.on(Skip(now))
        elif args.abort:
            refused = _may_proceed(args, f"Roll {args.endpoint} back to {saved.baseline}?")
            if refused is not None:
                return refused
            state = saved.on(Abort(now))
        else:
            state = saved.on(Resume(now)) if saved.phase is Phase.PAUSED else saved
        if state.history != saved.history:
            print(state.history[-1].message)
        return _drive(backend, audit, store, settings, state)

    plan = _plan_from_args(args)
    runner = _runner(backend, audit, store, settings)
    try:
        state, endpoint = runner.prepare(plan)
    except RampPlanError as error:
        raise UsageError(error.message) from None
    print_lines(plan_lines(plan, state, endpoint, read_capacity(backend, endpoint, args)))
    refused = _may_proceed(args, "Start the ramp?")
    if refused is not None:
        return refused
    return _drive(backend, audit, store, settings, state)


def _runner(
    backend: Backend, audit: AuditLog, store: RampStore, settings: RampSettings
) -> RampRunner:
    return RampRunner(
        backend,
        ChangeService(backend, audit, "ramp"),
        store,
        settings=settings,
        on_progress=_print_progress,
    )


def _drive(
    backend: Backend,
    audit: AuditLog,
    store: RampStore,
    settings: RampSettings,
    state: RampState,
) -> int:
    runner = _runner(backend, audit, store, settings)
    try:
        final = runner.run(state)
    except RampBusy as error:
        raise UsageError(str(error)) from None
    except RampRollbackFailed as error:
        warn(f"ROLLBACK FAILED: {error.message}")
        return EXIT_AWS_FAILURE
    except KeyboardInterrupt:
        warn(
            f"interrupted: the ramp on {state.plan.endpoint} is paused where it is; "
            f"continue with: canary-tui ramp {state.plan.endpoint} --resume "
            f"(or --abort to roll back)"
        )
        return EXIT_INTERRUPTED
    if final.phase is Phase.DONE:
        print(f"done: {final.plan.canary} takes {final.step_share:g}% of {final.plan.endpoint}")
    elif final.phase in (Phase.ROLLED_BACK, Phase.ABORTED):
        print(
            f"{final.phase.value.replace('_', ' ')}: all traffic on {final.baseline} "
            f"({final.status_reason})"
        )
    elif final.phase is Phase.PAUSED:
        print(
            f"holding at {final.step_share:g}%: {final.status_reason}; decide with "
            f"canary-tui ramp {final.plan.endpoint} --resume, --skip or --abort"
        )
    return PHASE_EXIT_CODES.get(final.phase, EXIT_AWS_FAILURE)

"""`canary-tui` / `canary-tui console`: the interactive console against AWS."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

from canary_tui.aws.errors import translated
from canary_tui.cli.common import add_target_arguments
from canary_tui.cli.console_settings import (
    add_console_setting_arguments,
    console_options_from,
    console_settings,
)
from canary_tui.cli.output import add_audit_argument, configuration_is_bad_input

# Defined next to the app (no Textual in it) and re-exported here for callers of run_console.
from canary_tui.ui.options import ConsoleOptions

if TYPE_CHECKING:
    from canary_tui.audit import AuditLog
    from canary_tui.aws.backend import Backend
    from canary_tui.ui.ramping import RampLauncher
    from canary_tui.ui.targets import TargetSwitcher

__all__ = ["ConsoleOptions", "register", "run", "run_console"]


def run_console(
    backend: Backend, options: ConsoleOptions, switcher: TargetSwitcher | None = None
) -> int:
    """Run the Textual app until the user quits; returns the exit code.

    ``switcher``: how ``:profile`` / ``:region`` reach other targets (default: the AWS
    config files, with the same endpoint URL and profile rules as ``options``)."""
    # Textual is imported here so headless commands never pay for it.
    from canary_tui.audit import AuditLog
    from canary_tui.changes import ChangeService
    from canary_tui.notify.setup import listen_in_console
    from canary_tui.ui.app import CanaryApp
    from canary_tui.ui.screens.mfa import ConsoleMfaPrompter
    from canary_tui.ui.targets import AwsTargetSwitcher, ProfileRules

    if options.region is None:
        # Resolving the region reads the AWS config files: do it before the event loop runs.
        with translated(backend.target.profile):
            options = dataclasses.replace(options, region=backend.clients.region)
    audit = AuditLog(options.audit_path) if options.audit_path else AuditLog()
    change_service = None if options.read_only else ChangeService(backend, audit, "console")
    if switcher is None:
        rules = ProfileRules(
            options.always_read_only, options.read_only_profiles, options.production_profiles
        )
        switcher = AwsTargetSwitcher(
            rules,
            endpoint_url=backend.target.endpoint_url,
            audit=audit,
            team=backend.team,
            team_profile=backend.target.profile,
        )
    ramps = None if options.read_only else ramp_launcher(backend, audit)
    app = CanaryApp(backend, change_service, options, audit=audit, switcher=switcher, ramps=ramps)
    # An assume-role profile with mfa_serial: the code is asked in a dialog, not by getpass.
    mfa = ConsoleMfaPrompter()
    backend.clients.set_mfa_prompter(mfa)
    if isinstance(switcher, AwsTargetSwitcher):
        switcher.mfa_prompter = mfa
    mfa.attach(app)
    listen_in_console(app)  # webhook deliveries that failed, in the notice line
    if backend.team is not None:
        # From the heartbeat thread or a change worker: app.notify is safe from any thread.
        backend.team.set_notify(
            lambda text: app.notify(text, severity="warning", markup=False, timeout=30)
        )
    result = app.run()
    return int(result or 0)


def ramp_launcher(backend: Backend, audit: AuditLog) -> RampLauncher:
    """Ramps from the console use the verdict thresholds, metric period and ramp defaults of
    the settings (file < CANARY_TUI_*), like ``canary-tui ramp`` without flags."""
    from canary_tui.config import ConfigError, load_settings
    from canary_tui.ramp import RampSettings
    from canary_tui.ui.ramping import RampLauncher

    try:
        settings = load_settings().settings
    except ConfigError:
        return RampLauncher(backend, audit)  # the console reported the config already
    return RampLauncher(
        backend,
        audit,
        settings=RampSettings(
            period_seconds=settings.metric_period_seconds,
            thresholds=settings.verdict.thresholds(),
            rollback_wait_seconds=float(settings.rollback_wait_seconds),
        ),
        default_steps=settings.ramp.steps,
        default_bake_seconds=settings.ramp.bake_seconds,
        default_bake_requests=settings.ramp.bake_requests,
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("console", help="open the interactive console (default)")
    add_target_arguments(parser)
    parser.add_argument("--read-only", action="store_true", help="hide and refuse every write")
    parser.add_argument(
        "--refresh",
        metavar="DURATION",
        help="time between polls, 1s to 7d: 30, 30s, 2m (default: the metric period, 60s)",
    )
    parser.add_argument(
        "--window",
        choices=("15m", "1h", "3h", "12h"),
        help="initial metrics window (keys 1-4 change it; default: the window setting, 1h)",
    )
    add_audit_argument(parser)
    add_console_setting_arguments(parser)
    parser.set_defaults(run=run)


# An unknown --profile (or one without a region) is a command-line mistake: exit 2.
@configuration_is_bad_input
def run(args: argparse.Namespace) -> int:
    from canary_tui.aws.backend import build_backend
    from canary_tui.aws.session import AwsClients
    from canary_tui.cli.common import target_from_settings

    # Settings: defaults < config file < CANARY_TUI_* < these flags (bad values exit 2).
    settings = console_settings(args)
    clients = AwsClients(target_from_settings(settings))
    # The status line names the profile in effect, AWS_PROFILE included.
    backend = build_backend(
        clients, label=clients.profile_name or "default", team_table=settings.team_table
    )
    return run_console(backend, console_options_from(settings))

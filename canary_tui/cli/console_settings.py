"""ConsoleOptions from the effective settings: defaults < config file < CANARY_TUI_* < flags.

Kept apart from running the app so the precedence can be tested without a terminal.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

from canary_tui.aws.profiles import is_production, is_read_only
from canary_tui.cli.common import settings_from_flags, target_flags
from canary_tui.ui.options import ConsoleOptions

if TYPE_CHECKING:
    from canary_tui.config import Settings


def add_console_setting_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the console that override a setting (console and demo)."""
    group = parser.add_argument_group("display (defaults: the config file, CANARY_TUI_*)")
    group.add_argument(
        "--theme",
        metavar="NAME",
        help="Textual theme, e.g. textual-dark, textual-light, nord, canary-high-contrast "
        "(ctrl+p 'theme' lists them all)",
    )
    group.add_argument(
        "--ascii",
        action="store_true",
        help="plain ASCII drawing for old terminals: no box, block, braille or arrow glyphs",
    )


def console_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the console's command line gives (None: flag not given)."""
    # Text: the refresh_seconds setting parses it (strict numbers, 1 s to 7 days).
    refresh = getattr(args, "refresh", None)
    return {
        **target_flags(args),
        "refresh_seconds": refresh,
        "window": getattr(args, "window", None),
        "theme": getattr(args, "theme", None),
        # store_true flags count as given only when set: the setting can still turn them on.
        "ascii": True if getattr(args, "ascii", False) else None,
        "read_only": True if getattr(args, "read_only", False) else None,
        "audit_path": getattr(args, "audit_log", None),
    }


def console_settings(args: argparse.Namespace) -> Settings:
    """The effective settings of a console command line; bad values exit 2 with one line."""
    return settings_from_flags(console_flags(args))


def console_options_from(settings: Settings, **overrides: Any) -> ConsoleOptions:
    """What the console is told at start. ``overrides`` replace fields afterwards (the
    demo's mode label and cadence, for example)."""
    profile = settings.profile
    options = ConsoleOptions(
        read_only=is_read_only(profile, settings),
        refresh_seconds=float(settings.refresh_seconds) if settings.refresh_seconds else None,
        metric_period_seconds=settings.metric_period_seconds,
        window=settings.window,
        rollback_wait_seconds=float(settings.rollback_wait_seconds),
        theme=settings.theme,
        ascii=settings.ascii,
        profile=profile,
        production=is_production(profile, settings),
        keymap=dict(settings.keymap),
        always_read_only=settings.read_only,
        read_only_profiles=tuple(settings.read_only_profiles),
        production_profiles=tuple(settings.production_profiles),
        audit_path=settings.effective_audit_path,
        capacity_warning_factor=settings.capacity_warning_factor,
        background_describe_rate=settings.background_describe_rate,
        quality_metrics=settings.verdict.metrics,
    )
    return dataclasses.replace(options, **overrides) if overrides else options


def console_options_from_args(args: argparse.Namespace, **overrides: Any) -> ConsoleOptions:
    return console_options_from(console_settings(args), **overrides)

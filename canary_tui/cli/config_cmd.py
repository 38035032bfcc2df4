"""`canary-tui config [--path | --init] [--json]`: the effective settings and where each
value came from (default, file, environment variable or flag)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any

from canary_tui.cli.common import EXIT_OK, UsageError, add_target_arguments
from canary_tui.cli.output import print_json, print_lines, warn
from canary_tui.config import (
    ConfigError,
    config_path,
    display_value,
    format_duration,
    load_settings,
    setting_keys,
    value_at,
    write_default_file,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "config",
        help="show the effective settings and where each comes from",
        description="Settings come from defaults, the config file, CANARY_TUI_* environment "
        "variables and flags, each overriding the one before. This prints every setting with "
        "its source. The file is config.toml in the platform config directory, or "
        "CANARY_TUI_CONFIG.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--path", action="store_true", help="print the config file's path")
    action.add_argument(
        "--init",
        action="store_true",
        help="write a commented default config file (never overwrites one)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON (stable keys)")
    # The target flags are accepted here so `config` shows what they change.
    add_target_arguments(parser)
    parser.set_defaults(run=run)


def flags_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings a command line gives (None: flag not given), for ``load_settings``."""
    return {
        "profile": getattr(args, "profile", None),
        "region": getattr(args, "region", None),
        "endpoint_url": getattr(args, "endpoint_url", None),
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    if hasattr(value, "to_dict"):  # a [[verdict.metrics]] entry, as the file spells it
        return value.to_dict()
    return value


def run(args: argparse.Namespace) -> int:
    if args.path:
        print(config_path())
        return EXIT_OK
    if args.init:
        try:
            path = write_default_file()
        except ConfigError as error:
            raise UsageError(str(error)) from None
        print(f"wrote {path}")
        return EXIT_OK
    try:
        loaded = load_settings(flags_from_args(args), allow_unknown_env=True)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    for name in loaded.unknown_env:  # every other command refuses them (exit 2)
        warn(f"{name} is not a setting (ignored); see canary-tui config --init for the names")
    keys = setting_keys()
    if args.json:
        print_json(
            {
                "path": str(loaded.path),
                "file_exists": loaded.path.exists(),
                "settings": {
                    key: {
                        "value": _json_value(value_at(loaded.settings, key)),
                        "source": loaded.sources[key],
                    }
                    for key in keys
                },
            }
        )
        return EXIT_OK
    exists = "" if loaded.path.exists() else " (not created; canary-tui config --init)"
    lines = [f"config file: {loaded.path}{exists}"]
    width = max(len(key) for key in keys)
    shown = {key: display_value(value_at(loaded.settings, key)) for key in keys}
    value_width = min(40, max(len(text) for text in shown.values()))
    for key in keys:
        lines.append(f"{key:<{width}}  {shown[key]:<{value_width}}  {loaded.sources[key]}")
    print_lines(lines)
    return EXIT_OK

"""What every command shares: AWS target flags, exit codes, one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend
    from canary_tui.aws.session import AwsTarget
    from canary_tui.config import Settings

EXIT_OK = 0
EXIT_AWS_FAILURE = 1
EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """Bad input from the person at the keyboard: exit 2 with this one line."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS")
    group.add_argument(
        "--profile",
        help="AWS profile (default: the profile setting, else the standard credential chain)",
    )
    group.add_argument(
        "--region",
        help="AWS region (default: the region setting, else from the profile or AWS_REGION)",
    )
    group.add_argument(
        "--endpoint-url",
        help="send every AWS call here (also: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SAGEMAKER, "
        "AWS_ENDPOINT_URL_CLOUDWATCH)",
    )


def settings_from_flags(flags: Mapping[str, Any]) -> Settings:
    """The effective settings (defaults < config file < CANARY_TUI_* < ``flags``); a bad
    value anywhere is bad input: one line, exit 2."""
    from canary_tui.config import ConfigError, load_settings

    try:
        return load_settings(flags).settings
    except ConfigError as error:
        raise UsageError(str(error)) from None


def target_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The AWS target flags given on the command line (None: not given)."""
    return {
        "profile": getattr(args, "profile", None),
        "region": getattr(args, "region", None),
        "endpoint_url": getattr(args, "endpoint_url", None),
    }


def target_from_settings(settings: Settings) -> AwsTarget:
    # boto3 (imported by the session module) costs ~0.1 s: only commands that talk to AWS pay.
    from canary_tui.aws.session import AwsTarget

    return AwsTarget(
        profile=settings.profile, region=settings.region, endpoint_url=settings.endpoint_url
    )


def target_from_args(args: argparse.Namespace) -> AwsTarget:
    """--profile/--region/--endpoint-url, else the profile, region and endpoint_url settings
    (CANARY_TUI_* or the config file), else boto3's standard chain."""
    return target_from_settings(settings_from_flags(target_flags(args)))


def backend_from_args(args: argparse.Namespace) -> Backend:
    from canary_tui.aws.backend import build_backend
    from canary_tui.aws.session import AwsClients
    from canary_tui.cli.mfa import prompt_mfa_before_start

    clients = AwsClients(target_from_args(args))
    prompt_mfa_before_start(clients)
    return build_backend(clients)


def fail(message: str, code: int) -> NoReturn:
    print(f"canary-tui: {message}", file=sys.stderr)
    raise SystemExit(code)

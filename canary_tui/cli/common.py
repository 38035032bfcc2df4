"""What every command shares: AWS target flags, exit codes, one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from canary_tui.domain import numbers
from canary_tui.domain.names import NameInputError, check_endpoint_name

if TYPE_CHECKING:
    from canary_tui.aws.backend import Backend
    from canary_tui.aws.session import AwsClients, AwsTarget
    from canary_tui.config import Settings
    from canary_tui.config.quick import TargetSettings

EXIT_OK = 0
EXIT_AWS_FAILURE = 1
EXIT_BAD_INPUT = 2
#: A write whose answer was lost and whose effect a re-read could not establish (or that
#: someone else's change overlapped): look at the endpoint before doing anything else.
EXIT_UNKNOWN_OUTCOME = 5
#: Another run on this machine is changing the endpoint (its lock is held); nothing was sent.
EXIT_ENDPOINT_BUSY = 6


class UsageError(Exception):
    """Bad input from the person at the keyboard: exit 2 with this one line."""


T = TypeVar("T")


def number_type(parse: Callable[[str], T], name: str = "number") -> Callable[[str], T]:
    """An argparse ``type=`` that parses with the strict number parser: a bad value is
    argparse's one line (``argument --x: ...``) and exit 2, before anything runs."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except numbers.NumberInputError as error:
            raise argparse.ArgumentTypeError(error.message) from None

    convert.__name__ = name  # argparse names the type in some messages
    return convert


def whole_number_flag(low: int, high: int) -> Callable[[str], int]:
    bounds = numbers.Bounds(low, high, integer=True)
    return number_type(lambda text: numbers.parse_integer(text, bounds), "whole number")


def decimal_flag(low: float, high: float) -> Callable[[str], float]:
    bounds = numbers.Bounds(low, high)
    return number_type(lambda text: numbers.parse_decimal(text, bounds), "number")


#: ``--wait-timeout 10m``, ``--poll 30s``: 1 s to 7 days, like every duration.
duration_flag = number_type(lambda text: numbers.parse_duration(text), "duration")


def endpoint_name(text: str) -> str:
    """argparse ``type=`` of ENDPOINT: SageMaker's name pattern, checked before any call."""
    try:
        return check_endpoint_name(text)
    except NameInputError as error:
        raise argparse.ArgumentTypeError(error.message) from None


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


def target_settings_from_flags(flags: Mapping[str, Any]) -> TargetSettings | Settings:
    """Profile, region, endpoint_url and audit_path as :func:`settings_from_flags` gives
    them, without pydantic when :mod:`canary_tui.config.quick` can decide (same values;
    otherwise the full load, with its one-line errors)."""
    from canary_tui.config.quick import quick_target

    return quick_target(flags) or settings_from_flags(flags)


def refuse_if_read_only(args: argparse.Namespace, what: str) -> None:
    """A change from the command line under read-only rules is bad input: exit 2 with one
    line saying why, before the audit log is opened or anything is sent. The rule is the
    console's (:func:`canary_tui.aws.profiles.read_only_reason`)."""
    from canary_tui.aws.profiles import read_only_reason
    from canary_tui.config import ConfigError, load_settings

    try:
        loaded = load_settings(target_flags(args))
    except ConfigError as error:
        raise UsageError(str(error)) from None
    reason = read_only_reason(loaded.settings.profile, loaded.settings)
    if reason is None:
        return
    if loaded.settings.read_only:
        origin = loaded.sources.get("read_only", "")
        where = f"{loaded.path}" if origin == "file" else origin.removeprefix("env ")
        reason = f"read_only = true ({where})"
    raise UsageError(f"read-only: {reason}; {what} refused, nothing was sent")


def target_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The AWS target flags given on the command line (None: not given)."""
    return {
        "profile": getattr(args, "profile", None),
        "region": getattr(args, "region", None),
        "endpoint_url": getattr(args, "endpoint_url", None),
    }


def target_from_settings(settings: Settings | TargetSettings) -> AwsTarget:
    # boto3 (imported by the session module) costs ~0.1 s: only commands that talk to AWS pay.
    from canary_tui.aws.session import AwsTarget

    return AwsTarget(
        profile=settings.profile, region=settings.region, endpoint_url=settings.endpoint_url
    )


def target_from_args(args: argparse.Namespace) -> AwsTarget:
    """--profile/--region/--endpoint-url, else the profile, region and endpoint_url settings
    (CANARY_TUI_* or the config file), else boto3's standard chain."""
    return target_from_settings(target_settings_from_flags(target_flags(args)))


def clients_from_args(args: argparse.Namespace) -> AwsClients:
    """Clients for the target the flags and settings name; an MFA code, if the profile
    needs one, is asked now."""
    from canary_tui.aws.session import AwsClients
    from canary_tui.cli.mfa import prompt_mfa_before_start

    clients = AwsClients(target_from_args(args))
    prompt_mfa_before_start(clients)
    return clients


def backend_from_args(args: argparse.Namespace) -> Backend:
    """The backend for the flags and settings, with the team table's lease and audit when
    ``team_table`` is set (its warnings go to stderr)."""
    from canary_tui.aws.backend import build_backend
    from canary_tui.aws.session import AwsClients
    from canary_tui.cli.mfa import prompt_mfa_before_start
    from canary_tui.cli.output import warn

    settings = target_settings_from_flags(target_flags(args))
    clients = AwsClients(target_from_settings(settings))
    prompt_mfa_before_start(clients)
    backend = build_backend(clients, team_table=settings.team_table)
    if backend.team is not None:
        backend.team.set_notify(warn)
    return backend


def fail(message: str, code: int) -> NoReturn:
    print(f"canary-tui: {message}", file=sys.stderr)
    raise SystemExit(code)

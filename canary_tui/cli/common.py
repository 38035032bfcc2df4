"""What every command shares: AWS target flags, exit codes, one-line errors."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.session import AwsClients, AwsTarget

EXIT_OK = 0
EXIT_AWS_FAILURE = 1
EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """Bad input from the person at the keyboard: exit 2 with this one line."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS")
    group.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    group.add_argument("--region", help="AWS region (default: from the profile or AWS_REGION)")
    group.add_argument(
        "--endpoint-url",
        help="send every AWS call here (also: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SAGEMAKER, "
        "AWS_ENDPOINT_URL_CLOUDWATCH)",
    )


def target_from_args(args: argparse.Namespace) -> AwsTarget:
    return AwsTarget(
        profile=getattr(args, "profile", None),
        region=getattr(args, "region", None),
        endpoint_url=getattr(args, "endpoint_url", None),
    )


def backend_from_args(args: argparse.Namespace) -> Backend:
    return build_backend(AwsClients(target_from_args(args)))


def fail(message: str, code: int) -> NoReturn:
    print(f"canary-tui: {message}", file=sys.stderr)
    raise SystemExit(code)

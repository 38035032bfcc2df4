"""`canary-tui set-serverless ENDPOINT VARIANT [--max-concurrency N]
[--provisioned-concurrency N]`: what ServerlessUpdateConfig allows, through the same
preview, confirmation, guards and audit log as set-capacity."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from canary_tui.cli.common import endpoint_name
from canary_tui.cli.output import configuration_is_bad_input


def register_set_serverless(
    subparsers: Any, add_change_options: Callable[[argparse.ArgumentParser], None]
) -> None:
    from canary_tui.cli.set_weights import EXIT_CODES_HELP

    parser = subparsers.add_parser(
        "set-serverless",
        help="change a serverless variant's max and provisioned concurrency",
        description="UpdateEndpointWeightsAndCapacities with ServerlessUpdateConfig: what it "
        "allows (MaxConcurrency, ProvisionedConcurrency, each 1 to 200, provisioned at most "
        "max). Memory needs a new endpoint config.",
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("endpoint", metavar="ENDPOINT", type=endpoint_name)
    parser.add_argument("variant", metavar="VARIANT")
    parser.add_argument("--max-concurrency", metavar="N")
    parser.add_argument("--provisioned-concurrency", metavar="N")
    add_change_options(parser)
    parser.set_defaults(run=run_set_serverless)


@configuration_is_bad_input
def run_set_serverless(args: argparse.Namespace) -> int:
    from canary_tui.cli.set_weights import run_change
    from canary_tui.domain.serverless import parse_concurrency, parse_serverless_update

    variant: str = args.variant
    most: str | None = args.max_concurrency
    provisioned: str | None = args.provisioned_concurrency
    if most is None and provisioned is None:
        from canary_tui.cli.common import UsageError

        raise UsageError("give --max-concurrency, --provisioned-concurrency, or both")
    # Bad numbers: exit 2 before any AWS call.
    for text, field in ((most, "max concurrency"), (provisioned, "provisioned concurrency")):
        if text is not None:
            parse_concurrency(text, field)
    return run_change(
        args, lambda endpoint: parse_serverless_update(endpoint, variant, most, provisioned)
    )

"""``canary-tui who-changed ENDPOINT``: who changed the endpoint's weights or config, from
CloudTrail's Event history (read only; one LookupEvents page per 50 events)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from canary_tui.cli.common import EXIT_OK, UsageError, add_target_arguments
from canary_tui.cli.output import configuration_is_bad_input
from canary_tui.domain import numbers
from canary_tui.domain.names import NameInputError, check_endpoint_name

#: Event history keeps 90 days.
HISTORY_DAYS = 90
SINCE = numbers.Bounds(60, HISTORY_DAYS * 86400, unit="duration")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "who-changed",
        help="who changed an endpoint (CloudTrail), outside canary-tui by default",
        description="The UpdateEndpointWeightsAndCapacities and UpdateEndpoint calls on the "
        "endpoint from CloudTrail's Event history: time, identity, what was asked. Calls made "
        "by canary-tui (its user agent) are left out unless --all. Events reach CloudTrail "
        "about 5 minutes after the call.",
    )
    parser.add_argument("endpoint", metavar="ENDPOINT")
    parser.add_argument(
        "--since", default="24h", help="how far back: a duration up to 90d (default 24h)"
    )
    parser.add_argument("--all", action="store_true", help="canary-tui's own calls too")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_target_arguments(parser)
    parser.set_defaults(run=run)


def since_seconds(text: str) -> float:
    try:
        return numbers.parse_duration(text, SINCE, field="--since")
    except numbers.NumberInputError as error:
        raise UsageError(error.message) from None


@configuration_is_bad_input
def run(args: argparse.Namespace) -> int:
    try:
        endpoint = check_endpoint_name(args.endpoint)
    except NameInputError as error:
        raise UsageError(error.message) from None
    seconds = since_seconds(args.since)
    from canary_tui.cli.common import backend_from_args

    backend = backend_from_args(args)
    if backend.cloudtrail is None:  # build_backend always makes one
        raise UsageError("no CloudTrail client for this target")
    end = datetime.now(UTC)
    reading = backend.cloudtrail.endpoint_changes(endpoint, end - timedelta(seconds=seconds), end)
    changes = [c for c in reading.changes if args.all or not c.by_canary_tui]
    if args.json:
        print(
            json.dumps(
                {
                    "endpoint": endpoint,
                    "since": (end - timedelta(seconds=seconds)).isoformat(),
                    "truncated": reading.truncated,
                    "lookup_calls": reading.calls,
                    "changes": [
                        {
                            "time": c.time.isoformat(),
                            "call": c.event,
                            "caller": c.caller,
                            "weights": dict(c.weights),
                            "instance_counts": dict(c.instance_counts),
                            "endpoint_config": c.endpoint_config,
                            "error": c.error,
                            "by_canary_tui": c.by_canary_tui,
                        }
                        for c in changes
                    ],
                },
                indent=2,
            )
        )
        return EXIT_OK
    scope = "" if args.all else " outside canary-tui"
    if not changes:
        print(f"no changes to {endpoint}{scope} in CloudTrail since {args.since} ago")
    for change in changes:
        mark = " (canary-tui)" if change.by_canary_tui else ""
        print(
            f"{change.time:%Y-%m-%d %H:%M:%S}  {change.event}  {change.caller}{mark}\n"
            f"    {change.summary}"
        )
    if reading.truncated:
        print("note: more events than were read; the oldest may be missing (narrow --since)")
    print("note: CloudTrail shows a call about 5 minutes after it was made")
    return EXIT_OK

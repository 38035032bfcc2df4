"""`canary-tui status [ENDPOINT] [--json]`: every endpoint, or one endpoint's variants."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from canary_tui.aws.errors import AwsError, NotFound
from canary_tui.aws.sagemaker import SageMakerGateway
from canary_tui.cli.common import (
    EXIT_AWS_FAILURE,
    EXIT_OK,
    UsageError,
    add_target_arguments,
    clients_from_args,
    endpoint_name,
)
from canary_tui.cli.output import (
    add_audit_argument,
    audit_path_from_args,
    configuration_is_bad_input,
    format_count,
    format_percent,
    format_table,
    format_time,
    format_weight,
    iso_time,
    print_json,
    print_lines,
    report_audit_problems_at,
    shares_json,
    warn,
)
from canary_tui.domain.models import Endpoint, EndpointSummary

#: Describes in flight at once for the all-endpoints view: quick, yet far below the
#: DescribeEndpoint rate limits, and what botocore's default connection pool (10) allows.
DESCRIBE_CONCURRENCY = 8


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="show every endpoint, or one endpoint's variants",
        description="Without ENDPOINT: every endpoint in the region with its status, number of "
        "variants and canary share. With ENDPOINT: each variant's model, instance type, "
        "instance counts, weights and traffic share.",
    )
    parser.add_argument(
        "endpoint", nargs="?", metavar="ENDPOINT", type=endpoint_name, help="one endpoint's name"
    )
    parser.add_argument("--json", action="store_true", help="print JSON (stable keys)")
    add_target_arguments(parser)
    add_audit_argument(parser)
    parser.set_defaults(run=run)


@configuration_is_bad_input
def run(args: argparse.Namespace) -> int:
    report_audit_problems_at(audit_path_from_args(args))
    # Only SageMaker: the whole Backend would import the CloudWatch and Auto Scaling
    # gateways and their domain modules, which status never calls.
    sagemaker = SageMakerGateway(clients_from_args(args))
    if args.endpoint:
        return show_endpoint(sagemaker, args.endpoint, as_json=args.json)
    return show_all(sagemaker, as_json=args.json)


# -- one endpoint ------------------------------------------------------------------------


def describe_or_usage_error(sagemaker: SageMakerGateway, name: str) -> Endpoint:
    """Describe ``name``; a missing endpoint is a mistyped argument (exit 2)."""
    try:
        return sagemaker.describe_endpoint(name)
    except NotFound:
        raise UsageError(f"endpoint {name!r} not found in this account and region") from None


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    current_shares = endpoint.current_traffic_shares
    desired_shares = endpoint.desired_traffic_shares
    return {
        "name": endpoint.name,
        "status": endpoint.status,
        "failure_reason": endpoint.failure_reason,
        "config_name": endpoint.config_name,
        "last_modified": iso_time(endpoint.last_modified),
        "variants": [
            {
                "name": variant.name,
                "model": variant.model_name,
                "instance_type": variant.instance_type,
                "current_instance_count": variant.current_instance_count,
                "desired_instance_count": variant.desired_instance_count,
                "current_weight": variant.current_weight,
                "desired_weight": variant.desired_weight,
                "current_traffic_percent": round(current_shares[variant.name], 4),
                "desired_traffic_percent": round(desired_shares[variant.name], 4),
                "status": variant.status,
            }
            for variant in endpoint.variants
        ],
    }


def _pair(current: str, desired: str) -> str:
    return current if current == desired else f"{current} -> {desired}"


def endpoint_lines(endpoint: Endpoint) -> list[str]:
    current_shares = endpoint.current_traffic_shares
    desired_shares = endpoint.desired_traffic_shares
    header = f"{endpoint.name}  {endpoint.status}"
    if endpoint.failure_reason:
        header += f"  (reason: {endpoint.failure_reason})"
    rows = [
        [
            variant.name,
            variant.model_name or "-",
            variant.instance_type or "-",
            _pair(
                format_count(variant.current_instance_count),
                format_count(variant.desired_instance_count),
            ),
            _pair(format_weight(variant.current_weight), format_weight(variant.desired_weight)),
            _pair(
                format_percent(current_shares[variant.name]),
                format_percent(desired_shares[variant.name]),
            ),
            variant.status or "-",
        ]
        for variant in endpoint.variants
    ]
    table = format_table(
        ["VARIANT", "MODEL", "TYPE", "INSTANCES", "WEIGHT", "TRAFFIC", "STATUS"],
        rows,
        right_aligned={3, 4, 5},
        shrinkable=(1, 0, 2, 6),
    )
    footer = "current -> desired shown while an update is rolling out"
    settling = any(variant.is_settling for variant in endpoint.variants)
    return [header, *table, *([footer] if settling else [])]


def show_endpoint(sagemaker: SageMakerGateway, name: str, *, as_json: bool) -> int:
    endpoint = describe_or_usage_error(sagemaker, name)
    if as_json:
        print_json(endpoint_json(endpoint))
    else:
        print_lines(endpoint_lines(endpoint))
    return EXIT_OK


# -- every endpoint ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EndpointRow:
    summary: EndpointSummary
    endpoint: Endpoint | None
    #: Why the endpoint could not be described (None when it was).
    error: str | None


def _describe_row(sagemaker: SageMakerGateway, summary: EndpointSummary) -> EndpointRow:
    try:
        # The list shows status, variants and traffic: no model or instance type, so no
        # DescribeEndpointConfig per endpoint.
        endpoint = sagemaker.describe_endpoint(summary.name, with_config=False)
        return EndpointRow(summary, endpoint, None)
    except NotFound:
        return EndpointRow(summary, None, "deleted while listing")
    except AwsError as error:
        return EndpointRow(summary, None, error.message)


def collect_rows(sagemaker: SageMakerGateway) -> list[EndpointRow]:
    summaries = sagemaker.list_endpoints()
    with ThreadPoolExecutor(max_workers=DESCRIBE_CONCURRENCY) as pool:
        return list(pool.map(lambda summary: _describe_row(sagemaker, summary), summaries))


def row_json(row: EndpointRow) -> dict[str, Any]:
    endpoint = row.endpoint
    return {
        "name": row.summary.name,
        "status": endpoint.status if endpoint is not None else row.summary.status,
        "variants": len(endpoint.variants) if endpoint is not None else None,
        "canary_traffic_percent": (
            round(endpoint.canary_share, 4) if endpoint is not None else None
        ),
        "traffic_percent": (
            shares_json(endpoint.current_traffic_shares) if endpoint is not None else None
        ),
        "last_modified": iso_time(row.summary.last_modified),
        "error": row.error,
    }


def show_all(sagemaker: SageMakerGateway, *, as_json: bool) -> int:
    rows = collect_rows(sagemaker)
    failed = [row for row in rows if row.error is not None and row.error != "deleted while listing"]
    if as_json:
        print_json({"endpoints": [row_json(row) for row in rows]})
    elif not rows:
        print("no endpoints in this account and region")
    else:
        table_rows = []
        for row in rows:
            endpoint = row.endpoint
            table_rows.append(
                [
                    row.summary.name,
                    endpoint.status if endpoint is not None else row.summary.status,
                    str(len(endpoint.variants)) if endpoint is not None else "?",
                    (
                        format_percent(endpoint.canary_share)
                        if endpoint is not None and len(endpoint.variants) > 1
                        else ("-" if endpoint is not None else "?")
                    ),
                    format_time(row.summary.last_modified),
                ]
            )
        print_lines(
            format_table(
                ["ENDPOINT", "STATUS", "VARIANTS", "CANARY", "LAST MODIFIED (UTC)"],
                table_rows,
                right_aligned={2, 3},
                shrinkable=(0,),
            )
        )
    if failed:
        warn(f"could not describe {len(failed)} endpoint(s); first: {failed[0].error}")
        return EXIT_AWS_FAILURE
    return EXIT_OK

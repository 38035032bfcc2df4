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
from canary_tui.domain.models import (
    Endpoint,
    EndpointSummary,
    PendingDeployment,
    ServerlessConfig,
    Variant,
)

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


def _serverless_json(config: ServerlessConfig | None) -> dict[str, Any] | None:
    if config is None:
        return None
    return {
        "memory_mb": config.memory_mb,
        "max_concurrency": config.max_concurrency,
        "provisioned_concurrency": config.provisioned_concurrency,
    }


def _variant_json(endpoint: Endpoint, variant: Variant) -> dict[str, Any]:
    current_shares = endpoint.current_traffic_shares
    desired_shares = endpoint.desired_traffic_shares
    shadow = variant.shadow
    sampling = endpoint.shadow_sampling_percent(variant.name) if shadow else None
    return {
        "name": variant.name,
        "kind": variant.kind,
        "compute": variant.compute,
        "model": variant.model_name,
        "instance_type": variant.instance_type,
        "current_instance_count": variant.current_instance_count,
        "desired_instance_count": variant.desired_instance_count,
        "current_weight": variant.current_weight,
        "desired_weight": variant.desired_weight,
        # A shadow variant serves no caller: its weight sets a sampled copy, not a share.
        "current_traffic_percent": None if shadow else round(current_shares[variant.name], 4),
        "desired_traffic_percent": None if shadow else round(desired_shares[variant.name], 4),
        "shadow_sampling_percent": round(sampling, 4) if sampling is not None else None,
        "current_serverless": _serverless_json(variant.current_serverless),
        "desired_serverless": _serverless_json(variant.desired_serverless),
        "status": variant.status,
    }


def _pending_json(pending: PendingDeployment | None) -> dict[str, Any] | None:
    if pending is None:
        return None
    return {
        "config_name": pending.config_name,
        "stage": pending.stage,
        "traffic_mode": pending.traffic_mode,
        "wait_seconds": pending.wait_seconds,
        "start_time": iso_time(pending.start_time),
        "variant_stages": dict(pending.variant_stages),
    }


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "kind": endpoint.kind,
        "kinds": list(endpoint.kinds),
        "status": endpoint.status,
        "failure_reason": endpoint.failure_reason,
        "config_name": endpoint.config_name,
        "last_modified": iso_time(endpoint.last_modified),
        "metric_period_seconds": endpoint.metric_period_seconds,
        "pending_deployment": _pending_json(endpoint.pending_deployment),
        "variants": [
            _variant_json(endpoint, variant)
            for variant in (*endpoint.variants, *endpoint.shadow_variants)
        ],
        "inference_components": [
            {
                "name": component.name,
                "variant": component.variant,
                "status": component.status,
                "current_copies": component.current_copies,
                "desired_copies": component.desired_copies,
            }
            for component in endpoint.inference_components
        ],
    }


def _pair(current: str, desired: str) -> str:
    return current if current == desired else f"{current} -> {desired}"


def _capacity_text(variant: Variant) -> str:
    if variant.is_serverless:
        current, desired = variant.current_serverless, variant.desired_serverless
        return _pair(
            current.short_text() if current else "-", desired.short_text() if desired else "-"
        )
    return _pair(
        format_count(variant.current_instance_count),
        format_count(variant.desired_instance_count),
    )


def _traffic_text(endpoint: Endpoint, variant: Variant) -> str:
    if variant.shadow:
        sampling = endpoint.shadow_sampling_percent(variant.name)
        return f"copy {format_percent(sampling)}" if sampling is not None else "copy ?"
    return _pair(
        format_percent(endpoint.current_traffic_shares[variant.name]),
        format_percent(endpoint.desired_traffic_shares[variant.name]),
    )


def endpoint_lines(endpoint: Endpoint) -> list[str]:
    header = f"{endpoint.name}  {endpoint.status}  kind: {', '.join(endpoint.kinds)}"
    if endpoint.failure_reason:
        header += f"  (reason: {endpoint.failure_reason})"
    rows = [
        [
            variant.name,
            variant.kind,
            variant.model_name or "-",
            variant.instance_type or "-",
            _capacity_text(variant),
            _pair(format_weight(variant.current_weight), format_weight(variant.desired_weight)),
            _traffic_text(endpoint, variant),
            variant.status or "-",
        ]
        for variant in (*endpoint.variants, *endpoint.shadow_variants)
    ]
    table = format_table(
        ["VARIANT", "KIND", "MODEL", "TYPE", "CAPACITY", "WEIGHT", "TRAFFIC", "STATUS"],
        rows,
        right_aligned={4, 5, 6},
        shrinkable=(2, 0, 3, 7),
    )
    lines = [header, *table]
    for component in endpoint.inference_components:
        copies = _pair(
            format_count(component.current_copies), format_count(component.desired_copies)
        )
        lines.append(
            f"component {component.name} on {component.variant or '-'}: {copies} copies, "
            f"{component.status or '-'}"
        )
    if endpoint.uses_inference_components:
        lines.append("variant weights do not route inference-component traffic")
    if endpoint.shadow_variants:
        lines.append("shadow test: callers get production's answers; 'copy' is the sampled share")
    if endpoint.pending_deployment is not None:
        lines.append(endpoint.pending_deployment.text())
    settling = any(v.is_settling for v in (*endpoint.variants, *endpoint.shadow_variants))
    if settling:
        lines.append("current -> desired shown while an update is rolling out")
    return lines


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
        "kind": endpoint.kind if endpoint is not None else None,
        "kinds": list(endpoint.kinds) if endpoint is not None else None,
        "variant_kinds": (
            {v.name: v.kind for v in (*endpoint.variants, *endpoint.shadow_variants)}
            if endpoint is not None
            else None
        ),
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
                    endpoint.kind if endpoint is not None else "?",
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
                ["ENDPOINT", "KIND", "STATUS", "VARIANTS", "CANARY", "LAST MODIFIED (UTC)"],
                table_rows,
                right_aligned={3, 4},
                shrinkable=(0, 1),
            )
        )
    if failed:
        warn(f"could not describe {len(failed)} endpoint(s); first: {failed[0].error}")
        return EXIT_AWS_FAILURE
    return EXIT_OK

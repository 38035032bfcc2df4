"""Which variants of an endpoint are multi-model: those that publish ModelCacheHit."""

from __future__ import annotations

import threading

from canary_tui.aws.errors import AccessDenied, AwsError, translated
from canary_tui.aws.session import AwsClients
from canary_tui.domain.kind_metrics import MULTI_MODEL_MARKER
from canary_tui.domain.metrics import NAMESPACE
from canary_tui.domain.models import Endpoint


class MultiModelDetector:
    """One ListMetrics per endpoint and endpoint config, remembered: no storm of calls.

    DescribeEndpoint does not say an endpoint is multi-model (its model's
    ``PrimaryContainer.Mode`` does, a DescribeModel per model away); ModelCacheHit is
    published by multi-model endpoints only, and ListMetrics lists the metrics with data
    in the past two weeks, with the VariantName dimension of each variant that has it.
    """

    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients
        self._known: dict[tuple[str, str | None], frozenset[str]] = {}
        # Two workers asking at once (a poll and a new selection) make one call, not two.
        self._lock = threading.Lock()

    def variants(self, endpoint: Endpoint) -> frozenset[str]:
        """Blocking: call it from a worker thread."""
        with self._lock:
            return self._variants(endpoint)

    def _variants(self, endpoint: Endpoint) -> frozenset[str]:
        key = (endpoint.name, endpoint.config_name)
        known = self._known.get(key)
        if known is not None:
            return known
        try:
            answer = self._listed(endpoint)
        except AccessDenied:
            # Without cloudwatch:ListMetrics the endpoint is read as single-model (its
            # other metrics still come); asked once, not on every poll.
            answer = frozenset()
        except AwsError:
            return frozenset()  # throttled, unavailable...: single-model this poll, ask again
        self._known[key] = answer
        return answer

    def _listed(self, endpoint: Endpoint) -> frozenset[str]:
        found: set[str] = set()
        with translated(self._clients.profile_name):
            paginator = self._clients.cloudwatch.get_paginator("list_metrics")
            for page in paginator.paginate(
                Namespace=NAMESPACE,
                MetricName=MULTI_MODEL_MARKER,
                Dimensions=[{"Name": "EndpointName", "Value": endpoint.name}],
            ):
                for metric in page.get("Metrics", []):
                    dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
                    variant = dimensions.get("VariantName")
                    if dimensions.get("EndpointName") == endpoint.name and variant:
                        found.add(variant)
        return frozenset(found)

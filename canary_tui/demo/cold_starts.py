"""Serverless cold starts in the demo: which variants are serverless (from DescribeEndpoint,
as the simulator reads it each tick), their execution environments kept across ticks, and
the ModelSetupTime datapoints of the environments each minute's traffic launched."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from canary_tui.demo.traffic import EndpointTraffic, ServerlessCapacity, cold_starts

#: (samples, median ms, sigma of log, random stream) -> StatisticValues in microseconds.
LatencyDraw = Callable[[int, float, float, random.Random], dict[str, float]]


class ColdStarts:
    def __init__(self, seed: int, draw: LatencyDraw) -> None:
        #: endpoint -> serverless variant -> its environments.
        self._capacity: dict[str, dict[str, ServerlessCapacity]] = {}
        # Their own stream: every other number of a seed stays what it was.
        self._rng = random.Random(f"cold-starts-{seed}")
        self._draw = draw

    def note(self, endpoint: str, description: Any) -> None:
        """Keep each serverless variant's environments; a new concurrency applies from now."""
        known = self._capacity.setdefault(endpoint, {})
        for variant in description.get("ProductionVariants", []):
            config = variant.get("CurrentServerlessConfig") or variant.get(
                "DesiredServerlessConfig"
            )
            name = str(variant["VariantName"])
            if not config:
                known.pop(name, None)
                continue
            most = int(config.get("MaxConcurrency", 1))
            provisioned = int(config.get("ProvisionedConcurrency", 0) or 0)
            capacity = known.get(name)
            if capacity is None:
                known[name] = ServerlessCapacity(most, provisioned)
            else:
                capacity.max_concurrency, capacity.provisioned = most, provisioned
                capacity.warm = min(most, max(capacity.warm, provisioned))

    def metrics(
        self,
        endpoint: str,
        counts: Mapping[str, int],
        traffic: EndpointTraffic,
        start: datetime,
        seconds: float,
    ) -> list[dict[str, Any]]:
        """ModelSetupTime of the cold starts in [start, start + seconds): one sample per
        environment launched, published only when some were (as SageMaker does)."""
        data: list[dict[str, Any]] = []
        for variant, capacity in self._capacity.get(endpoint, {}).items():
            profile = traffic.profile(variant)
            launched = cold_starts(
                capacity, counts.get(variant, 0), seconds, profile.model_latency_ms
            )
            if launched == 0:
                continue
            data.append(
                {
                    "MetricName": "ModelSetupTime",
                    "Dimensions": [
                        {"Name": "EndpointName", "Value": endpoint},
                        {"Name": "VariantName", "Value": variant},
                    ],
                    "Timestamp": start,
                    "StatisticValues": self._draw(
                        launched, profile.model_setup_ms, profile.setup_spread, self._rng
                    ),
                    "Unit": "Microseconds",
                    "StorageResolution": 1,
                }
            )
        return data

"""Traffic simulator for the demo: per-variant SageMaker metrics, published through boto3.

It plays the part of SageMaker's own metric publisher. Every tick it reads each endpoint's
current weights back from the server (DescribeEndpoint), splits a gently varying request rate
between the variants by those weights, and publishes what that traffic would have produced
(PutMetricData into ``AWS/SageMaker``, dimensions EndpointName + VariantName): Invocations,
Invocation4XXErrors, Invocation5XXErrors, ModelLatency and OverheadLatency, the latencies in
microseconds as SageMaker reports them. A weight change therefore shows up in the invocation
split from the next tick on, well within one metric period. Serverless variants also get
ModelSetupTime for the cold starts their traffic causes (:mod:`canary_tui.demo.cold_starts`).

Each datapoint carries ``StatisticValues`` (SampleCount, Sum, Minimum, Maximum) describing
all requests in its interval, the way SageMaker aggregates before publishing, so CloudWatch's
Sum and Average are right. Count metrics have one sample per request (1 for an invocation,
0 or 1 for an error), so ``Average`` of an error metric is the error rate, as on real AWS.

Everything random comes from one ``random.Random(seed)`` and the clock is passed in, so a
test drives :meth:`TrafficSimulator.backfill` and :meth:`TrafficSimulator.tick` with chosen
times and gets the same numbers every run. How much traffic there is and how each variant
behaves is the traffic model, :mod:`canary_tui.demo.traffic`; its names are importable from
here too.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from canary_tui.demo.cold_starts import ColdStarts
from canary_tui.demo.quality import DEMO_LABEL_DELAY_SECONDS, DEMO_QUALITY_NAMESPACE
from canary_tui.demo.traffic import (
    BASELINE_PROFILE,
    DEFAULT_TRAFFIC,
    SCENARIOS,
    EndpointTraffic,
    VariantProfile,
    binomial,
    canary_profile,
    demo_traffic,
    poisson,
    shadow_copies,
    split_by_weight,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient

__all__ = [
    "BASELINE_PROFILE",
    "DEFAULT_TICK_SECONDS",
    "DEFAULT_TRAFFIC",
    "MAX_METRIC_DATA_PER_CALL",
    "NAMESPACE",
    "SCENARIOS",
    "SEGMENT_SECONDS",
    "EndpointTraffic",
    "Segment",
    "SimulatorThread",
    "TrafficSimulator",
    "VariantProfile",
    "binomial",
    "canary_profile",
    "demo_traffic",
    "poisson",
    "segments",
    "split_by_weight",
]

logger = logging.getLogger(__name__)

NAMESPACE = "AWS/SageMaker"
#: PutMetricData accepts at most 1000 metric data per request (CloudWatch API reference).
MAX_METRIC_DATA_PER_CALL = 1000
#: Datapoints never span a period boundary, so every CloudWatch period sums exactly.
SEGMENT_SECONDS = 60
DEFAULT_TICK_SECONDS = 5.0

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class Segment:
    start: datetime
    seconds: float


def segments(start: datetime, end: datetime, size: int = SEGMENT_SECONDS) -> Iterator[Segment]:
    """[start, end) cut at multiples of ``size`` seconds since the epoch."""
    cursor = start
    while cursor < end:
        epoch = cursor.timestamp()
        boundary = datetime.fromtimestamp(epoch - epoch % size + size, tz=UTC)
        stop = min(boundary, end)
        yield Segment(cursor, (stop - cursor).total_seconds())
        cursor = stop


class TrafficSimulator:
    """Publishes simulated per-variant metrics. Not thread-safe: one thread drives it."""

    def __init__(
        self,
        sagemaker: SageMakerClient,
        cloudwatch: CloudWatchClient,
        *,
        traffic: Mapping[str, EndpointTraffic],
        seed: int = 0,
        default_traffic: EndpointTraffic = DEFAULT_TRAFFIC,
        now: Callable[[], datetime] | None = None,
        quality_namespace: str = DEMO_QUALITY_NAMESPACE,
        label_delay_seconds: float = DEMO_LABEL_DELAY_SECONDS,
    ) -> None:
        self._sagemaker = sagemaker
        self._cloudwatch = cloudwatch
        self._traffic = dict(traffic)
        self._default_traffic = default_traffic
        self._rng = random.Random(seed)
        self._now = now or (lambda: datetime.now(UTC))
        #: Everything before this instant has been published.
        self.published_until: datetime | None = None
        self.put_calls = 0
        #: endpoint -> (shadow variant, share of requests copied to it), as last described.
        self._shadow_sampling: dict[str, list[tuple[str, float]]] = {}
        self.failed_ticks = 0
        self.last_error: Exception | None = None
        # Labelled outcomes (Correct / Labeled) as a team would publish them: per variant,
        # timestamped when the request was served, sent once the ground truth "arrives"
        # ``label_delay`` later. Their own random stream, so SageMaker's numbers stay the
        # same for a seed whether or not anyone reads the labels.
        self._quality_namespace = quality_namespace
        self._label_delay = timedelta(seconds=label_delay_seconds)
        self._label_rng = random.Random(f"labels-{seed}")
        self._pending_labels: list[tuple[datetime, dict[str, Any]]] = []
        self.labels_published = 0
        #: Serverless variants' environments and their cold starts' ModelSetupTime.
        self._cold_starts = ColdStarts(seed, self._latency)

    def now(self) -> datetime:
        return self._now()

    # -- reading the server -------------------------------------------------------------

    def _endpoint_names(self) -> list[str]:
        names: list[str] = []
        for page in self._sagemaker.get_paginator("list_endpoints").paginate():
            names.extend(raw["EndpointName"] for raw in page.get("Endpoints", []))
        # Sorted, so the random stream is consumed in the same order on every backend.
        return sorted(names)

    def current_weights(self) -> dict[str, list[tuple[str, float]]]:
        """Each endpoint's variants with the weight traffic is routed by right now."""
        weights: dict[str, list[tuple[str, float]]] = {}
        for name in self._endpoint_names():
            try:
                description = self._sagemaker.describe_endpoint(EndpointName=name)
            except ClientError:
                continue  # deleted between list and describe: no traffic for it
            weights[name] = [
                (
                    str(variant["VariantName"]),
                    float(variant.get("CurrentWeight", variant.get("DesiredWeight", 0.0))),
                )
                for variant in description.get("ProductionVariants", [])
            ]
            self._shadow_sampling[name] = _shadow_sampling(description)
            self._cold_starts.note(name, description)
        return weights

    # -- publishing ---------------------------------------------------------------------

    def backfill(self, now: datetime, span: timedelta = timedelta(hours=1)) -> int:
        """Publish ``span`` of history up to ``now`` at today's weights; returns datapoints."""
        return self._publish_interval(now - span, now)

    def tick(self, now: datetime) -> int:
        """Publish the traffic since the last tick (or backfill); returns datapoints."""
        start = self.published_until or now - timedelta(seconds=DEFAULT_TICK_SECONDS)
        if now <= start:
            return 0
        return self._publish_interval(start, now)

    def _publish_interval(self, start: datetime, end: datetime) -> int:
        weights = self.current_weights()
        metric_data: list[dict[str, Any]] = []
        for segment in segments(start, end):
            for endpoint, variants in weights.items():
                metric_data.extend(self._segment_metrics(endpoint, variants, segment))
        # Moved before sending: if a call fails, that interval is a gap, never counted twice.
        self.published_until = end
        self._put(metric_data)
        due = [datum for release, datum in self._pending_labels if release <= end]
        self._pending_labels = [item for item in self._pending_labels if item[0] > end]
        self._put(due, self._quality_namespace)
        self.labels_published += len(due)
        return len(metric_data) + len(due)

    def _put(self, metric_data: list[dict[str, Any]], namespace: str = NAMESPACE) -> None:
        for index in range(0, len(metric_data), MAX_METRIC_DATA_PER_CALL):
            self._cloudwatch.put_metric_data(
                Namespace=namespace,
                MetricData=metric_data[index : index + MAX_METRIC_DATA_PER_CALL],  # type: ignore[arg-type]
            )
            self.put_calls += 1

    def _segment_metrics(
        self, endpoint: str, variants: Sequence[tuple[str, float]], segment: Segment
    ) -> list[dict[str, Any]]:
        traffic = self._traffic.get(endpoint, self._default_traffic)
        rate = traffic.rate_at(segment.start) * (1.0 + self._rng.gauss(0.0, 0.03))
        total = poisson(self._rng, max(0.0, rate) * segment.seconds)
        counts = split_by_weight(self._rng, total, variants)
        shadows = self._shadow_sampling.get(endpoint, [])
        if shadows:  # copies on top of what production served: the shadow test's sample
            counts.update(shadow_copies(self._rng, total, shadows))
            variants = [*variants, *shadows]
        data: list[dict[str, Any]] = []
        for variant, _ in variants:
            requests = counts[variant]
            if requests == 0:
                continue  # SageMaker publishes nothing for a variant that served nothing
            profile = traffic.profile(variant)
            errors_5xx = binomial(self._rng, requests, profile.error_5xx_rate)
            errors_4xx = binomial(self._rng, requests - errors_5xx, profile.error_4xx_rate)
            dimensions = [
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": variant},
            ]
            model_latency = self._latency(
                requests, profile.model_latency_ms, profile.latency_spread
            )
            overhead_latency = self._latency(requests, profile.overhead_latency_ms, 0.2)
            for name, unit, statistics in (
                ("Invocations", "None", _counts(requests, requests)),
                ("Invocation4XXErrors", "None", _counts(requests, errors_4xx)),
                ("Invocation5XXErrors", "None", _counts(requests, errors_5xx)),
                ("ModelLatency", "Microseconds", model_latency),
                ("OverheadLatency", "Microseconds", overhead_latency),
            ):
                data.append(
                    {
                        "MetricName": name,
                        "Dimensions": dimensions,
                        "Timestamp": segment.start,
                        "StatisticValues": statistics,
                        "Unit": unit,
                        "StorageResolution": 1,
                    }
                )
            self._label(dimensions, requests, profile, segment)
        data.extend(
            self._cold_starts.metrics(endpoint, counts, traffic, segment.start, segment.seconds)
        )
        return data

    def _label(
        self,
        dimensions: list[dict[str, str]],
        requests: int,
        profile: VariantProfile,
        segment: Segment,
    ) -> None:
        """Queue the segment's labelled outcomes until their ground truth is due."""
        labelled = binomial(self._label_rng, requests, profile.label_share)
        if labelled == 0:
            return
        correct = binomial(self._label_rng, labelled, profile.accuracy)
        release = segment.start + timedelta(seconds=segment.seconds) + self._label_delay
        for name, value in (("Labeled", labelled), ("Correct", correct)):
            datum = {
                "MetricName": name,
                "Dimensions": dimensions,
                "Timestamp": segment.start,
                "Value": float(value),
                "Unit": "Count",
            }
            self._pending_labels.append((release, datum))

    def _latency(
        self,
        requests: int,
        median_ms: float,
        spread: float,
        rng: random.Random | None = None,
    ) -> dict[str, float]:
        """StatisticValues of ``requests`` log-normal latencies, in microseconds.

        Drawing every request would cost millions of draws per backfill; the mean of n draws
        is normal with the log-normal's mean and sd / sqrt(n), and the extremes sit near the
        1/(n+1) and n/(n+1) quantiles, which is all CloudWatch keeps anyway.
        """
        draw = rng or self._rng
        if requests == 1:
            value = median_ms * math.exp(spread * draw.gauss(0.0, 1.0)) * 1000.0
            return {"SampleCount": 1.0, "Sum": value, "Minimum": value, "Maximum": value}
        mean = median_ms * math.exp(spread**2 / 2)
        single_sd = mean * math.sqrt(math.exp(spread**2) - 1)
        sample_mean = draw.gauss(mean, single_sd / math.sqrt(requests))
        low_quantile = _STANDARD_NORMAL.inv_cdf(1 / (requests + 1))
        minimum = median_ms * math.exp(spread * low_quantile) * draw.uniform(0.97, 1.0)
        maximum = median_ms * math.exp(-spread * low_quantile) * draw.uniform(1.0, 1.05)
        sample_mean = min(max(sample_mean, minimum), maximum)
        return {
            "SampleCount": float(requests),
            "Sum": sample_mean * requests * 1000.0,
            "Minimum": minimum * 1000.0,
            "Maximum": maximum * 1000.0,
        }

    # -- running in the background ------------------------------------------------------

    def run(self, stop: threading.Event, interval: float = DEFAULT_TICK_SECONDS) -> None:
        """Tick every ``interval`` seconds until ``stop`` is set; errors never end the loop."""
        while not stop.wait(interval):
            try:
                self.tick(self.now())
            except Exception as error:
                # Usually the server is being torn down, and the next tick retries. A demo
                # must keep running, and printing would tear through the console's screen:
                # keep the error for whoever asks (tests, --headless).
                self._record_failure(error)

    def _record_failure(self, error: Exception) -> None:
        self.failed_ticks += 1
        self.last_error = error
        logger.debug("simulator tick failed: %s", error)


def _shadow_sampling(description: Any) -> list[tuple[str, float]]:
    production = description.get("ProductionVariants") or []
    if len(production) != 1:
        return []
    base = float(production[0].get("CurrentWeight", 0.0) or 0.0)
    if base <= 0:
        return []
    return [
        (str(shadow["VariantName"]), float(shadow.get("CurrentWeight", 0.0) or 0.0) / base)
        for shadow in description.get("ShadowProductionVariants") or []
    ]


def _counts(requests: int, hits: int) -> dict[str, float]:
    """StatisticValues of a per-request 0/1 metric with ``hits`` ones among ``requests``."""
    return {
        "SampleCount": float(requests),
        "Sum": float(hits),
        "Minimum": 0.0 if hits < requests else 1.0,
        "Maximum": 1.0 if hits > 0 else 0.0,
    }


class SimulatorThread:
    """Runs a :class:`TrafficSimulator` in a daemon thread; :meth:`stop` joins it."""

    def __init__(self, simulator: TrafficSimulator, interval: float = DEFAULT_TICK_SECONDS) -> None:
        self.simulator = simulator
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=simulator.run,
            args=(self._stop, interval),
            name="canary-tui-demo-simulator",
            daemon=True,
        )

    def start(self) -> SimulatorThread:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> SimulatorThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

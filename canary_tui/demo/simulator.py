"""Traffic simulator for the demo: per-variant SageMaker metrics, published through boto3.

It plays the part of SageMaker's own metric publisher. Every tick it reads each endpoint's
current weights back from the server (DescribeEndpoint), splits a gently varying request rate
between the variants by those weights, and publishes what that traffic would have produced
(PutMetricData into ``AWS/SageMaker``, dimensions EndpointName + VariantName): Invocations,
Invocation4XXErrors, Invocation5XXErrors, ModelLatency and OverheadLatency, the latencies in
microseconds as SageMaker reports them. A weight change therefore shows up in the invocation
split from the next tick on, well within one metric period.

Each datapoint carries ``StatisticValues`` (SampleCount, Sum, Minimum, Maximum) describing
all requests in its interval, the way SageMaker aggregates before publishing, so CloudWatch's
Sum and Average are right. Count metrics have one sample per request (1 for an invocation,
0 or 1 for an error), so ``Average`` of an error metric is the error rate, as on real AWS.

Everything random comes from one ``random.Random(seed)`` and the clock is passed in, so a
test drives :meth:`TrafficSimulator.backfill` and :meth:`TrafficSimulator.tick` with chosen
times and gets the same numbers every run.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from canary_tui.demo.seed import BASELINE_VARIANT, CANARY_ENDPOINT, CANARY_VARIANT

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient

logger = logging.getLogger(__name__)

NAMESPACE = "AWS/SageMaker"
#: PutMetricData accepts at most 1000 metric data per request (CloudWatch API reference).
MAX_METRIC_DATA_PER_CALL = 1000
#: Datapoints never span a period boundary, so every CloudWatch period sums exactly.
SEGMENT_SECONDS = 60
DEFAULT_TICK_SECONDS = 5.0
SCENARIOS = ("healthy", "regression")

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class VariantProfile:
    """How one model behaves: latency distribution (log-normal) and error rates."""

    model_latency_ms: float  # median
    latency_spread: float = 0.35  # sigma of log(latency)
    overhead_latency_ms: float = 3.0  # median of SageMaker's own overhead
    error_5xx_rate: float = 0.002
    error_4xx_rate: float = 0.004


@dataclass(frozen=True, slots=True)
class EndpointTraffic:
    """The request rate an endpoint receives, and how each of its variants behaves."""

    requests_per_second: float
    default_profile: VariantProfile
    variant_profiles: Mapping[str, VariantProfile] = field(default_factory=dict)
    #: Relative swing of the rate over ``wave_seconds`` (a slow daily-like rhythm).
    wave_amplitude: float = 0.15
    wave_seconds: float = 1800.0
    #: Batch-style endpoints: busy for ``busy_seconds`` at the start of every cycle, idle after.
    cycle_seconds: float | None = None
    busy_seconds: float = 0.0

    def profile(self, variant: str) -> VariantProfile:
        return self.variant_profiles.get(variant, self.default_profile)

    def rate_at(self, when: datetime) -> float:
        """Requests per second at ``when`` before noise; 0 while a batch endpoint idles."""
        seconds = when.timestamp()
        if self.cycle_seconds and seconds % self.cycle_seconds >= self.busy_seconds:
            return 0.0
        wave = math.sin(2 * math.pi * seconds / self.wave_seconds)
        return self.requests_per_second * (1.0 + self.wave_amplitude * wave)


BASELINE_PROFILE = VariantProfile(model_latency_ms=45.0)


def canary_profile(scenario: str) -> VariantProfile:
    """``healthy``: the same distribution as the baseline. ``regression``: ~1.6x latency,
    4 % server errors."""
    if scenario == "healthy":
        return BASELINE_PROFILE
    if scenario == "regression":
        return replace(
            BASELINE_PROFILE,
            model_latency_ms=BASELINE_PROFILE.model_latency_ms * 1.6,
            error_5xx_rate=0.04,
        )
    raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")


#: Any endpoint the demo did not seed (created during the demo) gets this.
DEFAULT_TRAFFIC = EndpointTraffic(
    requests_per_second=5.0, default_profile=VariantProfile(model_latency_ms=30.0)
)


def demo_traffic(scenario: str) -> dict[str, EndpointTraffic]:
    """Traffic for every endpoint of :data:`canary_tui.demo.seed.DEMO_ENDPOINTS`."""
    return {
        CANARY_ENDPOINT: EndpointTraffic(
            requests_per_second=40.0,
            default_profile=BASELINE_PROFILE,
            variant_profiles={
                BASELINE_VARIANT: BASELINE_PROFILE,
                CANARY_VARIANT: canary_profile(scenario),
            },
        ),
        "fraud-scoring": EndpointTraffic(
            requests_per_second=120.0,
            default_profile=VariantProfile(model_latency_ms=12.0, latency_spread=0.25),
            wave_amplitude=0.25,
        ),
        "search-ranking": EndpointTraffic(
            requests_per_second=25.0,
            default_profile=VariantProfile(model_latency_ms=80.0),
            variant_profiles={
                "ranker-b": VariantProfile(model_latency_ms=76.0),
                "ranker-c": VariantProfile(model_latency_ms=88.0, error_4xx_rate=0.006),
            },
        ),
        "churn-batch-scorer": EndpointTraffic(
            requests_per_second=60.0,
            default_profile=VariantProfile(model_latency_ms=150.0, latency_spread=0.2),
            wave_amplitude=0.0,
            cycle_seconds=900.0,
            busy_seconds=180.0,
        ),
    }


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 30:
        # Knuth's method: exact, and cheap for small means.
        limit = math.exp(-mean)
        count, product = 0, rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
        return count
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def binomial(rng: random.Random, trials: int, probability: float) -> int:
    if trials <= 0 or probability <= 0:
        return 0
    if probability >= 1:
        return trials
    if probability > 0.5:
        # Draw the rarer outcome: the small-variance shortcut below approximates the count
        # of rare events, and for p near 1 a Poisson around the mean would swing far wider
        # than the binomial (a 99/1 split used to send the canary about 5 %).
        return trials - binomial(rng, trials, 1.0 - probability)
    if trials < 50:
        return sum(1 for _ in range(trials) if rng.random() < probability)
    mean = trials * probability
    variance = mean * (1 - probability)
    if variance < 10:
        return min(trials, poisson(rng, mean))
    return min(trials, max(0, round(rng.gauss(mean, math.sqrt(variance)))))


def split_by_weight(
    rng: random.Random, total: int, weights: Sequence[tuple[str, float]]
) -> dict[str, int]:
    """Route ``total`` requests to variants with probability weight / sum of weights."""
    remaining_requests = total
    remaining_weight = math.fsum(weight for _, weight in weights)
    # The last variant with any weight takes what is left, so rounding in the running
    # weight total can never lose or invent a request.
    last_served = max(
        (index for index, (_, weight) in enumerate(weights) if weight > 0), default=-1
    )
    counts: dict[str, int] = {}
    for index, (name, weight) in enumerate(weights):
        if weight <= 0 or remaining_weight <= 0:
            counts[name] = 0
        elif index == last_served:
            counts[name] = remaining_requests
        else:
            counts[name] = binomial(rng, remaining_requests, min(1.0, weight / remaining_weight))
        remaining_requests -= counts[name]
        remaining_weight -= max(weight, 0.0)
    return counts


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
        self.failed_ticks = 0
        self.last_error: Exception | None = None

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
        return len(metric_data)

    def _put(self, metric_data: list[dict[str, Any]]) -> None:
        for index in range(0, len(metric_data), MAX_METRIC_DATA_PER_CALL):
            self._cloudwatch.put_metric_data(
                Namespace=NAMESPACE,
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
        return data

    def _latency(self, requests: int, median_ms: float, spread: float) -> dict[str, float]:
        """StatisticValues of ``requests`` log-normal latencies, in microseconds.

        Drawing every request would cost millions of draws per backfill; the mean of n draws
        is normal with the log-normal's mean and sd / sqrt(n), and the extremes sit near the
        1/(n+1) and n/(n+1) quantiles, which is all CloudWatch keeps anyway.
        """
        if requests == 1:
            value = median_ms * math.exp(spread * self._rng.gauss(0.0, 1.0)) * 1000.0
            return {"SampleCount": 1.0, "Sum": value, "Minimum": value, "Maximum": value}
        mean = median_ms * math.exp(spread**2 / 2)
        single_sd = mean * math.sqrt(math.exp(spread**2) - 1)
        sample_mean = self._rng.gauss(mean, single_sd / math.sqrt(requests))
        low_quantile = _STANDARD_NORMAL.inv_cdf(1 / (requests + 1))
        minimum = median_ms * math.exp(spread * low_quantile) * self._rng.uniform(0.97, 1.0)
        maximum = median_ms * math.exp(-spread * low_quantile) * self._rng.uniform(1.0, 1.05)
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

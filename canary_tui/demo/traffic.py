"""The demo's traffic model: how busy each endpoint is and how each variant behaves.

An :class:`EndpointTraffic` gives an endpoint's request rate (a slow wave, or a batch cycle of
busy and idle) and a :class:`VariantProfile` per variant (log-normal latency, error rates);
:func:`demo_traffic` is the seeded demo's, where the canary is the baseline's twin
(``healthy``) or slower and failing (``regression``). The draws that turn a rate into
requests and route them by weight (:func:`poisson`, :func:`binomial`,
:func:`split_by_weight`) take the ``random.Random`` to draw from, so one seed gives the same
traffic every run. No AWS here: :mod:`canary_tui.demo.simulator` publishes it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from canary_tui.demo.seed import (
    BASELINE_VARIANT,
    CANARY_ENDPOINT,
    CANARY_VARIANT,
    SERVERLESS_ENDPOINT,
    SHADOW_ENDPOINT,
)

SCENARIOS = ("healthy", "regression", "accuracy-regression")


@dataclass(frozen=True, slots=True)
class VariantProfile:
    """How one model behaves: latency distribution (log-normal) and error rates."""

    model_latency_ms: float  # median
    latency_spread: float = 0.35  # sigma of log(latency)
    overhead_latency_ms: float = 3.0  # median of SageMaker's own overhead
    error_5xx_rate: float = 0.002
    error_4xx_rate: float = 0.004
    #: Share of answers that ground truth later says were right (the demo's ``Correct``).
    accuracy: float = 0.92
    #: Share of requests that get a label at all (``Labeled``), some time later.
    label_share: float = 0.25
    #: Serverless only: median time to launch a new execution environment (ModelSetupTime:
    #: download the model, start the container) and the sigma of its log.
    model_setup_ms: float = 2800.0
    setup_spread: float = 0.3


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
    4 % server errors. ``accuracy-regression``: latency and errors as healthy, but the
    answers are right 86 % of the time instead of 92 %."""
    if scenario == "healthy":
        return BASELINE_PROFILE
    if scenario == "regression":
        return replace(
            BASELINE_PROFILE,
            model_latency_ms=BASELINE_PROFILE.model_latency_ms * 1.6,
            error_5xx_rate=0.04,
        )
    if scenario == "accuracy-regression":
        return replace(BASELINE_PROFILE, accuracy=0.86)
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
        # The shadow candidate sees a copy of 20 % of production's requests.
        SHADOW_ENDPOINT: EndpointTraffic(
            requests_per_second=30.0,
            default_profile=VariantProfile(model_latency_ms=35.0),
            variant_profiles={"recsys-v5-shadow": VariantProfile(model_latency_ms=38.0)},
        ),
        # Intermittent, as serverless workloads are: busy 5 minutes in 10. After each idle
        # spell the variant without provisioned concurrency starts cold (ModelSetupTime).
        SERVERLESS_ENDPOINT: EndpointTraffic(
            requests_per_second=8.0,
            default_profile=VariantProfile(model_latency_ms=60.0, latency_spread=0.4),
            cycle_seconds=600.0,
            busy_seconds=300.0,
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


def shadow_copies(
    rng: random.Random, production_requests: int, shadows: Sequence[tuple[str, float]]
) -> dict[str, int]:
    """Requests copied to each shadow variant: each production request with probability
    ``fraction`` (the shadow's sampling share), on top of production's own."""
    return {
        name: binomial(rng, production_requests, min(1.0, max(0.0, fraction)))
        for name, fraction in shadows
    }


@dataclass(slots=True)
class ServerlessCapacity:
    """A serverless variant's execution environments, as the simulator keeps them between
    ticks: ``provisioned`` stay warm; more are launched (a cold start each) when the
    requests in flight outgrow the warm ones, up to ``max_concurrency``; an idle one is
    recycled each minute."""

    max_concurrency: int
    provisioned: int = 0
    warm: int = 0

    def __post_init__(self) -> None:
        self.warm = max(self.warm, self.provisioned)


def cold_starts(
    capacity: ServerlessCapacity, requests: int, seconds: float, latency_ms: float
) -> int:
    """Environments launched for ``requests`` served over ``seconds`` at ``latency_ms``
    each (``capacity`` updated). By Little's law the mean number in flight is rate x
    latency; a Poisson arrival peaks about three standard deviations above it."""
    if seconds <= 0:
        return 0
    in_flight = requests / seconds * latency_ms / 1000.0
    peak = min(capacity.max_concurrency, math.ceil(in_flight + 3 * math.sqrt(in_flight)))
    if requests == 0:
        peak = 0
    launched = max(0, peak - capacity.warm)
    if launched:
        capacity.warm = peak
    else:  # idle environments are recycled, one a minute, never the provisioned ones
        capacity.warm = max(capacity.provisioned, peak, capacity.warm - round(seconds / 60))
    return launched

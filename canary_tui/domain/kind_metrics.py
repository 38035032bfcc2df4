"""The metrics only some kinds of endpoint publish, beside the five invocation metrics:
serverless cold starts, an asynchronous endpoint's queue, a multi-model endpoint's model
loading and cache, and each inference component's own invocation metrics.

Names, statistics, units and dimensions are AWS's ("Amazon SageMaker AI metrics in Amazon
CloudWatch"; "Monitor asynchronous endpoint"), all in the AWS/SageMaker namespace:

- ``ModelSetupTime`` (serverless: "the time it takes to launch new compute resources"),
  microseconds, EndpointName + VariantName; its SampleCount counts the launches.
- ``ApproximateBacklogSize``, ``ApproximateBacklogSizePerInstance``,
  ``ApproximateAgeOfOldestRequest`` (seconds) and ``HasBacklogWithoutCapacity``:
  published for an asynchronous endpoint with the EndpointName dimension only.
- ``ModelLoadingWaitTime``, ``ModelDownloadingTime``, ``ModelUnloadingTime``
  (microseconds) and ``ModelCacheHit`` (its Average is "the ratio of requests for which
  the model was already loaded"): multi-model endpoints, EndpointName + VariantName.
- ``Invocations``, ``Invocation4XXErrors``, ``Invocation5XXErrors``, ``ModelLatency``
  with the ``InferenceComponentName`` dimension: an inference component's invocations.

Pure: no I/O. The gateway turns each :class:`KindRef` into one query.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from canary_tui.domain.models import Endpoint


class Scope(StrEnum):
    """What a metric's dimensions name."""

    VARIANT = "variant"  # EndpointName + VariantName
    ENDPOINT = "endpoint"  # EndpointName
    COMPONENT = "component"  # InferenceComponentName


class KindMetric(StrEnum):
    MODEL_SETUP_AVG = "model_setup_avg"
    MODEL_SETUPS = "model_setups"
    BACKLOG = "backlog"
    BACKLOG_PER_INSTANCE = "backlog_per_instance"
    OLDEST_REQUEST_AGE = "oldest_request_age"
    BACKLOG_WITHOUT_CAPACITY = "backlog_without_capacity"
    MODEL_LOADING_WAIT_AVG = "model_loading_wait_avg"
    MODEL_CACHE_HIT = "model_cache_hit"
    MODEL_DOWNLOADING_AVG = "model_downloading_avg"
    MODEL_UNLOADING_AVG = "model_unloading_avg"
    COMPONENT_INVOCATIONS = "component_invocations"
    COMPONENT_ERRORS_4XX = "component_errors_4xx"
    COMPONENT_ERRORS_5XX = "component_errors_5xx"
    COMPONENT_LATENCY_AVG = "component_latency_avg"


@dataclass(frozen=True, slots=True)
class KindMetricSpec:
    key: KindMetric
    metric_name: str
    stat: str
    scope: Scope
    #: The unit once scaled (``scale`` times CloudWatch's value).
    unit: str
    scale: float = 1.0


_MS = 0.001  # microseconds to milliseconds

KIND_METRIC_SPECS: Mapping[KindMetric, KindMetricSpec] = {
    spec.key: spec
    for spec in (
        KindMetricSpec(
            KindMetric.MODEL_SETUP_AVG, "ModelSetupTime", "Average", Scope.VARIANT, "ms", _MS
        ),
        KindMetricSpec(
            KindMetric.MODEL_SETUPS, "ModelSetupTime", "SampleCount", Scope.VARIANT, "count"
        ),
        KindMetricSpec(
            KindMetric.BACKLOG, "ApproximateBacklogSize", "Average", Scope.ENDPOINT, "req"
        ),
        KindMetricSpec(
            KindMetric.BACKLOG_PER_INSTANCE,
            "ApproximateBacklogSizePerInstance",
            "Average",
            Scope.ENDPOINT,
            "req",
        ),
        KindMetricSpec(
            KindMetric.OLDEST_REQUEST_AGE,
            "ApproximateAgeOfOldestRequest",
            "Maximum",
            Scope.ENDPOINT,
            "s",
        ),
        KindMetricSpec(
            KindMetric.BACKLOG_WITHOUT_CAPACITY,
            "HasBacklogWithoutCapacity",
            "Average",
            Scope.ENDPOINT,
            "flag",
        ),
        KindMetricSpec(
            KindMetric.MODEL_LOADING_WAIT_AVG,
            "ModelLoadingWaitTime",
            "Average",
            Scope.VARIANT,
            "ms",
            _MS,
        ),
        # The Average of a 1-per-hit, 0-per-miss count: the hit ratio, shown in percent.
        KindMetricSpec(
            KindMetric.MODEL_CACHE_HIT, "ModelCacheHit", "Average", Scope.VARIANT, "%", 100.0
        ),
        KindMetricSpec(
            KindMetric.MODEL_DOWNLOADING_AVG,
            "ModelDownloadingTime",
            "Average",
            Scope.VARIANT,
            "ms",
            _MS,
        ),
        KindMetricSpec(
            KindMetric.MODEL_UNLOADING_AVG,
            "ModelUnloadingTime",
            "Average",
            Scope.VARIANT,
            "ms",
            _MS,
        ),
        KindMetricSpec(
            KindMetric.COMPONENT_INVOCATIONS, "Invocations", "Sum", Scope.COMPONENT, "req"
        ),
        KindMetricSpec(
            KindMetric.COMPONENT_ERRORS_4XX, "Invocation4XXErrors", "Sum", Scope.COMPONENT, "req"
        ),
        KindMetricSpec(
            KindMetric.COMPONENT_ERRORS_5XX, "Invocation5XXErrors", "Sum", Scope.COMPONENT, "req"
        ),
        KindMetricSpec(
            KindMetric.COMPONENT_LATENCY_AVG, "ModelLatency", "Average", Scope.COMPONENT, "ms", _MS
        ),
    )
}

SERVERLESS_METRICS = (KindMetric.MODEL_SETUP_AVG, KindMetric.MODEL_SETUPS)
ASYNC_QUEUE_METRICS = (
    KindMetric.BACKLOG,
    KindMetric.BACKLOG_PER_INSTANCE,
    KindMetric.OLDEST_REQUEST_AGE,
    KindMetric.BACKLOG_WITHOUT_CAPACITY,
)
MULTI_MODEL_METRICS = (
    KindMetric.MODEL_LOADING_WAIT_AVG,
    KindMetric.MODEL_CACHE_HIT,
    KindMetric.MODEL_DOWNLOADING_AVG,
    KindMetric.MODEL_UNLOADING_AVG,
)
COMPONENT_METRICS = (
    KindMetric.COMPONENT_INVOCATIONS,
    KindMetric.COMPONENT_ERRORS_4XX,
    KindMetric.COMPONENT_ERRORS_5XX,
    KindMetric.COMPONENT_LATENCY_AVG,
)
#: The metric whose presence in ListMetrics marks a variant as multi-model: only
#: multi-model endpoints publish it.
MULTI_MODEL_MARKER = "ModelCacheHit"


@dataclass(frozen=True, slots=True, order=True)
class KindRef:
    """One kind metric of one thing: a variant, the endpoint, or an inference component
    (``name``: the variant or component; "" for the endpoint)."""

    endpoint: str
    scope: Scope
    name: str
    key: KindMetric

    @property
    def spec(self) -> KindMetricSpec:
        return KIND_METRIC_SPECS[self.key]

    def dimensions(self) -> list[dict[str, str]]:
        if self.scope is Scope.COMPONENT:
            return [{"Name": "InferenceComponentName", "Value": self.name}]
        dimensions = [{"Name": "EndpointName", "Value": self.endpoint}]
        if self.scope is Scope.VARIANT:
            dimensions.append({"Name": "VariantName", "Value": self.name})
        return dimensions


def kind_refs(endpoint: Endpoint, multi_model: Collection[str] = ()) -> tuple[KindRef, ...]:
    """Every kind metric ``endpoint`` publishes, by what it is: each serverless variant's
    setups, an asynchronous endpoint's queue, each of ``multi_model`` (variants seen
    publishing ModelCacheHit) model loading, and each inference component's invocations.
    Empty for a plain real-time endpoint."""
    name = endpoint.name
    refs: list[KindRef] = []
    for variant in (*endpoint.variants, *endpoint.shadow_variants):
        if variant.is_serverless:
            refs += [KindRef(name, Scope.VARIANT, variant.name, key) for key in SERVERLESS_METRICS]
        if variant.name in multi_model:
            refs += [KindRef(name, Scope.VARIANT, variant.name, key) for key in MULTI_MODEL_METRICS]
    if endpoint.asynchronous:
        refs += [KindRef(name, Scope.ENDPOINT, "", key) for key in ASYNC_QUEUE_METRICS]
    for component in endpoint.inference_components:
        refs += [KindRef(name, Scope.COMPONENT, component.name, key) for key in COMPONENT_METRICS]
    return tuple(refs)


def kind_period(period_seconds: int) -> int:
    """The period kind metrics are asked in: the console's, but at least a minute. AWS
    publishes them at a 1-minute frequency (enhanced metrics make only invocation and
    utilization metrics finer), and a finer period of a minute-resolution metric only
    shows empty periods between the minutes."""
    return period_seconds if period_seconds >= 60 else 60

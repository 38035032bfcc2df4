"""Patches that make moto's SageMaker behave like real AWS, for the demo server ONLY.

They are applied inside the demo's moto child process (:mod:`canary_tui.demo.moto_process`)
and nowhere else: the tests of our own gateways run against unpatched moto, so a gap in moto
stays visible there instead of being papered over.

Gaps handled (moto 5.2.x, checked against its ``sagemaker/models.py``):

1. ``UpdateEndpointWeightsAndCapacities`` copies *every* field of each entry onto the variant,
   so a field the request leaves out becomes ``None`` and vanishes from DescribeEndpoint. Real
   SageMaker treats ``DesiredWeight`` and ``DesiredInstanceCount`` as optional: what is left out
   keeps its value. After a weight change moto would show no instance counts at all.
2. ``CreateEndpoint`` tests ``if InitialVariantWeight:``, so an initial weight of 0.0 (a variant
   deployed dark, a legal value) is dropped instead of stored; and when the weight is left out
   real SageMaker uses 1.0.

(A weight of 0.0 sent by an update is stored and returned by moto as 0.0; nothing to patch.)

And for the endpoint kinds moto does not keep (issue 15):

6. ``CreateEndpointConfig`` drops ``ShadowProductionVariants`` and ``MetricsConfig``, and
   ``DescribeEndpoint`` returns neither them nor ``AsyncInferenceConfig`` (moto keeps that on
   the config only). The patch keeps the shadow variants and MetricsConfig on the config and
   gives a new endpoint all three, the shadow variants with weights and instance counts as
   moto gives production variants (``ShadowProductionVariants`` in DescribeEndpoint).
   ``UpdateEndpointWeightsAndCapacities`` still knows production variants only, as canary-tui
   offers it; its ``ServerlessUpdateConfig`` (ignored by moto) sets the variant's
   MaxConcurrency / ProvisionedConcurrency.

And one for speed, not behaviour:

3. moto's ``GetMetricData`` scans every datapoint in the window once per query *and per
   period*; with an hour of 5-second simulator ticks a console refresh of the demo's seven
   variants took over 3 s of server CPU. The patch answers each query on its own, over only
   the datapoints of that query's metric (same name and dimension set), so moto's own code
   computes exactly the same result from a much smaller list.

And one for memory, modelled on CloudWatch's own retention:

4. moto keeps every datapoint forever; the simulator's 5-second ticks add ~23 MB an hour to
   the server. CloudWatch keeps high-resolution data at its own resolution for 3 hours and
   then only per minute, so the patch does the same: datapoints older than 3 hours are
   merged into one per metric and minute (SampleCount, Sum, Minimum and Maximum combined, so
   every statistic over whole minutes is unchanged).

And one for correctness of a read:

5. moto's ``ListMetrics`` is meant to list each metric (namespace, name, dimension set) once,
   but its duplicate test (``are_dimensions_same``) compares every dimension with every other
   one, so a metric with two dimensions (EndpointName and VariantName, as all of SageMaker's)
   never counts as already listed: it comes back once per datapoint. The AWS CLI saw 5,290
   entries for the demo's 35 metrics. The patch lists each metric once, in first-seen order,
   with the same namespace, name and dimension filters as moto.

And one for time: moto never moves an endpoint's ``LastModifiedTime``; SageMaker does on
every update. The weights patch (1) sets it when an update is applied.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

_WEIGHT_FIELDS = ("DesiredWeight", "CurrentWeight")
_COUNT_FIELDS = ("DesiredInstanceCount", "CurrentInstanceCount")
_PATCHED_MARK = "_canary_tui_demo_patched"


def _keep_fields_left_out(original: Callable[..., str]) -> Callable[..., str]:
    def update_endpoint_weights_and_capacities(
        self: Any, endpoint_name: str, desired_weights_and_capacities: list[dict[str, Any]]
    ) -> str:
        endpoint = self.endpoints.get(endpoint_name)
        before = (
            {variant["VariantName"]: dict(variant) for variant in endpoint.production_variants}
            if endpoint is not None
            else {}
        )
        # moto validates (unknown endpoint or variant, duplicates) and applies; we then put
        # back what the request did not ask to change.
        serverless = {
            entry["VariantName"]: entry.pop("ServerlessUpdateConfig")
            for entry in desired_weights_and_capacities
            if entry.get("ServerlessUpdateConfig")
        }
        arn = original(self, endpoint_name, desired_weights_and_capacities)
        # SageMaker moves LastModifiedTime on every update; moto never does (canary-tui
        # reads it to tell when weights changed outside it: domain/split_origin.py).
        from moto.core.utils import utcnow

        endpoint.last_modified_time = utcnow()
        for variant in endpoint.production_variants:
            update = serverless.get(variant["VariantName"])
            config = variant.get("DesiredServerlessConfig")
            if update and config:
                # Real SageMaker rolls this out (Updating); moto has no phase: done at once.
                config = {**config, **update}
                variant["DesiredServerlessConfig"] = variant["CurrentServerlessConfig"] = config
        for variant in endpoint.production_variants:
            previous = before.get(variant["VariantName"], {})
            for fields in (_WEIGHT_FIELDS, _COUNT_FIELDS):
                if variant.get(fields[0]) is None:
                    for field in fields:
                        if previous.get(field) is not None:
                            variant[field] = previous[field]
                        else:
                            variant.pop(field, None)
                else:
                    # Real SageMaker moves Current towards Desired; moto has no Updating phase,
                    # so the change is complete at once.
                    variant[fields[1]] = variant[fields[0]]
        return arn

    return update_endpoint_weights_and_capacities


def _store_every_initial_weight(
    original: Callable[..., list[dict[str, Any]]],
) -> Callable[..., list[dict[str, Any]]]:
    def _process_production_variants(
        self: Any, production_variants: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        processed = original(self, production_variants)
        for requested, stored in zip(production_variants, processed, strict=True):
            raw_weight = requested.get("InitialVariantWeight")
            weight = 1.0 if raw_weight is None else float(raw_weight)
            stored["CurrentWeight"] = weight
            stored["DesiredWeight"] = weight
        return processed

    return _process_production_variants


_query_scope = threading.local()


def _scoped_metrics(original: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    def get_all_metrics(self: Any) -> list[Any]:
        scoped: list[Any] | None = getattr(_query_scope, "metrics", None)
        return scoped if scoped is not None else original(self)

    return get_all_metrics


def _series_key(name: str, dimensions: list[tuple[str | None, str | None]]) -> Any:
    return (name, frozenset(dimensions))


def _one_query_at_a_time(original: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def get_metric_data(
        self: Any,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        *args: Any,
        **kwargs: Any,
    ) -> list[Any]:
        # Metric math reads other queries' results: leave those requests to moto as they are.
        if not queries or any("MetricStat" not in query for query in queries):
            return original(self, queries, start_time, end_time, *args, **kwargs)
        by_series: dict[Any, list[Any]] = {}
        for datum in self.get_all_metrics():
            key = _series_key(datum.name, [(d.name, d.value) for d in datum.dimensions])
            by_series.setdefault(key, []).append(datum)
        results: list[Any] = []
        for query in queries:
            metric = query["MetricStat"]["Metric"]
            dimensions = [(d["Name"], d.get("Value")) for d in metric.get("Dimensions", [])]
            scoped = None
            # Without dimensions, or with a wildcard value, moto matches more than one
            # series: give it everything, as unpatched.
            if dimensions and all(value is not None for _, value in dimensions):
                scoped = by_series.get(_series_key(metric["MetricName"], dimensions), [])
            _query_scope.metrics = scoped
            try:
                results.extend(original(self, [query], start_time, end_time, *args, **kwargs))
            finally:
                _query_scope.metrics = None
        return results

    return get_metric_data


def _each_metric_once(
    original: Callable[..., list[Any]],
) -> Callable[..., list[Any]]:
    def get_filtered_metrics(
        self: Any, metric_name: str, namespace: str, dimensions: list[dict[str, str]]
    ) -> list[Any]:
        seen: set[Any] = set()
        listed: list[Any] = []
        for datum in self.get_all_metrics():
            if not datum.filter(namespace=namespace, name=metric_name, dimensions=dimensions):
                continue
            key = (
                datum.namespace,
                _series_key(datum.name, [(d.name, d.value) for d in datum.dimensions]),
            )
            if key not in seen:
                seen.add(key)
                listed.append(datum)
        return listed

    return get_filtered_metrics


HIGH_RESOLUTION_RETENTION = timedelta(hours=3)
_ROLLUP_SECONDS = 60


def _minute_of(timestamp: datetime) -> datetime:
    return timestamp.replace(second=0, microsecond=0)


def roll_up_old_datapoints(backend: Any, cutoff: datetime) -> None:
    """Merge this backend's datapoints older than ``cutoff`` into one per metric and minute."""
    from moto.cloudwatch.models import MetricAggregatedDatum, MetricDatum

    cutoff = _minute_of(cutoff)
    watermark: datetime | None = getattr(backend, "_canary_tui_rolled_up_until", None)
    if watermark is not None and (cutoff - watermark).total_seconds() < _ROLLUP_SECONDS:
        return
    kept: list[Any] = []
    groups: dict[Any, list[Any]] = {}
    for datum in backend.metric_data:
        timestamp = datum.timestamp
        if timestamp.tzinfo is not None:  # moto stores naive UTC; be safe either way
            timestamp = timestamp.replace(tzinfo=None)
        old = timestamp < cutoff and (watermark is None or timestamp >= watermark)
        if not old or not isinstance(datum, MetricAggregatedDatum | MetricDatum):
            kept.append(datum)
            continue
        key = (
            datum.namespace,
            datum.name,
            tuple((d.name, d.value) for d in datum.dimensions),
            datum.unit,
            _minute_of(timestamp),
        )
        groups.setdefault(key, []).append(datum)
    for (namespace, name, dimensions, unit, minute), datums in groups.items():
        if len(datums) == 1:
            kept.append(datums[0])
            continue
        samples = [
            (d.sample_count, d.sum, d.min, d.max)
            if isinstance(d, MetricAggregatedDatum)
            else (1.0, d.value, d.value, d.value)
            for d in datums
        ]
        kept.append(
            MetricAggregatedDatum(
                namespace=namespace,
                name=name,
                sample_count=sum(sample[0] for sample in samples),
                sum_stat=sum(sample[1] for sample in samples),
                min_stat=min(sample[2] for sample in samples),
                max_stat=max(sample[3] for sample in samples),
                dimensions=[{"Name": n, "Value": v} for n, v in dimensions],
                timestamp=minute,
                unit=unit,
            )
        )
    backend.metric_data = kept
    backend._canary_tui_rolled_up_until = cutoff


_put_lock = threading.Lock()


def _with_retention(original: Callable[..., None]) -> Callable[..., None]:
    def put_metric_data(self: Any, *args: Any, **kwargs: Any) -> None:
        from moto.core.utils import utcnow

        # moto's server is threaded: a put landing while the list is being rebuilt would
        # be lost. Readers are safe, they work on their own copy (get_all_metrics).
        with _put_lock:
            original(self, *args, **kwargs)
            roll_up_old_datapoints(self, utcnow() - HIGH_RESOLUTION_RETENTION)

    return put_metric_data


_CONFIG_EXTRAS = (
    ("ShadowProductionVariants", "shadow_production_variants"),
    ("MetricsConfig", "metrics_config"),
)


def _keep_config_extras(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_endpoint_config(self: Any) -> Any:
        result = original(self)
        config = self.sagemaker_backend.endpoint_configs.get(self._get_param("EndpointConfigName"))
        if config is not None:
            for param, attribute in _CONFIG_EXTRAS:
                value = self._get_param(param)
                if value:
                    setattr(config, attribute, value)
        return result

    return create_endpoint_config


def _endpoint_gets_config_extras(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_endpoint(
        self: Any, endpoint_name: str, endpoint_config_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        endpoint = original(self, endpoint_name, endpoint_config_name, *args, **kwargs)
        config = self.endpoint_configs.get(endpoint_config_name)
        shadows = getattr(config, "shadow_production_variants", None)
        if shadows:
            endpoint.shadow_production_variants = endpoint._process_production_variants(shadows)
        for attribute in ("async_inference_config", "metrics_config"):
            value = getattr(config, attribute, None)
            if value:
                setattr(endpoint, attribute, value)
        return endpoint

    return create_endpoint


def apply_demo_patches() -> None:
    """Patch moto's SageMaker backend in this process. Idempotent."""
    from moto.sagemaker import models

    backend_class = models.SageMakerModelBackend
    if getattr(backend_class, _PATCHED_MARK, False):
        return
    backend_class.update_endpoint_weights_and_capacities = _keep_fields_left_out(  # type: ignore[method-assign, assignment]
        backend_class.update_endpoint_weights_and_capacities
    )
    models.FakeEndpoint._process_production_variants = _store_every_initial_weight(  # type: ignore[method-assign, assignment]
        models.FakeEndpoint._process_production_variants
    )
    from moto.sagemaker import responses

    responses.SageMakerResponse.create_endpoint_config = _keep_config_extras(  # type: ignore[method-assign]
        responses.SageMakerResponse.create_endpoint_config
    )
    backend_class.create_endpoint = _endpoint_gets_config_extras(  # type: ignore[method-assign]
        backend_class.create_endpoint
    )
    from moto.cloudwatch import models as cloudwatch_models

    cloudwatch_class = cloudwatch_models.CloudWatchBackend
    cloudwatch_class.get_all_metrics = _scoped_metrics(cloudwatch_class.get_all_metrics)  # type: ignore[method-assign, assignment]
    cloudwatch_class.get_metric_data = _one_query_at_a_time(cloudwatch_class.get_metric_data)  # type: ignore[method-assign, assignment]
    cloudwatch_class.get_filtered_metrics = _each_metric_once(  # type: ignore[method-assign]
        cloudwatch_class.get_filtered_metrics
    )
    cloudwatch_class.put_metric_data = _with_retention(cloudwatch_class.put_metric_data)  # type: ignore[method-assign]
    setattr(backend_class, _PATCHED_MARK, True)

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
"""

from __future__ import annotations

from collections.abc import Callable
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
        arn = original(self, endpoint_name, desired_weights_and_capacities)
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


def apply_demo_patches() -> None:
    """Patch moto's SageMaker backend in this process. Idempotent."""
    from moto.sagemaker import models

    backend_class = models.SageMakerModelBackend
    if getattr(backend_class, _PATCHED_MARK, False):
        return
    backend_class.update_endpoint_weights_and_capacities = _keep_fields_left_out(  # type: ignore[method-assign]
        backend_class.update_endpoint_weights_and_capacities
    )
    models.FakeEndpoint._process_production_variants = _store_every_initial_weight(  # type: ignore[method-assign]
        models.FakeEndpoint._process_production_variants
    )
    setattr(backend_class, _PATCHED_MARK, True)

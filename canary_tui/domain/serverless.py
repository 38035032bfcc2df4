"""A serverless variant's concurrency change: what ServerlessUpdateConfig in
UpdateEndpointWeightsAndCapacities allows (MaxConcurrency, ProvisionedConcurrency; memory
needs a new endpoint config). Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from canary_tui.domain.models import Endpoint, ServerlessConfig
from canary_tui.domain.weights import WeightInputError

#: ServerlessMaxConcurrency and ServerlessProvisionedConcurrency in the service model.
CONCURRENCY_RANGE = (1, 200)


@dataclass(frozen=True, slots=True)
class ServerlessPlan:
    """New MaxConcurrency and/or ProvisionedConcurrency for one serverless variant."""

    endpoint_name: str
    variant: str
    before: ServerlessConfig
    after: ServerlessConfig

    @property
    def is_noop(self) -> bool:
        return self.before == self.after

    def api_request(self) -> dict[str, object]:
        update: dict[str, int] = {"MaxConcurrency": self.after.max_concurrency}
        if self.after.provisioned_concurrency is not None:
            update["ProvisionedConcurrency"] = self.after.provisioned_concurrency
        return {
            "EndpointName": self.endpoint_name,
            "DesiredWeightsAndCapacities": [
                {"VariantName": self.variant, "ServerlessUpdateConfig": update}
            ],
        }


def parse_concurrency(text: str, field: str) -> int:
    """A whole number of concurrent invocations, 1..200."""
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit():
        raise WeightInputError(f"{field}: {text!r:.40} is not a whole number", field)
    value = int(stripped)
    low, high = CONCURRENCY_RANGE
    if not low <= value <= high:
        raise WeightInputError(f"{field}: must be {low} to {high}, not {value}", field)
    return value


def parse_serverless_update(
    endpoint: Endpoint,
    variant: str,
    max_concurrency: str | None,
    provisioned_concurrency: str | None,
) -> ServerlessPlan:
    """Validate against the variant's desired config: at least one value, each 1..200, and
    provisioned at most max (AWS: "Should be less than or equal to MaxConcurrency")."""
    if variant not in endpoint.variant_names:
        raise WeightInputError(f"unknown variant {variant!r}", variant)
    current = endpoint.variant(variant)
    before = current.desired_serverless or current.current_serverless
    if before is None:
        raise WeightInputError(
            f"{variant} is not serverless: change its instance count instead", variant
        )
    if max_concurrency is None and provisioned_concurrency is None:
        raise WeightInputError("give a max concurrency, a provisioned concurrency, or both")
    most = (
        parse_concurrency(max_concurrency, "max concurrency")
        if max_concurrency is not None
        else before.max_concurrency
    )
    provisioned = (
        parse_concurrency(provisioned_concurrency, "provisioned concurrency")
        if provisioned_concurrency is not None
        else before.provisioned_concurrency
    )
    if provisioned is not None and provisioned > most:
        raise WeightInputError(
            f"provisioned concurrency {provisioned} is above max concurrency {most}", variant
        )
    after = ServerlessConfig(before.memory_mb, most, provisioned)
    return ServerlessPlan(endpoint.name, variant, before, after)

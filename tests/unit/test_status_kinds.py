"""`canary-tui status` says what kind each endpoint and variant is (pure: no AWS)."""

from __future__ import annotations

from canary_tui.cli.status import endpoint_json, endpoint_lines
from canary_tui.domain.models import (
    Endpoint,
    InferenceComponent,
    PendingDeployment,
    ServerlessConfig,
    Variant,
)


def _variant(name: str, weight: float, **fields: object) -> Variant:
    return Variant(name, weight, weight, 1, 1, **fields)  # type: ignore[arg-type]


SHADOW = Endpoint(
    "recommender-shadow",
    "InService",
    (_variant("production", 1.0),),
    shadow_variants=(_variant("shadow", 0.2, shadow=True),),
)


def test_shadow_variant_shows_its_sampled_copy_not_a_traffic_share() -> None:
    lines = endpoint_lines(SHADOW)
    assert "kind: shadow-test" in lines[0]
    shadow_row = next(line for line in lines if line.startswith("shadow "))
    assert "copy 20.0%" in shadow_row and " shadow " in shadow_row
    data = endpoint_json(SHADOW)
    shadow = data["variants"][1]
    assert (shadow["kind"], shadow["shadow_sampling_percent"]) == ("shadow", 20.0)
    assert shadow["current_traffic_percent"] is None
    assert data["variants"][0]["current_traffic_percent"] == 100.0


def test_serverless_variant_shows_memory_and_concurrency_with_a_pending_change() -> None:
    before = ServerlessConfig(2048, 20, 5)
    after = ServerlessConfig(2048, 40, 5)
    endpoint = Endpoint(
        "tc",
        "Updating",
        (
            Variant("a", 0.9, 0.9, None, None, current_serverless=before, desired_serverless=after),
            Variant(
                "b", 0.1, 0.1, None, None, current_serverless=before, desired_serverless=before
            ),
        ),
    )
    lines = endpoint_lines(endpoint)
    row = next(line for line in lines if line.startswith("a "))
    assert "serverless" in row and "2 GB max 20 prov 5 -> 2 GB max 40 prov 5" in row
    assert endpoint.variant("a").is_settling and not endpoint.variant("b").is_settling
    assert endpoint_json(endpoint)["variants"][0]["desired_serverless"] == {
        "memory_mb": 2048,
        "max_concurrency": 40,
        "provisioned_concurrency": 5,
    }


def test_inference_components_and_a_running_deployment_are_listed() -> None:
    endpoint = Endpoint(
        "llm",
        "Updating",
        (_variant("AllTraffic", 1.0, hosts_inference_components=True),),
        inference_components=(InferenceComponent("c1", "AllTraffic", "InService", 2, 3),),
        pending_deployment=PendingDeployment("llm-v2", variant_stages={"AllTraffic": "Baking"}),
    )
    lines = endpoint_lines(endpoint)
    assert "component c1 on AllTraffic: 2 -> 3 copies, InService" in lines
    assert "variant weights do not route inference-component traffic" in lines
    assert "deployment to llm-v2: Baking" in lines
    assert endpoint_json(endpoint)["pending_deployment"]["stage"] == "Baking"


def test_the_period_follows_metrics_config_keeping_the_minimum_span() -> None:
    from canary_tui.domain.models import MetricsSettings

    fast = Endpoint("e", "InService", (), metrics=MetricsSettings(True, 10))
    assert fast.period_following_metrics(60, 10) == (10, 60)  # ten minutes either way
    slow = Endpoint("e", "InService", (), metrics=MetricsSettings(True, 300))
    assert slow.period_following_metrics(60, 10) == (300, 2)
    # Without enhanced metrics invocations stay at a minute: nothing changes.
    plain = Endpoint("e", "InService", (), metrics=MetricsSettings(False, 10))
    assert plain.period_following_metrics(60, 10) == (60, 10)

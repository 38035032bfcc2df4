"""The variants pane's cells for each kind of variant, and the status line's word on a
running deployment (rendered text, no app)."""

from __future__ import annotations

from canary_tui.domain.models import (
    Endpoint,
    InferenceComponent,
    PendingDeployment,
    ServerlessConfig,
    Variant,
)
from canary_tui.ui.widgets.status_line import deployment_text
from canary_tui.ui.widgets.tables import (
    _kind_cells,
    _shadow_cells,
    components_text,
    serverless_text,
)


def test_serverless_cell_shows_memory_and_concurrency_and_a_pending_change() -> None:
    config = ServerlessConfig(2048, 20, 5)
    steady = Variant(
        "a", 0.9, 0.9, None, None, current_serverless=config, desired_serverless=config
    )
    assert serverless_text(steady) == "2 GB · max 20 · prov 5"
    before, after = ServerlessConfig(2048, 20), ServerlessConfig(2048, 40)
    moving = Variant("a", 0.9, 0.9, None, None, current_serverless=before, desired_serverless=after)
    assert serverless_text(moving) == "2 GB · max 20 → 40"
    endpoint = Endpoint("tc", "Updating", (moving,))
    _, cells = _kind_cells(endpoint, "a", ("a", "100%", "0.9", "? x?", "ok", "?", "m"))
    assert cells[3] == "2 GB · max 20 → 40" and cells[5] == "\u2013"


def test_shadow_row_shows_its_sampled_copy() -> None:
    endpoint = Endpoint(
        "rec",
        "InService",
        (Variant("production", 1.0, 1.0, 2, 2),),
        shadow_variants=(
            Variant("candidate", 0.2, 0.2, 1, 1, instance_type="ml.m5.large", shadow=True),
        ),
    )
    key, cells = _shadow_cells(endpoint, endpoint.shadow_variants[0])
    assert key == "candidate"
    assert cells[:4] == ("candidate (shadow)", "copy 20%", "0.2", "ml.m5.large x1")


def test_component_cell_lists_copy_counts() -> None:
    endpoint = Endpoint(
        "llm",
        "InService",
        (Variant("AllTraffic", 1.0, 1.0, 2, 2, hosts_inference_components=True),),
        inference_components=(
            InferenceComponent("c1", "AllTraffic", "InService", 2, 2),
            InferenceComponent("c2", "AllTraffic", "Updating", 3, 4),
        ),
    )
    assert components_text(endpoint, "AllTraffic") == "c1 x2, c2 x3→4"


def test_status_line_names_the_selected_endpoints_deployment_first() -> None:
    pending = PendingDeployment("v2", variant_stages={"v": "Baking"})
    plain = Endpoint("a", "InService", ())
    deploying = [
        Endpoint("b", "Updating", (), pending_deployment=pending),
        Endpoint("c", "Updating", (), pending_deployment=PendingDeployment("v3")),
    ]
    assert deployment_text([plain], "a") is None
    assert deployment_text([plain, *deploying], "c") == "c: starting (+1 more)"
    assert deployment_text([plain, *deploying], "a") == "b: Baking (+1 more)"

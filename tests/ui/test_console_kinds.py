"""The console on other kinds of endpoint (Pilot, fake backend): a serverless variant's row
shows memory and concurrency and `c` edits its concurrency, not a count; a shadow variant is listed
with its copied share; inference components refuse `w`; a running deployment is on the
status line. Nothing is applied."""

from __future__ import annotations

from canary_tui.domain.models import (
    Endpoint,
    InferenceComponent,
    PendingDeployment,
    ServerlessConfig,
    Variant,
)
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.editor import CapacityEditor, WeightEditor
from canary_tui.ui.screens.serverless_editor import ServerlessEditor
from canary_tui.ui.widgets.status_line import StatusLine
from canary_tui.ui.widgets.tables import VariantsTable
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import console, refresh_and_settle, static_text, table_rows

CONFIG = ServerlessConfig(2048, 20, 5)
ENDPOINTS = {
    "a-serverless": Endpoint(
        "a-serverless",
        "InService",
        (
            Variant(
                "v2", 0.9, 0.9, None, None, current_serverless=CONFIG, desired_serverless=CONFIG
            ),
            Variant(
                "v3", 0.1, 0.1, None, None, current_serverless=CONFIG, desired_serverless=CONFIG
            ),
        ),
    ),
    "b-shadow": Endpoint(
        "b-shadow",
        "InService",
        (Variant("prod", 1.0, 1.0, 2, 2, instance_type="ml.m5.large"),),
        shadow_variants=(
            Variant("cand", 0.2, 0.2, 1, 1, instance_type="ml.m5.large", shadow=True),
        ),
    ),
    "c-components": Endpoint(
        "c-components",
        "Updating",
        (Variant("AllTraffic", 1.0, 1.0, 2, 2, hosts_inference_components=True),),
        inference_components=(InferenceComponent("llm", "AllTraffic", "InService", 2, 2),),
        pending_deployment=PendingDeployment("c-v2", variant_stages={"AllTraffic": "Baking"}),
    ),
}


def make_app() -> tuple[CanaryApp, FakeChangeService]:
    backend = fake_backend(dict(ENDPOINTS))
    changes = FakeChangeService(backend.sagemaker)
    options = ConsoleOptions(poll=False, region="us-east-1")
    return CanaryApp(backend, changes, options, clock=frozen_clock), changes


async def test_kinds_in_the_variants_pane_and_their_refusals() -> None:
    app, changes = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "a-serverless")
        screen = console(app)
        rows = table_rows(screen.query_one(VariantsTable))
        assert rows[0][3] == "2 GB · max 20 · prov 5"
        await pilot.press("c")  # its concurrency, not an instance count
        await pilot.pause()
        assert not isinstance(app.screen, CapacityEditor)
        assert isinstance(app.screen, ServerlessEditor)
        await pilot.press("escape")
        await pilot.pause()
        assert any("nothing was sent" in n.message for n in app._notifications)

        screen.select_named("b-shadow")
        await refresh_and_settle(pilot, "b-shadow")
        rows = table_rows(screen.query_one(VariantsTable))
        assert [row[:2] for row in rows] == [["prod", "100.0%"], ["cand (shadow)", "copy 20%"]]

        screen.select_named("c-components")
        await refresh_and_settle(pilot, "c-components")
        rows = table_rows(screen.query_one(VariantsTable))
        assert rows[0][6] == "llm x2"
        assert "DEPLOYING c-components: Baking" in static_text(screen.query_one(StatusLine))
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, WeightEditor)
        assert any("deployment to c-v2: Baking" in n.message for n in app._notifications)
    assert changes.applied == []

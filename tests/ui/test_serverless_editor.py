# ruff: noqa: F811 (pytest fixtures imported from tests.aws.test_changes are parameters here)
"""`c` on a serverless variant edits its concurrency (what ServerlessUpdateConfig allows)
through the same confirm, guards and audit log as set-serverless: keys -> editor ->
ConfirmChange -> ChangeService -> moto. A bad value is named in the editor; a running
deployment still refuses, and nothing is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeService
from canary_tui.demo.seed import SeedVariant, create_endpoint
from canary_tui.domain.models import Endpoint, PendingDeployment, ServerlessConfig, Variant
from canary_tui.domain.serverless import ServerlessPlan
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.serverless_editor import ServerlessEditor
from tests.aws.test_changes import Hooks, hooked_backend, hooks  # noqa: F401 (fixtures)
from tests.conftest import REGION
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import refresh_and_settle, static_text, wait_for

UPDATE = "UpdateEndpointWeightsAndCapacities"


async def _fill(pilot: Any, app: CanaryApp, most: str, provisioned: str) -> None:
    editor = app.screen
    assert isinstance(editor, ServerlessEditor)
    editor.query_one("#serverless-max", Input).value = most
    editor.query_one("#serverless-provisioned", Input).value = provisioned
    await pilot.press("enter")
    await pilot.pause()


async def test_c_edits_a_serverless_variants_concurrency_through_confirm_and_audit(
    hooked_backend: Backend, hooks: Hooks, sagemaker_client: Any, tmp_path: Path
) -> None:
    create_endpoint(sagemaker_client, "tc", [SeedVariant("a", 1.0, serverless=(2048, 20, 5))])

    def updated(parsed: dict[str, Any]) -> None:
        if hooks.calls[UPDATE]:  # SageMaker after the write (stock moto keeps the old one)
            for variant in parsed["ProductionVariants"]:
                variant["DesiredServerlessConfig"] = {
                    "MemorySizeInMB": 2048,
                    "MaxConcurrency": 40,
                    "ProvisionedConcurrency": 8,
                }

    hooks.after["DescribeEndpoint"] = updated
    audit = AuditLog(tmp_path / "audit.jsonl")
    app = CanaryApp(
        hooked_backend,
        ChangeService(hooked_backend, audit, "console"),
        ConsoleOptions(poll=False, region=REGION),
        audit=audit,
        clock=frozen_clock,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "tc")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ServerlessEditor), "the editor")
        await _fill(pilot, app, "10", "11")  # provisioned above max: named, nothing sent
        message = static_text(app.screen.query_one("#serverless-message", Static))
        assert "above max concurrency 10" in message
        await _fill(pilot, app, "40", "8")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the confirmation")
        dialog = app.screen
        assert isinstance(dialog, ConfirmChange) and isinstance(dialog.plan, ServerlessPlan)
        assert (
            "ServerlessUpdateConfig={MaxConcurrency=40,ProvisionedConcurrency=8}" in dialog.command
        )
        assert hooks.calls[UPDATE] == 0
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert hooks.calls[UPDATE] == 1
    assert hooks.sent_params[UPDATE][0]["DesiredWeightsAndCapacities"] == [
        {
            "VariantName": "a",
            "ServerlessUpdateConfig": {"MaxConcurrency": 40, "ProvisionedConcurrency": 8},
        }
    ]
    records = [json.loads(line) for line in audit.path.read_text().splitlines()]
    assert records[0]["phase"] == "intent" and records[0]["source"] == "console"
    assert records[-1]["result"] == "applied"


async def test_a_running_deployment_still_refuses_c_on_a_serverless_variant() -> None:
    config = ServerlessConfig(2048, 20, 5)
    endpoint = Endpoint(
        "tc",
        "Updating",
        (Variant("a", 1, 1, None, None, current_serverless=config, desired_serverless=config),),
        pending_deployment=PendingDeployment("tc-v2", variant_stages={"a": "Baking"}),
    )
    backend = fake_backend({"tc": endpoint})
    changes = FakeChangeService(backend.sagemaker)
    app = CanaryApp(backend, changes, ConsoleOptions(poll=False, region=REGION), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "tc")
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(app.screen, ServerlessEditor)
        assert any("deployment to tc-v2" in n.message for n in app._notifications)
    assert changes.applied == []

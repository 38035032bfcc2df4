"""The console's write flows end to end: keys -> confirm -> ChangeService -> moto.

Every AWS call goes through botocore to the moto server; FaultInjector only counts calls
(and, for the Updating case, rewrites an answer moto cannot give).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.changes import ChangeService
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.audit import AuditScreen
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.screens.editor import WeightEditor
from canary_tui.ui.widgets.status_line import StatusLine
from canary_tui.ui.widgets.tables import VariantsTable
from tests.aws.faults import (
    FaultInjector,
    connection_refused,
    expired_token,
    throttling,
    update_in_progress,
)
from tests.conftest import REGION
from tests.ui.fakes import frozen_clock
from tests.ui.helpers import console, refresh_and_settle, static_text, table_rows, wait_for

UPDATE = "sagemaker.UpdateEndpointWeightsAndCapacities"
WRITE_OPERATIONS = (UPDATE, "sagemaker.UpdateEndpoint")


@pytest.fixture
def faults() -> FaultInjector:
    return FaultInjector()


@pytest.fixture
def counted_backend(moto_url: str, faults: FaultInjector) -> Backend:
    clients = AwsClients(
        AwsTarget(region=REGION, endpoint_url=moto_url),
        config=client_config(max_attempts=1),
        on_client_created=faults,
    )
    return build_backend(clients, label="moto")


def make_app(backend: Backend, tmp_path: Path, *, read_only: bool = False) -> CanaryApp:
    audit = AuditLog(tmp_path / "audit.jsonl")
    changes = ChangeService(backend, audit, "console")
    return CanaryApp(
        backend,
        changes,
        ConsoleOptions(read_only=read_only, poll=False, region=REGION),
        audit=audit,
        clock=frozen_clock,
    )


def desired_weights(sagemaker_client: Any, endpoint: str) -> dict[str, float]:
    described = sagemaker_client.describe_endpoint(EndpointName=endpoint)
    return {v["VariantName"]: v["DesiredWeight"] for v in described["ProductionVariants"]}


def writes(faults: FaultInjector) -> int:
    return sum(faults.calls[operation] for operation in WRITE_OPERATIONS)


async def test_edit_weights_by_keys_changes_the_endpoint(
    counted_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    faults: FaultInjector,
    tmp_path: Path,
) -> None:
    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        await pilot.press("w", "right_square_bracket", "enter")  # new-model -> 25 %
        assert isinstance(app.screen, ConfirmChange)
        assert writes(faults) == 0
        # A reason for the audit log: tab to the field, type (y and n are text there), enter.
        await pilot.press("tab", *"canary step 2, nyc", "enter")
        await wait_for(pilot, lambda: faults.calls[UPDATE] == 1, "the update call")
        await wait_for(
            pilot,
            lambda: canary_endpoint not in console(app).following,
            "the console to follow the endpoint to InService",
        )
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert desired_weights(sagemaker_client, canary_endpoint) == {
            "current-model": 0.75,
            "new-model": 0.25,
        }
        rows = table_rows(console(app).query_one(VariantsTable))
        assert [row[1] for row in rows] == ["75.0%", "25.0%"]
        # The audit log has the intent and the outcome of this change, with the reason.
        records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
        assert [record["phase"] for record in records] == ["intent", "outcome"]
        assert records[0]["reason"] == "canary step 2, nyc"
        assert records[0]["source"] == "console"
        # ...and `a` shows it.
        await pilot.press("a")
        assert isinstance(app.screen, AuditScreen)
        await wait_for(
            pilot, lambda: app.screen.query_one(DataTable).row_count == 1, "the audit rows"
        )
        row = [str(cell) for cell in app.screen.query_one(DataTable).get_row_at(0)]
        assert row[1:4] == [canary_endpoint, "90/10 → 75/25 %", "applied"]
        assert row[-1] == "canary step 2, nyc"


@pytest.mark.parametrize("keys", [("w", "up", "escape"), ("w", "up", "enter", "n")])
async def test_cancel_sends_nothing(
    counted_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    faults: FaultInjector,
    tmp_path: Path,
    keys: tuple[str, ...],
) -> None:
    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        before_calls = sum(faults.calls.values())
        before = dict(faults.calls)
        await pilot.press(*keys)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, ConsoleScreen)
        assert writes(faults) == 0
        # Not even a read: cancelling is purely local.
        assert sum(faults.calls.values()) == before_calls, (before, dict(faults.calls))
        assert desired_weights(sagemaker_client, canary_endpoint) == {
            "current-model": 0.9,
            "new-model": 0.1,
        }


async def test_promote_and_rollback_against_moto(
    counted_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    faults: FaultInjector,
    tmp_path: Path,
) -> None:
    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        await pilot.press("tab", "down", "p")
        assert isinstance(app.screen, ConfirmChange)
        await pilot.press("y")
        await wait_for(pilot, lambda: faults.calls[UPDATE] == 1, "promote")
        await wait_for(
            pilot,
            lambda: console(app).endpoints[canary_endpoint].desired_weights["new-model"] == 1.0,
            "the promoted endpoint on screen",
        )
        assert desired_weights(sagemaker_client, canary_endpoint) == {
            "current-model": 0.0,
            "new-model": 1.0,
        }
        await app.workers.wait_for_complete()
        # The audit log shows the episode (90/10, then the promote): b goes back to 90/10.
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: faults.calls[UPDATE] == 2, "rollback")
        await wait_for(
            pilot,
            lambda: console(app).endpoints[canary_endpoint].desired_weights["current-model"] == 0.9,
            "the rolled-back endpoint on screen",
        )
        assert desired_weights(sagemaker_client, canary_endpoint) == {
            "current-model": 0.9,
            "new-model": 0.1,
        }


async def test_read_only_never_calls_a_write_api(
    counted_backend: Backend,
    canary_endpoint: str,
    faults: FaultInjector,
    tmp_path: Path,
) -> None:
    app = make_app(counted_backend, tmp_path, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        for keys in (("w", "enter", "y"), ("b", "y"), ("tab", "down", "p", "y"), ("c", "y")):
            await pilot.press(*keys)
            await pilot.pause()
            assert not isinstance(app.screen, WeightEditor | ConfirmChange)
        await app.workers.wait_for_complete()
        assert writes(faults) == 0
        assert faults.calls["sts.GetCallerIdentity"] == 0
        assert not (tmp_path / "audit.jsonl").exists()


async def test_stale_edit_is_refused_and_nothing_sent(
    counted_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    faults: FaultInjector,
    tmp_path: Path,
) -> None:
    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        await pilot.press("w", "right_square_bracket", "enter")
        # A colleague changes the endpoint while the dialog is open.
        sagemaker_client.update_endpoint_weights_and_capacities(
            EndpointName=canary_endpoint,
            DesiredWeightsAndCapacities=[
                {"VariantName": "current-model", "DesiredWeight": 0.5},
                {"VariantName": "new-model", "DesiredWeight": 0.5},
            ],
        )
        await pilot.press("y")
        await wait_for(
            pilot, lambda: type(app.screen).__name__ == "RefusedDialog", "the refusal dialog"
        )
        assert faults.calls[UPDATE] == 0
        assert desired_weights(sagemaker_client, canary_endpoint) == {
            "current-model": 0.5,
            "new-model": 0.5,
        }
        # The console now shows the live state it was refused with.
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: console(app).endpoints[canary_endpoint].desired_weights["new-model"] == 0.5,
            "the live state",
        )


async def test_unfinished_change_in_the_audit_log_is_reported_at_start(
    counted_backend: Backend, canary_endpoint: str, tmp_path: Path
) -> None:
    AuditLog(tmp_path / "audit.jsonl").record_intent(
        endpoint=canary_endpoint,
        kind="weights",
        source="cli",
        weights_before={"current-model": 0.9, "new-model": 0.1},
        weights_after={"current-model": 0.5, "new-model": 0.5},
    )
    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot,
            lambda: any("have no outcome" in n.message for n in app._notifications),
            "the unfinished-change notice",
        )
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: "UNFINISHED" in static_text(app.screen.query_one("#audit-summary")),
            "the audit summary",
        )


def status_line(app: CanaryApp) -> str:
    return static_text(console(app).query_one(StatusLine))


@pytest.mark.parametrize(
    ("fault", "shown"),
    [
        (throttling(), "throttling"),
        (expired_token(), "aws sso login"),
        (connection_refused(), "cannot reach AWS"),
    ],
)
async def test_faults_mark_stale_keep_keys_working_and_recover(
    counted_backend: Backend,
    canary_endpoint: str,
    faults: FaultInjector,
    tmp_path: Path,
    fault: Any,
    shown: str,
) -> None:
    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        faults.fail("sagemaker.ListEndpoints", fault)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "STALE" in status_line(app), "STALE")
        assert shown in status_line(app)
        # The last good data stays, and the keys still work.
        assert table_rows(console(app).query_one(VariantsTable))[0][1] == "90.0%"
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        faults.clear()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "STALE" not in status_line(app), "recovery")


async def test_update_in_progress_is_checked_and_reported_not_applied(
    counted_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    faults: FaultInjector,
    tmp_path: Path,
) -> None:
    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)
        faults.fail(UPDATE, update_in_progress(canary_endpoint))
        await pilot.press("w", "right_square_bracket", "enter", "y")
        # AWS said "in progress"; the re-read shows the old weights, InService: not applied.
        await wait_for(
            pilot,
            lambda: any(n.title == "Change not applied" for n in app._notifications),
            "the outcome",
        )
        [note] = [n for n in app._notifications if n.title == "Change not applied"]
        assert "AWS answered that an update is in progress; re-read: desired " in note.message
        assert "is as before and the endpoint is InService; nothing was changed" in note.message
        assert faults.calls[UPDATE] == 1  # sent once, not retried
        assert desired_weights(sagemaker_client, canary_endpoint)["new-model"] == 0.1
        [entry] = AuditLog(tmp_path / "audit.jsonl").entries()
        assert entry.result == "not-applied"


async def test_a_lost_answer_to_an_applied_change_is_reported_applied(
    counted_backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    faults: FaultInjector,
    tmp_path: Path,
) -> None:
    from botocore.exceptions import ReadTimeoutError

    app = make_app(counted_backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, canary_endpoint)

        def applied_then_timed_out(operation: str) -> Exception:
            # AWS takes the change; its answer never arrives.
            sagemaker_client.update_endpoint_weights_and_capacities(
                EndpointName=canary_endpoint,
                DesiredWeightsAndCapacities=[
                    {"VariantName": "current-model", "DesiredWeight": 0.75},
                    {"VariantName": "new-model", "DesiredWeight": 0.25},
                ],
            )
            return ReadTimeoutError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com/")

        faults.fail_attempts(UPDATE, applied_then_timed_out, times=1)
        await pilot.press("w", "right_square_bracket", "enter", "y")
        await wait_for(
            pilot,
            lambda: any(n.title == "Change applied after a check" for n in app._notifications),
            "the outcome",
        )
        assert faults.attempts[UPDATE] == 1
        [entry] = AuditLog(tmp_path / "audit.jsonl").entries()
        assert entry.result == "applied"
        assert entry.outcome is not None and "re-read" in (entry.outcome.evidence or "")


async def test_an_updating_endpoint_is_followed_until_in_service(
    counted_backend: Backend,
    canary_endpoint: str,
    faults: FaultInjector,
    tmp_path: Path,
) -> None:
    def as_updating(response: dict[str, Any]) -> None:
        # moto never reports Updating; real SageMaker does while a change rolls through.
        response["EndpointStatus"] = "Updating"
        for variant in response["ProductionVariants"]:
            variant["DesiredWeight"] = 0.5

    faults.rewrite("sagemaker.DescribeEndpoint", as_updating)
    audit = AuditLog(tmp_path / "audit.jsonl")
    app = CanaryApp(
        counted_backend,
        ChangeService(counted_backend, audit, "console"),
        ConsoleOptions(poll=True, refresh_seconds=3600, follow_seconds=0.05, region=REGION),
        audit=audit,
        clock=frozen_clock,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: canary_endpoint in console(app).endpoints, "a describe")
        await pilot.pause()
        assert "Updating" in str(console(app).query_one(VariantsTable).border_title)
        assert table_rows(console(app).query_one(VariantsTable))[0][1] == "90.0% → 50.0%"
        describes = faults.calls["sagemaker.DescribeEndpoint"]
        await wait_for(
            pilot,
            lambda: faults.calls["sagemaker.DescribeEndpoint"] >= describes + 2,
            "re-describes while Updating",
        )
        assert faults.calls["sagemaker.ListEndpoints"] == 1
        faults.clear()
        await wait_for(
            pilot,
            lambda: console(app).endpoints[canary_endpoint].status == "InService",
            "InService",
        )
        await pilot.pause()
        assert table_rows(console(app).query_one(VariantsTable))[0][1] == "90.0%"

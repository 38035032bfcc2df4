"""`c` on a serverless variant: its concurrency editor, then the same confirm, guards and
audit log as every change (ChangeFlows' confirm-and-apply), and the confirm dialog's
preview for a plan without instances."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from canary_tui.change_guards import AnyPlan
from canary_tui.domain.capacity import EndpointScaling, LoadForecast, forecast_plan, plan_warnings
from canary_tui.domain.models import Endpoint
from canary_tui.domain.serverless import ServerlessPlan

if TYPE_CHECKING:
    from canary_tui.ui.options import ConsoleOptions
    from canary_tui.ui.screens.console import ConsoleScreen

Watching = Callable[[str], AbstractContextManager[None]]
ConfirmAndApply = Callable[[str, AnyPlan, Endpoint], Awaitable[None]]


async def serverless_flow(
    screen: ConsoleScreen,
    watching: Watching,
    confirm_and_apply: ConfirmAndApply,
    endpoint: Endpoint,
    variant: str,
) -> None:
    """Max/provisioned concurrency, watched like any dialog about an endpoint."""
    from canary_tui.ui.screens.serverless_editor import ServerlessEditor

    with watching(endpoint.name):
        plan = await screen.app.push_screen_wait(ServerlessEditor(endpoint, variant))
        if plan is None:
            screen.notify("Edit cancelled: nothing was sent.", timeout=3)
            return
        await confirm_and_apply(f"Concurrency of {variant}", plan, endpoint)


def plan_preview(
    plan: AnyPlan,
    confirmed: Endpoint,
    rates: Mapping[str, float] | None,
    options: ConsoleOptions,
    scaling: Mapping[str, EndpointScaling],
) -> tuple[LoadForecast | None, tuple[str, ...]]:
    """The load forecast and warnings the confirm dialog shows; none for a serverless
    plan (no instances, so no load per instance)."""
    if isinstance(plan, ServerlessPlan):
        return None, ()
    forecast = forecast_plan(plan, confirmed, rates, options.capacity_warning_factor)
    return forecast, plan_warnings(plan, forecast, scaling.get(confirmed.name))

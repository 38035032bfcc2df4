"""The one guarded path every weight or capacity change takes (console, CLI and ramps).

edit -> confirm (before -> after) -> audit "intent" -> re-describe, refuse if it changed ->
UpdateEndpointWeightsAndCapacities -> audit "outcome". Blocking: run it in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from canary_tui.aws.backend import Backend
from canary_tui.domain.models import Endpoint
from canary_tui.domain.weights import CapacityPlan, WeightPlan

ChangeSource = Literal["console", "cli", "ramp"]
Plan = WeightPlan | CapacityPlan


class ChangeRefused(Exception):
    """A guard said no and nothing was sent. ``message`` is one line for a person;
    ``live`` is the endpoint as it is now, to start again from (None if it is gone)."""

    def __init__(self, message: str, live: Endpoint | None) -> None:
        super().__init__(message)
        self.message = message
        self.live = live


@dataclass(frozen=True, slots=True)
class ChangeResult:
    change_id: str
    endpoint_arn: str
    request: dict[str, Any]


class ChangeService:
    """Applies confirmed plans. Implemented in the safety issue; see module docstring."""

    def __init__(self, backend: Backend, audit: Any, source: ChangeSource) -> None:
        self.backend = backend
        self.audit = audit
        self.source = source

    def apply(self, plan: Plan, confirmed: Endpoint, *, reason: str | None = None) -> ChangeResult:
        raise NotImplementedError

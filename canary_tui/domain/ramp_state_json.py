"""The JSON form of a :class:`~canary_tui.domain.ramp_state.RampState`: its fields out, and
the constructor's arguments back in. A key missing from an older file takes the field's
default of then (no request count, every count complete), so a saved ramp still loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from canary_tui.domain.ramp_events import HistoryEntry, Phase
from canary_tui.domain.ramp_plan import RampPlan

if TYPE_CHECKING:
    from canary_tui.domain.ramp_state import RampState


def _optional_time(raw: object) -> datetime | None:
    return None if raw is None else datetime.fromisoformat(str(raw))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def state_fields(state: RampState) -> dict[str, Any]:
    return {
        "plan": state.plan.to_dict(),
        "baseline": state.baseline,
        "weights_before": dict(state.weights_before),
        "started_at": state.started_at.isoformat(),
        "step_index": state.step_index,
        "phase": state.phase.value,
        "step_applied_at": _iso(state.step_applied_at),
        "bake_deadline": _iso(state.bake_deadline),
        "extra_bakes": state.extra_bakes,
        "paused_from": None if state.paused_from is None else state.paused_from.value,
        "bake_remaining_seconds": state.bake_remaining_seconds,
        "status_reason": state.status_reason,
        "last_verdict": state.last_verdict,
        "last_verdict_reason": state.last_verdict_reason,
        "last_alarms": dict(state.last_alarms),
        "rollback_attempts": state.rollback_attempts,
        "applied_share": state.applied_share,
        "aborting": state.aborting,
        "step_requests": state.step_requests,
        "step_requests_complete": state.step_requests_complete,
        "history": [entry.to_dict() for entry in state.history],
    }


def state_arguments(data: Mapping[str, Any]) -> dict[str, Any]:
    paused_from = data.get("paused_from")
    remaining = data.get("bake_remaining_seconds")
    applied = data.get("applied_share")
    requests = data.get("step_requests")
    return {
        "plan": RampPlan.from_dict(data["plan"]),
        "baseline": str(data["baseline"]),
        "weights_before": {str(k): float(v) for k, v in data["weights_before"].items()},
        "started_at": datetime.fromisoformat(str(data["started_at"])),
        "step_index": int(data["step_index"]),
        "phase": Phase(str(data["phase"])),
        "step_applied_at": _optional_time(data.get("step_applied_at")),
        "bake_deadline": _optional_time(data.get("bake_deadline")),
        "extra_bakes": int(data.get("extra_bakes", 0)),
        "paused_from": None if paused_from is None else Phase(str(paused_from)),
        "bake_remaining_seconds": None if remaining is None else float(remaining),
        "status_reason": data.get("status_reason"),
        "last_verdict": data.get("last_verdict"),
        "last_verdict_reason": data.get("last_verdict_reason"),
        "last_alarms": {str(k): str(v) for k, v in (data.get("last_alarms") or {}).items()},
        "rollback_attempts": int(data.get("rollback_attempts", 0)),
        "applied_share": None if applied is None else float(applied),
        "aborting": bool(data.get("aborting", False)),
        "step_requests": None if requests is None else float(requests),
        "step_requests_complete": bool(data.get("step_requests_complete", True)),
        "history": tuple(HistoryEntry.from_dict(entry) for entry in data.get("history", ())),
    }

"""Ramp plans and the ramp state machine: pure, no I/O, no clock of its own.

A ramp moves a canary variant through traffic steps (default 10, 25, 50, 100 %). Each step is
applied, baked for a while, then checked (verdict + CloudWatch alarms); the ramp advances on
PASS with every alarm OK, rolls back to the baseline on FAIL or ALARM, and keeps baking on
INCONCLUSIVE up to ``max_extra_bakes`` times before it holds (pauses) for a person to decide:
a ramp never advances on data it could not judge.

The runner (``canary_tui.ramp``) feeds :class:`RampState` events and performs what
:meth:`RampState.next_action` says. The next action depends on the state alone, so a state
persisted as JSON and loaded after a crash resumes exactly where it stopped.

The parts, each readable alone: :mod:`~canary_tui.domain.ramp_plan` (the plan and its
validation), :mod:`~canary_tui.domain.ramp_events` (phases, events, actions, history entries)
and :mod:`~canary_tui.domain.ramp_state` (the state machine and its JSON form). This module
names them all in one place, so callers import from ``canary_tui.domain.ramp``.
"""

from __future__ import annotations

from canary_tui.domain.ramp_events import (
    ALARM_FIRING,
    ALARM_OK,
    TERMINAL_PHASES,
    Abort,
    Action,
    ActionKind,
    Applied,
    ApplyFailed,
    Checked,
    HistoryEntry,
    Interfered,
    Pause,
    Phase,
    RampEvent,
    Resume,
    RollbackFailed,
    RolledBack,
    Skip,
    Tick,
)
from canary_tui.domain.ramp_plan import (
    BAKE_REQUESTS,
    DEFAULT_MAX_EXTRA_BAKES,
    DEFAULT_STEPS,
    MAX_BAKE_SECONDS,
    SHARE_TOLERANCE,
    STEP_PERCENT,
    RampPlan,
    RampPlanError,
    bake_deadline,
    expected_bake_seconds,
    format_seconds,
    parse_bake_requests,
    parse_duration,
    parse_steps,
    validate_steps,
)
from canary_tui.domain.ramp_state import STATE_FORMAT_VERSION, RampState

__all__ = [
    "ALARM_FIRING",
    "ALARM_OK",
    "BAKE_REQUESTS",
    "DEFAULT_MAX_EXTRA_BAKES",
    "DEFAULT_STEPS",
    "MAX_BAKE_SECONDS",
    "SHARE_TOLERANCE",
    "STATE_FORMAT_VERSION",
    "STEP_PERCENT",
    "TERMINAL_PHASES",
    "Abort",
    "Action",
    "ActionKind",
    "Applied",
    "ApplyFailed",
    "Checked",
    "HistoryEntry",
    "Interfered",
    "Pause",
    "Phase",
    "RampEvent",
    "RampPlan",
    "RampPlanError",
    "RampState",
    "Resume",
    "RollbackFailed",
    "RolledBack",
    "Skip",
    "Tick",
    "bake_deadline",
    "expected_bake_seconds",
    "format_seconds",
    "parse_bake_requests",
    "parse_duration",
    "parse_steps",
    "validate_steps",
]

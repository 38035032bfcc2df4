"""The console's keys: each binding has an id (the keymap setting rebinds it) and a tooltip
(help and the command palette show it). Write keys are hidden and refused read-only."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, MutableMapping

from textual.binding import Binding

#: Keys of the verdict and the ramps.
RAMP_BINDINGS = [
    Binding(
        "r", "start_ramp", "ramp", tooltip="ramp the selected variant up, step by step", id="ramp"
    ),
    Binding(
        "v",
        "toggle_verdict",
        "verdict",
        show=False,
        tooltip="verdict: one line or every check",
        id="verdict",
    ),
]
#: Keys of a running ramp: first in the footer (they show only while a ramp is driven,
#: and are then what the operator needs; at 80 columns the footer cuts what comes last).
RAMP_DRIVING_BINDINGS = [
    Binding(
        "P",
        "ramp_pause",
        "pause",
        show=False,
        tooltip="pause or resume the ramp of this endpoint",
        id="ramp-pause",
    ),
    Binding(
        "S",
        "ramp_skip",
        "skip",
        show=False,
        tooltip="ramp: go to the next step without waiting for the verdict",
        id="ramp-skip",
    ),
    Binding(
        "X",
        "ramp_abort",
        "abort",
        show=False,
        tooltip="ramp: abort and roll back to the baseline",
        id="ramp-abort",
    ),
]
#: Shown in the footer only while this console drives a ramp (they do nothing otherwise).
RAMP_DRIVING_ACTIONS = frozenset({"ramp_pause", "ramp_skip", "ramp_abort"})


#: Left out of a narrow footer while a ramp is driven, so that P S X, b, ? and q all fit in
#: 80 columns (they still work, and help lists them): a ramp's operator needs its keys and the
#: way back more than the capacity editor, the filter or starting another ramp.
RAMP_CROWDED_OUT_ACTIONS = frozenset({"edit_capacity", "filter", "start_ramp"})
#: From this width the footer holds every key with the ramp's (it needs about 100 columns).
FOOTER_ROOMY_COLUMNS = 110


def show_ramp_keys(
    key_to_bindings: MutableMapping[str, list[Binding]],
    shown: bool,
    *,
    crowded: bool | None = None,
) -> bool:
    """Show or hide P, S and X (whatever keys the keymap gave them) in the footer and, when
    ``crowded`` is not None, hide the keys in :data:`RAMP_CROWDED_OUT_ACTIONS` while the ramp
    keys show in a footer too narrow for all; True when something changed (then the screen
    refreshes its bindings). The lists are replaced, not edited: they are shared with the
    class's merged bindings (see the read-only case, which passes ``crowded=None``)."""
    wanted = {action: shown for action in RAMP_DRIVING_ACTIONS}
    if crowded is not None:
        wanted |= {action: not (shown and crowded) for action in RAMP_CROWDED_OUT_ACTIONS}
    changed = False
    for key, bindings in list(key_to_bindings.items()):
        if any(b.action in wanted and b.show != wanted[b.action] for b in bindings):
            key_to_bindings[key] = [
                dataclasses.replace(b, show=wanted[b.action]) if b.action in wanted else b
                for b in bindings
            ]
            changed = True
    return changed


#: Actions that open an editor: keys typed right after one are kept for the editor (see
#: canary_tui.ui.screens.typeahead), since Textual runs the action only after the keys
#: queued behind it have reached the screen.
EDITOR_ACTIONS = frozenset({"edit_weights", "edit_capacity"})
#: Every action that opens a field to type in: the editors, the filter and the command line.
#: Without keeping what follows, `/fraud` typed in one packet ran r (ramp) and a (audit).
INPUT_OPENING_ACTIONS = EDITOR_ACTIONS | {"filter", "command_line"}


def opens_input(key_to_bindings: Mapping[str, list[Binding]], key: str) -> bool:
    """Whether ``key`` is bound (after the keymap) to an action that opens a field."""
    return any(b.action in INPUT_OPENING_ACTIONS for b in key_to_bindings.get(key, []))


#: Actions that would call a write API; hidden and refused in read-only mode.
WRITE_ACTIONS = frozenset(
    {"edit_weights", "rollback", "promote", "edit_capacity"}
    | {"start_ramp", "ramp_pause", "ramp_skip", "ramp_abort"}
)

CONSOLE_BINDINGS: list[Binding] = [
    *RAMP_DRIVING_BINDINGS,
    Binding("w", "edit_weights", "weights", tooltip="edit variant weights", id="weights"),
    Binding(
        "b",
        "rollback",
        "rollback",
        tooltip="roll back: the split before the canary episode",
        id="rollback",
    ),
    Binding(
        "p",
        "promote",
        "promote",
        tooltip="promote the canary (or the variant you moved to) to 100%",
        id="promote",
    ),
    Binding(
        "c",
        "edit_capacity",
        "count",
        tooltip="edit instance count or serverless concurrency",
        id="capacity",
    ),
    Binding(
        "B",
        "mark_baseline",
        "baseline",
        show=False,
        tooltip="mark the current split as the rollback baseline",
        id="baseline",
    ),
    Binding("slash", "filter", "filter", tooltip="filter endpoints by name", id="filter"),
    Binding(
        "a",
        "audit",
        "audit",
        show=False,
        tooltip="audit log of changes (this endpoint / all)",
        id="audit",
    ),
    Binding(
        "n",
        "app.messages",
        "messages",
        show=False,
        tooltip="messages: every notice of this session (the last one is above the footer)",
        id="messages",
    ),
    Binding(
        "m",
        "cycle_metric",
        "metric",
        show=False,
        tooltip="chart: next metric (invocations, errors, latency)",
        id="metric",
    ),
    Binding("1", "window('15m')", "15m", show=False, tooltip="window: 15 minutes", id="window-15m"),
    Binding("2", "window('1h')", "1h", show=False, tooltip="window: 1 hour", id="window-1h"),
    Binding("3", "window('3h')", "3h", show=False, tooltip="window: 3 hours", id="window-3h"),
    Binding("4", "window('12h')", "12h", show=False, tooltip="window: 12 hours", id="window-12h"),
    Binding(
        "g",
        "toggle_chart",
        "chart",
        show=False,
        tooltip="show or hide the big chart",
        id="chart",
    ),
    Binding(
        "space",
        "toggle_pause",
        "pause",
        show=False,
        tooltip="pause or resume refreshing",
        id="pause",
    ),
    Binding("ctrl+r", "refresh_now", "refresh", show=False, tooltip="refresh now", id="refresh"),
    *RAMP_BINDINGS,
    Binding("question_mark", "help", "help", tooltip="all keys", id="help"),
    Binding("q", "quit", "quit", tooltip="quit", id="quit"),
]
#: Listed in help; handled by Textual's focus chain.
NAVIGATION: list[Binding] = [
    Binding("tab", "focus_next", "next pane", tooltip="next pane"),
    Binding("shift+tab", "focus_previous", "previous pane", tooltip="previous pane"),
    Binding("up,down", "", "", tooltip="move in a table (selects the endpoint)"),
    Binding("escape", "", "", tooltip="clear the filter"),
    Binding("ctrl+p", "command_palette", "", tooltip="search every action"),
]

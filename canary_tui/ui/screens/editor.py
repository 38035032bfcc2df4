"""The weight editor and the instance-count editor. They only build a validated plan;
the caller confirms and applies it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from canary_tui.domain.models import Endpoint
from canary_tui.domain.weights import (
    CapacityPlan,
    WeightInputError,
    WeightPlan,
    parse_instance_count,
)
from canary_tui.ui import weight_fields
from canary_tui.ui.screens.typeahead import TypeAhead, replay, type_into
from canary_tui.ui.view import NO_VALUE, format_percent, format_weight, share_text

CANARY_STEPS = (1.0, 5.0, 10.0, 25.0, 50.0, 100.0)
#: Printable keys the editor binds (the preset steps): they step, everything else is typed.
_BOUND_CHARACTERS = frozenset("[]")


class WeightInput(Input):
    """An Input that leaves ``[`` and ``]`` to the editor's preset bindings (a plain Input
    claims every printable key, and Textual then skips even priority bindings). Every other
    character is typed into the field as it is: nothing is filtered out silently."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character not in _BOUND_CHARACTERS and super().check_consume_key(key, character)


class WeightEditor(ModalScreen[WeightPlan | None]):
    """One field per variant, in traffic % (default) or relative weights."""

    BINDINGS = [
        Binding("up", "nudge(1)", "+1", show=False, priority=True, id="editor.up"),
        Binding("down", "nudge(-1)", "-1", show=False, priority=True, id="editor.down"),
        Binding("shift+up", "nudge(5)", "+5", show=False, priority=True, id="editor.up5"),
        Binding("shift+down", "nudge(-5)", "-5", show=False, priority=True, id="editor.down5"),
        Binding("right_square_bracket", "step(1)", "next step", priority=True, id="editor.step"),
        Binding("left_square_bracket", "step(-1)", "prev step", priority=True, id="editor.back"),
        Binding("ctrl+t", "toggle_mode", "% / weight", priority=True, id="editor.mode"),
        Binding("enter", "review", "review", priority=True, id="editor.review"),
        Binding("escape", "cancel", "cancel", id="editor.cancel"),
    ]

    def __init__(
        self,
        endpoint: Endpoint,
        focus_variant: str | None = None,
        *,
        typed_ahead: TypeAhead | None = None,
    ) -> None:
        super().__init__()
        #: Keys typed after the one that opened the editor, before it was on screen.
        self.typed_ahead = typed_ahead
        #: Typed-ahead keys after the one that closed the editor: for the next dialog
        #: (the confirmation, which takes none of them as an answer).
        self.left_over: list[events.Key] = []
        #: Set once the editor has dismissed itself (a replay stops there).
        self.closing = False
        self.endpoint = endpoint
        self.endpoint_name = endpoint.name
        self.percent_mode = True
        names = endpoint.variant_names
        self.focus_index = names.index(focus_variant) if focus_variant in names else 0

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        shares = self.endpoint.desired_traffic_shares
        with Vertical(id="editor-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Weights · {self.endpoint.name}"
            yield Static(id="editor-mode")
            with Horizontal(classes="editor-row editor-heading"):
                yield Label("variant", classes="editor-variant")
                yield Label("now", classes="editor-now")
                yield Label("new", id="editor-new-heading", classes="editor-input-heading")
                yield Label("→ traffic", classes="editor-preview")
            for index, variant in enumerate(self.endpoint.variants):
                with Horizontal(classes="editor-row"):
                    yield Label(variant.name, classes="editor-variant")
                    yield Label(share_text(shares[variant.name]), classes="editor-now")
                    # No `restrict`: a character the parser refuses stays in the field and
                    # is marked, instead of vanishing (-1 must not become 1, nor 1e400 1400).
                    yield WeightInput(
                        format_percent(shares[variant.name]),
                        id=f"weight-{index}",
                        classes="weight-input",
                        compact=True,
                        select_on_focus=True,
                    )
                    yield Label(NO_VALUE, id=f"preview-{index}", classes="editor-preview")
            yield Static(id="editor-message")
            yield Static(
                Text.assemble(
                    ("enter", "bold"),
                    " review  ",
                    ("esc", "bold"),
                    " cancel  ",
                    ("↑↓", "bold"),
                    " ±1  ",
                    ("shift+↑↓", "bold"),
                    " ±5  ",
                    ("[ ]", "bold"),
                    " step 1/5/10/25/50/100%  ",
                    ("ctrl+t", "bold"),
                    " % ↔ weight",
                ),
                id="editor-keys",
            )

    def on_mount(self) -> None:
        # Synchronously: Textual's auto focus has put the first field in focus, and a
        # deferred focus() races the replay below under load (a typed-ahead `]` then
        # stepped the first variant instead of the one asked for).
        self.set_focus(self._inputs()[self.focus_index])
        self._refresh_preview()
        if self.typed_ahead is not None:
            self.call_after_refresh(self._replay)

    async def _replay(self) -> None:
        if self.typed_ahead is not None:
            # Keys typed ahead were typed at the field the editor opens on: focus it now,
            # synchronously, rather than trusting when the deferred focus lands.
            self.set_focus(self._inputs()[self.focus_index])
            await replay(self, self.typed_ahead.take())

    def _inputs(self) -> list[Input]:
        return [self.query_one(f"#weight-{i}", Input) for i in range(len(self.endpoint.variants))]

    def _focused_index(self) -> int:
        # The screen's focus, not the fields' has_focus: that flag follows only once a
        # field has handled its Focus event, and a replayed key can come first.
        for index, field in enumerate(self._inputs()):
            if field is self.focused:
                self.focus_index = index
                return index
        return self.focus_index

    # -- the plan the fields describe ------------------------------------------------------
    def _texts(self) -> list[str]:
        return [field.value for field in self._inputs()]

    def current_plan(self) -> WeightPlan:
        """The plan the fields describe, or a WeightInputError naming the field."""
        return weight_fields.plan_from_fields(self.endpoint, self._texts(), self.percent_mode)

    def _refresh_preview(self) -> WeightPlan | None:
        mode = self.query_one("#editor-mode", Static)
        mode.update(
            "Type traffic % per variant (they must add up to 100)."
            if self.percent_mode
            else "Type relative weights per variant (0.9/0.1 = 90/10 = 9/1)."
        )
        self.query_one("#editor-new-heading", Label).update(
            "new %" if self.percent_mode else "new weight"
        )
        message = self.query_one("#editor-message", Static)
        inputs = self._inputs()
        reading = weight_fields.read_fields(self.endpoint, self._texts(), self.percent_mode)
        names = self.endpoint.variant_names
        for index, (field, name) in enumerate(zip(inputs, names, strict=True)):
            # Each unreadable field is marked where it is, whichever one has the focus.
            field.set_class(name in reading.errors, "-invalid")
            preview = self.query_one(f"#preview-{index}", Label)
            preview.set_class(name in reading.errors, "-error")
            preview.update(reading.marks.get(name, NO_VALUE))
        try:
            plan = self.current_plan()
        except WeightInputError as error:
            message.update(Text(f"✗ {error.message}", style="bold"))
            message.add_class("-error")
            if error.field in names:
                inputs[names.index(error.field)].add_class("-invalid")
            return None
        message.remove_class("-error")
        message.update("no change yet" if plan.is_noop else "✓ valid; enter to review")
        for index, name in enumerate(names):
            self.query_one(f"#preview-{index}", Label).update(share_text(plan.share_after[name]))
        return plan

    @on(Input.Changed, ".weight-input")
    def _field_changed(self, event: Input.Changed) -> None:
        inputs = self._inputs()
        if self.percent_mode and len(inputs) == 2 and event.input in inputs:
            # Two variants: a share typed on one gives the other the rest (25 -> 75). An
            # unreadable text leaves the other field as it is.
            other = inputs[1 - inputs.index(event.input)]
            rest = weight_fields.complement(event.value)
            if rest is not None:
                with other.prevent(Input.Changed):
                    other.value = format_percent(rest)
        self._refresh_preview()

    # -- keys ------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        message = self.query_one("#editor-message", Static)
        message.update(Text(f"✗ {text}", style="bold"))
        message.add_class("-error")

    def _set_share(self, index: int, share: float) -> None:
        try:
            plan = weight_fields.plan_with_share(
                self.endpoint, self._texts(), index, share, self.percent_mode
            )
        except WeightInputError as error:
            self._say(error.message)
            return
        self._show_plan(plan)

    def _show_plan(self, plan: WeightPlan) -> None:
        shares = plan.share_after
        for field, name in zip(self._inputs(), self.endpoint.variant_names, strict=True):
            text = (
                format_percent(shares[name])
                if self.percent_mode
                else format_weight(shares[name] / 100.0)
            )
            with field.prevent(Input.Changed):
                field.value = text
            if field is self.focused:
                # The old selection covered the old text; a value the editor wrote is replaced
                # by the next thing typed, as when the field was first focused.
                field.select_all()
        self._refresh_preview()

    def _typed_share(self, index: int) -> float | None:
        """The focused field's share as typed; None (and why, shown) when unreadable: the
        arrows never fall back to the live weights behind what the person typed."""
        try:
            return weight_fields.typed_share(self.endpoint, self._texts(), index, self.percent_mode)
        except WeightInputError as error:
            self._say(f"{error.message}; fix it before using the arrows or [ ]")
            self.app.bell()
            return None

    def action_nudge(self, delta: float) -> None:
        index = self._focused_index()
        share = self._typed_share(index)
        if share is None:
            return
        self._set_share(index, min(100.0, max(0.0, round(share) + delta)))

    def action_step(self, direction: int) -> None:
        index = self._focused_index()
        share = self._typed_share(index)
        if share is None:
            return
        if direction > 0:
            steps = [step for step in CANARY_STEPS if step > share + 1e-9]
            target = steps[0] if steps else CANARY_STEPS[-1]
        else:
            steps = [step for step in CANARY_STEPS if step < share - 1e-9]
            target = steps[-1] if steps else 0.0
        self._set_share(index, target)

    def action_toggle_mode(self) -> None:
        try:
            plan: WeightPlan | None = self.current_plan()
        except WeightInputError:
            plan = None
        self.percent_mode = not self.percent_mode
        if plan is not None:
            self._show_plan(plan)
        else:
            self._refresh_preview()

    def action_review(self) -> None:
        plan = self._refresh_preview()
        if plan is None:
            self.app.bell()
            return
        if plan.is_noop:
            self.query_one("#editor-message", Static).update(
                "✗ nothing to change; edit a field or esc to close"
            )
            return
        self.closing = True
        self.dismiss(plan)

    def action_cancel(self) -> None:
        self.closing = True
        self.dismiss(None)


class CapacityEditor(ModalScreen[CapacityPlan | None]):
    """The desired instance count of one variant."""

    BINDINGS = [
        Binding("enter", "review", "review", priority=True, id="capacity.review"),
        Binding("escape", "cancel", "cancel", id="capacity.cancel"),
    ]

    def __init__(
        self,
        endpoint: Endpoint,
        variant: str,
        check: Callable[[CapacityPlan], str | None] | None = None,
        limits: str | None = None,
        typed_ahead: list[events.Key] | None = None,
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.endpoint_name = endpoint.name
        self.variant = variant
        #: Keys typed after `c` in the same packet (`c 3 enter y`), typed in on mount.
        self.typed_ahead = list(typed_ahead or [])
        #: The keys after the enter that reviewed, for the confirmation (which ignores a y).
        self.left_over: list[events.Key] = []
        #: Why a count may not be sent (outside the scaling limits), else None.
        self.check = check
        #: The scalable target's min-max, shown next to the current count.
        self.limits = limits

    def compose(self) -> ComposeResult:
        current = self.endpoint.variant(self.variant).desired_instance_count
        with Vertical(id="capacity-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Instances · {self.endpoint.name} · {self.variant}"
            limits = f"; scaling limits {self.limits}" if self.limits else ""
            yield Label(f"now: {'?' if current is None else current} instance(s){limits}")
            yield Input(
                "" if current is None else str(current),
                id="capacity-input",
                compact=True,
                select_on_focus=True,
            )
            yield Static(id="capacity-message")
            yield Static(
                Text.assemble(("enter", "bold"), " review  ", ("esc", "bold"), " cancel"),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        field = self.query_one(Input)
        self.set_focus(field)
        typed, self.typed_ahead = self.typed_ahead, []
        if any(key.is_printable for key in typed):
            field.value = ""  # a count typed ahead replaces the current one, as typed here
        ended, rest = type_into(field, typed)
        if ended == "escape":
            self.action_cancel()
        elif ended == "enter":
            self.left_over = rest
            self.call_after_refresh(self.action_review)

    def action_review(self) -> None:
        message = self.query_one("#capacity-message", Static)
        try:
            plan = parse_instance_count(self.endpoint, self.variant, self.query_one(Input).value)
        except WeightInputError as error:
            message.update(Text(f"✗ {error.message}", style="bold"))
            message.add_class("-error")
            return
        if plan.count_after == plan.count_before:
            message.update("✗ that is the current count; type another or esc")
            return
        refusal = self.check(plan) if self.check is not None else None
        if refusal is not None:
            message.update(Text(f"✗ {refusal}", style="bold"))
            message.add_class("-error")
            return
        self.dismiss(plan)

    def action_cancel(self) -> None:
        self.dismiss(None)

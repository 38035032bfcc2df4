"""The one dialog every change passes: before -> after as traffic %, and the exact request
as the AWS CLI command that sends it (``c`` copies it)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual import events, on

# Textual stamps every message with this clock (monotonic, and frozen in its own tests).
from textual._time import get_time
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from canary_tui.domain.aws_command import update_weights_command
from canary_tui.domain.capacity import NO_VALUE, LoadForecast, rate_text
from canary_tui.domain.models import Endpoint
from canary_tui.domain.serverless import ServerlessPlan
from canary_tui.domain.weights import CapacityPlan, WeightPlan
from canary_tui.ui.screens.typeahead import Y_IGNORED
from canary_tui.ui.view import share_text


def _load_cells(forecast: LoadForecast | None, variant: str) -> tuple[str, ...]:
    if forecast is None:
        return ()
    load = forecast.for_variant(variant)
    if load is None:
        return (NO_VALUE, "→", NO_VALUE)
    return (rate_text(load.per_instance_before), "→", rate_text(load.per_instance_after))


def _serverless_table(plan: ServerlessPlan) -> Table:
    """Max and provisioned concurrency before -> after (what ServerlessUpdateConfig sets)."""
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    for column in (plan.variant, "before", "", "after"):
        table.add_column(column, justify="left" if column == plan.variant else "right")
    before, after = plan.before, plan.after
    for label, old, new in (
        ("max concurrency", before.max_concurrency, after.max_concurrency),
        ("provisioned", before.provisioned_concurrency, after.provisioned_concurrency),
    ):
        style = "bold" if old != new else "dim"
        table.add_row(
            label,
            NO_VALUE if old is None else str(old),
            "→",
            NO_VALUE if new is None else str(new),
            style=style,
        )
    table.add_row("memory", f"{before.memory_mb} MB", "", "unchanged", style="dim")
    return table


def plan_table(
    plan: WeightPlan | CapacityPlan | ServerlessPlan, forecast: LoadForecast | None = None
) -> Table:
    """Before -> after per variant; with ``forecast``, req/min per instance now -> after."""
    if isinstance(plan, ServerlessPlan):
        return _serverless_table(plan)
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column("variant")
    table.add_column(
        "traffic before" if isinstance(plan, WeightPlan) else "instances before", justify="right"
    )
    table.add_column("", justify="center")
    table.add_column("after", justify="right")
    if forecast is not None:
        table.add_column("req/min/inst now", justify="right")
        table.add_column("", justify="center")
        table.add_column("after", justify="right")
    if isinstance(plan, WeightPlan):
        for change in plan.changes:
            style = "bold" if change.changed else "dim"
            table.add_row(
                change.variant,
                share_text(change.share_before),
                "→",
                share_text(change.share_after),
                *_load_cells(forecast, change.variant),
                style=style,
            )
    else:
        before = "?" if plan.count_before is None else str(plan.count_before)
        table.add_row(
            plan.variant,
            before,
            "→",
            str(plan.count_after),
            *_load_cells(forecast, plan.variant),
            style="bold",
        )
    return table


class ConfirmChange(ModalScreen[bool]):
    """``y`` sends, ``n`` or ``esc`` does not. Nothing is sent without this answer.

    An optional reason for the audit log can be typed after ``tab``; ``enter`` in that field
    sends. Nothing has focus at first, so ``y`` and ``n`` are answers, never text.
    """

    BINDINGS = [
        Binding("y", "answer(True)", "apply", id="confirm.yes"),
        Binding("n", "answer(False)", "cancel", id="confirm.no"),
        Binding("escape", "answer(False)", "cancel", show=False, id="confirm.escape"),
        Binding("tab", "reason", "reason", show=False, id="confirm.reason"),
        Binding("c", "copy_command", "copy command", show=False, id="confirm.copy"),
    ]

    def __init__(
        self,
        title: str,
        plan: WeightPlan | CapacityPlan | ServerlessPlan,
        forecast: LoadForecast | None = None,
        warnings: tuple[str, ...] = (),
        *,
        region: str | None = None,
        profile: str | None = None,
        typed_ahead: Sequence[events.Key] = (),
    ) -> None:
        super().__init__()
        #: Keys typed before this dialog existed (handed on by the editor): never answers.
        self.typed_ahead = tuple(typed_ahead)
        #: The same request with the AWS CLI, for a runbook, a ticket or sending by hand.
        self.command = update_weights_command(plan.api_request(), region=region, profile=profile)
        self.title_text = title
        self.plan = plan
        #: Requests/min per instance now -> after (None: no metrics for this endpoint yet).
        self.forecast = forecast
        self.warnings = warnings
        self.endpoint_name = plan.endpoint_name
        #: What the person typed as the reason, read by the caller after dismissal.
        self.reason: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(plan_table(self.plan, self.forecast), id="confirm-plan")
            if self.warnings:
                yield Static(
                    Text("\n".join(f"! {warning}" for warning in self.warnings)),
                    id="confirm-warnings",
                )
            yield Static(
                Text.assemble(("same request, AWS CLI (c copies):", "italic"), "\n", self.command),
                id="confirm-request",
            )
            reason = Input(
                placeholder="reason for the audit log (optional; tab to type)",
                id="confirm-reason",
                compact=True,
                max_length=200,
            )
            # Unfocusable until asked for (tab): y and n must be answers, never text.
            reason.can_focus = False
            yield reason
            yield Static(
                Text.assemble(
                    ("y", "bold reverse"),
                    " apply   ",
                    ("n", "bold reverse"),
                    " cancel   ",
                    ("tab", "bold reverse"),
                    " reason (enter applies)   ",
                    ("c", "bold reverse"),
                    " copy command",
                ),
                id="confirm-keys",
            )
            typed_ahead = Static(id="confirm-typed-ahead")
            typed_ahead.display = False
            yield typed_ahead

    def action_copy_command(self) -> None:
        # OSC 52: works over SSH where the terminal allows it (tmux: set-clipboard on).
        self.app.copy_to_clipboard(self.command)
        self.notify("Copied the AWS CLI command (if your terminal allows OSC 52).", timeout=4)

    def action_reason(self) -> None:
        field = self.query_one("#confirm-reason", Input)
        field.can_focus = True
        field.focus()

    def on_mount(self) -> None:
        self._shown_at = get_time()
        if any(key.key == "y" for key in self.typed_ahead):
            self._say_ignored()

    def on_key(self, event: events.Key) -> None:
        # A key pressed before this dialog was on screen (typed ahead, or a burst from a
        # laggy SSH link) is not an answer to a question nobody has seen yet.
        if event.time < self._shown_at:
            event.stop()
            event.prevent_default()
            if event.key == "y":
                self._say_ignored()

    def _say_ignored(self) -> None:
        """One line in the dialog (not a toast): the y that seemed to be sent was not."""
        line = self.query_one("#confirm-typed-ahead", Static)
        line.update(Content.styled(Y_IGNORED, "bold $text-warning"))
        line.display = True

    @on(Input.Submitted, "#confirm-reason")
    def _reason_submitted(self) -> None:
        self.action_answer(True)

    def action_answer(self, answer: bool) -> None:
        text = self.query_one("#confirm-reason", Input).value.strip()
        self.reason = text or None
        self.dismiss(answer)


class RefusedDialog(ModalScreen[bool]):
    """A guard refused the change: say why, show the live state, offer to start again."""

    BINDINGS = [
        Binding("e", "answer(True)", "edit from live state", id="refused.edit"),
        Binding("escape", "answer(False)", "close", id="refused.close"),
        Binding("enter", "answer(False)", "close", show=False, id="refused.enter"),
    ]

    def __init__(self, message: str, live: Endpoint | None, can_edit: bool) -> None:
        super().__init__()
        self.message = message
        self.live = live
        self.can_edit = can_edit and live is not None

    def compose(self) -> ComposeResult:
        with Vertical(id="refused-dialog", classes="dialog") as dialog:
            dialog.border_title = "Change refused, nothing was sent"
            yield Static(Text(self.message), id="refused-message")
            if self.live is not None:
                lines = Text(f"{self.live.name} now: {self.live.status}\n")
                for name, share in self.live.desired_traffic_shares.items():
                    lines.append(f"  {name}  {share_text(share)}\n")
                yield Static(lines, id="refused-live")
            keys = Text()
            if self.can_edit:
                keys.append("e", "bold reverse")
                keys.append(" edit again from the live state   ")
            keys.append("esc", "bold reverse")
            keys.append(" close")
            yield Static(keys, id="refused-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer and self.can_edit)

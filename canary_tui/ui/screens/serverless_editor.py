"""The editor for a serverless variant's concurrency: what ServerlessUpdateConfig allows
(MaxConcurrency, ProvisionedConcurrency, each 1 to 200, provisioned at most max). Memory
needs a new endpoint config, so it is shown, not offered. It only builds a validated plan
(``domain.serverless``, the same parser as ``canary-tui set-serverless``); the caller
confirms and applies it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from canary_tui.domain.models import Endpoint
from canary_tui.domain.serverless import ServerlessPlan, parse_serverless_update
from canary_tui.domain.weights import WeightInputError


class ServerlessEditor(ModalScreen[ServerlessPlan | None]):
    """Max and provisioned concurrency of one serverless variant, from its desired config.
    An empty provisioned field keeps what is set (ServerlessUpdateConfig cannot remove it)."""

    BINDINGS = [
        Binding("enter", "review", "review", priority=True, id="serverless.review"),
        Binding("escape", "cancel", "cancel", id="serverless.cancel"),
    ]

    def __init__(self, endpoint: Endpoint, variant: str) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.endpoint_name = endpoint.name
        self.variant = variant

    def compose(self) -> ComposeResult:
        chosen = self.endpoint.variant(self.variant)
        config = chosen.desired_serverless or chosen.current_serverless
        with Vertical(id="serverless-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Concurrency · {self.endpoint.name} · {self.variant}"
            now = config.text() if config is not None else "?"
            yield Label(f"now: {now}")
            yield Label("memory needs a new endpoint config: not changed here")
            yield Label("max concurrency (1-200)")
            yield Input(
                str(config.max_concurrency) if config else "",
                id="serverless-max",
                compact=True,
                select_on_focus=True,
            )
            yield Label("provisioned concurrency (1-200, at most max; empty: keep)")
            provisioned = config.provisioned_concurrency if config else None
            yield Input(
                "" if provisioned is None else str(provisioned),
                id="serverless-provisioned",
                compact=True,
                select_on_focus=True,
            )
            yield Static(id="serverless-message")
            yield Static(
                Text.assemble(
                    ("tab", "bold"),
                    " next field  ",
                    ("enter", "bold"),
                    " review  ",
                    ("esc", "bold"),
                    " cancel",
                ),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#serverless-max", Input).focus()

    def action_review(self) -> None:
        message = self.query_one("#serverless-message", Static)
        most = self.query_one("#serverless-max", Input).value
        provisioned = self.query_one("#serverless-provisioned", Input).value
        try:
            plan = parse_serverless_update(
                self.endpoint, self.variant, most, provisioned if provisioned.strip() else None
            )
        except WeightInputError as error:
            message.update(Text(f"✗ {error.message}", style="bold"))
            message.add_class("-error")
            return
        if plan.is_noop:
            message.update("✗ that is what is set now; type other values or esc")
            return
        self.dismiss(plan)

    def action_cancel(self) -> None:
        self.dismiss(None)

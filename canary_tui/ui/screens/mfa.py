"""Asking for an MFA code in the console: a dialog on the event loop, the code handed to the
worker that botocore is loading credentials in. Never getpass in a worker (it would read the
terminal the console is drawing on, and hang)."""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from canary_tui.aws.errors import MfaCodeNotGiven

_MFA_CODE = re.compile(r"[0-9]{6}")
#: How long a worker waits for the person to type the code before giving up.
MFA_TIMEOUT_SECONDS = 300.0
#: After esc (or no answer), how long the console stops asking: a poll every minute must not
#: put the dialog back over the screen of someone who chose not to answer.
QUIET_AFTER_DECLINE_SECONDS = 600.0


class MfaCodeDialog(ModalScreen[str | None]):
    """The code (6 digits, hidden as typed) or None (esc)."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="mfa.cancel")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="mfa-dialog", classes="dialog") as dialog:
            dialog.border_title = "MFA code needed"
            yield Static(Text(self.prompt.strip()), id="mfa-prompt")
            yield Input(
                password=True, max_length=6, id="mfa-code", placeholder="6 digits", compact=True
            )
            yield Static("", id="mfa-message")
            yield Static(
                Text.assemble(
                    ("enter", "bold reverse"), " send   ", ("esc", "bold reverse"), " cancel"
                ),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#mfa-code", Input).focus()

    @on(Input.Submitted, "#mfa-code")
    def _submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not _MFA_CODE.fullmatch(code):
            # Stays open with the digits kept: nothing is dropped silently.
            self.query_one("#mfa-message", Static).update(
                Text("an MFA code is 6 digits (0-9)", style="bold red")
            )
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConsoleMfaPrompter:
    """botocore's assume-role prompter for the console (see AwsClients.set_mfa_prompter).

    Called in a worker thread: shows :class:`MfaCodeDialog` on the event loop and waits,
    bounded by ``timeout``, for the answer. Called with no running app, or on the event loop
    itself (where waiting would freeze the screen), it refuses instead.
    """

    def __init__(
        self,
        timeout: float = MFA_TIMEOUT_SECONDS,
        *,
        quiet_seconds: float = QUIET_AFTER_DECLINE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.quiet_seconds = quiet_seconds
        self._clock = clock
        #: When the person last declined (esc or no answer), and what to say meanwhile.
        self._declined: tuple[float, str] | None = None
        self._app: App[Any] | None = None
        # botocore serialises credential refreshes, but two sessions (a profile switch)
        # could ask at once: one dialog at a time.
        self._one_at_a_time = threading.Lock()

    def attach(self, app: App[Any]) -> None:
        self._app = app

    def __call__(self, prompt: str) -> str:
        app = self._app
        if app is None or not app.is_running:
            raise MfaCodeNotGiven(reason="an MFA code is needed but the console is not running")
        if threading.get_ident() == app._thread_id:
            raise MfaCodeNotGiven(reason="an MFA code was asked for on the event loop")
        if self._declined is not None:
            declined_at, reason = self._declined
            if self._clock() - declined_at < self.quiet_seconds:
                minutes = self.quiet_seconds / 60
                raise MfaCodeNotGiven(reason=f"{reason}; asking again {minutes:g} min after that")
            self._declined = None
        answers: queue.Queue[str | None] = queue.Queue(maxsize=1)

        def answered(code: str | None) -> None:
            with contextlib.suppress(queue.Full):  # a dialog answers once
                answers.put_nowait(code)

        with self._one_at_a_time:
            dialog = MfaCodeDialog(prompt)
            try:
                app.call_from_thread(app.push_screen, dialog, answered)
            except RuntimeError as error:  # the app stopped in between
                raise MfaCodeNotGiven(reason=f"could not ask for the MFA code: {error}") from None
            try:
                code = answers.get(timeout=self.timeout)
            except queue.Empty:
                self._close(app, dialog)
                reason = f"no MFA code entered within {self.timeout:g} s; nothing was sent"
                self._declined = (self._clock(), reason)
                raise MfaCodeNotGiven(reason=reason) from None
        if code is None:
            reason = "MFA code entry cancelled; nothing was sent"
            self._declined = (self._clock(), reason)
            raise MfaCodeNotGiven(reason=reason)
        return code

    @staticmethod
    def _close(app: App[Any], dialog: MfaCodeDialog) -> None:
        with contextlib.suppress(RuntimeError):
            app.call_from_thread(lambda: dialog.dismiss(None) if dialog.is_current else None)

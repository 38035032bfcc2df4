"""The console's MFA prompter: a worker asks, the dialog on the event loop answers (Pilot)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from canary_tui.aws.errors import MfaCodeNotGiven
from canary_tui.ui.screens.mfa import ConsoleMfaPrompter, MfaCodeDialog
from tests.ui.helpers import static_text, wait_for


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("console")


class _Asker:
    """A worker thread calling the prompter, as botocore would while loading credentials."""

    def __init__(self, prompter: ConsoleMfaPrompter) -> None:
        self.result: dict[str, Any] = {}
        self.thread = threading.Thread(target=self._run, args=(prompter,), daemon=True)

    def _run(self, prompter: ConsoleMfaPrompter) -> None:
        try:
            self.result["code"] = prompter("Enter MFA code for arn:aws:iam::1:mfa/ops: ")
        except MfaCodeNotGiven as error:
            self.result["error"] = str(error)
        self.result["thread"] = threading.current_thread().name


async def test_the_code_typed_in_the_dialog_reaches_the_worker() -> None:
    app = _Host()
    prompter = ConsoleMfaPrompter(timeout=30)
    prompter.attach(app)
    async with app.run_test() as pilot:
        asker = _Asker(prompter)
        asker.thread.start()
        await wait_for(pilot, lambda: isinstance(app.screen, MfaCodeDialog), "the MFA dialog")
        dialog = app.screen
        assert "arn:aws:iam::1:mfa/ops" in static_text(dialog.query_one("#mfa-prompt", Static))
        field = dialog.query_one("#mfa-code", Input)
        assert field.password and field.has_focus
        await pilot.press("1", "2", "3")
        await pilot.press("enter")  # too short: stays open, says why, keeps the digits
        assert app.screen is dialog and field.value == "123"
        assert "6 digits" in static_text(dialog.query_one("#mfa-message", Static))
        await pilot.press("4", "5", "6", "enter")
        await wait_for(pilot, lambda: "code" in asker.result, "the worker to get the code")
        assert asker.result["code"] == "123456"
        assert not isinstance(app.screen, MfaCodeDialog)
    asker.thread.join(timeout=5)


async def test_escape_refuses_with_one_line() -> None:
    app = _Host()
    prompter = ConsoleMfaPrompter(timeout=30)
    prompter.attach(app)
    async with app.run_test() as pilot:
        asker = _Asker(prompter)
        asker.thread.start()
        await wait_for(pilot, lambda: isinstance(app.screen, MfaCodeDialog), "the MFA dialog")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "error" in asker.result, "the worker to be refused")
    assert "cancelled" in asker.result["error"]


async def test_no_answer_within_the_timeout_closes_the_dialog() -> None:
    app = _Host()
    prompter = ConsoleMfaPrompter(timeout=0.2)
    prompter.attach(app)
    async with app.run_test() as pilot:
        asker = _Asker(prompter)
        asker.thread.start()
        await wait_for(pilot, lambda: "error" in asker.result, "the timeout")
        await wait_for(pilot, lambda: not isinstance(app.screen, MfaCodeDialog), "closed")
    assert "no MFA code entered within 0.2 s" in asker.result["error"]


async def test_after_escape_the_next_polls_do_not_ask_again_for_a_while() -> None:
    app = _Host()
    now = [1000.0]
    prompter = ConsoleMfaPrompter(timeout=30, quiet_seconds=600, clock=lambda: now[0])
    prompter.attach(app)
    async with app.run_test() as pilot:
        first = _Asker(prompter)
        first.thread.start()
        await wait_for(pilot, lambda: isinstance(app.screen, MfaCodeDialog), "the MFA dialog")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "error" in first.result, "the worker to be refused")
        # The next poll, a minute later: refused at once, no dialog over the screen.
        now[0] += 60
        second = _Asker(prompter)
        second.thread.start()
        second.thread.join(timeout=5)
        assert "asking again 10 min after that" in second.result["error"]
        await pilot.pause()
        assert not isinstance(app.screen, MfaCodeDialog)
        # Ten minutes after the escape it asks again.
        now[0] += 600
        third = _Asker(prompter)
        third.thread.start()
        await wait_for(pilot, lambda: isinstance(app.screen, MfaCodeDialog), "asked again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "error" in third.result, "the third refusal")


def test_no_running_console_refuses_at_once() -> None:
    with pytest.raises(MfaCodeNotGiven, match="not running"):
        ConsoleMfaPrompter()("code: ")

"""MFA codes for assume-role profiles on the command line: asked once, on the terminal, before
anything starts; never by botocore's getpass at whatever moment (and thread) it needs them."""

from __future__ import annotations

import getpass
import re
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from canary_tui.aws.errors import MfaCodeNotGiven
from canary_tui.cli.common import UsageError

if TYPE_CHECKING:
    from canary_tui.aws.session import AwsClients

# AWS MFA codes (TOTP devices) are six digits; anything else would fail at STS anyway.
_MFA_CODE = re.compile(r"[0-9]{6}")


def check_mfa_code(text: str) -> str:
    code = text.strip()
    if not _MFA_CODE.fullmatch(code):
        raise UsageError("an MFA code is 6 digits (0-9); nothing was sent")
    return code


class TerminalMfaPrompter:
    """Hands botocore the code read before start; asks again only on the main thread at a
    terminal (a second AssumeRole after the first session expired), else refuses."""

    def __init__(
        self,
        code: str,
        *,
        read: Callable[[str], str] = getpass.getpass,
        is_terminal: Callable[[], bool] = lambda: sys.stdin.isatty(),
    ) -> None:
        self._code: str | None = code
        self._read = read
        self._is_terminal = is_terminal
        self.prompts = 0

    def __call__(self, prompt: str) -> str:
        self.prompts += 1
        if self._code is not None:
            code, self._code = self._code, None  # one-time codes: never send one twice
            return code
        if threading.current_thread() is not threading.main_thread() or not self._is_terminal():
            raise MfaCodeNotGiven(
                reason="the MFA session has expired and no terminal can ask for a new code: "
                "run the command again"
            )
        try:
            return check_mfa_code(self._read(prompt))
        except UsageError as error:
            raise MfaCodeNotGiven(reason=str(error)) from None


def prompt_mfa_before_start(
    clients: AwsClients,
    *,
    read: Callable[[str], str] = getpass.getpass,
    is_terminal: Callable[[], bool] = lambda: sys.stdin.isatty(),
) -> None:
    """If the profile assumes a role with ``mfa_serial``, read the code now (exit 2 without a
    terminal to read it from) and give it to botocore when it assumes the role."""
    serial = clients.mfa_serial()
    if serial is None:
        return
    profile = clients.profile_name or "default"
    if not is_terminal():
        raise UsageError(
            f"profile {profile} needs an MFA code ({serial}) and stdin is not a terminal: "
            "run it from a terminal, or use credentials without MFA; nothing was sent"
        )
    try:
        text = read(f"MFA code for {serial} (profile {profile}): ")
    except (EOFError, KeyboardInterrupt):
        raise UsageError("no MFA code entered; nothing was sent") from None
    clients.set_mfa_prompter(
        TerminalMfaPrompter(check_mfa_code(text), read=read, is_terminal=is_terminal)
    )

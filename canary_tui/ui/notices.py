"""Every notification of this session, kept in order: what the console's notice line shows
(the latest) and what the messages screen lists (all of them). No Textual here.

Why not Textual's toasts: at 80x24 three stacked toasts covered the right half of the
console, the new model's row and the ramp status, for ten seconds, which is exactly when
the operator needs to see them. A notice now takes one fixed line and never covers a pane.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

#: Notices kept for the messages screen (a long session makes thousands of refusals).
KEPT = 500
SEVERITY_MARKS = {"information": "i", "warning": "!", "error": "x"}


@dataclass(frozen=True, slots=True)
class Notice:
    at: datetime
    severity: str
    title: str
    message: str
    #: Seconds the notice line shows it bright; after that it stays, dimmed.
    timeout: float

    def one_line(self) -> str:
        """Title and message on one line (newlines would push the footer off screen)."""
        text = " ".join(self.message.split())
        return f"{self.title}: {text}" if self.title else text


class NoticeLog:
    def __init__(self, kept: int = KEPT) -> None:
        self._notices: deque[Notice] = deque(maxlen=kept)
        #: Counts every notice ever added, so the line can say how many came meanwhile.
        self.added = 0

    def add(self, notice: Notice) -> None:
        self._notices.append(notice)
        self.added += 1

    def latest(self) -> Notice | None:
        return self._notices[-1] if self._notices else None

    def all(self) -> list[Notice]:
        """Oldest first, like a log."""
        return list(self._notices)

    def recent(self, since: datetime) -> list[Notice]:
        return [n for n in self._notices if n.at >= since]

    def __len__(self) -> int:
        return len(self._notices)

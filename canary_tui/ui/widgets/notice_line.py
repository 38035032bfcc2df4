"""The console's one notification line, above the footer: the latest notice, its time and
severity, and how many there are (n lists them). It never covers a pane."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from canary_tui.ui.notices import SEVERITY_MARKS, Notice


@dataclass(frozen=True, slots=True)
class NoticeView:
    notice: Notice | None
    #: Still within its timeout: shown bright; afterwards dimmed, never removed.
    fresh: bool
    #: Every notice of the session (the messages screen's length).
    count: int


class NoticeLine(Static):
    _view = NoticeView(None, fresh=False, count=0)

    def on_resize(self) -> None:
        self.show(self._view)  # the hint sits at the right edge of the new width

    def show(self, view: NoticeView) -> None:
        self._view = view
        notice = view.notice
        self.set_class(notice is not None and view.fresh, "-fresh")
        for severity in SEVERITY_MARKS:
            self.set_class(notice is not None and notice.severity == severity, f"-{severity}")
        if notice is None:
            self.update("", layout=False)
            return
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f" {notice.at:%H:%M:%S} ", style="dim")
        text.append(SEVERITY_MARKS.get(notice.severity, "i"), style="bold")
        text.append(f" {notice.one_line()}")
        if view.count > 1 and self.size.width:
            # The hint stays at the right edge: the message is cut first, with an ellipsis.
            hint = f" n: all {view.count} "
            text.truncate(max(self.size.width - len(hint), 0), overflow="ellipsis", pad=True)
            text.append(hint, style="dim")
        self.update(text, layout=False)

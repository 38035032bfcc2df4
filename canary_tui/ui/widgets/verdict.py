"""The verdict panel: PASS / FAIL / INCONCLUSIVE per canary, with the reasons and numbers.

The word is always written out; colour (from the theme) is only a second channel, so the
panel reads the same with ``NO_COLOR`` or on a monochrome terminal. Collapsed, it is one
line (80x24 has no room for more); expanded (``v``, or by default on tall terminals), one
line per check of every canary.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from canary_tui.domain.ramp import format_seconds
from canary_tui.domain.shadow_verdict import canary_label
from canary_tui.domain.verdict import CanaryVerdict, Outcome, Verdict
from canary_tui.domain.verdict_judge import check_detail
from canary_tui.ui.view import NO_VALUE

OUTCOME_STYLES = {
    Outcome.PASS: "bold $text-success",
    Outcome.FAIL: "bold $text-error",
    Outcome.INCONCLUSIVE: "bold $text-warning",
    Outcome.NODATA: "bold $text-warning",
}


@dataclass(frozen=True, slots=True)
class VerdictView:
    """What the panel shows: a verdict, or why there is none (yet)."""

    endpoint: str
    verdict: Verdict | None = None
    #: "computing…", "not enough data", an error line...; shown when ``verdict`` is None.
    message: str | None = None
    #: The window the verdict covers, e.g. "1h".
    window: str = ""


def outcome_word(outcome: Outcome | str, after: str = "") -> Content:
    """The word in its style; ``after`` (the spaces up to the next text) in the same style,
    so the text after it starts a run with a letter: SVG renderers such as rsvg-convert
    drop a run's leading space, and the screenshots read "PASSno check found…"."""
    outcome = Outcome(outcome) if not isinstance(outcome, Outcome) else outcome
    return Content.styled(outcome.value + after, OUTCOME_STYLES[outcome])


def canary_summary(canary: CanaryVerdict) -> str:
    """The checks behind a canary's outcome, then the numbers that matter most: for FAIL the
    first failing check's reason, for INCONCLUSIVE how much more data and how long."""
    if canary.outcome is Outcome.PASS:
        return canary.reason
    behind = [check for check in canary.checks if check.outcome is canary.outcome]
    names = ", ".join(check.name for check in behind)
    if canary.outcome is Outcome.INCONCLUSIVE and canary.shortfall is not None:
        detail = canary.shortfall.describe()
    else:
        detail = behind[0].reason if behind else canary.reason
    return f"{names}: {detail}" if names else detail


def summary_line(view: VerdictView) -> Content:
    """One line: the overall word and, per canary, its word and what is behind it."""
    if view.verdict is None:
        return Content.assemble(("Verdict ", "bold"), view.message or NO_VALUE)
    verdict = view.verdict
    parts: list[Content | str | tuple[str, str]] = [
        ("Verdict ", "bold"),
        outcome_word(verdict.outcome, " "),
    ]
    if not verdict.canaries:
        parts.append(f"· {verdict.reason}")
    for index, canary in enumerate(verdict.canaries):
        parts += [
            f"{'· ' if index == 0 else ' · '}{canary_label(verdict, canary.variant)} ",
            outcome_word(canary.outcome, " "),
        ]
        parts.append(canary_summary(canary))
    return Content.assemble(*parts)


def detail_lines(view: VerdictView) -> list[Content]:
    """The summary, then for each canary every check with its outcome and numbers."""
    lines = [summary_line(view)]
    verdict = view.verdict
    if verdict is None:
        return lines
    window = view.window or format_seconds(verdict.window_seconds)
    lines.append(
        Content.styled(
            f"baseline {verdict.baseline} · window {window} · period {verdict.period_seconds}s",
            "$text-muted",
        )
    )
    for canary in verdict.canaries:
        lines.append(
            Content.assemble(
                (f"{canary_label(verdict, canary.variant)} vs {canary.baseline} ", "bold"),
                outcome_word(canary.outcome, " " if canary.score is not None else ""),
                canary.score.text() if canary.score is not None else "",
            )
        )
        width = max(len(check.name) for check in canary.checks)
        word_width = max(len(check.outcome.value) for check in canary.checks)
        for check in canary.checks:
            lines.append(
                Content.assemble(
                    f"  {check.name:<{width}}  ",
                    outcome_word(check.outcome, " " * (word_width - len(check.outcome.value) + 2)),
                    (f"{check.classification} ", "bold") if check.group else "",
                    check.reason,
                )
            )
            lines += [
                Content.styled(f"{'':<{width + 4}}- {line}", "$text-muted")
                for line in check_detail(check)
            ]
    lines += [Content.styled(f"note: {note}", "$text-muted") for note in verdict.notes]
    return lines


class VerdictPanel(VerticalScroll):
    """Renders a :class:`VerdictView`; the screen decides what it is and when.

    Collapsed, one line (cut with an ellipsis; ``v`` shows it whole). Expanded, every line
    wraps at the panel's width, and the panel scrolls when the terminal has fewer rows for
    it than it has lines (80x24): it takes the focus then, so the arrows scroll it.
    """

    DEFAULT_CSS = """
    VerdictPanel {
        height: auto;
        max-height: 14;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
    }
    VerdictPanel.-collapsed {
        height: 1;
        overflow-y: hidden;
    }
    VerdictPanel > Static {
        height: auto;
    }
    VerdictPanel.-collapsed > Static {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.can_focus = False
        self.view: VerdictView | None = None
        self.expanded = False
        self._text = Static("", id="verdict-text")

    def compose(self) -> ComposeResult:
        yield self._text

    def show(self, view: VerdictView | None, expanded: bool) -> None:
        if view == self.view and expanded == self.expanded:
            return
        self.view = view
        self.expanded = expanded
        self.can_focus = expanded
        self.set_class(not expanded, "-collapsed")
        self.set_class(expanded, "-expanded")
        if view is None:
            self._text.update("")
            return
        if expanded:
            self._text.update(Content("\n").join(detail_lines(view)))
        else:
            self.scroll_home(animate=False)
            self._text.update(summary_line(view))

    @property
    def plain(self) -> str:
        """The text shown, without styles (for tests and screen readers)."""
        if self.view is None:
            return ""
        lines = detail_lines(self.view) if self.expanded else [summary_line(self.view)]
        return "\n".join(line.plain for line in lines)

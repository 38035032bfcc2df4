"""Border titles that repaint only when they change.

Textual repaints a widget's whole region whenever its ``border_title`` or ``border_subtitle``
is assigned, even to the same text; a pane titled on every poll is resent to the terminal in
full (about 10 KB per refresh at 80x24, measured by ``benchmarks``). Over SSH only changes
should cross the link.
"""

from __future__ import annotations

from textual.widget import Widget


def set_border_titles(widget: Widget, title: str | None, subtitle: str | None = None) -> None:
    """Set the border title and subtitle; untouched (no repaint) when they are unchanged."""
    if widget.border_title != title:
        widget.border_title = title
    if widget.border_subtitle != subtitle:
        widget.border_subtitle = subtitle

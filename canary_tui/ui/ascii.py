"""Plain-ASCII mode for old terminals and fonts (``--ascii`` / setting ``ascii``).

Borders are ASCII by style (``border: ascii`` in settings.tcss). Everything else we draw
(sparklines, table marks, arrows, the chart, scrollbars, separators) passes through
:class:`AsciiFilter`, a Textual line filter on the app: each glyph becomes an ASCII
character of the same width, so layout never shifts. Block glyphs become ASCII *levels*
(``_.:-=+*#``), so a sparkline still reads as a sparkline.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

#: The eight sparkline heights, lowest first, as ASCII levels.
SPARK_LEVELS = "_.:-=+*#"

_FIXED = {
    # Punctuation and marks the console uses.
    "·": "|",  # separator in the status line and titles
    "…": "~",  # cut text (the CLI tables use ~ too)
    "⟳": "*",  # refreshing
    "◆": "*",  # the rollback baseline
    "●": "o",
    "○": "o",
    "✓": "+",
    "✔": "+",
    "✗": "x",
    "✘": "x",
    "±": "+",
    "\u00d7": "x",  # multiplication sign
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2018": "'",
    "\u2019": "'",
    "“": '"',
    "”": '"',
    "▲": "^",
    "▼": "v",
    "▶": ">",
    "◀": "<",
    "►": ">",
    "◄": "<",
    "⭘": "o",
    "\u00a0": " ",
    # Arrows.
    "→": ">",
    "←": "<",
    "↑": "^",
    "↓": "v",
    "↔": "=",
    "↕": "|",
    "⇒": ">",
    # Block elements: sparklines, scrollbar ends, bars.
    "▁": SPARK_LEVELS[0],
    "▂": SPARK_LEVELS[1],
    "▃": SPARK_LEVELS[2],
    "▄": SPARK_LEVELS[3],
    "▅": SPARK_LEVELS[4],
    "▆": SPARK_LEVELS[5],
    "▇": SPARK_LEVELS[6],
    "█": SPARK_LEVELS[7],
    "▀": '"',
    "▔": '"',
    "░": ".",
    "▒": ":",
    "▓": "#",
}


@lru_cache(maxsize=4096)
def ascii_char(char: str) -> str:
    """An ASCII stand-in for one character, as many columns wide as the original."""
    if char.isascii():
        return char
    if char in _FIXED:
        return _FIXED[char]
    width = cell_len(char)
    if width == 0:
        return ""  # combining marks, zero-width joiners
    code = ord(char)
    if 0x2800 <= code <= 0x28FF:  # braille (the chart's plot marker)
        return " " if code == 0x2800 else "."
    if 0x2500 <= code <= 0x257F:  # box drawing: by the direction of its strokes
        name = unicodedata.name(char, "")
        horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
        if horizontal and not vertical:
            return "-"
        if vertical and not horizontal:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # other blocks: vertical halves and eighths
        return "|" if "LEFT" in unicodedata.name(char, "") else "#"
    return "?" * width


def to_ascii(text: str) -> str:
    if text.isascii():
        return text
    return "".join(ascii_char(char) for char in text)


class AsciiFilter(LineFilter):
    """Replaces every non-ASCII glyph on screen with an ASCII one of the same width."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment
            if segment.control or segment.text.isascii()
            else Segment(to_ascii(segment.text), segment.style, segment.control)
            for segment in segments
        ]

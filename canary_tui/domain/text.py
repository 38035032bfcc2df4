"""Text from outside (the audit log, AWS error messages, a reason someone typed) made safe
to put on a terminal: control characters become visible escapes instead of commands.

An ESC in a reason could move the cursor, recolour the screen or retitle the window of the
person reading the log; a right-to-left override could make ``90/10`` read as ``01/09``.
"""

from __future__ import annotations

import unicodedata

#: Unicode's bidirectional controls, which reorder what is displayed around them.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _escape(character: str) -> str:
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _is_unsafe(character: str) -> bool:
    if character in _BIDI_CONTROLS:
        return True
    # Cc: C0 and C1 controls and DEL (ESC, CSI, BEL, CR...); Zl/Zp: line and paragraph
    # separators, which some terminals treat as new lines.
    return unicodedata.category(character) in ("Cc", "Zl", "Zp")


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\u202e``), cut to
    ``limit`` characters with an ellipsis when it is longer."""
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    if not any(_is_unsafe(character) for character in text):
        return text
    return "".join(_escape(c) if _is_unsafe(c) else c for c in text)

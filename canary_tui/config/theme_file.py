"""Saving the theme picked in the console to the settings file, when the person asks.

Only the top-level ``theme = ...`` line is written: every other line, comment and table of
the file stays byte for byte as it was (a settings file is hand-edited and reviewed; a tool
that rewrites it from a parsed copy loses comments and order). The new file replaces the old
one in one rename, so a crash leaves either the old file or the new one, never half.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_TABLE = re.compile(r"^\s*\[")
_THEME = re.compile(r"^\s*theme\s*=")


def toml_string(text: str) -> str:
    """A TOML basic string: quote and backslash escaped, and every control character
    (U+0000-U+001F and U+007F, which TOML forbids raw; JSON's escaping leaves DEL raw)."""
    escaped = []
    for character in text:
        if character in '"\\':
            escaped.append("\\" + character)
        elif ord(character) < 0x20 or ord(character) == 0x7F:
            escaped.append(f"\\u{ord(character):04X}")
        else:
            escaped.append(character)
    return '"' + "".join(escaped) + '"'


def theme_line(name: str) -> str:
    return f"theme = {toml_string(name)}\n"


def with_theme(text: str, name: str) -> str:
    """``text`` (a TOML file) with its top-level theme set to ``name``."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if _TABLE.match(line):
            break  # top-level keys end at the first table
        if _THEME.match(line):
            lines[index] = theme_line(name)
            return "".join(lines)
    else:
        index = len(lines)
    if lines[:index] and not lines[index - 1].endswith("\n"):
        lines[index - 1] += "\n"
    lines.insert(index, theme_line(name))
    return "".join(lines)


def save_theme(path: Path, name: str) -> None:
    """Write ``name`` as the theme of the settings file at ``path`` (created if missing).
    Raises OSError (or UnicodeDecodeError for a file that is not UTF-8) and leaves the
    file untouched."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = with_theme(text, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(updated)
            file.flush()
            os.fsync(file.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

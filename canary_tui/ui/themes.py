"""Themes: Textual's built-in ones (ctrl+p "theme" switches live) plus canary-tui's own
high-contrast theme, chosen by the ``theme`` setting or ``--theme``."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.theme import Theme

HIGH_CONTRAST = "canary-high-contrast"
DEFAULT_THEME = "textual-dark"
#: Names people type that mean one of ours ("high-contrast" is what the settings docs say).
ALIASES = {"high-contrast": HIGH_CONTRAST}

#: Pure black and white with saturated accents: for projectors, low vision, washed-out
#: terminals. Colours chosen for contrast against black (WCAG AAA for text), not taste.
HIGH_CONTRAST_THEME = Theme(
    name=HIGH_CONTRAST,
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    warning="#FFAF00",
    error="#FF5555",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1C1C1C",
    boost="#FFFFFF",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
    variables={
        "border": "#FFFFFF",
        "border-blurred": "#BFBFBF",
        "footer-key-foreground": "#FFFF00",
        "block-cursor-background": "#FFFF00",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "input-selection-background": "#FFFF00 60%",
    },
)

OUR_THEMES = (HIGH_CONTRAST_THEME,)


def register_themes(app: App[Any]) -> None:
    for theme in OUR_THEMES:
        app.register_theme(theme)


def apply_theme(app: App[Any], name: str) -> str | None:
    """Switch ``app`` to the theme ``name``; returns a one-line warning when there is no
    such theme (the current one is kept: a typo in a config file must not stop the console)."""
    wanted = ALIASES.get(name, name)
    available = app.available_themes
    if wanted not in available:
        known = ", ".join(sorted(available))
        return f"no theme {name!r}; keeping {app.theme}. Themes: {known}"
    app.theme = wanted
    return None

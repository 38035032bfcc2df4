"""Key map overrides from the settings: binding id (or action name) -> key(s).

Textual applies a keymap by binding id (``App.set_keymap``); the settings also accept the
action's name ("edit_weights") since that is what people see in the code and the docs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding

#: What Textual calls a keymap: binding id -> comma-separated keys.
Keymap = dict[str, str]


@dataclass(frozen=True, slots=True)
class ResolvedKeymap:
    keymap: Keymap
    #: Names in the settings that match no binding id or action (likely typos).
    unknown: tuple[str, ...] = ()

    @property
    def warning(self) -> str | None:
        if not self.unknown:
            return None
        return f"keymap: no action named {', '.join(self.unknown)}; ignored (? lists the keys)"


def resolve_keymap(overrides: Mapping[str, str], bindings: Iterable[Binding]) -> ResolvedKeymap:
    """Translate action names to binding ids; keep ids as they are."""
    by_id: dict[str, Binding] = {}
    by_action: dict[str, str] = {}
    for binding in bindings:
        if binding.id is None:
            continue
        by_id[binding.id] = binding
        by_action.setdefault(binding.action, binding.id)
    keymap: Keymap = {}
    unknown: list[str] = []
    for name, keys in overrides.items():
        binding_id = name if name in by_id else by_action.get(name)
        if binding_id is None:
            unknown.append(name)
            continue
        keymap[binding_id] = keys
    return ResolvedKeymap(keymap, tuple(unknown))


def rebound(binding: Binding, keymap: Mapping[str, str]) -> Binding:
    """``binding`` as the keymap makes it (for help and the palette, which show keys)."""
    keys = keymap.get(binding.id) if binding.id else None
    if not keys:
        return binding
    return Binding(
        keys,
        binding.action,
        binding.description,
        show=binding.show,
        key_display=None,
        priority=binding.priority,
        tooltip=binding.tooltip,
        id=binding.id,
        system=binding.system,
    )


def keymap_in_effect(app: App[Any]) -> Mapping[str, str]:
    """The keymap ``app`` applies (Textual keeps it private; read in one place only)."""
    keymap: Mapping[str, str] = getattr(app, "_keymap", {})
    return keymap

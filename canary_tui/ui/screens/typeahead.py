"""Keys typed ahead of a dialog (a burst over a laggy SSH link: ``w ] enter y``).

The key that opens an editor starts a flow in a worker; the editor is on screen a few
messages later, and keys that arrive in between would reach the console and be lost. The
opener keeps them in a :class:`TypeAhead`; the editor replays them once it is mounted, up
to the key that closes it (``enter`` reviews), and hands the rest on. The confirmation
never takes them as answers: a ``y`` nobody saw the question for is ignored, and said so.
"""

from __future__ import annotations

from typing import Protocol

from textual import events
from textual._time import get_time
from textual.widget import Widget
from textual.widgets import Input

#: What the confirmation says when it drops a ``y`` typed before it was shown.
Y_IGNORED = "y ignored: typed before this dialog was shown"


#: A burst is a packet's worth of keys: past this many, or this long after the opening
#: key, keys are not kept (if the dialog never opens, nothing is swallowed for long).
MAX_KEYS = 32
MAX_SECONDS = 2.0


class TypeAhead:
    """Keys kept between the key that opens a dialog and the dialog being mounted."""

    def __init__(self) -> None:
        self.keys: list[events.Key] = []
        self.open = True
        self.started = get_time()

    def keep(self, event: events.Key) -> bool:
        """Keep ``event`` for the dialog (True) while it is not mounted yet."""
        if self.open and (len(self.keys) >= MAX_KEYS or event.time - self.started > MAX_SECONDS):
            self.open = False
        if not self.open:
            return False
        self.keys.append(events.Key(event.key, event.character))
        return True

    def take(self) -> list[events.Key]:
        """The kept keys, once; later keys go where they are typed."""
        self.open = False
        keys, self.keys = self.keys, []
        return keys


def type_into(field: Input, keys: list[events.Key]) -> tuple[str | None, list[events.Key]]:
    """Type ``keys`` into ``field`` as if typed there (characters, backspace; other keys are
    dropped), up to enter or escape: returns that key ("enter", "escape" or None) and the keys
    after it, for whatever has the focus next."""
    for index, key in enumerate(keys):
        if key.key in ("enter", "escape"):
            return key.key, keys[index + 1 :]
        if key.key == "backspace":
            field.action_delete_left()
        elif key.is_printable and key.character:
            field.insert_text_at_cursor(key.character)
    return None, []


def post_keys(target: Widget, keys: list[events.Key]) -> None:
    """Keys left over after a field closed, sent on as if typed next."""
    for key in keys:
        target.app.post_message(events.Key(key.key, key.character))


class ReplayTarget(Protocol):
    """A dialog keys are replayed into (the weight editor)."""

    #: True once it has dismissed itself: the replay stops there.
    closing: bool
    #: The keys after the one that closed it, for the next dialog.
    left_over: list[events.Key]

    @property
    def focused(self) -> Widget | None: ...

    async def run_action(self, action: str) -> None: ...


async def replay(screen: ReplayTarget, keys: list[events.Key]) -> None:
    """Play ``keys`` into ``screen`` as if typed there: its bindings first, then the
    focused field's (backspace, arrows), then a printable character is typed into the
    field. Stops when the screen dismisses itself, leaving the rest in ``left_over``
    (set before each key, so it is right by the time the dismissal is seen)."""
    for index, key in enumerate(keys):
        if screen.closing:
            return
        screen.left_over = keys[index + 1 :]
        focused = screen.focused
        for target in (screen, focused):
            if target is None:
                continue
            bindings = target._bindings.key_to_bindings.get(key.key, [])  # type: ignore[union-attr]
            if bindings:
                await target.run_action(bindings[0].action)
                break
        else:
            if isinstance(focused, Input) and key.is_printable and key.character:
                # As Input does for a typed key: a selection (select_on_focus) is replaced.
                selection = focused.selection
                if selection.is_empty:
                    focused.insert_text_at_cursor(key.character)
                else:
                    focused.replace(key.character, *selection)
    if not screen.closing:
        screen.left_over = []

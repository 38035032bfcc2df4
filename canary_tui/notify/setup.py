"""Starting and stopping the sender for one command run.

:func:`notifications` wraps a command: for the commands that change endpoints or watch them
(the console, set-weights and friends, promote, rollback, ramp) it reads ``webhooks`` as the
settings would (``CANARY_TUI_WEBHOOKS`` as JSON, else the file), installs a :class:`Hub`
when there is one, and flushes it on the way out, bounded. A bad entry installs nothing
here: the command loads the same settings and stops with their one-line error (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from canary_tui.notify.hub import Hub
    from canary_tui.notify.sender import DeliveryResult
    from canary_tui.notify.targets import Webhook

#: How long an exiting command waits for its queued notifications, at most (the hub's
#: own default, kept here so that importing this module costs nothing).
FLUSH_SECONDS = 3.0

#: The commands whose runs may publish events.
NOTIFYING_COMMANDS = frozenset(
    {
        "console",
        "set-weights",
        "set-capacity",
        "set-serverless",
        "promote",
        "rollback",
        "ramp",
    }
)
ENV_NAME = "CANARY_TUI_WEBHOOKS"


def configured_webhooks() -> tuple[Webhook, ...]:
    """The ``webhooks`` setting, or () when unset or not valid (the command reports it)."""
    import json

    from canary_tui.config.files import ConfigError, config_path, read_config_file
    from canary_tui.config.webhooks import webhooks

    try:
        text = os.environ.get(ENV_NAME)
        raw: Any = json.loads(text) if text is not None else None
        if raw is None:
            raw = read_config_file(config_path()).get("webhooks")
        return webhooks(raw)
    except (ConfigError, ValueError, RecursionError):
        return ()


@contextmanager
def notifications(
    command: str | None, flush_seconds: float = FLUSH_SECONDS
) -> Iterator[Hub | None]:
    """Run a command with its notifications (see the module docstring); this module's
    import costs nothing, the sender is imported only when there are webhooks."""
    if command not in NOTIFYING_COMMANDS:
        yield None
        return
    hooks = configured_webhooks()
    if not hooks:
        yield None
        return
    from canary_tui.notify.hub import Hub, installed

    with installed(Hub(hooks), flush_seconds) as hub:
        yield hub


def listen_in_console(app: Any) -> None:
    """Show every delivery that failed (or was dropped) in the console's notice line; the
    ones that went through are in the log only (one per event would bury everything else)."""
    from canary_tui.notify.hub import active

    hub = active()
    if hub is None:
        return

    def show(result: DeliveryResult) -> None:
        if not result.delivered or result.dropped:
            app.notify(result.line, severity="warning", markup=False)

    hub.listen(show)

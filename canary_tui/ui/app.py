"""The Textual application: wires the backend and change service into the console screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.app import App

from canary_tui.ui.app_settings import SettingsApp, TargetCommands
from canary_tui.ui.commands import ScreenActions
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ports import AuditReader, ChangeApplier, ConsoleBackend
from canary_tui.ui.ramping import RampLauncher
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.targets import TargetSwitcher


def utc_now() -> datetime:
    return datetime.now(UTC)


class CanaryApp(SettingsApp):
    # settings.tcss: the production band and plain-ASCII mode (see app_settings.py).
    CSS_PATH = ["app.tcss", "settings.tcss"]
    TITLE = "canary-tui"
    COMMANDS = App.COMMANDS | {ScreenActions, TargetCommands}
    # Narrow terminals stack the panes; wide ones put endpoints beside the variants.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]

    def __init__(
        self,
        backend: ConsoleBackend,
        change_service: ChangeApplier | None,
        options: ConsoleOptions | None = None,
        *,
        audit: AuditReader | None = None,
        clock: Callable[[], datetime] = utc_now,
        switcher: TargetSwitcher | None = None,
        ramps: RampLauncher | None = None,
    ) -> None:
        super().__init__()
        self.switcher = switcher
        self.backend = backend
        self.audit = audit
        self.change_service = None if (options and options.read_only) else change_service
        self.options = options or ConsoleOptions()
        self.clock = clock
        #: Builds ramp runners (r); None: no ramps (read-only, or not wired by the caller).
        self.ramps = None if self.options.read_only else ramps
        label = self.options.mode_label or backend.label
        self.sub_title = label

    def get_default_screen(self) -> ConsoleScreen:
        return ConsoleScreen(
            self.backend, self.change_service, self.options, self.clock, audit=self.audit
        )

    @property
    def console_screen(self) -> ConsoleScreen:
        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen):
                return screen
        raise LookupError("the console screen is not mounted")

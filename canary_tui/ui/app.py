"""The Textual application: wires the backend and change service into the console screen."""

from __future__ import annotations

import dataclasses
import gc
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.errors import MarkupError
from rich.text import Text
from textual import work
from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from canary_tui.ui.app_settings import SettingsApp, TargetCommands
from canary_tui.ui.commands import ScreenActions
from canary_tui.ui.notices import Notice, NoticeLog
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ports import AuditReader, ChangeApplier, ConsoleBackend
from canary_tui.ui.ramping import RampLauncher
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.startup import (
    BackendFactory,
    StartedBackend,
    StartingBackend,
    start_failure_text,
)
from canary_tui.ui.targets import TargetSwitcher
from canary_tui.ui.widgets.notice_line import NoticeLine, NoticeView


def utc_now() -> datetime:
    return datetime.now(UTC)


class NoticeAdded(Message):
    def __init__(self, notice: Notice) -> None:
        super().__init__()
        self.notice = notice


def plain(text: str, markup: bool) -> str:
    if not markup:
        return text
    try:
        return Text.from_markup(text).plain
    except MarkupError:
        return text


#: gc.set_threshold while the console runs (Python's defaults: 700, 10, 10).
CONSOLE_GC_THRESHOLDS = (20_000, 50, 50)


class CanaryApp(SettingsApp):
    # settings.tcss: the production band and plain-ASCII mode (see app_settings.py).
    CSS_PATH = ["app.tcss", "settings.tcss"]
    TITLE = "canary-tui"
    COMMANDS = App.COMMANDS | {ScreenActions, TargetCommands}
    # Up to 169 columns the panes stack (the variants table needs ~110 for its model names,
    # the endpoint list ~55 for the demo's: side by side at 160 cut the model by a letter);
    # from 170 the endpoints list (as wide as its names) sits beside the variants.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (170, "-wide")]
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
        #: Set by :meth:`starting`: called in a worker after the first frame.
        self._backend_factory: BackendFactory | None = None
        self._options_when_started = self.options
        self._gc_thresholds = gc.get_threshold()
        #: One line for a person when the backend factory failed (the app then exits).
        self.start_error: str | None = None
        #: What the factory raised (the CLI picks the exit code from its type).
        self.start_failure: BaseException | None = None
        #: Every notification of the session: the notice line and `n` read it.
        self.notices = NoticeLog()
        self._notice_fresh_until = 0.0

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's notification (kept: dialogs still show it as a toast), and the
        console's notice line and message log (the console hides the toasts)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        seconds = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        notice = Notice(
            self.clock(), severity, plain(title, markup), plain(message, markup), seconds
        )
        if threading.get_ident() == self._thread_id:
            self._add_notice(notice)
        else:  # a worker thread: post_message is the thread-safe way in, and never blocks
            self.post_message(NoticeAdded(notice))

    def on_notice_added(self, message: NoticeAdded) -> None:
        self._add_notice(message.notice)

    def _add_notice(self, notice: Notice) -> None:
        self.notices.add(notice)
        self._notice_fresh_until = time.monotonic() + notice.timeout
        self.show_notices()
        self.set_timer(max(notice.timeout, 0.001), self.show_notices, name="notice-dim")

    def show_notices(self) -> None:
        view = NoticeView(
            self.notices.latest(),
            fresh=time.monotonic() < self._notice_fresh_until,
            count=len(self.notices),
        )
        for screen in self.screen_stack:
            for line in screen.query(NoticeLine):
                line.show(view)

    def action_messages(self) -> None:
        from canary_tui.ui.screens.messages import MessagesScreen

        self.push_screen(MessagesScreen(self.notices.all()))

    @classmethod
    def starting(
        cls,
        factory: BackendFactory,
        options: ConsoleOptions,
        *,
        starting_text: str,
        audit: AuditReader | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> CanaryApp:
        """An app that paints at once and gets its backend from ``factory`` (blocking,
        called in a thread worker after the first frame). Until then the status line says
        ``starting_text`` and nothing polls; a failure exits with :attr:`start_error` set."""
        label = options.mode_label or "console"
        waiting = dataclasses.replace(options, poll=False, mode_label=f"{label} · {starting_text}")
        app = cls(StartingBackend(label, starting_text), None, waiting, audit=audit, clock=clock)
        app._backend_factory = factory
        app._options_when_started = options
        return app

    def on_mount(self) -> None:
        # Fewer cyclic-GC passes while the console runs: with 5,000 endpoints in memory the
        # collector's passes were the slow tail of opening a dialog (`w` → editor p99 151-209
        # ms with the defaults, 89-96 ms with these or with GC off; benchmarks/README.md).
        # Reference counting still frees almost everything at once; restored at exit.
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(*CONSOLE_GC_THRESHOLDS)
        factory = self._backend_factory
        if factory is not None:
            # After the first frame is on the terminal: that frame is the point.
            self.call_after_refresh(self._start_backend, factory)

    def on_unmount(self) -> None:
        gc.set_threshold(*self._gc_thresholds)

    @work(thread=True, exit_on_error=False, group="start", name="backend factory")
    def _start_backend(self, factory: BackendFactory) -> StartedBackend:
        return factory()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "start" or self._backend_factory is None:
            return
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, StartedBackend):
            self._install(worker.result)
        elif event.state is WorkerState.ERROR:
            self.start_failure = worker.error or RuntimeError("unknown")
            self.start_error = start_failure_text(self.start_failure)
            self.exit(return_code=1)

    def _install(self, started: StartedBackend) -> None:
        """Hand the console its real backend, then poll exactly as a normal start does."""
        shown = self.options
        options = started.options or self._options_when_started
        if started.region is not None:
            options = dataclasses.replace(options, region=started.region)
        self._backend_factory = None
        self.backend = started.backend
        self.change_service = None if options.read_only else started.change_service
        self.ramps = None if options.read_only else started.ramps
        self.switcher = started.switcher
        self.options = options
        if (shown.theme, shown.ascii, dict(shown.keymap)) != (
            options.theme,
            options.ascii,
            dict(options.keymap),
        ):
            self._apply_display()  # the settings file or CANARY_TUI_* said otherwise
        self.sub_title = options.mode_label or started.backend.label
        # The console screen keeps its widgets, focus and any dialog open above it.
        if self.switcher is not None:
            self._load_choices(None)
        self.console_screen.use_backend(self.backend, self.change_service, options)

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

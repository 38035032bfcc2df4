"""The parts of the app that follow the settings and the AWS target: theme, plain-ASCII
mode, key map, and switching profile or region inside the console (palette or `:`).

Switching builds the new backend in a thread worker (it reads the AWS config files), then
replaces the console screen with a fresh one for the new target: old data cannot leak into
the new view, and the new screen polls at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.filter import LineFilter

from canary_tui.aws.errors import AwsError
from canary_tui.aws.profiles import ProfileInfo
from canary_tui.ui.ascii import AsciiFilter
from canary_tui.ui.keymap import resolve_keymap
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ports import AuditReader, ChangeApplier, ConsoleBackend
from canary_tui.ui.screens.command_line import Command, CommandLine, completions
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.targets import Connection, TargetSwitcher
from canary_tui.ui.themes import apply_theme, register_themes

#: Why a switch is refused while the console is busy.
#: `:ep` completes the first endpoints of the list (a suggestion list, not a search).
COMPLETED_ENDPOINTS = 500
_CHANGE_IN_FLIGHT = "a change or ramp is running; switch when it has finished (or pause it)"
#: Worker groups that write to the current target: never abandoned by a switch.
_WRITING_GROUPS = frozenset({"change", "ramp"})


#: Modules of screens opened by a key, imported after the first frame (see _import_dialogs).
DIALOG_MODULES = (
    "canary_tui.ui.screens.editor",
    "canary_tui.ui.screens.confirm",
    "canary_tui.ui.screens.help",
    "canary_tui.ui.screens.audit",
    "canary_tui.ui.screens.profile_switch",
    "canary_tui.ui.screens.ramp",
)


class SettingsApp(App[int]):
    """Base of :class:`canary_tui.ui.app.CanaryApp` for everything the settings change."""

    BINDINGS = [
        Binding(
            "colon",
            "command_line",
            "command",
            show=False,
            tooltip="command line: :profile NAME, :region NAME, :theme NAME, :q",
            id="command-line",
        ),
    ]

    # Set by the subclass's constructor (CanaryApp).
    backend: ConsoleBackend
    change_service: ChangeApplier | None
    options: ConsoleOptions
    audit: AuditReader | None
    clock: Callable[[], datetime]
    #: None: switching is not offered (tests, embedded uses).
    switcher: TargetSwitcher | None = None

    def __init__(self) -> None:
        super().__init__()
        register_themes(self)
        self._ascii_filter = AsciiFilter()
        self._profiles: list[ProfileInfo] = []
        #: What was typed at `:`, newest first (this session only).
        self._command_history: list[str] = []
        self._regions: list[str] = []

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        if self.options.ascii:
            # Last, so it sees every glyph any widget drew (see canary_tui.ui.ascii).
            return [*filters, self._ascii_filter]
        return filters

    def on_mount(self) -> None:
        self._apply_display()
        if self.switcher is not None:
            self._load_choices(None)
        self.call_after_refresh(self._import_dialogs)

    @work(thread=True, exit_on_error=False, group="import dialogs")
    def _import_dialogs(self) -> None:
        """The dialogs are imported where they open, so the first frame does not wait for
        them (~20 ms); importing them now, behind it, keeps the first ``w`` as quick as
        the next."""
        import importlib

        for name in DIALOG_MODULES:
            importlib.import_module(name)

    def _apply_display(self) -> None:
        """Theme, ASCII mode, production band and key map from :attr:`options`."""
        self.set_class(self.options.ascii, "-ascii")
        self.set_class(self.options.production, "-production")
        warning = apply_theme(self, self.options.theme)
        if warning:
            self.notify(warning, title="Theme", severity="warning", timeout=8)
        if self.options.keymap:
            bindings = [*ConsoleScreen.BINDINGS, *SettingsApp.BINDINGS]
            resolved = resolve_keymap(
                self.options.keymap, [b for b in bindings if isinstance(b, Binding)]
            )
            self.set_keymap(resolved.keymap)
            if resolved.warning:
                self.notify(resolved.warning, title="Key map", severity="warning", timeout=8)

    # -- where we are -----------------------------------------------------------------------
    @property
    def profile_label(self) -> str:
        return self.options.mode_label or self.backend.label

    # -- choices for the pickers and the command line (blocking reads: a worker) ---------
    @work(thread=True, exit_on_error=False, group="switch-choices", exclusive=True)
    def _load_choices(self, then: Callable[[], None] | None) -> None:
        switcher = self.switcher
        if switcher is None:
            return
        profiles = switcher.profiles() if switcher.switches_profiles else []
        regions = switcher.regions()
        self.call_from_thread(self._choices_loaded, profiles, regions, then)

    def _choices_loaded(
        self,
        profiles: list[ProfileInfo],
        regions: list[str],
        then: Callable[[], None] | None,
    ) -> None:
        self._profiles = profiles
        self._regions = regions
        if then is not None:
            then()

    # -- actions ----------------------------------------------------------------------------
    def action_command_line(self) -> None:
        suggestions = completions(
            [profile.name for profile in self._profiles],
            self._regions,
            sorted(self.available_themes),
            [name for console in self._consoles() for name in console.summaries][
                :COMPLETED_ENDPOINTS
            ],
        )
        # The keys typed after `:` in the same burst reached the console first: it kept them.
        console = self.screen if isinstance(self.screen, ConsoleScreen) else None
        typed = console.typed_after.take().take() if console is not None else []
        self.push_screen(
            CommandLine(suggestions, self._command_history, typed_ahead=typed), self._run_command
        )

    def _run_command(self, command: Command | None) -> None:
        if command is None:
            return
        if command.verb == "quit":
            self.exit(0)
        elif command.verb == "theme" and command.argument:
            warning = apply_theme(self, command.argument)
            if warning:
                self.notify(warning, severity="warning")
        elif command.verb == "profile":
            self.switch_target(profile=command.argument)
        elif command.verb == "region":
            self.switch_target(region=command.argument)
        elif command.verb == "messages":
            self.action_messages()
        elif command.verb == "endpoint" and command.argument:
            for console in self._consoles():
                console.select_named(command.argument)

    def action_messages(self) -> None:
        """Overridden by CanaryApp, which keeps the notices."""

    def _consoles(self) -> list[ConsoleScreen]:
        return [screen for screen in self.screen_stack if isinstance(screen, ConsoleScreen)]

    def action_save_theme(self) -> None:
        """Keep the theme picked in the palette (or with :theme) for the next start."""
        self.run_worker(partial(self._save_theme, self.theme), thread=True, group="settings-file")

    def _save_theme(self, name: str) -> None:
        from rich.markup import escape

        from canary_tui.config.files import config_path
        from canary_tui.config.theme_file import save_theme

        path = config_path()
        shown = escape(str(path))
        try:
            save_theme(path, name)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            self.call_from_thread(
                self.notify, f"Theme not saved: {shown}: {escape(reason)}.", severity="error"
            )
            return
        self.call_from_thread(
            self.notify, f"Saved theme = {escape(repr(name))} to {shown}.", timeout=5
        )

    def action_switch_profile(self) -> None:
        if self._refuse_switch(profile=True):
            return
        self._load_choices(self._pick_profile)

    def action_switch_region(self) -> None:
        if self._refuse_switch(profile=False):
            return
        self._load_choices(self._pick_region)

    def _pick_profile(self) -> None:
        choices = [
            (
                profile.name,
                f"{profile.name}  ({profile.region or 'no region'}"
                f"{', SSO' if profile.uses_sso else ''})",
            )
            for profile in self._profiles
        ]
        from canary_tui.ui.screens.profile_switch import PickTarget

        current = self.options.profile
        self.push_screen(
            PickTarget("Switch profile", choices, current),
            lambda name: self.switch_target(profile=name) if name else None,
        )

    def _pick_region(self) -> None:
        from canary_tui.ui.screens.profile_switch import PickTarget

        choices = [(region, region) for region in self._regions]
        self.push_screen(
            PickTarget("Switch region", choices, self.options.region),
            lambda region: self.switch_target(region=region) if region else None,
        )

    # -- switching --------------------------------------------------------------------------
    def _refuse_switch(self, *, profile: bool) -> bool:
        if self.switcher is None:
            self.notify("This console cannot switch profile or region.", severity="warning")
            return True
        if profile and not self.switcher.switches_profiles:
            self.notify(
                "The demo is one simulated account: profiles cannot be switched "
                "(:region NAME can).",
                title="Switch profile",
                severity="warning",
            )
            return True
        if self._writing():
            self.notify(_CHANGE_IN_FLIGHT, severity="warning")
            return True
        return False

    def _writing(self) -> bool:
        return any(w.group in _WRITING_GROUPS and w.is_running for w in self.workers)

    def switch_target(self, *, profile: str | None = None, region: str | None = None) -> None:
        """Move the console to ``profile`` (its own region) or to ``region`` (same profile)."""
        if self._refuse_switch(profile=profile is not None):
            return
        target_profile: str | None = self.options.profile
        target_region: str | None = region
        if profile is not None:
            target_profile, target_region = profile, None
        where = f"profile {profile}" if profile is not None else f"region {region}"
        self.notify(f"Switching to {where}…", timeout=3)
        self._connect_worker(target_profile, target_region)

    @work(thread=True, exit_on_error=False, group="switch", exclusive=True)
    def _connect_worker(self, profile: str | None, region: str | None) -> None:
        assert self.switcher is not None
        try:
            connection = self.switcher.connect(profile, region)
        except AwsError as error:
            self.call_from_thread(
                self.notify, error.message, title="Switch failed", severity="error", timeout=10
            )
            return
        self.call_from_thread(self._connected, connection)

    def _connected(self, connection: Connection) -> None:
        self.run_worker(self._show_target(connection), group="switch-screen", exclusive=True)

    async def _show_target(self, connection: Connection) -> None:
        if self._writing():
            self.notify(_CHANGE_IN_FLIGHT, title="Switch cancelled", severity="warning")
            return
        self.backend = connection.backend
        self.change_service = connection.change_service
        self.options = dataclasses.replace(
            self.options,
            profile=connection.profile,
            region=connection.region,
            read_only=connection.read_only,
            production=connection.production,
        )
        self.set_class(connection.production, "-production")
        self._retarget_ramps(connection)
        self.sub_title = self.profile_label
        # Close whatever is open above the console (picker, help): it is about the old target.
        while not isinstance(self.screen, ConsoleScreen) and len(self.screen_stack) > 1:
            await self.pop_screen()
        old = self.screen
        if not old._result_callbacks:
            # The first console is the app's default screen, which Textual pushed without a
            # result callback; switch_screen pops one, so give it the empty one it expects.
            old._push_result_callback(old, None)
        await self.switch_screen(self.get_default_screen())
        mode = " · READ-ONLY" if connection.read_only else ""
        band = " · PRODUCTION" if connection.production else ""
        self.notify(
            f"Now on {self.profile_label} · {connection.region}{band}{mode}", title="Switched"
        )

    def _retarget_ramps(self, connection: Connection) -> None:
        """Ramps started from now on run against the new target, never the old one; none
        under a read-only profile. (The launcher keeps its thresholds and defaults.)"""
        from canary_tui.aws.backend import Backend
        from canary_tui.ui.ramping import RampLauncher

        current = getattr(self, "ramps", None)
        if isinstance(current, RampLauncher):
            self._ramps_template = current
        template = getattr(self, "_ramps_template", None)
        if not isinstance(template, RampLauncher):
            return  # the app was started without ramps: still none
        backend = connection.backend
        if connection.read_only or not isinstance(backend, Backend):
            self.ramps = None
            return
        self.ramps = RampLauncher(
            backend,
            template.audit,
            settings=template.settings,
            default_steps=template.default_steps,
            default_bake_seconds=template.default_bake_seconds,
            clock=template.clock,
        )


class TargetCommands(Provider):
    """ctrl+p: "Switch profile…", "Switch region…" and the command line."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        if not isinstance(app, SettingsApp):
            return []
        return [
            ("Switch profile…", "AWS profile from ~/.aws/config", app.action_switch_profile),
            ("Switch region…", "AWS region of the current profile", app.action_switch_region),
            (
                "Command line (:)",
                ":profile NAME, :region NAME, :theme NAME, :ep NAME",
                app.action_command_line,
            ),
            (
                "Save theme to settings",
                f"write theme = {app.theme!r} to the settings file (other lines kept)",
                app.action_save_theme,
            ),
        ]

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, partial(run), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(run), help=help_text)

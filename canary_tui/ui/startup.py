"""Painting first, connecting second: what the app needs to start before its backend exists.

``canary-tui demo`` needs a second or so to start its moto server, seed it and backfill an
hour of metrics. A blank terminal for that long looks hung, so the console paints at once
with a placeholder backend and calls a *backend factory* in a thread worker; when the
factory returns a :class:`StartedBackend`, the console installs it and starts polling.
No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from canary_tui.aws.errors import AwsError

if TYPE_CHECKING:
    from canary_tui.ui.options import ConsoleOptions
    from canary_tui.ui.ports import ChangeApplier, ConsoleBackend, EndpointReader, MetricsReader
    from canary_tui.ui.ramping import RampLauncher
    from canary_tui.ui.targets import TargetSwitcher


@dataclass(frozen=True, slots=True)
class StartedBackend:
    """What a backend factory hands the console once the target is ready."""

    backend: ConsoleBackend
    #: None: read-only, nothing can be sent.
    change_service: ChangeApplier | None
    switcher: TargetSwitcher | None = None
    ramps: RampLauncher | None = None
    #: The region in effect, for the status line (None: keep the options' region).
    region: str | None = None
    #: The console's options once the factory has read the settings (None: keep the ones it
    #: started with). Reading them takes pydantic-settings (~0.1 s), so the demo does it here,
    #: behind the first frame; theme, ASCII mode and key map are re-applied if they differ.
    options: ConsoleOptions | None = None


#: Blocking: called once, in a thread worker, after the console's first frame.
BackendFactory = Callable[[], StartedBackend]


class StillStarting(AwsError):
    """What a poll asked for before the backend exists (e.g. ctrl+r while starting)."""

    kind = "starting"
    transient = True


class StartingBackend:
    """Stands in for the backend until the factory returns: reads refuse with one line."""

    def __init__(self, label: str, starting_text: str) -> None:
        self._label = label
        self.starting_text = starting_text

    @property
    def label(self) -> str:
        return self._label

    @property
    def sagemaker(self) -> EndpointReader:
        raise StillStarting(self.starting_text)

    @property
    def cloudwatch(self) -> MetricsReader:
        raise StillStarting(self.starting_text)

    def reset_credentials(self) -> None:
        return None


def start_failure_text(error: BaseException) -> str:
    """One line for a person, whatever the factory raised."""
    text = error.message if isinstance(error, AwsError) else str(error)
    lines = text.strip().splitlines()
    return lines[0] if lines else type(error).__name__

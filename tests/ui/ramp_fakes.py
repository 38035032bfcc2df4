"""Ramp pieces for the console's Pilot tests: a clock the test moves, and the fake change
service extended with the settle wait the ramp runner uses.

The runner itself is the real one (canary_tui.ramp.RampRunner); only our own change-service
interface is faked here, and test_verdict_ramp_moto.py runs the same flow against moto.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from canary_tui.audit import AuditLog
from canary_tui.aws.backend import Backend
from canary_tui.changes import ChangeService
from canary_tui.domain.models import Endpoint
from canary_tui.ramp import RampSettings
from canary_tui.ui.ramping import RampLauncher
from tests.ui.fakes import FakeBackend, FakeChangeService

RAMP_START = datetime.fromisoformat("2026-11-25T09:30:20+00:00")


class SteppedClock:
    """Time moves only when the test calls ``advance``. The runner's waits block until the
    time they asked for has come or their wake event is set (a key press), so a ramp sits in
    its bake, as a real one does, until the test moves on."""

    def __init__(self, start: datetime = RAMP_START) -> None:
        self._now = start
        self._changed = threading.Condition()

    def now(self) -> datetime:
        with self._changed:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._changed:
            self._now += timedelta(seconds=seconds)
            self._changed.notify_all()

    def wait(self, seconds: float, wake: threading.Event) -> None:
        with self._changed:
            until = self._now + timedelta(seconds=seconds)
            # Short condition waits so a set wake event is noticed; not a sleep: the loop
            # ends as soon as the test advances the clock or presses a key.
            while not wake.is_set() and self._now < until:
                self._changed.wait(timeout=0.05)


class FakeRampChanges(FakeChangeService):
    """The fake change service, plus the settle wait: the fake applies changes at once."""

    def wait_until_settled(self, name: str, timeout: float, **_: Any) -> Endpoint:
        return self.sagemaker.describe_endpoint(name)


def fake_launcher(
    backend: FakeBackend,
    tmp_path: Path,
    clock: SteppedClock,
    changes: FakeRampChanges | None = None,
) -> tuple[RampLauncher, FakeRampChanges]:
    changes = changes or FakeRampChanges(backend.sagemaker)
    launcher = RampLauncher(
        cast(Backend, backend),
        AuditLog(tmp_path / "audit.jsonl"),
        settings=RampSettings(poll_seconds=60, period_seconds=60),
        default_bake_seconds=600,
        clock=clock,
        changes=cast(ChangeService, changes),
    )
    return launcher, changes

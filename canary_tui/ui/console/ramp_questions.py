"""What the console asks and says about a ramp: the dialogs' wording and the notices.

The dialog module is imported when a question is asked, not at start (see the start-up
notes in benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from canary_tui.domain.ramp import Phase, RampState
from canary_tui.ui.widgets.ramp import phase_word

if TYPE_CHECKING:
    from canary_tui.ui.screens.ramp import RampQuestion


#: The screen's ``notify``.
Notify = Callable[..., None]


def _question(
    title: str, text: str, answers: list[tuple[str, str]], endpoint: str | None = None
) -> RampQuestion:
    from canary_tui.ui.screens.ramp import RampQuestion

    return RampQuestion(title, text, answers, endpoint_name=endpoint)


def resume(state: RampState) -> RampQuestion:
    return _question(
        f"Ramp in progress on {state.plan.endpoint}",
        f"A ramp of {state.plan.canary} is {phase_word(state.phase)} at step "
        f"{state.step_index + 1}/{len(state.plan.steps)} ({state.step_share:g}%), "
        f"baseline {state.baseline}, started {state.started_at:%Y-%m-%d %H:%M} UTC."
        + (f"\nwhy: {state.status_reason}" if state.status_reason else ""),
        [("y", "resume it"), ("x", "abort: roll back to the baseline")],
        state.plan.endpoint,
    )


def skip(state: RampState) -> RampQuestion:
    target = (
        "finish the ramp"
        if state.is_last_step
        else f"move {state.plan.canary} to {state.plan.steps[state.step_index + 1]:g}%"
    )
    return _question(
        "Skip this step?",
        f"Skip the rest of this step and its verdict, and {target}?",
        [("y", "skip")],
        state.plan.endpoint,
    )


def abort(state: RampState) -> RampQuestion:
    return _question(
        "Abort the ramp?",
        f"Abort the ramp of {state.plan.canary} and send all traffic of "
        f"{state.plan.endpoint} back to {state.baseline}?",
        [("y", "abort and roll back")],
        state.plan.endpoint,
    )


def quit_with_ramp(names: str, *, demo: bool = False) -> RampQuestion:
    if demo:
        # The demo's account, its endpoints and its saved ramps live in a moto server and a
        # temporary directory that go away at exit: nothing is left to resume.
        return _question(
            "A ramp is running",
            f"A ramp is running on {names}. This is the demo: quitting stops the ramp "
            "and throws the simulated account away with it; nothing is saved to resume.",
            [("d", "stop the ramp and quit")],
        )
    return _question(
        "A ramp is running",
        f"A ramp is running on {names}. Detach leaves it where it is, saved: the next "
        "console resumes it with r (or canary-tui ramp ENDPOINT --resume).",
        [("d", "detach and quit")],
    )


def announce(notify: Notify, state: RampState, previous: RampState | None) -> None:
    """A ramp's phase or step moved: say so (rolling back loudly)."""
    where = f"{state.plan.endpoint}: {state.plan.canary} at {state.step_share:g}%"
    reason = state.status_reason or ""
    if state.phase is Phase.ROLLING_BACK:
        notify(
            f"Rolling back {state.plan.endpoint} to {state.baseline}: {reason}",
            title="Ramp rolling back",
            severity="error",
            timeout=30,
        )
    elif state.phase is Phase.PAUSED and previous is not None:
        notify(f"Ramp held, {where}: {reason}", title="Ramp paused", severity="warning")
    elif state.phase is Phase.BAKING and (
        previous is None
        or previous.step_index != state.step_index
        or previous.phase is Phase.APPLYING
    ):
        notify(f"step {state.step_index + 1} applied, {where}.", title="Ramp")


def announce_end(notify: Notify, state: RampState) -> None:
    """The runner returned without an error: done, rolled back or aborted."""
    if state.phase is Phase.DONE:
        notify(
            f"Ramp done: {state.plan.canary} takes {state.step_share:g}% of {state.plan.endpoint}.",
            title="Ramp done",
        )
    elif state.phase is Phase.ROLLED_BACK:
        notify(
            f"Ramp rolled back: all traffic on {state.baseline} ({state.status_reason}).",
            title="Ramp rolled back",
            severity="error",
            timeout=30,
        )
    elif state.phase is Phase.ABORTED:
        notify(
            f"Ramp aborted: all traffic on {state.baseline}.",
            title="Ramp aborted",
            severity="warning",
        )

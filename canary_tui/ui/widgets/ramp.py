"""The ramp progress panel: step i/n, phase, bake time left, last verdict, and why.

Always on screen while a ramp of the selected endpoint runs (or is saved unfinished), so
nobody has to ask what the automation is doing to the endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from canary_tui.domain.ramp import Phase, RampState, format_seconds
from canary_tui.domain.ramp_requests import requests_count_text
from canary_tui.ui.widgets.verdict import outcome_word

PHASE_STYLES = {
    Phase.APPLYING: "bold $text-accent",
    Phase.BAKING: "bold $text-accent",
    Phase.CHECKING: "bold $text-accent",
    Phase.PAUSED: "bold $text-warning",
    Phase.ROLLING_BACK: "bold $text-error",
    Phase.ROLLED_BACK: "bold $text-error",
    Phase.ABORTED: "bold $text-warning",
    Phase.DONE: "bold $text-success",
}


#: What a person reads for each phase (the enum's values are for files and the CLI's JSON).
PHASE_WORDS = {
    Phase.APPLYING: "applying",
    Phase.BAKING: "baking",
    Phase.CHECKING: "checking",
    Phase.PAUSED: "paused",
    Phase.ROLLING_BACK: "rolling back",
    Phase.ROLLED_BACK: "rolled back",
    Phase.ABORTED: "aborted",
    Phase.DONE: "done",
}


def phase_word(phase: Phase) -> str:
    return PHASE_WORDS.get(phase, phase.value.replace("_", " "))


def ramp_keys(state: RampState) -> str:
    """The ramp keys as the panel shows them: short, and P says what it does now."""
    return f"P {'resume' if state.phase is Phase.PAUSED else 'pause'} · S skip · X abort"


@dataclass(frozen=True, slots=True)
class RampView:
    state: RampState
    #: The runner's latest message ("baking; so far INCONCLUSIVE: ...", "rolled back: ...").
    message: str
    now: datetime
    #: Driven by this console (keys work) or only found on disk (r resumes it).
    running: bool
    #: The keys to show, e.g. "P pause · S skip · X abort"; they lead the second line, so
    #: a long reason is what gets cut at 80 columns, never the keys.
    keys: str = ""
    #: The ramp is on another endpoint than the selected one: name it.
    elsewhere: bool = False


def progress_line(view: RampView) -> Content:
    state = view.state
    plan = state.plan
    where = f" on {plan.endpoint}" if view.elsewhere else ""
    tail: list[Content | str | tuple[str, str]] = []
    left = state.bake_left(view.now)
    if left is not None:
        tail.append(f" · bake {format_seconds(left)} left")
    if plan.bake_requests and state.phase in (Phase.BAKING, Phase.CHECKING):
        seen = requests_count_text(plan, state.step_requests, state.step_requests_complete)
        tail.append(f" · {seen} req")
    if state.last_verdict:
        tail += [" · verdict ", outcome_word(state.last_verdict)]
    if not view.running and not state.is_over:
        tail.append(" · not driven (r resumes)")
    # The space after the phase word belongs to its run (as the verdict's does): some SVG
    # renderers drop a run's leading space after a bold one ("baking· bake").
    word = phase_word(state.phase) + (" " if tail else "")
    if tail and isinstance(tail[0], str):
        tail[0] = tail[0].removeprefix(" ")
    return Content.assemble(
        ("Ramp ", "bold"),
        f"{plan.canary}{where}: step {state.step_index + 1}/{len(plan.steps)} "
        f"({state.step_share:g}%) ",
        Content.styled(word, PHASE_STYLES.get(state.phase, "bold")),
        *tail,
    )


def reason_line(view: RampView) -> Content:
    state = view.state
    # A rollback's or a hold's reason matters more than the latest chatter.
    why = state.status_reason if state.phase is not Phase.BAKING else None
    text = why or view.message
    if view.keys and view.running and not state.is_over:
        return Content.assemble(Content.styled(f"[{view.keys}] ", "$text-muted"), text)
    return Content(text)


class RampPanel(Static):
    DEFAULT_CSS = """
    RampPanel {
        height: 2;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        display: none;
    }
    RampPanel.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.view: RampView | None = None

    def show(self, view: RampView | None) -> None:
        if view == self.view:
            return
        self.view = view
        self.set_class(view is not None, "-shown")
        if view is not None:
            self.update(Content("\n").join([progress_line(view), reason_line(view)]))

    @property
    def plain(self) -> str:
        if self.view is None:
            return ""
        return f"{progress_line(self.view).plain}\n{reason_line(self.view).plain}"

"""The ramp plan dialog (every step's traffic split, bake, request count, alarms, rollback
target; steps, bake, requests and alarms editable and validated) and a small question dialog
for the ramp's keys. The plan's reading and rendering is :mod:`canary_tui.ui.ramp_plan_view`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from canary_tui.domain.capacity import DEFAULT_WARNING_FACTOR, ramp_forecasts
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import RampPlan, RampPlanError, format_seconds
from canary_tui.domain.ramp_forecast import total_rate
from canary_tui.domain.ramp_readiness import ramp_readiness
from canary_tui.domain.verdict import Verdict
from canary_tui.ui.ramp_plan_view import build_plan, key_hints, parse_alarm_names, plan_table

__all__ = [
    "RampPlanDialog",
    "RampQuestion",
    "build_plan",
    "key_hints",
    "parse_alarm_names",
    "plan_table",
]


class RampPlanDialog(ModalScreen[RampPlan | None]):
    """``y`` starts the ramp as shown, ``n``/``esc`` sends nothing; ``e`` edits the fields
    (``enter`` leaves them). The fields cannot take focus until asked for, so ``y`` and ``n``
    are always answers, never text."""

    BINDINGS = [
        Binding("y", "start", "start ramp", id="ramp-plan.yes"),
        Binding("n", "cancel", "cancel", id="ramp-plan.no"),
        Binding("escape", "escape", "cancel", show=False, id="ramp-plan.escape"),
        Binding("e", "edit", "edit", id="ramp-plan.edit"),
    ]

    def __init__(
        self,
        endpoint: Endpoint,
        canary: str,
        *,
        steps: Sequence[float],
        bake_seconds: float,
        bake_requests: int = 0,
        rates: Mapping[str, float] | None = None,
        warning_factor: float = DEFAULT_WARNING_FACTOR,
        verdict: Verdict | None = None,
    ) -> None:
        super().__init__()
        #: The verdict so far (the console's): a canary that already FAILs is warned about.
        self.readiness = ramp_readiness(verdict, canary)
        #: Requests/min per variant now (None: metrics not fetched yet, shown as unknown).
        self.rates = rates
        self.warning_factor = warning_factor
        self.endpoint = endpoint
        self.endpoint_name = endpoint.name
        self.canary = canary
        self.steps_text = ",".join(f"{step:g}" for step in steps)
        self.bake_text = format_seconds(bake_seconds)
        self.requests_text = str(bake_requests)
        self.plan: RampPlan | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="ramp-plan-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Ramp {self.canary} on {self.endpoint.name}"
            with Horizontal(id="ramp-fields"):
                yield Label("steps %", classes="ramp-field-label")
                yield Input(self.steps_text, id="ramp-steps", compact=True)
                yield Label("bake", classes="ramp-field-label")
                yield Input(self.bake_text, id="ramp-bake", compact=True)
                yield Label("alarms", classes="ramp-field-label")
                yield Input(placeholder="optional", id="ramp-alarms", compact=True)
                yield Label("requests", classes="ramp-field-label")
                yield Input(self.requests_text, id="ramp-requests", compact=True)
            yield Static(id="ramp-plan-table")
            yield Static(id="ramp-plan-capacity")
            yield Static(
                Text(
                    "\n".join(self.readiness.lines),
                    style="bold" if self.readiness.warning else "",
                ),
                id="ramp-plan-verdict",
                classes="-warning" if self.readiness.warning else "",
            )
            yield Static(id="ramp-plan-baseline")
            yield Static(id="ramp-plan-message")
            yield Static(
                key_hints([("y", "start"), ("n", "cancel"), ("e", "edit fields")]),
                id="ramp-plan-keys",
            )

    def on_mount(self) -> None:
        self._set_editing(False)
        self._validate()

    @property
    def _fields(self) -> list[Input]:
        return list(self.query(Input))

    def _set_editing(self, editing: bool) -> None:
        for field in self._fields:
            field.can_focus = editing
        if editing:
            self.query_one("#ramp-steps", Input).focus()
        else:
            self.set_focus(None)
        keys = (
            [("enter", "done"), ("tab", "next field"), ("esc", "done")]
            if editing
            else [("y", "start"), ("n", "cancel"), ("e", "edit fields")]
        )
        self.query_one("#ramp-plan-keys", Static).update(key_hints(keys))

    @property
    def editing(self) -> bool:
        return any(field.has_focus for field in self._fields)

    def _validate(self) -> None:
        steps = self.query_one("#ramp-steps", Input)
        bake = self.query_one("#ramp-bake", Input)
        alarms = self.query_one("#ramp-alarms", Input)
        requests = self.query_one("#ramp-requests", Input)
        fields = (steps, bake, alarms, requests)
        for field in fields:
            field.remove_class("-bad")
        message = self.query_one("#ramp-plan-message", Static)
        errors = self._field_errors(*fields)
        if errors:
            # Every field's error at once, and no plan on screen: the table of the last valid
            # plan, left under a bad field, read as what y would start.
            self.plan = None
            self.error = "; ".join(errors.values())
            for field in errors:
                field.add_class("-bad")
            for hidden in (
                "#ramp-plan-table",
                "#ramp-plan-capacity",
                "#ramp-plan-baseline",
            ):
                self.query_one(hidden, Static).display = False
            lines = ["The plan is not valid yet:", *(f"✗ {text}" for text in errors.values())]
            message.update(Text("\n".join(lines)))
            message.add_class("-error")
            return
        plan, baseline = build_plan(
            self.endpoint, self.canary, steps.value, bake.value, alarms.value, requests.value
        )
        for shown in ("#ramp-plan-table", "#ramp-plan-baseline"):
            self.query_one(shown, Static).display = True
        self.plan, self.error = plan, None
        message.remove_class("-error")
        forecasts = ramp_forecasts(
            self.endpoint, plan.canary, plan.steps, self.rates, self.warning_factor
        )
        self.query_one("#ramp-plan-table", Static).update(
            plan_table(self.endpoint, plan, baseline, forecasts, total_rate(self.rates))
        )
        first = next(
            (
                f"! step {index} ({step:g}%): {forecast.warnings[0]}"
                for index, (step, forecast) in enumerate(
                    zip(plan.steps, forecasts, strict=True), start=1
                )
                if forecast.warnings
            ),
            "",
        )
        capacity = self.query_one("#ramp-plan-capacity", Static)
        capacity.update(Text(first))
        capacity.display = bool(first)
        alarm_text = ", ".join(plan.alarm_names) if plan.alarm_names else "none"
        self.query_one("#ramp-plan-baseline", Static).update(
            Text(f"rollback target: {baseline} (100%) · alarms that must stay OK: {alarm_text}")
        )
        message.update(
            Text(
                "each step: apply (guarded, audited), bake watching alarms and the verdict; "
                "PASS advances, FAIL or ALARM rolls back, INCONCLUSIVE bakes again then holds"
            )
        )

    def _field_errors(
        self, steps: Input, bake: Input, alarms: Input, requests: Input
    ) -> dict[Input, str]:
        """Each field judged with the others at the values the dialog opened with (which
        make a valid plan), so each error is named on its own field."""
        errors: dict[Input, str] = {}
        opened = (self.steps_text, self.bake_text, "", self.requests_text)
        for index, field in enumerate((steps, bake, alarms, requests)):
            texts = [*opened[:index], field.value, *opened[index + 1 :]]
            try:
                build_plan(self.endpoint, self.canary, texts[0], texts[1], texts[2], texts[3])
            except RampPlanError as error:
                errors[field] = error.message
        if not errors:
            try:  # together (each was valid alone)
                build_plan(
                    self.endpoint,
                    self.canary,
                    steps.value,
                    bake.value,
                    alarms.value,
                    requests.value,
                )
            except RampPlanError as error:
                errors[steps] = error.message
        return errors

    @on(Input.Changed)
    def _field_changed(self) -> None:
        self._validate()

    @on(Input.Submitted)
    def _field_submitted(self) -> None:
        self._set_editing(False)

    def action_edit(self) -> None:
        self._set_editing(True)

    def action_escape(self) -> None:
        if self.editing:
            self._set_editing(False)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_start(self) -> None:
        if self.plan is None:
            self.notify(f"Fix the plan first: {self.error}", severity="error")
            return
        self.dismiss(self.plan)


class RampQuestion(ModalScreen[str | None]):
    """A question with one-key answers (``answers``: key -> label); ``esc`` answers None."""

    BINDINGS = [Binding("escape", "answer('')", "cancel", show=False, id="ramp-question.escape")]

    def __init__(
        self,
        title: str,
        text: str,
        answers: Sequence[tuple[str, str]],
        *,
        endpoint_name: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.answers = dict(answers)
        self.endpoint_name = endpoint_name

    def compose(self) -> ComposeResult:
        with Vertical(id="ramp-question-dialog", classes="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(Text(self.text), id="ramp-question-text")
            yield Static(
                key_hints([*self.answers.items(), ("esc", "cancel")]),
                classes="dialog-keys",
            )

    def on_key(self, event: events.Key) -> None:
        if event.key in self.answers:
            event.stop()
            self.dismiss(event.key)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer or None)

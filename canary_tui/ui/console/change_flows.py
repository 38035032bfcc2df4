"""The console's writes: weights (w), rollback (b), promote (p), instance count (c) and the
rollback mark (B). Each is one awaited flow: dialog → confirm (before → after, forecast,
warnings) → the change service in a thread worker (audit intent, re-read, call, outcome)
→ the result said in one line → the endpoint followed until it settles.

While a dialog about an endpoint is open it is "watched": described on the follow cadence,
so a deletion closes the dialog and someone else's change is told before ``y``.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from textual import events
from textual.worker import WorkerFailed, WorkerState

from canary_tui.change_guards import AnyPlan
from canary_tui.changes import (
    ChangeNotApplied,
    ChangeOutcomeUnknown,
    ChangeRefused,
    ChangeResult,
    SettleTimeout,
)
from canary_tui.domain.baseline import Baseline, BaselineMark, split_label
from canary_tui.domain.capacity import capacity_refusal, limits_text
from canary_tui.domain.models import Endpoint
from canary_tui.domain.ramp import RampState
from canary_tui.domain.weights import WeightPlan, plan_all_to
from canary_tui.rollback import (
    TargetFinder,
    Targets,
    console_no_baseline_message,
    promote_title,
    rollback_plan,
    rollback_title,
    settle_then_roll_back,
)
from canary_tui.settle import Backoff, Settler
from canary_tui.ui.console.errors import error_text
from canary_tui.ui.console.kind_refusals import edits_serverless, refuse_capacity, refuse_weights
from canary_tui.ui.console.serverless_flow import plan_preview, serverless_flow
from canary_tui.ui.console.state import ConsoleView
from canary_tui.ui.messages import EndpointDescribed
from canary_tui.ui.refresh import cached_request_rates
from canary_tui.ui.screens.typeahead import TypeAhead
from canary_tui.ui.widgets.tables import VariantsTable

if TYPE_CHECKING:
    from canary_tui.ui.screens.console import ConsoleScreen

READ_ONLY_REFUSAL = (
    "Read-only console: changes are disabled (--read-only, the read_only setting, "
    "or a profile in read_only_profiles)."
)


class ChangeFlows:
    def __init__(self, screen: ConsoleScreen, view: ConsoleView) -> None:
        self.screen = screen
        self.view = view
        #: Where b and p go (audit log, ramps, marks): the same answers as the CLI's.
        self.targets = TargetFinder.for_audit(screen.audit)
        #: Set when the screen goes: a rollback waiting for an endpoint stops waiting.
        self.closing = threading.Event()
        self.settle_backoff = Backoff()
        self._watch_noticed = False

    # -- guards ---------------------------------------------------------------------------
    def refuse_write(self) -> bool:
        screen = self.screen
        if screen.read_only:
            screen.notify(READ_ONLY_REFUSAL, title="Refused", severity="warning")
            return True
        if screen.change_service is None:
            screen.notify("No change service configured; nothing can be sent.", severity="error")
            return True
        if self._change_in_flight():
            # A new flow would cancel the one waiting for this change: its result, the follow
            # to InService and the refusal message would be lost, and the new editor would
            # start from the weights before the change.
            screen.notify(
                "A change is still being sent; wait for its result.",
                title="Refused",
                severity="warning",
            )
            return True
        return False

    def _change_in_flight(self) -> bool:
        return any(
            worker.group == "change" and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.screen.workers
        )

    def _flow(self, flow: Awaitable[None]) -> None:
        self.screen.run_worker(flow, group="flow", exclusive=True, exit_on_error=False)

    def _ramp_state(self, name: str) -> RampState | None:
        entry = self.screen.ramps.get(name)
        return entry.state if entry is not None else None

    # -- the keys -------------------------------------------------------------------------
    def edit_weights(self) -> None:
        typed = self.screen.typed_after.take()
        if self.refuse_write():
            typed.take()  # refused: what was typed after w is dropped, as before
            return
        endpoint = self.screen.selected_endpoint()
        if endpoint is None:
            return
        if refuse_weights(self.screen, endpoint):
            typed.take()
            return
        variants = self.screen.query_one(VariantsTable)
        focus = (
            variants.selected_variant
            if self.screen.focused is variants
            else self.view.likely_canary(endpoint)
        )
        self._flow(self._weights_flow(endpoint, focus, typed))

    def rollback(self) -> None:
        if self.refuse_write():
            return
        endpoint = self.screen.selected_endpoint()
        if endpoint is not None:
            self._flow(self._rollback_flow(endpoint, self._ramp_state(endpoint.name)))

    def promote(self) -> None:
        if self.refuse_write():
            return
        endpoint = self.screen.selected_endpoint()
        if endpoint is None:
            return
        table = self.screen.query_one(VariantsTable)
        moved = table.moved_by_user_on(endpoint.name) and table.selected_variant
        chosen = table.selected_variant if moved else None
        self._flow(self._promote_flow(endpoint, chosen, self._ramp_state(endpoint.name)))

    def edit_capacity(self) -> None:
        typed = self.screen.typed_after.take().take()  # for the count editor (`c 3 enter`)
        if self.refuse_write():
            return
        endpoint = self.screen.selected_endpoint()
        variant = self.screen.selected_variant(endpoint) if endpoint else None
        if endpoint is None or variant is None:
            return
        if edits_serverless(endpoint, variant):  # its concurrency, not a count
            flows = (self._watching, self._confirm_and_apply)
            return self._flow(serverless_flow(self.screen, *flows, endpoint, variant))
        if not refuse_capacity(self.screen, endpoint, variant):
            self._flow(self._capacity_flow(endpoint, variant, typed))

    def mark_baseline(self) -> None:
        screen = self.screen
        endpoint = screen.selected_endpoint()
        variant = screen.selected_variant(endpoint) if endpoint else None
        if endpoint is None or variant is None:
            return
        self.view.baselines[endpoint.name] = variant
        mark = self.targets.remember(endpoint, screen.clock())
        screen.run_worker(
            partial(self._save_mark, mark), thread=True, group="marks", exit_on_error=False
        )
        screen.selection_changed()
        screen.notify(
            f"Rollback baseline of {endpoint.name}: {split_label(mark.shares)} (b goes back "
            f"to it); {variant} is the verdict's baseline."
        )

    def _save_mark(self, mark: BaselineMark) -> None:
        try:
            self.targets.save(mark)
        except OSError as error:
            self.screen.app.call_from_thread(
                self.screen.notify,
                f"The mark holds in this console only: cannot save it ({error.strerror}).",
                severity="warning",
            )

    # -- the flows ------------------------------------------------------------------------
    async def _targets(self, endpoint: Endpoint, ramp: RampState | None) -> Targets:
        work = partial(self.targets.find, endpoint, ramp)
        worker = self.screen.run_worker(work, thread=True, group="targets", exit_on_error=False)
        return await worker.wait()

    async def _rollback_flow(self, endpoint: Endpoint, ramp: RampState | None) -> None:
        with self._watching(endpoint.name):
            baseline = (await self._targets(endpoint, ramp)).baseline
            if baseline is None:
                message = console_no_baseline_message(endpoint)
                self.screen.notify(message, title="No baseline", severity="warning", timeout=15)
                return
            plan = rollback_plan(endpoint, baseline)
            if plan.is_noop:
                self.screen.notify(f"{endpoint.name} is already at its baseline, {baseline.label}.")
                return
            title = rollback_title(endpoint, baseline)
            await self._confirm_and_apply(title, plan, endpoint, rollback_to=baseline)

    async def _promote_flow(
        self, endpoint: Endpoint, chosen: str | None, ramp: RampState | None
    ) -> None:
        with self._watching(endpoint.name):
            variant = chosen
            if variant is None:
                # The canary the log or a ramp knows; else the variant w and r start on
                # (the dialog names it, and nothing is sent without y).
                targets = await self._targets(endpoint, ramp)
                variant = targets.canary or self.view.likely_canary(endpoint)
            if variant is None:
                return
            plan = plan_all_to(endpoint, variant)
            if plan.is_noop:
                self.screen.notify(f"{variant} already takes all traffic.")
                return
            await self._confirm_and_apply(promote_title(endpoint, variant), plan, endpoint)

    async def _weights_flow(
        self, endpoint: Endpoint, focus: str | None, typed: TypeAhead | None = None
    ) -> None:
        from canary_tui.ui.screens.editor import WeightEditor

        with self._watching(endpoint.name):
            editor = WeightEditor(endpoint, focus, typed_ahead=typed)
            plan = await self.screen.app.push_screen_wait(editor)
            if plan is None:
                self.screen.notify("Edit cancelled: nothing was sent.", timeout=3)
                return
            title = f"Change weights of {endpoint.name}"
            await self._confirm_and_apply(title, plan, endpoint, typed_ahead=editor.left_over)

    async def _capacity_flow(
        self, endpoint: Endpoint, variant: str, typed: list[events.Key]
    ) -> None:
        from canary_tui.ui.screens.editor import CapacityEditor

        scaling = self.view.scaling.get(endpoint.name)
        editor = CapacityEditor(
            endpoint,
            variant,
            check=lambda plan: capacity_refusal(plan, scaling),
            limits=limits_text(scaling, variant),
            typed_ahead=typed,
        )
        with self._watching(endpoint.name):
            plan = await self.screen.app.push_screen_wait(editor)
            if plan is None:
                self.screen.notify("Edit cancelled: nothing was sent.", timeout=3)
                return
            await self._confirm_and_apply(
                f"Instances of {variant}", plan, endpoint, typed_ahead=editor.left_over
            )

    # -- watching the endpoint a dialog is about ------------------------------------------
    @contextmanager
    def _watching(self, name: str) -> Iterator[None]:
        """While a dialog about ``name`` is open, the list poll waits, but that one endpoint
        is still described on the follow cadence: if it is deleted the dialog closes, and
        if someone else changes it the person hears about it before confirming."""
        self.view.watching = name
        self._watch_noticed = False
        self.screen.watch_started()
        try:
            yield
        finally:
            self.view.watching = None

    def described(self, previous: Endpoint | None, endpoint: Endpoint) -> None:
        """A new description arrived: tell once if the watched endpoint changed."""
        if (
            endpoint.name == self.view.watching
            and previous is not None
            and not self._watch_noticed
            and (previous.desired_weights, previous.status)
            != (endpoint.desired_weights, endpoint.status)
        ):
            self._watch_noticed = True
            self.screen.notify(
                f"{endpoint.name} changed since this dialog opened; applying will be refused. "
                "Cancel and start again from the live state.",
                title="Endpoint changed",
                severity="warning",
                timeout=10,
            )

    # -- confirm, send, say the outcome ---------------------------------------------------
    async def _confirm_and_apply(
        self,
        title: str,
        plan: AnyPlan,
        confirmed: Endpoint,
        rollback_to: Baseline | None = None,
        typed_ahead: list[events.Key] | None = None,
    ) -> None:
        from canary_tui.ui.screens.confirm import ConfirmChange

        screen = self.screen
        rates = cached_request_rates(self.view.metrics, confirmed, screen.clock())
        options = screen.options
        forecast, warnings = plan_preview(plan, confirmed, rates, options, self.view.scaling)
        dialog = ConfirmChange(
            title,
            plan,
            forecast,
            warnings,
            region=options.region,
            profile=options.profile,
            typed_ahead=typed_ahead or (),
        )
        if not await screen.app.push_screen_wait(dialog):
            screen.notify("Cancelled: nothing was sent.", timeout=3)
            return
        work = (
            partial(self._apply, plan, confirmed, dialog.reason)
            if rollback_to is None
            else partial(self._roll_back, rollback_to, confirmed, dialog.reason)
        )
        worker = screen.run_worker(work, thread=True, group="change", exit_on_error=False)
        try:
            result: ChangeResult = await worker.wait()
        except WorkerFailed as failed:
            await self._change_failed(failed.error, plan)
            return
        if result.live is not None:
            screen.post_message(EndpointDescribed(result.live))
        if result.audit_warning:
            screen.notify(result.audit_warning, title="Audit log", severity="warning", timeout=10)
        if result.checked:
            # The answer was lost; a re-read showed the change in place.
            screen.notify(
                f"Applied to {confirmed.name} ({result.evidence}); following it until InService.",
                title="Change applied after a check",
            )
        else:
            screen.notify(
                f"Sent to {confirmed.name}; following it until InService.",
                title="Change sent",
            )
        screen.follow(confirmed.name)

    async def _change_failed(self, error: BaseException, plan: AnyPlan) -> None:
        screen = self.screen
        if isinstance(error, ChangeRefused):
            from canary_tui.ui.screens.confirm import RefusedDialog

            if error.live is not None:
                screen.post_message(EndpointDescribed(error.live))
            reopen = await screen.app.push_screen_wait(
                RefusedDialog(error.message, error.live, isinstance(plan, WeightPlan))
            )
            if reopen and error.live is not None:
                self._flow(self._weights_flow(error.live, None))
            return
        if isinstance(error, ChangeOutcomeUnknown | ChangeNotApplied):
            if error.live is not None:
                screen.post_message(EndpointDescribed(error.live))
            unknown = isinstance(error, ChangeOutcomeUnknown)
            screen.notify(
                error.message,
                title="Change outcome unknown" if unknown else "Change not applied",
                severity="error",
                timeout=30 if unknown else 10,
            )
            return
        screen.notify(error_text(error), title="Change failed", severity="error", timeout=10)

    def _apply(self, plan: AnyPlan, confirmed: Endpoint, reason: str | None) -> ChangeResult:
        service = self.screen.change_service
        assert service is not None  # refused earlier when missing
        return service.apply(plan, confirmed, reason=reason)

    def _roll_back(
        self, baseline: Baseline, confirmed: Endpoint, reason: str | None
    ) -> ChangeResult:
        """A rollback that meets an update waits for the endpoint to settle (reads only,
        up to rollback_wait_seconds), then sends once."""
        screen = self.screen
        service = screen.change_service
        assert service is not None
        told: list[bool] = []

        def on_wait(live: Endpoint | None, pause: float) -> None:
            if not told:
                told.append(True)
                status = live.status if live is not None else "unreadable"
                screen.app.call_from_thread(
                    screen.notify,
                    f"{confirmed.name} is {status}: the rollback waits for it to settle "
                    "(reads only), then sends.",
                    title="Waiting",
                )

        def pause(seconds: float) -> None:
            if self.closing.wait(seconds):
                raise SettleTimeout("the console closed; the rollback was not sent", None)

        settler = Settler(
            lambda: screen.backend.sagemaker.describe_endpoint(confirmed.name),
            sleep=pause,
            backoff=self.settle_backoff,
            on_wait=on_wait,
        )
        return settle_then_roll_back(
            service,
            settler,
            baseline,
            confirmed,
            timeout=screen.options.rollback_wait_seconds,
            reason=reason,
        )

"""Fuzz of the weight editor's fields (hypothesis), on the fast fake backend.

Each example opens a fresh console, opens the weight editor with ``w``, puts random text in
the fields (typed key by key, or set at once as a paste would), presses enter, and answers
``y`` if a confirm dialog appears. Whatever the text, no exception escapes, and the change
service is asked to apply a plan exactly when the domain's own parsing of the same text
gives a valid, non-empty plan, and then that plan.

Hypothesis drives a synchronous test; each example runs its own Pilot session with
``asyncio.run`` (hypothesis cannot re-run an async test body). Each example is a whole
console session (~0.5-1 s here), so the default is 25 examples, derandomized;
``CANARY_TEST_FUZZ_EXAMPLES=500`` runs more by hand.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from canary_tui.domain.weights import WeightInputError, WeightPlan, parse_number, plan_from_shares
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.confirm import ConfirmChange
from canary_tui.ui.screens.editor import WeightEditor
from tests.ui.fakes import FakeChangeService, fake_backend, frozen_clock
from tests.ui.helpers import refresh_and_settle, wait_for

ENDPOINT = "existing-endpoint-name"  # current-model 90 %, new-model 10 % in the fake

NASTY = (
    "", " ", "%", "%%", ".", "..", "-1", "-0", "0", "00", "100", "100%", "50%", "1e309",
    "1e3", "nan", "NaN", "inf", "-inf", "Infinity", "1_0", "0x10", "٣", "\uff11\uff10", "10 %",
    " 90 ", "9" * 400, "0." + "0" * 300 + "1", "1" + "0" * 400, "90.0000000001", "½",
    "\u00a010", "10\n", "🙂", "null", "0,5", "5e-324",
)  # fmt: skip
#: Characters a number is made of; any other character is typed into the field as well (and
#: marked there), except ``[`` and ``]``, which step through the presets.
TYPEABLE = "0123456789.% -e"

field_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=TYPEABLE, max_size=8),
    st.text(max_size=40),
)


def expected_plan(values: list[str], app: CanaryApp) -> WeightPlan | None:
    """What the domain makes of the fields' text; None when nothing should be sent."""
    endpoint = app.console_screen.endpoints[ENDPOINT]
    try:
        shares = {}
        for variant, text in zip(endpoint.variant_names, values, strict=True):
            parsed = parse_number(text, field=variant)
            shares[variant] = parsed.value
        plan = plan_from_shares(endpoint, shares)
    except WeightInputError:
        return None
    return None if plan.is_noop else plan


async def edit_and_submit(texts: list[str], typed: bool) -> None:
    backend = fake_backend()
    changes = FakeChangeService(backend.sagemaker)
    app = CanaryApp(
        backend,
        changes,
        ConsoleOptions(poll=False, region="us-east-1"),
        clock=frozen_clock,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot, ENDPOINT)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WeightEditor), "the editor")
        editor = app.screen
        assert isinstance(editor, WeightEditor)
        fields = list(editor.query(".weight-input").results(Input))
        for field, text in zip(fields, texts, strict=False):
            if typed:
                field.focus()
                field.value = ""
                await pilot.pause()
                await pilot.press(*["space" if c == " " else c for c in text])
            else:
                field.value = text  # a paste: no key filtering on the way in
            await pilot.pause()
        values = [field.value for field in fields]
        expected = expected_plan(values, app)

        await pilot.press("enter")
        if isinstance(app.screen, ConfirmChange):
            await pilot.press("y")
        if expected is not None:
            await wait_for(pilot, lambda: bool(changes.applied), f"{values} to be applied")
        # Not wait_for_complete(): the flow worker awaits the editor, which stays open on
        # invalid input. The change worker is the one that calls the change service.
        await wait_for(
            pilot,
            lambda: not any(w.group == "change" and not w.is_finished for w in app.workers),
            "the change worker",
        )
        await pilot.pause()
        assert app.return_code is None

        if expected is None:
            assert changes.applied == [], (values, changes.applied)
            assert isinstance(app.screen, WeightEditor), "an invalid edit must keep the editor"
        else:
            assert len(changes.applied) == 1, (values, expected)
            applied, confirmed = changes.applied[0]
            assert isinstance(applied, WeightPlan)
            assert confirmed.name == ENDPOINT
            assert dict(applied.after) == pytest.approx(dict(expected.after)), values


@settings(
    max_examples=int(os.environ.get("CANARY_TEST_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(texts=st.lists(field_text, min_size=1, max_size=2), typed=st.booleans())
def test_editor_fields_never_crash_and_send_only_valid_plans(texts: list[str], typed: bool) -> None:
    asyncio.run(edit_and_submit(texts, typed))


@pytest.mark.parametrize("text", ["nan", "inf", "-1", "1e309", "", "%", "٣", "9" * 400])
def test_nasty_input_in_the_canary_field_sends_nothing(text: str) -> None:
    """The inputs the issue names, pasted into the canary's field: all refused."""
    asyncio.run(edit_and_submit(["90", text], typed=False))

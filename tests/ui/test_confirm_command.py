"""The confirm dialog's AWS CLI equivalent: shown, copied with c (nothing sent), and the
reason field's enter applies, as the key line says."""

from __future__ import annotations

from textual.widgets import Static

from canary_tui.ui.screens.confirm import ConfirmChange
from tests.ui.helpers import refresh_and_settle, static_text, wait_for
from tests.ui.test_console import make_app


async def test_c_copies_the_command_and_sends_nothing() -> None:
    app, _, changes = make_app(profile="ops")
    async with app.run_test(size=(80, 24)) as pilot:
        await refresh_and_settle(pilot)
        await pilot.press("w", "right_square_bracket", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmChange), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, ConfirmChange)
        expected = (
            "aws sagemaker update-endpoint-weights-and-capacities --endpoint-name "
            "existing-endpoint-name --desired-weights-and-capacities "
            "VariantName=current-model,DesiredWeight=0.75 "
            "VariantName=new-model,DesiredWeight=0.25 --region us-east-1 --profile ops"
        )
        assert dialog.command == expected
        shown = static_text(dialog.query_one("#confirm-request", Static)).split()
        assert " ".join(shown[6:]) == expected  # after "same request, AWS CLI (c copies):"
        await pilot.press("c")
        assert app.clipboard == expected
        assert isinstance(app.screen, ConfirmChange) and changes.applied == []
        await pilot.press("tab", *"ticket 42", "enter")  # enter in the reason field applies
        await wait_for(pilot, lambda: bool(changes.applied), "the change")

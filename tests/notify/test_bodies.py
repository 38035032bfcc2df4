"""The pure builders: what each event says, and its Slack and JSON bodies."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from canary_tui.domain.effects import Effect
from canary_tui.domain.verdict import CanaryVerdict, Verdict, VerdictThresholds
from canary_tui.domain.verdict_checks import error_rate_check
from canary_tui.domain.verdict_thresholds import Outcome
from canary_tui.notify.bodies import SCHEMA, body, json_body, slack_body
from canary_tui.notify.change_events import Where, change_event
from canary_tui.notify.events import (
    Event,
    account_of,
    p_value_text,
    turned_fail,
    verdict_event,
)
from canary_tui.notify.targets import EventKind

NOW = datetime(2026, 12, 3, 10, 32, tzinfo=UTC)
ARN = "arn:aws:sts::123456789012:assumed-role/oncall/alice"


def failing_verdict() -> Verdict:
    # 50% against 0.01% of 100,000: the exact test's p underflows to 0.0.
    check = error_rate_check("errors_5xx", "5XX", 50000, 100000, 10, 100000, VerdictThresholds())
    effect = Effect("rate_difference", 49.99, 49.6, 50.3, 0.9, "Newcombe hybrid score", "pp")
    check = replace(check, effect=effect)
    canary = CanaryVerdict("new-model", "current-model", Outcome.FAIL, check.reason, (check,))
    return Verdict(
        endpoint="ep",
        baseline="current-model",
        outcome=Outcome.FAIL,
        reason=f"new-model: {check.reason}",
        canaries=(canary,),
        period_seconds=60,
        window_seconds=3600,
    )


def test_p_values_are_never_zero() -> None:
    assert p_value_text(0.0) == "< 1e-300" and p_value_text(1e-320) == "< 1e-300"
    assert p_value_text(0.0123) == "0.0123"


def test_a_verdict_event_carries_the_why() -> None:
    event = verdict_event(
        failing_verdict(),
        time=NOW,
        shares={"current-model": 75.0, "new-model": 25.0},
        region="eu-west-1",
        profile="prod-admin",
        account="123456789012",
    )
    (reason,) = event.reasons
    assert reason.check == "errors_5xx" and reason.variant == "new-model"
    assert reason.canary_value == "50%" and reason.baseline_value == "0.01%"
    assert reason.test == "fisher_exact(alternative='greater')"
    assert reason.p_text == "< 1e-300" and reason.effect is not None
    assert reason.effect.startswith("+49.99 pp")
    document = json_body(event)
    assert document["schema"] == SCHEMA == "canary-tui.event/1"
    assert document["event"] == "verdict.failed" and document["account"] == "123456789012"
    assert document["traffic_percent_after"] == {"current-model": 75.0, "new-model": 25.0}
    why = document["why"][0]
    assert why["p_value_text"] == "< 1e-300" and why["p_value"] == 0.0
    assert why["canary"] == "50%" and why["baseline"] == "0.01%"
    text = json.dumps(slack_body(event))
    # Slack shows &lt; as <: "p < 1e-300", never "p=0".
    assert "p &lt; 1e-300" in text and "p=0" not in text and "p 0" not in text
    assert "canary 50% vs baseline 0.01%" in text and "fisher_exact" in text


def test_the_slack_body_has_text_and_blocks() -> None:
    event = change_event(
        EventKind.CHANGE_APPLIED,
        time=NOW,
        endpoint="ep",
        where=Where(region="eu-west-1", profile="prod-admin", caller_arn=ARN),
        change_kind="weights",
        weights_before={"current-model": 0.9, "new-model": 0.1},
        weights_after={"current-model": 0.75, "new-model": 0.25},
        source="cli",
        change_id="abc123",
    )
    slack = slack_body(event)
    assert slack["text"].startswith(":white_check_mark: change applied on ep: ")
    assert (
        "current-model 90%, new-model 10% -&gt; current-model 75%, new-model 25%" in (slack["text"])
    )
    fields = {field["text"].split("\n")[0]: field["text"] for field in slack["blocks"][1]["fields"]}
    assert fields["*Account*"] == "*Account*\n123456789012"
    assert fields["*Region*"].endswith("eu-west-1")
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in slack["blocks"])
    document = json_body(event)
    assert document["variants"] == ["current-model", "new-model"]
    assert document["traffic_percent_before"] == {"current-model": 90.0, "new-model": 10.0}
    assert document["details"]["change_id"] == "abc123"
    assert document["details"]["caller"] == ARN
    assert json.loads(body(event, "json")) == document


def test_a_failed_change_says_why_and_slack_escapes_it() -> None:
    event = change_event(
        EventKind.CHANGE_UNKNOWN,
        time=NOW,
        endpoint="ep",
        where=Where(),
        change_kind="weights",
        weights_before={"a": 1.0, "b": 1.0},
        weights_after={"a": 1.0, "b": 1.0},
        why="the write failed (<timeout> & more)",
    )
    assert event.summary.endswith("(the write failed (<timeout> & more))")
    slack = slack_body(event)
    assert "&lt;timeout&gt; &amp; more" in slack["text"] and "<timeout>" not in slack["text"]
    assert json_body(event)["why"][0]["text"] == "the write failed (<timeout> & more)"


def test_many_reasons_stay_within_slacks_limits() -> None:
    verdict = failing_verdict()
    event = verdict_event(verdict, time=NOW, shares={})
    event = replace(event, reasons=event.reasons * 30, summary="x" * 5000)
    slack = slack_body(event)
    assert len(slack["blocks"]) <= 50 and len(slack["text"]) <= 3000
    assert "and 20 more" in json.dumps(slack)


def test_not_a_number_is_sent_as_null() -> None:
    event = Event(EventKind.CHANGE_APPLIED, NOW, "ep", "s", shares_before={"a": float("nan")})
    assert json.loads(body(event, "json"))["traffic_percent_before"] == {"a": None}


def test_only_the_turn_to_fail_counts() -> None:
    assert turned_fail(Outcome.PASS, Outcome.FAIL)
    assert turned_fail(Outcome.INCONCLUSIVE, "FAIL")
    assert not turned_fail(Outcome.FAIL, Outcome.FAIL)  # every poll of a failing canary
    assert not turned_fail(None, Outcome.FAIL)  # the first look
    assert not turned_fail(Outcome.FAIL, Outcome.PASS)


def test_the_account_comes_from_the_caller_or_later() -> None:
    assert account_of(ARN) == "123456789012" and account_of(None) is None
    assert account_of("not-an-arn") is None
    event = change_event(
        EventKind.CHANGE_FAILED,
        time=NOW,
        endpoint="ep",
        where=Where(account_lookup=lambda: "210987654321"),
        change_kind="weights",
        weights_before={"a": 1.0},
        weights_after={"a": 1.0},
    )
    assert event.account is None and event.completed().account == "210987654321"

    def broken() -> str | None:
        raise RuntimeError("sts down")

    assert replace(event, account_lookup=broken).completed().account is None


def event_for_console() -> Event:
    return Event(EventKind.CHANGE_APPLIED, NOW, "ep", "change applied on ep")

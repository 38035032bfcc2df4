"""The "shadow vs production" verdict: the shadow judged as a canary on errors, latency and
data, against production, with no traffic-split check; a shadow's copied requests never
count in the production split; the text says it is a shadow test."""

from __future__ import annotations

import pytest

from canary_tui.cli.verdict import verdict_lines
from canary_tui.domain.models import Endpoint, Variant
from canary_tui.domain.shadow_verdict import (
    judge_endpoint,
    judged,
    metric_variant_names,
    shadow_verdict,
)
from canary_tui.domain.verdict import Outcome
from canary_tui.ui.widgets.verdict import VerdictView, detail_lines, summary_line
from tests.unit.test_verdict import PERIOD, variant_metrics

PERIODS = 30


def _endpoint(*production: tuple[str, float]) -> Endpoint:
    return Endpoint(
        "recs",
        "InService",
        tuple(Variant(name, weight, weight, 2, 2) for name, weight in production),
        shadow_variants=(Variant("cand", 0.2, 0.2, 1, 1, shadow=True),),
    )


def test_a_healthy_shadow_passes_with_no_split_check_and_says_shadow_test() -> None:
    endpoint = _endpoint(("prod", 1.0))
    verdict = judge_endpoint(
        endpoint,
        {
            "prod": variant_metrics("prod", periods=PERIODS, requests=500, errors_5xx=2),
            # A fifth of production's requests: a sampled copy, not a share of the traffic.
            "cand": variant_metrics("cand", periods=PERIODS, requests=100, errors_5xx=0.4),
        },
        period_seconds=PERIOD,
        window_seconds=PERIODS * PERIOD,
    )
    assert verdict.outcome is Outcome.PASS
    assert verdict.shadows == ("cand",)
    assert verdict.baseline == "prod"
    (canary,) = verdict.canaries
    names = [check.name for check in canary.checks]
    assert "traffic_split" not in names
    assert {"errors_4xx", "errors_5xx", "errors_model", "latency", "data"} <= set(names)
    assert any(
        note.startswith("shadow test: cand gets a copy of 20% of prod") for note in verdict.notes
    )
    assert verdict.to_dict()["shadows"] == ["cand"]
    assert verdict_lines(verdict)[0].startswith("recs: PASS  (shadow test, baseline prod")
    assert "cand (shadow) vs prod: PASS" in "\n".join(verdict_lines(verdict))
    view = VerdictView("recs", verdict=verdict, window="30m")
    assert "cand (shadow) PASS" in summary_line(view).plain
    assert "cand (shadow) vs prod" in detail_lines(view)[2].plain


def test_a_shadow_with_more_5xx_fails() -> None:
    verdict = shadow_verdict(
        _endpoint(("prod", 1.0)),
        {
            "prod": variant_metrics("prod", periods=PERIODS, requests=500, errors_5xx=2),
            "cand": variant_metrics("cand", periods=PERIODS, requests=100, errors_5xx=20),
        },
        period_seconds=PERIOD,
        window_seconds=PERIODS * PERIOD,
    )
    assert verdict.outcome is Outcome.FAIL
    assert verdict.canary("cand").check("errors_5xx").outcome is Outcome.FAIL


def test_a_slow_shadow_fails_on_latency() -> None:
    verdict = shadow_verdict(
        _endpoint(("prod", 1.0)),
        {
            "prod": variant_metrics("prod", periods=PERIODS, requests=500, latency=40.0),
            "cand": variant_metrics("cand", periods=PERIODS, requests=100, latency=90.0),
        },
        period_seconds=PERIOD,
        window_seconds=PERIODS * PERIOD,
    )
    assert verdict.canary("cand").check("latency").outcome is Outcome.FAIL


def test_production_canaries_and_a_shadow_are_judged_together() -> None:
    endpoint = _endpoint(("old", 0.9), ("new", 0.1))
    verdict = judge_endpoint(
        endpoint,
        {
            "old": variant_metrics("old", periods=PERIODS, requests=900, errors_5xx=4),
            "new": variant_metrics("new", periods=PERIODS, requests=100, errors_5xx=0.5),
            # 20 % of old's requests, copied: were they counted, the split would look off.
            "cand": variant_metrics("cand", periods=PERIODS, requests=180, errors_5xx=20),
        },
        period_seconds=PERIOD,
        window_seconds=PERIODS * PERIOD,
    )
    assert [c.variant for c in verdict.canaries] == ["new", "cand"]
    assert verdict.canary("new").check("traffic_split").outcome is Outcome.PASS
    assert verdict.canary("new").outcome is Outcome.PASS
    assert verdict.canary("cand").outcome is Outcome.FAIL
    assert verdict.outcome is Outcome.FAIL
    assert verdict.reason.startswith("cand:")
    assert verdict.shadows == ("cand",)


def test_which_endpoints_are_judged_and_which_metrics_are_read() -> None:
    shadow_test = _endpoint(("prod", 1.0))
    assert judged(shadow_test)
    assert metric_variant_names(shadow_test) == ("prod", "cand")
    single = Endpoint("one", "InService", (Variant("only", 1.0, 1.0, 1, 1),))
    assert not judged(single)
    assert metric_variant_names(single) == ("only",)


def test_an_endpoint_without_shadows_is_judged_as_before() -> None:
    endpoint = Endpoint(
        "plain", "InService", (Variant("a", 0.9, 0.9, 1, 1), Variant("b", 0.1, 0.1, 1, 1))
    )
    verdict = judge_endpoint(
        endpoint,
        {
            "a": variant_metrics("a", periods=PERIODS, requests=900),
            "b": variant_metrics("b", periods=PERIODS, requests=100),
        },
        period_seconds=PERIOD,
        window_seconds=PERIODS * PERIOD,
    )
    assert verdict.shadows == ()
    assert "traffic_split" in [c.name for c in verdict.canary("b").checks]
    with pytest.raises(ValueError, match="no shadow variant"):
        shadow_verdict(endpoint, {}, period_seconds=PERIOD, window_seconds=60.0)

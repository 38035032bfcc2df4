"""The ramp plan dialog says what the verdict so far is: a warning when the canary already
FAILs, the checks' power otherwise (Pilot at 80x24, and the pure text)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from canary_tui.domain.metrics import VariantMetrics
from canary_tui.domain.ramp_readiness import ramp_readiness
from canary_tui.domain.verdict import Verdict, compute_verdict
from canary_tui.ui.screens.ramp import RampPlanDialog
from tests.ui.fakes import fake_backend
from tests.ui.helpers import static_text, wait_for
from tests.unit.test_verdict import PERIOD, jitter, variant_metrics

ENDPOINT = "existing-endpoint-name"


def renamed(metrics: VariantMetrics, variant: str) -> VariantMetrics:
    from dataclasses import replace

    return replace(metrics, ref=replace(metrics.ref, endpoint=ENDPOINT, variant=variant))


def demo_verdict(canary_5xx: float, periods: int = 30) -> Verdict:
    baseline = variant_metrics("b", periods=periods, requests=900, latency=jitter(50, periods))
    canary = variant_metrics(
        "c", periods=periods, requests=100, errors_5xx=canary_5xx, latency=jitter(50, periods)
    )
    return compute_verdict(
        ENDPOINT,
        {
            "current-model": renamed(baseline, "current-model"),
            "new-model": renamed(canary, "new-model"),
        },
        {"current-model": 0.9, "new-model": 0.1},
        period_seconds=PERIOD,
        window_seconds=PERIOD * periods,
    )


def test_readiness_warns_on_a_failing_canary_and_gives_power_otherwise() -> None:
    failing = ramp_readiness(demo_verdict(5.0), "new-model")
    assert failing.warning
    assert failing.lines == (
        "! new-model already FAILs (errors_5xx): a ramp would send it more traffic, "
        "then roll back at the first check",
    )
    short = ramp_readiness(demo_verdict(0.0, periods=5), "new-model")
    assert not short.warning and short.lines[0] == "verdict so far: INCONCLUSIVE"
    # 500 canary requests already see a +0.5 pp rise: no power line needed.
    assert short.lines == ("verdict so far: INCONCLUSIVE",)
    tiny = ramp_readiness(demo_verdict(0.0, periods=2), "new-model")
    assert all(
        line.split(":")[0] in ("verdict so far", "errors_5xx", "latency") for line in tiny.lines
    )
    assert ramp_readiness(None, "new-model").lines == ("verdict so far: not computed yet",)


class _RampHost(App[None]):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__()
        self.verdict = verdict

    def on_mount(self) -> None:
        endpoint = fake_backend().sagemaker.endpoints[ENDPOINT]
        self.push_screen(
            RampPlanDialog(
                endpoint,
                "new-model",
                steps=(10, 25, 50, 100),
                bake_seconds=600,
                rates={"current-model": 900.0, "new-model": 100.0},
                verdict=self.verdict,
            )
        )


async def test_the_plan_dialog_warns_when_the_canary_already_fails() -> None:
    app = _RampHost(demo_verdict(5.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RampPlanDialog), "the dialog")
        shown = app.screen.query_one("#ramp-plan-verdict", Static)
        text = static_text(shown)
        assert text.startswith("! new-model already FAILs")
        assert "roll back at the first check" in text
        # The dialog still fits 80x24: its keys line is on screen under the warning.
        keys = app.screen.query_one("#ramp-plan-keys", Static)
        assert shown.region.bottom <= keys.region.y
        assert 0 < keys.region.bottom <= app.size.height

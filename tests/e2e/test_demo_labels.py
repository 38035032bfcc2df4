"""The simulator's labelled outcomes (Correct / Labeled in CanaryTui/Demo) against moto:
a quarter of the requests labelled, right ~92 % of the time (86 % for the canary of
accuracy-regression), each sent 2 minutes after the request it labels, dated at the request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from canary_tui.demo.quality import DEMO_QUALITY_NAMESPACE
from canary_tui.demo.seed import BASELINE_VARIANT, CANARY_ENDPOINT, CANARY_VARIANT
from tests.e2e.test_demo_simulator import T0, demo_account, make_simulator

__all__ = ["demo_account"]


def _sums(cloudwatch: Any, variant: str, metric: str) -> dict[Any, float]:
    response = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "q",
                "MetricStat": {
                    "Metric": {
                        "Namespace": DEMO_QUALITY_NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [
                            {"Name": "EndpointName", "Value": CANARY_ENDPOINT},
                            {"Name": "VariantName", "Value": variant},
                        ],
                    },
                    "Period": 60,
                    "Stat": "Sum",
                },
            }
        ],
        StartTime=T0 - timedelta(hours=1),
        EndTime=T0 + timedelta(minutes=10),
    )
    result = response["MetricDataResults"][0]
    return dict(zip(result["Timestamps"], result["Values"], strict=True))


@pytest.mark.parametrize(
    ("scenario", "canary_accuracy"), [("healthy", 0.92), ("accuracy-regression", 0.86)]
)
def test_labels_arrive_late_dated_at_the_request(
    demo_account: list[str],
    sagemaker_client: Any,
    cloudwatch_client: Any,
    scenario: str,
    canary_accuracy: float,
) -> None:
    simulator = make_simulator(sagemaker_client, cloudwatch_client, scenario)
    simulator.backfill(T0)
    labelled = _sums(cloudwatch_client, CANARY_VARIANT, "Labeled")
    # The last two minutes' labels are not in yet: the newest labelled minute is T0-3m.
    assert max(labelled) == T0 - timedelta(minutes=3)
    simulator.tick(T0 + timedelta(minutes=2))
    assert max(_sums(cloudwatch_client, CANARY_VARIANT, "Labeled")) == T0 - timedelta(minutes=1)

    for variant, accuracy in ((BASELINE_VARIANT, 0.92), (CANARY_VARIANT, canary_accuracy)):
        trials = sum(_sums(cloudwatch_client, variant, "Labeled").values())
        correct = sum(_sums(cloudwatch_client, variant, "Correct").values())
        assert correct / trials == pytest.approx(accuracy, abs=0.015), variant
    invocations = 40 * 0.1 * 3600  # the canary's ~4 requests a second, an hour
    assert sum(labelled.values()) == pytest.approx(invocations * 0.25, rel=0.2)


def test_the_demo_console_judges_accuracy_unless_the_user_configured_metrics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from canary_tui.config import config_path, load_settings
    from canary_tui.demo.quality import QUALITY_ENV, demo_quality_override

    override = demo_quality_override()
    assert list(override) == [QUALITY_ENV]
    monkeypatch.setenv(QUALITY_ENV, override[QUALITY_ENV])
    metric = load_settings().settings.verdict.metrics[0]
    assert metric.name == "accuracy" and metric.namespace == DEMO_QUALITY_NAMESPACE
    assert demo_quality_override() == {}  # already set: left alone
    monkeypatch.delenv(QUALITY_ENV)
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '[[verdict.metrics]]\nname = "mine"\nnamespace = "X"\nkind = "continuous"\n'
        'metric = "M"\ndirection = "lower"\nallowed_change = 5\n'
    )
    assert demo_quality_override() == {}  # the user's own metrics apply

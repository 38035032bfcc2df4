"""A ramp step whose outcome is unknown holds the ramp: no next step, no blind rollback."""

from __future__ import annotations

from typing import Any

from canary_tui.domain.ramp import Phase
from tests.aws.faults import FaultInjector, internal_error
from tests.aws.test_ramp_runner import ENDPOINT, make_harness, plan  # noqa: F401 (fixture)


def test_an_unknown_outcome_pauses_the_ramp_and_says_so(make_harness: Any) -> None:  # noqa: F811
    harness = make_harness("healthy")
    faults = FaultInjector()
    faults.install(harness.backend.clients)

    def answer_lost_and_endpoint_updating(operation: str) -> Exception:
        # The write's answer is a 500, and every read after it shows the endpoint Updating
        # with the old weights: the update may be ours, or not.
        faults.rewrite("DescribeEndpoint", lambda parsed: parsed.update(EndpointStatus="Updating"))
        return internal_error()(operation)

    faults.fail_attempts("UpdateEndpointWeightsAndCapacities", answer_lost_and_endpoint_updating)
    runner = harness.runner(return_when_paused=True)
    state = runner.run(runner.start(plan()))

    assert state.phase is Phase.PAUSED
    assert faults.calls_to("UpdateEndpointWeightsAndCapacities") == 1  # no rollback sent
    assert state.status_reason is not None
    assert "outcome unknown" in state.status_reason
    assert "the ramp is paused: look at the endpoint, then resume or abort" in state.status_reason
    assert harness.weights() == {"current-model": 0.9, "new-model": 0.1}
    [entry] = harness.audit.entries()
    assert entry.result == "unknown"
    assert entry.intent.source == "ramp"
    assert ENDPOINT in harness.messages()[-1]

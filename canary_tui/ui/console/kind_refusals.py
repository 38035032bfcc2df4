"""Writes an endpoint's kind forbids, refused in the console before any editor opens: the
reason is said (change_guards words it), nothing is sent."""

from __future__ import annotations

from textual.widget import Widget

from canary_tui.change_guards import capacity_kind_refusal, deployment_refusal, weights_refusal
from canary_tui.domain.models import Endpoint


def _said(screen: Widget, refusal: str | None) -> bool:
    if refusal is not None:
        screen.notify(refusal, title="Refused", severity="warning", timeout=10)
    return refusal is not None


def refuse_weights(screen: Widget, endpoint: Endpoint) -> bool:
    """A running deployment or inference components: True (and said) when refused."""
    return _said(screen, weights_refusal(endpoint))


def refuse_capacity(screen: Widget, endpoint: Endpoint, variant: str) -> bool:
    """A running deployment, a serverless or shadow variant: True (and said) when refused."""
    return _said(screen, capacity_kind_refusal(endpoint, variant))


def edits_serverless(endpoint: Endpoint, variant: str) -> bool:
    """A serverless production variant with no deployment running: `c` edits its
    concurrency (ServerlessUpdateConfig) instead of refusing."""
    try:
        chosen = endpoint.variant(variant)
    except KeyError:
        return False
    return chosen.is_serverless and not chosen.shadow and deployment_refusal(endpoint) is None

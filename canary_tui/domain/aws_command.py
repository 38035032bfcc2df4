"""The AWS CLI command that sends the same request as a planned change: shown in the confirm
dialog so an operator can read it in the terms they know, copy it into a runbook or a ticket,
or send it by hand if canary-tui cannot (k9s users asked for exactly this)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

COMMAND = "aws sagemaker update-endpoint-weights-and-capacities"


def _shorthand_value(value: object) -> str:
    if isinstance(value, Mapping):
        # A structure (ServerlessUpdateConfig): the shorthand's braces, {Key=value,...}.
        inner = ",".join(f"{key}={_shorthand_value(item)}" for key, item in value.items())
        return "{" + inner + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # repr: the exact double that is sent, never a rounded look-alike.
        return repr(value)
    return str(value)


def update_weights_command(
    request: Mapping[str, object], *, region: str | None = None, profile: str | None = None
) -> str:
    """``request``: the UpdateEndpointWeightsAndCapacities parameters (a plan's api_request).
    Variants in the CLI's shorthand syntax (``VariantName=a,DesiredWeight=0.9``), every word
    quoted for a POSIX shell where it needs it."""
    entries = request.get("DesiredWeightsAndCapacities", ())
    assert isinstance(entries, Sequence)
    shorthand = [
        ",".join(f"{key}={_shorthand_value(value)}" for key, value in entry.items())
        for entry in entries
        if isinstance(entry, Mapping)
    ]
    words = [COMMAND, "--endpoint-name", shlex.quote(str(request["EndpointName"]))]
    words += ["--desired-weights-and-capacities", *(shlex.quote(item) for item in shorthand)]
    if region:
        words += ["--region", shlex.quote(region)]
    if profile:
        words += ["--profile", shlex.quote(profile)]
    return " ".join(words)

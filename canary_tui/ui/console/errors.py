"""One line for a person from whatever a worker raised."""

from __future__ import annotations

from canary_tui.aws.errors import AwsError
from canary_tui.changes import ChangeRefused, SettleTimeout
from canary_tui.domain.weights import WeightInputError
from canary_tui.settle import EndpointStuck


def error_text(error: BaseException) -> str:
    if isinstance(
        error, AwsError | ChangeRefused | WeightInputError | SettleTimeout | EndpointStuck
    ):
        return error.message
    return f"{type(error).__name__}: {error}"

"""Did a failed request reach AWS? The answer decides whether a write must be checked.

* ``not-sent``: it failed before a byte left (credentials, parameter validation, region,
  a refused or timed-out connect). Nothing was sent.
* ``rejected``: AWS answered with a 4xx error that says it did not act on it (validation,
  access denied, throttling, expired credentials). Something was sent; nothing was changed.
* ``maybe``: the request may have been received and acted on, and the answer does not say
  so (a read timeout, a connection closed after sending, a 5xx, or "Cannot update
  in-progress endpoint", which a proxy's or SDK's silent retry of an accepted request gets).
  Only a fresh look at the endpoint can tell.
"""

from __future__ import annotations

from typing import Literal

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoRegionError,
    ParamValidationError,
    ProfileNotFound,
)

from canary_tui.aws.errors import AwsError, UpdateInProgress

Delivery = Literal["not-sent", "rejected", "maybe"]

# Raised by botocore while building or signing the request, before anything is sent.
_BEFORE_SENDING: tuple[type[Exception], ...] = (
    EndpointConnectionError,  # the TCP connect failed (refused, no route, DNS)
    ConnectTimeoutError,  # no connection within connect_timeout: no request bytes went out
    ParamValidationError,
    NoRegionError,
    ProfileNotFound,
)
# Without a botocore cause (an error built by a test double), go by our kind.
_REJECTED_KINDS = frozenset(
    {
        "validation",
        "access-denied",
        "throttled",
        "credentials",
        "not-found",
        "configuration",
        "quota",
        "clock-skew",
    }
)


def delivery_of(error: AwsError) -> Delivery:
    """Whether the request behind ``error`` may have reached AWS (see the module doc)."""
    if isinstance(error, UpdateInProgress):
        return "maybe"
    cause = error.__cause__
    if isinstance(cause, ClientError):
        status = int(cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        # 4xx: AWS read the request and refused it. 5xx or no status: it may have acted.
        return "rejected" if 400 <= status < 500 else "maybe"
    if isinstance(cause, _BEFORE_SENDING):
        return "not-sent"
    if isinstance(cause, BotoCoreError):
        # Credential errors are raised while signing, before sending; everything else
        # botocore raises here (read timeout, connection closed, SSL) may come after.
        if error.kind in ("credentials", "configuration"):
            return "not-sent"
        return "maybe"
    if cause is None and error.kind in _REJECTED_KINDS:
        return "rejected"
    return "maybe"

"""Endpoint and variant names as SageMaker accepts them, checked before anything is sent.

The pattern and length come from the botocore model (``EndpointName`` and ``VariantName`` of
UpdateEndpointWeightsAndCapacities and DescribeEndpoint): a name with ``?``, ``&`` or ``/``
is a typo, and sending it gets an AWS-side error (exit 1) instead of a clear exit 2.
"""

from __future__ import annotations

import re

from canary_tui.domain.numbers import shown

MAX_NAME_LENGTH = 63
_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


class NameInputError(ValueError):
    """A name SageMaker would refuse. ``message`` is one line for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_valid_name(name: str) -> bool:
    return len(name) <= MAX_NAME_LENGTH and _NAME.fullmatch(name) is not None


def check_endpoint_name(name: str, *, what: str = "endpoint name") -> str:
    """``name`` unchanged, or a NameInputError saying what SageMaker allows."""
    if not is_valid_name(name):
        raise NameInputError(
            f"{shown(name)} is not a valid SageMaker {what}: 1 to {MAX_NAME_LENGTH} ASCII "
            "letters, digits and hyphens, starting and ending with a letter or digit"
        )
    return name

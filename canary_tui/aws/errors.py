"""Typed AWS errors, each with one line a person can act on.

Every gateway call goes through :func:`translated`, so callers handle a small closed set of
errors instead of botocore's open-ended ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

try:  # present in every botocore that has SSO; guarded so an old one still imports
    from botocore.exceptions import (
        SSOTokenLoadError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )

    _SSO_ERRORS: tuple[type[Exception], ...] = (
        SSOTokenLoadError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )
except ImportError:  # pragma: no cover
    _SSO_ERRORS = ()


class AwsError(Exception):
    """Base of every error a gateway raises. ``str(error)`` is one line for a person."""

    #: Short label for status lines and audit records.
    kind = "aws-error"
    #: True when trying again later may succeed without the user doing anything.
    transient = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AwsError):
    kind = "not-found"


class UpdateInProgress(AwsError):
    kind = "in-progress"
    transient = True


class Throttled(AwsError):
    kind = "throttled"
    transient = True


class ServiceUnavailable(AwsError):
    """5xx answers, timeouts and refused connections: AWS (or the network) is not answering."""

    kind = "unavailable"
    transient = True


class CredentialsProblem(AwsError):
    """Missing, expired or SSO-expired credentials: the user must log in again."""

    kind = "credentials"


class AccessDenied(AwsError):
    kind = "access-denied"


class ValidationFailed(AwsError):
    kind = "validation"


class ConfigurationProblem(AwsError):
    """No region, unknown profile: fix the command line or the AWS config."""

    kind = "configuration"


_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "LimitExceededException",
    }
)
_EXPIRED_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)
_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException"})


def _login_hint(profile: str | None) -> str:
    return f"aws sso login --profile {profile}" if profile else "aws sso login"


def translate(error: Exception, profile: str | None = None) -> AwsError:
    """Map a botocore exception to one of ours with a message saying what to do."""
    if isinstance(error, AwsError):
        return error
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        message = str(details.get("Message", "")).strip() or code
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        operation = error.operation_name
        if code in _THROTTLING_CODES:
            return Throttled(f"AWS is throttling {operation}; backing off and retrying")
        if code in _EXPIRED_CODES:
            return CredentialsProblem(
                f"AWS rejected the credentials ({code}); refresh them, e.g. {_login_hint(profile)}"
            )
        if code in _DENIED_CODES:
            return AccessDenied(f"access denied for {operation}: {message}")
        if "Cannot update in-progress endpoint" in message:
            return UpdateInProgress(
                "the endpoint is already being updated; wait until it is InService"
            )
        if code in _NOT_FOUND_CODES or message.startswith("Could not find"):
            return NotFound(message)
        if status >= 500 or code in {"InternalFailure", "ServiceUnavailable", "InternalError"}:
            return ServiceUnavailable(f"AWS answered {status or code} to {operation}: {message}")
        return ValidationFailed(f"{operation} refused: {message}")
    if isinstance(error, _SSO_ERRORS):
        return CredentialsProblem(f"the SSO session has expired; run: {_login_hint(profile)}")
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return CredentialsProblem(
            "no AWS credentials found; set AWS_PROFILE, pass --profile, or run aws configure"
        )
    if isinstance(error, ProfileNotFound):
        return ConfigurationProblem(f"{error}; check ~/.aws/config or --profile")
    if isinstance(error, NoRegionError):
        return ConfigurationProblem("no AWS region set; pass --region or set AWS_REGION")
    if isinstance(error, ConnectTimeoutError | ReadTimeoutError):
        return ServiceUnavailable(f"AWS did not answer in time ({error})")
    if isinstance(error, EndpointConnectionError):
        return ServiceUnavailable(f"cannot reach AWS: {error}")
    if isinstance(error, BotoCoreError):
        return ServiceUnavailable(f"AWS request failed: {error}")
    raise error


@contextmanager
def translated(profile: str | None = None) -> Iterator[None]:
    """Re-raise botocore errors inside the block as :class:`AwsError` subclasses."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise translate(error, profile) from error

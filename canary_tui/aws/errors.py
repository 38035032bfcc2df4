"""Typed AWS errors, each with one line a person can act on.

Every gateway call goes through :func:`translated`, so callers handle a small closed set of
errors instead of botocore's open-ended ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigParseError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    InvalidConfigError,
    InvalidRegionError,
    NoAuthTokenError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    UnknownCredentialError,
)
from botocore.exceptions import ValidationError as BotoValidationError

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
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
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
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "AuthFailure",
    }
)
_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException"})
_SERVER_CODES = frozenset(
    {
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "InternalServiceError",
        "InternalServiceFault",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
# Long enough for any AWS message a person needs; short enough for a status line.
_MAX_DETAIL = 200


def _one_line(text: str) -> str:
    """AWS (or a proxy in front of it) may answer with HTML or several lines: keep one."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "\u2026"


def _login_hint(profile: str | None) -> str:
    return f"aws sso login --profile {profile}" if profile else "aws sso login"


def _translate_client_error(error: ClientError, profile: str | None) -> AwsError:
    details = error.response.get("Error", {})
    code = str(details.get("Code", ""))
    message = _one_line(str(details.get("Message", ""))) or code
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    operation = error.operation_name
    if code in _THROTTLING_CODES or status == 429:
        return Throttled(f"AWS is throttling {operation}; backing off and retrying")
    if code in _EXPIRED_CODES:
        return CredentialsProblem(
            f"AWS rejected the credentials ({code}); refresh them, e.g. {_login_hint(profile)}"
        )
    if code in _DENIED_CODES:
        return AccessDenied(f"access denied for {operation}: {message}")
    # SageMaker reports both of these as a plain ValidationException; only the text differs.
    if "Cannot update in-progress endpoint" in message:
        return UpdateInProgress("the endpoint is already being updated; wait until it is InService")
    if code in _NOT_FOUND_CODES or message.startswith("Could not find"):
        return NotFound(message)
    if status >= 500 or code in _SERVER_CODES:
        return ServiceUnavailable(f"AWS answered {status or code} to {operation}: {message}")
    return ValidationFailed(f"{operation} refused: {message}")


def translate(error: Exception, profile: str | None = None) -> AwsError:
    """Map a botocore exception to one of ours with a message saying what to do.

    ``profile`` is the profile in effect, named in the login hint. Anything that is neither
    a botocore error nor already ours is a bug, and is re-raised as it is.
    """
    if isinstance(error, AwsError):
        return error
    if isinstance(error, ClientError):
        return _translate_client_error(error, profile)
    if isinstance(error, _SSO_ERRORS):
        return CredentialsProblem(f"the SSO session has expired; run: {_login_hint(profile)}")
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return CredentialsProblem(
            "no AWS credentials found; set AWS_PROFILE, pass --profile, or run aws configure"
        )
    if isinstance(error, CredentialRetrievalError | NoAuthTokenError | UnknownCredentialError):
        return CredentialsProblem(
            f"could not get AWS credentials ({_one_line(str(error))}); "
            f"refresh them, e.g. {_login_hint(profile)}"
        )
    if isinstance(error, ProfileNotFound):
        return ConfigurationProblem(f"{error}; check ~/.aws/config or --profile")
    if isinstance(error, NoRegionError):
        return ConfigurationProblem("no AWS region set; pass --region or set AWS_REGION")
    if isinstance(error, InvalidRegionError):
        return ConfigurationProblem(f"{_one_line(str(error))}; check --region or AWS_REGION")
    if isinstance(error, ConfigParseError | InvalidConfigError):
        return ConfigurationProblem(f"the AWS config is not usable: {_one_line(str(error))}")
    if isinstance(error, ParamValidationError | BotoValidationError):
        return ValidationFailed(f"invalid request: {_one_line(str(error))}")
    if isinstance(error, ConnectTimeoutError | ReadTimeoutError):
        return ServiceUnavailable(f"AWS did not answer in time ({error})")
    if isinstance(error, EndpointConnectionError):
        return ServiceUnavailable(f"cannot reach AWS: {error}")
    if isinstance(error, ConnectionClosedError):
        return ServiceUnavailable(f"the connection to AWS was closed: {error}")
    if isinstance(error, BotoCoreError):
        return ServiceUnavailable(f"AWS request failed: {_one_line(str(error))}")
    raise error


@contextmanager
def translated(profile: str | None = None) -> Iterator[None]:
    """Re-raise botocore errors inside the block as :class:`AwsError` subclasses."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise translate(error, profile) from error

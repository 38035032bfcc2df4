"""Typed AWS errors, each with one line a person can act on.

Every gateway call goes through :func:`translated`, so callers handle a small closed set of
errors instead of botocore's open-ended ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

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
    RefreshWithMFAUnsupportedError,
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


class MfaCodeNotGiven(BotoCoreError):
    """Raised by our MFA prompters inside botocore's credential loading: no code came."""

    fmt = "{reason}"


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


class QuotaExceeded(AwsError):
    """An account quota (SageMaker instances, Auto Scaling targets, CloudWatch alarms) is
    reached. Not throttling: waiting does not help, a quota increase or a smaller ask does."""

    kind = "quota"


class ClockSkew(AwsError):
    """AWS refused the signature because this machine's clock is wrong. Logging in again
    does not help; fixing the clock does."""

    kind = "clock-skew"


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
    }
)
# Quotas, not rates: SageMaker's ResourceLimitExceeded (e.g. instances per type for
# endpoint usage); Application Auto Scaling's LimitExceededException (a per-account
# resource limit); CloudWatch's LimitExceededException ("exceeded one or more limits") and
# LimitExceeded (the alarm quota). Retrying the same request gets the same answer.
_QUOTA_CODES = frozenset({"ResourceLimitExceeded", "LimitExceededException", "LimitExceeded"})
# Signature refusals that are about time, not keys. SageMaker (JSON) says
# InvalidSignatureException "Signature expired: ...", query APIs (STS, CloudWatch) say
# SignatureDoesNotMatch with the same text, S3-style APIs RequestTimeTooSkewed, EC2-style
# RequestExpired. Without the skew wording the first two are credential problems.
_SKEW_CODES = frozenset({"RequestTimeTooSkewed"})
_MAYBE_SKEW_CODES = frozenset(
    {"InvalidSignatureException", "SignatureDoesNotMatch", "RequestExpired", "AuthFailure"}
)
_SKEW_TEXT = re.compile(
    r"signature expired|signature not yet current|too skewed|clock skew|"
    r"is (now|still) (earlier|later) than|request has expired",
    re.IGNORECASE,
)
# "Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z
# (20260101T001500Z - 15 min.)": the first stamp is ours, the one in brackets AWS's now.
_SKEW_STAMPS = re.compile(
    r"(\d{8}T\d{6}Z) is (?:now|still) (?:earlier|later) than \S+ \((\d{8}T\d{6}Z)"
)
_INSTANCE_TYPE = re.compile(r"\b(ml\.[a-z0-9-]+\.[a-z0-9-]+)\b")
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


def _parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def clock_offset_seconds(
    message: str, headers: Mapping[str, str], now: datetime | None = None
) -> float | None:
    """How far this machine's clock is ahead of AWS's (negative: behind), or None.

    From the stamps in the message when AWS gives them (exact: both are from the same
    request), else from the answer's Date header against our clock now (to the second).
    """
    stamps = _SKEW_STAMPS.search(message)
    if stamps is not None:
        ours, theirs = (_parse_stamp(stamp) for stamp in stamps.groups())
        return (ours - theirs).total_seconds()
    date = headers.get("date") or headers.get("Date")
    if date:
        try:
            theirs = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return None
        if theirs.tzinfo is None:
            return None
        return ((now or datetime.now(UTC)) - theirs).total_seconds()
    return None


def _duration(seconds: float) -> str:
    seconds = round(abs(seconds))
    if seconds < 120:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} days"


def clock_skew_message(offset: float | None, detail: str) -> str:
    if offset is None:
        off = f"off (AWS said: {detail})"
    else:
        off = f"off by {_duration(offset)} ({'ahead of' if offset > 0 else 'behind'} AWS)"
    return f"this machine's clock is {off}: fix the clock (chrony/ntp), then try again"


def _quota_message(code: str, operation: str, message: str) -> str:
    if code == "ResourceLimitExceeded":
        instance_type = _INSTANCE_TYPE.search(message)
        if instance_type is not None:
            return (
                f"the account's instance quota for {instance_type.group(1)} is reached: ask for "
                "a quota increase (Service Quotas) or lower the count"
            )
        return (
            f"a SageMaker account quota is reached ({message}): ask for a quota increase "
            "(Service Quotas) or lower the count"
        )
    return (
        f"an AWS account limit is reached for {operation} ({message}): ask for a quota "
        "increase (Service Quotas) or ask for less"
    )


def _login_hint(profile: str | None) -> str:
    return f"aws sso login --profile {profile}" if profile else "aws sso login"


def _translate_client_error(error: ClientError, profile: str | None) -> AwsError:
    details = error.response.get("Error", {})
    code = str(details.get("Code", ""))
    message = _one_line(str(details.get("Message", ""))) or code
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    operation = error.operation_name
    if code in _SKEW_CODES or (code in _MAYBE_SKEW_CODES and _SKEW_TEXT.search(message)):
        headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
        return ClockSkew(clock_skew_message(clock_offset_seconds(message, headers), message))
    if code in _QUOTA_CODES:
        return QuotaExceeded(_quota_message(code, operation, message))
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
    if isinstance(error, MfaCodeNotGiven):
        return CredentialsProblem(_one_line(str(error)))
    if isinstance(error, RefreshWithMFAUnsupportedError):
        return CredentialsProblem(
            "the MFA session of this profile has expired: start canary-tui again and enter a "
            "new code"
        )
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

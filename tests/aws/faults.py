"""Fault injection and call counting at the botocore level, for tests and benchmarks.

moto answers like AWS when things go well; it cannot throttle, expire credentials, drop the
connection or report an endpoint as ``Updating``. :class:`FaultInjector` adds exactly those,
through botocore's own event hooks, on the clients canary-tui builds itself, so everything above
botocore (our gateways, error translation, workers, UI) runs unchanged.

Usage::

    faults = FaultInjector()
    clients = AwsClients(target, config=client_config(max_attempts=1), on_client_created=faults)
    backend = build_backend(clients)
    # or, for an existing Backend/AwsClients built without it: faults.install(backend.clients)

    faults.fail("sagemaker.DescribeEndpoint", throttling())      # every call fails...
    faults.fail("DescribeEndpoint", expired_token(), times=2)     # ...or only the next two
    ...                                                           # assert STALE, etc.
    faults.clear()                                                # AWS answers again
    assert faults.calls["sagemaker.ListEndpoints"] == 2           # API calls (pages count)
    assert faults.attempts["cloudwatch.GetMetricData"] == 1       # HTTP attempts (retries count)
    faults.rewrite("sagemaker.DescribeEndpoint", as_updating)     # edit a parsed answer

API
---
``FaultInjector()`` is callable as ``on_client_created(service, client)``; ``install(clients)``
wraps an existing :class:`AwsClients` (drops its cached clients so they are rebuilt hooked).

Operations are named ``"<service>.<Operation>"`` (``"sagemaker.DescribeEndpoint"``,
``"cloudwatch.GetMetricData"``, ``"sts.GetCallerIdentity"``) or just ``"<Operation>"`` for any
service. Counters are :class:`collections.Counter` keyed by the full ``"<service>.<Operation>"``.

* ``fail(operation, fault, times=None) -> FaultRule``: from now on the operation raises
  ``fault(operation_name)`` *before* anything is sent (``before-call``), so botocore does not
  retry it and nothing reaches moto: a refused write really sends nothing. ``times`` limits how
  many calls fail; ``None`` means until cleared; ``after=n`` lets the next ``n`` calls through
  first (e.g. the data call succeeds, the probe after it fails). ``fault`` is one of the
  factories below or any ``Callable[[str], Exception]``.
* ``fail_attempts(operation, fault, times=None)``: the same at the HTTP-attempt level
  (``before-send``): botocore's retry logic sees the failure, as it would a real dropped
  connection. Use it for connection-level faults (``connection_refused``, ``read_timeout``).
* ``clear(operation=None)``: remove every fault (or the faults of one operation): recovery.
* ``rewrite(operation, edit)``: after each successful call, ``edit(parsed_response)`` may change
  the parsed answer in place (e.g. make DescribeEndpoint say ``Updating``). ``clear`` removes
  rewrites too.
* ``calls``, ``attempts``: counters per operation; ``reset_counts()`` zeroes them;
  ``calls_to(operation)`` accepts the short or full name.
* ``access_keys``: the access key id each HTTP attempt was signed with, in order, to check
  which credentials were used (e.g. after ``AwsClients.reset()``); ``signed_regions``: the
  region in each signature's scope.
* ``requests``: the parameters of each API call, ``(operation, params)``, in order.

Fault factories (real AWS error codes and messages): ``throttling``, ``expired_token``,
``access_denied``, ``update_in_progress``, ``not_found``, ``internal_error``,
``service_unavailable``, ``validation``, ``client_error(code, message, status)``; botocore
exceptions: ``connection_refused``, ``read_timeout``, ``connect_timeout``, ``sso_expired``,
``no_credentials``.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
    UnauthorizedSSOTokenError,
)

from canary_tui.aws.session import AwsClients

Fault = Callable[[str], Exception]
ResponseEdit = Callable[[dict[str, Any]], None]

_ACCOUNT_ARN = "arn:aws:sts::123456789012:assumed-role/canary-operator/alice"


def client_error(code: str, message: str, status: int = 400) -> Fault:
    """A ClientError as botocore builds it from an AWS error response."""

    def build(operation: str) -> Exception:
        return ClientError(
            {
                "Error": {"Code": code, "Message": message, "Type": "Sender"},
                "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "fault-injected"},
            },
            operation,
        )

    return build


def throttling(service: str = "sagemaker") -> Fault:
    # SageMaker (JSON protocol) says ThrottlingException; CloudWatch and STS say Throttling.
    code = "ThrottlingException" if service == "sagemaker" else "Throttling"
    return client_error(code, "Rate exceeded", 400)


def expired_token() -> Fault:
    return client_error(
        "ExpiredTokenException", "The security token included in the request is expired", 400
    )


def access_denied(action: str = "sagemaker:UpdateEndpointWeightsAndCapacities") -> Fault:
    return client_error(
        "AccessDeniedException",
        f"User: {_ACCOUNT_ARN} is not authorized to perform: {action} "
        "because no identity-based policy allows the action",
        400,
    )


def update_in_progress(endpoint: str = "existing-endpoint-name") -> Fault:
    return client_error(
        "ValidationException",
        f'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:123456789012:'
        f'endpoint/{endpoint}".',
        400,
    )


def not_found(endpoint: str = "existing-endpoint-name") -> Fault:
    return client_error(
        "ValidationException",
        f'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/{endpoint}".',
        400,
    )


def validation(message: str = "1 validation error detected") -> Fault:
    return client_error("ValidationException", message, 400)


def internal_error() -> Fault:
    return client_error("InternalFailure", "An internal error occurred", 500)


def service_unavailable() -> Fault:
    return client_error("ServiceUnavailable", "Service Unavailable", 503)


def connection_refused(url: str = "https://api.sagemaker.us-east-1.amazonaws.com/") -> Fault:
    return lambda operation: EndpointConnectionError(endpoint_url=url)


def read_timeout(url: str = "https://api.sagemaker.us-east-1.amazonaws.com/") -> Fault:
    return lambda operation: ReadTimeoutError(endpoint_url=url)


def connect_timeout(url: str = "https://api.sagemaker.us-east-1.amazonaws.com/") -> Fault:
    return lambda operation: ConnectTimeoutError(endpoint_url=url)


def sso_expired() -> Fault:
    return lambda operation: UnauthorizedSSOTokenError()


def no_credentials() -> Fault:
    return lambda operation: NoCredentialsError()


@dataclass
class FaultRule:
    operation: str
    fault: Fault
    #: Calls still to fail; None: until cleared.
    remaining: int | None = None
    #: How many times this rule fired.
    fired: int = 0
    #: Matching calls still to let through before failing.
    skip: int = 0

    def matches(self, full_name: str) -> bool:
        return self.operation == full_name or self.operation == full_name.split(".", 1)[1]


@dataclass
class _Rewrite:
    operation: str
    edit: ResponseEdit


# "Credential=AKID/20260101/eu-west-1/sagemaker/aws4_request" in a SigV4 Authorization header
_CREDENTIAL_IN_AUTH = re.compile(r"Credential=([^/,\s]+)/\d+/([^/,\s]+)/")


@dataclass
class FaultInjector:
    calls: Counter[str] = field(default_factory=Counter)
    attempts: Counter[str] = field(default_factory=Counter)
    access_keys: list[str] = field(default_factory=list)
    signed_regions: list[str] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _call_rules: list[FaultRule] = field(default_factory=list)
    _attempt_rules: list[FaultRule] = field(default_factory=list)
    _rewrites: list[_Rewrite] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- wiring ---------------------------------------------------------------------------

    def __call__(self, service: str, client: Any) -> None:
        """``on_client_created`` hook: register our handlers on a newly built client."""
        events = client.meta.events
        events.register("before-parameter-build", self._before_parameter_build)
        events.register("before-call", self._before_call)
        events.register("before-send", self._before_send)
        events.register("after-call", self._after_call)

    def install(self, clients: AwsClients) -> None:
        """Hook an already built :class:`AwsClients` (its clients are rebuilt on next use)."""
        previous = clients._on_client_created

        def chained(service: str, client: Any) -> None:
            if previous is not None:
                previous(service, client)
            self(service, client)

        clients._on_client_created = chained
        clients.reset()

    # -- faults -----------------------------------------------------------------------------

    def fail(
        self, operation: str, fault: Fault, times: int | None = None, *, after: int = 0
    ) -> FaultRule:
        rule = FaultRule(operation, fault, times, skip=after)
        with self._lock:
            self._call_rules.append(rule)
        return rule

    def fail_attempts(
        self, operation: str, fault: Fault, times: int | None = None, *, after: int = 0
    ) -> FaultRule:
        rule = FaultRule(operation, fault, times, skip=after)
        with self._lock:
            self._attempt_rules.append(rule)
        return rule

    def rewrite(self, operation: str, edit: ResponseEdit) -> None:
        with self._lock:
            self._rewrites.append(_Rewrite(operation, edit))

    def clear(self, operation: str | None = None) -> None:
        with self._lock:
            if operation is None:
                self._call_rules.clear()
                self._attempt_rules.clear()
                self._rewrites.clear()
                return
            self._call_rules = [r for r in self._call_rules if r.operation != operation]
            self._attempt_rules = [r for r in self._attempt_rules if r.operation != operation]
            self._rewrites = [r for r in self._rewrites if r.operation != operation]

    # -- counters ---------------------------------------------------------------------------

    def calls_to(self, operation: str) -> int:
        with self._lock:
            if "." in operation:
                return self.calls[operation]
            return sum(n for name, n in self.calls.items() if name.endswith(f".{operation}"))

    def reset_counts(self) -> None:
        with self._lock:
            self.calls.clear()
            self.attempts.clear()
            self.access_keys.clear()
            self.signed_regions.clear()
            self.requests.clear()

    # -- botocore handlers ------------------------------------------------------------------

    @staticmethod
    def _full_name(event_name: str) -> str:
        # "before-call.sagemaker.ListEndpoints" -> "sagemaker.ListEndpoints"
        return event_name.split(".", 1)[1]

    def _take(self, rules: list[FaultRule], full_name: str) -> FaultRule | None:
        for rule in rules:
            if rule.matches(full_name) and (rule.remaining is None or rule.remaining > 0):
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                rule.fired += 1
                return rule
        return None

    def _before_parameter_build(self, event_name: str, params: Any = None, **kwargs: Any) -> None:
        # The API parameters as the caller gave them (before-call sees the serialized body).
        with self._lock:
            self.requests.append((self._full_name(event_name), dict(params or {})))

    def _before_call(self, event_name: str, **kwargs: Any) -> None:
        full_name = self._full_name(event_name)
        with self._lock:
            self.calls[full_name] += 1
            rule = self._take(self._call_rules, full_name)
        if rule is not None:
            raise rule.fault(full_name.split(".", 1)[1])

    def _before_send(self, event_name: str, request: Any = None, **kwargs: Any) -> None:
        full_name = self._full_name(event_name)
        authorization = ""
        if request is not None:
            raw = request.headers.get("Authorization", b"")
            authorization = raw.decode() if isinstance(raw, bytes) else str(raw)
        match = _CREDENTIAL_IN_AUTH.search(authorization)
        with self._lock:
            self.attempts[full_name] += 1
            if match:
                self.access_keys.append(match.group(1))
                self.signed_regions.append(match.group(2))
            rule = self._take(self._attempt_rules, full_name)
        if rule is not None:
            raise rule.fault(full_name.split(".", 1)[1])

    def _after_call(self, event_name: str, parsed: Any = None, **kwargs: Any) -> None:
        full_name = self._full_name(event_name)
        with self._lock:
            short_name = full_name.split(".", 1)[1]
            edits = [r.edit for r in self._rewrites if r.operation in (full_name, short_name)]
        # An error answer is left alone: a rewrite describes a successful one.
        if isinstance(parsed, dict) and "Error" not in parsed:
            for edit in edits:
                edit(parsed)

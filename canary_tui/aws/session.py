"""Building boto3 clients the way every AWS tool does: the standard chain plus our flags."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from canary_tui import __version__
from canary_tui.aws.errors import MfaCodeNotGiven, translated

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sts import STSClient

#: botocore's assume-role prompter: given the prompt, returns the MFA code.
MfaPrompter = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class AwsTarget:
    """Where to talk to. None means: let boto3's standard chain decide.

    ``endpoint_url`` overrides every service (like ``--endpoint-url`` in the AWS CLI);
    without it boto3 honours ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``.
    """

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


def client_config(
    *, max_attempts: int = 4, connect_timeout: float = 5, read_timeout: float = 15
) -> Config:
    """botocore settings for every client. ``max_attempts`` counts the first try.

    Standard retry mode backs off with jitter on throttling and 5xx, bounded in attempts;
    short timeouts keep a dead link from holding a worker for minutes. Note botocore's
    ``max_attempts`` key means *retries* (1 would be two tries); ``total_max_attempts``
    is what the name says. These retry settings are defaults: for read clients, the user's
    ``AWS_MAX_ATTEMPTS`` / ``AWS_RETRY_MODE`` (or ``max_attempts`` / ``retry_mode`` in the
    profile) win, see :func:`user_retry_config`.
    """
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        user_agent_extra=f"canary-tui/{__version__}",
    )


def _user_retry_keys(session: boto3.Session) -> set[str]:
    """Which of our retry keys the user has set in the environment or the profile."""
    scoped = session._session.get_scoped_config()
    keys: set[str] = set()
    if os.environ.get("AWS_MAX_ATTEMPTS") or scoped.get("max_attempts"):
        keys |= {"total_max_attempts", "max_attempts"}
    if os.environ.get("AWS_RETRY_MODE") or scoped.get("retry_mode"):
        keys.add("mode")
    return keys


def user_retry_config(config: Config, session: boto3.Session) -> Config:
    """``config`` without the retry settings the user chose: an explicit Config value beats
    the environment and the profile in botocore, so ours must be absent for theirs to win."""
    user_keys = _user_retry_keys(session)
    ours: dict[str, Any] = dict(getattr(config, "retries", None) or {})
    if not user_keys or not ours:
        return config
    retries = {key: value for key, value in ours.items() if key not in user_keys}
    return config.merge(Config(retries=retries))  # type: ignore[arg-type]


def mfa_serial_of(session: boto3.Session, profile: str | None) -> str | None:
    """The MFA device botocore will ask a code for when it assumes the profile's role (the
    profile's own, or one along its ``source_profile`` chain), else None."""
    profiles: dict[str, dict[str, Any]] = session._session.full_config.get("profiles", {})
    name: str | None = profile or session.profile_name
    seen: set[str] = set()
    while name and name not in seen:
        seen.add(name)
        section = profiles.get(name, {})
        if "role_arn" in section and section.get("mfa_serial"):
            return str(section["mfa_serial"])
        name = section.get("source_profile")
    return None


def _no_mfa_prompter(prompt: str) -> str:
    # botocore's default prompter is getpass in whatever thread asks, a worker included,
    # where it would hang reading the terminal the console draws on.
    raise MfaCodeNotGiven(
        reason="this profile needs an MFA code and nothing here can ask for it: "
        "start canary-tui from a terminal"
    )


def install_mfa_prompter(session: boto3.Session, prompter: MfaPrompter) -> None:
    """Make botocore's assume-role provider ask ``prompter`` for MFA codes."""
    resolver = session._session.get_component("credential_provider")
    provider = resolver.get_provider("assume-role")
    # botocore offers no public setter; the attribute is what AssumeRoleProvider hands to
    # its fetcher when credentials are first loaded (botocore/credentials.py).
    provider._prompter = prompter


class AwsClients:
    """Lazily built, thread-safe clients for one target.

    :meth:`reset` drops the session so the next call re-resolves credentials: after an
    ``aws sso login`` or refreshed environment, the console picks them up without a restart.
    """

    def __init__(
        self,
        target: AwsTarget,
        config: Config | None = None,
        on_client_created: Callable[[str, Any], None] | None = None,
        mfa_prompter: MfaPrompter | None = None,
    ) -> None:
        self.target = target
        self._config = config or client_config()
        # Never botocore's getpass: the CLI asks before anything starts, the console in a
        # dialog; anything else refuses with one line.
        self._mfa_prompter: MfaPrompter = mfa_prompter or _no_mfa_prompter
        # Tests and benchmarks hook botocore events here (fault injection, call counting);
        # it runs again for clients rebuilt after reset().
        self._on_client_created = on_client_created
        self._lock = threading.Lock()
        self._session: boto3.Session | None = None
        self._clients: dict[str, Any] = {}

    def _client(self, service: str, *, retries: bool = True) -> Any:
        key = service if retries else f"{service}:no-retry"
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                session = self._ensure_session()
                config = self._config
                if not retries:
                    config = config.merge(
                        Config(retries={"mode": "standard", "total_max_attempts": 1})
                    )
                else:
                    config = user_retry_config(config, session)
                kwargs: dict[str, Any] = {"config": config}
                if self.target.endpoint_url:
                    kwargs["endpoint_url"] = self.target.endpoint_url
                client = session.client(service, **kwargs)  # type: ignore[call-overload]
                if self._on_client_created is not None:
                    self._on_client_created(service, client)
                self._clients[key] = client
            return client

    def _ensure_session(self) -> boto3.Session:
        if self._session is None:
            session = boto3.Session(
                profile_name=self.target.profile, region_name=self.target.region
            )
            install_mfa_prompter(session, self._mfa_prompter)
            self._session = session
        return self._session

    def set_mfa_prompter(self, prompter: MfaPrompter) -> None:
        """Ask ``prompter`` for MFA codes from now on (this session and later ones)."""
        with self._lock:
            self._mfa_prompter = prompter
            if self._session is not None:
                install_mfa_prompter(self._session, prompter)

    def mfa_serial(self) -> str | None:
        """The MFA device the profile in effect needs a code for, else None."""
        with translated(self.profile_name), self._lock:
            return mfa_serial_of(self._ensure_session(), self.target.profile)

    @property
    def sagemaker(self) -> SageMakerClient:
        return self._client("sagemaker")  # type: ignore[no-any-return]

    @property
    def sagemaker_write(self) -> SageMakerClient:
        """A SageMaker client that sends each request once: for the write.

        A retried UpdateEndpointWeightsAndCapacities whose first attempt AWS accepted (its
        answer lost to a timeout or a dropped connection) is answered "Cannot update
        in-progress endpoint", which hides that the change went through. The change path
        re-reads the endpoint instead to learn what happened.
        """
        return self._client("sagemaker", retries=False)  # type: ignore[no-any-return]

    @property
    def cloudwatch(self) -> CloudWatchClient:
        return self._client("cloudwatch")  # type: ignore[no-any-return]

    @property
    def cloudwatch_probe(self) -> CloudWatchClient:
        """A CloudWatch client that does not retry: for asking what the backend supports."""
        return self._client("cloudwatch", retries=False)  # type: ignore[no-any-return]

    @property
    def application_autoscaling(self) -> Any:
        """Application Auto Scaling (scalable targets of variants); no typed stubs installed."""
        return self._client("application-autoscaling")

    @property
    def dynamodb(self) -> Any:
        """DynamoDB (the team table, opt-in); no typed stubs installed."""
        return self._client("dynamodb")

    @property
    def cloudtrail(self) -> Any:
        """CloudTrail (who changed an endpoint: LookupEvents); no typed stubs installed."""
        return self._client("cloudtrail")

    @property
    def sts(self) -> STSClient:
        return self._client("sts")  # type: ignore[no-any-return]

    @property
    def region(self) -> str | None:
        """The region in effect (resolved by boto3 when not given)."""
        with translated(self.profile_name), self._lock:
            return self._ensure_session().region_name

    @property
    def profile_name(self) -> str | None:
        """The profile in effect: ``--profile``, else ``AWS_PROFILE``; named in login hints."""
        return (
            self.target.profile
            or os.environ.get("AWS_PROFILE")
            or os.environ.get("AWS_DEFAULT_PROFILE")
            or None
        )

    def reset(self) -> None:
        with self._lock:
            self._session = None
            self._clients.clear()

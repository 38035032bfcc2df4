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
from canary_tui.aws.errors import translated

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sts import STSClient


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
    is what the name says.
    """
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        user_agent_extra=f"canary-tui/{__version__}",
    )


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
    ) -> None:
        self.target = target
        self._config = config or client_config()
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
            self._session = boto3.Session(
                profile_name=self.target.profile, region_name=self.target.region
            )
        return self._session

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

"""STS gateway: who is making the change, for the audit log."""

from __future__ import annotations

import threading

from canary_tui.aws.errors import translated
from canary_tui.aws.session import AwsClients


class IdentityGateway:
    def __init__(self, clients: AwsClients) -> None:
        self._clients = clients
        self._arn: str | None = None
        self._lock = threading.Lock()

    def caller_arn(self) -> str:
        """The caller's ARN, asked once per credentials (cached until reset)."""
        with self._lock:
            if self._arn is None:
                with translated(self._clients.profile_name):
                    self._arn = str(self._clients.sts.get_caller_identity()["Arn"])
            return self._arn

    def reset(self) -> None:
        with self._lock:
            self._arn = None

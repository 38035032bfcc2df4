"""boto3 clients for the demo: the loopback server, fixed dummy credentials, nothing else.

The demo must talk only to its own moto server, whatever the user's shell has in it:
``AWS_PROFILE`` naming an SSO profile, a session token, ``AWS_ENDPOINT_URL`` pointing at
LocalStack, a region in ``~/.aws/config``. So the demo's botocore session reads no profile
and no config or credentials file, and gets its keys, region and endpoint passed in; the
process environment is left untouched for everything else.
"""

from __future__ import annotations

import os

import boto3
import botocore.session
from botocore.config import Config

from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.demo.seed import DEMO_REGION

__all__ = ["DEMO_REGION", "DemoAwsClients", "isolated_session", "shell_exports"]

DEMO_ACCESS_KEY_ID = "demo"
DEMO_SECRET_ACCESS_KEY = "demo"

# (config file key, environment variables, default, conversion): None means "not read".
_IGNORED_USER_SETTINGS = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


def isolated_session(region: str = DEMO_REGION) -> boto3.Session:
    """A boto3 session with the demo's credentials that ignores the user's AWS settings."""
    core = botocore.session.Session(session_vars=_IGNORED_USER_SETTINGS)
    return boto3.Session(
        aws_access_key_id=DEMO_ACCESS_KEY_ID,
        aws_secret_access_key=DEMO_SECRET_ACCESS_KEY,
        region_name=region,
        botocore_session=core,
    )


class DemoAwsClients(AwsClients):
    """:class:`AwsClients` bound to the demo server, immune to the user's AWS environment."""

    def __init__(
        self, endpoint_url: str, config: Config | None = None, region: str = DEMO_REGION
    ) -> None:
        # An empty proxy map (not None) stops botocore from reading HTTP_PROXY: a corporate
        # proxy cannot reach the user's loopback.
        super().__init__(
            # Another region is another empty simulated account (the console's :region).
            AwsTarget(region=region, endpoint_url=endpoint_url),
            (config or client_config()).merge(Config(proxies={})),
        )

    def _ensure_session(self) -> boto3.Session:
        # Overrides the standard-chain session of AwsClients (called under its lock).
        if self._session is None:
            self._session = isolated_session(self.target.region or DEMO_REGION)
        return self._session

    @property
    def profile_name(self) -> str | None:
        return None  # the user's AWS_PROFILE plays no part in the demo


def shell_exports(endpoint_url: str) -> str:
    """One line to paste into another shell to point the AWS CLI and canary-tui at the demo."""
    return (
        "unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN; "
        f"export AWS_ENDPOINT_URL={endpoint_url} "
        f"AWS_ACCESS_KEY_ID={DEMO_ACCESS_KEY_ID} "
        f"AWS_SECRET_ACCESS_KEY={DEMO_SECRET_ACCESS_KEY} "
        f"AWS_REGION={DEMO_REGION} AWS_DEFAULT_REGION={DEMO_REGION}"
    )

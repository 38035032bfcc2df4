"""AWS profiles from the user's config and credentials files, and the per-profile rules
(read-only, production) from canary-tui's settings.

Profiles are read through botocore, so ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE``
are honoured exactly as the AWS CLI honours them. Blocking (file reads): call from a worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Protocol

from canary_tui.aws.errors import translated

#: The profile boto3 uses when none is named.
DEFAULT_PROFILE = "default"


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    name: str
    #: The ``region`` in the profile's config section; None when it sets none.
    region: str | None
    #: True for profiles that log in through IAM Identity Center (``aws sso login``).
    uses_sso: bool = False


def list_profiles() -> list[ProfileInfo]:
    """Every profile in the AWS config and credentials files, sorted by name."""
    with translated():
        import botocore.session  # ~30 ms: only when profiles are listed

        session = botocore.session.Session()
        names = sorted(set(session.available_profiles))
        # The raw per-profile sections: boto3.Session(profile_name=x).region_name would let
        # AWS_REGION / AWS_DEFAULT_REGION override what the file says about each profile.
        sections: dict[str, Any] = session.full_config.get("profiles", {})
    profiles = []
    for name in names:
        section = sections.get(name) or {}
        region = section.get("region")
        profiles.append(
            ProfileInfo(
                name=name,
                region=str(region) if region else None,
                uses_sso=bool(section.get("sso_start_url") or section.get("sso_session")),
            )
        )
    return profiles


class ProfileRules(Protocol):
    """What the rules below read from the settings (``canary_tui.config.Settings`` fits)."""

    @property
    def read_only(self) -> bool: ...

    @property
    def read_only_profiles(self) -> Sequence[str]: ...

    @property
    def production_profiles(self) -> Sequence[str]: ...


def profile_in_effect(profile: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The profile boto3 will use: the one named (flag or setting), else botocore's variables
    in botocore's order (AWS_DEFAULT_PROFILE, then AWS_PROFILE), else ``default``.

    The read-only and production rules must judge this one: ``AWS_PROFILE=prod-admin``
    with ``read_only_profiles = ["prod-*"]`` is a production session like ``--profile``."""
    env = os.environ if environ is None else environ
    return profile or env.get("AWS_DEFAULT_PROFILE") or env.get("AWS_PROFILE") or DEFAULT_PROFILE


def _matching(profile: str | None, patterns: Sequence[str]) -> str | None:
    # Profile names are case-sensitive in AWS config files, so matching is too.
    name = profile_in_effect(profile)
    return next((pattern for pattern in patterns if fnmatchcase(name, pattern)), None)


def read_only_reason(profile: str | None, rules: ProfileRules) -> str | None:
    """Why changes must not be offered or sent under this profile (None: they may be).

    The one rule the console (hides and refuses writes) and the CLI (refuses set-weights,
    set-capacity, promote, rollback and ramps with exit 2) both apply."""
    if rules.read_only:
        return "read_only is set"
    pattern = _matching(profile, rules.read_only_profiles)
    if pattern is not None:
        return (
            f"profile {profile_in_effect(profile)!r} matches read_only_profiles pattern {pattern!r}"
        )
    return None


def is_read_only(profile: str | None, rules: ProfileRules) -> bool:
    """True when changes must not be offered or sent under this profile (None: default)."""
    return read_only_reason(profile, rules) is not None


def is_production(profile: str | None, rules: ProfileRules) -> bool:
    """True when this profile gets the production colour band."""
    return _matching(profile, rules.production_profiles) is not None

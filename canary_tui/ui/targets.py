"""Where the console talks to, and switching it: a new profile or region means new boto3
clients, a new backend and a new change service. No Textual here; every method that reads
files or builds sessions is blocking (call it from a thread worker)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from canary_tui.aws.errors import ConfigurationProblem, translated
from canary_tui.aws.profiles import ProfileInfo, is_production, is_read_only
from canary_tui.ui.ports import ChangeApplier, ConsoleBackend

if TYPE_CHECKING:
    from canary_tui.audit import AuditLog
    from canary_tui.aws.session import MfaPrompter
    from canary_tui.team_coordination import TeamCoordination

# boto3 and the backend are imported inside the blocking methods (worker threads): importing
# boto3 takes ~0.1 s, which the console's first frame should not wait for.

_REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


@dataclass(frozen=True, slots=True)
class ProfileRules:
    """Which profiles open read-only and which are production (from the settings)."""

    read_only: bool = False
    read_only_profiles: Sequence[str] = ()
    production_profiles: Sequence[str] = ()

    def is_read_only(self, profile: str | None) -> bool:
        return is_read_only(profile, self)

    def is_production(self, profile: str | None) -> bool:
        return is_production(profile, self)


@dataclass(frozen=True, slots=True)
class Connection:
    """A backend for one profile and region, ready for the console."""

    backend: ConsoleBackend
    #: None when the profile is read-only: nothing can be sent.
    change_service: ChangeApplier | None
    profile: str | None
    region: str
    read_only: bool
    production: bool


class TargetSwitcher(Protocol):
    """What the console needs to offer profile and region switching. Blocking methods."""

    @property
    def switches_profiles(self) -> bool: ...

    def profiles(self) -> list[ProfileInfo]: ...

    def regions(self) -> list[str]: ...

    def connect(self, profile: str | None, region: str | None) -> Connection: ...


def sagemaker_regions() -> list[str]:
    """Regions with SageMaker in every partition botocore knows (read from its data files)."""
    import boto3

    session = boto3.Session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("sagemaker", partition_name=partition))
    return sorted(regions)


def check_region(region: str, known: Sequence[str]) -> None:
    if not _REGION_NAME.fullmatch(region):
        raise ConfigurationProblem(f"not an AWS region name: {region!r}")
    if region not in known:
        raise ConfigurationProblem(
            f"SageMaker has no region {region!r} (known: {', '.join(known[:6])}, ...)"
        )


class AwsTargetSwitcher:
    """Real AWS (or whatever ``endpoint_url`` points at): profiles from the AWS config files."""

    switches_profiles = True

    def __init__(
        self,
        rules: ProfileRules,
        *,
        endpoint_url: str | None = None,
        audit: AuditLog | None = None,
        max_attempts: int = 4,
        team: TeamCoordination | None = None,
        team_profile: str | None = None,
    ) -> None:
        self.rules = rules
        self.endpoint_url = endpoint_url
        self.audit = audit
        self.max_attempts = max_attempts
        #: The team table of the profile the console started with (``team_profile``):
        #: ``:region`` keeps it; another profile (another account) uses its own table of
        #: the same name.
        self.team = team
        self.team_profile = team_profile
        #: Asks for MFA codes of assume-role profiles (the console's dialog); None: refuse.
        self.mfa_prompter: MfaPrompter | None = None

    def profiles(self) -> list[ProfileInfo]:
        from canary_tui.aws.profiles import list_profiles

        return list_profiles()

    def regions(self) -> list[str]:
        return sagemaker_regions()

    def connect(self, profile: str | None, region: str | None) -> Connection:
        from canary_tui.aws.backend import build_backend
        from canary_tui.aws.session import AwsClients, AwsTarget, client_config
        from canary_tui.changes import ChangeService

        if region is not None:
            check_region(region, self.regions())
        clients = AwsClients(
            AwsTarget(profile=profile, region=region, endpoint_url=self.endpoint_url),
            config=client_config(max_attempts=self.max_attempts),
            mfa_prompter=self.mfa_prompter,
        )
        # Reads the profile's section: an unknown profile fails here, not at the first poll.
        with translated(profile):
            resolved = clients.region
        if not resolved:
            raise ConfigurationProblem(
                f"profile {profile or 'default'} names no region; switch with :region NAME"
            )
        team = self.team if profile == self.team_profile else None
        backend = build_backend(
            clients,
            label=clients.profile_name or "default",
            team=team,
            team_table=self.team.table_name if self.team is not None else None,
        )
        if backend.team is not None and self.team is not None and backend.team is not self.team:
            backend.team.set_notify(self.team.leases.notify)
        read_only = self.rules.is_read_only(profile)
        changes = None
        if not read_only and self.audit is not None:
            changes = ChangeService(backend, self.audit, "console")
        return Connection(
            backend=backend,
            change_service=changes,
            profile=profile,
            region=resolved,
            read_only=read_only,
            production=self.rules.is_production(profile),
        )


class DemoTargetSwitcher:
    """The demo's moto server: one simulated account, so regions switch but profiles do not
    (the user's profiles must never be used against the demo, nor the demo's keys in AWS)."""

    switches_profiles = False

    def __init__(
        self, server_url: str, *, audit: AuditLog | None = None, read_only: bool = False
    ) -> None:
        self.server_url = server_url
        self.audit = audit
        self.read_only = read_only

    def profiles(self) -> list[ProfileInfo]:
        return []

    def regions(self) -> list[str]:
        return sagemaker_regions()

    def connect(self, profile: str | None, region: str | None) -> Connection:
        from canary_tui.aws.backend import build_backend
        from canary_tui.changes import ChangeService
        from canary_tui.demo.clients import DEMO_REGION, DemoAwsClients

        if profile is not None:
            raise ConfigurationProblem(
                "the demo is one simulated account: profiles cannot be switched (regions can)"
            )
        region = region or DEMO_REGION
        check_region(region, self.regions())
        backend = build_backend(DemoAwsClients(self.server_url, region=region), label="demo")
        changes = None
        if not self.read_only and self.audit is not None:
            changes = ChangeService(backend, self.audit, "console")
        return Connection(
            backend=backend,
            change_service=changes,
            profile=None,
            region=region,
            read_only=self.read_only,
            production=False,
        )

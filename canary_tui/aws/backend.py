"""One object holding every gateway for one AWS target, handed to the app and commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from canary_tui.aws.autoscaling import AutoScalingGateway
from canary_tui.aws.cloudtrail import CloudTrailGateway
from canary_tui.aws.cloudwatch import CloudWatchGateway
from canary_tui.aws.sagemaker import SageMakerGateway
from canary_tui.aws.session import AwsClients, AwsTarget
from canary_tui.aws.sts import IdentityGateway

if TYPE_CHECKING:
    from canary_tui.team_coordination import TeamCoordination


@dataclass(frozen=True, slots=True)
class Backend:
    clients: AwsClients
    sagemaker: SageMakerGateway
    cloudwatch: CloudWatchGateway
    identity: IdentityGateway
    #: Shown in the status line: "demo", or the profile name.
    label: str
    autoscaling: AutoScalingGateway
    #: The team table's lease and audit (None: no ``team_table`` set, the default).
    team: TeamCoordination | None = None
    #: Who changed an endpoint (CloudTrail Event history), read on demand only.
    cloudtrail: CloudTrailGateway | None = None

    @property
    def target(self) -> AwsTarget:
        return self.clients.target

    def reset_credentials(self) -> None:
        """Forget sessions and identity so the next call resolves credentials afresh."""
        self.clients.reset()
        self.identity.reset()


def build_backend(
    clients: AwsClients,
    label: str | None = None,
    *,
    team_table: str | None = None,
    team: TeamCoordination | None = None,
) -> Backend:
    """``team_table``: share leases and audit through that table (in the clients' region);
    ``team``: keep an existing one (a console switching region keeps its team's table)."""
    identity = IdentityGateway(clients)
    if team is None and team_table:
        from canary_tui.endpoint_lock import command_line
        from canary_tui.team_coordination import LazyClient, build_team

        team = build_team(
            LazyClient(lambda: clients.dynamodb),
            team_table,
            identity=identity.caller_arn,
            command=command_line(),
            profile=clients.profile_name,
        )
    return Backend(
        clients=clients,
        sagemaker=SageMakerGateway(clients),
        cloudwatch=CloudWatchGateway(clients),
        identity=identity,
        label=label or clients.target.profile or "default",
        autoscaling=AutoScalingGateway(clients),
        team=team,
        cloudtrail=CloudTrailGateway(lambda: clients.cloudtrail, clients.target.profile),
    )

"""One object holding every gateway for one AWS target, handed to the app and commands."""

from __future__ import annotations

from dataclasses import dataclass

from canary_tui.aws.autoscaling import AutoScalingGateway
from canary_tui.aws.cloudwatch import CloudWatchGateway
from canary_tui.aws.sagemaker import SageMakerGateway
from canary_tui.aws.session import AwsClients, AwsTarget
from canary_tui.aws.sts import IdentityGateway


@dataclass(frozen=True, slots=True)
class Backend:
    clients: AwsClients
    sagemaker: SageMakerGateway
    cloudwatch: CloudWatchGateway
    identity: IdentityGateway
    #: Shown in the status line: "demo", or the profile name.
    label: str
    autoscaling: AutoScalingGateway

    @property
    def target(self) -> AwsTarget:
        return self.clients.target

    def reset_credentials(self) -> None:
        """Forget sessions and identity so the next call resolves credentials afresh."""
        self.clients.reset()
        self.identity.reset()


def build_backend(clients: AwsClients, label: str | None = None) -> Backend:
    return Backend(
        clients=clients,
        sagemaker=SageMakerGateway(clients),
        cloudwatch=CloudWatchGateway(clients),
        identity=IdentityGateway(clients),
        label=label or clients.target.profile or "default",
        autoscaling=AutoScalingGateway(clients),
    )

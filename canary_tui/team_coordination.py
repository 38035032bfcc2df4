"""A team on one endpoint: the shared lease and the shared audit trail, held for the change
path (opt-in: only when a ``team_table`` is set; nothing here runs otherwise).

* :class:`SharedLeases` takes the endpoint's lease on the team table for a change or a ramp,
  re-entrant within the process (the CLI holds it from before it shows the plan; the change
  path takes it again), renewed by a heartbeat while held, and released at the end. A
  renewal that finds the lease gone marks it lost; the change path checks that last thing
  before a write, so an operator whose lease was broken sends nothing more.
* The team's audit trail (copies of every local record) is :mod:`canary_tui.team_audit`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from canary_tui.aws.dynamodb import LeaseHeld, LeaseLost, TeamAuditTrail, TeamTable
from canary_tui.aws.errors import AwsError
from canary_tui.team_audit import TeamAuditMirror
from canary_tui.team_lease import DEFAULT_LEASE_SECONDS, Lease

if TYPE_CHECKING:
    from canary_tui.audit_model import AuditEntry


@dataclass(slots=True)
class _Held:
    lease: Lease
    region: str | None
    depth: int = 1
    lost: str | None = None


@dataclass(slots=True)
class SharedLeases:
    """Leases on ``table`` for this process; ``owner`` gives the caller's identity ARN."""

    table: TeamTable
    owner: Callable[[], str]
    command: str
    seconds: int = DEFAULT_LEASE_SECONDS
    host: str = field(default_factory=socket.gethostname)
    notify: Callable[[str], None] | None = None
    _held: dict[tuple[str, str | None], _Held] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _beating: threading.Event | None = None

    @contextmanager
    def hold(
        self, endpoint: str, region: str | None, command: str | None = None
    ) -> Iterator[Lease]:
        """Hold the lease for the block; :class:`~canary_tui.aws.dynamodb.LeaseHeld`
        (nothing sent) when someone else has it."""
        key = (endpoint, region)
        with self._lock:
            held = self._held.get(key)
            if held is not None:
                held.depth += 1
            else:
                lease = self._acquire(endpoint, region, command or self.command)
                held = self._held[key] = _Held(lease, region)
                self._start_heartbeat()
        try:
            yield held.lease
        finally:
            with self._lock:
                held.depth -= 1
                if held.depth == 0:
                    del self._held[key]
                    self._release(held)

    def _acquire(self, endpoint: str, region: str | None, command: str) -> Lease:
        owner = self.owner()

        def take(replacing: Lease | None = None) -> Lease:
            return self.table.acquire(
                endpoint,
                region,
                owner_arn=owner,
                host=self.host,
                command=command,
                seconds=self.seconds,
                pid=os.getpid(),
                replacing=replacing,
            )

        try:
            return take()
        except LeaseHeld as held:
            left = held.holder
            # Our own run on this host that died (kill -9, a closed laptop lid is not this):
            # waiting out its TTL in an incident helps nobody, and nobody else is affected.
            if left is None or not self._left_by_dead_run(left, owner):
                raise
            lease = take(replacing=left)
            self._say(
                f"took over the shared lease on {endpoint} left by pid {left.pid} "
                f"({left.command}), which is no longer running"
            )
            return lease

    def _left_by_dead_run(self, lease: Lease, owner: str) -> bool:
        if lease.host != self.host or lease.owner_arn != owner or lease.pid <= 0:
            return False
        if lease.pid == os.getpid():
            return False  # this process: a second holder here is a bug, not a dead run
        try:
            os.kill(lease.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def _release(self, held: _Held) -> None:
        if held.lost is not None:
            return
        try:
            self.table.release(held.lease, held.region)
        except AwsError as error:
            # It expires by itself (expires_at); say so rather than fail the change.
            self._say(
                f"could not release the shared lease on {held.lease.endpoint} "
                f"({error.message}); it expires at its TTL"
            )

    def check(self, endpoint: str, region: str | None) -> None:
        """:class:`LeaseLost` if our lease on the endpoint was broken or taken over."""
        with self._lock:
            held = self._held.get((endpoint, region))
            if held is not None and held.lost is not None:
                raise LeaseLost(held.lost)

    def describe(self, endpoint: str, region: str | None, command: str) -> None:
        """Say what the lease is for now (``ramp step 2/4``), renewing it."""
        with self._lock:
            held = self._held.get((endpoint, region))
            if held is not None and held.lost is None:
                self._renew(held, command)

    def beat(self) -> None:
        """Renew every lease held (the heartbeat's work; tests call it directly)."""
        with self._lock:
            for held in list(self._held.values()):
                if held.lost is None:
                    self._renew(held, None)

    def _renew(self, held: _Held, command: str | None) -> None:
        try:
            held.lease = self.table.renew(held.lease, held.region, self.seconds, command=command)
        except LeaseLost as lost:
            held.lost = (
                f"the shared lease on {held.lease.endpoint} was broken or taken over "
                f"({lost.message}); nothing more is sent"
            )
            self._say(held.lost)
        except AwsError as error:
            # Not lost yet: it holds until expires_at; the next beat tries again.
            self._say(f"could not renew the shared lease on {held.lease.endpoint}: {error.message}")

    def _start_heartbeat(self) -> None:
        if self._beating is not None:
            return
        stop = self._beating = threading.Event()
        interval = max(1.0, self.seconds / 3)

        def run() -> None:
            while not stop.wait(interval):
                with self._lock:
                    if not self._held:
                        self._beating = None
                        return
                self.beat()

        threading.Thread(target=run, name="team-lease-heartbeat", daemon=True).start()

    def _say(self, text: str) -> None:
        if self.notify is not None:
            self.notify(text)


def owner_from(identity: Callable[[], str]) -> Callable[[], str]:
    """The lease owner: the caller's ARN, or a plain "unknown" when STS cannot say (the
    host and command still say who it is)."""

    def owner() -> str:
        try:
            return identity()
        except AwsError:
            return "unknown identity"

    return owner


def lease_seconds_left(lease: Lease, now: float | None = None) -> int:
    return max(0, int(lease.expires_at - (now if now is not None else time.time())))


@dataclass(slots=True)
class TeamCoordination:
    """What a process shares with its team through one table."""

    table_name: str
    leases: SharedLeases
    trail: TeamAuditTrail
    mirror: TeamAuditMirror
    #: (endpoint, region) -> (monotonic time read, changes): the trail as last read.
    trail_cache: dict[tuple[str, str | None], tuple[float, list[AuditEntry]]] = field(
        default_factory=dict
    )

    def set_notify(self, notify: Callable[[str], None] | None) -> None:
        """Where warnings go (stderr for the CLI, the notice line in the console)."""
        self.leases.notify = notify
        self.mirror.notify = notify


class LazyClient:
    """A boto3 client made on first use: a command that never changes anything never
    pays for a DynamoDB client (~30 ms) because a team table is set."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)


def build_team(
    dynamodb: Any,
    table: str,
    *,
    identity: Callable[[], str],
    command: str,
    profile: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> TeamCoordination:
    """The team's lease and audit on ``table`` through the boto3 DynamoDB client ``dynamodb``
    (its region is the table's: region switches in the console keep it)."""
    trail = TeamAuditTrail(dynamodb, table, profile=profile)
    return TeamCoordination(
        table_name=table,
        leases=SharedLeases(
            TeamTable(dynamodb, table, profile=profile),
            owner=owner_from(identity),
            command=command,
            notify=notify,
        ),
        trail=trail,
        mirror=TeamAuditMirror(trail, notify=notify),
    )


@contextmanager
def held_for_change(
    locks: Any, team: TeamCoordination | None, endpoint: str, region: str | None
) -> Iterator[None]:
    """This machine's lock file, then (with a team table) the team's lease: one change at
    a time per endpoint here and across the team. ``locks`` is an
    :class:`~canary_tui.endpoint_lock.EndpointLocks`."""
    with ExitStack() as held:
        held.enter_context(locks.hold(endpoint, region))
        if team is not None:
            try:
                held.enter_context(team.leases.hold(endpoint, region))
            except LeaseHeld:
                raise
            except AwsError as error:
                # No lease, no change: the team relies on it. Say how to go on without it.
                raise LeaseHeld(
                    f"the team table {team.table_name} cannot be used ({error.message}); "
                    "nothing was sent (CANARY_TUI_TEAM_TABLE= works without the team's lease)",
                    None,
                ) from error
        yield

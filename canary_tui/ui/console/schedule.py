"""When the console asks AWS for what: the poll, the follow and the background describes.

Plain code with no Textual and no clock of its own: every method is told ``now`` (monotonic
seconds), so a unit test drives it with a fake clock and the screen only turns its answers
into one timer and the workers (see ``RefreshPart``). The rules:

* Polls never overlap: the next is due ``refresh_seconds`` after the last one *finished*
  (longer after transient failures: doubling, capped). Asked for while one runs, it runs
  again right after. Paused, or with a dialog open, a due poll waits and runs on resume.
* Following (the endpoints being updated, and the one a dialog is about) runs every
  ``follow_seconds`` while there is something to follow, also behind a dialog: an endpoint
  deleted or changed under a dialog must be noticed.
* Background describes (the rest of the list, a batch at a time) are due one round after
  another, a round's batch at the configured rate, the first as soon as the list is in;
  never while paused or behind a dialog.
* Without timers (``timers=False``: snapshots, tests) nothing is ever due by time; a poll
  runs when asked, and one background round follows each asked-for poll.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from canary_tui.ui.refresh import backoff_seconds


class Job(enum.Enum):
    POLL = "poll"
    FOLLOW = "follow"
    BACKGROUND = "background"


@dataclass(slots=True)
class RefreshSchedule:
    refresh_seconds: float
    follow_seconds: float
    #: Seconds between two background rounds (a batch over the describe rate).
    background_seconds: float
    timers: bool = True
    paused: bool = False
    #: A dialog is open above the console.
    suspended: bool = False
    #: Transient poll failures in a row (throttling, timeouts): the next poll backs off.
    poll_failures: int = 0
    _running: set[Job] = field(default_factory=set)
    _due_at: dict[Job, float] = field(default_factory=dict)
    #: A poll was asked for (or came due) while paused, hidden or running.
    _poll_pending: bool = False
    _background_after_poll: bool = False
    #: The first round runs as soon as the list is in: until it has, rows show no variant
    #: count and the console cannot move to an endpoint running a canary.
    _background_started: bool = False

    def retune(self, other: RefreshSchedule) -> None:
        """Take ``other``'s cadence (new settings), keeping what runs, pauses and is due."""
        self.refresh_seconds = other.refresh_seconds
        self.follow_seconds = other.follow_seconds
        self.background_seconds = other.background_seconds
        self.timers = other.timers

    # -- what runs now ------------------------------------------------------------------
    def is_running(self, job: Job) -> bool:
        return job in self._running

    def started(self, job: Job) -> None:
        self._running.add(job)
        self._due_at.pop(job, None)
        if job is Job.BACKGROUND:
            self._background_started = True
        if job is Job.POLL:
            self._poll_pending = False

    def request_poll(self) -> bool:
        """ctrl+r, a resume, a new backend: True when the poll may start now."""
        self._due_at.pop(Job.POLL, None)
        if self.paused or self.suspended or Job.POLL in self._running:
            self._poll_pending = True
            return False
        return True

    def poll_finished(self, now: float, *, ok: bool, transient: bool = False) -> bool:
        """Book the poll's end and when the next is due; True: run one again right now
        (it was asked for while this one ran)."""
        self._running.discard(Job.POLL)
        if ok:
            self.poll_failures = 0
        else:
            self.poll_failures = self.poll_failures + 1 if transient else 0
        self._background_after_poll = False
        if self._poll_pending and not (self.paused or self.suspended):
            return True
        if self.timers and not self._poll_pending:
            delay = backoff_seconds(self.refresh_seconds, self.poll_failures)
            self._due_at[Job.POLL] = now + delay
        return False

    def job_finished(self, job: Job) -> None:
        self._running.discard(job)

    # -- follow and background ------------------------------------------------------------
    def want_follow(self, now: float, *, anything_to_follow: bool) -> None:
        """After a list, a follow round or a dialog opening: follow again soon if needed."""
        if not self.timers or self.paused or Job.FOLLOW in self._running:
            return
        if anything_to_follow:
            self._due_at.setdefault(Job.FOLLOW, now + self.follow_seconds)
        else:
            self._due_at.pop(Job.FOLLOW, None)

    def follow_now(self) -> bool:
        """A change was just sent: follow at once (True) unless paused or already running."""
        self._due_at.pop(Job.FOLLOW, None)
        return not self.paused and Job.FOLLOW not in self._running

    def want_background(self, now: float, *, anything_due: bool) -> bool:
        """After a poll or a round: schedule the next round. True: start one right now
        (the timer-less mode's one round after each asked-for poll)."""
        if self.paused or Job.BACKGROUND in self._running or not anything_due:
            return False
        if not self.timers:
            if self._background_after_poll:
                return False
            self._background_after_poll = True
            return not self.suspended
        if not self._background_started:
            return not self.suspended
        self._due_at.setdefault(Job.BACKGROUND, now + self.background_seconds)
        return False

    # -- pause and dialogs ----------------------------------------------------------------
    def pause(self) -> None:
        self.paused = True
        self._due_at.clear()
        self._poll_pending = True

    def resume(self) -> bool:
        """Space again: True, poll now."""
        self.paused = False
        return self.request_poll()

    def suspend(self) -> None:
        self.suspended = True

    def unsuspend(self) -> bool:
        """The dialog closed: True when a poll came due behind it and runs now."""
        self.suspended = False
        return self._poll_pending and self.request_poll()

    # -- the timer ------------------------------------------------------------------------
    def next_wake(self, now: float) -> float | None:
        """Seconds until something is due (0: now), None when nothing is."""
        if not self._due_at:
            return None
        return max(0.0, min(self._due_at.values()) - now)

    def take_due(self, now: float) -> list[Job]:
        """The jobs to start now; a due poll behind a pause or dialog waits (pending)."""
        jobs: list[Job] = []
        for job, due in sorted(self._due_at.items(), key=lambda item: item[1]):
            if due > now:
                continue
            del self._due_at[job]
            if job is Job.POLL:
                if self.request_poll():
                    jobs.append(job)
            elif job is Job.FOLLOW:
                if not self.paused and job not in self._running:
                    jobs.append(job)
            elif not (self.paused or self.suspended) and job not in self._running:
                jobs.append(job)
        return jobs

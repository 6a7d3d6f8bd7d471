"""The outbox's plain data: one entry per (post, platform), its status, and what a run did.

An entry is the durable record of the intent to publish one platform's variant of a post. It is
committed *before* any connector call, so a crash at any point leaves a trace that the next run
reconciles (``core.publishing.outbox``). Entries hold no post text: codes, platform ids, the
remote id and live URL, and the platform's plain-words error message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class OutboxStatus(StrEnum):
    """Where one platform's variant of a post is on its way out.

    ``pending`` waits for its next attempt (``next_attempt_at``; ``None`` means on hold, e.g.
    its post failed on another platform). ``sending`` is claimed by a run: a connector call may
    be under way until ``next_attempt_at`` (the lease); one still ``sending`` after the lease
    ran out was interrupted and is reconciled before any retry. ``uncertain``: the platform
    may or may not have the post (a timeout, a dropped connection); reconciled through the
    connector's ``find`` before any retry, and left to a person when that keeps failing
    (``next_attempt_at`` ``None``). ``sent`` went live (``url``). ``failed`` was refused for
    good. ``manual`` waits for a person to publish it by hand and paste the live URL.
    """

    PENDING = "pending"
    SENDING = "sending"
    UNCERTAIN = "uncertain"
    SENT = "sent"
    FAILED = "failed"
    MANUAL = "manual"


RUNNABLE_STATUSES = frozenset({OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.UNCERTAIN})
"""Statuses a run picks up once ``next_attempt_at`` has come."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    """The intent to publish ``platform``'s variant of post ``post_id``, and how it went.

    ``idempotency_key`` is the same for every attempt (a platform that supports such keys drops
    a repeated request); ``attempts`` counts the claims (each may call the connector once).
    ``error_code`` and ``error_message`` describe the last problem in codes and the platform's
    plain words, never the post's text. ``version`` belongs to storage (optimistic locking):
    two workstations never both claim one entry.

    ``account_id`` is the connected account the entry goes out through, recorded by the first
    claim that calls a connector: from then on every ``find`` and retry asks that account, so
    making another account the default cannot post it twice. ``None``: no connector was
    called yet (or the platform has no account: by hand).
    """

    id: int | None
    post_id: int
    platform: str
    status: OutboxStatus
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    remote_id: str | None = None
    url: str | None = None
    error_code: str = ""
    error_message: str = ""
    version: int = 1
    account_id: int | None = None

    def runnable(self, now: datetime) -> bool:
        """Whether a run should take this entry up at ``now``."""
        return (
            self.status in RUNNABLE_STATUSES
            and self.next_attempt_at is not None
            and self.next_attempt_at <= now
        )

    @property
    def needs_person(self) -> bool:
        """An uncertain outcome that could not be reconciled: someone must look."""
        return self.status is OutboxStatus.UNCERTAIN and self.next_attempt_at is None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the outbox retries.

    The n-th retry waits ``base * 2**(n-1)`` capped at ``max_delay``, jittered to between half
    and all of that (so workstations that failed together do not retry together), never less
    than a platform's ``Retry-After`` (itself capped at ``max_delay``). After ``max_attempts``
    attempts a transient failure becomes a failure and an uncertain outcome is left to a
    person. ``lease`` is how long a claimed entry belongs to the run that claimed it; it must
    exceed the longest connector call.
    """

    base: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 5
    lease: timedelta = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class LatePost:
    """A scheduled post whose time passed more than ``late_after`` ago: the scheduler does not
    publish it on its own; a person decides (publish now, reschedule, or leave it)."""

    post_id: int
    version: int
    scheduled_at: datetime
    platforms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutboxRun:
    """What one pass over the outbox did: entry counts, and the posts it completed.

    ``reconciled`` counts the sent entries that an earlier, uncertain attempt had in fact
    published (found through ``find``: not sent again). ``published`` and ``failed`` name the
    posts that became published or failed in this pass.
    """

    sent: int = 0
    reconciled: int = 0
    retrying: int = 0
    uncertain: int = 0
    failed_entries: int = 0
    published: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What ``PublishingService.publish_due`` did (post ids and counts; never text).

    ``started``: posts moved to publishing now. ``published``: posts that became published in
    this run. ``failed``: posts that failed in this run. ``by_hand``: posts waiting for a
    person to publish on some platform by hand. ``late``: due posts left for a person to
    decide about. ``blocked``: due posts the PHI, media or readiness check held back, with the
    error code.
    """

    started: tuple[int, ...] = ()
    published: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()
    by_hand: tuple[int, ...] = ()
    late: tuple[LatePost, ...] = ()
    blocked: tuple[tuple[int, str], ...] = ()
    outbox: OutboxRun = OutboxRun()

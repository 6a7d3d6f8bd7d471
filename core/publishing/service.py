"""Publishing use cases: the scheduler's ``publish_due``, a person's "publish now", the manual
connector's last step, and a person's answer to an outcome nobody could tell.

The scheduler (the app's timer, or ``main.py --publish-due`` from the operating system's
scheduler) starts only posts that are due and not *late*: a post more than ``late_after``
past its time is reported instead, so the app can ask a person (publish now, reschedule, or
leave it). Starting to publish is gated again, as at submit and approval: open PHI findings,
images that are not cleared and readiness problems hold the post back (``blocked``).
"""

from __future__ import annotations

import builtins
import logging
import random as random_module
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from core.audit.service import append_event
from core.clock import Clock
from core.composer.errors import OpenFindings, PostNotReady, UnclearedMedia
from core.composer.model import Post, PostState
from core.composer.ports import PostQuery
from core.composer.service import ComposerService, MediaCheck
from core.errors import EditConflict, KnownError, NotFound
from core.ports import UnitOfWorkFactory
from core.publishing.connectors import (
    ACCOUNT_REMOVED,
    ConnectorRegistry,
    PermanentPublishError,
    WithdrawNotSupported,
)
from core.publishing.model import (
    LatePost,
    OutboxEntry,
    OutboxRun,
    OutboxStatus,
    PublishReport,
    RetryPolicy,
)
from core.publishing.outbox import (
    AltTexts,
    MediaDiscard,
    MediaExporter,
    Outbox,
    RequestOptions,
    platform_name,
    record_step,
)
from core.staff.model import StaffMember
from core.today.model import AttentionItem

log = logging.getLogger(__name__)

DEFAULT_LATE_AFTER = timedelta(hours=3)
"""A due post further past its time than this waits for a person's decision."""

GATE_ERRORS = (OpenFindings, UnclearedMedia, PostNotReady)
"""Why the check at publish may hold a due post back."""


def _all_cleared(hashes: Sequence[str], platforms: Sequence[str]) -> int:
    return 0


class PublishingService:
    """Posts from scheduled to published, through the outbox (``core.publishing.outbox``).

    ``composer`` gives the PHI check with the practice's known names and recorded overrides;
    ``media_cleared`` is the same hook the composer's gates use (how many images are not
    cleared). ``blocked`` maps the due posts the last ``publish_due`` held back to the error
    code, for Today.

    ``registry_source`` gives the connectors of the connected accounts; it is asked again before
    every run (and before a withdrawal), so an account connected, removed or made default in
    Settings counts from the next run on. ``media`` exports a post's photos for API
    connectors and ``discard_media`` deletes those copies after each attempt; ``options`` gives
    a platform's extras for a post (``PublishRequest.options``).
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        composer: ComposerService,
        registry: ConnectorRegistry | None = None,
        *,
        media_cleared: MediaCheck = _all_cleared,
        media: MediaExporter | None = None,
        policy: RetryPolicy | None = None,
        random: Callable[[], float] = random_module.random,
        late_after: timedelta = DEFAULT_LATE_AFTER,
        registry_source: Callable[[], ConnectorRegistry] | None = None,
        discard_media: MediaDiscard | None = None,
        options: RequestOptions | None = None,
        alt_texts: AltTexts | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._composer = composer
        self._media_cleared = media_cleared
        self.late_after = late_after
        self._registry_source = registry_source
        self._registry_lock = threading.Lock()
        self.registry = registry or ConnectorRegistry()
        self.outbox = Outbox(
            uow,
            clock,
            self.registry,
            policy=policy,
            random=random,
            media=media,
            discard=discard_media,
            options=options,
            alt_texts=alt_texts,
        )
        self.blocked: dict[int, str] = {}
        self._lock = threading.Lock()

    def refresh_registry(self) -> ConnectorRegistry:
        """Take the connectors of the accounts connected now (``registry_source``); a no-op
        without a source."""
        if self._registry_source is None:
            return self.registry
        with self._registry_lock:
            registry = self._registry_source()
            if registry is not self.registry:
                self.registry = registry
                self.outbox.registry = registry
            return registry

    # --- the scheduler -----------------------------------------------------------------------
    def publish_due(self) -> PublishReport:
        """Start every due post that is not late, bring every publishing post's entries up to
        date, and run the outbox once. One run at a time in this process (a second caller
        waits); other workstations are kept apart by the entries' claims."""
        with self._lock:
            self.refresh_registry()
            now = self._clock.now()
            late: list[LatePost] = []
            started: list[int] = []
            blocked: dict[int, str] = {}
            for post in self._composer.due(now):
                assert post.id is not None
                assert post.scheduled_at is not None
                if now - post.scheduled_at > self.late_after:
                    late.append(_late(post))
                    continue
                try:
                    self._start(None, post)
                except GATE_ERRORS as exc:
                    blocked[post.id] = exc.code
                except KnownError as exc:  # changed meanwhile: the next run sees it again
                    log.info("publish_due: post %s skipped (%s)", post.id, exc.code)
                else:
                    started.append(post.id)
            self._note_blocked(blocked)
            self._sync_publishing()
            run = self.outbox.run()
            return PublishReport(
                started=tuple(started),
                published=run.published,
                failed=run.failed,
                by_hand=tuple(self.waiting_by_hand()),
                late=tuple(late),
                blocked=tuple(blocked.items()),
                outbox=run,
            )

    def late_posts(self) -> builtins.list[LatePost]:
        """Due posts further past their time than ``late_after``, soonest first."""
        now = self._clock.now()
        return [
            _late(p)
            for p in self._composer.due(now)
            if p.scheduled_at is not None and now - p.scheduled_at > self.late_after
        ]

    def run_outbox(self) -> OutboxRun:
        """Retry what is due in the outbox, without starting new posts."""
        with self._lock:
            self.refresh_registry()
            return self.outbox.run()

    # --- a person's say-so -------------------------------------------------------------------
    def publish_now(self, actor: StaffMember, post_id: int, expected_version: int) -> PublishReport:
        """Publish an approved or scheduled post now (a late one, on a person's say-so): the
        check at publish applies, then its entries run at once."""
        post = self._composer.get(post_id)
        if post.version != expected_version:
            raise EditConflict("Someone else saved this post first.", entity="post", id=post_id)
        with self._lock:
            self.refresh_registry()
            self._start(actor, post)
            self.blocked.pop(post_id, None)
            run = self.outbox.run(post_ids={post_id})
        return PublishReport(
            started=(post_id,),
            published=run.published,
            failed=run.failed,
            by_hand=tuple(p for p in self.waiting_by_hand() if p == post_id),
            outbox=run,
        )

    def record_manual_publish(
        self,
        actor: StaffMember,
        post_id: int,
        expected_version: int,
        url_by_platform: Mapping[str, str],
    ) -> Post:
        """The manual connector's last step: ``ComposerService.record_manual_publish`` (which
        also lets a person start the manual flow on an approved or scheduled post before its
        time), then the outbox's entries agree: each recorded platform is sent, and the
        post's other platforms get their entries (by hand, or through their API)."""
        self._composer.record_manual_publish(actor, post_id, expected_version, url_by_platform)
        self.refresh_registry()
        with self._uow() as tx:
            now = self._clock.now()
            post = tx.posts.get(post_id)
            if post.state is PostState.PUBLISHING:
                self.outbox.prepare(tx, post, now)
            return self.outbox.sync(tx, post, now)

    def confirm_not_published(self, actor: StaffMember, post_id: int, platform: str) -> OutboxEntry:
        """A person looked on the platform and the post is not there, after an outcome the
        outbox could not tell: it may be sent again (from the next run, with fresh tries),
        through the same account, or through the platform's account now when that one was
        removed."""
        self.refresh_registry()
        with self._uow() as tx:
            person = tx.staff.get(actor.id)
            post = tx.posts.get(post_id)
            entry = next((e for e in tx.outbox.for_post(post_id) if e.platform == platform), None)
            if entry is None or entry.status is not OutboxStatus.UNCERTAIN:
                raise NotFound(
                    "Nothing is waiting for a check on this platform.", entity="outbox", id=post_id
                )
            now = self._clock.now()
            publishing = post.state is PostState.PUBLISHING
            account_id = entry.account_id
            if account_id is not None and self.registry.account_problem(account_id) == (
                ACCOUNT_REMOVED
            ):
                account_id = None  # not there: the account connected now may send it
            saved = tx.outbox.save(
                replace(
                    entry,
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now if publishing else None,
                    error_code="",
                    error_message="",
                    updated_at=now,
                    account_id=account_id,
                ),
                entry.version,
            )
            append_event(
                tx,
                self._clock,
                person,
                "post.publish_confirmed_missing",
                "post",
                post_id,
                f"{platform} not on the platform",
            )
            return saved

    # --- taking a post down ------------------------------------------------------------------
    def can_withdraw(self, post_id: int, platform: str) -> bool:
        """Whether ``withdraw`` can delete the post from ``platform``: it went out through the
        platform's API (the outbox knows its remote id) and the account it went out through is
        still connected, with a connector that deletes posts. Otherwise a person removes it
        on the platform."""
        registry = self.refresh_registry()
        sent = self._sent_entry(post_id, platform)
        if sent is None:
            return False
        connector = _withdrawer(registry, platform, sent)
        return connector is not None and callable(getattr(connector, "withdraw", None))

    def withdraw(self, actor: StaffMember, post_id: int, platform: str) -> None:
        """Delete the post from ``platform`` through its API, audited under ``actor``
        (``post.remote_deleted``; whether they may is the caller's rule, the takedown list's).
        ``WithdrawNotSupported`` when this cannot be done through the API (published by hand,
        the account it went out through is not connected any more, or an API without
        deleting): a person opens the post and removes it
        there. A platform that does not delete it raises ``PermanentPublishError``
        (``withdraw_refused``), or the connector's own typed error."""
        registry = self.refresh_registry()
        sent = self._sent_entry(post_id, platform)
        connector = _withdrawer(registry, platform, sent) if sent is not None else None
        withdraw = getattr(connector, "withdraw", None)
        remote_id = sent.remote_id if sent is not None else None
        if not callable(withdraw) or remote_id is None:
            raise WithdrawNotSupported(
                "This post cannot be deleted through the platform's API: open it and delete "
                "it there.",
                code="withdraw_unsupported",
            )
        if not withdraw(remote_id):
            raise PermanentPublishError(
                f"{platform_name(platform)} did not delete the post.", code="withdraw_refused"
            )
        with self._uow() as tx:
            person = tx.staff.get(actor.id)
            append_event(tx, self._clock, person, "post.remote_deleted", "post", post_id, platform)
        log.info("withdraw: post %s deleted on %s", post_id, platform)

    def _sent_entry(self, post_id: int, platform: str) -> OutboxEntry | None:
        """The entry that sent the post to ``platform`` through its API (it has a remote
        id), if one did."""
        with self._uow() as tx:
            for entry in tx.outbox.for_post(post_id):
                if entry.platform == platform and entry.status is OutboxStatus.SENT:
                    return entry if entry.remote_id else None
        return None

    # --- reading -----------------------------------------------------------------------------
    def entries(self, post_id: int) -> builtins.list[OutboxEntry]:
        """The post's outbox entries (how each platform is doing)."""
        with self._uow() as tx:
            tx.posts.get(post_id)
            return tx.outbox.for_post(post_id)

    def waiting_by_hand(self) -> builtins.list[int]:
        """Publishing posts with a platform waiting for a person to publish it by hand."""
        with self._uow() as tx:
            ids = {e.post_id for e in tx.outbox.with_status([OutboxStatus.MANUAL])}
            return sorted(i for i in ids if tx.posts.get(i).state is PostState.PUBLISHING)

    def attention_items(self, now: datetime) -> builtins.list[AttentionItem]:
        """Today's items about posts (``core.publishing.today``)."""
        from core.publishing.today import post_items

        self.refresh_registry()
        return post_items(
            self._uow, now, self.registry, late_after=self.late_after, blocked=dict(self.blocked)
        )

    # --- helpers -----------------------------------------------------------------------------
    def _start(self, actor: StaffMember | None, post: Post) -> Post:
        """Move ``post`` to publishing (checked again: PHI, images, readiness) and record
        its entries, in one transaction."""
        limits = self._composer.posting_plan().limits  # read before our unit of work
        check = self._composer.check(post)  # opens its own unit of work: before ours
        uncleared = self._media_cleared(post.media_hashes, post.platforms)
        with self._uow() as tx:
            person = tx.staff.get(actor.id) if actor is not None else None
            current = tx.posts.get(_id(post))
            if current.version != post.version:
                raise EditConflict("Someone else saved this post first.", entity="post", id=post.id)
            started = record_step(
                tx,
                self._clock,
                self._clock,
                current,
                PostState.PUBLISHING,
                actor=person,
                blocking_findings=check.blocking_findings,
                uncleared_media=uncleared,
                limits=limits,
            )
            self.outbox.prepare(tx, started, self._clock.now())
            return started

    def _sync_publishing(self) -> None:
        """Every publishing post has its entries, and every entry agrees with the URLs people
        recorded (a person may have started the manual flow, or recorded a URL through the
        composer, meanwhile)."""
        query = PostQuery(states=(PostState.PUBLISHING,), limit=1000)
        with self._uow() as tx:
            ids = {_id(p) for p in tx.posts.list(query)}
            ids |= {e.post_id for e in tx.outbox.with_status([OutboxStatus.MANUAL])}
        for post_id in sorted(ids):
            try:
                with self._uow() as tx:
                    now = self._clock.now()
                    post = tx.posts.get(post_id)
                    if post.state is PostState.PUBLISHING:
                        self.outbox.prepare(tx, post, now)
                    self.outbox.sync(tx, post, now)
            except EditConflict:
                log.info("publish_due: post %s changed meanwhile", post_id)

    def _note_blocked(self, blocked: dict[int, str]) -> None:
        """Keep the held-back posts for Today; audit each once when it is first held back."""
        new = {i: code for i, code in blocked.items() if self.blocked.get(i) != code}
        self.blocked = blocked
        for post_id, code in new.items():
            log.info("publish_due: post %s held back (%s)", post_id, code)
            with self._uow() as tx:
                append_event(tx, self._clock, None, "post.publish_blocked", "post", post_id, code)


def _id(post: Post) -> int:
    assert post.id is not None
    return post.id


def _withdrawer(registry: ConnectorRegistry, platform: str, sent: OutboxEntry) -> object | None:
    """The connector that can delete what ``sent`` published: the one of the account it went
    out through (none when that account was removed); for entries from before accounts were
    recorded, the platform's connector now."""
    if sent.account_id is not None:
        return registry.for_account(sent.account_id)
    return None if registry.is_manual(platform) else registry.get(platform)


def _late(post: Post) -> LatePost:
    assert post.id is not None
    assert post.scheduled_at is not None
    return LatePost(post.id, post.version, post.scheduled_at, post.platforms)

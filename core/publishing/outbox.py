"""The outbox: each platform's variant of a post goes out exactly once.

The rules, in the order a run applies them:

1. **Intent first.** A post that starts publishing gets one entry per platform in the same
   transaction as its state change (``prepare``). Before any connector call the entry is
   *claimed* in its own committed transaction: status ``sending``, one more attempt, and a
   lease (``RetryPolicy.lease``). A second run (another workstation, or this one a minute
   later) cannot claim it meanwhile: claims are optimistic on the entry's version.
2. **Unknown outcomes are reconciled before any retry.** An entry that is ``uncertain``
   (timeout, dropped connection) or still ``sending`` after its lease (the process died
   between the request and the record) is claimed like any other, but the connector's
   ``find`` is asked first: found means sent (recorded, never posted again); not found means
   it is safe to publish. When ``find`` itself fails the entry stays ``uncertain``, and after
   ``max_attempts`` it is left to a person (Today).
3. **Retries back off.** A transient failure (429, 5xx) waits ``base * 2**(n-1)`` (capped,
   jittered by the injected random number, never less than the platform's ``Retry-After``);
   after ``max_attempts`` it becomes a failure.
4. **Outcomes.** Sent: the entry records the remote id and URL, the post records the
   publication, and once every platform has one the post is published. A permanent refusal
   marks the entry failed and the post failed, the platform's plain-words reason as the
   transition note; the post's other pending entries wait (a person retries or withdraws).
5. **One account per entry.** The first claim that calls a connector records the account it
   goes out through (the platform's default then); every later ``find`` and retry asks that
   account's connector, even when another account became the default meanwhile (asking the
   new one would find nothing and post again). When that account needs reconnecting (or its
   connector cannot be set up) the entry waits, re-checked every ``ACCOUNT_RECHECK``; when it
   was removed, an entry that may have gone out through it is left to a person (Today), and
   one that provably did not (pending) goes out through the platform's account now.
6. **A person's record wins.** A live URL recorded by hand (``record_manual_publish``) is a
   publication: an entry for that platform is sent from then on and never goes out again
   (``sync``). Manual platforms' entries wait in ``manual`` for exactly that.

Every step is audited (entity ``post``) with platform ids, codes and counts, never the post's
words; the scheduler acts as the system (no person).
"""

from __future__ import annotations

import logging
import random as random_module
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from core.audit.service import append_event
from core.clock import Clock
from core.composer.model import Post, PostState
from core.composer.ports import Publication
from core.composer.variants import variant_text
from core.composer.workflow import MAX_NOTE_LENGTH, transition
from core.errors import EditConflict
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.publishing.connectors import (
    ACCOUNT_RECONNECT,
    ACCOUNT_REMOVED,
    Connector,
    ConnectorRegistry,
    PermanentPublishError,
    PublishError,
    PublishRequest,
    RemotePost,
    TransientPublishError,
)
from core.publishing.model import OutboxEntry, OutboxRun, OutboxStatus, RetryPolicy
from core.staff.model import StaffMember

log = logging.getLogger(__name__)

MediaExporter = Callable[[Sequence[str]], Sequence[Path]]
"""Clean image files (re-encoded, without metadata) for these vault hashes, in order."""

MediaDiscard = Callable[[Sequence[Path]], None]
"""Deletes the files a ``MediaExporter`` made, once the attempt that needed them is over."""

RequestOptions = Callable[[Post, str], Mapping[str, str]]
"""A platform's extras for a post (``PublishRequest.options``: a call-to-action button…)."""

AltTexts = Callable[[Sequence[str]], Sequence[str]]
"""The alt text of each of these vault hashes, in order (``""``: none), for
``PublishRequest.alt_texts`` (the image checklist's ``ImagingService.alt_texts``)."""

BY_HAND_PROBLEMS = frozenset({"public_url_needed"})
"""``validate`` codes that mean "this post goes out by hand on this platform" (Google takes
photos only from a public web address): the entry waits for a person, like a manual one."""

ACCOUNT_RECHECK = timedelta(minutes=5)
"""How often an entry waiting for its account (reconnect) looks again."""

MAX_ERROR_MESSAGE = 500
RUN_BATCH = 100
_S = OutboxStatus


def retry_delay(
    policy: RetryPolicy, attempts: int, retry_after: float | None, rnd: float
) -> timedelta:
    """How long to wait after the ``attempts``-th attempt failed: exponential from
    ``policy.base``, capped at ``policy.max_delay``, jittered to between half and all of it by
    ``rnd`` (in [0, 1)), and never shorter than ``retry_after`` seconds (also capped)."""
    exponent = max(min(attempts, 32) - 1, 0)
    delay: timedelta = min(policy.base * (2**exponent), policy.max_delay)
    delay = delay * (0.5 + max(0.0, min(rnd, 1.0)) / 2)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(timedelta(seconds=retry_after), policy.max_delay))
    return delay


def platform_name(platform: str) -> str:
    """The platform's name as people know it ("Google Business Profile")."""
    from core.platforms import default_rules

    try:
        return default_rules().rule(platform).name
    except ValueError:
        return platform


REFUSAL_WORDING = {
    "phone_number": "{name} turns down posts with a phone number in the text. Take the number "
    "out of the post's {name} text (the profile shows the practice's phone already), then "
    "publish it again.",
    "bad_call_to_action": "The post's “Learn more” button on {name} must link to a secure "
    "web address (one starting with https://). Correct the practice's website in Settings → "
    "Practice, then publish it again.",
}
"""Refusal codes whose words say what to change in this app rather than the platform's own
reason (``core.connectors.gbp``'s ``validate`` codes); ``{name}`` is the platform's name."""


def refusal_message(platform: str, code: str, message: str) -> str:
    """The words kept for a refusal: ``REFUSAL_WORDING``'s for its code, else ``message``."""
    wording = REFUSAL_WORDING.get(code)
    return wording.format(name=platform_name(platform)) if wording else message


def plain_message(message: str, text: str) -> str:
    """A platform's message fit to keep: the post's own text cut out (a platform may quote
    it back), one line, at most ``MAX_ERROR_MESSAGE`` characters."""
    cleaned = message
    if text.strip():
        cleaned = cleaned.replace(text.strip(), "[the post]")
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_ERROR_MESSAGE:
        cleaned = cleaned[: MAX_ERROR_MESSAGE - 1] + "…"
    return cleaned


def record_step(
    tx: UnitOfWork,
    clock: Clock,
    audit_clock: Clock,
    post: Post,
    to: PostState,
    *,
    actor: StaffMember | None,
    note: str = "",
    blocking_findings: int | None = None,
    uncleared_media: int | None = None,
    limits: Mapping[str, int] | None = None,
) -> Post:
    """Move ``post`` to ``to`` through ``core.composer.workflow.transition`` (every rule and
    gate applies), save it, and record and audit the step as the composer does. ``limits``
    (the practice's per-platform limits, e.g. its Mastodon server's) go to the gate's
    readiness check."""
    after, step = transition(
        post,
        to,
        actor,
        clock.now(),
        note=note[:MAX_NOTE_LENGTH],
        blocking_findings=blocking_findings,
        uncleared_media=uncleared_media,
        limits=limits,
    )
    assert post.id is not None
    saved = tx.posts.save(after, post.version)
    tx.posts.add_transition(post.id, step)
    append_event(tx, audit_clock, actor, f"post.{step.action}", "post", post.id, f"to {to.value}")
    return saved


@dataclass(frozen=True, slots=True)
class _Claim:
    entry: OutboxEntry
    post: Post
    reconcile: bool
    sendable: bool
    connector: Connector


@dataclass(slots=True)
class _Tally:
    sent: int = 0
    reconciled: int = 0
    retrying: int = 0
    uncertain: int = 0
    failed_entries: int = 0
    published: list[int] | None = None
    failed: list[int] | None = None

    def result(self) -> OutboxRun:
        return OutboxRun(
            self.sent,
            self.reconciled,
            self.retrying,
            self.uncertain,
            self.failed_entries,
            tuple(self.published or ()),
            tuple(self.failed or ()),
        )

    def post_published(self, post_id: int) -> None:
        self.published = [*(self.published or []), post_id]

    def post_failed(self, post_id: int) -> None:
        self.failed = [*(self.failed or []), post_id]


class Outbox:
    """Runs the entries (see the module docstring). ``random`` gives the jitter (inject a
    fixed one in tests); ``media`` exports a post's images for API connectors (without it a
    post with images cannot go out through an API: it fails with ``media_unavailable``)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        registry: ConnectorRegistry,
        *,
        policy: RetryPolicy | None = None,
        random: Callable[[], float] = random_module.random,
        media: MediaExporter | None = None,
        audit_clock: Clock | None = None,
        new_key: Callable[[], str] | None = None,
        discard: MediaDiscard | None = None,
        options: RequestOptions | None = None,
        alt_texts: AltTexts | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit_clock = audit_clock or clock
        self._alt_texts = alt_texts
        self.registry = registry
        self.policy = policy or RetryPolicy()
        self._random = random
        self._media = media
        self._discard = discard
        self._options = options
        self._new_key = new_key or (lambda: uuid.uuid4().hex)

    # --- inside a caller's transaction -----------------------------------------------------
    def prepare(self, tx: UnitOfWork, post: Post, now: datetime) -> list[OutboxEntry]:
        """Give a publishing ``post`` an entry for each of its platforms: ``manual`` where no
        API connector exists, else ``pending`` (due now). Entries that failed before (the post
        is being retried) start over; sent ones are never touched, so a retried post goes out
        only where it has not yet."""
        assert post.id is not None
        existing = {e.platform: e for e in tx.outbox.for_post(post.id)}
        done = {p.platform: p for p in tx.posts.publications(post.id)}
        entries: list[OutboxEntry] = []
        for platform in post.platforms:
            manual = self.registry.is_manual(platform)
            waiting = _S.MANUAL if manual else _S.PENDING
            due = None if manual else now
            entry = existing.get(platform)
            if entry is None:
                entry = OutboxEntry(
                    id=None,
                    post_id=post.id,
                    platform=platform,
                    status=waiting,
                    idempotency_key=self._new_key(),
                    created_at=now,
                    updated_at=now,
                    next_attempt_at=due,
                )
                if platform in done:
                    entry = replace(entry, status=_S.SENT, url=done[platform].url)
                entry = tx.outbox.add(entry)
            elif entry.status is _S.FAILED or (
                entry.status is _S.PENDING and entry.next_attempt_at is None
            ):
                restarted = replace(  # through the same account (``_claim``)
                    entry,
                    status=waiting,
                    attempts=0,
                    next_attempt_at=due,
                    error_code="",
                    error_message="",
                    updated_at=now,
                )
                entry = tx.outbox.save(restarted, entry.version)
            entries.append(entry)
        return entries

    def sync(self, tx: UnitOfWork, post: Post, now: datetime) -> Post:
        """Make the entries agree with the publications recorded (by a person or a run): an
        entry whose platform has its live URL is sent. Then, if the post is publishing and
        every platform has its URL, it is published. Returns the post as it is now."""
        assert post.id is not None
        done = {p.platform: p for p in tx.posts.publications(post.id)}
        for entry in tx.outbox.for_post(post.id):
            publication = done.get(entry.platform)
            if publication is not None and entry.status is not _S.SENT:
                self._mark_recorded(tx, entry, publication, now)
        return self._complete(tx, post, set(done), now)

    # --- a run -------------------------------------------------------------------------------
    def run(self, *, post_ids: Collection[int] | None = None) -> OutboxRun:
        """Take up every entry whose time has come (only those of ``post_ids`` when given),
        each once. Returns what happened; retries wait for a later run."""
        tally = _Tally()
        with self._uow() as tx:
            entries = tx.outbox.runnable(self._clock.now(), RUN_BATCH)
        for entry in entries:
            if post_ids is not None and entry.post_id not in post_ids:
                continue
            assert entry.id is not None
            self._attempt(entry.id, tally)
        return tally.result()

    def _attempt(self, entry_id: int, tally: _Tally) -> None:
        claim = self._claim(entry_id)
        if claim is None:
            return
        connector = claim.connector
        try:
            request = self._request(claim)
        except PermanentPublishError as exc:
            self._fail(claim, exc.code, str(exc), tally)
            return
        except Exception as exc:  # the images could not be exported: nothing was sent
            log.warning("outbox: media for post %s failed: %s", claim.post.id, type(exc).__name__)
            self._back_off(claim, "media_error", "", None, uncertain=claim.reconcile, tally=tally)
            return
        try:
            self._send(claim, connector, request, tally)
        finally:
            if self._discard is not None and request.image_paths:
                self._discard(request.image_paths)

    def _send(
        self, claim: _Claim, connector: Connector, request: PublishRequest, tally: _Tally
    ) -> None:
        """Reconcile first when the last outcome is unknown, check, then publish once."""
        if claim.reconcile:
            try:
                found = connector.find(request)
            except Exception as exc:  # still unknown whether it went out
                self._back_off(
                    claim, _code(exc), "", _retry_after(exc), uncertain=True, tally=tally
                )
                return
            if found is not None:
                self._sent(claim, found, tally, reconciled=True)
                return
            if not claim.sendable:
                self._hold(claim)
                return
        by_hand = _problems(connector, request) & BY_HAND_PROBLEMS
        if by_hand:  # other problems: ``publish`` refuses, in the platform's terms
            self._by_hand(claim, sorted(by_hand)[0])
            return
        try:
            remote = connector.publish(request)
        except TransientPublishError as exc:
            self._back_off(claim, exc.code, str(exc), exc.retry_after, uncertain=False, tally=tally)
        except PermanentPublishError as exc:
            self._fail(claim, exc.code, str(exc), tally)
        except Exception as exc:  # uncertain, a timeout, a dropped connection, a bug
            if not isinstance(exc, PublishError):
                log.warning(
                    "outbox: %s publishing post %s on %s",
                    type(exc).__name__,
                    claim.post.id,
                    claim.entry.platform,
                )
            self._back_off(claim, _code(exc), "", None, uncertain=True, tally=tally)
        else:
            self._sent(claim, remote, tally)

    def _claim(self, entry_id: int) -> _Claim | None:
        """Claim an entry whose time has come, in its own committed transaction; ``None`` when
        there is nothing to send (taken by another run, recorded by hand, on hold)."""
        try:
            with self._uow() as tx:
                now = self._clock.now()
                entry = tx.outbox.get(entry_id)
                if not entry.runnable(now):
                    return None
                post = tx.posts.get(entry.post_id)
                assert post.id is not None
                done = {p.platform: p for p in tx.posts.publications(post.id)}
                if entry.platform in done:
                    self._mark_recorded(tx, entry, done[entry.platform], now)
                    self._complete(tx, post, set(done), now)
                    return None
                reconcile = entry.status is not _S.PENDING
                sendable = post.state is PostState.PUBLISHING and entry.platform in post.platforms
                gone = entry.account_id
                problem = self.registry.account_problem(gone) if gone is not None else ""
                if problem == ACCOUNT_REMOVED and not reconcile:
                    # Nothing went out through it: the platform's account now takes it.
                    entry, problem = replace(entry, account_id=None), ""
                else:
                    gone = None
                if not reconcile and self.registry.is_manual(entry.platform):
                    manual = replace(entry, status=_S.MANUAL, next_attempt_at=None, updated_at=now)
                    tx.outbox.save(manual, entry.version)
                    return None
                if not reconcile and not sendable:
                    tx.outbox.save(
                        replace(entry, next_attempt_at=None, updated_at=now), entry.version
                    )
                    return None
                if problem:
                    self._wait_for_account(tx, entry, problem, reconcile, now)
                    return None
                account_id = entry.account_id
                if account_id is None:
                    account_id = self.registry.account_id(entry.platform)
                connector = (
                    self.registry.for_account(account_id) if account_id is not None else None
                ) or self.registry.get(entry.platform)
                claimed = tx.outbox.save(
                    replace(
                        entry,
                        status=_S.SENDING,
                        attempts=entry.attempts + 1,
                        next_attempt_at=now + self.policy.lease,
                        updated_at=now,
                        account_id=account_id,
                    ),
                    entry.version,
                )
                detail = f"{entry.platform} attempt {claimed.attempts}"
                if reconcile:
                    detail += f" (after {entry.status.value}: checking first)"
                if gone is not None:
                    detail += f" (account {gone} was removed: through account {account_id} now)"
                self._audit(tx, "post.publish_attempt", post.id, detail)
                return _Claim(claimed, post, reconcile, sendable, connector)
        except EditConflict:
            return None  # another run claimed it first

    def _request(self, claim: _Claim) -> PublishRequest:
        post, entry = claim.post, claim.entry
        assert post.id is not None
        images: tuple[Path, ...] = ()
        if post.media_hashes:
            if self._media is None:
                raise PermanentPublishError(
                    "The post's images could not be prepared for publishing.",
                    code="media_unavailable",
                )
            images = tuple(self._media(post.media_hashes))
        return PublishRequest(
            post.id,
            entry.platform,
            variant_text(post, entry.platform),
            images,
            entry.idempotency_key,
            account_id=entry.account_id,
            options=dict(self._options(post, entry.platform)) if self._options else {},
            not_before=entry.created_at,
            alt_texts=self._alt_texts_for(post, len(images)),
        )

    def _alt_texts_for(self, post: Post, count: int) -> tuple[str, ...]:
        """One alt text per image sent (``""`` where a photo has none); ``()`` without images
        or without a source of alt texts."""
        if not count or self._alt_texts is None:
            return ()
        texts = tuple(self._alt_texts(post.media_hashes))[:count]
        return texts + ("",) * (count - len(texts))

    # --- recording outcomes ------------------------------------------------------------------
    def _sent(
        self, claim: _Claim, remote: RemotePost, tally: _Tally, *, reconciled: bool = False
    ) -> None:
        try:
            with self._uow() as tx:
                now = self._clock.now()
                entry = tx.outbox.get(_id(claim.entry))
                if entry.status is _S.SENT:
                    return  # recorded meanwhile (by hand, or by a run that reconciled it)
                tx.outbox.save(
                    replace(
                        entry,
                        status=_S.SENT,
                        remote_id=remote.remote_id,
                        url=remote.url,
                        next_attempt_at=None,
                        error_code="",
                        error_message="",
                        updated_at=now,
                    ),
                    entry.version,
                )
                post = tx.posts.get(entry.post_id)
                assert post.id is not None
                done = {p.platform for p in tx.posts.publications(post.id)}
                if entry.platform not in done:
                    tx.posts.add_publication(
                        post.id, Publication(entry.platform, remote.url, now, _accountable(post))
                    )
                    done.add(entry.platform)
                how = "found after an unknown outcome" if reconciled else "sent"
                self._audit(tx, "post.publication", post.id, f"{entry.platform} {how}")
                after = self._complete(tx, post, done, now)
        except EditConflict:
            # Another run re-claimed the entry meanwhile; it reconciles through ``find``.
            log.warning("outbox: entry %s changed while sending; left to reconcile", claim.entry.id)
            return
        tally.sent += 1
        tally.reconciled += reconciled
        if after.state is PostState.PUBLISHED and post.state is not PostState.PUBLISHED:
            tally.post_published(_id(post))

    def _fail(self, claim: _Claim, code: str, message: str, tally: _Tally) -> None:
        with self._uow() as tx:
            now = self._clock.now()
            entry = tx.outbox.get(_id(claim.entry))
            if entry.status is _S.SENT:
                return
            text = variant_text(claim.post, entry.platform)
            message = refusal_message(entry.platform, code, message)
            plain = plain_message(message, text) or "The platform refused the post."
            tx.outbox.save(
                replace(
                    entry,
                    status=_S.FAILED,
                    next_attempt_at=None,
                    error_code=code,
                    error_message=plain,
                    updated_at=now,
                ),
                entry.version,
            )
            post = tx.posts.get(entry.post_id)
            self._audit(tx, "post.publish_failed", entry.post_id, f"{entry.platform} {code}")
            failed_now = post.state is PostState.PUBLISHING
            if failed_now:
                note = f"{platform_name(entry.platform)}: {plain}"
                record_step(
                    tx,
                    self._clock,
                    self._audit_clock,
                    post,
                    PostState.FAILED,
                    actor=None,
                    note=note,
                )
                for other in tx.outbox.for_post(entry.post_id):
                    if other.status is _S.PENDING and other.next_attempt_at is not None:
                        held = replace(other, next_attempt_at=None, updated_at=now)
                        tx.outbox.save(held, other.version)
        tally.failed_entries += 1
        if failed_now:
            tally.post_failed(entry.post_id)

    def _back_off(
        self,
        claim: _Claim,
        code: str,
        message: str,
        retry_after: float | None,
        *,
        uncertain: bool,
        tally: _Tally,
    ) -> None:
        """A try that did not work out: try again later, or give up after ``max_attempts``
        (a failure; or, when it may have gone out, a question for a person)."""
        attempts = claim.entry.attempts
        if attempts >= self.policy.max_attempts and not uncertain:
            plain = plain_message(message, variant_text(claim.post, claim.entry.platform))
            reason = f"It did not accept the post after {attempts} tries."
            self._fail(claim, code, f"{reason} {plain}".strip(), tally)
            return
        with self._uow() as tx:
            now = self._clock.now()
            entry = tx.outbox.get(_id(claim.entry))
            if entry.status is _S.SENT:
                return
            give_up = attempts >= self.policy.max_attempts
            wait = retry_delay(self.policy, attempts, retry_after, self._random())
            text = variant_text(claim.post, entry.platform)
            tx.outbox.save(
                replace(
                    entry,
                    status=_S.UNCERTAIN if uncertain else _S.PENDING,
                    next_attempt_at=None if give_up else now + wait,
                    error_code=code,
                    error_message=plain_message(message, text),
                    updated_at=now,
                ),
                entry.version,
            )
            if give_up:
                action, detail = "post.publish_unresolved", f"{entry.platform} {code}: ask a person"
            else:
                action = "post.publish_uncertain" if uncertain else "post.publish_retry"
                detail = f"{entry.platform} {code}: next try in {int(wait.total_seconds())} s"
            self._audit(tx, action, entry.post_id, detail)
        if uncertain:
            tally.uncertain += 1
        else:
            tally.retrying += 1

    def _wait_for_account(
        self, tx: UnitOfWork, entry: OutboxEntry, problem: str, reconcile: bool, now: datetime
    ) -> None:
        """The account ``entry`` goes out through cannot publish now (``problem``); nothing is
        sent and no attempt is counted. An entry that may have gone out through a removed
        account is left to a person (nobody can look from here); otherwise the entry waits and
        looks again after ``ACCOUNT_RECHECK`` (a reconnect lets it go on)."""
        name = platform_name(entry.platform)
        status = _S.UNCERTAIN if reconcile else _S.PENDING
        if problem == ACCOUNT_REMOVED:
            message = (
                f"The {name} account this post may already have gone out through was removed, "
                f"so it cannot be checked from here: look on {name}, then record the post's "
                "address, or confirm it is not there to send it through the account connected "
                "now."
            )
            action, due = "post.publish_unresolved", None
        elif problem == ACCOUNT_RECONNECT:
            message = (
                f"The {name} account this post started going out through needs reconnecting "
                "(Settings → Accounts); it goes on through that account once reconnected."
            )
            action, due = "post.publish_waiting", now + ACCOUNT_RECHECK
        else:
            message = (
                f"The {name} account this post started going out through cannot be used just "
                "now; it is tried again later through that account."
            )
            action, due = "post.publish_waiting", now + ACCOUNT_RECHECK
        tx.outbox.save(
            replace(
                entry,
                status=status,
                next_attempt_at=due,
                error_code=problem,
                error_message=message,
                updated_at=now,
            ),
            entry.version,
        )
        if entry.error_code != problem:  # once, not at every look
            detail = f"{entry.platform} {problem}: account {entry.account_id}"
            self._audit(tx, action, entry.post_id, detail)

    def _hold(self, claim: _Claim) -> None:
        """Reconciled as not sent, but the post no longer publishes: wait for a person."""
        with self._uow() as tx:
            now = self._clock.now()
            entry = tx.outbox.get(_id(claim.entry))
            if entry.status is _S.SENT:
                return
            tx.outbox.save(
                replace(entry, status=_S.PENDING, next_attempt_at=None, updated_at=now),
                entry.version,
            )
            self._audit(tx, "post.publish_held", entry.post_id, f"{entry.platform} not sent")

    def _by_hand(self, claim: _Claim, code: str) -> None:
        """The platform's API cannot take this post (``BY_HAND_PROBLEMS``): nothing was sent;
        the entry waits for a person to publish it by hand, as on a manual platform."""
        with self._uow() as tx:
            now = self._clock.now()
            entry = tx.outbox.get(_id(claim.entry))
            if entry.status is _S.SENT:
                return
            tx.outbox.save(
                replace(
                    entry,
                    status=_S.MANUAL,
                    next_attempt_at=None,
                    error_code=code,
                    error_message="",
                    updated_at=now,
                ),
                entry.version,
            )
            self._audit(tx, "post.publish_by_hand", entry.post_id, f"{entry.platform} {code}")

    def _mark_recorded(
        self, tx: UnitOfWork, entry: OutboxEntry, publication: Publication, now: datetime
    ) -> None:
        tx.outbox.save(
            replace(
                entry,
                status=_S.SENT,
                url=publication.url,
                next_attempt_at=None,
                error_code="",
                error_message="",
                updated_at=now,
            ),
            entry.version,
        )

    def _complete(self, tx: UnitOfWork, post: Post, done: set[str], now: datetime) -> Post:
        """Publish the post once every platform has its live URL."""
        current = tx.posts.get(_id(post))
        if current.state is PostState.PUBLISHING and set(current.platforms) <= done:
            return record_step(
                tx, self._clock, self._audit_clock, current, PostState.PUBLISHED, actor=None
            )
        return current

    def _audit(self, tx: UnitOfWork, action: str, post_id: int, detail: str) -> None:
        append_event(tx, self._audit_clock, None, action, "post", post_id, detail)


def _id(value: OutboxEntry | Post) -> int:
    assert value.id is not None
    return value.id


def _accountable(post: Post) -> int:
    """Who a publication sent by the outbox is recorded under: the approver, on whose
    approval the post went out (the scheduler is no person)."""
    return post.approver_id if post.approver_id is not None else post.last_editor_id


def _code(exc: BaseException) -> str:
    if isinstance(exc, PublishError):
        return exc.code
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, OSError):
        return "connection"
    return "unexpected"


def _retry_after(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, TransientPublishError) else None


def _problems(connector: Connector, request: PublishRequest) -> set[str]:
    """What an API connector's ``validate`` finds wrong before sending (nothing for a connector
    without one)."""
    validate = getattr(connector, "validate", None)
    if validate is None:
        return set()
    try:
        return {str(code) for code in validate(request)}
    except Exception as exc:  # ``publish`` runs the same checks and reports in plain words
        log.warning("outbox: %s while checking a post for %s", type(exc).__name__, request.platform)
        return set()

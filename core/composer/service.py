"""Use cases of the post composer over the ports: write, check, approve, schedule, record.

Each use case takes the acting ``StaffMember`` first, re-reads that person as stored now (a
deactivated member loses the right at once), opens one unit of work and leaves the post, its
workflow record and the audit events committed together or not at all. Every state change,
every PHI override, every publication and every comment is audited (``post.<action>``, entity
``post``) with a detail that never holds the post's words: states, kinds, platforms, lengths.

Changing steps take the version the caller read (``expected_version``): a post saved by
another workstation meanwhile raises ``core.errors.EditConflict`` so the caller can show both.

Publishing through connectors and the outbox are not here yet; ``record_manual_publish`` is the
manual connector's last step (the person pasted each live URL).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.audit.service import append_event
from core.clock import Clock
from core.composer.advice import advise
from core.composer.check import (
    CheckResult,
    Override,
    PostFinding,
    advice_history,
    check_publication,
    contact_details,
    find_phi,
    resolve_override,
)
from core.composer.model import Comment, Post, PostState, Transition
from core.composer.ports import (
    EditorState,
    PhiOverride,
    PostHistory,
    PostQuery,
    Publication,
)
from core.composer.readiness import problems
from core.composer.variants import apply_edits, new_post, reopened
from core.composer.workflow import new_comment, transition
from core.errors import EditConflict
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.practice.model import PostingPlan, Practice
from core.staff.model import StaffMember

DEFAULT_PLATFORMS: tuple[str, ...] = ("facebook", "instagram", "gbp")
"""A new post's targets: where a small practice's patients are (Facebook, Instagram) and the
Google Business Profile that shows in search and maps."""

MediaCheck = Callable[[Sequence[str], Sequence[str]], int]
"""How many of these images (vault hashes) are not cleared for use on these platforms (a
post's ``media_hashes`` and ``platforms``). It may open its own unit of work: it is called
before the use case's."""


def _no_media_check(hashes: Sequence[str], platforms: Sequence[str]) -> int:
    return 0


def _default_plan() -> PostingPlan:
    return PostingPlan()


def _as_tuple(names: Iterable[str]) -> tuple[str, ...]:
    """The provider's names; a tuple is passed on as it is (the same object, so the PHI
    scanner's index of it is reused, see ``core.phi.scan._set``)."""
    return names if isinstance(names, tuple) else tuple(names)


@dataclass(frozen=True, slots=True)
class _ScanInput:
    known_names: tuple[str, ...]
    allowed: tuple[str, ...]
    limits: Mapping[str, int]
    uncleared_media: int | None = None
    """The media hook's count for the post as read at ``version``, for the gated steps."""
    version: int | None = None


class ComposerService:
    """Posts through their life: draft, autosave, check, two-person approval, scheduling.

    ``known_names`` gives the names the PHI check looks for (patients in the consent tracker,
    reviewers), read on every check; ``practice`` the profile whose phone, website and address
    are never PHI. ``media_cleared`` is the hook the image-checklist and consent issues plug
    into: given a post's image hashes and platforms it returns how many are *not* cleared
    (checklist or consent), which blocks submitting, approving and publishing; by default
    every image counts as cleared (``core.app`` wires the consent tracker's check).
    ``posting`` gives the practice's posting plan (how often it aims to post, its Mastodon
    server's limit), read on every check and gated step; default: the defaults.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        known_names: Callable[[], Iterable[str]],
        practice: Callable[[], Practice],
        *,
        media_cleared: MediaCheck = _no_media_check,
        posting: Callable[[], PostingPlan] = _default_plan,
        audit_clock: Clock | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit_clock = audit_clock or clock
        self._known_names = known_names
        self._practice = practice
        self._media_cleared = media_cleared
        self._posting = posting

    def as_of(self, clock: Clock) -> ComposerService:
        """This service acting at the times ``clock`` tells: for recording what happened
        earlier (the demo practice's history). Every rule still applies, and the audit trail
        keeps the real time of writing: it is never backdated."""
        return ComposerService(
            self._uow,
            clock,
            self._known_names,
            self._practice,
            media_cleared=self._media_cleared,
            posting=self._posting,
            audit_clock=self._audit_clock,
        )

    # --- reading ---------------------------------------------------------------------------
    def get(self, post_id: int) -> Post:
        with self._uow() as tx:
            return tx.posts.get(post_id)

    def list(self, query: PostQuery) -> tuple[list[Post], int]:
        """A page of posts and how many match in all."""
        with self._uow() as tx:
            return tx.posts.list(query), tx.posts.count(query)

    def due(self, now: datetime | None = None) -> builtins.list[Post]:
        """Scheduled posts whose time has come (default: now)."""
        with self._uow() as tx:
            return tx.posts.due(now or self._clock.now())

    def history(self, post_id: int) -> PostHistory:
        with self._uow() as tx:
            tx.posts.get(post_id)
            return PostHistory(
                tuple(tx.posts.transitions(post_id)),
                tuple(tx.posts.comments(post_id)),
                tuple(tx.posts.overrides(post_id)),
                tuple(tx.posts.publications(post_id)),
            )

    def editor_state(self, post_id: int) -> EditorState:
        with self._uow() as tx:
            saved = tx.posts.editor_state(post_id)
        return EditorState() if saved is None else EditorState.from_json(saved)

    def posting_plan(self) -> PostingPlan:
        """The practice's posting plan as the checks see it now (opens its own unit of work
        when the provider reads storage: call it before opening one)."""
        return self._posting()

    def check(self, post: Post) -> CheckResult:
        """PHI findings (with the post's recorded overrides), readiness problems and advice
        (given the practice's posts of the last 30 days and the next ones planned, and its
        posting plan: how often it aims to post, its Mastodon server's limit)."""
        now = self._clock.now()
        plan = self._posting()
        scan = self._scan_input(plan)
        with self._uow() as tx:
            findings = self._findings(tx, post, scan)
            history = [p for q in advice_history(now) for p in tx.posts.list(q)]
        advice = advise(
            post, history=history, now=now, posts_per_week=plan.frequency, limits=scan.limits
        )
        return CheckResult(findings, tuple(problems(post, limits=scan.limits)), tuple(advice))

    # --- writing ---------------------------------------------------------------------------
    def new_draft(
        self, actor: StaffMember, text: str = "", platforms: Iterable[str] = DEFAULT_PLATFORMS
    ) -> Post:
        with self._uow() as tx:
            author = tx.staff.get(actor.id)
            post = tx.posts.add(new_post(author, text, platforms, self._clock.now()))
            append_event(tx, self._audit_clock, author, "post.create", "post", post.id, "draft")
            return post

    def autosave(
        self,
        actor: StaffMember,
        post_id: int,
        expected_version: int,
        *,
        master_text: str | None = None,
        variants: Mapping[str, str | None] | None = None,
        platforms: Iterable[str] | None = None,
        media: Iterable[str] | None = None,
    ) -> Post:
        """Save the composer's edits: platforms first, then the master text, then each
        platform's own text (``None`` resets it to follow the master), then the images. An
        edit to an approved or scheduled post sends it back to review (recorded, audited).
        Returns the post as saved (unchanged, same version, when nothing changed)."""
        now = self._clock.now()
        with self._uow() as tx:
            editor = tx.staff.get(actor.id)
            before = self._load(tx, post_id, expected_version)
            post = apply_edits(
                before,
                editor=editor,
                now=now,
                platforms=platforms,
                master_text=master_text,
                variants=variants,
                media=media,
            )
            if post == before:
                return before
            saved = tx.posts.save(post, expected_version)
            step = reopened(before, post)
            if step is not None:
                self._record(tx, editor, post_id, step)
            return saved

    def save_editor_state(self, actor: StaffMember, post_id: int, state: EditorState) -> None:
        """Remember the tab and cursor; never conflicts with edits (no new version)."""
        with self._uow() as tx:
            tx.staff.get(actor.id)
            tx.posts.get(post_id)
            tx.posts.save_editor_state(post_id, state.to_json())

    def comment(self, actor: StaffMember, post_id: int, text: str) -> Comment:
        with self._uow() as tx:
            author = tx.staff.get(actor.id)
            tx.posts.get(post_id)
            remark = new_comment(author, text, self._clock.now())
            tx.posts.add_comment(post_id, remark)
            detail = f"{len(remark.text)} chars"
            append_event(tx, self._audit_clock, author, "post.comment", "post", post_id, detail)
            return remark

    # --- workflow --------------------------------------------------------------------------
    def submit(
        self,
        actor: StaffMember,
        post_id: int,
        expected_version: int,
        overrides: Sequence[Override] = (),
    ) -> Post:
        """Send a draft for review. Each override lets one finding through with its written
        reason (audited: kind and reason length); any finding left open blocks."""
        now = self._clock.now()
        scan = self._scan_input(post_id=post_id, expected_version=expected_version)
        with self._uow() as tx:
            author = tx.staff.get(actor.id)
            post = self._load(tx, post_id, expected_version)
            findings = self._findings(tx, post, scan)
            for override in overrides:
                kind, digest = resolve_override(post, override, findings)
                reason = override.reason.strip()
                tx.posts.add_override(post_id, PhiOverride(kind, digest, reason, author.id, now))
                detail = f"override {kind}: {len(reason)} chars"
                append_event(
                    tx, self._audit_clock, author, "post.phi_override", "post", post_id, detail
                )
            return self._step(tx, author, post, PostState.IN_REVIEW, scan=scan)

    def approve(self, actor: StaffMember, post_id: int, expected_version: int) -> Post:
        """Approve as a second person with the approver role (never the author or whoever
        last changed or submitted it)."""
        scan = self._scan_input(post_id=post_id, expected_version=expected_version)
        with self._uow() as tx:
            approver = tx.staff.get(actor.id)
            post = self._load(tx, post_id, expected_version)
            return self._step(tx, approver, post, PostState.APPROVED, scan=scan)

    def request_changes(
        self, actor: StaffMember, post_id: int, expected_version: int, note: str
    ) -> Post:
        """Send a post in review back to its author as a draft, saying what to change."""
        return self._simple_step(actor, post_id, expected_version, PostState.DRAFT, note=note)

    def schedule(
        self, actor: StaffMember, post_id: int, expected_version: int, at: datetime
    ) -> Post:
        """Schedule (or reschedule) an approved post for ``at`` (aware, in the future)."""
        return self._simple_step(actor, post_id, expected_version, PostState.SCHEDULED, at=at)

    def unschedule(self, actor: StaffMember, post_id: int, expected_version: int) -> Post:
        return self._simple_step(actor, post_id, expected_version, PostState.APPROVED)

    def withdraw(
        self, actor: StaffMember, post_id: int, expected_version: int, reason: str
    ) -> Post:
        """Withdraw a post (or take a published one down), with a reason."""
        return self._simple_step(actor, post_id, expected_version, PostState.WITHDRAWN, note=reason)

    def record_manual_publish(
        self,
        actor: StaffMember,
        post_id: int,
        expected_version: int,
        url_by_platform: Mapping[str, str],
    ) -> Post:
        """The manual connector's last step: the person published by hand and pasted each
        platform's live URL. An approved or scheduled post starts publishing (checked again
        like any publish); once every platform has its URL the post is published."""
        now = self._clock.now()
        scan = self._scan_input(post_id=post_id, expected_version=expected_version)
        with self._uow() as tx:
            person = tx.staff.get(actor.id)
            post = self._load(tx, post_id, expected_version)
            if post.state is not PostState.PUBLISHING:
                post = self._step(tx, person, post, PostState.PUBLISHING, scan=scan)
            done = {p.platform for p in tx.posts.publications(post_id)}
            for platform, url in url_by_platform.items():
                check_publication(post, platform, url, done)
                tx.posts.add_publication(
                    post_id, Publication(platform, url.strip(), now, person.id)
                )
                done.add(platform)
                append_event(
                    tx,
                    self._audit_clock,
                    person,
                    "post.publication",
                    "post",
                    post_id,
                    f"{platform} manual",
                )
            if done >= set(post.platforms):
                post = self._step(tx, person, post, PostState.PUBLISHED)
            return post

    # --- helpers ---------------------------------------------------------------------------
    def _simple_step(
        self,
        actor: StaffMember,
        post_id: int,
        expected_version: int,
        to: PostState,
        *,
        note: str = "",
        at: datetime | None = None,
    ) -> Post:
        with self._uow() as tx:
            person = tx.staff.get(actor.id)
            post = self._load(tx, post_id, expected_version)
            return self._step(tx, person, post, to, note=note, at=at)

    def _step(
        self,
        tx: UnitOfWork,
        actor: StaffMember,
        post: Post,
        to: PostState,
        *,
        scan: _ScanInput | None = None,
        note: str = "",
        at: datetime | None = None,
    ) -> Post:
        """One workflow step; ``scan`` (given exactly for the gated steps) feeds the PHI
        check whose open findings and the media hook's count the gate needs, and the posting
        plan's limits its readiness check measures with."""
        blocking = uncleared = None
        if scan is not None:
            blocking = sum(not f.overridden for f in self._findings(tx, post, scan))
            if scan.uncleared_media is None or scan.version != post.version:
                raise ValueError("the media check must be read for this version of the post")
            uncleared = scan.uncleared_media
        after, step = transition(
            post,
            to,
            actor,
            self._clock.now(),
            note=note,
            blocking_findings=blocking,
            uncleared_media=uncleared,
            scheduled_at=at,
            limits=scan.limits if scan is not None else None,
        )
        assert post.id is not None
        saved = tx.posts.save(after, post.version)
        self._record(tx, actor, post.id, step)
        return saved

    def _record(self, tx: UnitOfWork, actor: StaffMember, post_id: int, step: Transition) -> None:
        tx.posts.add_transition(post_id, step)
        detail = f"to {step.to_state.value}"
        append_event(tx, self._audit_clock, actor, f"post.{step.action}", "post", post_id, detail)

    @staticmethod
    def _load(tx: UnitOfWork, post_id: int, expected_version: int) -> Post:
        post = tx.posts.get(post_id)
        if post.version != expected_version:
            raise EditConflict("Someone else saved this post first.", entity="post", id=post_id)
        return post

    def _scan_input(
        self,
        plan: PostingPlan | None = None,
        *,
        post_id: int | None = None,
        expected_version: int | None = None,
    ) -> _ScanInput:
        """The providers' answers, read *before* the use case's unit of work opens: they
        open their own (one SQLite writer at a time: nesting would wait on itself). For a
        gated step (``post_id``), the media hook's count for the post at
        ``expected_version`` (a newer version is an ``EditConflict`` now, as it would be in
        the step's unit of work)."""
        practice = self._practice()
        limits = (plan or self._posting()).limits
        uncleared = version = None
        if post_id is not None:
            with self._uow() as tx:
                post = tx.posts.get(post_id)
            if expected_version is not None and post.version != expected_version:
                raise EditConflict("Someone else saved this post first.", entity="post", id=post_id)
            uncleared = self._media_cleared(post.media_hashes, post.platforms)
            version = post.version
        return _ScanInput(
            _as_tuple(self._known_names()),
            contact_details(practice.phone, practice.website, practice.address),
            limits,
            uncleared,
            version,
        )

    @staticmethod
    def _findings(tx: UnitOfWork, post: Post, scan: _ScanInput) -> tuple[PostFinding, ...]:
        return find_phi(
            post,
            known_names=scan.known_names,
            allowed=scan.allowed,
            staff_names=[m.display_name for m in tx.staff.list(include_inactive=True)],
            overrides=tx.posts.overrides(post.id) if post.id is not None else (),
        )


__all__ = [
    "DEFAULT_PLATFORMS",
    "CheckResult",
    "ComposerService",
    "EditorState",
    "Override",
    "PostHistory",
]

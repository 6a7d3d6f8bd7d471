"""The two-person workflow: which step a post may take, who may take it, and what it needs.

Steps (named in ``core.composer.model.ACTIONS``)::

    draft      -> in_review (submit), withdrawn (withdraw)
    in_review  -> approved (approve), draft (request_changes), withdrawn
    approved   -> scheduled (schedule), publishing (publish), withdrawn
    scheduled  -> scheduled (reschedule), approved (unschedule), publishing, withdrawn
    publishing -> published (mark_published), failed (mark_failed)
    published  -> withdrawn (take_down)
    failed     -> scheduled (retry), draft (back_to_draft), withdrawn

A revoked patient consent sends an in-review, approved, scheduled or failed post that uses one
of the patient's images back to draft (``consent_pull_back``, step ``consent_withdrawn``).

A post that is publishing cannot be withdrawn: its outcome must be known first (then it is
taken down or withdrawn). An edit sends an approved, scheduled or failed post back to review
(``core.composer.variants``).

Submitting, approving and starting to publish are *gated*: no open PHI findings
(``blocking_findings``), no image whose checklist or consent is not clear (``uncleared_media``),
and no readiness problem (``core.composer.readiness``). The caller counts findings after the
overrides it recorded; both counts must be given at the gates so no caller skips them.
Approval is by a staff member whose role carries ``Permission.APPROVE``, who is neither the
author nor whoever last changed or submitted the post. Requesting changes, withdrawing and
taking down need a written reason. Only publishing may happen without a person (the scheduler,
``actor=None``), and the scheduler starts only posts that are due.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from core.composer.errors import (
    ApproverRoleRequired,
    CommentEmpty,
    InactiveStaff,
    OpenFindings,
    PostNotReady,
    ReasonRequired,
    ScheduleInPast,
    ScheduleRequired,
    SelfApproval,
    StaffRequired,
    TextTooLong,
    TransitionNotAllowed,
    UnclearedMedia,
)
from core.composer.model import (
    ACTIONS,
    APPROVED_STATES,
    ApprovedSnapshot,
    Comment,
    Post,
    PostState,
    Transition,
)
from core.composer.readiness import problem_codes, problems
from core.composer.variants import content_of, published_texts
from core.platforms import PLATFORM_IDS, PlatformRules
from core.staff.model import Permission, StaffMember
from core.staff.rules import can

_S = PostState
TRANSITIONS: Mapping[PostState, frozenset[PostState]] = MappingProxyType(
    {
        state: frozenset(
            to
            for (start, to), action in ACTIONS.items()
            if start is state and action not in ("reopen_after_edit", "consent_withdrawn")
        )
        for state in PostState
    }
)
"""The steps ``transition`` takes, by current state (``reopen_after_edit`` is an edit's,
``consent_withdrawn`` a revocation's: ``consent_pull_back``)."""

CONSENT_PULL_BACK_STATES = frozenset({_S.IN_REVIEW, _S.APPROVED, _S.SCHEDULED, _S.FAILED})
"""States a revoked consent sends a post back to draft from (a scheduled one is unscheduled)."""

GATED_ACTIONS = frozenset({"submit", "approve", "publish"})
"""Steps that need a clean PHI scan, cleared media and no readiness problem."""

SYSTEM_STEPS = frozenset(
    {(_S.SCHEDULED, _S.PUBLISHING), (_S.PUBLISHING, _S.PUBLISHED), (_S.PUBLISHING, _S.FAILED)}
)
"""Steps the scheduler may take with no signed-in person."""

MAX_NOTE_LENGTH = 1000
MAX_COMMENT_LENGTH = 2000


def transition(
    post: Post,
    to: PostState,
    actor: StaffMember | None,
    now: datetime,
    *,
    note: str = "",
    blocking_findings: int | None = None,
    uncleared_media: int | None = None,
    scheduled_at: datetime | None = None,
    rules: PlatformRules | None = None,
    limits: Mapping[str, int] | None = None,
) -> tuple[Post, Transition]:
    """Move ``post`` to state ``to``; returns the changed post and the step to audit.

    ``note`` is the reason (required when requesting changes, withdrawing, taking down) or a
    remark (e.g. why publishing failed). ``scheduled_at`` (aware; kept in UTC) is required for
    schedule, reschedule and retry, and must be after ``now``. ``blocking_findings`` and
    ``uncleared_media`` are required to submit, approve and publish; ``rules`` and ``limits`` go
    to the readiness check. Refusals raise ``core.composer.errors``; a missing gate count, a
    stray ``scheduled_at`` or a naive datetime is a bug and raises ``ValueError``.
    """
    _require_aware(now)
    start = post.state
    if to not in TRANSITIONS[start]:
        raise TransitionNotAllowed(
            f"a {start.value} post cannot become {to.value}",
            from_state=start.value,
            to_state=to.value,
        )
    _check_actor(post, to, actor, now)
    if (start, to) == (_S.IN_REVIEW, _S.APPROVED) and actor is not None:
        _check_approver(post, actor)
    note = note.strip()
    _check_note(start, to, note)
    if ACTIONS[(start, to)] in GATED_ACTIONS:
        _check_gate(post, blocking_findings, uncleared_media, rules, limits)
    if scheduled_at is not None and to is not _S.SCHEDULED:
        raise ValueError("scheduled_at is only for scheduling")

    changes: dict[str, Any] = {"state": to, "updated_at": now}
    if to is _S.IN_REVIEW and actor is not None:
        changes["last_editor_id"] = actor.id  # the submitter vouches for the text
    elif to is _S.APPROVED and start is _S.IN_REVIEW and actor is not None:
        changes["approver_id"] = actor.id
        changes["approved_text_snapshot"] = ApprovedSnapshot(
            master_text=post.master_text,
            texts=MappingProxyType(published_texts(post)),
            media_hashes=post.media_hashes,
            approver_id=actor.id,
            at=now,
        )
    elif to is _S.APPROVED:
        changes["scheduled_at"] = None
    elif to is _S.SCHEDULED:
        changes["scheduled_at"] = _schedule_time(scheduled_at, now)
    elif to is _S.PUBLISHED:
        changes["published_at"] = now
    elif to is _S.DRAFT:
        changes["approver_id"] = None
        changes["scheduled_at"] = None
    elif to is _S.WITHDRAWN:
        changes["withdrawn_reason"] = note
    step = Transition(start, to, actor.id if actor else None, now, note)
    return replace(post, **changes), step


def consent_pull_back(
    post: Post, actor: StaffMember, now: datetime, *, note: str
) -> tuple[Post, Transition]:
    """Send a post that is not yet published back to draft because a patient withdrew the
    consent for one of its images (recorded by ``actor``, any active staff member): no
    approval, no schedule. The image stays attached and blocks every gate until removed."""
    _require_aware(now)
    start = post.state
    if start not in CONSENT_PULL_BACK_STATES:
        raise TransitionNotAllowed(
            f"a {start.value} post cannot be pulled back",
            from_state=start.value,
            to_state=_S.DRAFT.value,
        )
    if not actor.active:
        raise InactiveStaff("This staff member is deactivated.", action="consent_withdrawn")
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise TextTooLong("That note is too long.", field="note", limit=MAX_NOTE_LENGTH)
    changed = replace(post, state=_S.DRAFT, updated_at=now, approver_id=None, scheduled_at=None)
    return changed, Transition(start, _S.DRAFT, actor.id, now, note)


def allowed_targets(state: PostState) -> frozenset[PostState]:
    """The states ``transition`` can move a post in ``state`` to (for enabling buttons)."""
    return TRANSITIONS[state]


def is_due(post: Post, now: datetime) -> bool:
    """Whether the scheduler should publish ``post`` now."""
    return post.state is _S.SCHEDULED and post.scheduled_at is not None and post.scheduled_at <= now


def new_comment(author: StaffMember, text: str, now: datetime) -> Comment:
    """A comment on a post; any active staff member may comment in any state."""
    _require_aware(now)
    if not author.active:
        raise InactiveStaff("This staff member is deactivated.", action="comment")
    text = text.strip()
    if not text:
        raise CommentEmpty("A comment needs some text.", field="comment")
    if len(text) > MAX_COMMENT_LENGTH:
        raise TextTooLong("That comment is too long.", field="comment", limit=MAX_COMMENT_LENGTH)
    return Comment(author.id, now, text)


def inconsistencies(post: Post) -> list[str]:
    """Codes for every broken invariant of ``post`` (``[]`` for a consistent one): for tests,
    and for storage to refuse to load or save a damaged record."""
    return _content_inconsistencies(post) + _state_inconsistencies(post)


def _content_inconsistencies(post: Post) -> list[str]:
    broken: list[str] = []
    if list(post.platforms) != [p for p in PLATFORM_IDS if p in post.platforms]:
        broken.append("platforms_unordered_or_unknown")
    if list(post.variants) != list(post.platforms) or any(
        v.platform != p for p, v in post.variants.items()
    ):
        broken.append("variants_do_not_match_platforms")
    elif any(v.text != post.master_text for v in post.variants.values() if not v.edited):
        broken.append("following_variant_differs_from_master")
    times = [post.created_at, post.updated_at, post.scheduled_at, post.published_at]
    if any(t is not None and t.utcoffset() is None for t in times):
        broken.append("naive_time")
    elif post.updated_at < post.created_at:
        broken.append("updated_before_created")
    return broken


def _state_inconsistencies(post: Post) -> list[str]:
    broken: list[str] = []
    if post.approver_id is not None and post.approver_id in (post.author_id, post.last_editor_id):
        broken.append("self_approved")
    if post.state in APPROVED_STATES:
        snapshot = post.approved_text_snapshot
        if post.approver_id is None or snapshot is None:
            broken.append("approved_without_approver")
        elif (tuple(snapshot.texts), tuple(snapshot.texts.items()), snapshot.media_hashes) != (
            content_of(post)
        ):
            broken.append("content_differs_from_approval")
    elif post.state in (_S.DRAFT, _S.IN_REVIEW) and (
        post.approver_id is not None or post.scheduled_at is not None
    ):
        broken.append("unapproved_with_approval_or_schedule")
    if post.state is _S.SCHEDULED and post.scheduled_at is None:
        broken.append("scheduled_without_time")
    if post.state is _S.PUBLISHED and post.published_at is None:
        broken.append("published_without_time")
    if (post.state is _S.WITHDRAWN) != bool(post.withdrawn_reason):
        broken.append("withdrawn_reason_mismatch")
    return broken


def _check_actor(post: Post, to: PostState, actor: StaffMember | None, now: datetime) -> None:
    if actor is None:
        if (post.state, to) not in SYSTEM_STEPS:
            raise StaffRequired("A signed-in staff member must do this.", action=to.value)
        if post.state is _S.SCHEDULED and not is_due(post, now):
            raise TransitionNotAllowed(
                "the post is not due yet",
                from_state=post.state.value,
                to_state=to.value,
                reason="not_due",
            )
    elif not actor.active:
        raise InactiveStaff("This staff member is deactivated.", action=to.value)


def _check_note(start: PostState, to: PostState, note: str) -> None:
    needs_reason = to is _S.WITHDRAWN or (start, to) == (_S.IN_REVIEW, _S.DRAFT)
    if needs_reason and not note:
        raise ReasonRequired("Please say why.", field="note", action=ACTIONS[(start, to)])
    if len(note) > MAX_NOTE_LENGTH:
        raise TextTooLong("That note is too long.", field="note", limit=MAX_NOTE_LENGTH)


def _check_gate(
    post: Post,
    blocking_findings: int | None,
    uncleared_media: int | None,
    rules: PlatformRules | None,
    limits: Mapping[str, int] | None,
) -> None:
    if blocking_findings is None or uncleared_media is None:
        raise ValueError("blocking_findings and uncleared_media are required at this step")
    if blocking_findings > 0:
        raise OpenFindings("Some PHI findings are still open.", count=blocking_findings)
    if uncleared_media > 0:
        raise UnclearedMedia("Some images are not cleared for use.", count=uncleared_media)
    found = problems(post, rules=rules, limits=limits)
    if found:
        raise PostNotReady("The post cannot be published as it is.", problems=problem_codes(found))


def _check_approver(post: Post, actor: StaffMember) -> None:
    if not can(actor.role, Permission.APPROVE):
        raise ApproverRoleRequired("Your role may not approve posts.", action="approve")
    if actor.id == post.author_id:
        raise SelfApproval("You cannot approve your own post.", reason="author")
    if actor.id == post.last_editor_id:
        raise SelfApproval("Someone else must check your changes.", reason="last_editor")


def _schedule_time(scheduled_at: datetime | None, now: datetime) -> datetime:
    if scheduled_at is None:
        raise ScheduleRequired("Choose when to publish.", field="scheduled_at")
    _require_aware(scheduled_at)
    if scheduled_at <= now:
        raise ScheduleInPast("That time has already passed.", field="scheduled_at")
    return scheduled_at.astimezone(UTC)


def _require_aware(when: datetime) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("times must be aware datetimes (UTC)")

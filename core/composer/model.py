"""Posts, their per-platform variants, the approval snapshot and workflow records.

Everything here is a frozen dataclass or an enum; ``core.composer.variants`` and
``core.composer.workflow`` make changed copies. Times are aware datetimes in UTC. A post's
``version`` belongs to storage (optimistic locking): the pure functions never change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType


class PostState(StrEnum):
    """Where a post is in the two-person workflow (see ``core.composer.workflow``)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


APPROVED_STATES = frozenset(
    {
        PostState.APPROVED,
        PostState.SCHEDULED,
        PostState.PUBLISHING,
        PostState.PUBLISHED,
        PostState.FAILED,
    }
)
"""States whose content is exactly what an approver approved."""

EDITABLE_STATES = frozenset(
    {
        PostState.DRAFT,
        PostState.IN_REVIEW,
        PostState.APPROVED,
        PostState.SCHEDULED,
        PostState.FAILED,
    }
)
"""States whose content may change; in an approved one a change sends the post back to review."""


@dataclass(frozen=True, slots=True)
class Variant:
    """The text for one platform. It follows the master text (and equals it) until ``edited``."""

    platform: str
    text: str
    edited: bool = False


@dataclass(frozen=True, slots=True)
class ApprovedSnapshot:
    """What the approver saw and approved: the master text, each platform's text and the media.

    Kept after an edit sends the post back to review, so the next approver sees what changed
    (``core.composer.changes.changes_since_approval``).
    """

    master_text: str
    texts: Mapping[str, str]
    media_hashes: tuple[str, ...]
    approver_id: int
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """A social-media post: one master text tailored per platform, and its workflow state.

    ``variants`` holds exactly one ``Variant`` per id in ``platforms`` (ordered as
    ``core.platforms.PLATFORM_IDS``). ``last_editor_id`` is whoever last changed what would be
    published, or submitted it for review: the approver must be someone else, and never the
    author (the two-person rule). ``id`` is ``None`` until storage saves the post.
    ``media_hashes`` name images in the media vault by content hash.
    """

    id: int | None
    master_text: str
    platforms: tuple[str, ...]
    variants: Mapping[str, Variant]
    state: PostState
    author_id: int
    last_editor_id: int
    created_at: datetime
    updated_at: datetime
    approver_id: int | None = None
    scheduled_at: datetime | None = None
    published_at: datetime | None = None
    version: int = 1
    approved_text_snapshot: ApprovedSnapshot | None = None
    media_hashes: tuple[str, ...] = ()
    withdrawn_reason: str = ""


@dataclass(frozen=True, slots=True)
class Comment:
    """A remark on a post by a staff member (e.g. the approver asking for a change)."""

    author_id: int
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Transition:
    """One step of a post through the workflow, for the audit trail and the post's history.

    ``actor_id`` is ``None`` when the scheduler acted on its own. ``from_state`` equals
    ``to_state`` for a reschedule.
    """

    from_state: PostState
    to_state: PostState
    actor_id: int | None
    at: datetime
    note: str = ""

    @property
    def action(self) -> str:
        """A stable name for the step (``submit``, ``approve``, ``take_down``…), e.g. for the
        audit action ``post.<action>``."""
        return ACTIONS[(self.from_state, self.to_state)]


_S = PostState
ACTIONS: Mapping[tuple[PostState, PostState], str] = MappingProxyType(
    {
        (_S.DRAFT, _S.IN_REVIEW): "submit",
        (_S.DRAFT, _S.WITHDRAWN): "withdraw",
        (_S.IN_REVIEW, _S.APPROVED): "approve",
        (_S.IN_REVIEW, _S.DRAFT): "request_changes",
        (_S.IN_REVIEW, _S.WITHDRAWN): "withdraw",
        (_S.APPROVED, _S.SCHEDULED): "schedule",
        (_S.APPROVED, _S.PUBLISHING): "publish",
        (_S.APPROVED, _S.IN_REVIEW): "reopen_after_edit",
        (_S.APPROVED, _S.WITHDRAWN): "withdraw",
        (_S.SCHEDULED, _S.SCHEDULED): "reschedule",
        (_S.SCHEDULED, _S.APPROVED): "unschedule",
        (_S.SCHEDULED, _S.PUBLISHING): "publish",
        (_S.SCHEDULED, _S.IN_REVIEW): "reopen_after_edit",
        (_S.SCHEDULED, _S.WITHDRAWN): "withdraw",
        (_S.PUBLISHING, _S.PUBLISHED): "mark_published",
        (_S.PUBLISHING, _S.FAILED): "mark_failed",
        (_S.PUBLISHED, _S.WITHDRAWN): "take_down",
        (_S.FAILED, _S.SCHEDULED): "retry",
        (_S.FAILED, _S.DRAFT): "back_to_draft",
        (_S.FAILED, _S.IN_REVIEW): "reopen_after_edit",
        (_S.FAILED, _S.WITHDRAWN): "withdraw",
        (_S.APPROVED, _S.DRAFT): "consent_withdrawn",
        (_S.SCHEDULED, _S.DRAFT): "consent_withdrawn",
    }
)
"""Every step a post can take, named. ``reopen_after_edit`` happens only through an edit;
``consent_withdrawn`` only when a patient's consent for one of its images is revoked
(``core.composer.workflow.consent_pull_back``)."""


class DiffOp(StrEnum):
    """How a stretch of text differs between the approved and the current version."""

    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class DiffSegment:
    """A stretch of words (with the spaces between them) that was kept, added or removed."""

    op: DiffOp
    text: str


class ChangeKind(StrEnum):
    """What changed since the approval."""

    TEXT_CHANGED = "text_changed"
    PLATFORM_ADDED = "platform_added"
    PLATFORM_REMOVED = "platform_removed"
    MEDIA_ADDED = "media_added"
    MEDIA_REMOVED = "media_removed"


@dataclass(frozen=True, slots=True)
class Change:
    """One thing the approver must look at again.

    Text changes carry a word-level diff in ``segments``: the ``equal`` and ``delete`` segments
    rebuild the approved text, the ``equal`` and ``insert`` ones the current text. An added
    platform is one ``insert`` segment, a removed one a ``delete``. Media changes name the image
    by ``media_hash`` and have no platform.
    """

    kind: ChangeKind
    platform: str | None = None
    segments: tuple[DiffSegment, ...] = ()
    media_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a post cannot be published as it is (``core.composer.readiness``): blocks submitting,
    approving and publishing. ``platform`` is ``None`` for the post as a whole."""

    code: str
    platform: str | None = None
    params: Mapping[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Advice:
    """A hint that never blocks (``core.composer.advice``); the GUI words ``code``."""

    code: str
    platform: str | None = None
    params: Mapping[str, int | float | str] = field(default_factory=dict)

"""The composer's storage port (``PostRepository``) and the plain data it trades in.

``storage.repositories.posts`` implements it over SQL, ``tests.fakes`` in memory. Like every
repository, it returns core dataclasses (``core.composer.model.Post`` and friends), never ORM
objects. Filtering, sorting and paging happen in the database (ARCHITECTURE.md, "Big lists").
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from core.composer.model import Comment, Post, PostState, Transition


class PostOrder(StrEnum):
    """How a list of posts is sorted; every order ends with the id, so pages are stable."""

    UPDATED_DESC = "updated_desc"
    """Most recently changed first (the composer's list of drafts)."""
    CREATED_DESC = "created_desc"
    SCHEDULED_ASC = "scheduled_asc"
    """Soonest first, posts without a time last (the calendar, the queue)."""
    PUBLISHED_DESC = "published_desc"
    """Latest published first, unpublished last (the published list)."""


@dataclass(frozen=True, slots=True)
class PostQuery:
    """Which posts to list. Empty ``states`` means every state; time bounds are aware,
    ``*_from`` inclusive and ``*_to`` exclusive; ``text`` matches (case-insensitively, ASCII
    case folding on SQLite) part of the master text or of any platform's own text."""

    states: Collection[PostState] = ()
    author_id: int | None = None
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None
    published_from: datetime | None = None
    published_to: datetime | None = None
    text: str = ""
    offset: int = 0
    limit: int = 100
    order: PostOrder = PostOrder.UPDATED_DESC


@dataclass(frozen=True, slots=True)
class Publication:
    """Where one platform's variant went live: the URL a person pasted after publishing by
    hand (the manual connector), when, and who recorded it."""

    platform: str
    url: str
    published_at: datetime
    recorded_by: int


@dataclass(frozen=True, slots=True)
class PhiOverride:
    """A PHI finding a staff member let through, with the written reason. The finding is
    named by its ``kind`` and the hash of the flagged words (``core.composer.check``), never
    by the words themselves, so an override survives edits elsewhere in the text."""

    kind: str
    text_hash: str
    reason: str
    actor_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class EditorState:
    """Where the composer was in a post (no PHI): the open tab (a platform id, ``None`` for
    the master text) and the cursor, restored when the post is reopened."""

    tab: str | None = None
    cursor: int = 0

    def to_json(self) -> str:
        return json.dumps({"tab": self.tab, "cursor": self.cursor}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> EditorState:
        """The saved state, or the default one when it cannot be read (never worth an error)."""
        try:
            value = json.loads(text)
            tab, cursor = value.get("tab"), value.get("cursor", 0)
        except (ValueError, AttributeError):
            return cls()
        if (
            not isinstance(tab, str | None)
            or isinstance(cursor, bool)
            or not isinstance(cursor, int)
        ):
            return cls()
        return cls(tab, max(cursor, 0))


@dataclass(frozen=True, slots=True)
class PostHistory:
    """What happened to a post, each list oldest first."""

    transitions: tuple[Transition, ...]
    comments: tuple[Comment, ...]
    overrides: tuple[PhiOverride, ...]
    publications: tuple[Publication, ...]


class PostRepository(Protocol):
    """Posts, their variants and the records around them, in the unit of work's
    transaction. Unknown ids raise ``core.errors.NotFound``."""

    def get(self, post_id: int) -> Post: ...

    def add(self, post: Post) -> Post:
        """Insert a new post (``post.id`` is ``None``); returns it with its id, version 1."""
        ...

    def save(self, post: Post, expected_version: int) -> Post:
        """Store everything of ``post`` (variants included) if the stored version still is
        ``expected_version``, else ``core.errors.EditConflict``; returns it with its new
        version."""
        ...

    def list(self, query: PostQuery) -> builtins.list[Post]:
        """One page of the matching posts, in ``query.order``."""
        ...

    def count(self, query: PostQuery) -> int:
        """How many posts match (ignoring ``offset`` and ``limit``)."""
        ...

    def due(self, now: datetime) -> builtins.list[Post]:
        """Scheduled posts whose time has come (``scheduled_at <= now``), soonest first."""
        ...

    def add_comment(self, post_id: int, comment: Comment) -> None: ...

    def comments(self, post_id: int) -> builtins.list[Comment]:
        """Oldest first."""
        ...

    def add_transition(self, post_id: int, step: Transition) -> None: ...

    def transitions(self, post_id: int) -> builtins.list[Transition]:
        """Oldest first."""
        ...

    def add_override(self, post_id: int, override: PhiOverride) -> None: ...

    def overrides(self, post_id: int) -> builtins.list[PhiOverride]:
        """Oldest first."""
        ...

    def add_publication(self, post_id: int, publication: Publication) -> None:
        """Record where one platform's variant went live (once per platform)."""
        ...

    def publications(self, post_id: int) -> builtins.list[Publication]:
        """By publishing time, then platform."""
        ...

    def save_editor_state(self, post_id: int, state_json: str) -> None:
        """Keep the composer's view of the post (tab, cursor) as JSON. Not an edit: the
        version stays, so moving the cursor never conflicts with another workstation's
        save."""
        ...

    def editor_state(self, post_id: int) -> str | None:
        """The JSON saved by ``save_editor_state``, or ``None``."""
        ...

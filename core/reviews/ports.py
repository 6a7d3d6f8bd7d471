"""The review inbox's storage port and the plain data it trades in.

``storage.repositories.reviews`` implements it over SQL (SQLite FTS5 / PostgreSQL ``tsvector``
for the text search) and ``tests.fakes`` in memory. Unknown ids raise ``core.errors.NotFound``;
a stale version raises ``core.errors.EditConflict``. Filters, sorts, text search and paging run
in the database (ARCHITECTURE.md, "Big lists").
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from core.reviews.model import (
    Assessment,
    Decision,
    ItemKind,
    Reply,
    Review,
    ReviewStatus,
    Sentiment,
    Source,
)

OPEN_STATUSES: tuple[ReviewStatus, ...] = (
    ReviewStatus.NEW,
    ReviewStatus.TRIAGED,
    ReviewStatus.AWAITING_APPROVAL,
    ReviewStatus.APPROVED,
    ReviewStatus.ESCALATED,
)
"""Items that still wait for someone: they have a due time and can be overdue. Replied items
and those decided not to answer have none (``Review.due_at`` is ``None``)."""


class ReviewOrder(StrEnum):
    """The inbox's sorts; every one ends with the id so pages are stable."""

    DUE_ASC = "due_asc"
    """Soonest due first; items without a due time (replied, no response) last."""
    POSTED_DESC = "posted_desc"
    POSTED_ASC = "posted_asc"
    RATING_ASC = "rating_asc"
    """Fewest stars first (items without stars, e.g. mentions, count as below one star), the
    oldest first among equals: the exact reverse of ``RATING_DESC``, so one index serves
    both."""
    RATING_DESC = "rating_desc"
    """Most stars first, the newest first among equals."""


@dataclass(frozen=True, slots=True)
class ReviewQuery:
    """Which items to list. Empty collections mean "any". ``overdue`` keeps open items whose
    due time is before ``now`` (the service fills ``now`` in from its clock when it is
    ``None``). ``text``: every word must occur in the text or the author's name, the last word
    as a prefix (search as you type); punctuation and markup count as spaces. ``due_from`` /
    ``due_to`` keep open items due in ``[due_from, due_to)``; ``decision`` keeps items whose
    latest assessment decided that."""

    statuses: Collection[ReviewStatus] = ()
    sources: Collection[Source] = ()
    ratings: Collection[int] = ()
    overdue: bool = False
    assignee_id: int | None = None
    text: str = ""
    kind: ItemKind | None = None
    order: ReviewOrder = ReviewOrder.DUE_ASC
    offset: int = 0
    limit: int = 100
    now: datetime | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    decision: Decision | None = None


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One step in an item's history (shown in its detail): ``action`` is the audit action
    (``review.assess``…), ``detail`` a short code-like note without review text or names."""

    at: datetime
    actor_id: int | None
    action: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ReplyOverride:
    """A reply-check finding let through with a written reason, named like the composer's
    (kind and a hash of the flagged words, ``core.composer.check.span_hash``)."""

    kind: str
    text_hash: str
    reason: str
    by: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Feed:
    """An RSS/Atom feed of mentions (e.g. a Google Alert). ``last_error`` is a code
    (``fetch_failed``, ``parse_failed``, ``too_big``) or empty."""

    id: int | None
    url: str
    name: str
    added_by: int
    added_at: datetime
    last_polled_at: datetime | None = None
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class DueInput:
    """What an open item's due time is computed from (for recomputing after a rules change)."""

    id: int
    posted_at: datetime
    collected_at: datetime
    sentiment: Sentiment


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """One review (not a mention) for the measures: when it came, its stars, themes and status,
    and when its reply was marked posted."""

    posted_at: datetime
    collected_at: datetime
    rating: int | None
    themes: tuple[str, ...]
    status: ReviewStatus
    replied_at: datetime | None


class ReviewRepository(Protocol):
    def add(self, review: Review) -> Review:
        """Insert one item (``review.id`` is ``None``); returns it with its id, version 1.
        ``EditConflict`` when it duplicates a stored one (see ``duplicate_of``)."""
        ...

    def add_many(self, reviews: Sequence[Review]) -> tuple[int, int]:
        """Insert in the caller's transaction, skipping duplicates: the same source and
        (non-empty) external id, or the same content hash, as a stored item or an earlier one of
        ``reviews``. Returns (added, skipped)."""
        ...

    def duplicate_of(self, review: Review) -> int | None:
        """The id of a stored item ``review`` duplicates, if any."""
        ...

    def get(self, review_id: int) -> Review: ...

    def save(self, review: Review, expected_version: int) -> Review:
        """Update status, sentiment, themes, due time and assignee if the stored version is
        ``expected_version``; returns it with the new version."""
        ...

    def revise(self, review: Review, expected_version: int) -> Review:
        """``save``, and also the words and stars (``text``, ``rating``): a site lets the
        reviewer edit a review later. The content hash, the author and the dates stay as
        first collected."""
        ...

    def query(self, q: ReviewQuery) -> builtins.list[Review]:
        """One page, filtered and sorted in SQL (``q.now`` must be set for ``overdue``)."""
        ...

    def count(self, q: ReviewQuery) -> int: ...

    def first_due(self, q: ReviewQuery) -> datetime | None:
        """The earliest due time among the matching items."""
        ...

    # --- triage and replies ----------------------------------------------------------------
    def add_assessment(self, review_id: int, assessment: Assessment) -> None:
        """Record an assessment (history is kept); the latest one is the item's decision."""
        ...

    def assessment(self, review_id: int) -> Assessment | None:
        """The latest assessment."""
        ...

    def set_reply(self, review_id: int, reply: Reply | None) -> None:
        """Store (replace) the item's reply; ``None`` removes it."""
        ...

    def reply(self, review_id: int) -> Reply | None: ...

    def add_override(self, review_id: int, override: ReplyOverride) -> None: ...

    def overrides(self, review_id: int) -> builtins.list[ReplyOverride]: ...

    def add_event(self, review_id: int, event: ReviewEvent) -> None: ...

    def events(self, review_id: int) -> builtins.list[ReviewEvent]:
        """Oldest first."""
        ...

    # --- due times and measures ------------------------------------------------------------
    def iter_open(self, batch: int = 2000) -> Iterator[builtins.list[DueInput]]:
        """Every open item's due inputs, in batches by id."""
        ...

    def set_due_many(self, dues: Sequence[tuple[int, datetime | None]]) -> None:
        """Store due times (not an edit: versions stay)."""
        ...

    def measure_rows(self, since: datetime) -> builtins.list[MeasureRow]:
        """Reviews posted at or after ``since``, oldest first."""
        ...

    # --- feeds -----------------------------------------------------------------------------
    def add_feed(self, feed: Feed) -> Feed: ...

    def feeds(self) -> builtins.list[Feed]:
        """By name, then id."""
        ...

    def get_feed(self, feed_id: int) -> Feed: ...

    def remove_feed(self, feed_id: int) -> None: ...

    def mark_polled(self, feed_id: int, at: datetime, error: str) -> None: ...


class ReviewSource(Protocol):
    """Where reviews come from without a file: the Google Business Profile API plugs in here
    (the connectors issue). ``fetch_new`` returns items collected after ``since`` (``None``:
    everything it can see) as new ``Review`` objects (``id`` ``None``; the service fills in
    sentiment, themes and the due time and de-duplicates them)."""

    name: str

    def fetch_new(self, since: datetime | None) -> builtins.list[Review]: ...


@dataclass(frozen=True, slots=True)
class RemoteReply:
    """A reply as the site has it: its words and the site's time of the last change."""

    comment: str
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class CollectedReview:
    """A review as a connected site shows it now: the item (as ``ReviewSource.fetch_new``
    gives it), the site's time of its last change, and the reply the site already shows
    (``None``: none), e.g. one the practice wrote on the site before it connected the app."""

    review: Review
    updated_at: datetime | None = None
    reply: RemoteReply | None = None


@dataclass(frozen=True, slots=True)
class SourcePlace:
    """One place a connected source collects from (a Google location): ``key`` names it
    for good (the account id as text), ``label`` is the practice's own name for it."""

    key: str
    account_id: int | None
    label: str


@dataclass(frozen=True, slots=True)
class PlaceFailure:
    """A place whose reviews could not be collected, as the service remembers it until a
    collection there works again: ``code`` is the error's (``token_revoked``, ``http_403``,
    ``http_404``…), ``permanent`` whether asking again alone cannot help, ``since`` the first
    failed attempt of this run of failures and ``last`` the latest. No review text, no
    token."""

    source: str
    key: str
    account_id: int | None
    label: str
    code: str
    permanent: bool
    since: datetime
    last: datetime


@runtime_checkable
class PlacesSource(Protocol):
    """A connected source with several places (the GBP locations), collected one place at a
    time so that each has its own "changed since" and its own failure (``ReviewService.
    collect_connected``). ``fetch_place`` raises the publishing connectors' typed errors
    (``core.publishing.connectors``)."""

    name: str

    def places(self) -> Sequence[SourcePlace]: ...

    def fetch_place(
        self, place: SourcePlace, since: datetime | None
    ) -> builtins.list[CollectedReview]: ...


class ReplyTarget(Protocol):
    """Where an approved reply can be posted through an API (the Google Business Profile's
    ``updateReply``, ``core.connectors.gbp_reviews``). Errors are the publishing connectors'
    typed ones (``core.publishing.connectors``): transient, permanent (the site's reason in
    plain words) or uncertain (no answer came back)."""

    name: str

    def handles(self, review: Review) -> bool:
        """Whether ``review`` belongs to a place this target can reply on."""
        ...

    def update_reply(self, review_name: str, comment: str) -> RemoteReply:
        """Create or replace the reply to the review ``review_name`` (its external id)."""
        ...

    def remote_reply(self, review_name: str) -> RemoteReply | None:
        """The reply the site has now (``None``: none), to reconcile before sending again."""
        ...


def statuses_of(values: Collection[ReviewStatus | str]) -> tuple[str, ...]:
    """Status values, sorted (for SQL and for comparisons)."""
    return tuple(sorted(ReviewStatus(v).value for v in values))


_WORD = re.compile(r"[^\W_]+")
MAX_SEARCH_WORDS = 8


def search_words(text: str) -> builtins.list[str]:
    """The words of a search (``ReviewQuery.text``) as storage matches them: runs of letters
    and digits, lower-cased; punctuation, symbols and markup separate words. At most
    ``MAX_SEARCH_WORDS`` (the first ones), each at most 64 characters."""
    return [w[:64] for w in _WORD.findall(text.lower())][:MAX_SEARCH_WORDS]


def text_matches(words: builtins.list[str], *texts: str) -> bool:
    """Whether ``texts`` hold every word, the last one as a prefix (the in-memory form of the
    SQL search, for fakes and tests)."""
    if not words:
        return True
    tokens = set(_WORD.findall(" ".join(texts).lower()))
    *whole, last = words
    return all(w in tokens for w in whole) and any(t.startswith(last) for t in tokens)

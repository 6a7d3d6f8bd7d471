"""Reviews, mentions, their triage, replies and feeds (``core.reviews.ports``).

The inbox filters, sorts, searches and pages in SQL. Every sort has an index that serves it
with the id as the last key (stable pages); ``due_key`` and ``rating_key`` stand in for the
nullable due time and rating so NULLs sort alike on both databases. Text search: an FTS5
external-content table on SQLite, a generated ``tsvector`` column with a GIN index on
PostgreSQL (migration 0005), both queried with the words of ``core.reviews.ports.search_words``
(all words, the last one as a prefix).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from core.errors import EditConflict, NotFound
from core.reviews.model import (
    Assessment,
    Authenticity,
    Decision,
    ItemKind,
    RemoteState,
    Reply,
    Review,
    ReviewStatus,
    ReviewType,
    Sentiment,
    Source,
)
from core.reviews.ports import (
    OPEN_STATUSES,
    DueInput,
    Feed,
    MeasureRow,
    ReplyOverride,
    ReviewEvent,
    ReviewOrder,
    ReviewQuery,
    search_words,
    statuses_of,
)
from storage.models import (
    DUE_NEVER,
    REVIEW,
    REVIEW_ASSESSMENT,
    REVIEW_EVENT,
    REVIEW_FEED,
    REVIEW_OVERRIDE,
    REVIEW_REPLY,
)

_R, _A, _P, _O, _E, _F = (
    REVIEW,
    REVIEW_ASSESSMENT,
    REVIEW_REPLY,
    REVIEW_OVERRIDE,
    REVIEW_EVENT,
    REVIEW_FEED,
)
_BATCH = 500
_OPEN = statuses_of(OPEN_STATUSES)


def _review(row: Any) -> Review:
    return Review(
        id=row.id,
        kind=ItemKind(row.kind),
        source=Source(row.source),
        external_id=row.external_id,
        author=row.author,
        rating=row.rating,
        posted_at=row.posted_at,
        text=row.text,
        url=row.url,
        content_hash=row.content_hash,
        collected_at=row.collected_at,
        status=ReviewStatus(row.status),
        sentiment=Sentiment(row.sentiment),
        sentiment_score=row.sentiment_score,
        themes=tuple(json.loads(row.themes)),
        due_at=row.due_at,
        assignee_id=row.assignee_id,
        version=row.version,
    )


def _mutable(review: Review) -> dict[str, Any]:
    """The columns a save may change (the collected content never changes)."""
    return {
        "status": review.status.value,
        "sentiment": review.sentiment.value,
        "sentiment_score": float(review.sentiment_score),
        "themes": json.dumps(builtins.list(review.themes)),
        "due_at": review.due_at,
        "due_key": review.due_at or DUE_NEVER,
        "assignee_id": review.assignee_id,
    }


def _values(review: Review) -> dict[str, Any]:
    return {
        "kind": review.kind.value,
        "source": review.source.value,
        "external_id": review.external_id[:500],
        "author": review.author[:200],
        "rating": review.rating,
        "rating_key": review.rating or 0,
        "posted_at": review.posted_at,
        "text": review.text,
        "url": review.url,
        "content_hash": review.content_hash,
        "collected_at": review.collected_at,
        **_mutable(review),
        "decision": None,
        "version": 1,
    }


_ORDERS: dict[ReviewOrder, tuple[Any, ...]] = {
    ReviewOrder.DUE_ASC: (_R.c.due_key.asc(), _R.c.id.asc()),
    ReviewOrder.POSTED_DESC: (_R.c.posted_at.desc(), _R.c.id.desc()),
    ReviewOrder.POSTED_ASC: (_R.c.posted_at.asc(), _R.c.id.asc()),
    ReviewOrder.RATING_ASC: (_R.c.rating_key.asc(), _R.c.posted_at.asc(), _R.c.id.asc()),
    ReviewOrder.RATING_DESC: (_R.c.rating_key.desc(), _R.c.posted_at.desc(), _R.c.id.desc()),
}


_PROBE_ABOVE = 1000
"""SQLite: when the text search matches more items than this, the page is read in the sort's
index order, probing each id against the matches (stops after one page), instead of fetching
every match by id and sorting them all."""


def fts_match(words: builtins.list[str]) -> str:
    """The FTS5 query: every word, the last as a prefix (words are letters and digits only)."""
    *whole, last = words
    return " ".join([*(f'"{w}"' for w in whole), f'"{last}"*'])


def tsquery(words: builtins.list[str]) -> str:
    """The PostgreSQL ``to_tsquery`` text of the same search."""
    *whole, last = words
    return " & ".join([*whole, f"{last}:*"])


def _fts_ids(match: str) -> Any:
    return (
        text("SELECT rowid FROM review_fts WHERE review_fts MATCH :fts")
        .bindparams(fts=match)
        .columns(rowid=Integer)
    )


class SqlReviewRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name
        self._hits: dict[str, int] = {}

    def _fts_hits(self, match: str) -> int:
        """How many items an FTS5 query matches (counted in the index alone)."""
        if match not in self._hits:
            self._hits[match] = int(
                self._session.execute(
                    text("SELECT count(*) FROM review_fts WHERE review_fts MATCH :fts"),
                    {"fts": match},
                ).scalar_one()
            )
        return self._hits[match]

    def _text_condition(self, words: builtins.list[str]) -> ColumnElement[bool]:
        """Every word in the author or the text, the last one as a prefix."""
        if self._dialect == "postgresql":
            return literal_column("review.search_vector").op("@@")(
                func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(words))
            )
        match = fts_match(words)
        if self._fts_hits(match) > _PROBE_ABOVE:
            return (_R.c.id + 0).in_(_fts_ids(match))  # "+ 0": no lookups by id
        return _R.c.id.in_(_fts_ids(match))

    # --- adding ----------------------------------------------------------------------------
    def duplicate_of(self, review: Review) -> int | None:
        condition = _R.c.content_hash == review.content_hash
        if review.external_id:
            condition = or_(
                condition,
                and_(
                    _R.c.source == review.source.value,
                    _R.c.external_id == review.external_id[:500],
                ),
            )
        return self._session.execute(
            select(_R.c.id).where(condition).order_by(_R.c.id).limit(1)
        ).scalar_one_or_none()

    def add(self, review: Review) -> Review:
        if self.duplicate_of(review) is not None:
            raise EditConflict("This review is already stored.", entity="review")
        new_id = self._session.execute(
            insert(_R).values(**_values(review)).returning(_R.c.id)
        ).scalar_one()
        return self.get(new_id)

    def add_many(self, reviews: Sequence[Review]) -> tuple[int, int]:
        added = skipped = 0
        seen_hashes: set[str] = set()
        seen_ids: set[tuple[str, str]] = set()
        for start in range(0, len(reviews), _BATCH):
            chunk = reviews[start : start + _BATCH]
            hashes = {r.content_hash for r in chunk}
            keys = {(r.source.value, r.external_id[:500]) for r in chunk if r.external_id}
            stored_hashes = set(
                self._session.execute(
                    select(_R.c.content_hash).where(_R.c.content_hash.in_(hashes))
                ).scalars()
            )
            stored_keys: set[tuple[str, str]] = set()
            if keys:
                rows = self._session.execute(
                    select(_R.c.source, _R.c.external_id).where(
                        _R.c.external_id.in_({k[1] for k in keys})
                    )
                )
                stored_keys = {(r.source, r.external_id) for r in rows} & keys
            fresh = []
            for review in chunk:
                key = (review.source.value, review.external_id[:500])
                if (
                    review.content_hash in stored_hashes
                    or review.content_hash in seen_hashes
                    or (review.external_id and (key in stored_keys or key in seen_ids))
                ):
                    skipped += 1
                    continue
                seen_hashes.add(review.content_hash)
                if review.external_id:
                    seen_ids.add(key)
                fresh.append(_values(review))
            if fresh:
                self._session.execute(insert(_R), fresh)
                added += len(fresh)
        return added, skipped

    # --- reading ---------------------------------------------------------------------------
    def get(self, review_id: int) -> Review:
        row = self._session.execute(select(_R).where(_R.c.id == review_id)).one_or_none()
        if row is None:
            raise NotFound("No such review.", entity="review", id=review_id)
        return _review(row)

    def _filtered(self, stmt: Select[Any], q: ReviewQuery) -> Select[Any]:
        if q.statuses:
            stmt = stmt.where(_R.c.status.in_(statuses_of(q.statuses)))
        if q.sources:
            stmt = stmt.where(_R.c.source.in_(sorted(Source(s).value for s in q.sources)))
        if q.ratings:
            stmt = stmt.where(_R.c.rating_key.in_(sorted({int(r) for r in q.ratings} - {0})))
        if q.kind is not None:
            stmt = stmt.where(_R.c.kind == ItemKind(q.kind).value)
        if q.assignee_id is not None:
            stmt = stmt.where(_R.c.assignee_id == q.assignee_id)
        if q.decision is not None:
            stmt = stmt.where(_R.c.decision == Decision(q.decision).value)
        if q.overdue or q.due_from is not None or q.due_to is not None:
            stmt = stmt.where(_R.c.status.in_(_OPEN), _R.c.due_key < DUE_NEVER)
        if q.overdue:
            if q.now is None:
                raise ValueError("an overdue query needs now")
            stmt = stmt.where(_R.c.due_key < q.now)
        if q.due_from is not None:
            stmt = stmt.where(_R.c.due_key >= q.due_from)
        if q.due_to is not None:
            stmt = stmt.where(_R.c.due_key < q.due_to)
        words = search_words(q.text)
        if words:
            stmt = stmt.where(self._text_condition(words))
        return stmt

    def query(self, q: ReviewQuery) -> builtins.list[Review]:
        stmt = (
            self._filtered(select(_R), q)
            .order_by(*_ORDERS[ReviewOrder(q.order)])
            .offset(max(q.offset, 0))
            .limit(max(q.limit, 0))
        )
        return [_review(r) for r in self._session.execute(stmt)]

    def count(self, q: ReviewQuery) -> int:
        words = search_words(q.text)
        if words and self._dialect == "sqlite" and _only_text(q):
            return self._fts_hits(fts_match(words))
        stmt = self._filtered(select(func.count()).select_from(_R), q)
        return int(self._session.execute(stmt).scalar_one())

    def first_due(self, q: ReviewQuery) -> datetime | None:
        stmt = self._filtered(select(func.min(_R.c.due_key)).select_from(_R), q)
        stmt = stmt.where(_R.c.due_key < DUE_NEVER)
        value: datetime | None = self._session.execute(stmt).scalar_one_or_none()
        return value

    # --- saving ----------------------------------------------------------------------------
    def save(self, review: Review, expected_version: int) -> Review:
        assert review.id is not None
        result = self._session.execute(
            update(_R)
            .where(_R.c.id == review.id, _R.c.version == expected_version)
            .values(**_mutable(review), version=expected_version + 1)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.get(review.id)  # NotFound when it is gone
            raise EditConflict(
                "Someone else changed this review first.", entity="review", id=review.id
            )
        return replace(review, version=expected_version + 1)

    def revise(self, review: Review, expected_version: int) -> Review:
        """``save`` with the words and stars a reviewer may edit on the site (the FTS5
        trigger and the generated ``tsvector`` follow the text)."""
        assert review.id is not None
        result = self._session.execute(
            update(_R)
            .where(_R.c.id == review.id, _R.c.version == expected_version)
            .values(
                **_mutable(review),
                text=review.text,
                rating=review.rating,
                rating_key=review.rating or 0,
                version=expected_version + 1,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.get(review.id)  # NotFound when it is gone
            raise EditConflict(
                "Someone else changed this review first.", entity="review", id=review.id
            )
        self._hits.clear()
        return self.get(review.id)

    # --- triage and replies ----------------------------------------------------------------
    def add_assessment(self, review_id: int, assessment: Assessment) -> None:
        self._session.execute(
            insert(_A).values(
                review_id=review_id,
                authenticity=assessment.authenticity.value,
                review_type=assessment.review_type.value,
                reach=assessment.reach,
                severity=assessment.severity,
                decision=assessment.decision.value,
                reason=assessment.reason,
                assessed_by=assessment.assessed_by,
                assessed_at=assessment.assessed_at,
            )
        )
        self._session.execute(
            update(_R).where(_R.c.id == review_id).values(decision=assessment.decision.value)
        )

    def assessment(self, review_id: int) -> Assessment | None:
        row = self._session.execute(
            select(_A).where(_A.c.review_id == review_id).order_by(_A.c.id.desc()).limit(1)
        ).one_or_none()
        if row is None:
            return None
        return Assessment(
            authenticity=Authenticity(row.authenticity),
            review_type=ReviewType(row.review_type),
            reach=row.reach,
            severity=row.severity,
            decision=Decision(row.decision),
            reason=row.reason,
            assessed_by=row.assessed_by,
            assessed_at=row.assessed_at,
        )

    def set_reply(self, review_id: int, reply: Reply | None) -> None:
        self._session.execute(delete(_P).where(_P.c.review_id == review_id))
        if reply is None:
            return
        self._session.execute(
            insert(_P).values(
                review_id=review_id,
                text=reply.text,
                written_by=reply.written_by,
                written_at=reply.written_at,
                approved_by=reply.approved_by,
                approved_at=reply.approved_at,
                posted_by=reply.posted_by,
                posted_at=reply.posted_at,
                remote_state=reply.remote_state.value if reply.remote_state else None,
                remote_updated_at=reply.remote_updated_at,
                remote_error_code=reply.remote_error_code or None,
                remote_error=reply.remote_error or None,
            )
        )

    def reply(self, review_id: int) -> Reply | None:
        row = self._session.execute(select(_P).where(_P.c.review_id == review_id)).one_or_none()
        if row is None:
            return None
        return Reply(
            text=row.text,
            written_by=row.written_by,
            written_at=row.written_at,
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            posted_by=row.posted_by,
            posted_at=row.posted_at,
            remote_state=RemoteState(row.remote_state) if row.remote_state else None,
            remote_updated_at=row.remote_updated_at,
            remote_error_code=row.remote_error_code or "",
            remote_error=row.remote_error or "",
        )

    def add_override(self, review_id: int, override: ReplyOverride) -> None:
        self._session.execute(
            insert(_O).values(
                review_id=review_id,
                kind=override.kind,
                text_hash=override.text_hash,
                reason=override.reason,
                by=override.by,
                at=override.at,
            )
        )

    def overrides(self, review_id: int) -> builtins.list[ReplyOverride]:
        rows = self._session.execute(
            select(_O).where(_O.c.review_id == review_id).order_by(_O.c.id)
        )
        return [ReplyOverride(r.kind, r.text_hash, r.reason, r.by, r.at) for r in rows]

    def add_event(self, review_id: int, event: ReviewEvent) -> None:
        self._session.execute(
            insert(_E).values(
                review_id=review_id,
                at=event.at,
                actor_id=event.actor_id,
                action=event.action,
                detail=event.detail,
            )
        )

    def events(self, review_id: int) -> builtins.list[ReviewEvent]:
        rows = self._session.execute(
            select(_E).where(_E.c.review_id == review_id).order_by(_E.c.id)
        )
        return [ReviewEvent(r.at, r.actor_id, r.action, r.detail) for r in rows]

    # --- due times and measures ------------------------------------------------------------
    def iter_open(self, batch: int = 2000) -> Iterator[builtins.list[DueInput]]:
        last = 0
        while True:
            rows = self._session.execute(
                select(_R.c.id, _R.c.posted_at, _R.c.collected_at, _R.c.sentiment)
                .where(_R.c.id > last, _R.c.status.in_(_OPEN))
                .order_by(_R.c.id)
                .limit(batch)
            ).all()
            if rows:
                yield [
                    DueInput(r.id, r.posted_at, r.collected_at, Sentiment(r.sentiment))
                    for r in rows
                ]
            if len(rows) < batch:
                return
            last = rows[-1].id

    def set_due_many(self, dues: Sequence[tuple[int, datetime | None]]) -> None:
        if not dues:
            return
        stmt = (
            update(_R)
            .where(_R.c.id == bindparam("rid"))
            .values(due_at=bindparam("due"), due_key=bindparam("key"))
        )
        params = [{"rid": i, "due": due, "key": due or DUE_NEVER} for i, due in dues]
        self._session.connection().execute(stmt, params)

    def measure_rows(self, since: datetime) -> builtins.list[MeasureRow]:
        rows = self._session.execute(
            select(
                _R.c.posted_at,
                _R.c.collected_at,
                _R.c.rating,
                _R.c.themes,
                _R.c.status,
                _P.c.posted_at.label("replied_at"),
            )
            .select_from(_R.outerjoin(_P, _P.c.review_id == _R.c.id))
            .where(_R.c.kind == ItemKind.REVIEW.value, _R.c.posted_at >= since)
            .order_by(_R.c.posted_at, _R.c.id)
        )
        return [
            MeasureRow(
                r.posted_at,
                r.collected_at,
                r.rating,
                tuple(json.loads(r.themes)),
                ReviewStatus(r.status),
                r.replied_at,
            )
            for r in rows
        ]

    # --- feeds -----------------------------------------------------------------------------
    def add_feed(self, feed: Feed) -> Feed:
        new_id = self._session.execute(
            insert(_F)
            .values(
                url=feed.url,
                name=feed.name,
                added_by=feed.added_by,
                added_at=feed.added_at,
                last_polled_at=feed.last_polled_at,
                last_error=feed.last_error,
            )
            .returning(_F.c.id)
        ).scalar_one()
        return self.get_feed(new_id)

    def feeds(self) -> builtins.list[Feed]:
        rows = self._session.execute(select(_F).order_by(func.lower(_F.c.name), _F.c.id))
        return [_feed(r) for r in rows]

    def get_feed(self, feed_id: int) -> Feed:
        row = self._session.execute(select(_F).where(_F.c.id == feed_id)).one_or_none()
        if row is None:
            raise NotFound("No such feed.", entity="feed", id=feed_id)
        return _feed(row)

    def remove_feed(self, feed_id: int) -> None:
        self.get_feed(feed_id)
        self._session.execute(delete(_F).where(_F.c.id == feed_id))

    def mark_polled(self, feed_id: int, at: datetime, error: str) -> None:
        self._session.execute(
            update(_F).where(_F.c.id == feed_id).values(last_polled_at=at, last_error=error[:40])
        )


def _only_text(q: ReviewQuery) -> bool:
    """Whether the query filters by nothing but its text."""
    return replace(q, text="", order=ReviewOrder.DUE_ASC, offset=0, limit=100, now=None) == (
        ReviewQuery()
    )


def _feed(row: Any) -> Feed:
    return Feed(
        id=row.id,
        url=row.url,
        name=row.name,
        added_by=row.added_by,
        added_at=row.added_at,
        last_polled_at=row.last_polled_at,
        last_error=row.last_error,
    )


__all__ = ["SqlReviewRepository", "fts_match", "tsquery"]

"""Posts and their records (``core.composer.ports.PostRepository``).

The post row goes through the ORM for its version check; variants and the append-only records
(comments, workflow steps, overrides, publications) through Core statements. Lists filter,
sort and page in SQL and load the page's variants in one more query.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from core.composer.model import ApprovedSnapshot, Comment, Post, PostState, Transition, Variant
from core.composer.ports import PhiOverride, PostOrder, PostQuery, Publication
from core.errors import EditConflict, NotFound
from core.platforms import PLATFORM_IDS
from storage.models import (
    POST,
    POST_COMMENT,
    POST_OVERRIDE,
    POST_PUBLICATION,
    POST_TRANSITION,
    POST_VARIANT,
    PostRow,
)

_CONFLICT = "Someone else saved this post first: reload and try again."
_P, _V = POST, POST_VARIANT


def snapshot_to_json(snapshot: ApprovedSnapshot | None) -> str | None:
    if snapshot is None:
        return None
    return json.dumps(
        {
            "master_text": snapshot.master_text,
            "texts": dict(snapshot.texts),
            "media_hashes": list(snapshot.media_hashes),
            "approver_id": snapshot.approver_id,
            "at": snapshot.at.isoformat(),
        },
        ensure_ascii=False,
    )


def snapshot_from_json(text: str | None) -> ApprovedSnapshot | None:
    if text is None:
        return None
    value = json.loads(text)
    return ApprovedSnapshot(
        master_text=value["master_text"],
        texts=MappingProxyType(dict(value["texts"])),
        media_hashes=tuple(value["media_hashes"]),
        approver_id=int(value["approver_id"]),
        at=datetime.fromisoformat(value["at"]),
    )


def _post(row: PostRow, variants: Iterable[Variant]) -> Post:
    by_platform = {v.platform: v for v in variants}
    platforms = tuple(p for p in PLATFORM_IDS if p in by_platform)
    return Post(
        id=row.id,
        master_text=row.master_text,
        platforms=platforms,
        variants=MappingProxyType({p: by_platform[p] for p in platforms}),
        state=PostState(row.state),
        author_id=row.author_id,
        last_editor_id=row.last_editor_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        approver_id=row.approver_id,
        scheduled_at=row.scheduled_at,
        published_at=row.published_at,
        version=row.version,
        approved_text_snapshot=snapshot_from_json(row.approved_snapshot),
        media_hashes=tuple(json.loads(row.media_hashes)),
        withdrawn_reason=row.withdrawn_reason,
    )


def _copy_into(row: PostRow, post: Post) -> None:
    row.master_text = post.master_text
    row.state = post.state.value
    row.author_id = post.author_id
    row.approver_id = post.approver_id
    row.last_editor_id = post.last_editor_id
    row.scheduled_at = post.scheduled_at
    row.published_at = post.published_at
    row.withdrawn_reason = post.withdrawn_reason
    row.approved_snapshot = snapshot_to_json(post.approved_text_snapshot)
    row.media_hashes = json.dumps(list(post.media_hashes))
    row.created_at = post.created_at
    row.updated_at = post.updated_at


def _filters(q: PostQuery) -> builtins.list[ColumnElement[bool]]:
    where: builtins.list[ColumnElement[bool]] = []
    if q.states:
        where.append(_P.c.state.in_([PostState(s).value for s in q.states]))
    if q.author_id is not None:
        where.append(_P.c.author_id == q.author_id)
    if q.scheduled_from is not None:
        where.append(_P.c.scheduled_at >= q.scheduled_from)
    if q.scheduled_to is not None:
        where.append(_P.c.scheduled_at < q.scheduled_to)
    if q.published_from is not None:
        where.append(_P.c.published_at >= q.published_from)
    if q.published_to is not None:
        where.append(_P.c.published_at < q.published_to)
    needle = q.text.strip().lower()
    if needle:
        own_text = exists().where(
            _V.c.post_id == _P.c.id,
            _V.c.edited.is_(True),
            func.lower(_V.c.text).contains(needle, autoescape=True),
        )
        where.append(func.lower(_P.c.master_text).contains(needle, autoescape=True) | own_text)
    return where


def _ordered(stmt: Select[Any], order: PostOrder) -> Select[Any]:
    if order is PostOrder.UPDATED_DESC:
        return stmt.order_by(_P.c.updated_at.desc(), _P.c.id.desc())
    if order is PostOrder.CREATED_DESC:
        return stmt.order_by(_P.c.created_at.desc(), _P.c.id.desc())
    if order is PostOrder.SCHEDULED_ASC:
        return stmt.order_by(_P.c.scheduled_at.asc().nulls_last(), _P.c.id.asc())
    return stmt.order_by(_P.c.published_at.desc().nulls_last(), _P.c.id.desc())


class SqlPostRepository:
    """Post rows in the unit of work's session.

    ``save`` is optimistic twice over: it compares the version the caller read with the stored
    one, and the ORM's version check catches a save that lands between that read and the
    flush. The editor state is written with a Core UPDATE, which leaves the version alone.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, post_id: int) -> PostRow:
        row = self._session.get(PostRow, post_id)
        if row is None:
            raise NotFound("No such post.", entity="post", id=post_id)
        return row

    def _variants(self, post_ids: Sequence[int]) -> dict[int, builtins.list[Variant]]:
        found: dict[int, builtins.list[Variant]] = {i: [] for i in post_ids}
        if post_ids:
            stmt = select(_V.c.post_id, _V.c.platform, _V.c.text, _V.c.edited).where(
                _V.c.post_id.in_(post_ids)
            )
            for post_id, platform, text, edited in self._session.execute(stmt):
                found[post_id].append(Variant(platform, text, edited))
        return found

    def _write_variants(self, post_id: int, post: Post) -> None:
        self._session.execute(delete(_V).where(_V.c.post_id == post_id))
        rows = [
            {"post_id": post_id, "platform": v.platform, "text": v.text, "edited": v.edited}
            for v in (post.variants[p] for p in post.platforms)
        ]
        if rows:
            self._session.execute(insert(_V), rows)

    def get(self, post_id: int) -> Post:
        row = self._row(post_id)
        return _post(row, self._variants([post_id])[post_id])

    def add(self, post: Post) -> Post:
        row = PostRow(editor_state=None)
        _copy_into(row, post)
        self._session.add(row)
        self._session.flush()
        self._write_variants(row.id, post)
        return self.get(row.id)

    def save(self, post: Post, expected_version: int) -> Post:
        if post.id is None:
            raise ValueError("save() needs a stored post; add() a new one")
        row = self._row(post.id)
        if row.version != expected_version:
            raise EditConflict(_CONFLICT, entity="post", id=post.id)
        _copy_into(row, post)
        flag_modified(row, "master_text")  # every save is a new version, variants-only too
        try:
            self._session.flush()
        except StaleDataError:
            raise EditConflict(_CONFLICT, entity="post", id=post.id) from None
        self._write_variants(post.id, post)
        return self.get(post.id)

    def list(self, query: PostQuery) -> builtins.list[Post]:
        stmt = _ordered(select(PostRow).where(*_filters(query)), query.order)
        rows = self._session.scalars(stmt.offset(query.offset).limit(query.limit)).all()
        variants = self._variants([row.id for row in rows])
        return [_post(row, variants[row.id]) for row in rows]

    def count(self, query: PostQuery) -> int:
        stmt = select(func.count()).select_from(_P).where(*_filters(query))
        return int(self._session.execute(stmt).scalar_one())

    def due(self, now: datetime) -> builtins.list[Post]:
        stmt = (
            select(PostRow)
            .where(PostRow.state == PostState.SCHEDULED.value, PostRow.scheduled_at <= now)
            .order_by(PostRow.scheduled_at, PostRow.id)
        )
        rows = self._session.scalars(stmt).all()
        variants = self._variants([row.id for row in rows])
        return [_post(row, variants[row.id]) for row in rows]

    def add_comment(self, post_id: int, comment: Comment) -> None:
        self._session.execute(
            insert(POST_COMMENT).values(
                post_id=post_id, author_id=comment.author_id, at=comment.at, text=comment.text
            )
        )

    def comments(self, post_id: int) -> builtins.list[Comment]:
        t = POST_COMMENT
        stmt = select(t.c.author_id, t.c.at, t.c.text).where(t.c.post_id == post_id)
        return [Comment(*row) for row in self._session.execute(stmt.order_by(t.c.id))]

    def add_transition(self, post_id: int, step: Transition) -> None:
        self._session.execute(
            insert(POST_TRANSITION).values(
                post_id=post_id,
                from_state=step.from_state.value,
                to_state=step.to_state.value,
                actor_id=step.actor_id,
                at=step.at,
                note=step.note,
            )
        )

    def transitions(self, post_id: int) -> builtins.list[Transition]:
        t = POST_TRANSITION
        stmt = select(t.c.from_state, t.c.to_state, t.c.actor_id, t.c.at, t.c.note).where(
            t.c.post_id == post_id
        )
        return [
            Transition(PostState(start), PostState(to), actor, at, note)
            for start, to, actor, at, note in self._session.execute(stmt.order_by(t.c.id))
        ]

    def add_override(self, post_id: int, override: PhiOverride) -> None:
        self._session.execute(
            insert(POST_OVERRIDE).values(
                post_id=post_id,
                kind=override.kind,
                text_hash=override.text_hash,
                reason=override.reason,
                actor_id=override.actor_id,
                at=override.at,
            )
        )

    def overrides(self, post_id: int) -> builtins.list[PhiOverride]:
        t = POST_OVERRIDE
        stmt = select(t.c.kind, t.c.text_hash, t.c.reason, t.c.actor_id, t.c.at).where(
            t.c.post_id == post_id
        )
        return [PhiOverride(*row) for row in self._session.execute(stmt.order_by(t.c.id))]

    def add_publication(self, post_id: int, publication: Publication) -> None:
        self._session.execute(
            insert(POST_PUBLICATION).values(
                post_id=post_id,
                platform=publication.platform,
                url=publication.url,
                published_at=publication.published_at,
                recorded_by=publication.recorded_by,
            )
        )

    def publications(self, post_id: int) -> builtins.list[Publication]:
        t = POST_PUBLICATION
        stmt = (
            select(t.c.platform, t.c.url, t.c.published_at, t.c.recorded_by)
            .where(t.c.post_id == post_id)
            .order_by(t.c.published_at, t.c.platform)
        )
        return [Publication(*row) for row in self._session.execute(stmt)]

    def save_editor_state(self, post_id: int, state_json: str) -> None:
        result = self._session.execute(
            update(_P).where(_P.c.id == post_id).values(editor_state=state_json)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("No such post.", entity="post", id=post_id)
        # A row already loaded in this session must not keep the old value.
        self._session.expire_all()

    def editor_state(self, post_id: int) -> str | None:
        row = self._session.execute(
            select(_P.c.editor_state).where(_P.c.id == post_id)
        ).one_or_none()
        if row is None:
            raise NotFound("No such post.", entity="post", id=post_id)
        value: str | None = row[0]
        return value

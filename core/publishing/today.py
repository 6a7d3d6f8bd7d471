"""Today's items about posts: what waits for a person in the composer and the outbox.

One item per post and kind, keyed ``post.<kind>.<id>`` (stable across reloads), on page
``composer`` with the post id as target. Params are plain data: ids, platform ids, ISO times,
codes and a staff member's display name; never the post's words.

Kinds:
    post_review         waiting for approval (only people who may approve see it)
    post_publish_by_hand  due, with platforms a person must publish by hand
    post_late           more than ``late_after`` past its time: publish now or reschedule?
    post_blocked        due, but held back by the check at publish (PHI, images, readiness)
    post_failed         a platform refused it
    post_uncertain      nobody could tell whether it went out on some platform
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from core.composer.model import Post, PostState
from core.composer.ports import PostOrder, PostQuery
from core.errors import NotFound
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.publishing.connectors import ConnectorRegistry
from core.publishing.model import OutboxEntry, OutboxStatus
from core.staff.model import Permission
from core.today.model import AttentionItem, Severity

PAGE = "composer"
MAX_ITEMS_PER_KIND = 200


def post_items(
    uow: UnitOfWorkFactory,
    now: datetime,
    registry: ConnectorRegistry,
    *,
    late_after: timedelta,
    blocked: Mapping[int, str] | None = None,
) -> list[AttentionItem]:
    """Every item about posts at ``now`` (see the module docstring). ``blocked`` maps due
    posts the last scheduler run held back to the error code."""
    with uow() as tx:
        late = _late(tx, now, late_after)
        late_ids = {item.params["post_id"] for item in late}
        return [
            *_reviews(tx),
            *_by_hand(tx, registry),
            *late,
            *_blocked(tx, blocked or {}, late_ids),
            *_failed(tx),
            *_uncertain(tx),
        ]


def _item(
    kind: str,
    post: Post,
    severity: Severity,
    params: Mapping[str, object],
    *,
    due: datetime | None = None,
    permission: Permission | None = None,
) -> AttentionItem:
    assert post.id is not None
    return AttentionItem(
        key=f"post.{kind.removeprefix('post_')}.{post.id}",
        kind=kind,
        severity=severity,
        page=PAGE,
        due=due,
        target=str(post.id),
        params={"post_id": post.id, **params},
        permission=permission,
    )


def _posts(tx: UnitOfWork, state: PostState) -> list[Post]:
    query = PostQuery(states=(state,), limit=MAX_ITEMS_PER_KIND, order=PostOrder.UPDATED_DESC)
    return tx.posts.list(query)


def _reviews(tx: UnitOfWork) -> list[AttentionItem]:
    names = {m.id: m.display_name for m in tx.staff.list(include_inactive=True)}
    items = []
    for post in _posts(tx, PostState.IN_REVIEW):
        assert post.id is not None
        submitted = [
            t.at for t in tx.posts.transitions(post.id) if t.to_state is PostState.IN_REVIEW
        ]
        at = submitted[-1] if submitted else post.updated_at
        params = {"submitted_at": at.isoformat(), "author": names.get(post.author_id, "")}
        items.append(
            _item("post_review", post, Severity.WARNING, params, permission=Permission.APPROVE)
        )
    return items


def _by_hand(tx: UnitOfWork, registry: ConnectorRegistry) -> list[AttentionItem]:
    items = []
    for post in _posts(tx, PostState.PUBLISHING):
        assert post.id is not None
        entries = {e.platform: e for e in tx.outbox.for_post(post.id)}
        done = {p.platform for p in tx.posts.publications(post.id)}
        missing = [
            p
            for p in post.platforms
            if p not in done
            and (
                entries[p].status is OutboxStatus.MANUAL if p in entries else registry.is_manual(p)
            )
        ]
        if missing:
            due = post.scheduled_at
            params = {"platforms": missing, "due": due.isoformat() if due else None}
            items.append(_item("post_publish_by_hand", post, Severity.URGENT, params, due=due))
    return items


def _late(tx: UnitOfWork, now: datetime, late_after: timedelta) -> list[AttentionItem]:
    items = []
    for post in tx.posts.due(now):
        when = post.scheduled_at
        if when is not None and now - when > late_after:
            params = {"platforms": list(post.platforms), "due": when.isoformat()}
            items.append(_item("post_late", post, Severity.URGENT, params, due=when))
    return items


def _blocked(tx: UnitOfWork, blocked: Mapping[int, str], skip: set[object]) -> list[AttentionItem]:
    items = []
    for post_id, code in sorted(blocked.items()):
        if post_id in skip:
            continue
        post = _scheduled(tx, post_id)
        if post is None:
            continue
        due = post.scheduled_at
        params = {"reason": code, "due": due.isoformat() if due else None}
        items.append(_item("post_blocked", post, Severity.URGENT, params, due=due))
    return items


def _scheduled(tx: UnitOfWork, post_id: int) -> Post | None:
    try:
        post = tx.posts.get(post_id)
    except NotFound:
        return None
    return post if post.state is PostState.SCHEDULED else None


def _failed(tx: UnitOfWork) -> list[AttentionItem]:
    items = []
    for post in _posts(tx, PostState.FAILED):
        assert post.id is not None
        refused = [
            e.platform
            for e in tx.outbox.for_post(post.id)
            if e.status is OutboxStatus.FAILED and e.platform in post.platforms
        ]
        params = {"platforms": refused, "codes": _codes(tx.outbox.for_post(post.id))}
        items.append(_item("post_failed", post, Severity.URGENT, params))
    return items


def _codes(entries: list[OutboxEntry]) -> list[str]:
    return [e.error_code for e in entries if e.status is OutboxStatus.FAILED and e.error_code]


def _uncertain(tx: UnitOfWork) -> list[AttentionItem]:
    by_post: dict[int, list[str]] = defaultdict(list)
    for entry in tx.outbox.with_status([OutboxStatus.UNCERTAIN]):
        if entry.needs_person:
            by_post[entry.post_id].append(entry.platform)
    items = []
    for post_id, platforms in sorted(by_post.items()):
        post = tx.posts.get(post_id)
        items.append(_item("post_uncertain", post, Severity.URGENT, {"platforms": platforms}))
    return items

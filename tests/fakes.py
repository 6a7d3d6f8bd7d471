"""An in-memory implementation of core's ports, for fast core unit tests.

Storage tests prove the real repositories against SQLite and PostgreSQL; these doubles let core
rules and services be tested in milliseconds. They keep the same contracts (versions, conflicts,
append-only audit), and commit or roll back like a transaction.
"""

from __future__ import annotations

import builtins
import copy
import hashlib
import itertools
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from core.audit.model import AuditEvent, AuditQuery
from core.backup.model import BackupInfo
from core.clock import Clock
from core.composer.model import Comment, Post, Transition
from core.composer.ports import PhiOverride, PostOrder, PostQuery, Publication
from core.composer.workflow import is_due
from core.consent import rules as consent_rules
from core.consent.model import Authorization, AuthorizationStatus, Patient, Takedown
from core.consent.ports import AuthorizationQuery, StatusDay
from core.errors import EditConflict, NotFound
from core.imaging.model import ImageRecord, ImageStatus, PhotoSpot
from core.imaging.ports import ImageQuery
from core.publishing.model import OutboxEntry, OutboxStatus
from core.reviews.model import Assessment, Decision, Reply, Review
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
    text_matches,
)
from core.staff.model import Credentials, Role, StaffMember
from tests.fakes_accounts import MemoryAccounts
from tests.fakes_incentives import MemoryIncentives


@dataclass
class MemoryState:
    staff: dict[int, StaffMember] = field(default_factory=dict)
    creds: dict[int, Credentials] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    settings: dict[str, tuple[dict[str, Any], int]] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    posts: dict[int, Post] = field(default_factory=dict)
    post_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # Per post id, immutable tuples: copying the dict is enough to isolate a transaction.
    post_records: dict[tuple[str, int], tuple[Any, ...]] = field(default_factory=dict)
    editor_states: dict[int, str] = field(default_factory=dict)
    outbox: dict[int, OutboxEntry] = field(default_factory=dict)
    outbox_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    patients: dict[int, Patient] = field(default_factory=dict)
    patient_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # authorization id -> (authorization, complete)
    authorizations: dict[int, tuple[Authorization, bool]] = field(default_factory=dict)
    authorization_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    takedowns: dict[int, Takedown] = field(default_factory=dict)
    takedown_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    reviews: dict[int, Review] = field(default_factory=dict)
    review_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # Per review id, immutable values: copying the dicts is enough to isolate a transaction.
    assessments: dict[int, tuple[Assessment, ...]] = field(default_factory=dict)
    replies: dict[int, Reply] = field(default_factory=dict)
    review_overrides: dict[int, tuple[ReplyOverride, ...]] = field(default_factory=dict)
    review_events: dict[int, tuple[ReviewEvent, ...]] = field(default_factory=dict)
    feeds: dict[int, Feed] = field(default_factory=dict)
    feed_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # The incentive log (tests.fakes_incentives): immutable rows keyed by (table, id).
    incentive_rows: dict[tuple[str, int], Any] = field(default_factory=dict)
    incentive_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    images: dict[int, ImageRecord] = field(default_factory=dict)
    image_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    photo_spots: dict[int, PhotoSpot] = field(default_factory=dict)
    photo_spot_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # Connected accounts (tests.fakes_accounts): (account, refresh_claimed_until) by id.
    accounts: dict[int, Any] = field(default_factory=dict)
    account_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class _Staff:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def list(self, *, include_inactive: bool = False) -> list[StaffMember]:
        return sorted(
            (m for m in self.s.staff.values() if include_inactive or m.active),
            key=lambda m: m.display_name.lower(),
        )

    def get(self, staff_id: int) -> StaffMember:
        try:
            return self.s.staff[staff_id]
        except KeyError:
            raise NotFound("No such staff member.", entity="staff") from None

    def add(self, display_name: str, role: Role, pin_hash: str) -> StaffMember:
        member = StaffMember(next(self.s.ids), display_name, role)
        self.s.staff[member.id] = member
        self.s.creds[member.id] = Credentials(member.id, pin_hash)
        return member

    def update(self, member: StaffMember) -> StaffMember:
        if self.get(member.id).version != member.version:
            raise EditConflict("Someone else changed this staff member.", entity="staff")
        saved = replace(member, version=member.version + 1)
        self.s.staff[member.id] = saved
        return saved

    def credentials(self, staff_id: int) -> Credentials:
        self.get(staff_id)
        return self.s.creds[staff_id]

    def set_pin_hash(self, staff_id: int, pin_hash: str) -> None:
        self.s.creds[staff_id] = Credentials(staff_id, pin_hash)

    def set_failures(
        self, staff_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None:
        self.s.creds[staff_id] = replace(
            self.s.creds[staff_id], failed_attempts=failed_attempts, locked_until=locked_until
        )


class _Audit:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def lock_chain(self) -> None:
        pass

    def last(self) -> AuditEvent | None:
        return self.s.audit[-1] if self.s.audit else None

    def insert(self, event: AuditEvent) -> None:
        self.s.audit.append(event)

    def _match(self, q: AuditQuery) -> list[AuditEvent]:
        return [
            e
            for e in reversed(self.s.audit)
            if (q.actor_id is None or e.actor_id == q.actor_id)
            and (q.action is None or e.action == q.action)
            and (q.since is None or e.at >= q.since)
            and (q.until is None or e.at < q.until)
        ]

    def query(self, q: AuditQuery) -> list[AuditEvent]:
        return self._match(q)[q.offset : q.offset + q.limit]

    def count(self, q: AuditQuery) -> int:
        return len(self._match(q))

    def actions(self) -> list[str]:
        return sorted({e.action for e in self.s.audit})

    def iter_all(self, batch: int = 5000) -> Iterator[AuditEvent]:
        return iter(list(self.s.audit))


class _Settings:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def get(self, key: str) -> tuple[dict[str, Any], int] | None:
        return copy.deepcopy(self.s.settings.get(key))

    def put(self, key: str, value: dict[str, Any], expected_version: int | None) -> int:
        current = self.s.settings.get(key)
        if (current[1] if current else None) != expected_version:
            raise EditConflict("Someone else changed this setting.", entity="setting")
        version = (expected_version or 0) + 1
        self.s.settings[key] = (copy.deepcopy(value), version)
        return version


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _post_sort_key(order: PostOrder) -> Callable[[Post], tuple[Any, ...]]:
    """The SQL repository's orders, as Python sort keys (each ends with the id)."""
    if order is PostOrder.UPDATED_DESC:
        return lambda p: (-p.updated_at.timestamp(), -(p.id or 0))
    if order is PostOrder.CREATED_DESC:
        return lambda p: (-p.created_at.timestamp(), -(p.id or 0))
    if order is PostOrder.SCHEDULED_ASC:
        return lambda p: (p.scheduled_at is None, p.scheduled_at or _FAR_FUTURE, p.id or 0)
    return lambda p: (
        p.published_at is None,
        -(p.published_at.timestamp() if p.published_at else 0),
        -(p.id or 0),
    )


def _within(when: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    if start is None and end is None:
        return True
    return when is not None and (start is None or when >= start) and (end is None or when < end)


class _Posts:
    """``core.composer.ports.PostRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def get(self, post_id: int) -> Post:
        try:
            return self.s.posts[post_id]
        except KeyError:
            raise NotFound("No such post.", entity="post", id=post_id) from None

    def add(self, post: Post) -> Post:
        saved = replace(post, id=next(self.s.post_ids), version=1)
        assert saved.id is not None
        self.s.posts[saved.id] = saved
        return saved

    def save(self, post: Post, expected_version: int) -> Post:
        assert post.id is not None
        if self.get(post.id).version != expected_version:
            raise EditConflict("Someone else saved this post first.", entity="post")
        saved = replace(post, version=expected_version + 1)
        self.s.posts[post.id] = saved
        return saved

    def _match(self, q: PostQuery) -> list[Post]:
        needle = q.text.strip().casefold()
        found = [
            p
            for p in self.s.posts.values()
            if (not q.states or p.state in q.states)
            and (q.author_id is None or p.author_id == q.author_id)
            and _within(p.scheduled_at, q.scheduled_from, q.scheduled_to)
            and _within(p.published_at, q.published_from, q.published_to)
            and (
                not needle
                or needle in p.master_text.casefold()
                or any(needle in v.text.casefold() for v in p.variants.values() if v.edited)
            )
        ]
        return sorted(found, key=_post_sort_key(q.order))

    def list(self, query: PostQuery) -> builtins.list[Post]:
        return self._match(query)[query.offset : query.offset + query.limit]

    def count(self, query: PostQuery) -> int:
        return len(self._match(query))

    def due(self, now: datetime) -> builtins.list[Post]:
        due = [p for p in self.s.posts.values() if is_due(p, now)]
        return sorted(due, key=_post_sort_key(PostOrder.SCHEDULED_ASC))

    def _records(self, kind: str, post_id: int) -> builtins.list[Any]:
        return builtins.list(self.s.post_records.get((kind, post_id), ()))

    def _append(self, kind: str, post_id: int, record: object) -> None:
        self.get(post_id)  # as the foreign key does
        self.s.post_records[kind, post_id] = (*self._records(kind, post_id), record)

    def add_comment(self, post_id: int, comment: Comment) -> None:
        self._append("comment", post_id, comment)

    def comments(self, post_id: int) -> builtins.list[Comment]:
        return self._records("comment", post_id)

    def add_transition(self, post_id: int, step: Transition) -> None:
        self._append("transition", post_id, step)

    def transitions(self, post_id: int) -> builtins.list[Transition]:
        return self._records("transition", post_id)

    def add_override(self, post_id: int, override: PhiOverride) -> None:
        self._append("override", post_id, override)

    def overrides(self, post_id: int) -> builtins.list[PhiOverride]:
        return self._records("override", post_id)

    def add_publication(self, post_id: int, publication: Publication) -> None:
        if any(p.platform == publication.platform for p in self.publications(post_id)):
            raise EditConflict("This platform's publication is already recorded.")
        self._append("publication", post_id, publication)

    def publications(self, post_id: int) -> builtins.list[Publication]:
        return self._records("publication", post_id)

    def save_editor_state(self, post_id: int, state_json: str) -> None:
        self.get(post_id)
        self.s.editor_states[post_id] = state_json

    def editor_state(self, post_id: int) -> str | None:
        self.get(post_id)
        return self.s.editor_states.get(post_id)


class _Outbox:
    """``core.publishing.ports.OutboxRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def add(self, entry: OutboxEntry) -> OutboxEntry:
        if entry.id is not None:
            raise ValueError("add() takes a new entry")
        _Posts(self.s).get(entry.post_id)  # as the foreign key does
        if any(
            (e.post_id, e.platform) == (entry.post_id, entry.platform)
            or e.idempotency_key == entry.idempotency_key
            for e in self.s.outbox.values()
        ):
            raise EditConflict("This post already has an outbox entry for this platform.")
        saved = replace(entry, id=next(self.s.outbox_ids), version=1)
        assert saved.id is not None
        self.s.outbox[saved.id] = saved
        return saved

    def get(self, entry_id: int) -> OutboxEntry:
        try:
            return self.s.outbox[entry_id]
        except KeyError:
            raise NotFound("No such outbox entry.", entity="outbox", id=entry_id) from None

    def save(self, entry: OutboxEntry, expected_version: int) -> OutboxEntry:
        assert entry.id is not None
        if self.get(entry.id).version != expected_version:
            raise EditConflict("Another run changed this outbox entry first.")
        saved = replace(entry, version=expected_version + 1)
        self.s.outbox[entry.id] = saved
        return saved

    def for_post(self, post_id: int) -> builtins.list[OutboxEntry]:
        return sorted(
            (e for e in self.s.outbox.values() if e.post_id == post_id), key=lambda e: e.id or 0
        )

    def runnable(self, now: datetime, limit: int = 100) -> builtins.list[OutboxEntry]:
        found = [e for e in self.s.outbox.values() if e.runnable(now)]
        found.sort(key=lambda e: (e.next_attempt_at or now, e.id or 0))
        return found[:limit]

    def with_status(
        self, statuses: Collection[OutboxStatus], limit: int = 500
    ) -> builtins.list[OutboxEntry]:
        wanted = {OutboxStatus(s) for s in statuses}
        found = [e for e in self.s.outbox.values() if e.status in wanted]
        found.sort(key=lambda e: (e.post_id, e.id or 0))
        return found[:limit]


def _patient_matches(patient: Patient, text: str) -> bool:
    """The SQL repository's search, in Python (``core.consent.ports.PatientRepository``)."""
    if consent_rules.is_phone_query(text):
        digits = consent_rules.phone_digits(text)
        mine = consent_rules.phone_digits(patient.phone)
        return bool(digits) and (mine.startswith(digits) or mine.endswith(digits))
    words = consent_rules.search_key(text).split()
    tokens = consent_rules.name_tokens(patient)
    return all(any(t.startswith(w) for t in tokens) for w in words)


def _patient_order(p: Patient) -> tuple[str, str, int]:
    return (
        consent_rules.search_key(p.last_name),
        consent_rules.search_key(p.first_name),
        p.id or 0,
    )


class _Patients:
    """``core.consent.ports.PatientRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def add(self, patient: Patient) -> Patient:
        saved = replace(patient, id=next(self.s.patient_ids), version=1)
        assert saved.id is not None
        self.s.patients[saved.id] = saved
        return saved

    def get(self, patient_id: int) -> Patient:
        try:
            return self.s.patients[patient_id]
        except KeyError:
            raise NotFound("No such patient.", entity="patient", id=patient_id) from None

    def get_many(self, patient_ids: Collection[int]) -> dict[int, Patient]:
        return {i: self.s.patients[i] for i in patient_ids if i in self.s.patients}

    def save(self, patient: Patient, expected_version: int) -> Patient:
        assert patient.id is not None
        if self.get(patient.id).version != expected_version:
            raise EditConflict("Someone else saved this patient first.", entity="patient")
        saved = replace(patient, version=expected_version + 1)
        self.s.patients[patient.id] = saved
        return saved

    def search(self, text: str, limit: int) -> builtins.list[Patient]:
        found = [p for p in self.s.patients.values() if _patient_matches(p, text)]
        return sorted(found, key=_patient_order)[:limit]

    def count(self) -> int:
        return len(self.s.patients)

    def names(self) -> builtins.list[tuple[str, str, str]]:
        return [(p.first_name, p.last_name, p.preferred_name) for p in self.s.patients.values()]


def _auth_order(a: Authorization) -> tuple[float, int]:
    return (-a.taken_at.timestamp(), -(a.id or 0))


class _Authorizations:
    """``core.consent.ports.AuthorizationRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def add(self, auth: Authorization, *, complete: bool) -> Authorization:
        _Patients(self.s).get(auth.patient_id)  # as the foreign key does
        saved = replace(auth, id=next(self.s.authorization_ids), version=1)
        assert saved.id is not None
        self.s.authorizations[saved.id] = (saved, complete)
        return saved

    def get(self, authorization_id: int) -> Authorization:
        try:
            return self.s.authorizations[authorization_id][0]
        except KeyError:
            raise NotFound(
                "No such authorization.", entity="authorization", id=authorization_id
            ) from None

    def is_complete(self, authorization_id: int) -> bool:
        self.get(authorization_id)
        return self.s.authorizations[authorization_id][1]

    def save(self, auth: Authorization, expected_version: int, *, complete: bool) -> Authorization:
        assert auth.id is not None
        if self.get(auth.id).version != expected_version:
            raise EditConflict("Someone else changed this authorization first.")
        saved = replace(auth, version=expected_version + 1)
        self.s.authorizations[auth.id] = (saved, complete)
        return saved

    def set_complete(self, authorization_id: int, complete: bool) -> None:
        self.s.authorizations[authorization_id] = (self.get(authorization_id), complete)

    def for_patient(self, patient_id: int) -> builtins.list[Authorization]:
        found = [a for a, _ in self.s.authorizations.values() if a.patient_id == patient_id]
        return sorted(found, key=_auth_order)

    def _status(self, auth: Authorization, complete: bool, day: StatusDay) -> AuthorizationStatus:
        return consent_rules.status_from(
            auth, complete=complete, today=day.today, expiring_days=day.expiring_days
        )

    def _match(self, q: AuthorizationQuery, day: StatusDay) -> builtins.list[Authorization]:
        wanted = {AuthorizationStatus(x) for x in q.statuses}
        patients = self.s.patients
        found = [
            a
            for a, complete in self.s.authorizations.values()
            if (not wanted or self._status(a, complete, day) in wanted)
            and (not q.text.strip() or _patient_matches(patients[a.patient_id], q.text))
        ]
        return sorted(found, key=_auth_order)

    def list(self, query: AuthorizationQuery, day: StatusDay) -> builtins.list[Authorization]:
        return self._match(query, day)[query.offset : query.offset + query.limit]

    def count(self, query: AuthorizationQuery, day: StatusDay) -> int:
        return len(self._match(query, day))

    def status_counts(self, day: StatusDay) -> dict[AuthorizationStatus, int]:
        counts: dict[AuthorizationStatus, int] = {}
        for auth, complete in self.s.authorizations.values():
            status = self._status(auth, complete, day)
            counts[status] = counts.get(status, 0) + 1
        return counts

    def using_media(self, media_hashes: Collection[str]) -> builtins.list[Authorization]:
        wanted = set(media_hashes)
        found = [a for a, _ in self.s.authorizations.values() if wanted & set(a.media_hashes)]
        return sorted(found, key=lambda a: a.id or 0)

    def expired_with_media(self, day: StatusDay) -> builtins.list[Authorization]:
        return sorted(
            (
                a
                for a, complete in self.s.authorizations.values()
                if a.media_hashes and self._status(a, complete, day) is AuthorizationStatus.EXPIRED
            ),
            key=lambda a: a.id or 0,
        )

    def iter_all(self, batch: int = 1000) -> Iterator[tuple[Authorization, bool]]:
        return iter(sorted(self.s.authorizations.values(), key=lambda r: r[0].id or 0))

    def delete(self, authorization_id: int) -> None:
        self.get(authorization_id)
        del self.s.authorizations[authorization_id]
        for key, takedown in builtins.list(self.s.takedowns.items()):
            if takedown.authorization_id == authorization_id:
                del self.s.takedowns[key]


class _Takedowns:
    """``core.consent.ports.TakedownRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def add(self, takedown: Takedown) -> Takedown:
        _Posts(self.s).get(takedown.post_id)
        _Authorizations(self.s).get(takedown.authorization_id)
        if self.find(takedown.post_id, takedown.platform, takedown.authorization_id):
            raise EditConflict("This takedown is already on the list.")
        saved = replace(takedown, id=next(self.s.takedown_ids))
        assert saved.id is not None
        self.s.takedowns[saved.id] = saved
        return saved

    def get(self, takedown_id: int) -> Takedown:
        try:
            return self.s.takedowns[takedown_id]
        except KeyError:
            raise NotFound("No such takedown.", entity="takedown", id=takedown_id) from None

    def find(self, post_id: int, platform: str, authorization_id: int) -> Takedown | None:
        return next(
            (
                t
                for t in self.s.takedowns.values()
                if (t.post_id, t.platform, t.authorization_id)
                == (post_id, platform, authorization_id)
            ),
            None,
        )

    def confirm(self, takedown: Takedown) -> Takedown:
        assert takedown.id is not None
        if not self.get(takedown.id).open:
            raise EditConflict("Someone already confirmed this takedown.")
        self.s.takedowns[takedown.id] = takedown
        return takedown

    def list(self, *, open_only: bool) -> builtins.list[Takedown]:
        found = [t for t in self.s.takedowns.values() if t.open or not open_only]
        return sorted(found, key=lambda t: (t.created_at, t.id or 0))

    def for_post(self, post_id: int) -> builtins.list[Takedown]:
        return sorted(
            (t for t in self.s.takedowns.values() if t.post_id == post_id), key=lambda t: t.id or 0
        )

    def for_authorization(self, authorization_id: int) -> builtins.list[Takedown]:
        return sorted(
            (t for t in self.s.takedowns.values() if t.authorization_id == authorization_id),
            key=lambda t: t.id or 0,
        )


_FAR = datetime.max.replace(tzinfo=UTC)


def _review_sort_key(order: ReviewOrder) -> Callable[[Review], tuple[Any, ...]]:
    def posted(r: Review) -> float:
        return r.posted_at.timestamp()

    keys: dict[ReviewOrder, Callable[[Review], tuple[Any, ...]]] = {
        ReviewOrder.DUE_ASC: lambda r: (r.due_at or _FAR, r.id or 0),
        ReviewOrder.POSTED_DESC: lambda r: (-posted(r), -(r.id or 0)),
        ReviewOrder.POSTED_ASC: lambda r: (posted(r), r.id or 0),
        ReviewOrder.RATING_ASC: lambda r: (r.rating or 0, posted(r), r.id or 0),
        ReviewOrder.RATING_DESC: lambda r: (-(r.rating or 0), -posted(r), -(r.id or 0)),
    }
    return keys[ReviewOrder(order)]


class _Reviews:
    """``core.reviews.ports.ReviewRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def _keys(self, r: Review) -> tuple[tuple[str, str] | None, str]:
        return ((r.source.value, r.external_id) if r.external_id else None, r.content_hash)

    def duplicate_of(self, review: Review) -> int | None:
        ext, digest = self._keys(review)
        for stored in self.s.reviews.values():
            e, d = self._keys(stored)
            if (ext is not None and e == ext) or d == digest:
                return stored.id
        return None

    def add(self, review: Review) -> Review:
        if self.duplicate_of(review) is not None:
            raise EditConflict("This review is already stored.", entity="review")
        saved = replace(review, id=next(self.s.review_ids), version=1)
        assert saved.id is not None
        self.s.reviews[saved.id] = saved
        return saved

    def add_many(self, reviews: Collection[Review]) -> tuple[int, int]:
        added = skipped = 0
        for review in reviews:
            if self.duplicate_of(review) is not None:
                skipped += 1
            else:
                self.add(review)
                added += 1
        return added, skipped

    def get(self, review_id: int) -> Review:
        try:
            return self.s.reviews[review_id]
        except KeyError:
            raise NotFound("No such review.", entity="review", id=review_id) from None

    def save(self, review: Review, expected_version: int) -> Review:
        assert review.id is not None
        if self.get(review.id).version != expected_version:
            raise EditConflict("Someone else changed this review first.", entity="review")
        saved = replace(review, version=expected_version + 1)
        self.s.reviews[review.id] = saved
        return saved

    def revise(self, review: Review, expected_version: int) -> Review:
        stored = self.get(review.id or 0)
        kept = replace(review, content_hash=stored.content_hash, author=stored.author)
        return self.save(replace(kept, posted_at=stored.posted_at), expected_version)

    def _decision(self, review_id: int) -> Decision | None:
        found = self.s.assessments.get(review_id, ())
        return found[-1].decision if found else None

    def _matches(self, r: Review, q: ReviewQuery) -> bool:
        open_ = r.status in OPEN_STATUSES and r.due_at is not None
        checks = (
            not q.statuses or r.status in q.statuses,
            not q.sources or r.source in q.sources,
            not q.ratings or r.rating in q.ratings,
            q.kind is None or r.kind == q.kind,
            q.assignee_id is None or r.assignee_id == q.assignee_id,
            not q.overdue or (open_ and q.now is not None and r.due_at < q.now),  # type: ignore[operator]
            q.due_from is None or (open_ and r.due_at >= q.due_from),  # type: ignore[operator]
            q.due_to is None or (open_ and r.due_at < q.due_to),  # type: ignore[operator]
            q.decision is None or self._decision(r.id or 0) == q.decision,
            text_matches(search_words(q.text), r.author, r.text),
        )
        return all(checks)

    def _found(self, q: ReviewQuery) -> builtins.list[Review]:
        if q.overdue and q.now is None:
            raise ValueError("an overdue query needs now")
        return [r for r in self.s.reviews.values() if self._matches(r, q)]

    def query(self, q: ReviewQuery) -> builtins.list[Review]:
        found = sorted(self._found(q), key=_review_sort_key(q.order))
        start = max(q.offset, 0)
        return found[start : start + max(q.limit, 0)]

    def count(self, q: ReviewQuery) -> int:
        return len(self._found(q))

    def first_due(self, q: ReviewQuery) -> datetime | None:
        dues = [r.due_at for r in self._found(q) if r.due_at is not None]
        return min(dues, default=None)

    def add_assessment(self, review_id: int, assessment: Assessment) -> None:
        self.get(review_id)
        self.s.assessments[review_id] = (*self.s.assessments.get(review_id, ()), assessment)

    def assessment(self, review_id: int) -> Assessment | None:
        found = self.s.assessments.get(review_id, ())
        return found[-1] if found else None

    def set_reply(self, review_id: int, reply: Reply | None) -> None:
        self.get(review_id)
        if reply is None:
            self.s.replies.pop(review_id, None)
        else:
            self.s.replies[review_id] = reply

    def reply(self, review_id: int) -> Reply | None:
        return self.s.replies.get(review_id)

    def add_override(self, review_id: int, override: ReplyOverride) -> None:
        existing = self.s.review_overrides.get(review_id, ())
        self.s.review_overrides[review_id] = (*existing, override)

    def overrides(self, review_id: int) -> builtins.list[ReplyOverride]:
        return builtins.list(self.s.review_overrides.get(review_id, ()))

    def add_event(self, review_id: int, event: ReviewEvent) -> None:
        self.s.review_events[review_id] = (*self.s.review_events.get(review_id, ()), event)

    def events(self, review_id: int) -> builtins.list[ReviewEvent]:
        return builtins.list(self.s.review_events.get(review_id, ()))

    def iter_open(self, batch: int = 2000) -> Iterator[builtins.list[DueInput]]:
        items = [
            DueInput(r.id, r.posted_at, r.collected_at, r.sentiment)
            for r in sorted(self.s.reviews.values(), key=lambda r: r.id or 0)
            if r.status in OPEN_STATUSES and r.id is not None
        ]
        for start in range(0, len(items), batch):
            yield items[start : start + batch]

    def set_due_many(self, dues: Collection[tuple[int, datetime | None]]) -> None:
        for review_id, due in dues:
            self.s.reviews[review_id] = replace(self.get(review_id), due_at=due)

    def measure_rows(self, since: datetime) -> builtins.list[MeasureRow]:
        rows = []
        for r in sorted(self.s.reviews.values(), key=lambda r: (r.posted_at, r.id or 0)):
            if r.kind.value != "review" or r.posted_at < since:
                continue
            reply = self.s.replies.get(r.id or 0)
            replied = reply.posted_at if reply is not None else None
            rows.append(
                MeasureRow(r.posted_at, r.collected_at, r.rating, r.themes, r.status, replied)
            )
        return rows

    def add_feed(self, feed: Feed) -> Feed:
        saved = replace(feed, id=next(self.s.feed_ids))
        assert saved.id is not None
        self.s.feeds[saved.id] = saved
        return saved

    def feeds(self) -> builtins.list[Feed]:
        return sorted(self.s.feeds.values(), key=lambda f: (f.name.lower(), f.id or 0))

    def get_feed(self, feed_id: int) -> Feed:
        try:
            return self.s.feeds[feed_id]
        except KeyError:
            raise NotFound("No such feed.", entity="feed", id=feed_id) from None

    def remove_feed(self, feed_id: int) -> None:
        self.get_feed(feed_id)
        del self.s.feeds[feed_id]

    def mark_polled(self, feed_id: int, at: datetime, error: str) -> None:
        self.s.feeds[feed_id] = replace(self.get_feed(feed_id), last_polled_at=at, last_error=error)


def _image_matches(record: ImageRecord, query: ImageQuery) -> bool:
    if query.statuses and record.status not in query.statuses:
        return False
    if query.imported_before is not None and record.imported_at >= query.imported_before:
        return False
    words = query.text.lower().split()
    return all(w in record.filename.lower() or w in record.notes.lower() for w in words)


class _Images:
    """``core.imaging.ports.ImageRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def add(self, record: ImageRecord) -> ImageRecord:
        if self.by_hashes([record.media_hash]):
            raise EditConflict("This photo is already in the library.", entity="image")
        saved = replace(record, id=next(self.s.image_ids), version=1)
        assert saved.id is not None
        self.s.images[saved.id] = saved
        return saved

    def get(self, image_id: int) -> ImageRecord:
        try:
            return self.s.images[image_id]
        except KeyError:
            raise NotFound("No such photo.", entity="image", id=image_id) from None

    def by_hashes(self, media_hashes: Collection[str]) -> dict[str, ImageRecord]:
        wanted = set(media_hashes)
        return {r.media_hash: r for r in self.s.images.values() if r.media_hash in wanted}

    def save(self, record: ImageRecord, expected_version: int) -> ImageRecord:
        assert record.id is not None
        if self.get(record.id).version != expected_version:
            raise EditConflict("Someone else changed this photo first.", entity="image")
        saved = replace(record, version=expected_version + 1)
        self.s.images[record.id] = saved
        return saved

    def _matching(self, query: ImageQuery) -> builtins.list[ImageRecord]:
        found = [r for r in self.s.images.values() if _image_matches(r, query)]
        return sorted(found, key=lambda r: (r.imported_at, r.id or 0), reverse=True)

    def list(self, query: ImageQuery) -> builtins.list[ImageRecord]:
        start = max(0, query.offset)
        return self._matching(query)[start : start + max(1, query.limit)]

    def count(self, query: ImageQuery) -> int:
        return len(self._matching(query))

    def status_counts(self) -> dict[ImageStatus, int]:
        counts: dict[ImageStatus, int] = {}
        for r in self.s.images.values():
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    def unscanned(self, limit: int) -> builtins.list[int]:
        waiting = [
            r
            for r in self.s.images.values()
            if r.report is None and r.status is not ImageStatus.REJECTED
        ]
        waiting.sort(key=lambda r: (r.imported_at, r.id or 0))
        return [r.id for r in waiting[:limit] if r.id is not None]


class _PhotoSpots:
    """``core.imaging.ports.PhotoSpotRepository`` in memory."""

    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def list(self, *, include_inactive: bool = False) -> builtins.list[PhotoSpot]:
        spots = [p for p in self.s.photo_spots.values() if include_inactive or p.active]
        return sorted(spots, key=lambda p: (p.name.lower(), p.id or 0))

    def get(self, spot_id: int) -> PhotoSpot:
        try:
            return self.s.photo_spots[spot_id]
        except KeyError:
            raise NotFound("No such photo spot.", entity="photo_spot", id=spot_id) from None

    def add(self, spot: PhotoSpot) -> PhotoSpot:
        saved = replace(spot, id=next(self.s.photo_spot_ids), version=1)
        assert saved.id is not None
        self.s.photo_spots[saved.id] = saved
        return saved

    def save(self, spot: PhotoSpot, expected_version: int) -> PhotoSpot:
        assert spot.id is not None
        if self.get(spot.id).version != expected_version:
            raise EditConflict("Someone else changed this photo spot first.", entity="photo_spot")
        saved = replace(spot, version=expected_version + 1)
        self.s.photo_spots[spot.id] = saved
        return saved


class MemoryUnitOfWork:
    """Works on a copy of the state and publishes it on a clean exit (a transaction). Units of
    work on different threads run one at a time, as SQLite's writers do: otherwise one that
    only read would publish its stale copy over another's commit."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        self._state = copy.copy(self._store.state)
        self._state.staff = dict(self._state.staff)
        self._state.creds = dict(self._state.creds)
        self._state.audit = list(self._state.audit)
        self._state.settings = dict(self._state.settings)
        self._state.posts = dict(self._state.posts)
        self._state.post_records = dict(self._state.post_records)
        self._state.editor_states = dict(self._state.editor_states)
        self._state.outbox = dict(self._state.outbox)
        self._state.patients = dict(self._state.patients)
        self._state.authorizations = dict(self._state.authorizations)
        self._state.takedowns = dict(self._state.takedowns)
        self._state.reviews = dict(self._state.reviews)
        self._state.assessments = dict(self._state.assessments)
        self._state.replies = dict(self._state.replies)
        self._state.review_overrides = dict(self._state.review_overrides)
        self._state.review_events = dict(self._state.review_events)
        self._state.feeds = dict(self._state.feeds)
        self._state.incentive_rows = dict(self._state.incentive_rows)
        self._state.images = dict(self._state.images)
        self._state.photo_spots = dict(self._state.photo_spots)
        self._state.accounts = dict(self._state.accounts)
        self.staff = _Staff(self._state)
        self.audit = _Audit(self._state)
        self.settings = _Settings(self._state)
        self.posts = _Posts(self._state)
        self.outbox = _Outbox(self._state)
        self.patients = _Patients(self._state)
        self.authorizations = _Authorizations(self._state)
        self.takedowns = _Takedowns(self._state)
        self.reviews = _Reviews(self._state)
        self.incentives = MemoryIncentives(self._state)
        self.images = _Images(self._state)
        self.photo_spots = _PhotoSpots(self._state)
        self.accounts = MemoryAccounts(self._state)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._store.state = self._state
        finally:
            self._store.lock.release()


class MemoryStore:
    """Holds the state; call it to get a unit of work (it is a ``UnitOfWorkFactory``)."""

    def __init__(self) -> None:
        self.state = MemoryState()
        self.lock = threading.RLock()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    def fork(self) -> MemoryStore:
        """A new store starting from this one's data, independent from here on (the records
        are immutable; the containers and id counters are copied). Tests build the demo
        practice once and fork it, instead of re-running ~2,000 use cases per test."""
        with self.lock:
            other = MemoryStore()
            state = copy.copy(self.state)
            for name, value in vars(self.state).items():
                if isinstance(value, dict):
                    setattr(state, name, dict(value))
                elif isinstance(value, list):
                    setattr(state, name, list(value))
                elif isinstance(value, itertools.count):
                    # Both go on from the same next id (copying a count is deprecated).
                    upcoming = next(value)
                    setattr(self.state, name, itertools.count(upcoming))
                    setattr(state, name, itertools.count(upcoming))
            other.state = state
            return other


class MemoryBackupStore:
    """Records backups in a list (the real one is tested in tests/storage)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.backups: list[BackupInfo] = []
        self.restored: list[str] = []

    def create(self, *, automatic: bool) -> BackupInfo:
        info = BackupInfo(f"backup-{len(self.backups) + 1}", self.clock.now(), 1024, automatic)
        self.backups.append(info)
        return info

    def list(self) -> list[BackupInfo]:
        return sorted(self.backups, key=lambda b: b.created_at, reverse=True)

    def delete(self, name: str) -> None:
        self.backups = [b for b in self.backups if b.name != name]

    def restore(self, name: str) -> None:
        self.restored.append(name)


class MemorySecrets:
    """A dict-backed ``SecretStore``."""

    description = "memory (tests)"
    persistent = False

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


class MemoryMediaStore:
    """A ``core.consent.ports.MediaStore`` over a folder (``path`` must give a real file the
    GUI can show); content-addressed like ``storage.vault.MediaVault``. Without ``root``, a
    temporary folder removed with the store."""

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="fds-media-"))
            weakref.finalize(self, shutil.rmtree, root, True)
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        self.path(digest).write_bytes(content)
        return digest

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / digest

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def openable(self, digest: str, suffix: str) -> Path:
        if not self.exists(digest):
            raise NotFound("That file is not in the media folder.", entity="media", id=digest)
        target = self.root / "open" / f"{digest}{suffix}"
        target.parent.mkdir(exist_ok=True)
        if not target.exists():
            shutil.copyfile(self.path(digest), target)
        return target

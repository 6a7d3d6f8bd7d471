"""The database schema as SQLAlchemy 2 typed ORM classes.

Rows stay inside ``storage``: repositories turn them into core dataclasses. Datetimes are
stored in UTC and always come back as aware UTC datetimes, with microseconds (the audit
chain's hashes depend on them round-tripping exactly).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints, so that Alembic batch migrations on SQLite (which rebuild a table) can
# find and drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC.

    PostgreSQL keeps the zone (``timestamptz``); SQLite has no zone, so the UTC wall time is
    stored as ISO text (which also sorts correctly) and marked UTC again when read. Naive
    datetimes are refused: they are a bug, not a guess to make.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetimes cannot be stored; give an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class StaffRow(Base):
    """A staff member. ``version`` is SQLAlchemy's optimistic-locking counter: an update
    whose row changed since it was read matches no row and raises."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool]
    pin_hash: Mapped[str] = mapped_column(String(255))
    failed_attempts: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once


class AuditEventRow(Base):
    """One audit event; append-only (the repository offers no update or delete).

    The composite indexes serve the viewer's filters *and* its newest-first order, so a page
    of one person's or one action's events is read straight from the index even among
    millions of rows.
    """

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_event_actor_id_seq", "actor_id", "seq"),
        Index("ix_audit_event_action_seq", "action", "seq"),
    )


class SettingRow(Base):
    """A JSON document under a key (practice profile, app settings, rules of engagement);
    ``version`` counts saves, checked by ``UPDATE ... WHERE version = :expected``."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class PostRow(Base):
    """A post: its master text, workflow state and people. JSON text columns hold the
    approval snapshot (``null`` when never approved), the media hashes (a list) and the
    composer's editor state (tab and cursor, no PHI). ``version`` is the optimistic-locking
    counter; saving the editor state leaves it alone (a Core UPDATE)."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    master_text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    last_editor_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    scheduled_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str] = mapped_column(Text)
    approved_snapshot: Mapped[str | None] = mapped_column(Text)
    media_hashes: Mapped[str] = mapped_column(Text)
    editor_state: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (
        Index("ix_post_state_scheduled_at", "state", "scheduled_at"),
        Index("ix_post_state_published_at", "state", "published_at"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once


class PostVariantRow(Base):
    """One platform's text of a post (it equals the master text until ``edited``)."""

    __tablename__ = "post_variant"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    edited: Mapped[bool]


class PostCommentRow(Base):
    """A staff member's remark on a post."""

    __tablename__ = "post_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)


class PostTransitionRow(Base):
    """One workflow step of a post (``actor_id`` is null when the scheduler acted)."""

    __tablename__ = "post_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)


class PostOverrideRow(Base):
    """A PHI finding let through with a reason: its kind and the hash of the flagged words
    (``core.composer.check.span_hash``), never the words."""

    __tablename__ = "post_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]


class PostPublicationRow(Base):
    """Where one platform's variant went live, as the person who published it by hand
    recorded it (the manual connector)."""

    __tablename__ = "post_publication"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class PostOutboxRow(Base):
    """The intent to publish one platform's variant of a post, and how it went
    (``core.publishing.model.OutboxEntry``). One per post and platform; no post text.
    ``version`` is checked by ``UPDATE ... WHERE version = :expected`` so two runs never both
    claim an entry. The index serves the run's query (status, then next attempt time)."""

    __tablename__ = "post_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    remote_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str] = mapped_column(String(64))
    error_message: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    account_id: Mapped[int | None] = mapped_column(ForeignKey("platform_account.id"))
    """The account the entry goes out through, from its first connector call on (0010)."""

    __table_args__ = (
        UniqueConstraint("post_id", "platform"),
        Index("ix_post_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )


class PatientRow(Base):
    """A patient of the consent tracker. ``first_key``/``last_key`` are the names as search
    compares them (``core.consent.rules.search_key``) for the list's order; ``phone_digits``
    and its reverse ``phone_rev`` serve a phone search by the number's start or its end
    (prefix indexes; ``text_pattern_ops`` on PostgreSQL so ``LIKE 'x%'`` uses them)."""

    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    minor: Mapped[bool] = mapped_column(Boolean)
    representative_name: Mapped[str] = mapped_column(String(100))
    representative_authority: Mapped[str] = mapped_column(String(100))
    first_key: Mapped[str] = mapped_column(String(100))
    last_key: Mapped[str] = mapped_column(String(100))
    phone_digits: Mapped[str] = mapped_column(String(20))
    phone_rev: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_patient_last_key_first_key_id", "last_key", "first_key", "id"),
        Index(
            "ix_patient_phone_digits",
            "phone_digits",
            postgresql_ops={"phone_digits": "text_pattern_ops"},
        ),
        Index(
            "ix_patient_phone_rev", "phone_rev", postgresql_ops={"phone_rev": "text_pattern_ops"}
        ),
    )


class PatientNameTokenRow(Base):
    """One word of a patient's first, last or preferred name as a search key
    (``core.consent.rules.name_tokens``): search as you type matches word prefixes here."""

    __tablename__ = "patient_name_token"

    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    __table_args__ = (
        Index(
            "ix_patient_name_token_prefix",
            "token",
            "patient_id",
            postgresql_ops={"token": "text_pattern_ops"},
        ),
    )


class AuthorizationRow(Base):
    """A patient's written authorization (``core.consent.model.Authorization``). Sets are
    JSON lists in text columns; the revocation is flattened (``revoked_on`` set when
    revoked). ``complete`` records that no element was missing when it was last checked, so
    lists filter by status in SQL. ``superseded_by`` is a plain id (no foreign key: the
    history outlives a deleted record). ``media_hashes`` keeps the images in order; the
    ``consent_authorization_media`` rows index them."""

    __tablename__ = "consent_authorization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    form_version: Mapped[str] = mapped_column(String(40))
    media_kinds: Mapped[str] = mapped_column(Text)
    media_description: Mapped[str] = mapped_column(Text)
    media_hashes: Mapped[str] = mapped_column(Text)
    discloser: Mapped[str] = mapped_column(Text)
    recipients: Mapped[str] = mapped_column(Text)
    purposes: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    expiry_event: Mapped[str] = mapped_column(Text)
    event_occurred_on: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    signer_name: Mapped[str] = mapped_column(String(100))
    signature_kind: Mapped[str | None] = mapped_column(String(8))
    signature_ref: Mapped[str] = mapped_column(String(64))
    representative_authority: Mapped[str] = mapped_column(String(100))
    statement_right_to_revoke: Mapped[bool] = mapped_column(Boolean)
    statement_treatment_not_conditioned: Mapped[bool] = mapped_column(Boolean)
    statement_redisclosure: Mapped[bool] = mapped_column(Boolean)
    copy_offered: Mapped[bool] = mapped_column(Boolean)
    copy_given: Mapped[bool] = mapped_column(Boolean)
    first_name_only: Mapped[bool] = mapped_column(Boolean)
    blur_face: Mapped[bool] = mapped_column(Boolean)
    no_tagging: Mapped[bool] = mapped_column(Boolean)
    taken_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    taken_at: Mapped[datetime]
    pdf_ref: Mapped[str] = mapped_column(String(64))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revocation_channel: Mapped[str | None] = mapped_column(String(20))
    revocation_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    revocation_recorded_at: Mapped[datetime | None]
    revocation_note: Mapped[str] = mapped_column(Text)
    superseded_by: Mapped[int | None] = mapped_column(Integer)
    complete: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_consent_authorization_patient_id_taken_at", "patient_id", "taken_at"),
        Index("ix_consent_authorization_taken_at_id", "taken_at", "id"),
    )


class AuthorizationMediaRow(Base):
    """An image (vault hash) an authorization lists: finds the authorizations of an image."""

    __tablename__ = "consent_authorization_media"

    authorization_id: Mapped[int] = mapped_column(
        ForeignKey("consent_authorization.id", ondelete="CASCADE"), primary_key=True
    )
    media_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class TakedownRow(Base):
    """A published post (on one platform) to take down: one per post, platform and
    authorization; open until ``confirmed_at`` is set."""

    __tablename__ = "takedown"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)
    authorization_id: Mapped[int] = mapped_column(
        ForeignKey("consent_authorization.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    how: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("post_id", "platform", "authorization_id"),)


REVIEW_FTS_TABLE = "review_fts"
"""SQLite: the FTS5 external-content table over ``review`` (author, text), kept in step by
triggers; created by migration 0005, not by these models."""
REVIEW_SEARCH_COLUMN = "search_vector"
"""PostgreSQL: the generated ``tsvector`` column of ``review`` (GIN index
``ix_review_search``); created by migration 0005, not by these models."""
DUE_NEVER = datetime(9999, 12, 31, tzinfo=UTC)
"""``review.due_key`` of an item without a due time: sorts after every real one on both
databases (whose NULLs sort differently), so one index serves the default sort."""


def managed_by_hand(name: str | None, type_: str) -> bool:
    """Schema objects the migrations create by hand and the models do not describe (the
    text search's table, column and index): left out when comparing models and database."""
    if name is None:
        return False
    if type_ == "table":
        return name == REVIEW_FTS_TABLE or name.startswith(REVIEW_FTS_TABLE + "_")
    if type_ == "column":
        return name == REVIEW_SEARCH_COLUMN
    return type_ == "index" and name == "ix_review_search"


class ReviewRow(Base):
    """A review or a mention (``core.reviews.model.Review``). ``themes`` is a JSON list;
    ``rating_key`` is the rating with 0 for none and ``due_key`` the due time with
    ``DUE_NEVER`` for none, so each sort is one index on both databases. ``decision`` is the
    latest assessment's, for the doctor's list. De-duplicated by content hash and by source +
    external id (when there is one)."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(500))
    author: Mapped[str] = mapped_column(String(200))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_key: Mapped[int] = mapped_column(Integer)
    posted_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    collected_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float] = mapped_column(Float)
    themes: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None]
    due_key: Mapped[datetime]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decision: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index(
            "ix_review_source_external_id",
            "source",
            "external_id",
            unique=True,
            sqlite_where=sql_text("external_id <> ''"),
            postgresql_where=sql_text("external_id <> ''"),
        ),
        Index("ix_review_due_key_id", "due_key", "id"),
        Index("ix_review_status_due_key_id", "status", "due_key", "id"),
        Index("ix_review_source_due_key_id", "source", "due_key", "id"),
        Index("ix_review_rating_key_due_key_id", "rating_key", "due_key", "id"),
        Index("ix_review_assignee_id_due_key_id", "assignee_id", "due_key", "id"),
        Index("ix_review_posted_at_id", "posted_at", "id"),
        Index("ix_review_rating_key_posted_at_id", "rating_key", "posted_at", "id"),
    )


class ReviewAssessmentRow(Base):
    """An assessment of a review (``core.reviews.model.Assessment``); all are kept, the
    newest is the item's decision."""

    __tablename__ = "review_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    authenticity: Mapped[str] = mapped_column(String(20))
    review_type: Mapped[str] = mapped_column(String(20))
    reach: Mapped[int] = mapped_column(Integer)
    severity: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    assessed_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    assessed_at: Mapped[datetime]

    __table_args__ = (Index("ix_review_assessment_review_id_id", "review_id", "id"),)


class ReviewReplyRow(Base):
    """A review's reply (``core.reviews.model.Reply``): one per review."""

    __tablename__ = "review_reply"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    """``None``: written on the site itself (collected with its review)."""
    written_at: Mapped[datetime]
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approved_at: Mapped[datetime | None]
    posted_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    posted_at: Mapped[datetime | None]
    remote_state: Mapped[str | None] = mapped_column(String(12))
    """``core.reviews.model.RemoteState`` of a reply posted through the site's API."""
    remote_updated_at: Mapped[datetime | None]
    remote_error_code: Mapped[str | None] = mapped_column(String(40))
    remote_error: Mapped[str | None] = mapped_column(Text)


class ReviewOverrideRow(Base):
    """A reply-check finding let through with a reason (``core.reviews.ports.ReplyOverride``)."""

    __tablename__ = "review_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]


class ReviewEventRow(Base):
    """A step in a review's history (``core.reviews.ports.ReviewEvent``): no text, no names."""

    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_review_event_review_id_id", "review_id", "id"),)


class ReviewFeedRow(Base):
    """An RSS/Atom feed of mentions (``core.reviews.ports.Feed``)."""

    __tablename__ = "review_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(100))
    added_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    added_at: Mapped[datetime]
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(40))


class PhotoSpotRow(Base):
    """A place in the practice approved for photos (``core.imaging.model.PhotoSpot``)."""

    __tablename__ = "photo_spot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    notes: Mapped[str] = mapped_column(Text)
    reference_hash: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class ImageRow(Base):
    """A photo of the library (``core.imaging.model.ImageRecord``): the original is in the
    media vault under ``media_hash``. The checklist (report, answers, people, redactions,
    sign-off) is JSON in ``data``; what lists filter and sort by has columns of its own
    (``scanned_at`` is the report's time, ``NULL`` before the first scan)."""

    __tablename__ = "image"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_hash: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime]
    imported_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(10))
    size_bytes: Mapped[int] = mapped_column(Integer)
    thumbnail_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    scanned_at: Mapped[datetime | None]
    spot_id: Mapped[int | None] = mapped_column(ForeignKey("photo_spot.id"))
    notes: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_image_status_imported_at_id", "status", "imported_at", "id"),
        Index("ix_image_imported_at_id", "imported_at", "id"),
    )


class ContributionRow(Base):
    """A credited contribution (``core.incentives.model.Contribution``). ``source_key`` is
    unique, so crediting the same audit event again (a replay, two syncs) inserts nothing.
    Removed ones (hand-logged, taken back by a manager) stay, with who, when and why."""

    __tablename__ = "contribution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(80))
    points: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(index=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    note: Mapped[str] = mapped_column(Text)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    removed_reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_contribution_staff_id_at", "staff_id", "at"),)


class RewardRow(Base):
    """An item of the reward catalogue; ``version`` guards against two managers' edits."""

    __tablename__ = "reward"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    cost: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool]
    version: Mapped[int] = mapped_column(Integer)


class RedemptionRow(Base):
    """A request to spend points on a reward, with the reward's name and cost at the time."""

    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id"))
    reward_name: Mapped[str] = mapped_column(String(80))
    cost: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_redemption_status_requested_at", "status", "requested_at"),
        Index("ix_redemption_staff_id_requested_at", "staff_id", "requested_at"),
    )


class GoalRow(Base):
    """A person's goal for a year (``core.incentives.model.Goal``)."""

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool]
    version: Mapped[int] = mapped_column(Integer)


class AccountRow(Base):
    """A connected platform account (``core.accounts.model.Account``). ``token_ref`` names its
    keyring entry; no token is ever stored here. ``refresh_claimed_until`` is the cross-process
    claim on refreshing its token (``core.accounts.tokens``)."""

    __tablename__ = "platform_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(120))
    remote_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(Text)
    auth_kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    token_ref: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None]
    scopes: Mapped[str] = mapped_column(Text)
    is_default: Mapped[bool]
    connected_at: Mapped[datetime | None]
    connected_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    removed_at: Mapped[datetime | None]
    refresh_claimed_until: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_platform_account_platform", "platform"),)


def table_of(model: type[Base]) -> Table:
    """The Core ``Table`` behind a mapped class (typed, for Core INSERT/UPDATE/SELECT)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


STAFF = table_of(StaffRow)
AUDIT_EVENT = table_of(AuditEventRow)
SETTING = table_of(SettingRow)
POST = table_of(PostRow)
POST_VARIANT = table_of(PostVariantRow)
POST_COMMENT = table_of(PostCommentRow)
POST_TRANSITION = table_of(PostTransitionRow)
POST_OVERRIDE = table_of(PostOverrideRow)
POST_PUBLICATION = table_of(PostPublicationRow)
POST_OUTBOX = table_of(PostOutboxRow)
PATIENT = table_of(PatientRow)
PATIENT_NAME_TOKEN = table_of(PatientNameTokenRow)
AUTHORIZATION = table_of(AuthorizationRow)
AUTHORIZATION_MEDIA = table_of(AuthorizationMediaRow)
TAKEDOWN = table_of(TakedownRow)
REVIEW = table_of(ReviewRow)
REVIEW_ASSESSMENT = table_of(ReviewAssessmentRow)
REVIEW_REPLY = table_of(ReviewReplyRow)
REVIEW_OVERRIDE = table_of(ReviewOverrideRow)
REVIEW_EVENT = table_of(ReviewEventRow)
REVIEW_FEED = table_of(ReviewFeedRow)
CONTRIBUTION = table_of(ContributionRow)
REWARD = table_of(RewardRow)
REDEMPTION = table_of(RedemptionRow)
GOAL = table_of(GoalRow)
PHOTO_SPOT = table_of(PhotoSpotRow)
IMAGE = table_of(ImageRow)
PLATFORM_ACCOUNT = table_of(AccountRow)

"""The review inbox: reviews and mentions, their assessments, replies, reply-check overrides,
history, and the feeds of mentions; full-text search over review text and author (SQLite: an
FTS5 external-content table kept by triggers; PostgreSQL: a generated ``tsvector`` column with
a GIN index).

Both searches see the same words: runs of letters and digits, lower-cased, with punctuation
and markup as separators (``core.reviews.ports.search_words``). A later batch migration that
rebuilds ``review`` on SQLite must create the triggers again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNICODE_PUNCTUATION = "\u2014\u2013\u2018\u2019\u201c\u201d\u2026\u00ab\u00bb\u00b7\u2022\u00a0"
"""Common non-ASCII punctuation: PostgreSQL's text-search parser would glue it to words (in
the C locale every non-ASCII character counts as a letter), SQLite's FTS5 separates words at
it."""

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE review_fts USING fts5("
    "author, text, content='review', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER review_fts_ai AFTER INSERT ON review BEGIN "
    "INSERT INTO review_fts(rowid, author, text) VALUES (new.id, new.author, new.text); END",
    "CREATE TRIGGER review_fts_ad AFTER DELETE ON review BEGIN "
    "INSERT INTO review_fts(review_fts, rowid, author, text) "
    "VALUES ('delete', old.id, old.author, old.text); END",
    "CREATE TRIGGER review_fts_au AFTER UPDATE OF author, text ON review BEGIN "
    "INSERT INTO review_fts(review_fts, rowid, author, text) "
    "VALUES ('delete', old.id, old.author, old.text); "
    "INSERT INTO review_fts(rowid, author, text) VALUES (new.id, new.author, new.text); END",
    "INSERT INTO review_fts(review_fts) VALUES ('rebuild')",
]


def _postgresql_fts() -> list[str]:
    spaces = " " * len(_UNICODE_PUNCTUATION)
    document = (
        "regexp_replace(translate(author || ' ' || text, "
        f"'{_UNICODE_PUNCTUATION}', '{spaces}'), '[[:punct:]]+', ' ', 'g')"
    )
    return [
        "ALTER TABLE review ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('simple'::regconfig, {document})) STORED",
        "CREATE INDEX ix_review_search ON review USING GIN (search_vector)",
    ]


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_key", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_key", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_review_assignee_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_review_content_hash")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_source_external_id",
            ["source", "external_id"],
            unique=True,
            sqlite_where=sa.text("external_id <> ''"),
            postgresql_where=sa.text("external_id <> ''"),
        )
        batch_op.create_index("ix_review_due_key_id", ["due_key", "id"], unique=False)
        batch_op.create_index(
            "ix_review_status_due_key_id", ["status", "due_key", "id"], unique=False
        )
        batch_op.create_index(
            "ix_review_source_due_key_id", ["source", "due_key", "id"], unique=False
        )
        batch_op.create_index(
            "ix_review_rating_key_due_key_id", ["rating_key", "due_key", "id"], unique=False
        )
        batch_op.create_index(
            "ix_review_assignee_id_due_key_id", ["assignee_id", "due_key", "id"], unique=False
        )
        batch_op.create_index("ix_review_posted_at_id", ["posted_at", "id"], unique=False)
        batch_op.create_index(
            "ix_review_rating_key_posted_at_id", ["rating_key", "posted_at", "id"], unique=False
        )

    op.create_table(
        "review_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("authenticity", sa.String(length=20), nullable=False),
        sa.Column("review_type", sa.String(length=20), nullable=False),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("assessed_by", sa.Integer(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["staff.id"], name=op.f("fk_review_assessment_assessed_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_assessment_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assessment")),
    )
    with op.batch_alter_table("review_assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_assessment_review_id_id", ["review_id", "id"], unique=False
        )

    op.create_table(
        "review_reply",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by", sa.Integer(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_review_reply_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["posted_by"], ["staff.id"], name=op.f("fk_review_reply_posted_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_reply_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by"], ["staff.id"], name=op.f("fk_review_reply_written_by_staff")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_reply")),
    )

    op.create_table(
        "review_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by"], ["staff.id"], name=op.f("fk_review_override_by_staff")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_override_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_override")),
    )
    with op.batch_alter_table("review_override", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_override_review_id"), ["review_id"], unique=False
        )

    op.create_table(
        "review_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_review_event_actor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
            name=op.f("fk_review_event_review_id_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_event")),
    )
    with op.batch_alter_table("review_event", schema=None) as batch_op:
        batch_op.create_index("ix_review_event_review_id_id", ["review_id", "id"], unique=False)

    op.create_table(
        "review_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"], ["staff.id"], name=op.f("fk_review_feed_added_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_feed")),
    )

    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else _postgresql_fts():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("review_fts_au", "review_fts_ad", "review_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS review_fts")
    op.drop_table("review_feed")
    op.drop_table("review_event")
    op.drop_table("review_override")
    op.drop_table("review_reply")
    op.drop_table("review_assessment")
    op.drop_table("review")

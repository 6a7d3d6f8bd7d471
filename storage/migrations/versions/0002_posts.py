"""Posts: the post, its variants, comments, workflow steps, PHI overrides and publications.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:41:10.267955
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("master_text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("last_editor_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.Column("approved_snapshot", sa.Text(), nullable=True),
        sa.Column("media_hashes", sa.Text(), nullable=False),
        sa.Column("editor_state", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["staff.id"], name=op.f("fk_post_approver_id_staff")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["staff.id"], name=op.f("fk_post_author_id_staff")),
        sa.ForeignKeyConstraint(
            ["last_editor_id"], ["staff.id"], name=op.f("fk_post_last_editor_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_post_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_post_state_published_at", ["state", "published_at"], unique=False)
        batch_op.create_index("ix_post_state_scheduled_at", ["state", "scheduled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_post_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "post_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_post_comment_author_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_comment_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_comment")),
    )
    with op.batch_alter_table("post_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_comment_post_id"), ["post_id"], unique=False)

    op.create_table(
        "post_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_post_override_actor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_override_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_override")),
    )
    with op.batch_alter_table("post_override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_override_post_id"), ["post_id"], unique=False)

    op.create_table(
        "post_publication",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("fk_post_publication_post_id_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff.id"], name=op.f("fk_post_publication_recorded_by_staff")
        ),
        sa.PrimaryKeyConstraint("post_id", "platform", name=op.f("pk_post_publication")),
    )
    op.create_table(
        "post_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_post_transition_actor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("fk_post_transition_post_id_post"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_transition")),
    )
    with op.batch_alter_table("post_transition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_transition_post_id"), ["post_id"], unique=False)

    op.create_table(
        "post_variant",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_variant_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "platform", name=op.f("pk_post_variant")),
    )


def downgrade() -> None:
    op.drop_table("post_variant")
    with op.batch_alter_table("post_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_transition_post_id"))

    op.drop_table("post_transition")
    op.drop_table("post_publication")
    with op.batch_alter_table("post_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_override_post_id"))

    op.drop_table("post_override")
    with op.batch_alter_table("post_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_comment_post_id"))

    op.drop_table("post_comment")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_updated_at"))
        batch_op.drop_index("ix_post_state_scheduled_at")
        batch_op.drop_index("ix_post_state_published_at")
        batch_op.drop_index(batch_op.f("ix_post_created_at"))
        batch_op.drop_index(batch_op.f("ix_post_author_id"))

    op.drop_table("post")

"""The consent tracker: patients (with name tokens and phone digits for search as you type),
authorizations (with their images indexed), and the takedown list.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 17:49:35.156098
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("preferred_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("representative_name", sa.String(length=100), nullable=False),
        sa.Column("representative_authority", sa.String(length=100), nullable=False),
        sa.Column("first_key", sa.String(length=100), nullable=False),
        sa.Column("last_key", sa.String(length=100), nullable=False),
        sa.Column("phone_digits", sa.String(length=20), nullable=False),
        sa.Column("phone_rev", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_last_key_first_key_id", ["last_key", "first_key", "id"], unique=False
        )
        batch_op.create_index(
            "ix_patient_phone_digits",
            ["phone_digits"],
            unique=False,
            postgresql_ops={"phone_digits": "text_pattern_ops"},
        )
        batch_op.create_index(
            "ix_patient_phone_rev",
            ["phone_rev"],
            unique=False,
            postgresql_ops={"phone_rev": "text_pattern_ops"},
        )

    op.create_table(
        "consent_authorization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.String(length=40), nullable=False),
        sa.Column("media_kinds", sa.Text(), nullable=False),
        sa.Column("media_description", sa.Text(), nullable=False),
        sa.Column("media_hashes", sa.Text(), nullable=False),
        sa.Column("discloser", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("purposes", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("expiry_event", sa.Text(), nullable=False),
        sa.Column("event_occurred_on", sa.Date(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("signer_name", sa.String(length=100), nullable=False),
        sa.Column("signature_kind", sa.String(length=8), nullable=True),
        sa.Column("signature_ref", sa.String(length=64), nullable=False),
        sa.Column("representative_authority", sa.String(length=100), nullable=False),
        sa.Column("statement_right_to_revoke", sa.Boolean(), nullable=False),
        sa.Column("statement_treatment_not_conditioned", sa.Boolean(), nullable=False),
        sa.Column("statement_redisclosure", sa.Boolean(), nullable=False),
        sa.Column("copy_offered", sa.Boolean(), nullable=False),
        sa.Column("copy_given", sa.Boolean(), nullable=False),
        sa.Column("first_name_only", sa.Boolean(), nullable=False),
        sa.Column("blur_face", sa.Boolean(), nullable=False),
        sa.Column("no_tagging", sa.Boolean(), nullable=False),
        sa.Column("taken_by", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf_ref", sa.String(length=64), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revocation_channel", sa.String(length=20), nullable=True),
        sa.Column("revocation_recorded_by", sa.Integer(), nullable=True),
        sa.Column("revocation_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_note", sa.Text(), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_consent_authorization_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["revocation_recorded_by"],
            ["staff.id"],
            name=op.f("fk_consent_authorization_revocation_recorded_by_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"], ["staff.id"], name=op.f("fk_consent_authorization_taken_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_authorization")),
    )
    with op.batch_alter_table("consent_authorization", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_authorization_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            "ix_consent_authorization_patient_id_taken_at", ["patient_id", "taken_at"], unique=False
        )
        batch_op.create_index(
            "ix_consent_authorization_taken_at_id", ["taken_at", "id"], unique=False
        )

    op.create_table(
        "patient_name_token",
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_name_token_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", "patient_id", name=op.f("pk_patient_name_token")),
    )
    with op.batch_alter_table("patient_name_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_name_token_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_patient_name_token_prefix",
            ["token", "patient_id"],
            unique=False,
            postgresql_ops={"token": "text_pattern_ops"},
        )

    op.create_table(
        "consent_authorization_media",
        sa.Column("authorization_id", sa.Integer(), nullable=False),
        sa.Column("media_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["consent_authorization.id"],
            name=op.f("fk_consent_authorization_media_authorization_id_consent_authorization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "authorization_id", "media_hash", name=op.f("pk_consent_authorization_media")
        ),
    )
    with op.batch_alter_table("consent_authorization_media", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_authorization_media_media_hash"), ["media_hash"], unique=False
        )

    op.create_table(
        "takedown",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("authorization_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("how", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["consent_authorization.id"],
            name=op.f("fk_takedown_authorization_id_consent_authorization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["staff.id"], name=op.f("fk_takedown_confirmed_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_takedown_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takedown")),
        sa.UniqueConstraint(
            "post_id",
            "platform",
            "authorization_id",
            name=op.f("uq_takedown_post_id_platform_authorization_id"),
        ),
    )
    with op.batch_alter_table("takedown", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_takedown_authorization_id"), ["authorization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_takedown_confirmed_at"), ["confirmed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("takedown", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_takedown_confirmed_at"))
        batch_op.drop_index(batch_op.f("ix_takedown_authorization_id"))

    op.drop_table("takedown")
    with op.batch_alter_table("consent_authorization_media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_authorization_media_media_hash"))

    op.drop_table("consent_authorization_media")
    with op.batch_alter_table("patient_name_token", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_patient_name_token_prefix", postgresql_ops={"token": "text_pattern_ops"}
        )
        batch_op.drop_index(batch_op.f("ix_patient_name_token_patient_id"))

    op.drop_table("patient_name_token")
    with op.batch_alter_table("consent_authorization", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_authorization_taken_at_id")
        batch_op.drop_index("ix_consent_authorization_patient_id_taken_at")
        batch_op.drop_index(batch_op.f("ix_consent_authorization_expires_on"))

    op.drop_table("consent_authorization")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_patient_phone_rev", postgresql_ops={"phone_rev": "text_pattern_ops"}
        )
        batch_op.drop_index(
            "ix_patient_phone_digits", postgresql_ops={"phone_digits": "text_pattern_ops"}
        )
        batch_op.drop_index("ix_patient_last_key_first_key_id")

    op.drop_table("patient")

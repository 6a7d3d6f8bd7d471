"""A review reply's remote state: the outcome of posting it through the site's API (Google's
``updateReply``): state, the site's time of the reply, the last error's code and words. All
nullable: replies written before (and replies posted by hand) have none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_reply", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_state", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("remote_error_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("remote_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_reply", schema=None) as batch_op:
        batch_op.drop_column("remote_error")
        batch_op.drop_column("remote_error_code")
        batch_op.drop_column("remote_updated_at")
        batch_op.drop_column("remote_state")

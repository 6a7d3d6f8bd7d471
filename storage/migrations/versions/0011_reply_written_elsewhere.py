"""A review reply may have been written on the site itself: Google reviews collected with a
reply the practice wrote on Google (before it connected the app, or outside it) are stored as
replied with that reply, which no staff member of the app wrote: ``written_by`` becomes
nullable.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_reply", schema=None) as batch_op:
        batch_op.alter_column("written_by", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Replies written on the site have no writer in the app: they go, their reviews stay.
    op.execute("DELETE FROM review_reply WHERE written_by IS NULL")
    with op.batch_alter_table("review_reply", schema=None) as batch_op:
        batch_op.alter_column("written_by", existing_type=sa.Integer(), nullable=False)

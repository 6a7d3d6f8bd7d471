"""The account each outbox entry goes out through (``post_outbox.account_id``).

The first claim that calls a connector records the account; every later ``find`` and retry
asks that account, so making another account the default between an unknown outcome and the
next run cannot post twice. Nullable: entries that never reached a connector have none.

Entries from before this revision that reached a connector get their account when the
platform has only ever had one (it can only have been that one); the others stay ``NULL``
and keep going through the platform's default account, as before.

Facebook accounts connected before this revision stored the versioned Graph address
(``https://graph.facebook.com/v21.0/``) as their API base, while the connector names its own
Graph version in every path (``/v23.0/…``): the base becomes the bare host.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRAPH_HOST = "https://graph.facebook.com/"


def upgrade() -> None:
    with op.batch_alter_table("post_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_post_outbox_account_id_platform_account"),
            "platform_account",
            ["account_id"],
            ["id"],
        )
    op.execute(
        sa.text(
            "UPDATE post_outbox SET account_id = (SELECT MIN(a.id) FROM platform_account a"
            " WHERE a.platform = post_outbox.platform)"
            " WHERE account_id IS NULL AND attempts > 0"
            " AND (SELECT COUNT(*) FROM platform_account a"
            " WHERE a.platform = post_outbox.platform) = 1"
        )
    )
    op.execute(
        sa.text(
            "UPDATE platform_account SET base_url = :host"
            " WHERE platform = 'facebook' AND base_url LIKE :versioned"
        ).bindparams(host=GRAPH_HOST, versioned=f"{GRAPH_HOST}v%")
    )


def downgrade() -> None:
    with op.batch_alter_table("post_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_post_outbox_account_id_platform_account"), type_="foreignkey"
        )
        batch_op.drop_column("account_id")

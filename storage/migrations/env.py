"""Alembic's environment for Front Desk Social, driven by ``storage.migrate``.

There is no ``alembic.ini``: ``storage.migrate`` builds the configuration in code and hands in
an open connection (``config.attributes["connection"]``) inside a transaction it owns, so a
migration and its ``alembic_version`` update commit together or not at all.

New revision (developers): ``storage.migrate.write_revision(db, "what changed")`` compares the
models with a database at head and writes ``versions/NNNN_what_changed.py`` for review.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from storage.models import Base, UtcDateTime, managed_by_hand


def _render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Revisions must not import ``storage.models`` (they are frozen in time while the
    models move on): render our column type as the plain type it stores."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave out what the migrations create by hand (the text search's table, column and
    index), so a drafted revision never drops them."""
    return not managed_by_hand(name, type_)


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("migrations run through storage.migrate, which passes a connection")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations()

"""Schema migrations with Alembic: refuse a newer database, back up, then upgrade to head.

Called by ``storage.bootstrap`` on every start. The Alembic configuration is built here in
code (no ``alembic.ini``); the scripts live in ``storage/migrations``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from core.app import DatabaseKind
from core.errors import DatabaseTooNew, StorageError
from storage.engine import Database
from storage.errors import translate_errors

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
HEAD_REVISION = "0011"
"""The newest revision, known without loading Alembic: importing it costs more than a
hundred milliseconds of every start, and is only needed when there is something to migrate.
A test checks that this matches the scripts' head; bump it with every new revision."""
_MIGRATION_LOCK = 0x46445331
"""PostgreSQL advisory-lock key ("FDS1") held while migrating, so two workstations starting
at once do not both upgrade."""


@dataclass(frozen=True, slots=True)
class MigrationOutcome:
    """What :func:`migrate` did: the revision before (``None``: empty database) and after,
    and whether it asked for a backup first."""

    before: str | None
    after: str
    backed_up: bool

    @property
    def upgraded(self) -> bool:
        return self.before != self.after


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, in code; ``connection`` is what ``env.py`` migrates."""
    from alembic.config import Config

    config = Config()
    # ConfigParser interpolation: a literal % in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this version of the app knows."""
    head = _scripts().get_current_head()
    assert head is not None, "storage/migrations/versions holds no revision"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def _revision(conn: Connection) -> str | None:
    """What Alembic's ``MigrationContext.get_current_revision`` reads, without Alembic."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise StorageError("The database's version table is inconsistent.", reason="version_table")
    return rows[0] if rows else None


def current_revision(db: Database) -> str | None:
    """The database's revision, or ``None`` when it was never migrated."""
    with translate_errors(db.masked_location), db.engine.connect() as conn:
        return _revision(conn)


def check_revision(revision: str | None) -> None:
    """Raise ``DatabaseTooNew`` for a revision this code does not know (a newer app wrote
    it)."""
    if revision is not None and revision != HEAD_REVISION and revision not in known_revisions():
        raise DatabaseTooNew(
            "This database was written by a newer version of Front Desk Social.",
            revision=revision,
        )


def migrate(db: Database, *, backup: Callable[[], object] | None = None) -> MigrationOutcome:
    """Bring the database to the head revision.

    Refuses (``DatabaseTooNew``) a database at a revision this code does not know. When the
    database is behind and not empty, calls ``backup()`` first (its errors abort the
    migration). The upgrade runs in one transaction: it applies completely or not at all.
    """
    head = HEAD_REVISION
    with translate_errors(db.masked_location):
        with db.engine.connect() as conn:
            before = _revision(conn)
            tables = set(inspect(conn).get_table_names()) - {VERSION_TABLE}
        check_revision(before)
        if before == head:
            return MigrationOutcome(before, head, backed_up=False)
        if before is None and tables:
            raise StorageError(
                "This database was not made by Front Desk Social.", reason="foreign_schema"
            )
        backed_up = False
        if backup is not None and before is not None:
            backup()
            backed_up = True
        with db.engine.begin() as conn:
            if db.kind is DatabaseKind.POSTGRESQL:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            # Another workstation may have migrated while we waited for the lock.
            if _revision(conn) != head:
                from alembic import command

                command.upgrade(alembic_config(conn), "head")
    return MigrationOutcome(before, head, backed_up)


def write_revision(db: Database, message: str) -> Path:
    """Developer tool: autogenerate the next revision from the models' difference to ``db``
    (which must be at head) and return the new file, to be reviewed before committing."""
    from alembic import command

    number = max(int(rev) for rev in known_revisions()) + 1
    with db.engine.begin() as conn:
        script = command.revision(
            alembic_config(conn), message=message, autogenerate=True, rev_id=f"{number:04d}"
        )
    assert script is not None
    assert not isinstance(script, list)
    return Path(script.path)

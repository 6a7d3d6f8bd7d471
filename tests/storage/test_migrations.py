"""Alembic migrations: from empty they build exactly the models' schema; a newer database
is refused; a database that is behind is backed up, then upgraded in one transaction."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from core.clock import ManualClock
from core.errors import DatabaseTooNew, StorageError
from core.staff.model import Role
from storage import migrate as migrate_module
from storage.backup import SqliteBackupStore, open_backup_readonly
from storage.engine import Database
from storage.migrate import (
    MigrationOutcome,
    current_revision,
    head_revision,
    migrate,
    write_revision,
)
from storage.models import Base, managed_by_hand
from storage.uow import unit_of_work_factory

PROBE_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("probe", sa.Column("id", sa.Integer(), primary_key=True))
    {extra}


def downgrade():
    op.drop_table("probe")
"""


HEAD = migrate_module.HEAD_REVISION
NEXT = f"{int(HEAD) + 1:04d}"


def with_extra_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str = "") -> None:
    """Pretend this app version ships a revision after the head (creating table ``probe``),
    so that a database at today's head is behind."""
    scripts = tmp_path / "migrations"
    shutil.copytree(
        migrate_module.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__")
    )
    probe = PROBE_REVISION.format(extra=extra, revision=NEXT, down_revision=HEAD)
    (scripts / "versions" / f"{NEXT}_probe.py").write_text(probe)
    monkeypatch.setattr(migrate_module, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr(migrate_module, "HEAD_REVISION", NEXT)


def add_someone(db: Database) -> None:
    with unit_of_work_factory(db, ManualClock())() as tx:
        tx.staff.add("Dana Whitfield", Role.ADMIN, "hash")


def test_head_revision_constant_matches_the_scripts() -> None:
    """migrate() trusts HEAD_REVISION so that a normal start need not load Alembic."""
    assert head_revision() == migrate_module.HEAD_REVISION


def test_migrations_from_empty_build_exactly_the_models(empty_db: Database) -> None:
    assert current_revision(empty_db) is None
    outcome = migrate(empty_db)
    assert outcome == MigrationOutcome(None, head_revision(), backed_up=False)
    assert current_revision(empty_db) == head_revision()
    with empty_db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                # The text search's FTS5 table / tsvector column are made by hand (0005).
                "include_name": lambda name, type_, _parents: not managed_by_hand(name, type_),
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_an_empty_database_is_not_backed_up(empty_db: Database) -> None:
    calls: list[str | None] = []
    migrate(empty_db, backup=lambda: calls.append(current_revision(empty_db)))
    assert calls == []


def test_a_database_at_head_is_left_alone(db: Database) -> None:
    calls: list[object] = []
    outcome = migrate(db, backup=lambda: calls.append(1))
    assert not outcome.upgraded
    assert calls == []


def test_a_newer_database_is_refused_untouched(private_db: Database) -> None:
    add_someone(private_db)
    with private_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    calls: list[object] = []
    with pytest.raises(DatabaseTooNew) as info:
        migrate(private_db, backup=lambda: calls.append(1))
    assert info.value.params["revision"] == "0099_future"
    assert calls == []
    assert current_revision(private_db) == "0099_future"


def test_a_foreign_schema_is_refused(empty_db: Database) -> None:
    with empty_db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE somebody_elses (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StorageError) as info:
        migrate(empty_db)
    assert info.value.params["reason"] == "foreign_schema"


def test_behind_head_backs_up_first_then_upgrades(
    private_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_someone(private_db)
    with_extra_revision(tmp_path, monkeypatch)
    seen: list[str | None] = []
    outcome = migrate(private_db, backup=lambda: seen.append(current_revision(private_db)))
    assert seen == [HEAD]  # the backup saw the database before the upgrade
    assert outcome == MigrationOutcome(HEAD, NEXT, backed_up=True)
    assert current_revision(private_db) == NEXT
    with private_db.engine.connect() as conn:
        assert "probe" in inspect(conn).get_table_names()


def test_behind_head_sqlite_backup_holds_the_old_revision(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_someone(sqlite_db)
    store = SqliteBackupStore(sqlite_db, tmp_path / "backups", ManualClock())
    with_extra_revision(tmp_path, monkeypatch)
    migrate(sqlite_db, backup=lambda: store.create(automatic=False))
    [backup] = store.list()
    assert sqlite_db.config.key is not None
    conn = open_backup_readonly(store.folder / backup.name, sqlite_db.config.key)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
        assert conn.execute("SELECT display_name FROM staff").fetchall() == [("Dana Whitfield",)]
    finally:
        conn.close()


def test_a_failing_migration_changes_nothing(
    private_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_someone(private_db)
    with_extra_revision(tmp_path, monkeypatch, extra='raise RuntimeError("broken migration")')
    with pytest.raises(RuntimeError, match="broken migration"):
        migrate(private_db)
    assert current_revision(private_db) == HEAD
    with private_db.engine.connect() as conn:
        assert "probe" not in inspect(conn).get_table_names()
    with unit_of_work_factory(private_db, ManualClock())() as tx:
        assert [m.display_name for m in tx.staff.list()] == ["Dana Whitfield"]


def test_backup_failure_stops_the_migration(
    private_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_someone(private_db)
    with_extra_revision(tmp_path, monkeypatch)

    def failing_backup() -> Callable[[], object]:
        raise StorageError("no room for the backup")

    with pytest.raises(StorageError, match="no room"):
        migrate(private_db, backup=failing_backup)
    assert current_revision(private_db) == HEAD


def test_write_revision_drafts_the_next_migration(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The developer tool: with the models unchanged, the draft migrates nothing."""
    scripts = tmp_path / "migrations"
    shutil.copytree(
        migrate_module.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(migrate_module, "MIGRATIONS_DIR", scripts)
    path = write_revision(sqlite_db, "nothing changed")
    assert path == scripts / "versions" / f"{NEXT}_nothing_changed.py"
    source = path.read_text()
    assert f"down_revision: str | None = '{HEAD}'" in source
    assert "op." not in source  # no operations: the models match the database
    assert head_revision() == NEXT

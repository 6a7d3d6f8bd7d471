"""Backups of the SQLCipher database: consistent, encrypted, owner-only, all-or-nothing, and
restorable into the same open ``Database``."""

from __future__ import annotations

import secrets
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from core.audit.model import AuditQuery, ChainReport
from core.audit.rules import run_verification
from core.audit.service import append_event
from core.clock import ManualClock
from core.errors import DatabaseCorrupt, DatabaseTooNew, DiskFull, NotFound, WrongDatabaseKey
from core.keys import key_from_recovery, recovery_key
from core.staff.model import Role
from storage.backup import SqliteBackupStore, open_backup_readonly
from storage.engine import SQLITE_HEADER, Database, DatabaseConfig, connect_sqlcipher, open_database
from storage.migrate import current_revision, migrate
from storage.uow import unit_of_work_factory
from tests.storage.test_migrations import NEXT, with_extra_revision

CANARY = "Canary-PHI-51c0 Marisol Patient"


@pytest.fixture
def store(sqlite_db: Database, tmp_path: Path, clock: ManualClock) -> SqliteBackupStore:
    return SqliteBackupStore(sqlite_db, tmp_path / "backups", clock)


def key_of(db: Database) -> bytes:
    assert db.config.key is not None
    return db.config.key


def test_create_list_delete(store: SqliteBackupStore, clock: ManualClock) -> None:
    assert store.list() == []
    auto = store.create(automatic=True)
    clock.advance(timedelta(hours=1, seconds=30, microseconds=5))
    manual = store.create(automatic=False)
    assert auto.name == "fds-2026-11-02T090000Z-auto.db"
    assert manual.name == "fds-2026-11-02T100030Z-manual.db"
    assert (auto.automatic, manual.automatic) == (True, False)
    assert manual.created_at == clock.now().replace(microsecond=0)
    assert auto.size_bytes == (store.folder / auto.name).stat().st_size > 0
    assert store.list() == [manual, auto]
    store.delete(auto.name)
    assert store.list() == [manual]
    for bad in (auto.name, "../test.db", "fds-x.db"):
        with pytest.raises(NotFound):
            store.delete(bad)


def test_backups_in_the_same_second_get_distinct_names(store: SqliteBackupStore) -> None:
    first, second, third = (store.create(automatic=False) for _ in range(3))
    assert [b.name for b in (first, second, third)] == [
        "fds-2026-11-02T090000Z-manual.db",
        "fds-2026-11-02T090000Z-manual-2.db",
        "fds-2026-11-02T090000Z-manual-3.db",
    ]
    assert store.list() == [third, second, first]


def test_backup_is_encrypted_owner_only_and_opens_with_the_recovery_key(
    sqlite_db: Database, store: SqliteBackupStore, clock: ManualClock
) -> None:
    with unit_of_work_factory(sqlite_db, clock)() as tx:
        tx.staff.add(CANARY, Role.ADMIN, "h")
    info = store.create(automatic=False)
    path = store.folder / info.name
    data = path.read_bytes()
    assert data[:16] != SQLITE_HEADER
    assert CANARY.encode() not in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in store.folder.iterdir()) == [info.name]  # no -wal, no temp
    key = key_from_recovery(recovery_key(key_of(sqlite_db)))
    conn = open_backup_readonly(path, key)
    try:
        assert conn.execute("SELECT display_name FROM staff").fetchall() == [(CANARY,)]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_backup_is_a_consistent_snapshot(sqlite_db: Database, store: SqliteBackupStore) -> None:
    """A write in progress on another connection is not in the backup."""
    assert sqlite_db.config.sqlite_path is not None
    writer = connect_sqlcipher(sqlite_db.config.sqlite_path, key_of(sqlite_db))
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO setting VALUES ('half', '{}', 1, '2026-11-02 09:00:00')")
        info = store.create(automatic=True)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    conn = open_backup_readonly(store.folder / info.name, key_of(sqlite_db))
    try:
        assert conn.execute("SELECT count(*) FROM setting").fetchall() == [(0,)]
    finally:
        conn.close()


def test_disk_full_during_a_backup_leaves_no_file(
    sqlite_db: Database, tmp_path: Path, clock: ManualClock
) -> None:
    """SQLite's own SQLITE_FULL: the backup file may not grow past two pages."""
    with unit_of_work_factory(sqlite_db, clock)() as tx:
        for i in range(50):
            tx.staff.add(f"Person {i}", Role.FRONT_DESK, "x" * 300)
    folder = tmp_path / "backups"
    tight = SqliteBackupStore(sqlite_db, folder, clock, max_backup_pages=2)
    with pytest.raises(DiskFull):
        tight.create(automatic=True)
    assert list(folder.iterdir()) == []
    assert tight.list() == []
    SqliteBackupStore(sqlite_db, folder, clock).create(automatic=True)  # the db is fine


def test_restore_brings_back_the_backed_up_state(
    sqlite_db: Database, store: SqliteBackupStore, clock: ManualClock
) -> None:
    uow = unit_of_work_factory(sqlite_db, clock)
    with uow() as tx:
        ann = tx.staff.add("Ann Lee", Role.ADMIN, "h")
        tx.settings.put("practice", {"name": "Maple"}, None)
        for i in range(20):
            append_event(tx, clock, ann, "staff.update", "staff", i)
    backup = store.create(automatic=False)

    clock.advance(timedelta(minutes=5))
    with uow() as tx:
        tx.staff.add("Bob Brown", Role.DOCTOR, "h")
        tx.settings.put("practice", {"name": "Changed"}, 1)
        for i in range(5):
            append_event(tx, clock, ann, "staff.create", "staff", i)

    store.restore(backup.name)

    with uow() as tx:  # the same Database object, with new connections
        assert [m.display_name for m in tx.staff.list()] == ["Ann Lee"]
        assert tx.settings.get("practice") == ({"name": "Maple"}, 1)
        assert tx.audit.count(AuditQuery()) == 20
        assert run_verification(tx.audit.iter_all()) == ChainReport(True, 20)
        append_event(tx, clock, ann, "backup.restore", "backup", backup.name)
    with uow() as tx:
        assert run_verification(tx.audit.iter_all()) == ChainReport(True, 21)
    safety = [b for b in store.list() if b.name != backup.name]
    assert len(safety) == 1
    assert not safety[0].automatic


def test_restore_refuses_a_backup_with_another_key(
    sqlite_db: Database, store: SqliteBackupStore, tmp_path: Path, clock: ManualClock
) -> None:
    with unit_of_work_factory(sqlite_db, clock)() as tx:
        tx.staff.add("Ann Lee", Role.ADMIN, "h")
    other = open_database(DatabaseConfig.sqlite(tmp_path / "other.db", secrets.token_bytes(32)))
    try:
        migrate(other)
        foreign = SqliteBackupStore(other, store.folder, clock).create(automatic=False)
    finally:
        other.dispose()
    with pytest.raises(WrongDatabaseKey):
        store.restore(foreign.name)
    assert store.list() == [foreign]  # not even a safety backup: nothing was changed
    with unit_of_work_factory(sqlite_db, clock)() as tx:
        assert [m.display_name for m in tx.staff.list()] == ["Ann Lee"]


def test_restore_refuses_a_damaged_backup(
    store: SqliteBackupStore, sqlite_db: Database, clock: ManualClock
) -> None:
    with unit_of_work_factory(sqlite_db, clock)() as tx:
        for i in range(100):
            tx.staff.add(f"Person {i}", Role.FRONT_DESK, "x" * 300)
    info = store.create(automatic=False)
    path = store.folder / info.name
    data = bytearray(path.read_bytes())
    data[-1500] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorrupt):
        store.restore(info.name)
    assert len(store.list()) == 1


def test_restore_refuses_a_backup_from_a_newer_version(
    sqlite_db: Database, store: SqliteBackupStore
) -> None:
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    info = store.create(automatic=False)
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with pytest.raises(DatabaseTooNew):
        store.restore(info.name)


def test_restoring_a_backup_from_an_older_version_migrates_it(
    sqlite_db: Database,
    store: SqliteBackupStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: ManualClock,
) -> None:
    with unit_of_work_factory(sqlite_db, clock)() as tx:
        tx.staff.add("Ann Lee", Role.ADMIN, "h")
    old = store.create(automatic=False)  # at today's head
    with_extra_revision(tmp_path, monkeypatch)
    migrate(sqlite_db)  # this version of the app is one revision further
    store.restore(old.name)
    assert current_revision(sqlite_db) == NEXT
    with unit_of_work_factory(sqlite_db, clock)() as tx:
        assert [m.display_name for m in tx.staff.list()] == ["Ann Lee"]


def test_backups_exist_only_for_sqlite(pg_db: Database, tmp_path: Path, clock: ManualClock) -> None:
    with pytest.raises(TypeError):
        SqliteBackupStore(pg_db, tmp_path, clock)

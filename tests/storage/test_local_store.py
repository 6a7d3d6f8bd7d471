"""Opening the practice data as main.py does: first run, later runs, a lost keyring entry
and the recovery key, a damaged database and its restore, and no plaintext anywhere."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from core.app import DatabaseKind
from core.audit.service import append_event
from core.clock import ManualClock
from core.errors import (
    AlreadyRunning,
    DatabaseCorrupt,
    InvalidRecoveryKey,
    MissingDatabaseKey,
    NotFound,
    WrongDatabaseKey,
)
from core.keys import key_from_recovery, key_hex, new_database_key, recovery_key
from core.secrets import database_key_name
from core.staff.model import Role
from storage.engine import SQLITE_HEADER
from storage.migrate import head_revision
from storage.open import (
    list_local_backups,
    open_local_store,
    open_server_store,
    read_metadata,
    restore_local_backup,
)
from storage.secrets import InMemorySecretStore
from tests.storage.test_migrations import HEAD, NEXT, with_extra_revision

CANARY = "Canary-PHI-a41d Theodora Patient 555-0199"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def key_name(data_dir: Path) -> str:
    meta = read_metadata(data_dir / "database.json")
    assert meta is not None
    return database_key_name(meta.database_id)


def first_open(data_dir: Path, keys: InMemorySecretStore, clock: ManualClock) -> str:
    """Create the practice data; return its recovery key."""
    with open_local_store(data_dir, keys, clock=clock) as store:
        assert store.new_recovery_key is not None
        with store.uow_factory() as tx:
            tx.staff.add("Dana Whitfield", Role.ADMIN, "h")
        return store.new_recovery_key


def test_first_open_creates_everything_owner_only(tmp_path: Path, clock: ManualClock) -> None:
    data_dir, keys = tmp_path / "data", InMemorySecretStore()
    with open_local_store(data_dir, keys, clock=clock) as store:
        meta = read_metadata(data_dir / "database.json")
        assert meta is not None
        assert store.database_id == meta.database_id
        stored = keys.get(database_key_name(meta.database_id))
        assert stored is not None
        assert store.new_recovery_key == recovery_key(bytes.fromhex(stored))
        assert store.key_name == database_key_name(meta.database_id)
        assert store.migration.before is None
        info = store.info()
        assert (info.kind, info.encrypted, info.schema_revision) == (
            DatabaseKind.SQLITE,
            True,
            head_revision(),
        )
        assert info.location == str(data_dir / "practice.db")
    for folder in (data_dir, data_dir / "vault", data_dir / "backups"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for file in data_dir.iterdir():
        if file.is_file():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert (data_dir / "practice.db").read_bytes()[:16] != SQLITE_HEADER
    assert "key" not in (data_dir / "database.json").read_text().replace("key_check", "")


def test_later_opens_read_the_key_from_the_keyring(tmp_path: Path, clock: ManualClock) -> None:
    keys = InMemorySecretStore()
    first_open(tmp_path, keys, clock)
    with open_local_store(tmp_path, keys, clock=clock) as store:
        assert store.new_recovery_key is None
        assert not store.migration.upgraded
        with store.uow_factory() as tx:
            assert [m.display_name for m in tx.staff.list()] == ["Dana Whitfield"]


def test_lost_keyring_entry_then_the_recovery_key(tmp_path: Path, clock: ManualClock) -> None:
    keys = InMemorySecretStore()
    recovery = first_open(tmp_path, keys, clock)
    name = key_name(tmp_path)
    stored = keys.get(name)
    keys.delete(name)
    with pytest.raises(MissingDatabaseKey):
        open_local_store(tmp_path, keys, clock=clock)
    typed = recovery.lower().replace("-", " ")  # people type it loosely
    with (
        open_local_store(tmp_path, keys, recovery_key=typed, clock=clock) as store,
        store.uow_factory() as tx,
    ):
        assert len(tx.staff.list()) == 1
    assert keys.get(name) == stored  # written back to the keyring
    open_local_store(tmp_path, keys, clock=clock).close()


def test_wrong_recovery_keys_leave_the_file_untouched(tmp_path: Path, clock: ManualClock) -> None:
    keys = InMemorySecretStore()
    recovery = first_open(tmp_path, keys, clock)
    before = sha(tmp_path / "practice.db")
    typo = recovery[:5] + ("X" if recovery[5] != "X" else "Y") + recovery[6:]
    with pytest.raises(InvalidRecoveryKey):
        open_local_store(tmp_path, keys, recovery_key=typo, clock=clock)
    with pytest.raises(WrongDatabaseKey):  # a valid recovery key, of another database
        open_local_store(tmp_path, keys, recovery_key=recovery_key(new_database_key()), clock=clock)
    assert sha(tmp_path / "practice.db") == before
    assert not (tmp_path / "practice.db-wal").exists()


def test_a_wrong_key_in_the_keyring_is_reported(tmp_path: Path, clock: ManualClock) -> None:
    keys = InMemorySecretStore()
    first_open(tmp_path, keys, clock)
    name = key_name(tmp_path)
    keys.set(name, key_hex(new_database_key()))
    with pytest.raises(WrongDatabaseKey):
        open_local_store(tmp_path, keys, clock=clock)


def test_one_copy_per_data_folder(tmp_path: Path, clock: ManualClock) -> None:
    keys = InMemorySecretStore()
    with open_local_store(tmp_path, keys, clock=clock), pytest.raises(AlreadyRunning):
        open_local_store(tmp_path, keys, clock=clock)
    open_local_store(tmp_path, keys, clock=clock).close()


def test_failed_open_releases_the_lock(tmp_path: Path, clock: ManualClock) -> None:
    keys = InMemorySecretStore()
    first_open(tmp_path, keys, clock)
    with pytest.raises(MissingDatabaseKey):
        open_local_store(tmp_path, InMemorySecretStore(), clock=clock)
    open_local_store(tmp_path, keys, clock=clock).close()


def test_without_create_nothing_is_made(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        open_local_store(tmp_path / "none", InMemorySecretStore(), create=False)
    assert not (tmp_path / "none").exists()


def test_no_plaintext_phi_in_any_file(tmp_path: Path, clock: ManualClock) -> None:
    """A canary written through the repositories appears in no file under the data folder:
    database, -wal, -shm, backups, metadata."""
    keys = InMemorySecretStore()
    with open_local_store(tmp_path, keys, clock=clock) as store:
        with store.uow_factory() as tx:
            member = tx.staff.add(CANARY, Role.ADMIN, "h")
            tx.settings.put("practice", {"name": CANARY}, None)
            append_event(tx, clock, member, "staff.create", "staff", member.id, CANARY)
        store.backups.create(automatic=False)
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        names = {p.name for p in files}
        assert {"practice.db", "practice.db-wal", "practice.db-shm"} <= names
        for needle in (CANARY.encode(), CANARY.encode("utf-16-le")):
            assert [p for p in files if needle in p.read_bytes()] == []


def test_pending_migration_is_backed_up_first(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = InMemorySecretStore()
    data_dir = tmp_path / "data"
    first_open(data_dir, keys, clock)
    with_extra_revision(tmp_path, monkeypatch)
    with open_local_store(data_dir, keys, clock=clock) as store:
        assert (store.migration.before, store.migration.after) == (HEAD, NEXT)
        assert store.migration.backed_up
        [backup] = store.backups.list()
        assert not backup.automatic


def test_damaged_database_is_restored_from_a_backup(tmp_path: Path, clock: ManualClock) -> None:
    keys = InMemorySecretStore()
    recovery = first_open(tmp_path, keys, clock)
    with open_local_store(tmp_path, keys, clock=clock) as store:
        backup = store.backups.create(automatic=True)
    db_file = tmp_path / "practice.db"
    db_file.write_bytes(os.urandom(db_file.stat().st_size))  # the disk mangled it
    damaged = sha(db_file)
    with pytest.raises(DatabaseCorrupt):  # key_check says the key is right: not a key problem
        open_local_store(tmp_path, keys, clock=clock)
    assert list_local_backups(tmp_path) == [backup]
    keys.delete(key_name(tmp_path))
    restore_local_backup(tmp_path, keys, backup.name, recovery_key=recovery, clock=clock)
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("practice.db.damaged-")]
    assert [sha(p) for p in kept] == [damaged]
    with open_local_store(tmp_path, keys, clock=clock) as store, store.uow_factory() as tx:
        assert [m.display_name for m in tx.staff.list()] == ["Dana Whitfield"]
    assert keys.get(key_name(tmp_path)) == key_from_recovery(recovery).hex()


@pytest.mark.postgres
def test_server_store(fresh_pg_url: str, tmp_path: Path, clock: ManualClock) -> None:
    with open_server_store(fresh_pg_url, tmp_path / "ws1", clock=clock) as first:
        assert first.migration.upgraded
        info = first.info()
        assert info.kind is DatabaseKind.POSTGRESQL
        assert not info.encrypted
        assert ":***@" in info.location
        with first.uow_factory() as tx:
            tx.staff.add("Dana Whitfield", Role.ADMIN, "h")
        with open_server_store(fresh_pg_url, tmp_path / "ws2", clock=clock) as second:
            assert not second.migration.upgraded  # a second workstation, same database
            with second.uow_factory() as tx:
                assert len(tx.staff.list()) == 1
        assert stat.S_IMODE((tmp_path / "ws1" / "vault").stat().st_mode) == 0o700

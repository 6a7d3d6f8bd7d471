"""Opening everything ``main.py`` needs from storage, in the right order.

``open_local_store`` is the single-workstation path (SQLCipher file, key in the OS keyring,
backups); ``open_server_store`` the shared-PostgreSQL one. Both take the data folder's
instance lock first and release it again if anything fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from core.app import DatabaseInfo
from core.backup.model import BackupInfo
from core.clock import Clock, SystemClock
from core.errors import (
    DatabaseCorrupt,
    DatabaseTooNew,
    MissingDatabaseKey,
    NotFound,
    StorageError,
    WrongDatabaseKey,
)
from core.keys import KEY_BYTES, key_from_recovery, key_hex, new_database_key
from core.keys import recovery_key as printable_recovery_key
from core.secrets import SecretStore, database_key_name
from storage.backup import (
    SqliteBackupStore,
    backup_path,
    copy_database,
    list_backups,
    open_checked_backup,
)
from storage.engine import Database, DatabaseConfig, connect_sqlcipher, open_database
from storage.errors import CORRUPT_MESSAGE
from storage.files import atomic_write, create_private_file, ensure_private_dir
from storage.instance_lock import InstanceLock
from storage.migrate import MigrationOutcome, migrate
from storage.uow import SqlUnitOfWork, unit_of_work_factory
from storage.vault import MediaVault

DATABASE_FILE = "practice.db"
METADATA_FILE = "database.json"
VAULT_DIR = "vault"
BACKUPS_DIR = "backups"
METADATA_FORMAT = 1
_KEY_CHECK_LABEL = b"Front Desk Social database key check v1"


@dataclass(frozen=True, slots=True)
class DatabaseMetadata:
    """``database.json``: plaintext, no secrets. ``database_id`` names the keyring entry;
    ``key_check`` (an HMAC of a fixed label under the key; it reveals nothing about the key)
    tells a wrong key from a damaged file, which SQLCipher alone cannot."""

    database_id: str
    key_check: str | None = None

    def to_json(self) -> bytes:
        data: dict[str, Any] = {"database_id": self.database_id, "format": METADATA_FORMAT}
        if self.key_check is not None:
            data["key_check"] = self.key_check
        return (json.dumps(data, indent=2) + "\n").encode()


def key_check(key: bytes) -> str:
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:32]


def read_metadata(path: Path) -> DatabaseMetadata | None:
    """``database.json``, or ``None`` when there is none."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StorageError(
            "database.json cannot be read.", reason="metadata_damaged", path=str(path)
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("database_id"), str):
        raise StorageError("database.json is damaged.", reason="metadata_damaged", path=str(path))
    if data.get("format") != METADATA_FORMAT:
        raise DatabaseTooNew(
            "This data folder was written by a newer version of Front Desk Social.",
            revision=f"format {data.get('format')}",
        )
    check = data.get("key_check")
    return DatabaseMetadata(data["database_id"], check if isinstance(check, str) else None)


@dataclass(slots=True)
class OpenedStore:
    """What opening either kind of database yields: the engine, units of work, the media
    vault and the single-instance lock (released by ``close``)."""

    database: Database
    uow_factory: Callable[[], SqlUnitOfWork]
    vault: MediaVault
    lock: InstanceLock
    data_dir: Path
    migration: MigrationOutcome

    @property
    def revision(self) -> str:
        """The schema revision (head, once opened)."""
        return self.migration.after

    def info(self) -> DatabaseInfo:
        """For Settings → About."""
        return _info(self.database, self.data_dir, self.migration.after)

    def close(self) -> None:
        self.database.dispose()
        self.lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(slots=True)
class LocalStore(OpenedStore):
    """Everything opened by :func:`open_local_store`. ``new_recovery_key`` is set only when
    this call created the database: show it once, it is not kept anywhere. ``close()``
    disposes the database and releases the instance lock."""

    backups: SqliteBackupStore
    database_id: str
    new_recovery_key: str | None

    @property
    def database_path(self) -> Path:
        return self.data_dir / DATABASE_FILE

    @property
    def key_name(self) -> str:
        """The keyring entry holding the database key (``core.secrets.database_key_name``)."""
        return database_key_name(self.database_id)


@dataclass(slots=True)
class ServerStore(OpenedStore):
    """Everything opened by :func:`open_server_store` (no backups: the server's
    administrator backs it up)."""


def _info(db: Database, data_dir: Path, revision: str) -> DatabaseInfo:
    # From what opening found out, without a query: About is shown on the GUI thread.
    return DatabaseInfo(
        kind=db.kind,
        location=db.masked_location,
        encrypted=db.encrypted,
        schema_revision=revision,
        data_dir=str(data_dir),
    )


def _is_new(db_path: Path) -> bool:
    """No database yet; an empty file left by an interrupted first start counts as none."""
    wal = db_path.with_name(db_path.name + "-wal")
    return not db_path.exists() or (db_path.stat().st_size == 0 and not wal.exists())


def _stored_key(secrets: SecretStore, name: str, database_id: str) -> bytes:
    stored = secrets.get(name)
    if stored is None:
        raise MissingDatabaseKey(
            "The keyring has no key for this database: enter the recovery key.",
            database_id=database_id,
        )
    try:
        key = bytes.fromhex(stored)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise WrongDatabaseKey(
            "The keyring holds no valid key for this database.", database_id=database_id
        )
    return key


def open_local_store(
    data_dir: Path,
    secrets: SecretStore,
    *,
    recovery_key: str | None = None,
    create: bool = True,
    clock: Clock | None = None,
) -> LocalStore:
    """Open (or, with ``create``, set up) the practice data in ``data_dir``.

    Takes the instance lock (``AlreadyRunning``); creates ``data_dir``, ``vault/`` and
    ``backups/`` owner-only. A new database gets a new key, stored in the keyring *before*
    the database exists, and the recovery key is returned once in ``new_recovery_key``. An
    existing one is opened with the key from the keyring (``MissingDatabaseKey`` when there
    is none) or, when ``recovery_key`` is given, with that key (``InvalidRecoveryKey`` for a
    typo, ``WrongDatabaseKey`` when it belongs to another database), which is then written
    back to the keyring. A pending migration is preceded by a backup.

    Without ``create``, a missing folder or database raises ``NotFound``.
    """
    clock = clock or SystemClock()
    data_dir = Path(data_dir)
    if not create and not (data_dir / DATABASE_FILE).exists():
        raise NotFound("There is no practice database in this folder.", path=str(data_dir))
    ensure_private_dir(data_dir)
    lock = InstanceLock(data_dir).acquire()
    db: Database | None = None
    try:
        vault = MediaVault(data_dir / VAULT_DIR)
        backups_dir = ensure_private_dir(data_dir / BACKUPS_DIR)
        meta_path, db_path = data_dir / METADATA_FILE, data_dir / DATABASE_FILE
        meta = read_metadata(meta_path)
        if meta is None:
            meta = DatabaseMetadata(str(uuid.uuid4()))
            atomic_write(meta_path, meta.to_json())
        name = database_key_name(meta.database_id)
        new_recovery: str | None = None
        if _is_new(db_path):
            key = new_database_key()
            secrets.set(name, key_hex(key))
            meta = replace(meta, key_check=key_check(key))
            atomic_write(meta_path, meta.to_json())
            db_path.unlink(missing_ok=True)
            db = open_database(DatabaseConfig.sqlite(db_path, key))
            new_recovery = printable_recovery_key(key)
        else:
            key = _key(secrets, meta, recovery_key)
            db = _open_existing(db_path, key, meta)
            if recovery_key is not None:
                secrets.set(name, key_hex(key))
            if meta.key_check is None:
                atomic_write(meta_path, replace(meta, key_check=key_check(key)).to_json())
        backups = SqliteBackupStore(db, backups_dir, clock)
        outcome = migrate(db, backup=lambda: backups.create(automatic=False))
        return LocalStore(
            database=db,
            uow_factory=unit_of_work_factory(db, clock),
            backups=backups,
            vault=vault,
            lock=lock,
            data_dir=data_dir,
            database_id=meta.database_id,
            new_recovery_key=new_recovery,
            migration=outcome,
        )
    except BaseException:
        if db is not None:
            db.dispose()
        lock.release()
        raise


def _key(secrets: SecretStore, meta: DatabaseMetadata, recovery_key: str | None) -> bytes:
    """The recovery key's database key, or the keyring's; ``WrongDatabaseKey`` when
    ``key_check`` shows it belongs to another database (checked without touching the file)."""
    if recovery_key is not None:
        key = key_from_recovery(recovery_key)
    else:
        key = _stored_key(secrets, database_key_name(meta.database_id), meta.database_id)
    if meta.key_check is not None and not hmac.compare_digest(meta.key_check, key_check(key)):
        raise WrongDatabaseKey("The key does not open this database.", database_id=meta.database_id)
    return key


def _open_existing(db_path: Path, key: bytes, meta: DatabaseMetadata) -> Database:
    try:
        return open_database(DatabaseConfig.sqlite(db_path, key), create=False)
    except WrongDatabaseKey:
        if meta.key_check is None:
            raise
    # The key is the database's own (key_check says so), yet the file does not decrypt.
    raise DatabaseCorrupt(CORRUPT_MESSAGE, reason="undecryptable", path=str(db_path))


def open_server_store(url: str, data_dir: Path, *, clock: Clock | None = None) -> ServerStore:
    """Open a shared PostgreSQL database (``postgresql+psycopg://...``) and migrate it;
    the media vault and the instance lock live in ``data_dir``. Raises
    ``DatabaseUnreachable`` (URL password masked) when the server does not answer."""
    clock = clock or SystemClock()
    data_dir = ensure_private_dir(Path(data_dir))
    lock = InstanceLock(data_dir).acquire()
    db: Database | None = None
    try:
        vault = MediaVault(data_dir / VAULT_DIR)
        db = open_database(DatabaseConfig.postgresql(url))
        outcome = migrate(db)
        return ServerStore(
            database=db,
            uow_factory=unit_of_work_factory(db, clock),
            vault=vault,
            lock=lock,
            data_dir=data_dir,
            migration=outcome,
        )
    except BaseException:
        if db is not None:
            db.dispose()
        lock.release()
        raise


def list_local_backups(data_dir: Path) -> list[BackupInfo]:
    """The backups in ``data_dir/backups``, newest first, without opening the database (for
    choosing one when the database is damaged)."""
    return list_backups(Path(data_dir) / BACKUPS_DIR)


def restore_local_backup(
    data_dir: Path,
    secrets: SecretStore,
    name: str,
    *,
    recovery_key: str | None = None,
    clock: Clock | None = None,
) -> None:
    """Replace a database that cannot be opened (``DatabaseCorrupt``) with backup ``name``.

    The backup is checked first (key, integrity, revision). The damaged files are kept,
    renamed ``practice.db.damaged-<UTC time>`` (never deleted: they may still hold data a
    specialist can recover), and a new file receives the backup's content. The key comes
    from ``recovery_key`` or the keyring, as in :func:`open_local_store`; open the store
    again afterwards. For a database that opens, use ``LocalStore.backups.restore``.
    """
    clock = clock or SystemClock()
    data_dir = Path(data_dir)
    meta = read_metadata(data_dir / METADATA_FILE)
    if meta is None:
        raise NotFound("There is no practice database in this folder.", path=str(data_dir))
    with InstanceLock(data_dir):
        key = _key(secrets, meta, recovery_key)
        source = open_checked_backup(backup_path(data_dir / BACKUPS_DIR, name), key)
        try:
            db_path = data_dir / DATABASE_FILE
            stamp = clock.now().astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            for suffix in ("", "-wal", "-shm"):
                damaged = db_path.with_name(db_path.name + suffix)
                if damaged.exists():
                    damaged.rename(db_path.with_name(f"{db_path.name}.damaged-{stamp}{suffix}"))
            create_private_file(db_path)
            target = connect_sqlcipher(db_path, key)
            try:
                copy_database(source, target)
            finally:
                target.close()
        finally:
            source.close()
        if recovery_key is not None:
            secrets.set(database_key_name(meta.database_id), key_hex(key))

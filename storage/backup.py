"""Encrypted backups of the SQLCipher database (``core.backup.model.BackupStore``).

A backup is made with ``sqlcipher_export`` into an attached file keyed with the database's
own key (so the recovery key opens backups too), never by copying the live file. It is
written under a temporary name and renamed only when complete and synced: a file with a
backup's name is always a whole backup. Names encode when and how a backup was made
(``fds-2026-11-22T091500Z-auto.db``), so listing needs no database.
"""

from __future__ import annotations

import builtins
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.app import DatabaseKind
from core.backup.model import BackupInfo, BackupStore
from core.clock import Clock
from core.errors import DatabaseCorrupt, NotFound
from core.keys import key_hex
from storage.engine import Database, RawConnection, connect_sqlcipher
from storage.errors import translate_errors
from storage.files import create_private_file, ensure_private_dir, fsync_dir, os_error, temp_name
from storage.migrate import VERSION_TABLE, check_revision, migrate

_NAME = re.compile(r"^fds-(\d{4}-\d\d-\d\dT\d{6}Z)-(auto|manual)(?:-(\d+))?\.db$")
_TIME_FORMAT = "%Y-%m-%dT%H%M%SZ"
_COMPANIONS = ("-journal", "-wal", "-shm")


def open_backup_readonly(path: Path, key: bytes) -> RawConnection:
    """A read-only SQLCipher connection to a backup file (checks the key; writes nothing).
    Raises ``WrongDatabaseKey`` or ``DatabaseCorrupt``. The caller closes it."""
    return connect_sqlcipher(path, key, read_only=True)


def backup_path(backups_dir: Path, name: str) -> Path:
    """The file of backup ``name``; ``NotFound`` unless it is a backup's name and exists."""
    if not _NAME.match(name) or not (backups_dir / name).is_file():
        raise NotFound("There is no such backup.", entity="backup", name=name)
    return backups_dir / name


def backup_info(path: Path) -> BackupInfo:
    match = _NAME.match(path.name)
    if match is None:
        raise ValueError(f"not a backup's name: {path.name}")
    created_at = datetime.strptime(match[1], _TIME_FORMAT).replace(tzinfo=UTC)
    return BackupInfo(
        name=path.name,
        created_at=created_at,
        size_bytes=path.stat().st_size,
        automatic=match[2] == "auto",
    )


def list_backups(backups_dir: Path) -> list[BackupInfo]:
    """The backups in ``backups_dir``, newest first (within one second: the later made
    first). Reads only names and sizes, so it works while the database cannot be opened."""
    if not backups_dir.is_dir():
        return []
    found = []
    for entry in os.scandir(backups_dir):
        match = _NAME.match(entry.name)
        if match and entry.is_file():
            found.append((backup_info(Path(entry.path)), int(match[3] or 1)))
    found.sort(key=lambda pair: (pair[0].created_at, pair[1]), reverse=True)
    return [info for info, _ in found]


def open_checked_backup(path: Path, key: bytes) -> RawConnection:
    """Open backup ``path`` read-only and check it before it replaces anything: the key
    (``WrongDatabaseKey``), its integrity (``DatabaseCorrupt``) and its schema revision
    (``DatabaseTooNew``). The caller closes the connection."""
    with translate_errors():
        source = open_backup_readonly(path, key)
        try:
            if source.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                raise DatabaseCorrupt(
                    "The backup is damaged.", reason="backup_damaged", name=path.name
                )
            check_revision(_revision(source))
        except BaseException:
            source.close()
            raise
    return source


def copy_database(source: RawConnection, target: RawConnection) -> None:
    """Replace ``target``'s content with ``source``'s through SQLite's online backup API,
    in one transaction on the target (both sides keyed with the same key)."""
    with translate_errors():
        source.backup(target)


class SqliteBackupStore:
    """Backups of one SQLCipher database in ``backups_dir`` (owner-only files).

    ``max_backup_pages`` caps a backup's size in database pages (``None``: no cap). A backup
    that would exceed it fails exactly like one that meets a full disk (SQLite's own
    ``SQLITE_FULL``), which is how the tests exercise that path without filling a disk.
    """

    def __init__(
        self, db: Database, backups_dir: Path, clock: Clock, *, max_backup_pages: int | None = None
    ) -> None:
        if db.kind is not DatabaseKind.SQLITE:
            raise TypeError("backups are made of the local SQLite database only")
        self._db = db
        self._dir = backups_dir
        self._clock = clock
        self._max_pages = max_backup_pages
        self._lock = threading.Lock()  # two backups at once must not pick the same name

    @property
    def folder(self) -> Path:
        return self._dir

    def create(self, *, automatic: bool) -> BackupInfo:
        """Back up now; raises ``DiskFull`` (or another ``StorageError``) and then leaves
        no partial file behind."""
        created_at = self._clock.now().astimezone(UTC).replace(microsecond=0)
        ensure_private_dir(self._dir)
        tmp = temp_name(self._dir, "backup")
        with self._lock:
            try:
                create_private_file(tmp)
                self._export(tmp)
                _fsync_file(tmp)
                final = self._free_name(created_at, automatic)
                os.replace(tmp, final)
                fsync_dir(self._dir)
            except OSError as exc:
                raise os_error(exc, self._dir) from exc
            finally:
                for path in (tmp, *(tmp.with_name(tmp.name + s) for s in _COMPANIONS)):
                    path.unlink(missing_ok=True)
        return backup_info(final)

    def _export(self, target: Path) -> None:
        assert self._db.config.key is not None
        # Its own connection, not a pooled one: the ATTACH never outlives this backup.
        with translate_errors():
            conn = self._db.connect_raw()
            try:
                conn.execute(
                    "ATTACH DATABASE ? AS backup KEY ?",
                    (str(target), f"x'{key_hex(self._db.config.key)}'"),
                )
                # One self-contained file: no -wal beside the backup.
                conn.execute("PRAGMA backup.journal_mode = DELETE").fetchall()
                if self._max_pages is not None:
                    conn.execute(f"PRAGMA backup.max_page_count = {int(self._max_pages)}")
                # One read transaction: the copy is a single consistent snapshot.
                conn.execute("BEGIN")
                try:
                    conn.execute("SELECT sqlcipher_export('backup')").fetchall()
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("DETACH DATABASE backup")
            finally:
                conn.close()

    def _free_name(self, created_at: datetime, automatic: bool) -> Path:
        stem = f"fds-{created_at.strftime(_TIME_FORMAT)}-{'auto' if automatic else 'manual'}"
        path, n = self._dir / f"{stem}.db", 1
        while path.exists():
            n += 1
            path = self._dir / f"{stem}-{n}.db"
        return path

    def list(self) -> builtins.list[BackupInfo]:
        """Newest first."""
        return list_backups(self._dir)

    def delete(self, name: str) -> None:
        try:
            backup_path(self._dir, name).unlink()
        except OSError as exc:
            raise os_error(exc, self._dir) from exc
        fsync_dir(self._dir)

    def restore(self, name: str) -> None:
        """Replace the live database's content with backup ``name``.

        The backup is opened with the database's key and checked (``WrongDatabaseKey``,
        ``DatabaseCorrupt``, ``DatabaseTooNew``) before anything changes; then a safety backup
        of the current state is made, the connection pool is closed, and SQLite's online
        backup API copies the backup's pages into the live file in one transaction. The same
        ``Database`` keeps working (new connections) and is migrated to head if the backup
        came from an older version. Other threads must not be using the database meanwhile.
        """
        assert self._db.config.key is not None
        source = open_checked_backup(backup_path(self._dir, name), self._db.config.key)
        try:
            self.create(automatic=False)
            self._db.dispose()
            target = self._db.connect_raw()
            try:
                copy_database(source, target)
            finally:
                target.close()
        finally:
            source.close()
        self._db.dispose()
        migrate(self._db)


def _revision(conn: RawConnection) -> str | None:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSION_TABLE,)
    ).fetchone()
    if not has_table:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())


if TYPE_CHECKING:  # mypy proves that the store implements core's port
    _store: type[BackupStore] = SqliteBackupStore

"""Opening the database: SQLCipher-encrypted SQLite (the default) or PostgreSQL.

SQLite files are encrypted with SQLCipher 4 through the ``sqlcipher3`` package, keyed with a
raw 256-bit key (no key derivation: the key is already random). Every new connection is keyed,
its key checked, and configured (WAL, ``synchronous=FULL``, foreign keys, busy timeout) before
SQLAlchemy sees it. Opening with a wrong key or a damaged file raises before anything is
written, so the file stays byte-for-byte as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from core.app import DatabaseKind
from core.errors import (
    DatabaseCorrupt,
    KnownError,
    NotFound,
    StorageError,
    ValidationError,
    WrongDatabaseKey,
)
from core.keys import KEY_BYTES, key_hex
from storage.errors import (
    CORRUPT_MESSAGE,
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    sqlite_error,
    translate_errors,
)
from storage.files import create_private_file, make_private

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of an unencrypted SQLite file; an SQLCipher file starts with random salt."""
PAGE_SIZE = 4096
"""SQLCipher 4's default page size; no real database file is shorter than one page."""
DEFAULT_BUSY_TIMEOUT = 10.0
"""Seconds a connection waits for another writer before ``DatabaseLocked``."""
PG_CONNECT_TIMEOUT = 10
_PG_DRIVERS = ("postgresql", "postgres", "postgresql+psycopg")

READ_SNAPSHOT = "fds_read_snapshot"
"""Execution option: begin this SQLite transaction deferred, as a read snapshot that does not
take the write lock (for long reads; see ``storage.repositories.audit``)."""

RawConnection = Any
"""A ``sqlcipher3`` DBAPI connection (the package ships no type information)."""


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    """Where the database is: an SQLCipher file and its 32-byte key, or a PostgreSQL URL.

    Build it with :meth:`sqlite` or :meth:`postgresql`. The key and the URL (which may hold a
    password) are left out of ``repr``.
    """

    sqlite_path: Path | None = None
    key: bytes | None = field(default=None, repr=False)
    url: str | None = field(default=None, repr=False)
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT

    def __post_init__(self) -> None:
        if (self.sqlite_path is None) == (self.url is None):
            raise ValueError("give either an SQLite path or a PostgreSQL URL")
        if self.sqlite_path is not None and (self.key is None or len(self.key) != KEY_BYTES):
            raise ValueError(f"an SQLCipher database needs a {KEY_BYTES}-byte key")

    @classmethod
    def sqlite(
        cls, path: Path, key: bytes, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> DatabaseConfig:
        return cls(sqlite_path=Path(path), key=key, busy_timeout=busy_timeout)

    @classmethod
    def postgresql(cls, url: str) -> DatabaseConfig:
        """A server URL as people write it (``postgresql://``, ``postgres://``) or as
        SQLAlchemy does (``postgresql+psycopg://``); ``ValidationError`` for anything else
        (it is typed by a person on the command line or in Settings)."""
        try:
            parsed = make_url(url)
        except ArgumentError:
            parsed = None
        if (
            parsed is None
            or parsed.drivername not in _PG_DRIVERS
            or not (parsed.host or "host" in parsed.query)
        ):
            raise ValidationError("That is not a PostgreSQL server address.", field="database_url")
        parsed = parsed.set(drivername="postgresql+psycopg")
        return cls(url=parsed.render_as_string(hide_password=False))

    @property
    def kind(self) -> DatabaseKind:
        return DatabaseKind.SQLITE if self.sqlite_path is not None else DatabaseKind.POSTGRESQL


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages, logs and About)."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """An open database: the SQLAlchemy engine, a session factory and where it lives.

    Sessions come from :attr:`sessionmaker`; services use them through a unit of work
    (``storage.uow``). Call :meth:`dispose` when done (closes pooled connections).
    """

    def __init__(self, engine: Engine, config: DatabaseConfig) -> None:
        self.engine = engine
        self.config = config
        self.sessionmaker: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    @property
    def kind(self) -> DatabaseKind:
        return self.config.kind

    @property
    def encrypted(self) -> bool:
        """SQLite files are always SQLCipher-encrypted; a server's encryption is its admin's."""
        return self.kind is DatabaseKind.SQLITE

    @property
    def masked_location(self) -> str:
        """The file path, or the server URL with its password masked."""
        if self.config.sqlite_path is not None:
            return str(self.config.sqlite_path)
        assert self.config.url is not None
        return mask_url(self.config.url)

    def connect_raw(self) -> RawConnection:
        """A new SQLCipher connection outside the pool, keyed and configured like the pool's
        (for backup and restore). SQLite only; the caller closes it."""
        path, key = self.config.sqlite_path, self.config.key
        if path is None or key is None:
            raise TypeError("raw connections exist only for SQLite")
        return connect_sqlcipher(path, key, self.config.busy_timeout)

    def dispose(self) -> None:
        """Close every pooled connection; the engine reconnects on next use."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.kind.value}, {self.masked_location!r})"


def open_database(config: DatabaseConfig, *, create: bool = True) -> Database:
    """Open (for SQLite: and with ``create``, create) the database and check it answers.

    Raises ``WrongDatabaseKey``, ``DatabaseCorrupt``, ``DatabaseUnreachable`` and the other
    ``StorageError``s; ``NotFound`` when the SQLite file is missing and ``create`` is false.
    """
    engine = _sqlite_engine(config, create) if config.sqlite_path else _postgres_engine(config)
    db = Database(engine, config)
    try:
        with translate_errors(db.masked_location), engine.connect():
            pass
    except BaseException:
        engine.dispose()
        raise
    return db


def _sqlite_engine(config: DatabaseConfig, create: bool) -> Engine:
    path, key = config.sqlite_path, config.key
    assert path is not None
    assert key is not None
    if not path.exists():
        if not create:
            raise NotFound("There is no database file.", path=str(path))
        # Created empty and owner-only before SQLite opens it: SQLite gives the -wal and
        # -shm files the database file's mode.
        create_private_file(path)
    for suffix in ("", "-wal", "-shm"):
        make_private(path.with_name(path.name + suffix))

    def creator() -> RawConnection:
        return connect_sqlcipher(path, key, config.busy_timeout)

    engine = create_engine(
        URL.create("sqlite", database=str(path)),
        creator=creator,
        module=sqlcipher,  # so SQLAlchemy recognises and wraps sqlcipher3's exceptions
        poolclass=QueuePool,
        hide_parameters=True,
    )
    # pysqlite's own transaction handling does not begin transactions when SQLAlchemy
    # expects it to (SQLAlchemy's documented "serializable isolation" recipe): connections
    # are opened in autocommit mode and every SQLAlchemy transaction begins explicitly.
    event.listen(engine, "begin", _begin)
    return engine


def _begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that read first cannot
    # wait for the lock when it later writes (SQLite fails at once with SQLITE_BUSY), and it
    # serialises audit-chain appends. Long pure reads ask for a snapshot instead.
    if conn.get_execution_options().get(READ_SNAPSHOT):
        conn.exec_driver_sql("BEGIN DEFERRED")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def connect_sqlcipher(
    path: Path, key: bytes, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, *, read_only: bool = False
) -> RawConnection:
    """A DBAPI connection to the SQLCipher file ``path``, keyed and checked, then configured
    (unless ``read_only``: then nothing is written, not even the journal mode)."""
    if read_only:
        uri = path.resolve().as_uri() + "?mode=ro"
        conn = sqlcipher.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=busy_timeout
        )
    else:
        conn = sqlcipher.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=busy_timeout
        )
    try:
        # SQLCipher otherwise logs every failed page decryption (a wrong key) to stderr.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key_hex(key)}'\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError as exc:
            raise _open_error(path, exc) from exc
        if not read_only:
            _configure(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: RawConnection) -> None:
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError("The database cannot use write-ahead logging here.", reason="no_wal")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Sorts and temporary indexes stay in memory: temporary files would be a second
        # place PHI touches the disk.
        conn.execute("PRAGMA temp_store = MEMORY")
    except sqlcipher.Error as exc:
        known = sqlite_error(getattr(exc, "sqlite_errorcode", 0))
        if known is None:
            raise
        raise known from exc


def _open_error(path: Path, exc: sqlcipher.DatabaseError) -> KnownError:
    """Why a keyed file cannot be read.

    SQLCipher reports a wrong key as "file is not a database", and an encrypted file is
    indistinguishable from random bytes without its key. So a file that *could* be an
    SQLCipher database (at least one page, not a plain SQLite file) is reported as
    ``WrongDatabaseKey``; a plain SQLite file, a file shorter than a page, or a file whose
    pages fail to decrypt after the first one is ``DatabaseCorrupt`` (``reason`` says which).
    """
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == SQLITE_NOTADB:
        try:
            size = path.stat().st_size
            with path.open("rb") as f:
                header = f.read(len(SQLITE_HEADER))
        except OSError:
            size, header = 0, b""
        if header == SQLITE_HEADER:
            return DatabaseCorrupt(CORRUPT_MESSAGE, reason="not_encrypted", path=str(path))
        if size < PAGE_SIZE:
            return DatabaseCorrupt(CORRUPT_MESSAGE, reason="truncated", path=str(path))
        return WrongDatabaseKey("The key does not open this database.", path=str(path))
    if code == SQLITE_CORRUPT:
        return DatabaseCorrupt(CORRUPT_MESSAGE, reason="malformed", path=str(path))
    return sqlite_error(code) or StorageError("The database could not be opened.", path=str(path))


def _postgres_engine(config: DatabaseConfig) -> Engine:
    assert config.url is not None
    url = make_url(config.url)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args)

"""Turning database exceptions into ``core.errors`` known errors.

Following qutebrowser's split, a failure the environment causes (a full disk, a lock held too
long, read-only or damaged storage, an unreachable server) becomes a known error whose message
says what to do; anything else is our bug and propagates unchanged to the crash report.
Messages are fixed sentences: they never quote SQL parameter values, which could be PHI (the
engines are also created with ``hide_parameters=True`` so chained exceptions omit them too).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

if TYPE_CHECKING:
    import psycopg

from core.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseUnreachable,
    DiskFull,
    EditConflict,
    KnownError,
    ReadOnlyStorage,
    StorageError,
)

# Primary SQLite result codes (the low byte of the extended code).
SQLITE_ERROR = 1
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

# SQLite's fixed English texts for those codes (sqlite3ErrStr). Errors raised inside an SQL
# function, such as ``sqlcipher_export()``, arrive as a generic SQLITE_ERROR carrying only
# the text of the real cause.
_SQLITE_TEXTS = {
    "database or disk is full": SQLITE_FULL,
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "attempt to write a readonly database": SQLITE_READONLY,
    "database disk image is malformed": SQLITE_CORRUPT,
    "file is not a database": SQLITE_NOTADB,
    "disk I/O error": SQLITE_IOERR,
}

DISK_FULL_MESSAGE = "The disk is full: free some space, then try again."
LOCKED_MESSAGE = "The database is busy: try again in a moment."
CORRUPT_MESSAGE = "The database file is damaged: restore a backup."


def unreachable(masked_url: str) -> DatabaseUnreachable:
    """The error for a database server that did not answer (``masked_url`` has no password)."""
    return DatabaseUnreachable(
        f"Could not reach the database server at {masked_url}.", url=masked_url
    )


def sqlite_error(code: int) -> StorageError | None:
    """The known error for an SQLite (extended) result code, or ``None`` for a bug."""
    primary = code & 0xFF
    if primary == SQLITE_FULL:
        return DiskFull(DISK_FULL_MESSAGE, cause="SQLITE_FULL")
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return DatabaseLocked(LOCKED_MESSAGE, cause="SQLITE_BUSY")
    if primary in (SQLITE_READONLY, SQLITE_PERM):
        return ReadOnlyStorage(
            "The database cannot be written (read-only storage or missing permissions).",
            cause="SQLITE_READONLY",
        )
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return DatabaseCorrupt(CORRUPT_MESSAGE, cause="SQLITE_CORRUPT")
    if primary in (SQLITE_IOERR, SQLITE_CANTOPEN):
        return StorageError("The database file could not be read or written.", cause="SQLITE_IOERR")
    return None


_PG_STATES: dict[str, tuple[type[StorageError], str]] = {
    "53100": (DiskFull, DISK_FULL_MESSAGE),
    "55P03": (DatabaseLocked, LOCKED_MESSAGE),
    "40P01": (DatabaseLocked, LOCKED_MESSAGE),
    "25006": (ReadOnlyStorage, "The database server only allows reading."),
    "XX001": (DatabaseCorrupt, CORRUPT_MESSAGE),
    "XX002": (DatabaseCorrupt, CORRUPT_MESSAGE),
}
_PG_GONE = ("57P01", "57P02", "57P03")  # the server is shutting down or starting up


def _psycopg_error(exc: BaseException | None) -> psycopg.Error | None:
    """``exc`` as a psycopg error, or ``None``. psycopg is loaded only by a PostgreSQL
    connection; an app on its local file never imports it (it costs start-up time), and
    then no psycopg error can exist."""
    module = sys.modules.get("psycopg")
    return exc if module is not None and isinstance(exc, module.Error) else None


def _postgres_error(exc: psycopg.Error, masked_url: str) -> StorageError | None:
    state = exc.sqlstate
    if state is None:
        # psycopg raises OperationalError without an SQLSTATE when the connection itself
        # fails (refused, timed out, closed by the server).
        operational = sys.modules["psycopg"].OperationalError
        return unreachable(masked_url) if isinstance(exc, operational) else None
    if state.startswith("08") or state in _PG_GONE:
        return unreachable(masked_url)
    if state in _PG_STATES:
        error, message = _PG_STATES[state]
        return error(message, cause=state)
    return None


def classify(exc: BaseException, masked_url: str = "the database server") -> KnownError | None:
    """The known error that ``exc`` stands for, or ``None`` when it is a bug.

    Understands SQLAlchemy's wrapped exceptions as well as raw ``sqlcipher3`` and ``psycopg``
    ones (from raw connections).
    """
    if isinstance(exc, StaleDataError):
        return EditConflict("Someone else saved this record first.", reason="stale")
    orig: BaseException | None = exc
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        if exc.connection_invalidated and not isinstance(orig, sqlcipher.Error):
            return unreachable(masked_url)
    if isinstance(orig, sqlcipher.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code == SQLITE_ERROR or not isinstance(code, int):
            code = _SQLITE_TEXTS.get(str(orig), SQLITE_ERROR)
        return sqlite_error(code)
    pg_error = _psycopg_error(orig)
    if pg_error is not None:
        return _postgres_error(pg_error, masked_url)
    return None


@contextmanager
def translate_errors(masked_url: str = "the database server") -> Iterator[None]:
    """Context manager (and decorator) that raises known errors for environmental database
    failures and lets bugs through unchanged.

    ``masked_url`` names the server in ``DatabaseUnreachable`` (password already masked).
    """
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, (DBAPIError, StaleDataError, sqlcipher.Error)) and (
            _psycopg_error(exc) is None
        ):
            raise
        known = classify(exc, masked_url)
        if known is None:
            raise
        raise known from exc

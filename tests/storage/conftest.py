"""Fixtures for the storage tests: real SQLCipher files and a real PostgreSQL server.

Storage tests run against both databases through the parametrized ``db`` fixture. The
PostgreSQL server starts once per session (``tests.services``); each test module gets its
own database, emptied before every test, so a test costs a ``TRUNCATE``, not a
``CREATE DATABASE``. A service that is missing skips locally and fails under CI.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import text

from core.clock import ManualClock
from storage.engine import Database, DatabaseConfig, open_database
from storage.migrate import migrate
from storage.models import Base
from storage.uow import SqlUnitOfWork, unit_of_work_factory
from tests import services

BOTH = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: nothing may skip in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A throw-away PostgreSQL server for the whole session (or ``TEST_PG_URL``)."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(services.postgres_server())
        except services.ServiceUnavailable as exc:
            unavailable(f"PostgreSQL unavailable: {exc}")
        yield url


@pytest.fixture
def fresh_pg_url(pg_server_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own (dropped afterwards)."""
    with services.fresh_database(pg_server_url) as url:
        yield url


@pytest.fixture(scope="module")
def _pg_module_db(pg_server_url: str) -> Iterator[Database]:
    with services.fresh_database(pg_server_url) as url:
        db = open_database(DatabaseConfig.postgresql(url))
        try:
            migrate(db)
            yield db
        finally:
            db.dispose()


def new_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLCipher database in a fresh file."""
    db = open_database(DatabaseConfig.sqlite(tmp_path / "test.db", new_key()))
    try:
        migrate(db)
        yield db
    finally:
        db.dispose()


@pytest.fixture(params=BOTH)
def db(request: pytest.FixtureRequest) -> Database:
    """A migrated, empty database: SQLCipher, then PostgreSQL."""
    if request.param == "sqlite":
        database: Database = request.getfixturevalue("sqlite_db")
        return database
    return _emptied(request.getfixturevalue("_pg_module_db"))


@pytest.fixture
def pg_db(_pg_module_db: Database) -> Database:
    """A migrated, empty PostgreSQL database (for what only a server can do)."""
    return _emptied(_pg_module_db)


def _emptied(database: Database) -> Database:
    with database.engine.begin() as conn:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
    return database


@pytest.fixture(params=BOTH)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database that was never migrated: SQLCipher, then PostgreSQL."""
    if request.param == "sqlite":
        config = DatabaseConfig.sqlite(tmp_path / "empty.db", new_key())
    else:
        config = DatabaseConfig.postgresql(request.getfixturevalue("fresh_pg_url"))
    database = open_database(config)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def uow(db: Database, clock: ManualClock) -> Callable[[], SqlUnitOfWork]:
    return unit_of_work_factory(db, clock)


@pytest.fixture
def private_db(empty_db: Database) -> Database:
    """A migrated database of its own, for tests that change its schema or revision."""
    migrate(empty_db)
    return empty_db

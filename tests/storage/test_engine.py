"""Opening databases: SQLCipher encryption and settings, files left untouched by a wrong key
or a damaged file, and environmental failures turned into known errors."""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import stat
import traceback
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from core.clock import ManualClock
from core.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseUnreachable,
    DiskFull,
    NotFound,
    ReadOnlyStorage,
    ValidationError,
    WrongDatabaseKey,
)
from core.staff.model import Role
from storage.engine import (
    SQLITE_HEADER,
    Database,
    DatabaseConfig,
    connect_sqlcipher,
    open_database,
)
from storage.errors import translate_errors
from storage.migrate import migrate
from storage.uow import unit_of_work_factory
from tests.services import free_tcp_port

CANARY = "Canary-PHI-7f3a9 Jane Q. Patient"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` and the SHA-256 of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def make_db(path: Path, key: bytes, staff: int = 1) -> None:
    """A real, closed database with ``staff`` rows."""
    db = open_database(DatabaseConfig.sqlite(path, key))
    try:
        migrate(db)
        with unit_of_work_factory(db, ManualClock())() as tx:
            for i in range(staff):
                tx.staff.add(f"Person {i}", Role.FRONT_DESK, "x" * 200)
    finally:
        db.dispose()


def test_sqlite_file_is_encrypted_configured_and_owner_only(sqlite_db: Database) -> None:
    path = sqlite_db.config.sqlite_path
    assert path is not None
    with unit_of_work_factory(sqlite_db, ManualClock())() as tx:
        tx.staff.add(CANARY, Role.ADMIN, "h")
        session = tx.session
        pragmas = {
            name: session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "temp_store")
        }
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "temp_store": 2}
    assert path.read_bytes()[:16] != SQLITE_HEADER
    files = [path.with_name(path.name + s) for s in ("", "-wal", "-shm")]
    for file in files:
        assert file.exists()
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        assert CANARY.encode() not in file.read_bytes()
    assert sqlite_db.encrypted
    assert "key" not in repr(sqlite_db.config)


def test_wrong_key_raises_and_leaves_the_file_untouched(tmp_path: Path) -> None:
    make_db(tmp_path / "p.db", secrets.token_bytes(32))
    before = snapshot(tmp_path)
    with pytest.raises(WrongDatabaseKey):
        open_database(DatabaseConfig.sqlite(tmp_path / "p.db", secrets.token_bytes(32)))
    assert snapshot(tmp_path) == before  # same bytes, and no -wal or -shm appeared


@pytest.mark.parametrize(
    ("damage", "error", "reason"),
    [
        # Without the key, an SQLCipher file is indistinguishable from random bytes: a
        # page-sized file of noise reads as "this key does not open it".
        ("random_pages", WrongDatabaseKey, None),
        ("random_short", DatabaseCorrupt, "truncated"),
        ("plaintext_sqlite", DatabaseCorrupt, "not_encrypted"),
        ("truncated_real", DatabaseCorrupt, "malformed"),
        ("cut_mid_page", DatabaseCorrupt, "malformed"),
    ],
)
def test_damaged_files_raise_and_stay_untouched(
    tmp_path: Path, damage: str, error: type[Exception], reason: str | None
) -> None:
    key, path = secrets.token_bytes(32), tmp_path / "p.db"
    if damage == "random_pages":
        path.write_bytes(os.urandom(4096 * 4))
    elif damage == "random_short":
        path.write_bytes(os.urandom(300))
    elif damage == "plaintext_sqlite":
        plain = sqlite3.connect(path)
        plain.execute("CREATE TABLE t (x)")
        plain.commit()
        plain.close()
    else:
        make_db(path, key, staff=300)
        data = path.read_bytes()
        cut = len(data) // 2 if damage == "truncated_real" else 4096 * 2 + 1000
        path.write_bytes(data[:cut])
    before = snapshot(tmp_path)
    with pytest.raises(error) as info:
        open_database(DatabaseConfig.sqlite(path, key))
    if reason is not None:
        assert info.value.params["reason"] == reason  # type: ignore[attr-defined]
    assert snapshot(tmp_path) == before


def test_damage_found_later_is_reported_as_corrupt(tmp_path: Path) -> None:
    key, path = secrets.token_bytes(32), tmp_path / "p.db"
    make_db(path, key, staff=300)
    data = bytearray(path.read_bytes())
    data[-2000] ^= 0xFF  # one flipped bit pattern in the last page: its HMAC fails
    path.write_bytes(bytes(data))
    db = open_database(DatabaseConfig.sqlite(path, key))
    try:
        with pytest.raises(DatabaseCorrupt), unit_of_work_factory(db, ManualClock())() as tx:
            tx.staff.list(include_inactive=True)
    finally:
        db.dispose()


def test_missing_file_without_create_is_not_found(tmp_path: Path) -> None:
    config = DatabaseConfig.sqlite(tmp_path / "none.db", secrets.token_bytes(32))
    with pytest.raises(NotFound):
        open_database(config, create=False)
    assert list(tmp_path.iterdir()) == []


def test_disk_full_during_a_save_writes_nothing(sqlite_db: Database) -> None:
    """SQLite's own SQLITE_FULL, for real: the file may not grow past its current size
    (``max_page_count``), as on a disk with no free space."""
    uow = unit_of_work_factory(sqlite_db, ManualClock())
    with uow() as tx:
        tx.settings.put("practice", {"name": "Maple"}, None)

    def save_too_much() -> None:
        with uow() as tx:
            pages = tx.session.execute(text("PRAGMA page_count")).scalar_one()
            tx.session.execute(text(f"PRAGMA max_page_count = {pages}"))
            tx.settings.put("practice", {"name": "Maple", "note": CANARY * 500}, 1)
            tx.staff.add(CANARY, Role.ADMIN, "h")

    with pytest.raises(DiskFull) as info:
        save_too_much()
    report = "".join(traceback.format_exception(info.value))
    assert CANARY not in report  # SQL parameters are never shown (they could be PHI)
    with uow() as tx:
        assert tx.settings.get("practice") == ({"name": "Maple"}, 1)
        assert tx.staff.list(include_inactive=True) == []


def test_a_writer_held_too_long_is_reported_as_locked(sqlite_db: Database) -> None:
    path, key = sqlite_db.config.sqlite_path, sqlite_db.config.key
    assert path is not None
    assert key is not None
    impatient = open_database(DatabaseConfig.sqlite(path, key, busy_timeout=0.1))
    holder = connect_sqlcipher(path, key)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseLocked), unit_of_work_factory(impatient, ManualClock())() as t:
            t.staff.add("Ann Lee", Role.FRONT_DESK, "h")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        impatient.dispose()


def test_read_only_storage_is_reported(sqlite_db: Database) -> None:
    assert sqlite_db.config.sqlite_path is not None
    assert sqlite_db.config.key is not None
    conn = connect_sqlcipher(sqlite_db.config.sqlite_path, sqlite_db.config.key, read_only=True)
    try:
        with pytest.raises(ReadOnlyStorage), translate_errors():
            conn.execute("INSERT INTO setting VALUES ('k', '{}', 1, '2026-01-01')")
    finally:
        conn.close()


def test_bugs_are_not_disguised_as_known_errors(db: Database) -> None:
    with (
        pytest.raises(DBAPIError, match="syntax error"),
        unit_of_work_factory(db, ManualClock())() as tx,
    ):
        tx.session.execute(text("SELEC nonsense"))


def test_unreachable_server_is_reported_with_the_password_masked() -> None:
    url = f"postgresql+psycopg://fds:s3cret-pw@127.0.0.1:{free_tcp_port()}/practice"
    with pytest.raises(DatabaseUnreachable) as info:
        open_database(DatabaseConfig.postgresql(url))
    masked = f"postgresql+psycopg://fds:***@127.0.0.1:{url.rsplit(':', 1)[1]}"
    assert info.value.params["url"] == masked
    assert masked in str(info.value)
    assert "s3cret-pw" not in "".join(traceback.format_exception(info.value))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("postgresql://fds:pw@db.local/practice", "postgresql+psycopg://fds:pw@db.local/practice"),
        (
            "postgres://fds@db.local:5433/practice",
            "postgresql+psycopg://fds@db.local:5433/practice",
        ),
        (
            "postgresql:///practice?host=/run/postgresql",
            "postgresql+psycopg:///practice?host=%2Frun%2Fpostgresql",
        ),
    ],
)
def test_server_addresses_as_people_write_them(typed: str, stored: str) -> None:
    assert DatabaseConfig.postgresql(typed).url == stored


@pytest.mark.parametrize(
    "typed",
    ["db.local", "mysql://db.local/x", "postgresql+psycopg2://h/x", "postgresql:///no-host", ""],
)
def test_other_addresses_are_refused_as_input_errors(typed: str) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseConfig.postgresql(typed)
    assert info.value.params["field"] == "database_url"


@pytest.mark.postgres
def test_postgres_lock_timeout_is_reported_as_locked(pg_db: Database) -> None:
    uow = unit_of_work_factory(pg_db, ManualClock())
    with uow() as tx:
        member = tx.staff.add("Ann Lee", Role.FRONT_DESK, "h")

    def wait_briefly() -> None:
        with uow() as waiter:
            waiter.session.execute(text("SET LOCAL lock_timeout = '100ms'"))
            waiter.staff.set_failures(member.id, 1, None)

    with uow() as holder:
        holder.session.execute(
            text("SELECT * FROM staff WHERE id = :i FOR UPDATE"), {"i": member.id}
        )
        with pytest.raises(DatabaseLocked):
            wait_briefly()


@pytest.mark.postgres
def test_postgres_database_describes_itself_without_password(pg_db: Database) -> None:
    assert pg_db.masked_location.startswith("postgresql+psycopg://fds:***@")
    assert "***" in repr(pg_db)
    assert not pg_db.encrypted
    with pytest.raises(TypeError):
        pg_db.connect_raw()


def test_sql_errors_from_the_driver_keep_their_type(sqlite_db: Database) -> None:
    with pytest.raises(OperationalError), translate_errors(), sqlite_db.engine.connect() as c:
        c.execute(text("SELECT * FROM no_such_table"))

"""The real services of tests/services.py work: PostgreSQL, gnome-keyring, Xvfb. No mocks.

A service that cannot be provided here is skipped locally but fails under CI (``CI`` set):
nothing may skip in CI.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import SecretService
from keyring.errors import PasswordDeleteError
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

try:  # tests/ as a package (or the project root on sys.path) ...
    from tests import services
except ImportError:  # ... or tests/ itself on sys.path (pytest's default "prepend" mode)
    import services


def _unavailable(exc: Exception) -> None:
    reason = f"service unavailable: {exc}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: nothing may skip in CI)", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def _service(manager: contextlib.AbstractContextManager[object]) -> Iterator[object]:
    with contextlib.ExitStack() as stack:
        try:
            value = stack.enter_context(manager)
        except services.ServiceUnavailable as exc:
            _unavailable(exc)
        yield value


# --------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with _service(services.postgres_server()) as url:
        assert isinstance(url, str)
        yield url


@pytest.mark.postgres
def test_postgres_accepts_sqlalchemy_psycopg_connections(pg_url: str) -> None:

    assert make_url(pg_url).drivername == "postgresql+psycopg"
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
            conn.execute(text("create table probe (id integer primary key, name text not null)"))
            conn.execute(text("insert into probe values (1, 'Zoë')"))
            assert conn.execute(text("select name from probe")).scalar_one() == "Zoë"
            assert conn.execute(text("show server_encoding")).scalar_one() == "UTF8"
            conn.execute(text("drop table probe"))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_fresh_database_is_empty_and_dropped_afterwards(pg_url: str) -> None:

    with contextlib.ExitStack() as cleanup, services.fresh_database(pg_url) as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith("fds_t_")
        engine = create_engine(url, poolclass=NullPool)
        cleanup.callback(engine.dispose)
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            assert conn.execute(text("select current_database()")).scalar_one() == name
            conn.execute(text("create table t (x int)"))
        # A connection still open must not prevent the drop (DROP ... WITH (FORCE)).
        leftover = engine.connect()
        cleanup.callback(leftover.close)
        cleanup.callback(leftover.invalidate)  # its server side is gone: no rollback
        leftover.execute(text("select 1"))

    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("select count(*) from pg_database where datname = :n"), {"n": name}
            ).scalar_one()
        assert exists == 0
    finally:
        engine.dispose()


def test_create_database_refuses_unsafe_names() -> None:
    with pytest.raises(ValueError, match="not a safe database name"):
        services.create_database("postgresql+psycopg://x@127.0.0.1:1/db", 'x"; drop')


# --------------------------------------------------------------------------------------
# gnome-keyring over a private D-Bus session bus
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyring_env() -> Iterator[dict[str, str]]:
    with _service(services.gnome_keyring_session()) as env:
        assert isinstance(env, dict)
        yield env


@pytest.mark.keyring
def test_secret_service_keyring_set_get_delete(keyring_env: dict[str, str]) -> None:

    assert keyring_env["DBUS_SESSION_BUS_ADDRESS"].startswith("unix:path=")
    with services.apply_env(keyring_env):
        backend = SecretService.Keyring()
        assert backend.priority > 0  # raises if no Secret Service is reachable
        backend.set_password("fds-test", "alice", "s3cret-Ω")
        assert backend.get_password("fds-test", "alice") == "s3cret-Ω"
        backend.set_password("fds-test", "alice", "changed")
        assert backend.get_password("fds-test", "alice") == "changed"
        backend.delete_password("fds-test", "alice")
        assert backend.get_password("fds-test", "alice") is None
        with pytest.raises(PasswordDeleteError):
            backend.delete_password("fds-test", "alice")


@pytest.mark.keyring
def test_keyring_files_live_in_the_private_home(keyring_env: dict[str, str]) -> None:
    keyrings = Path(keyring_env["XDG_DATA_HOME"]) / "keyrings"
    assert (keyrings / "login.keyring").is_file()
    assert keyring_env["HOME"] != os.environ.get("HOME")


def test_apply_env_sets_removes_and_restores() -> None:
    key_set, key_removed = "FDS_TEST_APPLY_ENV_SET", "FDS_TEST_APPLY_ENV_REMOVED"
    os.environ[key_removed] = "before"
    os.environ.pop(key_set, None)
    try:
        with services.apply_env({key_set: "during", key_removed: None}):
            assert os.environ[key_set] == "during"
            assert key_removed not in os.environ
        assert key_set not in os.environ
        assert os.environ[key_removed] == "before"
    finally:
        os.environ.pop(key_removed, None)


# --------------------------------------------------------------------------------------
# Xvfb
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    with _service(services.xvfb_display()) as value:
        assert isinstance(value, str)
        yield value


def _x11_handshake(display: str) -> int:
    """Connect to the X socket and send a connection setup; returns the status byte."""
    number = int(display.lstrip(":").split(".")[0])
    path = f"/tmp/.X11-unix/X{number}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(path)
        # little-endian, protocol 11.0, no authorisation
        sock.sendall(b"l\x00" + (11).to_bytes(2, "little") + bytes(8))
        return sock.recv(8)[0]


def test_xvfb_accepts_an_x11_connection(display: str) -> None:
    assert display.startswith(":")
    assert _x11_handshake(display) == 1  # 1 = Success, 0 = Failed, 2 = Authenticate


def test_qt_xcb_platform_runs_on_the_display(display: str) -> None:
    """The system libraries Qt's xcb plugin needs are installed, and the screen is 1366x768."""
    code = (
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication(['probe'])\n"
        "size = app.primaryScreen().size()\n"
        "print(app.platformName(), size.width(), size.height())\n"
    )
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["xcb", "1366", "768"], result.stdout + result.stderr

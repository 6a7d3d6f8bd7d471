"""Real external services for the test suite, started and stopped by the tests themselves.

Plain context managers, no pytest dependency: ``tests/conftest.py`` wraps them as
session-scoped fixtures. Every service runs in a private temporary folder, on a private
port / bus / display, and is torn down (processes stopped, folders removed) on exit.

When a service cannot be provided on this machine (binaries missing, no ``postgres``
user, ...) a :class:`ServiceUnavailable` is raised *before* anything is started. Callers
decide what that means: skip locally, fail in CI (``CI`` set).

Public API::

    ServiceUnavailable
    postgres_server(*, timeout=60.0) -> ContextManager[str]            # SQLAlchemy URL
    create_database(url, name) -> str                                  # URL of the new DB
    drop_database(url, name) -> None
    fresh_database(url, name=None) -> ContextManager[str]              # create + drop
    gnome_keyring_session(*, password="...", timeout=20.0) -> ContextManager[dict[str, str]]
    apply_env(env) -> ContextManager[None]                             # temporary os.environ
    xvfb_display(*, screen="1366x768x24", timeout=20.0) -> ContextManager[str]  # ":N"
    find_pg_bin() -> pathlib.Path
    free_tcp_port() -> int
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

import psycopg
import psycopg.conninfo
from psycopg import sql
from sqlalchemy.engine import make_url

__all__ = [
    "ServiceUnavailable",
    "apply_env",
    "create_database",
    "drop_database",
    "find_pg_bin",
    "free_tcp_port",
    "fresh_database",
    "gnome_keyring_session",
    "postgres_server",
    "xvfb_display",
]


class ServiceUnavailable(RuntimeError):
    """The service cannot be provided on this machine (missing binaries, user, ...)."""


class ServiceStartError(RuntimeError):
    """The service binaries exist but the service failed to start (a real error)."""


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------


def free_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, max_chars: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"<could not read {path}: {exc}>"
    return text[-max_chars:] if len(text) > max_chars else text


def _stop_process(proc: subprocess.Popen[bytes] | None, timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; always reaps the child."""
    if proc is None:
        return
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=timeout)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


@contextlib.contextmanager
def apply_env(env: Mapping[str, str | None]) -> Iterator[None]:
    """Temporarily set (or, for ``None`` values, remove) ``os.environ`` entries."""
    saved = {key: os.environ.get(key) for key in env}
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------

_PG_USER = "fds"
_PG_DB = "fds_test"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def find_pg_bin() -> Path:
    """Folder holding initdb/pg_ctl: ``$PG_BIN``, newest /usr/lib/postgresql/*/bin, PATH."""
    env_bin = os.environ.get("PG_BIN")
    if env_bin:
        path = Path(env_bin)
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
        raise ServiceUnavailable(f"PG_BIN={env_bin} does not contain initdb and pg_ctl")

    def version_key(folder: str) -> tuple[int, ...]:
        version = Path(folder).parent.name
        return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)

    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        pg_ctl_dir = Path(pg_ctl).resolve().parent
        if (pg_ctl_dir / "initdb").is_file():
            return pg_ctl_dir
    raise ServiceUnavailable(
        "PostgreSQL server binaries not found (set PG_BIN, install the 'postgresql' "
        "package, or set TEST_PG_URL to use an existing server)"
    )


class _PgRunner:
    """Runs PostgreSQL tools as an unprivileged user: ``postgres`` when we are root."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.as_root = os.geteuid() == 0
        self.prefix: list[str] = []
        self.uid = self.gid = -1
        if self.as_root:
            import pwd

            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise ServiceUnavailable(
                    "running as root but there is no 'postgres' user to run the server as"
                ) from None
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServiceUnavailable("running as root but 'runuser' is not installed")
            self.uid, self.gid = entry.pw_uid, entry.pw_gid
            self.prefix = [runuser, "-u", "postgres", "--"]

    def give(self, path: Path) -> None:
        if self.as_root:
            os.chown(path, self.uid, self.gid)

    def run(
        self, tool: str, *args: str, cwd: Path, timeout: float = 120.0
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        # Libpq variables of the caller must not redirect our tools elsewhere.
        for key in list(env):
            if key.startswith("PG") and key != "PG_BIN":
                env.pop(key)
        env.update({"LC_ALL": "C", "LANG": "C", "TZ": "UTC"})
        return subprocess.run(
            [*self.prefix, str(self.bin_dir / tool), *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _check(proc: subprocess.CompletedProcess[str], what: str, log: Path | None = None) -> None:
    if proc.returncode != 0:
        message = (
            f"{what} failed (exit {proc.returncode})\n"
            f"command: {' '.join(map(str, proc.args))}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
        if log is not None:
            message += f"\nserver log ({log}):\n{_tail(log)}"
        raise ServiceStartError(message)


def _wait_for_connection(url: str, timeout: float, log: Path) -> None:
    conninfo = _conninfo(url)
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(conninfo, connect_timeout=5) as conn:
                conn.execute("select 1")
            return
        except psycopg.OperationalError as exc:
            last_error = exc
            time.sleep(0.2)
    raise ServiceStartError(
        f"PostgreSQL did not accept connections within {timeout:.0f}s: {last_error}\n"
        f"server log ({log}):\n{_tail(log)}"
    )


@contextlib.contextmanager
def postgres_server(*, timeout: float = 60.0) -> Iterator[str]:
    """A throw-away PostgreSQL server; yields ``postgresql+psycopg://fds:PW@127.0.0.1:P/fds_test``.

    ``TEST_PG_URL`` set: yields it unchanged and starts nothing (its user needs CREATEDB
    for :func:`create_database`). Otherwise role ``fds`` (password auth, scram-sha-256)
    owns ``fds_test`` and may create databases. Needs PostgreSQL 13 or newer.
    """
    external = os.environ.get("TEST_PG_URL")
    if external:
        yield external
        return

    bin_dir = find_pg_bin()
    runner = _PgRunner(bin_dir)
    base = Path(tempfile.mkdtemp(prefix="fds-pg-"))
    data, log = base / "data", base / "server.log"
    try:
        runner.give(base)  # mkdtemp made it 0700: only the owner (postgres) gets in.
        password = secrets.token_urlsafe(18)
        superuser = "postgres"
        init = runner.run(
            "initdb",
            "--pgdata",
            str(data),
            "--username",
            superuser,
            "--auth-local=trust",  # the socket lives in our 0700 folder
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            cwd=base,
        )
        _check(init, "initdb")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# fds test server\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{base}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 100\n"
                "log_min_messages = warning\n"
            )

        port = 0
        for attempt in range(5):  # the free port may be taken between probe and bind
            port = free_tcp_port()
            log.touch()
            runner.give(log)
            start = runner.run(
                "pg_ctl",
                "--pgdata",
                str(data),
                "--log",
                str(log),
                "--wait",
                f"--timeout={int(timeout)}",
                "-o",
                f"-p {port}",
                "start",
                cwd=base,
                timeout=timeout + 30,
            )
            if start.returncode == 0:
                break
            if "already in use" in _tail(log) and attempt < 4:
                runner.run("pg_ctl", "--pgdata", str(data), "-m", "immediate", "stop", cwd=base)
                continue
            _check(start, "pg_ctl start", log)

        sql = runner.run(
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(base),
            "-p",
            str(port),
            "-U",
            superuser,
            "-d",
            "postgres",
            "-c",
            f"CREATE ROLE {_PG_USER} LOGIN CREATEDB PASSWORD '{password}'",
            "-c",
            f"CREATE DATABASE {_PG_DB} OWNER {_PG_USER}",
            cwd=base,
        )
        _check(sql, "creating role and database", log)

        url = (
            f"postgresql+psycopg://{_PG_USER}:{quote(password, safe='')}@127.0.0.1:{port}/{_PG_DB}"
        )
        _wait_for_connection(url, timeout, log)
        yield url
    finally:
        if (data / "postmaster.pid").exists():  # also after a failed or timed-out start
            stop = runner.run(
                "pg_ctl", "--pgdata", str(data), "-m", "fast", "--wait", "stop", cwd=base
            )
            if stop.returncode != 0:
                runner.run("pg_ctl", "--pgdata", str(data), "-m", "immediate", "stop", cwd=base)
                _kill_postmaster(data)
        shutil.rmtree(base, ignore_errors=True)


def _kill_postmaster(data: Path) -> None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)


def _conninfo(url: str, database: str | None = None) -> str:
    """libpq connection string for a SQLAlchemy URL, optionally for another database."""
    parsed = make_url(url)
    params: dict[str, str | int] = {"dbname": database or parsed.database or "postgres"}
    if parsed.host:
        params["host"] = parsed.host
    if parsed.port:
        params["port"] = parsed.port
    if parsed.username:
        params["user"] = parsed.username
    if parsed.password is not None:
        params["password"] = str(parsed.password)
    for key, value in parsed.query.items():  # e.g. ?host=/socket/dir, sslmode=...
        params[key] = value if isinstance(value, str) else value[-1]
    return psycopg.conninfo.make_conninfo("", **params)


def _checked_name(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a safe database name: {name!r} (use [a-z_][a-z0-9_]*)")
    return name


def create_database(url: str, name: str) -> str:
    """``CREATE DATABASE name`` on the server of ``url``; returns ``url`` pointing at it.

    The user of ``url`` needs CREATEDB (the role made by :func:`postgres_server` has it).
    """

    _checked_name(name)
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    """``DROP DATABASE IF EXISTS name WITH (FORCE)`` (kicks out leftover connections)."""

    _checked_name(name)
    maintenance = make_url(url).database
    if maintenance == name:  # cannot drop the database we are connected to
        maintenance = "postgres"
    with psycopg.connect(_conninfo(url, maintenance), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextlib.contextmanager
def fresh_database(url: str, name: str | None = None) -> Iterator[str]:
    """An empty database for the duration of the block; yields its URL, drops it after."""
    name = name or f"fds_t_{secrets.token_hex(6)}"
    new_url = create_database(url, name)
    try:
        yield new_url
    finally:
        drop_database(url, name)


# --------------------------------------------------------------------------------------
# D-Bus session bus + gnome-keyring (Secret Service)
# --------------------------------------------------------------------------------------


def _name_has_owner(bus_address: str, name: str) -> bool:
    from jeepney import DBus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=bus_address) as conn:
        reply = conn.send_and_get_reply(DBus().NameHasOwner(name), timeout=5)
        return bool(reply.body[0])


def _read_line(proc: subprocess.Popen[bytes], timeout: float, what: str) -> str:
    """First stdout line of ``proc`` (e.g. an address printed when ready), with a timeout."""

    assert proc.stdout is not None
    buffer = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceStartError(f"{what}: nothing printed within {timeout:.0f}s")
            if not selector.select(remaining):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise ServiceStartError(f"{what} exited early (exit {proc.wait()})")
            buffer += chunk
    return buffer.split(b"\n", 1)[0].decode().strip()


@contextlib.contextmanager
def gnome_keyring_session(
    *, password: str = "fds-test-keyring", timeout: float = 20.0
) -> Iterator[dict[str, str]]:
    """A private session bus with an unlocked gnome-keyring ``secrets`` component.

    Yields the environment to apply (``DBUS_SESSION_BUS_ADDRESS`` and the private
    ``HOME``/``XDG_*`` folders); use :func:`apply_env`. jeepney/secretstorage read
    ``DBUS_SESSION_BUS_ADDRESS`` when they connect, so apply it before each use.
    The ``login`` collection is created, unlocked, and is the ``default`` alias.
    """
    dbus_daemon = shutil.which("dbus-daemon")
    keyring_daemon = shutil.which("gnome-keyring-daemon")
    missing = [
        name
        for name, path in (("dbus-daemon", dbus_daemon), ("gnome-keyring-daemon", keyring_daemon))
        if path is None
    ]
    if missing:
        raise ServiceUnavailable(
            f"{', '.join(missing)} not installed (apt: dbus-daemon, gnome-keyring)"
        )
    if not password:
        raise ValueError("gnome-keyring only creates its collection with a non-empty password")
    try:
        import jeepney  # noqa: F401
    except ImportError:  # pragma: no cover - keyring depends on it on Linux
        raise ServiceUnavailable("the jeepney package is not installed") from None
    assert dbus_daemon is not None
    assert keyring_daemon is not None

    base = Path(tempfile.mkdtemp(prefix="fds-keyring-"))
    home, runtime = base / "home", base / "runtime"
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    for folder in env.values():
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    daemon_env = {
        key: value
        for key, value in os.environ.items()
        # No display: gnome-keyring must never try to show an unlock prompt.
        if key not in {"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
        and not key.startswith(("GNOME_KEYRING", "SSH_AUTH"))
    }
    daemon_env.update(env)

    bus_proc: subprocess.Popen[bytes] | None = None
    keyring_proc: subprocess.Popen[bytes] | None = None
    keyring_log = base / "gnome-keyring.log"
    try:
        bus_proc = subprocess.Popen(
            [
                dbus_daemon,
                "--session",
                "--nofork",
                "--nopidfile",
                "--nosyslog",
                f"--address=unix:path={base / 'bus'}",
                "--print-address=1",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=daemon_env,
            cwd=base,
        )
        address = _read_line(bus_proc, timeout, "dbus-daemon")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon_env["DBUS_SESSION_BUS_ADDRESS"] = address

        with keyring_log.open("wb") as log_file:
            keyring_proc = subprocess.Popen(
                [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=daemon_env,
                cwd=base,
            )
        assert keyring_proc.stdin is not None
        keyring_proc.stdin.write(password.encode())
        keyring_proc.stdin.close()  # EOF ends the password

        deadline = time.monotonic() + timeout
        while not _name_has_owner(address, "org.freedesktop.secrets"):
            if keyring_proc.poll() is not None:
                raise ServiceStartError(
                    f"gnome-keyring-daemon exited (code {keyring_proc.returncode}):\n"
                    f"{_tail(keyring_log)}"
                )
            if time.monotonic() > deadline:
                raise ServiceStartError(
                    f"gnome-keyring-daemon did not own org.freedesktop.secrets within "
                    f"{timeout:.0f}s:\n{_tail(keyring_log)}"
                )
            time.sleep(0.05)
        _wait_for_default_collection(address, deadline, keyring_log)
        yield dict(env)
    finally:
        _stop_process(keyring_proc)
        _stop_process(bus_proc)
        shutil.rmtree(base, ignore_errors=True)


def _wait_for_default_collection(address: str, deadline: float, log: Path) -> None:
    """The ``default`` alias appears once the password has been read and the keyring made."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    service = DBusAddress(
        "/org/freedesktop/secrets",
        bus_name="org.freedesktop.secrets",
        interface="org.freedesktop.Secret.Service",
    )
    while True:
        with open_dbus_connection(bus=address) as conn:
            reply = conn.send_and_get_reply(
                new_method_call(service, "ReadAlias", "s", ("default",)), timeout=5
            )
        if reply.body and reply.body[0] not in ("/", ""):
            return
        if time.monotonic() > deadline:
            raise ServiceStartError(f"gnome-keyring made no default collection:\n{_tail(log)}")
        time.sleep(0.05)


# --------------------------------------------------------------------------------------
# Xvfb
# --------------------------------------------------------------------------------------


@contextlib.contextmanager
def xvfb_display(*, screen: str = "1366x768x24", timeout: float = 20.0) -> Iterator[str]:
    """A private Xvfb server; yields its ``DISPLAY`` (``":N"``). Xvfb picks a free N."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise ServiceUnavailable("Xvfb is not installed (apt: xvfb)")

    base = Path(tempfile.mkdtemp(prefix="fds-xvfb-"))
    log = base / "xvfb.log"
    read_fd, write_fd = os.pipe()
    proc: subprocess.Popen[bytes] | None = None
    try:
        with log.open("wb") as log_file:
            proc = subprocess.Popen(
                [
                    xvfb,
                    "-displayfd",
                    str(write_fd),  # Xvfb writes the display number here once ready
                    "-screen",
                    "0",
                    screen,
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=base,
            )
        os.close(write_fd)
        write_fd = -1
        number = ""
        deadline = time.monotonic() + timeout

        with selectors.DefaultSelector() as selector:
            selector.register(read_fd, selectors.EVENT_READ)
            while not number.endswith("\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ServiceStartError(f"Xvfb not ready within {timeout:.0f}s:\n{_tail(log)}")
                if not selector.select(remaining):
                    continue
                chunk = os.read(read_fd, 64)
                if not chunk:
                    raise ServiceStartError(
                        f"Xvfb exited (code {proc.wait()}) before it was ready:\n{_tail(log)}"
                    )
                number += chunk.decode()
        yield f":{int(number)}"
    finally:
        if write_fd >= 0:
            os.close(write_fd)
        os.close(read_fd)
        _stop_process(proc)
        shutil.rmtree(base, ignore_errors=True)

"""Front Desk Social — the composition root.

Parses the command line, finds the data folder, opens the secret store and the database
(migrating it after a backup), builds the core services over the storage adapters, and hands
them to the GUI. The only module that knows concrete classes from every layer.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "Front Desk Social"
VERSION = "0.1.0"
PAGES = ("today", "composer", "images", "consent", "reviews", "incentives", "settings")
EXIT_USAGE = 2
EXIT_PUBLISH_FAILED = 1
"""``--publish-due``: some post or platform failed (see Today in the app); 0 is "done"."""
NO_DISPLAY_MESSAGE = (
    "Front Desk Social needs a graphical display, and none was found "
    "(neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
    "Run it from a desktop session, or, for screenshots and tests without a screen, set the "
    "offscreen platform:\n"
    "    QT_QPA_PLATFORM=offscreen uv run main.py --demo --screenshot out.png\n"
)

log = logging.getLogger("frontdesk")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="main.py", description=f"{APP_NAME}: social media for a small medical practice."
    )
    # --demo never touches real practice data, so it cannot point at the shared server.
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--demo", action="store_true", help="a sandbox practice full of invented sample data"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where the database, media vault and backups live"
    )
    source.add_argument(
        "--database-url", help="a shared PostgreSQL server (postgresql://user:pass@host/db)"
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar="PATH", help="render the main window to a PNG and exit"
    )
    parser.add_argument(
        "--page",
        choices=PAGES,
        default="today",
        help="the page to show with --screenshot (default: today)",
    )
    parser.add_argument(
        "--publish-due",
        action="store_true",
        help="publish every approved post that is due, then exit (no window; for the "
        "operating system's scheduler when the app is closed)",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {VERSION}")
    return parser.parse_args(argv)


def has_display() -> bool:
    """Whether Qt can open a window here without aborting the process."""
    if not sys.platform.startswith("linux"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # offscreen, minimal, vnc, eglfs… need no desktop session
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def data_folder(args: argparse.Namespace) -> Path:
    if args.data_dir is not None:
        return Path(args.data_dir).expanduser().resolve()
    if args.demo:
        return Path(tempfile.mkdtemp(prefix="frontdesk-demo-"))
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def configure_logging(data_dir: Path) -> None:
    """Log to a rotating, owner-only file in the data folder. Log lines carry codes and ids,
    never PHI (names, review text, messages of database errors)."""
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.handlers.RotatingFileHandler(
        logs / "frontdesk.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    os.chmod(handler.baseFilename, 0o600)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


@dataclass
class Opened:
    """The opened storage and what the services need from it."""

    store: Any
    uow: Callable[[], Any]
    backup_store: Any
    info: Any
    key_name: str | None
    recovery_key: str | None


def open_secrets(demo: bool, data_dir: Path) -> Any:
    """The OS keyring; in demo mode without a secure one, an in-memory store instead."""
    from core.errors import SecretStoreError
    from storage.secrets import InMemorySecretStore, KeyringSecretStore

    try:
        return KeyringSecretStore()
    except SecretStoreError:
        if not demo:
            raise
        log.warning("demo: no secure keyring; secrets are kept in memory")
        return InMemorySecretStore.for_demo(data_dir)


def open_server(args: argparse.Namespace, data_dir: Path) -> Opened:
    from storage.open import open_server_store

    server = open_server_store(args.database_url, data_dir)
    return Opened(server, server.uow_factory, None, server.info(), None, None)


def open_local(data_dir: Path, secrets: Any, recovery_key: str | None) -> Opened:
    from storage.open import open_local_store

    local = open_local_store(data_dir, secrets, recovery_key=recovery_key)
    return Opened(
        local,
        local.uow_factory,
        local.backups,
        local.info(),
        local.key_name,
        local.new_recovery_key,
    )


def pending_recovery_key(opened: Opened, secrets: Any, services: Any) -> str | None:
    """The recovery key to show in the setup wizard: the new one, or — when a first start was
    interrupted before setup finished — the same key again, read back from the keyring."""
    if opened.recovery_key or opened.key_name is None or services.practice.is_set_up():
        return opened.recovery_key
    from core.keys import recovery_key

    stored = secrets.get(opened.key_name)
    return recovery_key(bytes.fromhex(stored)) if stored else None


def build(args: argparse.Namespace, opened: Opened, secrets: Any) -> Any:
    from core.app import RecoveryKeyNotice, build_services
    from core.clock import SystemClock
    from core.demo import demo_steps
    from core.staff.pins import PinHasher, fast_hasher

    services = build_services(
        uow=opened.uow,
        clock=SystemClock(),
        secrets=secrets,
        database=opened.info,
        backup_store=opened.backup_store,
        database_key_name=opened.key_name,
        # Demo users' PINs are public ("2468"); cheap hashing keeps the sandbox snappy.
        hasher=fast_hasher() if args.demo else PinHasher(),
        demo=args.demo,
        media=opened.store.vault,
        outgoing=outgoing_folder(opened),
    )
    if args.demo and not services.staff.has_staff():
        from gui.startup import build_demo

        build_demo(lambda: demo_steps(services))
    key = pending_recovery_key(opened, secrets, services)
    services.recovery_notice = RecoveryKeyNotice(key) if key else None
    return services


def outgoing_folder(opened: Opened) -> Path:
    """Where clean copies of photos wait while an API connector uploads them: a private folder
    inside the media vault (never the system's temp folder), emptied after every attempt."""
    return Path(opened.store.vault.root) / "outgoing"


QUIT = 1
"""Exit code when the person chose to quit at a start-up question."""
Fail = Callable[[Any], int]


def start(args: argparse.Namespace) -> int:
    from core.errors import KnownError

    data_dir = data_folder(args)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    configure_logging(data_dir)
    log.info("start version=%s demo=%s server=%s", VERSION, args.demo, bool(args.database_url))

    from gui.app import create_application
    from gui.errors import install_excepthook
    from gui.startup import show_startup_error

    app = create_application(sys.argv[:1])
    install_excepthook()
    headless = args.screenshot is not None

    def fail(exc: KnownError) -> int:
        log.error("start-up failed: %s", exc.code)
        if headless:
            print(f"{APP_NAME}: {exc}", file=sys.stderr)
        else:
            show_startup_error(exc, allow=("quit",))
        return EXIT_USAGE

    try:
        if args.database_url:
            # The shared server first: its address problems are the likelier ones to report.
            opened: Opened | int = open_server(args, data_dir)
            secrets = open_secrets(args.demo, data_dir)
        else:
            secrets = open_secrets(args.demo, data_dir)
            opened = open_local_interactively(data_dir, secrets, headless=headless, fail=fail)
    except KnownError as exc:
        return fail(exc)
    if isinstance(opened, int):
        return opened
    return run_window(app, args, opened, secrets)


def open_local_interactively(
    data_dir: Path, secrets: Any, *, headless: bool, fail: Fail
) -> Opened | int:
    """Open the practice's file, asking for the recovery key when the keyring cannot open it
    and offering a backup when the file is damaged; an exit code when that cannot be done."""
    from core.errors import (
        DatabaseCorrupt,
        InvalidRecoveryKey,
        KnownError,
        MissingDatabaseKey,
        WrongDatabaseKey,
    )
    from gui.startup import ask_recovery_key

    recovery: str | None = None
    while True:
        try:
            return open_local(data_dir, secrets, recovery)
        except (MissingDatabaseKey, WrongDatabaseKey, InvalidRecoveryKey) as exc:
            needs_key: KnownError = exc
        except DatabaseCorrupt as exc:
            if headless:
                return fail(exc)
            outcome = restore_interactively(data_dir, secrets, exc, recovery, fail)
            if outcome is None:
                continue  # restored: open it
            if isinstance(outcome, int):
                return outcome
            needs_key = outcome
        if headless:
            return fail(needs_key)
        # Ask again until the key opens the database or the person quits.
        recovery = ask_recovery_key(needs_key.code)
        if recovery is None:
            return QUIT


def restore_interactively(
    data_dir: Path, secrets: Any, exc: Any, recovery: str | None, fail: Fail
) -> Any:
    """Offer to restore a backup over a damaged file. ``None`` when restored; an exit code;
    or the key error when the backup needs the recovery key first."""
    from core.errors import InvalidRecoveryKey, KnownError, MissingDatabaseKey, WrongDatabaseKey
    from gui.startup import choose_backup, show_startup_error
    from storage.open import list_local_backups, restore_local_backup

    if show_startup_error(exc, allow=("restore", "quit")) != "restore":
        return QUIT
    name = choose_backup(list_local_backups(data_dir))
    if name is None:
        return QUIT
    try:
        restore_local_backup(data_dir, secrets, name, recovery_key=recovery)
    except (MissingDatabaseKey, WrongDatabaseKey, InvalidRecoveryKey) as key_error:
        return key_error
    except KnownError as restore_error:
        return fail(restore_error)
    return None


def run_window(app: Any, args: argparse.Namespace, opened: Opened, secrets: Any) -> int:
    from core.demo import DEMO_PIN, demo_front_desk
    from gui.run import run

    try:
        services = build(args, opened, secrets)
        signed_in = None
        if args.demo:  # signed in through the PIN check, so the sign-in is audited too
            signed_in = services.staff.sign_in(demo_front_desk(services).id, DEMO_PIN)
        return run(app, services, signed_in=signed_in, page=args.page, screenshot=args.screenshot)
    finally:
        opened.store.close()


# --- --publish-due: no window, no questions ---------------------------------------------
def open_quietly(args: argparse.Namespace, data_dir: Path) -> tuple[Opened, Any]:
    """Open the practice data without asking anything: the local file with the keyring's key
    (a missing database, keyring or key raises a known error), or the shared server. Returns
    the opened storage and the secret store."""
    from core.errors import SecretStoreError
    from storage.open import open_server_store
    from storage.secrets import InMemorySecretStore

    if args.database_url:
        server = open_server_store(args.database_url, data_dir)
        opened = Opened(server, server.uow_factory, None, server.info(), None, None)
        try:
            return opened, open_secrets(args.demo, data_dir)
        except SecretStoreError:  # the server's key is not in the keyring; nothing needs it yet
            return opened, InMemorySecretStore()
    require_database(data_dir)
    secrets = open_secrets(args.demo, data_dir)
    from storage.open import open_local_store

    local = open_local_store(data_dir, secrets, create=False)
    opened = Opened(local, local.uow_factory, local.backups, local.info(), local.key_name, None)
    return opened, secrets


def require_database(data_dir: Path) -> None:
    """``NotFound`` (creating nothing) when ``data_dir`` holds no practice database."""
    from core.errors import NotFound
    from storage.open import DATABASE_FILE

    if not (data_dir / DATABASE_FILE).exists():
        raise NotFound(
            f"There is no practice database in {data_dir}. Start the app once to set it up, "
            "or pass the right --data-dir.",
            path=str(data_dir),
        )


def publish_summary(report: Any) -> str:
    """What a run did, in counts: no post text, no names."""

    def posts(n: int) -> str:
        return "1 post" if n == 1 else f"{n} posts"

    lines = [
        f"Started publishing {posts(len(report.started))}; "
        f"{posts(len(report.published))} published, {posts(len(report.failed))} failed."
    ]
    if report.by_hand:
        lines.append(f"{posts(len(report.by_hand))} to publish by hand: see Today in the app.")
    if report.late:
        lines.append(
            f"{posts(len(report.late))} more than a few hours late: left for the app to ask "
            "whether to publish now."
        )
    if report.blocked:
        lines.append(
            f"{posts(len(report.blocked))} held back by the check before publishing: "
            "open it in the app."
        )
    run = report.outbox
    if run.sent:
        platforms = "1 platform" if run.sent == 1 else f"{run.sent} platforms"
        found = f" ({run.reconciled} found there already after an interrupted try)"
        lines.append(f"Sent to {platforms} through their API{found if run.reconciled else ''}.")
    if run.failed_entries:
        lines.append(
            f"{run.failed_entries} refused by the platform: see Today in the app for the reason."
        )
    if run.retrying or run.uncertain:
        lines.append(f"To try again later: {run.retrying} sending, {run.uncertain} to check first.")
    return "\n".join(lines)


def publish_due(args: argparse.Namespace) -> int:
    """``--publish-due``: publish what is due, print a summary, exit. Never opens a window or
    asks anything. Exit codes: 0 done (also when nothing was due, and when the app or another
    run holds the data folder: it publishes itself); 1 some post or platform failed, or the run
    broke off (the reason is on Today and in the log, by code); 2 the data cannot be opened
    (message on stderr). The summary and the log carry counts and codes: no post text, names
    or tokens."""
    from core.app import build_services
    from core.clock import SystemClock
    from core.errors import AlreadyRunning, KnownError

    data_dir = data_folder(args)
    try:
        if not args.database_url:
            require_database(data_dir)  # before anything is created in the folder
    except KnownError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(data_dir)
    log.info("publish-due version=%s server=%s", VERSION, bool(args.database_url))
    try:
        opened, secrets = open_quietly(args, data_dir)
    except AlreadyRunning:
        log.info("publish-due: the data folder is in use; nothing done")
        print(
            f"{APP_NAME} is already running with this data folder (the app, or another "
            "--publish-due run) and publishes due posts itself; nothing to do."
        )
        return 0
    except KnownError as exc:
        log.error("publish-due could not open the data: %s", exc.code)
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        services = build_services(
            uow=opened.uow,
            clock=SystemClock(),
            secrets=secrets,
            database=opened.info,
            backup_store=opened.backup_store,
            database_key_name=opened.key_name,
            demo=args.demo,
            media=opened.store.vault,
            outgoing=outgoing_folder(opened),
        )
        report = services.publishing.publish_due()
    except KnownError as exc:
        log.error("publish-due failed: %s", exc.code)
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return EXIT_PUBLISH_FAILED
    except Exception as exc:  # a bug: its message may quote data, so only its type and place
        log.error("publish-due broke off: %s\n%s", type(exc).__name__, _frames(exc))
        print(
            f"{APP_NAME}: publishing stopped on an unexpected error ({type(exc).__name__}); "
            "the log in the data folder says where.",
            file=sys.stderr,
        )
        return EXIT_PUBLISH_FAILED
    finally:
        opened.store.close()
    run = report.outbox
    log.info(
        "publish-due started=%d published=%d failed=%d by_hand=%d late=%d blocked=%d "
        "sent=%d reconciled=%d retrying=%d uncertain=%d refused=%d",
        len(report.started),
        len(report.published),
        len(report.failed),
        len(report.by_hand),
        len(report.late),
        len(report.blocked),
        run.sent,
        run.reconciled,
        run.retrying,
        run.uncertain,
        run.failed_entries,
    )
    print(publish_summary(report))
    return EXIT_PUBLISH_FAILED if report.failed or run.failed_entries else 0


def _frames(exc: BaseException) -> str:
    """Where ``exc`` happened (files, lines, functions), without its message."""
    import traceback

    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.publish_due:
        return publish_due(args)
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return EXIT_USAGE
    return start(args)


if __name__ == "__main__":
    sys.exit(main())

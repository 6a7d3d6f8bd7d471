"""main.py's start-up decisions, in process: a lost keyring entry is recovered with the
recovery key, a damaged database is restored from a backup, a second copy is refused.

The dialogs are stubbed (they are tested on their own in tests/gui/test_startup.py) and so is
the event loop; the database, the backups and the secret store are real.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import main
from core.app import Services
from core.backup.model import BackupInfo
from core.errors import DatabaseCorrupt, KnownError
from storage.open import open_local_store
from storage.secrets import InMemorySecretStore


@pytest.fixture(autouse=True)
def _close_log_handlers() -> Iterator[None]:
    """main.start() adds a file handler to the root logger; close it after each test."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture
def secrets() -> InMemorySecretStore:
    return InMemorySecretStore()


@pytest.fixture
def practice_dir(tmp_path: Path, secrets: InMemorySecretStore) -> tuple[Path, str, str]:
    """A real practice folder with one backup: (folder, recovery key, keyring entry name)."""
    data = tmp_path / "practice"
    with open_local_store(data, secrets) as store:
        assert store.new_recovery_key is not None
        store.backups.create(automatic=False)
        return data, store.new_recovery_key, store.key_name


@pytest.fixture
def started(
    monkeypatch: pytest.MonkeyPatch, secrets: InMemorySecretStore, qapp: Any
) -> list[Services]:
    """Stub the keyring choice and the event loop; collect the services the GUI would get."""
    monkeypatch.setattr(main, "open_secrets", lambda demo, data_dir: secrets)
    seen: list[Services] = []

    def fake_run(app: object, services: Services, **kwargs: object) -> int:
        seen.append(services)
        return 0

    monkeypatch.setattr("gui.run.run", fake_run)
    return seen


def test_lost_keyring_entry_is_recovered_with_the_recovery_key(
    practice_dir: tuple[Path, str, str],
    secrets: InMemorySecretStore,
    started: list[Services],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, recovery, key_name = practice_dir
    stored = secrets.get(key_name)
    secrets.delete(key_name)
    answers = iter(["0000-NOT-THE-KEY", recovery])
    asked: list[str] = []

    def ask(code: str, parent: object = None) -> str | None:
        asked.append(code)
        return next(answers)

    monkeypatch.setattr("gui.startup.ask_recovery_key", ask)
    assert main.start(main.parse_args(["--data-dir", str(data)])) == 0
    assert asked[0] == "keyring_missing_key"
    assert len(asked) == 2  # a malformed key is asked for again, not a crash
    assert secrets.get(key_name) == stored  # put back into the keyring
    assert len(started) == 1


def test_quitting_at_the_recovery_prompt_exits_without_touching_the_file(
    practice_dir: tuple[Path, str, str],
    secrets: InMemorySecretStore,
    started: list[Services],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, _recovery, key_name = practice_dir
    secrets.delete(key_name)
    before = (data / "practice.db").read_bytes()
    monkeypatch.setattr("gui.startup.ask_recovery_key", lambda code, parent=None: None)
    assert main.start(main.parse_args(["--data-dir", str(data)])) == 1
    assert (data / "practice.db").read_bytes() == before
    assert started == []


def test_damaged_database_is_restored_from_a_backup(
    practice_dir: tuple[Path, str, str], started: list[Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _recovery, _key = practice_dir
    db = data / "practice.db"
    db.write_bytes(db.read_bytes()[:1000])  # a torn file
    offered: list[tuple[str, ...]] = []
    chosen: list[list[BackupInfo]] = []

    def show_error(
        exc: BaseException, parent: object = None, *, allow: tuple[str, ...] = ()
    ) -> str:
        assert isinstance(exc, DatabaseCorrupt)
        offered.append(tuple(allow))
        return "restore"

    def choose(backups: list[BackupInfo], parent: object = None) -> str | None:
        chosen.append(backups)
        return backups[0].name

    monkeypatch.setattr("gui.startup.show_startup_error", show_error)
    monkeypatch.setattr("gui.startup.choose_backup", choose)
    assert main.start(main.parse_args(["--data-dir", str(data)])) == 0
    assert offered == [("restore", "quit")]
    assert len(chosen[0]) == 1
    assert any(p.name.startswith("practice.db.damaged") for p in data.iterdir())
    services = started[0]
    assert services.audit.verify_now().ok


def test_second_copy_on_the_same_folder_is_refused(
    practice_dir: tuple[Path, str, str],
    secrets: InMemorySecretStore,
    started: list[Services],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    data, _recovery, _key = practice_dir
    with open_local_store(data, secrets):
        code = main.start(
            main.parse_args(["--data-dir", str(data), "--screenshot", str(tmp_path / "x.png")])
        )
    assert code == 2
    assert "already" in capsys.readouterr().err.lower()
    assert started == []


def test_every_start_up_error_has_a_message_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    started: list[Services],
) -> None:
    """A known error in screenshot mode prints one line and exits 2."""

    def broken(*args: object, **kwargs: object) -> object:
        raise KnownError("The disk is full.")

    monkeypatch.setattr(main, "open_local", broken)
    code = main.start(
        main.parse_args(["--data-dir", str(tmp_path), "--screenshot", str(tmp_path / "x.png")])
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "The disk is full." in err
    assert "Traceback" not in err


def test_damaged_database_and_lost_keyring_entry_restore_with_the_recovery_key(
    practice_dir: tuple[Path, str, str],
    secrets: InMemorySecretStore,
    started: list[Services],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, recovery, key_name = practice_dir
    db = data / "practice.db"
    db.write_bytes(db.read_bytes()[:1000])
    secrets.delete(key_name)
    asked: list[str] = []

    def ask(code: str, parent: object = None) -> str | None:
        asked.append(code)
        return recovery

    monkeypatch.setattr("gui.startup.ask_recovery_key", ask)
    monkeypatch.setattr(
        "gui.startup.show_startup_error", lambda exc, parent=None, *, allow=(): "restore"
    )
    monkeypatch.setattr("gui.startup.choose_backup", lambda backups, parent=None: backups[0].name)
    assert main.start(main.parse_args(["--data-dir", str(data)])) == 0
    assert asked  # the recovery key was needed and given
    assert secrets.get(key_name) is not None
    assert started[0].audit.verify_now().ok

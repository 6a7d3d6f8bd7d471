"""Dialogs shown before the window exists: recovery key, start-up errors, choosing a backup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from core import errors as core_errors
from core.backup.model import BackupInfo
from core.keys import new_database_key, recovery_key
from gui.startup import (
    BackupChooserDialog,
    RecoveryKeyDialog,
    StartupErrorDialog,
    backup_label,
    startup_actions,
)

CANARY = "PATIENT-CANARY-123"


def test_recovery_key_is_checked_while_typing(qtbot) -> None:
    key = recovery_key(new_database_key())
    dialog = RecoveryKeyDialog("keyring_missing_key")
    qtbot.addWidget(dialog)
    assert "no key" in dialog.windowTitle()
    assert not dialog.valid
    qtbot.keyClicks(dialog.key_edit, key[:9])
    assert "8 of 54" in dialog.feedback.text()
    assert not dialog.valid
    typo = key[:-1] + ("0" if key[-1] != "0" else "1")
    dialog.key_edit.setText(typo)
    assert "typo" in dialog.feedback.text()
    assert dialog.feedback.property("error") == "true"
    assert not dialog.valid
    dialog.key_edit.setText(f"  {key.lower()} ")
    assert dialog.valid
    assert dialog.key_text == key.lower()
    dialog.ok_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_wrong_key_title(qtbot) -> None:
    dialog = RecoveryKeyDialog("wrong_key")
    qtbot.addWidget(dialog)
    assert "does not open" in dialog.windowTitle()


@pytest.mark.parametrize(
    ("error", "actions"),
    [
        (core_errors.DatabaseCorrupt("x"), ["restore", "quit"]),
        (core_errors.WrongDatabaseKey("x"), ["recovery_key", "quit"]),
        (core_errors.MissingDatabaseKey("x"), ["recovery_key", "quit"]),
        (core_errors.AlreadyRunning("x"), ["quit"]),
        (core_errors.DatabaseTooNew("x"), ["quit"]),
        (core_errors.InsecureKeyring("x"), ["quit"]),
        (core_errors.KeyringLocked("x"), ["retry", "quit"]),
        (core_errors.DatabaseUnreachable("x", url="postgresql://u:***@h/db"), ["retry", "quit"]),
        (RuntimeError("x"), ["quit"]),
    ],
)
def test_startup_actions(error: BaseException, actions: list[str]) -> None:
    assert startup_actions(error) == actions


def test_callers_can_limit_the_actions(qtbot) -> None:
    assert startup_actions(core_errors.KeyringLocked("x"), allow=("quit",)) == ["quit"]
    assert startup_actions(core_errors.DatabaseCorrupt("x"), allow=("restore", "quit")) == [
        "restore",
        "quit",
    ]
    dialog = StartupErrorDialog(core_errors.DatabaseLocked("x"), allow=("quit",))
    qtbot.addWidget(dialog)
    assert set(dialog.buttons) == {"quit"}


def test_startup_error_dialog_offers_restore(qtbot) -> None:
    dialog = StartupErrorDialog(core_errors.DatabaseCorrupt("x"))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "The practice data is damaged"
    assert set(dialog.buttons) == {"restore", "quit"}
    dialog.buttons["restore"].click()
    assert dialog.action == "restore"


def test_startup_bug_report_has_no_message(qtbot) -> None:
    try:
        raise ValueError(CANARY)
    except ValueError as exc:
        dialog = StartupErrorDialog(exc)
    qtbot.addWidget(dialog)
    reports = dialog.findChildren(QPlainTextEdit)
    assert len(reports) == 1
    assert "ValueError" in reports[0].toPlainText()
    assert CANARY not in reports[0].toPlainText()
    assert dialog.action == "quit"
    dialog.buttons["quit"].click()
    assert dialog.action == "quit"


def test_choose_backup_newest_first(qtbot) -> None:
    older = BackupInfo("old.db", datetime(2026, 10, 1, 8, 0, tzinfo=UTC), 1_000_000, True)
    newer = BackupInfo("new.db", datetime(2026, 11, 1, 8, 0, tzinfo=UTC), 2_000_000, False)
    dialog = BackupChooserDialog([older, newer])
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 2
    assert dialog.chosen == "new.db"
    assert "made by hand" in dialog.list.item(0).text()
    dialog.list.setCurrentRow(1)
    assert dialog.chosen == "old.db"
    assert "automatic" in backup_label(older)


def test_choose_backup_without_backups(qtbot) -> None:
    dialog = BackupChooserDialog([])
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert not dialog.empty_label.isHidden()
    assert dialog.chosen is None

"""Dialogs ``main.py`` shows before the main window exists: the recovery key, a start-up error,
and choosing a backup to restore.

Each function runs its dialog modally and returns the answer; each dialog class is usable on
its own (tests drive them with qtbot and never call the blocking functions).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt, QTime
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.backup.model import BackupInfo
from core.errors import (
    AlreadyRunning,
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseUnreachable,
    InsecureKeyring,
    InvalidRecoveryKey,
    KeyringLocked,
    KnownError,
    MissingDatabaseKey,
    SecretStoreError,
    WrongDatabaseKey,
)
from core.keys import KEY_BYTES, key_from_recovery
from core.progress import Progress
from gui import errors
from gui.style import button, caption, heading, plain_label, repolish

RECOVERY_KEY_CHARACTERS = -(-KEY_BYTES * 8 // 5) + 2
"""Letters and digits in a recovery key (without the dashes)."""

QUIT, RETRY, RESTORE, RECOVERY_KEY = "quit", "retry", "restore", "recovery_key"


def _dialog_column(dialog: QDialog, title: str, text: str) -> QVBoxLayout:
    dialog.setWindowTitle(title)
    column = QVBoxLayout(dialog)
    column.setContentsMargins(24, 24, 24, 24)
    column.setSpacing(12)
    title_label = heading(title, 2)
    title_label.setWordWrap(True)
    column.addWidget(title_label)
    column.addWidget(caption(text))
    return column


class RecoveryKeyDialog(QDialog):
    """Asks for the recovery key, checking it while it is typed (typos are caught by the key's
    checksum). Signals: none beyond ``QDialog``'s."""

    def __init__(self, error_code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(560)
        if error_code == "wrong_key":
            # Either the keychain's key or a recovery key typed a moment ago.
            title = self.tr("That key does not open the practice data")
        elif error_code == "recovery_key_invalid":
            title = self.tr("That recovery key has a typo")
        else:
            title = self.tr("This computer's keychain has no key for the practice data")
        column = _dialog_column(
            self,
            title,
            self.tr(
                "This happens after a reinstall or on a new computer. Type the recovery key that "
                "was printed when the practice was set up; the data is then opened and the key is "
                "stored in the keychain again."
            ),
        )
        self.key_edit = QLineEdit()
        self.key_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.key_edit.setPlaceholderText("XXXX-XXXX-XXXX-…")
        self.key_edit.setAccessibleName(self.tr("Recovery key"))
        column.addWidget(self.key_edit)
        self.feedback = plain_label(wrap=True)
        column.addWidget(self.feedback)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = button(self.tr("Quit"))
        self.ok_button = button(self.tr("Open the data"), "key", "primary")
        self.ok_button.setDefault(True)
        row.addWidget(cancel)
        row.addWidget(self.ok_button)
        column.addLayout(row)
        cancel.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.accept)
        self.key_edit.textChanged.connect(self._check)
        self._check("")

    @property
    def valid(self) -> bool:
        return self.ok_button.isEnabled()

    @property
    def key_text(self) -> str:
        return self.key_edit.text().strip()

    def _check(self, text: str) -> None:
        count = sum(ch.isalnum() for ch in text)
        error = False
        valid = False
        if count < RECOVERY_KEY_CHARACTERS:
            message = self.tr("{n} of {total} letters and digits so far.").format(
                n=count, total=RECOVERY_KEY_CHARACTERS
            )
        else:
            try:
                key_from_recovery(text)
            except InvalidRecoveryKey as exc:
                error = True
                message = errors.message_for(exc)[1]
            else:
                valid = True
                message = self.tr("This is a valid recovery key.")
        self.feedback.setText(message)
        self.feedback.setProperty("error", "true" if error else "false")
        self.feedback.setProperty("muted", "false" if error else "true")
        repolish(self.feedback)
        self.ok_button.setEnabled(valid)


def ask_recovery_key(error_code: str, parent: QWidget | None = None) -> str | None:
    """The recovery key typed by the user, or ``None`` when they quit."""
    dialog = RecoveryKeyDialog(error_code, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.key_text


def startup_actions(exc: BaseException, allow: Sequence[str] | None = None) -> list[str]:
    """What the user can do about a start-up error, the suggested one first; ``allow`` limits
    them to what the caller can carry out ("quit" always remains)."""
    actions = _actions(exc)
    if allow is not None:
        actions = [a for a in actions if a in allow or a == QUIT]
    return actions


def _actions(exc: BaseException) -> list[str]:
    if isinstance(exc, DatabaseCorrupt):
        return [RESTORE, QUIT]
    if isinstance(exc, WrongDatabaseKey | MissingDatabaseKey):
        return [RECOVERY_KEY, QUIT]
    if isinstance(exc, AlreadyRunning | DatabaseTooNew | InsecureKeyring):
        return [QUIT]
    if isinstance(exc, DatabaseLocked | DatabaseUnreachable | KeyringLocked | SecretStoreError):
        return [RETRY, QUIT]
    if isinstance(exc, KnownError):
        return [RETRY, QUIT]
    return [QUIT]


class StartupErrorDialog(QDialog):
    """Says why the app cannot start and offers what can be done (restore, recovery key, try
    again, quit). Signals: none beyond ``QDialog``'s; the choice is in ``action``."""

    def __init__(
        self, exc: BaseException, parent: QWidget | None = None, allow: Sequence[str] | None = None
    ) -> None:
        super().__init__(parent)
        self.setMinimumWidth(560)
        self.action = QUIT
        if isinstance(exc, KnownError):
            title, text = errors.message_for(exc)
        else:
            title = self.tr("Front Desk Social could not start")
            text = self.tr(
                "Something unexpected went wrong. Your data has not been changed. "
                "Please send this report to whoever supports the app; it contains no "
                "patient information."
            )
        column = _dialog_column(self, title, text)
        if not isinstance(exc, KnownError):
            report = QPlainTextEdit(errors.crash_report(exc))
            report.setReadOnly(True)
            report.setMinimumHeight(180)
            column.addWidget(report)
        labels = {
            RESTORE: (self.tr("Restore a backup…"), "restore"),
            RECOVERY_KEY: (self.tr("Enter the recovery key…"), "key"),
            RETRY: (self.tr("Try again"), "refresh"),
            QUIT: (self.tr("Quit"), ""),
        }
        row = QHBoxLayout()
        row.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        actions = startup_actions(exc, allow)
        for action in reversed(actions):
            text_, icon_name = labels[action]
            choice = button(text_, icon_name, "primary" if action == actions[0] else "default")
            choice.clicked.connect(lambda _checked=False, a=action: self._choose(a))
            row.addWidget(choice)
            self.buttons[action] = choice
        self.buttons[actions[0]].setDefault(True)
        column.addLayout(row)

    def _choose(self, action: str) -> None:
        self.action = action
        self.accept()


def show_startup_error(
    exc: BaseException, parent: QWidget | None = None, *, allow: Sequence[str] | None = None
) -> str:
    """Explain ``exc``; returns ``"quit"``, ``"retry"``, ``"restore"`` or ``"recovery_key"``
    (only those in ``allow`` when given, plus ``"quit"``)."""
    dialog = StartupErrorDialog(exc, parent, allow)
    dialog.exec()
    return dialog.action


def backup_label(info: BackupInfo) -> str:
    """A backup as a person reads it: when, how big, and who made it."""
    locale = QLocale()
    when = info.created_at.astimezone() if info.created_at.tzinfo else info.created_at
    day = locale.toString(QDate(when.year, when.month, when.day), QLocale.FormatType.LongFormat)
    time = locale.toString(QTime(when.hour, when.minute), QLocale.FormatType.ShortFormat)
    kind = (
        QCoreApplication.translate("Startup", "automatic")
        if info.automatic
        else QCoreApplication.translate("Startup", "made by hand")
    )
    return f"{day}, {time} · {locale.formattedDataSize(info.size_bytes)} · {kind}"


class BackupChooserDialog(QDialog):
    """Lists the backups, newest first, and returns the one chosen. Signals: none beyond
    ``QDialog``'s."""

    def __init__(self, backups: list[BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(560, 420)
        column = _dialog_column(
            self,
            self.tr("Restore a backup"),
            self.tr(
                "Choose the backup to go back to. Anything saved after it is lost; the current "
                "data is kept as a safety copy first."
            ),
        )
        self.list = QListWidget()
        ordered = sorted(backups, key=lambda b: b.created_at, reverse=True)
        for info in ordered:
            item = QListWidgetItem(backup_label(info))
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            self.list.addItem(item)
        column.addWidget(self.list, 1)
        self.empty_label = caption(self.tr("There are no backups in the data folder."))
        self.empty_label.setVisible(not ordered)
        column.addWidget(self.empty_label)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = button(self.tr("Cancel"))
        self.restore_button = button(self.tr("Restore this backup"), "restore", "primary")
        row.addWidget(cancel)
        row.addWidget(self.restore_button)
        column.addLayout(row)
        cancel.clicked.connect(self.reject)
        self.restore_button.clicked.connect(self.accept)
        self.list.itemDoubleClicked.connect(self.accept)
        self.list.currentRowChanged.connect(lambda row_: self.restore_button.setEnabled(row_ >= 0))
        self.restore_button.setEnabled(False)
        if ordered:
            self.list.setCurrentRow(0)

    @property
    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None


def choose_backup(backups: list[BackupInfo], parent: QWidget | None = None) -> str | None:
    """The name of the backup to restore, or ``None`` when cancelled."""
    dialog = BackupChooserDialog(backups, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen


_DEMO_PARTS = {
    "posts": "Writing the demo's posts…",
    "images": "Drawing and checking the demo's photos…",
    "consent": "Adding patients and their consents…",
    "reviews": "Collecting and answering reviews…",
    "incentives": "Crediting a year of the staff's work…",
}


def build_demo(steps: Callable[[], Generator[Progress, None, Any]]) -> Any:
    """Build the demo practice on a worker (the first ``--demo`` start takes a while) with a
    small progress window naming each part; returns what ``steps`` returns and re-raises
    what it raised. There is no Cancel: half a demo would be a broken sandbox."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QProgressDialog

    from gui.tasks import TaskRunner

    t = QCoreApplication.translate
    dialog = QProgressDialog(t("Startup", "Building the demo practice…"), "", 0, 0)
    dialog.setWindowTitle(t("Startup", "Front Desk Social demo"))
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(500)
    dialog.setMinimumWidth(420)
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def progress(step: Progress | int) -> None:
        if isinstance(step, Progress):
            if step.total:
                dialog.setMaximum(step.total)
                dialog.setValue(step.done)
            if step.label in _DEMO_PARTS:
                dialog.setLabelText(t("Startup", _DEMO_PARTS[step.label]))

    def finished(key: str) -> Callable[[Any], None]:
        def done(value: Any) -> None:
            outcome[key] = value
            loop.quit()

        return done

    runner = TaskRunner()
    runner.run(steps, finished("result"), finished("error"), progress)
    if not outcome:
        loop.exec()
    dialog.close()
    dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")

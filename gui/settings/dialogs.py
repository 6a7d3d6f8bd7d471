"""Settings' dialogs. Each exposes ``ask(parent, ...) -> result | None`` (``None``: cancelled),
so the sections' tests stub ``ask`` instead of clicking through a blocking ``exec()``."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.staff.model import Role, StaffMember
from core.staff.rules import PIN_MAX_LENGTH, pin_problem
from gui.errors import pin_problem_text
from gui.settings.messages import role_label, tr
from gui.style import Banner, button, caption, heading, plain_label


@dataclass(frozen=True, slots=True)
class StaffDraft:
    """What the staff dialog collected; ``pin`` only for a new person."""

    display_name: str
    role: Role
    active: bool = True
    pin: str = ""


@dataclass(frozen=True, slots=True)
class PinChange:
    new_pin: str
    current_pin: str | None = None


def _pin_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(PIN_MAX_LENGTH)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return edit


def _error_label() -> QLabel:
    label = caption()
    label.setStyleSheet("color: palette(bright-text);")
    label.hide()
    return label


class _FormDialog(QDialog):
    """A titled dialog with a form, an error line and OK/Cancel. Signals: QDialog's."""

    def __init__(self, title: str, intro: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(12)
        column.addWidget(heading(title, 2))
        if intro:
            column.addWidget(caption(intro))
        self.form = QFormLayout()
        self.form.setVerticalSpacing(10)
        self.form.setHorizontalSpacing(16)
        column.addLayout(self.form)
        self.error = _error_label()
        column.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = button(ok_text, kind="primary")
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)

    def problem(self) -> str | None:
        """What is wrong with the input, worded, or ``None`` to accept."""
        return None

    def _try_accept(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()


def new_pin_problem(pin: str, confirm: str) -> str | None:
    """Why a new PIN (typed twice) cannot be used, worded, or ``None``."""
    reason = pin_problem(pin)
    if reason:
        return pin_problem_text(reason)
    if pin != confirm:
        return tr("The two PINs are not the same. Type the new PIN twice.")
    return None


class StaffDialog(_FormDialog):
    """Add a person (name, role, first PIN) or edit one (name, role, may sign in).

    Signals: QDialog's.
    """

    def __init__(self, member: StaffMember | None = None, parent: QWidget | None = None) -> None:
        adding = member is None
        super().__init__(
            tr("Add a staff member") if adding else tr("Edit staff member"),
            tr(
                "They sign in by choosing their name and typing this PIN. They can change the "
                "PIN later in Settings → Staff."
            )
            if adding
            else "",
            tr("Add") if adding else tr("Save"),
            parent,
        )
        self._adding = adding
        self.name = QLineEdit(member.display_name if member else "")
        self.name.setMaxLength(80)
        self.form.addRow(self.tr("Name"), self.name)
        self.role = QComboBox()
        for role in (Role.FRONT_DESK, Role.APPROVER, Role.DOCTOR, Role.ADMIN):
            self.role.addItem(role_label(role), role)
        self.role.setCurrentIndex(self.role.findData(member.role if member else Role.FRONT_DESK))
        self.form.addRow(self.tr("Role"), self.role)
        self.pin = _pin_edit()
        self.confirm = _pin_edit()
        self.active = QCheckBox(self.tr("Can sign in (uncheck to deactivate)"))
        if adding:
            self.form.addRow(self.tr("First PIN"), self.pin)
            self.form.addRow(self.tr("PIN again"), self.confirm)
        elif member is not None:
            self.active.setChecked(member.active)
            self.form.addRow("", self.active)

    def problem(self) -> str | None:
        if not self.name.text().strip():
            return self.tr("Enter the person's name.")
        if self._adding:
            return new_pin_problem(self.pin.text(), self.confirm.text())
        return None

    def draft(self) -> StaffDraft:
        return StaffDraft(
            self.name.text().strip(),
            Role(self.role.currentData()),
            self._adding or self.active.isChecked(),
            self.pin.text(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, member: StaffMember | None = None) -> StaffDraft | None:
        dialog = cls(member, parent)
        return dialog.draft() if dialog.exec() == QDialog.DialogCode.Accepted else None


class PinDialog(_FormDialog):
    """A new PIN typed twice, with the current PIN first when changing one's own.

    Signals: QDialog's.
    """

    def __init__(
        self, title: str, intro: str, need_current: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, intro, tr("Change PIN"), parent)
        self.current = _pin_edit()
        if need_current:
            self.form.addRow(self.tr("Current PIN"), self.current)
        self.new = _pin_edit()
        self.confirm = _pin_edit()
        self.form.addRow(self.tr("New PIN"), self.new)
        self.form.addRow(self.tr("New PIN again"), self.confirm)
        self._need_current = need_current

    def problem(self) -> str | None:
        if self._need_current and not self.current.text():
            return self.tr("Enter your current PIN.")
        return new_pin_problem(self.new.text(), self.confirm.text())

    def change(self) -> PinChange:
        return PinChange(self.new.text(), self.current.text() if self._need_current else None)

    @classmethod
    def ask(
        cls, parent: QWidget | None, title: str, intro: str = "", need_current: bool = True
    ) -> PinChange | None:
        dialog = cls(title, intro, need_current, parent)
        return dialog.change() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ConfirmPinDialog(_FormDialog):
    """Re-enter your PIN before something sensitive. Signals: QDialog's."""

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(title, intro, tr("Continue"), parent)
        self.pin = _pin_edit()
        self.form.addRow(self.tr("Your PIN"), self.pin)

    def problem(self) -> str | None:
        return None if self.pin.text() else self.tr("Enter your PIN.")

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, intro: str = "") -> str | None:
        dialog = cls(title, intro, parent)
        return dialog.pin.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class RecoveryKeyDialog(QDialog):
    """Shows the recovery key with Copy and Print. Signals: QDialog's."""

    def __init__(self, key: str, practice_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.practice_name = practice_name
        self.setWindowTitle(self.tr("Recovery key"))
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(12)
        column.addWidget(heading(self.tr("Recovery key"), 2))
        column.addWidget(
            Banner(
                self.tr(
                    "This key opens the practice's data if this computer's keychain loses the "
                    "database key. Keep a printed copy somewhere locked, away from the computer. "
                    "Anyone with this key and the data file can read the data."
                ),
                "warning",
            )
        )
        self.key_label = plain_label(key)
        self.key_label.setObjectName("RecoveryKey")
        self.key_label.setWordWrap(True)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.key_label)
        self.buttons = QDialogButtonBox()
        self.copy_button = button(self.tr("Copy"), "copy")
        self.print_button = button(self.tr("Print…"), "print")
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        done = button(self.tr("Done"), kind="primary")
        self.buttons.addButton(done, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.copy_button.clicked.connect(self.copy)
        self.print_button.clicked.connect(self.print_key)
        column.addWidget(self.buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.key)
        self.copy_button.setText(self.tr("Copied"))

    def document(self) -> QTextDocument:
        doc = QTextDocument()
        doc.setPlainText(
            "\n\n".join(
                [
                    self.tr("Front Desk Social — recovery key"),
                    self.practice_name,
                    self.key,
                    self.tr(
                        "Keep this page somewhere locked. It opens the practice's data if the "
                        "computer's keychain loses the database key."
                    ),
                ]
            )
        )
        return doc

    def print_key(self) -> None:
        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.document().print_(printer)

    @classmethod
    def present(cls, parent: QWidget | None, key: str, practice_name: str = "") -> QDialog:
        """Open the dialog without blocking (window-modal); returns it."""
        dialog = cls(key, practice_name, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        return dialog


class RestoreDialog(QDialog):
    """Says exactly what a restore does before it happens. Signals: QDialog's."""

    def __init__(self, when: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Restore a backup"))
        self.setMinimumWidth(480)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(12)
        column.addWidget(heading(self.tr("Restore the backup from {when}?").format(when=when), 2))
        for line in (
            self.tr(
                "Everything in the app is replaced by the backup from {when}. Changes made "
                "since then are no longer shown."
            ).format(when=when),
            self.tr(
                "First, a safety backup of the data as it is now is made, so nothing is "
                "lost for good."
            ),
            self.tr("Afterwards everyone is signed out and signs in again."),
        ):
            column.addWidget(caption(line))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = button(self.tr("Restore"), "restore", "danger")
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, when: str) -> bool:
        """``True`` when the person confirmed the restore."""
        return cls(when, parent).exec() == QDialog.DialogCode.Accepted

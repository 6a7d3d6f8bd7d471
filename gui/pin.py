"""The PIN field shared by the sign-in and lock screens, the setup wizard and Settings."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QAction, QRegularExpressionValidator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from core.errors import KnownError
from core.staff.rules import PIN_MAX_LENGTH
from gui import errors, icons
from gui.style import button, plain_label, repolish


def pin_field(placeholder: str, parent: QWidget | None = None) -> QLineEdit:
    """A masked, digits-only line edit for a PIN, with a show/hide toggle."""
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(PIN_MAX_LENGTH)
    field.setValidator(
        QRegularExpressionValidator(QRegularExpression(rf"\d{{0,{PIN_MAX_LENGTH}}}"), field)
    )
    field.setPlaceholderText(placeholder)
    field.setAccessibleName(placeholder)
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
    )
    reveal = QAction(icons.icon("eye", "muted"), field.tr("Show PIN"), field)
    field.addAction(reveal, QLineEdit.ActionPosition.TrailingPosition)

    def toggle() -> None:
        hidden = field.echoMode() == QLineEdit.EchoMode.Password
        field.setEchoMode(QLineEdit.EchoMode.Normal if hidden else QLineEdit.EchoMode.Password)
        reveal.setIcon(icons.icon("eye-off" if hidden else "eye", "muted"))
        reveal.setText(field.tr("Hide PIN") if hidden else field.tr("Show PIN"))

    reveal.triggered.connect(toggle)
    return field


class PinForm(QWidget):
    """A PIN field, a submit button and a line for errors; Enter submits.

    The owner runs the check (off the GUI thread) and reports back with ``set_busy`` and
    ``show_error``.

    Signals:
        submitted(str): the PIN typed, when the person pressed Enter or the button.
    """

    submitted = Signal(str)

    def __init__(self, action_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._action_text = action_text
        self._busy = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.field = pin_field(self.tr("PIN"))
        self.field.setMinimumHeight(44)
        font = self.field.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.field.setFont(font)
        row.addWidget(self.field, 1)
        self.submit_button = button(action_text, "chevron-right", "primary")
        self.submit_button.setMinimumHeight(44)
        row.addWidget(self.submit_button)
        column.addLayout(row)
        self.error_label: QLabel = plain_label(wrap=True)
        self.error_label.setProperty("error", "true")
        self.error_label.setVisible(False)
        self.error_label.setAccessibleName(self.tr("Sign-in problem"))
        column.addWidget(self.error_label)
        self.field.returnPressed.connect(self._submit)
        self.submit_button.clicked.connect(self._submit)
        self.field.textEdited.connect(self._clear_error_mark)

    @property
    def busy(self) -> bool:
        return self._busy

    def _submit(self) -> None:
        if self._busy:
            return
        pin = self.field.text()
        if not pin:
            self.show_error(self.tr("Enter your PIN."))
            return
        self.submitted.emit(pin)

    def _clear_error_mark(self) -> None:
        if self.field.property("error") == "true":
            self.field.setProperty("error", "false")
            repolish(self.field)

    def set_busy(self, busy: bool) -> None:
        """While a PIN is being checked: no typing, no second submit."""
        self._busy = busy
        self.field.setReadOnly(busy)
        self.submit_button.setEnabled(not busy)
        self.submit_button.setText(self.tr("Checking…") if busy else self._action_text)
        if busy:
            self.error_label.setVisible(False)

    def show_error(self, text: str) -> None:
        """Say what went wrong, and select the PIN so typing replaces it."""
        self.set_busy(False)
        self.error_label.setText(text)
        self.error_label.setVisible(True)
        self.field.setProperty("error", "true")
        repolish(self.field)
        self.field.selectAll()
        self.field.setFocus()

    def show_failure(self, exc: BaseException) -> None:
        """A failed PIN check: a known error (wrong PIN, paused, deactivated) in the form's
        error line; a bug in the crash dialog."""
        if isinstance(exc, KnownError):
            self.show_error(errors.message_for(exc)[1])
        else:
            self.set_busy(False)
            errors.show_error(self, exc)

    def reset(self) -> None:
        """Empty the field and forget any error (e.g. when another person is chosen)."""
        self.set_busy(False)
        self.field.clear()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label.clear()
        self.error_label.setVisible(False)
        self._clear_error_mark()

    def focus(self) -> None:
        self.field.setFocus()

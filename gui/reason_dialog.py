"""A written reason, asked before something is recorded under the person's name: letting a
possible patient detail through (composer, review replies), withdrawing or taking a post down,
asking for changes. Shared by the feature pages."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.widgets import caption, heading, plain_label


class ReasonDialog(QDialog):
    """Asks for a written reason of at least ``minimum`` characters; OK stays disabled until
    there is one. ``reason()`` is the trimmed text. Signals: QDialog's own."""

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        ok_text: str,
        minimum: int = 1,
        detail: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._minimum = minimum
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(heading(title, 2))
        label = plain_label(prompt, wrap=True)
        column.addWidget(label)
        if detail:
            column.addWidget(caption(detail))
        self.text = QPlainTextEdit()
        self.text.setAccessibleName(prompt)
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(100)
        label.setBuddy(self.text)
        column.addWidget(self.text)
        self.hint = caption("")
        column.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self.text.textChanged.connect(self._update)
        self._update()

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def _update(self) -> None:
        missing = self._minimum - len(self.reason())
        self.ok_button.setEnabled(missing <= 0)
        self.hint.setText(
            self.tr("A few more words, please ({n} more characters).").format(n=missing)
            if missing > 0 and self.reason()
            else ""
        )

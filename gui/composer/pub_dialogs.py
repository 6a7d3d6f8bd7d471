"""Taking a published post down: the reason (required) and the reminder that the post must
also be deleted on each platform, with its live links.

Private to ``gui.composer.published`` (``pub_*``). ``ask`` is what the list calls, so its
tests can replace it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.composer.workflow import MAX_NOTE_LENGTH
from gui.composer.cal_format import platform_name
from gui.widgets import Banner, button, caption, heading, plain_label, repolish


class WithdrawDialog(QDialog):
    """Asks why a published post is taken down and lists where it must still be deleted.

    ``links`` are ``(platform id, live URL or "")`` pairs. The "Take down" button stays
    disabled until a reason is written. Signals: none of its own (``accepted``/``rejected``).
    """

    def __init__(
        self, title: str, links: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Take down this post"))
        self.setMinimumWidth(600)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 20, 24, 20)
        column.setSpacing(12)
        column.addWidget(heading(self.tr("Take down this post"), 2))
        post_label = plain_label(title, wrap=True)
        post_label.setProperty("muted", "true")
        column.addWidget(post_label)

        self.reminder = Banner(
            self.tr(
                "This marks the post as taken down here. It stays online until you also "
                "delete it on each platform:"
            ),
            "warning",
        )
        column.addWidget(self.reminder)
        column.addLayout(self._links_grid(links))
        self._build_reason(column)

    def _links_grid(self, links: list[tuple[str, str]]) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        self.open_buttons: list[QPushButton] = []
        for row, (platform, url) in enumerate(links):
            name = plain_label(platform_name(platform))
            name.setProperty("heading", "3")
            grid.addWidget(name, row, 0)
            where = plain_label(self.tr("no link was recorded"))
            if url:
                # One line per platform: long links are shortened, the tooltip has them whole.
                where.setText(
                    where.fontMetrics().elidedText(url, Qt.TextElideMode.ElideMiddle, 280)
                )
                where.setToolTip(url)
                where.setMinimumWidth(290)
                where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            else:
                where.setProperty("muted", "true")
            grid.addWidget(where, row, 1)
            if url:
                opener = button(self.tr("Open"), kind="ghost")
                opener.setAccessibleName(
                    self.tr("Open the post on {platform}").format(platform=platform_name(platform))
                )
                opener.setToolTip(url)
                opener.clicked.connect(lambda _checked=False, u=url: _open(u))
                grid.addWidget(opener, row, 2)
                self.open_buttons.append(opener)
        grid.setColumnStretch(1, 1)
        return grid

    def _build_reason(self, column: QVBoxLayout) -> None:
        column.addWidget(plain_label(self.tr("Why is it being taken down? (required)")))
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(self.tr("Reason for taking the post down"))
        self.reason.setPlaceholderText(
            self.tr("For example: the event was cancelled, or the photo needs replacing.")
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(90)
        column.addWidget(self.reason)
        self.hint = caption(self.tr("The reason is kept with the post's history."))
        column.addWidget(self.hint)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.take_down = self.buttons.addButton(
            self.tr("Take down"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self.reason.textChanged.connect(self._update)
        self._update()
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def _update(self) -> None:
        text = self.reason_text()
        too_long = len(text) > MAX_NOTE_LENGTH
        allowed = bool(text) and not too_long
        self.take_down.setEnabled(allowed)
        # Red only when it can be pressed: a red disabled button reads as an error.
        kind = "danger" if allowed else "default"
        if self.take_down.property("kind") != kind:
            self.take_down.setProperty("kind", kind)
            repolish(self.take_down)
        if too_long:
            self.hint.setText(
                self.tr("Keep the reason under {n} characters.").format(n=MAX_NOTE_LENGTH)
            )
        elif not text:
            self.hint.setText(self.tr("Write a short reason to take the post down."))
        else:
            self.hint.setText(self.tr("The reason is kept with the post's history."))

    def accept(self) -> None:
        if not self.take_down.isEnabled():
            return
        super().accept()


def _open(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))


def ask(parent: QWidget, title: str, links: list[tuple[str, str]]) -> str | None:
    """The reason to take a post down, or ``None`` when cancelled."""
    dialog = WithdrawDialog(title, links, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason_text()
    finally:
        dialog.deleteLater()

"""The Today page's layout: a greeting, then the attention list or the "all caught up" state.

Layout only; ``gui.today.page.TodayPage`` fills it and wires the buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.today.model import AttentionItem, Severity
from gui import icons
from gui.style import Badge, Card, EmptyState, button, caption, heading, plain_label
from gui.widgets import scrolling_column

CONTENT_WIDTH = 860
"""The list's maximum width: long lines are hard to read on a wide screen."""

SEVERITY_LOOK: dict[Severity, tuple[str, str]] = {
    Severity.CRITICAL: ("alert-octagon", "danger"),
    Severity.URGENT: ("alert-triangle", "danger"),
    Severity.WARNING: ("alert-triangle", "warning"),
    Severity.INFO: ("info", "info"),
}
"""Per severity: the icon and the tone of its badge."""


class AttentionRow(Card):
    """One attention item: severity icon and badge, title, explanation, due time and the
    button that goes to it.

    Signals:
        activated(object): the action button was pressed; carries the ``AttentionItem``.
    """

    activated = Signal(object)

    def __init__(
        self,
        item: AttentionItem,
        *,
        severity_text: str,
        title: str,
        detail: str,
        action: str,
        due: str,
        due_at: str,
        overdue: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("", parent)
        self.item = item
        icon_name, tone = SEVERITY_LOOK[item.severity]
        row = QHBoxLayout()
        row.setSpacing(16)
        self.icon_label = QLabel()
        icons.bind_pixmap(self.icon_label, icon_name, 28, tone)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)

        text = QVBoxLayout()
        text.setSpacing(4)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.badge = Badge(severity_text, tone)
        top.addWidget(self.badge)
        # Overdue items move up the list; a red badge says why this one is where it is.
        self.due_label: QLabel = Badge(due, "danger") if overdue else caption(due, wrap=False)
        self.due_label.setToolTip(due_at)
        self.due_label.setVisible(bool(due))
        top.addWidget(self.due_label)
        top.addStretch(1)
        text.addLayout(top)
        self.title_label = heading(title, 3)
        self.title_label.setWordWrap(True)
        text.addWidget(self.title_label)
        self.detail_label = caption(detail)
        self.detail_label.setVisible(bool(detail))
        text.addWidget(self.detail_label)
        row.addLayout(text, 1)

        self.action_button = button(
            action, "chevron-right", "primary" if item.severity >= Severity.URGENT else "default"
        )
        self.action_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.action_button.clicked.connect(lambda: self.activated.emit(self.item))
        row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.body.addLayout(row)


class TodayView(QWidget):
    """Greeting, date and a stack of three states: the list, "all caught up" and a neutral
    placeholder while nobody is signed in. Signals: none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = scrolling_column(self)
        column.setSpacing(4)
        self.greeting = heading("", 1)
        column.addWidget(self.greeting)
        self.date_label = caption(wrap=False)
        column.addWidget(self.date_label)
        column.addSpacing(20)

        self.summary = plain_label()
        self.summary.setProperty("heading", "3")
        column.addWidget(self.summary)
        column.addSpacing(8)

        self.stack = QStackedWidget()
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(12)
        self.list_layout.addStretch(1)
        self.stack.addWidget(self.list_widget)
        self.empty = EmptyState("check-circle", "", "")
        self.stack.addWidget(self.empty)
        self.blank = QWidget()
        self.stack.addWidget(self.blank)
        column.addWidget(self.stack, 1)

    def rows(self) -> list[AttentionRow]:
        return [
            w for w in self.list_widget.findChildren(AttentionRow) if w.parent() is self.list_widget
        ]

    def clear_rows(self) -> None:
        for row in self.rows():
            self.list_layout.removeWidget(row)
            row.hide()
            row.deleteLater()

    def add_row(self, row: AttentionRow) -> None:
        self.list_layout.insertWidget(self.list_layout.count() - 1, row)

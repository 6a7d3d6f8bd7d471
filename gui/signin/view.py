"""Layout of the sign-in and lock screens (widgets only; behaviour lives in ``screen`` and
``lock``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui import icons
from gui.pin import PinForm
from gui.style import Avatar, Card, button, caption, heading, plain_label
from gui.widgets import app_mark


def centered_column(screen: QWidget, max_width: int) -> QVBoxLayout:
    """A column of at most ``max_width`` pixels, centred in ``screen``; returns its layout."""
    outer = QHBoxLayout(screen)
    outer.setContentsMargins(24, 24, 24, 24)
    outer.addStretch(1)
    column_widget = QWidget()
    column_widget.setMaximumWidth(max_width)
    column_widget.setMinimumWidth(min(max_width, 360))
    outer.addWidget(column_widget, 4)
    outer.addStretch(1)
    column = QVBoxLayout(column_widget)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(16)
    return column


class SignInView(QWidget):
    """The sign-in screen's widgets: a list of people, then a PIN panel for the one chosen.

    Signals: none (the controller connects to the child widgets).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SignInScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        column = centered_column(self, 640)
        column.addStretch(1)
        column.addWidget(app_mark(), 0, Qt.AlignmentFlag.AlignHCenter)
        self.title = heading(self.tr("Who is at the desk?"), 1)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.title)
        self.practice_label = caption()
        self.practice_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.practice_label)
        column.addSpacing(8)

        self.steps = QStackedWidget()
        column.addWidget(self.steps)

        self.people_page = QScrollArea()
        self.people_page.setWidgetResizable(True)
        self.people_page.setFrameShape(QScrollArea.Shape.NoFrame)
        people = QWidget()
        self.people_grid = QGridLayout(people)
        self.people_grid.setContentsMargins(4, 4, 4, 4)
        self.people_grid.setSpacing(12)
        self.people_page.setWidget(people)
        self.steps.addWidget(self.people_page)

        self.pin_page = self._pin_panel()
        self.steps.addWidget(self.pin_page)

        self.status_label = caption()
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.status_label)
        self.demo_hint = caption()
        self.demo_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_hint.setVisible(False)
        column.addWidget(self.demo_hint)
        column.addStretch(2)

    def _pin_panel(self) -> Card:
        pin_page = Card()
        pin_column = pin_page.body
        pin_column.setSpacing(12)
        who = QHBoxLayout()
        who.setSpacing(16)
        self.avatar = Avatar("", 56)
        who.addWidget(self.avatar)
        names = QVBoxLayout()
        names.setSpacing(2)
        self.name_label = plain_label()
        self.name_label.setProperty("heading", "2")
        names.addWidget(self.name_label)
        self.role_label = caption(wrap=False)
        names.addWidget(self.role_label)
        who.addLayout(names, 1)
        pin_column.addLayout(who)
        self.pin_form = PinForm(self.tr("Sign in"))
        pin_column.addWidget(self.pin_form)
        self.back_button = button(self.tr("Not you? Choose someone else"), "switch-user", "ghost")
        pin_column.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        return pin_page


class LockView(QWidget):
    """The lock screen's widgets. Nothing from the pages is visible behind it.

    Signals: none (the controller connects to the child widgets).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        column = centered_column(self, 520)
        column.addStretch(1)
        mark = QLabel()
        icons.bind_pixmap(mark, "lock", 48, "accent")
        column.addWidget(mark, 0, Qt.AlignmentFlag.AlignHCenter)
        title = heading(self.tr("Locked"), 1)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(title)
        self.explanation = caption()
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.explanation)
        column.addSpacing(8)
        card = Card()
        who = QHBoxLayout()
        who.setSpacing(16)
        self.avatar = Avatar("", 56)
        who.addWidget(self.avatar)
        self.name_label = plain_label()
        self.name_label.setProperty("heading", "2")
        who.addWidget(self.name_label, 1)
        card.body.addLayout(who)
        card.body.addSpacing(4)
        self.pin_form = PinForm(self.tr("Unlock"))
        card.body.addWidget(self.pin_form)
        self.switch_button = button(self.tr("Someone else? Switch user"), "switch-user", "ghost")
        card.body.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(card)
        column.addStretch(2)

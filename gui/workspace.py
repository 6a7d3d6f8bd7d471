"""Layout of the signed-in workspace: left navigation, top bar, demo banner and the pages.

A view only: ``gui.window.MainWindow`` owns the behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui import icons
from gui.style import Avatar, Banner, button, caption, plain_label

NAV_WIDTH = 216


class NavButton(QPushButton):
    """One entry of the left navigation (checkable; the current page is checked).

    Signals: ``clicked`` (from ``QPushButton``).
    """

    def __init__(
        self,
        page_id: str,
        title: str,
        icon_name: str,
        shortcut_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.page_id = page_id
        self.setProperty("nav", "true")
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # Clicking should not leave a focus ring behind; Tab still reaches the entries.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        icons.bind_icon(self, icon_name, "muted", "accent")
        self.setIconSize(self.iconSize().expandedTo(self.iconSize() * 1.25))
        if shortcut_text:
            self.setToolTip(f"{title} ({shortcut_text})")


class WorkspaceView(QWidget):
    """The navigation column, the top bar (practice, person, switch user, lock), an optional
    demo banner, and a stack with one page per navigation entry.

    Signals: none (the window connects to the child widgets).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)

        self.nav_group = QButtonGroup(self)
        self.nav_group.setExclusive(True)
        self.nav = self._navigation()
        row.addWidget(self.nav)

        main = QVBoxLayout()
        main.setContentsMargins(0, 0, 0, 0)
        main.setSpacing(0)
        row.addLayout(main, 1)

        self.top_bar = self._top_bar()
        main.addWidget(self.top_bar)

        self.demo_banner = Banner("", "warning")
        self.demo_banner.setVisible(False)
        banner_box = QVBoxLayout()
        banner_box.setContentsMargins(24, 12, 24, 0)
        banner_box.addWidget(self.demo_banner)
        main.addLayout(banner_box)

        self.stack = QStackedWidget()
        main.addWidget(self.stack, 1)

    def _navigation(self) -> QFrame:
        nav = QFrame()
        nav.setObjectName("Nav")
        nav.setFixedWidth(NAV_WIDTH)
        nav_column = QVBoxLayout(nav)
        nav_column.setContentsMargins(12, 16, 12, 16)
        nav_column.setSpacing(4)
        brand = QHBoxLayout()
        brand.setContentsMargins(8, 0, 0, 0)
        brand.setSpacing(8)
        mark = QLabel()
        mark.setPixmap(icons.app_icon().pixmap(28, 28))
        brand.addWidget(mark)
        name = plain_label(self.tr("Front Desk Social"))
        name.setProperty("heading", "3")
        brand.addWidget(name, 1)
        nav_column.addLayout(brand)
        nav_column.addSpacing(20)
        self.nav_buttons_layout = QVBoxLayout()
        self.nav_buttons_layout.setSpacing(4)
        nav_column.addLayout(self.nav_buttons_layout)
        nav_column.addStretch(1)
        self.version_label = caption(wrap=False)
        self.version_label.setContentsMargins(8, 0, 0, 0)
        nav_column.addWidget(self.version_label)
        return nav

    def _top_bar(self) -> QFrame:
        top_bar = QFrame()
        top_bar.setObjectName("TopBar")
        bar = QHBoxLayout(top_bar)
        bar.setContentsMargins(24, 10, 16, 10)
        bar.setSpacing(12)
        self.practice_label = plain_label()
        self.practice_label.setProperty("heading", "3")
        self.practice_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.practice_label, 1)
        self.avatar = Avatar("", 36)
        bar.addWidget(self.avatar)
        who = QVBoxLayout()
        who.setSpacing(0)
        self.user_label = plain_label()
        font = self.user_label.font()
        font.setBold(True)
        self.user_label.setFont(font)
        who.addWidget(self.user_label)
        self.role_label = caption(wrap=False)
        who.addWidget(self.role_label)
        bar.addLayout(who)
        bar.addSpacing(8)
        self.switch_button = button(self.tr("Switch user"), "switch-user", "ghost")
        bar.addWidget(self.switch_button)
        self.lock_button = button(self.tr("Lock"), "lock")
        bar.addWidget(self.lock_button)
        return top_bar

    def add_nav_button(self, entry: NavButton) -> None:
        self.nav_group.addButton(entry)
        self.nav_buttons_layout.addWidget(entry)

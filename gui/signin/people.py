"""How staff members are shown: their role in words and a large button to choose them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from core.staff.model import Role, StaffMember
from gui.style import Avatar, caption, plain_label


def role_label(role: Role) -> str:
    """A role in the words the practice uses."""
    labels = {
        Role.FRONT_DESK: QCoreApplication.translate("Roles", "Front desk"),
        Role.APPROVER: QCoreApplication.translate("Roles", "Office manager"),
        Role.DOCTOR: QCoreApplication.translate("Roles", "Doctor"),
        Role.ADMIN: QCoreApplication.translate("Roles", "Admin"),
    }
    return labels[role]


class PersonButton(QPushButton):
    """A large button for one staff member: initials, name and role.

    Signals: ``clicked`` (from ``QPushButton``).
    """

    def __init__(self, member: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member = member
        self.setProperty("person", "true")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(76)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(f"{member.display_name}, {role_label(member.role)}")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 12, 16, 12)
        row.setSpacing(16)
        row.addWidget(Avatar(member.initials, 48))
        text = QVBoxLayout()
        text.setSpacing(2)
        name = plain_label(member.display_name)
        name.setProperty("heading", "3")
        text.addWidget(name)
        text.addWidget(caption(role_label(member.role), wrap=False))
        row.addLayout(text, 1)
        for child in self.findChildren(QWidget):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter chooses the person too, not only Space: people expect Enter to "go".
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        super().keyPressEvent(event)

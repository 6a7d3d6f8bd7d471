"""Pages whose feature has not been built yet: they say so plainly, and what they will do."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.app import Services
from gui import icons
from gui.hub import SignalHub
from gui.page import Page
from gui.style import Badge, Card, caption, content_column, heading
from gui.tasks import TaskRunner


def planned_features() -> dict[str, str]:
    """One calm sentence per unbuilt page: what it will do."""
    t = QCoreApplication.translate
    return {
        "images": t(
            "Placeholder",
            "Check each photo for patient information in the "
            "background, such as charts, screens and name badges, and export a clean "
            "copy without hidden location data.",
        ),
        "incentives": t(
            "Placeholder",
            "Thank staff for the ideas, photos and consents they "
            "collect, for example with a coffee card after a set number of approved "
            "contributions.",
        ),
        "today": t(
            "Placeholder", "One list of everything that needs attention, most urgent first."
        ),
        "settings": t(
            "Placeholder", "The practice profile, staff, auto-lock, backups and the audit trail."
        ),
    }


class PlaceholderPage(Page):
    """A page for a feature that is not built yet. Shows no patient data.

    Signals: none beyond ``Page``'s.
    """

    def __init__(
        self,
        services: Services,
        hub: SignalHub,
        runner: TaskRunner,
        *,
        page_id: str,
        title: str,
        icon_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.page_id = page_id
        self.setObjectName(f"page-{page_id}")
        column = content_column(self)
        column.addWidget(heading(title, 1))
        card = Card()
        row = QHBoxLayout()
        row.setSpacing(20)
        mark = QLabel()
        icons.bind_pixmap(mark, icon_name, 40, "accent")
        row.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(8)
        text.addWidget(Badge(self.tr("Coming soon"), "info"), 0, Qt.AlignmentFlag.AlignLeft)
        self.status_label = heading(self.tr("This part of Front Desk Social is not built yet."), 3)
        self.status_label.setWordWrap(True)
        text.addWidget(self.status_label)
        self.plan_label = caption(planned_features().get(page_id, ""))
        text.addWidget(self.plan_label)
        row.addLayout(text, 1)
        card.body.addLayout(row)
        column.addWidget(card)
        column.addStretch(1)

"""The Settings page: a list of sections on the left, the chosen section on the right."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.staff.model import StaffMember
from gui import icons
from gui.hub import SignalHub
from gui.page import Page
from gui.settings.about import AboutSection
from gui.settings.accounts import AccountsSection
from gui.settings.audit import AuditSection
from gui.settings.backups import BackupsSection
from gui.settings.consent import ConsentSection
from gui.settings.posting import PostingSection
from gui.settings.practice import PracticeSection
from gui.settings.review_sources import ReviewSourcesSection
from gui.settings.rules import RulesSection
from gui.settings.section import Section
from gui.settings.security import SecuritySection
from gui.settings.staff import StaffSection
from gui.tasks import TaskRunner

_ICONS = {
    "practice": "settings",
    "staff": "user",
    "security": "lock",
    "rules": "clock",
    "posting": "calendar",
    "accounts": "key",
    "consent": "consent",
    "review_sources": "reviews",
    "backups": "backup",
    "audit": "shield",
    "about": "info",
}

RELOAD_ON: dict[str, tuple[str, ...]] = {
    "staff": ("staff", "audit"),
    "settings": ("security", "rules", "posting", "consent", "backups"),
    "practice": ("practice", "backups", "audit"),
    "backups": ("backups",),
    "audit": ("audit",),
    "feeds": ("review_sources",),
    "accounts": ("accounts",),
}
"""Which sections reload when ``hub.data_changed`` names an area; "restored" reloads all."""

NAV_WIDTH = 248


SectionClass = Callable[[Services, SignalHub, TaskRunner], Section]


def _section_entries() -> list[tuple[str, str, SectionClass]]:
    """(key, navigation title, class) in display order."""
    t = QCoreApplication.translate
    return [
        ("practice", t("SettingsPage", "Practice"), PracticeSection),
        ("staff", t("SettingsPage", "Staff"), StaffSection),
        ("security", t("SettingsPage", "Security"), SecuritySection),
        ("rules", t("SettingsPage", "Rules of engagement"), RulesSection),
        ("posting", t("SettingsPage", "Posting plan"), PostingSection),
        ("accounts", t("SettingsPage", "Accounts"), AccountsSection),
        ("consent", t("SettingsPage", "Consent forms"), ConsentSection),
        ("review_sources", t("SettingsPage", "Review sources"), ReviewSourcesSection),
        ("backups", t("SettingsPage", "Backups"), BackupsSection),
        ("audit", t("SettingsPage", "Audit trail"), AuditSection),
        ("about", t("SettingsPage", "About"), AboutSection),
    ]


class SettingsPage(Page):
    """Practice profile, staff, security, rules of engagement, the posting plan, platform
    accounts, consent forms, review sources, backups, the audit trail and about.
    ``show_target`` takes a section key: practice, staff, security, rules, posting, accounts,
    consent, review_sources, backups, audit, about.

    A section's widgets are built the first time it is opened, so the window starts faster.

    Signals: none of its own; sections emit ``hub.data_changed`` after saving.
    """

    page_id = "settings"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, hub, runner, parent)
        entries = _section_entries()
        self._order = [key for key, _title, _cls in entries]
        self._classes = {key: cls for key, _title, cls in entries}
        self.sections: dict[str, Section] = {}

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        nav = QWidget()
        nav.setFixedWidth(NAV_WIDTH)
        nav.setAccessibleName(self.tr("Settings sections"))
        column = QVBoxLayout(nav)
        column.setContentsMargins(16, 24, 8, 16)
        column.setSpacing(4)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        self.stack = QStackedWidget()
        for index, (key, title, _cls) in enumerate(entries):
            entry = QPushButton(title)
            entry.setProperty("nav", "true")
            entry.setCheckable(True)
            icons.bind_icon(entry, _ICONS[key], "muted", on_color="accent")
            self.group.addButton(entry, index)
            self.buttons[key] = entry
            column.addWidget(entry)
        column.addStretch(1)
        row.addWidget(nav)
        row.addWidget(self.stack, 1)
        self.group.idToggled.connect(self._toggled)
        self.buttons["practice"].setChecked(True)
        hub.data_changed.connect(self._on_data_changed)

    # --- Page --------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        for section in self.sections.values():
            section.set_user(member)
        if member is not None:
            self.refresh()

    def refresh(self) -> None:
        self.current_section().refresh()

    def show_target(self, target: str) -> None:
        if target in self.buttons:
            self.buttons[target].setChecked(True)

    # --- sections ----------------------------------------------------------------------
    def current_section(self) -> Section:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Section)
        return widget

    def section(self, key: str) -> Section:
        """The section ``key``, built now if it was never opened."""
        section = self.sections.get(key)
        if section is None:
            section = self._classes[key](self.services, self.hub, self.runner)
            section.set_user(self.user)
            self.sections[key] = section
            self.stack.addWidget(section)
        return section

    def _toggled(self, index: int, checked: bool) -> None:
        if not checked:
            return
        section = self.section(self._order[index])
        self.stack.setCurrentWidget(section)
        if self.user is not None and not section.loaded:
            section.refresh()

    def _on_data_changed(self, area: str) -> None:
        keys = tuple(self.sections) if area == "restored" else RELOAD_ON.get(area, ())
        current = self.current_section()
        for key in keys:
            section = self.sections.get(key)
            if section is None:
                continue  # never opened: it loads fresh when it is
            if section is current:
                section.refresh()
            elif not section.dirty:
                section.loaded = False

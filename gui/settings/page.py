"""The Settings page: a list of sections on the left, the chosen section on the right."""

from __future__ import annotations

from collections.abc import Callable

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
from gui.settings.audit import AuditSection
from gui.settings.backups import BackupsSection
from gui.settings.practice import PracticeSection
from gui.settings.rules import RulesSection
from gui.settings.section import Section
from gui.settings.security import SecuritySection
from gui.settings.staff import StaffSection
from gui.tasks import TaskRunner

_ICONS = {
    "practice": "settings", "staff": "user", "security": "lock", "rules": "clock",
    "backups": "backup", "audit": "shield", "about": "info",
}

RELOAD_ON: dict[str, tuple[str, ...]] = {
    "staff": ("staff", "audit"),
    "settings": ("security", "rules", "backups"),
    "practice": ("practice", "backups", "audit"),
    "backups": ("backups",),
    "audit": ("audit",),
}
"""Which sections reload when ``hub.data_changed`` names an area; "restored" reloads all."""

NAV_WIDTH = 248


class SettingsPage(Page):
    """Practice profile, staff, security, rules of engagement, backups, the audit trail and
    about. ``show_target`` takes a section key: practice, staff, security, rules, backups,
    audit, about.

    Signals: none of its own; sections emit ``hub.data_changed`` after saving.
    """

    page_id = "settings"

    def __init__(self, services: Services, hub: SignalHub, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, hub, runner, parent)
        self.sections: dict[str, Section] = {}
        classes: tuple[Callable[[Services, SignalHub, TaskRunner], Section], ...] = (
            PracticeSection, StaffSection, SecuritySection, RulesSection, BackupsSection,
            AuditSection, AboutSection)
        for cls in classes:
            section = cls(services, hub, runner)
            self.sections[section.key] = section

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
        for index, (key, section) in enumerate(self.sections.items()):
            entry = QPushButton(section.title_label.text())
            entry.setProperty("nav", "true")
            entry.setCheckable(True)
            icons.bind_icon(entry, _ICONS[key], "muted", on_color="accent")
            self.group.addButton(entry, index)
            self.buttons[key] = entry
            column.addWidget(entry)
            self.stack.addWidget(section)
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
        return self.sections[key]

    def _toggled(self, index: int, checked: bool) -> None:
        if not checked:
            return
        self.stack.setCurrentIndex(index)
        section = self.current_section()
        if self.user is not None and not section.loaded:
            section.refresh()

    def _on_data_changed(self, area: str) -> None:
        keys = tuple(self.sections) if area == "restored" else RELOAD_ON.get(area, ())
        current = self.current_section()
        for key in keys:
            section = self.sections[key]
            if section is current:
                section.refresh()
            elif not section.dirty:
                section.loaded = False

"""The Today page: one list of what needs attention, most urgent first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import shiboken6
from PySide6.QtCore import QDate, QLocale, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.app import Services
from core.staff.model import StaffMember
from core.today.model import AttentionItem
from core.today.service import effective_severity
from gui.hub import SignalHub
from gui.page import Page
from gui.tasks import TaskRunner
from gui.today.models import TodayModel, TodayRole
from gui.today.view import AttentionRow, TodayView
from gui.today.wording import app_locale, severity_label

REWORD_INTERVAL_MS = 60_000
"""How often a visible Today page reloads, so "due in 5 minutes" stays true."""


def first_name(display_name: str) -> str:
    """The name to greet someone by: the first word that is not a title like "Dr."."""
    words = display_name.split()
    for w in words:
        if not w.endswith("."):
            return w
    return words[0] if words else ""


def practice_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class TodayPage(Page):
    """What needs attention today, contributed by every feature through ``services.today``.

    Reloads when shown, on any ``hub.data_changed``, and every minute while visible. Shows
    nothing but an empty page while nobody is signed in.

    Signals: none of its own; an item's button emits ``hub.navigate(page, target)``.
    """

    page_id = "today"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.model = TodayModel(self)
        self.view = TodayView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.model.modelReset.connect(self._rebuild)
        self.loaded = False
        self._generation = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REWORD_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        hub.data_changed.connect(self._on_data_changed)
        self.view.stack.setCurrentWidget(self.view.blank)

    # --- Page --------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        self._generation += 1
        self.loaded = False
        self.model.clear()
        self._show_header(None)
        self.view.summary.clear()
        self.view.stack.setCurrentWidget(self.view.blank)
        if member is not None:
            self.refresh()

    def refresh(self) -> None:
        if self.user is None:
            return
        self._generation += 1
        generation = self._generation
        services = self.services
        viewer = self.user

        def load() -> tuple[list[AttentionItem], str, datetime]:
            return (
                services.today.items(viewer),
                services.practice.practice().value.timezone,
                services.clock.now(),
            )

        def done(result: tuple[list[AttentionItem], str, datetime]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation or self.user is None:
                return
            items, zone, now = result
            # Show the severity core sorted by (overdue items move up a step), so the badge
            # explains the order.
            items = [replace(i, severity=effective_severity(i, now)) for i in items]
            tz = practice_zone(zone)
            self._show_header(now.astimezone(tz))
            self.model.set_items(items, now, tz)
            self.loaded = True

        self.runner.run(load, done, self._failed)

    # --- internals ---------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        self.hub.error.emit(exc)

    def _on_data_changed(self, _area: str) -> None:
        self.refresh()

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def _show_header(self, local_now: datetime | None) -> None:
        if local_now is None or self.user is None:
            self.view.greeting.setText(self.tr("Today"))
            self.view.date_label.clear()
            return
        name = first_name(self.user.display_name)
        if local_now.hour < 12:
            text = self.tr("Good morning, {name}")
        elif local_now.hour < 18:
            text = self.tr("Good afternoon, {name}")
        else:
            text = self.tr("Good evening, {name}")
        self.view.greeting.setText(text.format(name=name))
        day = QDate(local_now.year, local_now.month, local_now.day)
        self.view.date_label.setText(app_locale().toString(day, QLocale.FormatType.LongFormat))

    def _rebuild(self) -> None:
        self.view.clear_rows()
        count = self.model.rowCount()
        if count == 0:
            if self.user is None:
                self.view.summary.clear()
                self.view.stack.setCurrentWidget(self.view.blank)
                return
            self.view.summary.clear()
            self.view.empty.set_text(
                self.tr("All caught up"),
                self.tr(
                    "Nothing needs your attention right now. New items appear here "
                    "as soon as they come up."
                ),
            )
            self.view.stack.setCurrentWidget(self.view.empty)
            return
        self.view.summary.setText(
            self.tr("1 thing needs attention")
            if count == 1
            else self.tr("{n} things need attention").format(n=count)
        )
        for row in range(count):
            index = self.model.index(row)
            item: AttentionItem = index.data(TodayRole.ITEM)
            widget = AttentionRow(
                item,
                severity_text=severity_label(item.severity),
                title=index.data(),
                detail=index.data(TodayRole.DETAIL),
                action=index.data(TodayRole.ACTION),
                due=index.data(TodayRole.DUE),
                due_at=index.data(TodayRole.DUE_AT),
                overdue=index.data(TodayRole.OVERDUE),
            )
            widget.activated.connect(self._go)
            self.view.add_row(widget)
        self.view.stack.setCurrentWidget(self.view.list_widget)

    def _go(self, item: AttentionItem) -> None:
        self.hub.navigate.emit(item.page, item.target or "")

"""What every tab of the Incentives page shares: the context loaded once (staff, the point
rules, today), and running service calls off the GUI thread with stale answers dropped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLayout, QWidget

from core.app import Services
from core.incentives.model import PointRules
from core.practice.service import Versioned
from core.staff.model import Permission, StaffMember
from core.staff.rules import can
from gui import errors
from gui.incentives.wording import custom_names
from gui.tasks import TaskRunner
from gui.widgets import Banner

DATA_AREA = "incentives"
"""The ``hub.data_changed`` area for contributions, rewards, redemptions, goals and rules."""


@dataclass(frozen=True, slots=True)
class IncentiveContext:
    """Loaded once per refresh, on a worker: who works here, the point rules, and today's date
    in the practice's time zone."""

    staff: tuple[StaffMember, ...] = ()
    rules: Versioned[PointRules] | None = None
    today: date = field(default_factory=date.today)

    @property
    def names(self) -> dict[int, str]:
        return {m.id: m.display_name for m in self.staff}

    @property
    def custom(self) -> dict[str, str]:
        return custom_names(self.rules.value if self.rules is not None else None)

    def name_of(self, staff_id: int | None) -> str:
        if staff_id is None:
            return ""
        return self.names.get(staff_id, f"#{staff_id}")


def load_context(services: Services) -> IncentiveContext:
    """The context (on a worker: it reads the database)."""
    incentives = services.incentives
    tz = ZoneInfo(services.practice.practice().value.timezone)
    return IncentiveContext(
        staff=tuple(services.staff.list(include_inactive=True)),
        rules=incentives.rules(),
        today=services.clock.now().astimezone(tz).date(),
    )


def clear_layout(layout: QLayout) -> None:
    """Take every widget out of ``layout`` and delete it (a list shown again from scratch)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def may_manage(member: StaffMember | None) -> bool:
    """Whether ``member`` may manage incentives (the service checks again)."""
    return member is not None and can(member.role, Permission.MANAGE_INCENTIVES)


class IncentiveTab(QWidget):
    """A tab of the Incentives page: ``set_user``, ``set_context`` and ``reload``; service
    calls go through ``call``, whose answers are dropped once the user changed (lock, switch)
    or the widget is gone.

    Signals:
        changed(): this tab changed something; the page tells every view (``data_changed``).
    """

    changed = Signal()
    notice: Banner
    """What was just done, in a sentence (made by ``_make_notice`` in the tabs that say so)."""

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.user: StaffMember | None = None
        self.context = IncentiveContext()
        self.loaded = False
        self.dialog: QDialog | None = None
        """The dialog this tab has open (rejected at sign-out)."""
        self._generation = 0

    @property
    def can_manage(self) -> bool:
        return may_manage(self.user)

    def set_user(self, member: StaffMember | None) -> None:
        self.user = member
        self._generation += 1
        self.loaded = False
        if member is None:
            self.context = IncentiveContext()
            self.clear()

    def set_context(self, context: IncentiveContext) -> None:
        self.context = context

    def clear(self) -> None:
        """Drop everything shown (sign-out, lock)."""

    def reload(self) -> None:
        """Load what the tab shows (off the GUI thread)."""

    def call(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn`` on a worker; ``on_success`` (or ``on_failure``, else an error dialog)
        only while the same person is signed in."""
        generation = self._generation

        def current() -> bool:
            return shiboken6.isValid(self) and generation == self._generation and bool(self.user)

        def failed(exc: BaseException) -> None:
            if not current():
                return
            if on_failure is not None:
                on_failure(exc)
            else:
                errors.show_error(self, exc)

        self.runner.run(fn, lambda result: on_success(result) if current() else None, failed)

    def _open(self, dialog: QDialog) -> None:
        """Open ``dialog`` window-modal as ``self.dialog`` until it closes."""
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _make_notice(self) -> Banner:
        """The tab's ``notice``, hidden until there is something to say."""
        self.notice = Banner("", "success")
        self.notice.hide()
        return self.notice

    def _show_notice(self, text: str) -> None:
        self.notice.set_text(text)
        self.notice.setVisible(bool(text))

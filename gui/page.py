"""The base class of the pages in the main window's navigation."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from core.app import Services
from core.staff.model import StaffMember
from gui.hub import SignalHub
from gui.tasks import TaskRunner


class Page(QWidget):
    """One page of the main window (Today, Composer, … Settings).

    The window creates every page once with the injected services, the hub and the task runner,
    and calls ``set_user`` on sign-in (``None`` on lock or sign-out: a page must then drop
    anything PHI-bearing it shows), ``refresh`` when the page is shown, and ``show_target`` when
    a Today item or another page asks to jump to something on it.
    """

    page_id = ""

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.hub = hub
        self.runner = runner
        self.user: StaffMember | None = None

    def set_user(self, member: StaffMember | None) -> None:
        self.user = member

    def refresh(self) -> None:
        """Reload what the page shows (off the GUI thread through ``self.runner``)."""

    def show_target(self, target: str) -> None:
        """Scroll to or open ``target`` (a section name or an item id)."""

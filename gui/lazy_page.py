"""A navigation entry whose page is built the first time it is shown, so start-up does not pay
for pages nobody opened yet (the composer's PHI scanner and platform rules cost ~100 ms)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.app import Services
from core.staff.model import StaffMember
from gui.hub import SignalHub
from gui.page import Page
from gui.tasks import TaskRunner

PageBuilder = Callable[[Services, SignalHub, TaskRunner], Page]


class LazyPage(Page):
    """Stands in for the page ``build`` makes, and makes it on first ``refresh``,
    ``show_target`` or show. ``set_user`` reaches it once it exists (and at build).

    Signals: none beyond ``Page``'s.
    """

    def __init__(
        self,
        services: Services,
        hub: SignalHub,
        runner: TaskRunner,
        *,
        page_id: str,
        build: PageBuilder,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.page_id = page_id
        self.setObjectName(f"page-{page_id}-holder")
        self._build = build
        self.inner: Page | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> Page:
        """The real page, built now if it was not yet."""
        if self.inner is None:
            self.inner = self._build(self.services, self.hub, self.runner)
            self._layout.addWidget(self.inner)
            self.inner.set_user(self.user)
        return self.inner

    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        if self.inner is not None:
            self.inner.set_user(member)

    def refresh(self) -> None:
        self.ensure().refresh()

    def show_target(self, target: str) -> None:
        self.ensure().show_target(target)

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure()
        super().showEvent(event)

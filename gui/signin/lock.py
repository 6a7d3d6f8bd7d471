"""The lock screen: replaces the pages while nobody is at the desk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from core.app import Services
from core.staff.model import StaffMember
from gui import errors
from gui.signin.view import LockView
from gui.tasks import TaskRunner


class LockScreen(LockView):
    """Asks the person who was signed in for their PIN, or lets someone else sign in.

    Signals:
        unlocked(object): the ``StaffMember`` who unlocked with the right PIN.
        switch_user(): someone else wants to sign in.
    """

    unlocked = Signal(object)
    switch_user = Signal()

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._member: StaffMember | None = None
        self.pin_form.submitted.connect(self._check_pin)
        self.switch_button.clicked.connect(self.switch_user)

    @property
    def member(self) -> StaffMember | None:
        return self._member

    def show_for(self, member: StaffMember, locked_at: datetime, automatic: bool) -> None:
        """Prepare the screen for ``member``, locked at ``locked_at``."""
        self._member = member
        self.pin_form.reset()
        self.avatar.set_initials(member.initials)
        self.name_label.setText(member.display_name)
        time = errors.local_time(locked_at)
        if automatic:
            text = self.tr(
                "Locked automatically at {time} because nobody used the app. "
                "Patient information stays hidden until someone signs in."
            )
        else:
            text = self.tr(
                "Locked at {time}. Patient information stays hidden until someone signs in."
            )
        self.explanation.setText(text.format(time=time))
        self.pin_form.focus()

    def _check_pin(self, pin: str) -> None:
        member = self._member
        if member is None:
            return
        staff = self._services.staff
        self.pin_form.set_busy(True)
        self._runner.run(
            lambda: staff.sign_in(member.id, pin, unlock=True), self._succeeded, self._failed
        )

    def _succeeded(self, member: Any) -> None:
        self.pin_form.reset()
        self.unlocked.emit(member)

    def _failed(self, exc: BaseException) -> None:
        self.pin_form.show_failure(exc)

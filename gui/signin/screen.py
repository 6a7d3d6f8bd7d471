"""The sign-in screen: choose yourself from the staff list, then type your PIN."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from core.app import Services
from core.demo import DEMO_PIN
from core.staff.model import StaffMember
from gui import errors
from gui.signin.people import PersonButton, role_label
from gui.signin.view import SignInView
from gui.tasks import TaskRunner

_COLUMNS = 2


class SignInScreen(SignInView):
    """Lists the active staff as large buttons; after a choice, asks for that person's PIN
    and checks it off the GUI thread.

    Signals:
        signed_in(object): the ``core.staff.model.StaffMember`` whose PIN was right.
    """

    signed_in = Signal(object)

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._member: StaffMember | None = None
        self._people: list[StaffMember] = []
        self.person_buttons: list[PersonButton] = []
        if services.demo:
            self.demo_hint.setText(
                self.tr("Demo practice: every PIN is {pin}").format(pin=DEMO_PIN)
            )
            self.demo_hint.setVisible(True)
        self.pin_form.submitted.connect(self._check_pin)
        self.back_button.clicked.connect(self.show_people)

    @property
    def member(self) -> StaffMember | None:
        """The person chosen, whose PIN is asked for (``None`` on the list)."""
        return self._member

    def reload(self) -> None:
        """Load the practice name and the active staff (off the GUI thread)."""
        services = self._services
        self.status_label.setText(self.tr("Loading…"))

        def load() -> tuple[str, list[StaffMember]]:
            return services.practice.practice().value.name, services.staff.list()

        self._runner.run(load, self._loaded, self._load_failed)

    def _loaded(self, result: Any) -> None:
        practice_name, people = result
        self.practice_label.setText(practice_name)
        self.status_label.clear()
        self._people = list(people)
        for old in self.person_buttons:
            old.deleteLater()
        self.person_buttons = []
        for index, member in enumerate(self._people):
            person = PersonButton(member)
            person.clicked.connect(lambda _checked=False, m=member: self.choose(m))
            self.people_grid.addWidget(person, index // _COLUMNS, index % _COLUMNS)
            self.person_buttons.append(person)
        if not self._people:
            self.status_label.setText(
                self.tr(
                    "Nobody can sign in: every staff member is deactivated. Ask whoever looks "
                    "after this app for help."
                )
            )
        if len(self._people) == 1:
            self.choose(self._people[0])
        else:
            self.show_people()

    def _load_failed(self, exc: BaseException) -> None:
        self.status_label.setText(self.tr("The staff list could not be loaded."))
        errors.show_error(self, exc)

    def show_people(self) -> None:
        """Back to the list of people."""
        self._member = None
        self.pin_form.reset()
        self.title.setText(self.tr("Who is at the desk?"))
        self.steps.setCurrentWidget(self.people_page)
        if self.person_buttons:
            self.person_buttons[0].setFocus()

    def choose(self, member: StaffMember) -> None:
        """Ask for ``member``'s PIN."""
        self._member = member
        self.pin_form.reset()
        self.title.setText(self.tr("Sign in"))
        self.avatar.set_initials(member.initials)
        self.name_label.setText(member.display_name)
        self.role_label.setText(role_label(member.role))
        self.back_button.setVisible(len(self._people) != 1)
        self.steps.setCurrentWidget(self.pin_page)
        self.pin_form.focus()

    def _check_pin(self, pin: str) -> None:
        member = self._member
        if member is None:
            return
        staff = self._services.staff
        self.pin_form.set_busy(True)
        self._runner.run(lambda: staff.sign_in(member.id, pin), self._succeeded, self._failed)

    def _succeeded(self, member: Any) -> None:
        self.pin_form.reset()
        self.signed_in.emit(member)

    def _failed(self, exc: BaseException) -> None:
        self.pin_form.show_failure(exc)

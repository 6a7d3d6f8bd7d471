"""The first-run setup: practice, first admin, recovery key; then that admin is signed in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.errors import KnownError
from core.practice.model import Practice
from core.practice.service import Versioned
from core.staff.model import StaffMember
from gui import errors
from gui.setup import recovery
from gui.setup.steps import AdminStep, PracticeStep, RecoveryStep
from gui.style import Badge, button, caption, heading, plain_label, repolish, separator
from gui.tasks import TaskRunner
from gui.widgets import app_mark


def create_practice(services: Services, practice: Practice, name: str, pin: str) -> StaffMember:
    """Save the practice, create the first admin and sign them in (runs off the GUI thread).

    Saving over a half-finished earlier attempt is allowed: the practice is read first so its
    version matches."""
    current = services.practice.practice()
    services.practice.save_practice(None, Versioned(practice, current.version))
    admin = services.staff.create_first_admin(name, pin)
    return services.staff.sign_in(admin.id, pin)


WIZARD_WIDTH = 860


class SetupWizard(QDialog):
    """Walks through the first start. Never blocks in tests: show it, fill the steps, press
    the buttons; ``ask()`` is the blocking convenience for ``main``.

    Signals:
        completed(object): the new admin ``StaffMember``, signed in.
    """

    completed = Signal(object)

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._busy = False
        self.admin: StaffMember | None = None
        self.setWindowTitle(self.tr("Set up Front Desk Social"))
        self.resize(760, 640)
        # One centred column, so a maximised wizard does not stretch its fields edge to edge.
        root = QHBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        holder = QWidget()
        holder.setMaximumWidth(WIZARD_WIDTH)
        root.addStretch(1)
        root.addWidget(holder, 20)
        root.addStretch(1)
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.setSpacing(16)
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addWidget(app_mark(40))
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(heading(self.tr("Welcome to Front Desk Social"), 1))
        titles.addWidget(caption(self.tr("A few details, and the practice is ready.")))
        header.addLayout(titles, 1)
        self.step_badge = Badge("", "neutral")
        header.addWidget(self.step_badge, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)
        outer.addWidget(separator())

        self.practice_step = PracticeStep()
        self.admin_step = AdminStep()
        notice = services.recovery_notice
        self.recovery_step = RecoveryStep(notice.recovery_key) if notice else None
        self.stack = QStackedWidget()
        for step in self.steps:
            self.stack.addWidget(step)
        outer.addWidget(self.stack, 1)
        self.error_label = plain_label(wrap=True)
        self.error_label.setProperty("error", "true")
        self.error_label.setVisible(False)
        outer.addWidget(self.error_label)
        outer.addLayout(self._footer())
        if self.recovery_step is not None:
            self.recovery_step.confirm_check.toggled.connect(self._update_buttons)
            self.recovery_step.copy_button.clicked.connect(self._copy_key)
            self.recovery_step.print_button.clicked.connect(self._print_key)
        self._update_buttons()

    def _footer(self) -> QHBoxLayout:
        footer = QHBoxLayout()
        footer.setSpacing(8)
        self.back_button = button(self.tr("Back"))
        footer.addWidget(self.back_button)
        footer.addStretch(1)
        self.next_button = button(self.tr("Next"), "chevron-right", "primary")
        self.next_button.setDefault(True)
        footer.addWidget(self.next_button)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        return footer

    @property
    def steps(self) -> list[QWidget]:
        steps: list[QWidget] = [self.practice_step, self.admin_step]
        if self.recovery_step is not None:
            steps.append(self.recovery_step)
        return steps

    @property
    def step_index(self) -> int:
        return self.stack.currentIndex()

    def _on_last_step(self) -> bool:
        return self.step_index == len(self.steps) - 1

    def _update_buttons(self) -> None:
        last = self._on_last_step()
        self.step_badge.setText(
            self.tr("Step {n} of {total}").format(n=self.step_index + 1, total=len(self.steps))
        )
        self.back_button.setVisible(self.step_index > 0)
        self.back_button.setEnabled(not self._busy)
        if self._busy:
            self.next_button.setText(self.tr("Setting up…"))
        else:
            self.next_button.setText(self.tr("Finish") if last else self.tr("Next"))
        confirmed = (
            self.recovery_step is None or not last or self.recovery_step.confirm_check.isChecked()
        )
        self.next_button.setEnabled(confirmed and not self._busy)

    def _show_problem(self, problem: tuple[str, QWidget] | None) -> bool:
        fields: list[QWidget] = [
            self.practice_step.name_edit,
            self.practice_step.timezone_combo,
            self.admin_step.name_edit,
            self.admin_step.pin_edit,
            self.admin_step.confirm_edit,
        ]
        for field in fields:
            if field.property("error") == "true":
                field.setProperty("error", "false")
                repolish(field)
        if problem is None:
            self.error_label.setVisible(False)
            return False
        text, field = problem
        self.error_label.setText(text)
        self.error_label.setVisible(True)
        field.setProperty("error", "true")
        repolish(field)
        field.setFocus()
        return True

    def back(self) -> None:
        if self.step_index > 0 and not self._busy:
            self._show_problem(None)
            self.stack.setCurrentIndex(self.step_index - 1)
            self._update_buttons()

    def next(self) -> None:
        """Check the current step, then go on (or finish on the last step)."""
        if self._busy:
            return
        step = self.stack.currentWidget()
        if isinstance(step, PracticeStep | AdminStep) and self._show_problem(step.problem()):
            return
        if self._on_last_step():
            self.finish()
            return
        self.stack.setCurrentIndex(self.step_index + 1)
        self._update_buttons()
        if self.stack.currentWidget() is self.admin_step:
            self.admin_step.name_edit.setFocus()

    def finish(self) -> None:
        """Save everything off the GUI thread; ``completed`` follows on success."""
        for index, step in enumerate(self.steps[:2]):
            assert isinstance(step, PracticeStep | AdminStep)
            problem = step.problem()
            if problem is not None:
                self.stack.setCurrentIndex(index)
                self._update_buttons()
                self._show_problem(problem)
                return
        services = self._services
        practice = self.practice_step.practice()
        name, pin = self.admin_step.display_name, self.admin_step.pin
        self._busy = True
        self._update_buttons()
        self._runner.run(
            lambda: create_practice(services, practice, name, pin), self._finished, self._failed
        )

    def _finished(self, admin: Any) -> None:
        self._busy = False
        self.admin = admin
        self.completed.emit(admin)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._update_buttons()
        if isinstance(exc, KnownError):
            title, text = errors.message_for(exc)
            self.error_label.setText(f"{title}. {text}")
            self.error_label.setVisible(True)
        else:
            errors.show_error(self, exc)

    def _copy_key(self) -> None:
        if self.recovery_step is not None:
            QGuiApplication.clipboard().setText(self.recovery_step.recovery_key)
            self.recovery_step.copy_button.setText(self.tr("Copied"))

    def _print_key(self) -> None:
        if self.recovery_step is not None:
            recovery.print_recovery_key(
                self, self.recovery_step.recovery_key, self.practice_step.practice().name
            )

    def reject(self) -> None:
        if not self._busy:
            super().reject()

    @classmethod
    def ask(
        cls, parent: QWidget | None, services: Services, runner: TaskRunner
    ) -> StaffMember | None:
        """Run the wizard modally; the signed-in admin, or ``None`` when cancelled."""
        wizard = cls(services, runner, parent)
        wizard.exec()
        return wizard.admin

"""What every Settings section shares: a title, a permission note, an inline notice, field
errors next to their fields, and calls into services through the task runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.errors import EditConflict, KnownError, ValidationError
from core.practice.service import Versioned
from core.staff.model import Permission, Role, StaffMember
from core.staff.rules import can
from gui.errors import message_for
from gui.hub import SignalHub
from gui.settings import messages
from gui.style import Banner, caption, heading, repolish
from gui.tasks import TaskHandle, TaskRunner
from gui.widgets import scrolling_column

T = TypeVar("T")

CONTENT_WIDTH = 820
"""Sections are at most this wide: forms stretched across a wide screen are hard to scan."""
FORM_LABEL_WIDTH = 150
"""Form labels share one width, so fields line up from card to card."""


def read_only_note(permission: Permission) -> str:
    """ "Only an admin …" or "Only a manager or admin …", from who holds the permission."""
    if all(role is Role.ADMIN or not can(role, permission) for role in Role):
        return messages.tr("Only an admin can change this.")
    return messages.tr("Only a manager or admin can change this.")


def unit_spin(minimum: int, maximum: int, one: str, many: str) -> QSpinBox:
    """A narrow spin box whose unit follows the number ("1 day", "14 days")."""
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setMaximumWidth(220)
    spin.setMinimumWidth(160)

    def suffix(value: int) -> None:
        spin.setSuffix(one if value == 1 else many)

    spin.valueChanged.connect(suffix)
    suffix(spin.value())
    return spin


def make_table(model: QAbstractItemModel, min_height: int) -> QTableView:
    """A read-only, row-selecting table in the house style."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setMinimumHeight(min_height)
    return table


class FieldErrors:
    """Error labels under form fields, keyed by the field names core puts in
    ``ValidationError.params['field']``."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def add_row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> QWidget:
        """Add ``widget`` to ``form`` with an error label under it; returns the row widget."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(widget)
        error = self.attach(field, widget)
        column.addWidget(error)
        label_widget = QLabel(label)
        label_widget.setMinimumWidth(FORM_LABEL_WIDTH)
        # Line the label up with the text inside the field, not with the field's border.
        label_widget.setContentsMargins(0, 7, 0, 0)
        label_widget.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.addRow(label_widget, holder)
        return holder

    def attach(self, field: str, widget: QWidget) -> QLabel:
        """An error label for ``field`` (hidden until ``show``); place it near ``widget``."""
        error = caption()
        error.setProperty("fieldError", "true")
        error.setStyleSheet("color: palette(bright-text);")
        error.hide()
        self._fields[field] = (widget, error)
        return error

    def show(self, field: str, text: str) -> bool:
        """Show ``text`` under ``field``; ``False`` when this form has no such field."""
        if field not in self._fields:
            return False
        widget, error = self._fields[field]
        widget.setProperty("error", "true")
        repolish(widget)
        error.setText(text)
        error.show()
        widget.setFocus()
        return True

    def text(self, field: str) -> str:
        """The error shown under ``field``, or ""."""
        error = self._fields[field][1]
        return "" if error.isHidden() else error.text()

    def clear(self) -> None:
        for widget, error in self._fields.values():
            if widget.property("error") == "true":
                widget.setProperty("error", "false")
                repolish(widget)
            error.clear()
            error.hide()


class Section(QWidget):
    """One Settings section. Subclasses set ``key``, build their cards into ``content`` and
    implement ``load`` (read through ``call``) and ``apply_permissions``.

    ``refresh`` reloads unless the section holds unsaved edits (``dirty``); after a save,
    other sections hear ``hub.data_changed`` and reload.

    Signals: none of its own.
    """

    key = ""

    def __init__(
        self,
        services: Services,
        hub: SignalHub,
        runner: TaskRunner,
        *,
        title: str,
        intro: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.hub = hub
        self.runner = runner
        self.user: StaffMember | None = None
        self.loaded = False
        self._generation = 0
        self._last_user_id: int | None = None
        self._discard_edits = False
        self.field_errors = FieldErrors()

        column = scrolling_column(self)
        head = QVBoxLayout()
        head.setSpacing(4)
        self.title_label = heading(title, 2)
        head.addWidget(self.title_label)
        self.intro_label = caption(intro)
        self.intro_label.setVisible(bool(intro))
        head.addWidget(self.intro_label)
        column.addLayout(head)
        self.note = Banner("", "info")
        self.note.hide()
        column.addWidget(self.note)
        self._notice_slot = QVBoxLayout()
        self._notice_slot.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._notice_slot)
        self.notice: Banner | None = None
        self.content = QVBoxLayout()
        self.content.setSpacing(16)
        column.addLayout(self.content)

    # --- state -------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """Whether the section holds edits not saved yet."""
        return False

    def permitted(self, permission: Permission) -> bool:
        return self.user is not None and can(self.user.role, permission)

    def set_user(self, member: StaffMember | None) -> None:
        """Locking keeps unsaved edits for the person who unlocks; anyone else starts from
        what is saved (never saving someone else's half-finished edit under their name)."""
        self.user = member
        self._generation += 1
        self.loaded = False
        if member is not None and member.id != self._last_user_id:
            self._last_user_id = member.id
            self._discard_edits = True
            self.clear_notice()
            self.field_errors.clear()
        self.apply_permissions()

    def refresh(self, *, force: bool = False) -> None:
        """Reload from services, unless edits are pending (``force`` drops them)."""
        if self.user is None or (self.dirty and not (force or self._discard_edits)):
            return
        self._discard_edits = False
        self.field_errors.clear()
        self.load()

    def load(self) -> None:
        """Read what the section shows (through ``call``)."""

    def apply_permissions(self) -> None:
        """Enable or hide controls for ``self.user``."""

    def show_read_only(self, text: str | None) -> None:
        """Show or hide the note that explains why the section is read-only."""
        self.note.set_text(text or "")
        self.note.setVisible(bool(text))

    # --- talking to services -----------------------------------------------------------
    def call(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> TaskHandle:
        """Run ``fn`` off the GUI thread; results for a previous user are dropped."""
        generation = self._generation

        def ok(result: Any) -> None:
            if self._current(generation):
                on_success(result)

        def fail(exc: BaseException) -> None:
            if self._current(generation):
                (on_failure or self.handle_error)(exc)

        return self.runner.run(fn, ok, fail)

    def save_versioned(
        self,
        save: Callable[[StaffMember, Versioned[T]], Versioned[T]],
        value: Versioned[T],
        *,
        button: QPushButton,
        saved_text: str,
        stored: Callable[[Versioned[T]], None],
        edited: Callable[[], None],
    ) -> None:
        """Save a versioned practice setting as the signed-in person, off the GUI thread:
        ``button`` is disabled meanwhile; on success ``stored`` gets the new version, the
        section says ``saved_text`` and tells everyone ``settings`` changed; a conflict or a
        refused field is shown as every section shows it. ``edited`` refreshes the
        Save/Undo buttons either way."""
        user = self.user
        if user is None:
            return
        self.field_errors.clear()
        self.clear_notice()
        button.setEnabled(False)

        def saved(result: Versioned[T]) -> None:
            stored(result)
            edited()
            self.notify(saved_text)
            self.hub.data_changed.emit("settings")

        def failed(exc: BaseException) -> None:
            edited()
            self.handle_error(exc)

        self.call(lambda: save(user, value), saved, failed)

    def call_with_progress(
        self,
        label: str,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> TaskHandle:
        """Like ``call``, with the runner's cancellable progress dialog (for long work)."""
        generation = self._generation

        def ok(result: Any) -> None:
            if self._current(generation):
                on_success(result)

        def fail(exc: BaseException) -> None:
            if self._current(generation):
                (on_failure or self.handle_error)(exc)

        return self.runner.run_with_progress(self, label, fn, ok, fail)

    def _current(self, generation: int) -> bool:
        """Whether a result is still wanted: same user, and the section not deleted (a
        result can arrive after the window closed)."""
        return shiboken6.isValid(self) and generation == self._generation

    def handle_error(self, exc: BaseException) -> None:
        """Edit conflicts reload; validation errors go next to their field; other known
        errors become an inline notice; anything else is a bug for the window to report."""
        if isinstance(exc, EditConflict):
            self.notify(
                messages.tr(
                    "Someone else saved a change here while you were editing, so your change was "
                    "not saved. Their version is shown now; make your change again if it is still "
                    "needed."
                ),
                "warning",
            )
            self.refresh(force=True)
        elif isinstance(exc, ValidationError):
            field = str(exc.params.get("field", ""))
            text = messages.field_message(field)
            if not self.field_errors.show(field, text):
                self.notify(text, "danger")
        elif isinstance(exc, KnownError):
            title, text = message_for(exc)
            self.notify(text or title, "danger")
        else:
            self.hub.error.emit(exc)

    # --- inline notice -----------------------------------------------------------------
    def notify(self, text: str, tone: str = "success") -> None:
        """Show one inline message at the top of the section (replacing the previous one)."""
        self.clear_notice()
        self.notice = Banner(text, tone)
        self._notice_slot.addWidget(self.notice)

    def clear_notice(self) -> None:
        if self.notice is not None:
            self._notice_slot.removeWidget(self.notice)
            self.notice.hide()
            self.notice.deleteLater()
            self.notice = None

    def notice_text(self) -> str:
        return self.notice.text_label.text() if self.notice is not None else ""

"""Settings → Staff: the admin adds, edits, deactivates people and resets PINs; everyone can
change their own PIN."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QWidget

from core.app import Services
from core.errors import InvalidPin, WrongPin
from core.staff.model import Permission, StaffMember
from gui.errors import pin_problem_text
from gui.hub import SignalHub
from gui.settings.dialogs import PinDialog, StaffDialog
from gui.settings.messages import tr
from gui.settings.models import StaffColumn, StaffModel
from gui.settings.section import Section, make_table
from gui.style import Card, button, caption
from gui.tasks import TaskRunner


class StaffSection(Section):
    """Who can sign in, with which role. Signals: none (emits ``hub.data_changed("staff")``
    after a change)."""

    key = "staff"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Staff"),
            intro=tr(
                "Everyone who uses the app signs in with their own name and PIN, so every action "
                "is recorded under the right person."
            ),
            parent=parent,
        )
        self.model = StaffModel(self)

        self.list_card = Card(tr("Staff members"))
        self.add_button = button(tr("Add person…"), "plus", "primary")
        self.list_card.header.addWidget(self.add_button)
        self.table = make_table(self.model, 220)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(StaffColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(StaffColumn.ROLE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StaffColumn.STATUS, QHeaderView.ResizeMode.ResizeToContents)
        self.list_card.body.addWidget(self.table)
        row = QHBoxLayout()
        self.edit_button = button(tr("Edit…"), "edit")
        self.reset_button = button(tr("Reset PIN…"), "key")
        row.addWidget(self.edit_button)
        row.addWidget(self.reset_button)
        row.addStretch(1)
        self.list_card.body.addLayout(row)
        self.list_card.body.addWidget(
            caption(
                tr(
                    "Deactivate people who leave instead of removing them: what they did stays in "
                    "the "
                    "audit trail under their name."
                )
            )
        )
        self.content.addWidget(self.list_card)

        pin_card = Card(tr("My PIN"))
        pin_card.body.addWidget(
            caption(
                tr(
                    "Change the PIN you sign in with. Choose one that others cannot guess; do not "
                    "share it."
                )
            )
        )
        pin_row = QHBoxLayout()
        self.change_pin_button = button(tr("Change my PIN…"), "key")
        pin_row.addWidget(self.change_pin_button)
        pin_row.addStretch(1)
        pin_card.body.addLayout(pin_row)
        self.content.addWidget(pin_card)
        self.content.addStretch(1)

        self.add_button.clicked.connect(self.add_member)
        self.edit_button.clicked.connect(self.edit_selected)
        self.reset_button.clicked.connect(self.reset_selected_pin)
        self.change_pin_button.clicked.connect(self.change_own_pin)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

    # --- Section -----------------------------------------------------------------------
    def apply_permissions(self) -> None:
        manage = self.permitted(Permission.MANAGE_STAFF)
        self.list_card.setVisible(manage)
        self.show_read_only(
            None
            if manage or self.user is None
            else tr(
                "Only an admin can add people or change roles. You can change your own PIN here."
            )
        )
        if not manage:
            self.model.set_staff([])
        self._update_buttons()

    def load(self) -> None:
        if not self.permitted(Permission.MANAGE_STAFF):
            self.loaded = True
            return
        staff = self.services.staff
        self.call(lambda: staff.list(include_inactive=True), self._show)

    # --- internals ---------------------------------------------------------------------
    def _show(self, members: list[StaffMember]) -> None:
        selected = self.selected()
        self.model.set_staff(members)
        if selected is not None and (row := self.model.row_of(selected.id)) >= 0:
            self.table.selectRow(row)
        self.loaded = True

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.member(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        self.reset_button.setEnabled(has)

    def _changed(self, message: str) -> None:
        self.notify(message)
        self.hub.data_changed.emit("staff")

    def add_member(self) -> None:
        draft = StaffDialog.ask(self)
        if draft is None or self.user is None:
            return
        user, staff = self.user, self.services.staff
        self.clear_notice()
        self.call(
            lambda: staff.add(user, draft.display_name, draft.role, draft.pin),
            lambda m: self._changed(
                tr("{name} was added. They can sign in now.").format(name=m.display_name)
            ),
        )

    def edit_selected(self) -> None:
        member = self.selected()
        if member is None or self.user is None:
            return
        draft = StaffDialog.ask(self, member)
        if draft is None:
            return
        changed = replace(
            member, display_name=draft.display_name, role=draft.role, active=draft.active
        )
        if changed == member:
            return
        user, staff = self.user, self.services.staff
        self.clear_notice()

        self.call(
            lambda: staff.update(user, changed),
            lambda m: self._changed(tr("Changes to {name} are saved.").format(name=m.display_name)),
        )

    def reset_selected_pin(self) -> None:
        member = self.selected()
        if member is None or self.user is None:
            return
        change = PinDialog.ask(
            self,
            tr("Reset PIN for {name}").format(name=member.display_name),
            tr("Tell them the new PIN in person; they can change it afterwards."),
            need_current=False,
        )
        if change is None:
            return
        user, staff = self.user, self.services.staff
        self.clear_notice()
        self.call(
            lambda: staff.change_pin(user, member.id, change.new_pin),
            lambda _r: self.notify(
                tr("The PIN for {name} was reset.").format(name=member.display_name)
            ),
            self._pin_failed,
        )

    def change_own_pin(self) -> None:
        if self.user is None:
            return
        change = PinDialog.ask(
            self, tr("Change my PIN"), tr("Type your current PIN, then the new one twice.")
        )
        if change is None:
            return
        user, staff = self.user, self.services.staff
        self.clear_notice()
        self.call(
            lambda: staff.change_pin(user, user.id, change.new_pin, change.current_pin),
            lambda _r: self.notify(tr("Your PIN is changed. Use the new one from now on.")),
            self._pin_failed,
        )

    def _pin_failed(self, exc: BaseException) -> None:
        if isinstance(exc, WrongPin):
            self.notify(tr("Your current PIN was not right, so the PIN was not changed."), "danger")
        elif isinstance(exc, InvalidPin):
            self.notify(pin_problem_text(str(exc.params.get("reason", ""))), "danger")
        else:
            self.handle_error(exc)

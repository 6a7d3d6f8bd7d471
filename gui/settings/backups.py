"""Settings → Backups: daily automatic backups, "Back up now", and restoring a backup."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QWidget,
)

from core.app import Services
from core.backup.model import BackupInfo
from core.practice.model import AppSettings
from core.practice.service import Versioned
from core.staff.model import Permission
from gui.hub import SignalHub
from gui.settings.dialogs import RestoreDialog
from gui.settings.messages import tr
from gui.settings.models import BackupColumn, BackupModel
from gui.settings.section import Section, make_table, read_only_note, unit_spin
from gui.style import Card, button, caption
from gui.tasks import TaskRunner


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class BackupsSection(Section):
    """Backups of the local database; on a shared server, a note that its administrator backs
    it up. Signals: none (emits ``hub.data_changed`` "settings" / "backups" / "restored"; the
    window answers "restored" by signing everyone out)."""

    key = "backups"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Backups"),
            intro=tr(
                "Copies of the practice's data, encrypted like the data itself, kept in the data "
                "folder's backups."
            ),
            parent=parent,
        )
        self._settings: Versioned[AppSettings] | None = None
        self.model = BackupModel(self)
        self.available = services.backups is not None

        self.server_card = Card(tr("Backed up by the server"))
        self.server_card.body.addWidget(
            caption(
                tr(
                    "This practice's data lives on a shared database server. The server's "
                    "administrator backs it up; ask them how often, and how to restore."
                )
            )
        )
        self.content.addWidget(self.server_card)
        self.auto_card = self._automatic_card()
        self.content.addWidget(self.auto_card)
        self.list_card = self._list_card()
        self.content.addWidget(self.list_card)
        self.content.addStretch(1)

        self.server_card.setVisible(not self.available)
        self.auto_card.setVisible(self.available)
        self.list_card.setVisible(self.available)
        self.automatic.toggled.connect(self._edited)
        self.keep_days.valueChanged.connect(self._edited)
        self.save_button.clicked.connect(self.save_settings)
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._edited()

    def _automatic_card(self) -> Card:
        card = Card(tr("Automatic backups"))
        self.automatic = QCheckBox(tr("Back up automatically once a day"))
        card.body.addWidget(self.automatic)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        self.keep_days = unit_spin(1, 365, tr(" day"), tr(" days"))
        self.field_errors.add_row(
            form, tr("Keep automatic backups for"), self.keep_days, "backup_keep_days"
        )
        card.body.addLayout(form)
        card.body.addWidget(
            caption(tr("Backups made with “Back up now” are kept until someone deletes them."))
        )
        auto_actions = QHBoxLayout()
        auto_actions.addStretch(1)
        self.save_button = button(tr("Save"), kind="primary")
        auto_actions.addWidget(self.save_button)
        card.body.addLayout(auto_actions)
        return card

    def _list_card(self) -> Card:
        card = Card(tr("Backups on this computer"))
        self.backup_button = button(tr("Back up now"), "backup", "primary")
        card.header.addWidget(self.backup_button)
        self.table = make_table(self.model, 200)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(BackupColumn.WHEN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(BackupColumn.SIZE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BackupColumn.KIND, QHeaderView.ResizeMode.ResizeToContents)
        card.body.addWidget(self.table)
        self.empty_label = caption(tr("No backups yet. Press “Back up now” to make the first."))
        card.body.addWidget(self.empty_label)
        restore_row = QHBoxLayout()
        self.restore_button = button(tr("Restore…"), "restore")
        restore_row.addWidget(self.restore_button)
        self.restore_note = caption(tr("Only an admin can restore a backup."), wrap=False)
        restore_row.addWidget(self.restore_note)
        restore_row.addStretch(1)
        card.body.addLayout(restore_row)
        return card

    # --- Section -----------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        s = self._settings
        return s is not None and (self.automatic.isChecked(), self.keep_days.value()) != (
            s.value.automatic_backups,
            s.value.backup_keep_days,
        )

    def apply_permissions(self) -> None:
        editable = self.permitted(Permission.EDIT_SETTINGS)
        self.automatic.setEnabled(editable)
        self.keep_days.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.backup_button.setVisible(self.permitted(Permission.MANAGE_BACKUPS))
        restore = self.permitted(Permission.RESTORE_BACKUP)
        self.restore_button.setVisible(restore)
        self.restore_note.setVisible(not restore)
        self.show_read_only(
            None
            if editable or self.user is None or not self.available
            else read_only_note(Permission.EDIT_SETTINGS)
        )
        self._update_buttons()

    def load(self) -> None:
        backups, practice = self.services.backups, self.services.practice
        if backups is None:
            self.loaded = True
            return

        def read() -> tuple[Versioned[AppSettings], list[BackupInfo], str]:
            return practice.settings(), backups.list(), practice.practice().value.timezone

        self.call(read, self._show)

    # --- internals ---------------------------------------------------------------------
    def _show(self, result: tuple[Versioned[AppSettings], list[BackupInfo], str]) -> None:
        self._settings, backups, zone = result
        self.automatic.setChecked(self._settings.value.automatic_backups)
        self.keep_days.setValue(self._settings.value.backup_keep_days)
        self.model.set_backups(backups, _zone(zone))
        self.empty_label.setText(
            tr("No backups yet. Press “Back up now” to make the first.")
            if self.permitted(Permission.MANAGE_BACKUPS)
            else tr("No backups yet. Only a manager or admin can make one: please let them know.")
        )
        self.empty_label.setVisible(not backups)
        self.table.setVisible(bool(backups))
        self.loaded = True
        self._edited()

    def _edited(self) -> None:
        self.save_button.setEnabled(self.dirty)
        self.keep_days.setEnabled(
            self.automatic.isChecked() and self.permitted(Permission.EDIT_SETTINGS)
        )

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.backup(rows[0].row()) if rows else None

    def save_settings(self) -> None:
        if self.user is None or self._settings is None:
            return
        user, practice = self.user, self.services.practice
        value = Versioned(
            replace(
                self._settings.value,
                automatic_backups=self.automatic.isChecked(),
                backup_keep_days=self.keep_days.value(),
            ),
            self._settings.version,
        )
        self.field_errors.clear()
        self.clear_notice()
        self.save_button.setEnabled(False)

        def saved(result: Versioned[AppSettings]) -> None:
            self._settings = result
            self._edited()
            self.notify(tr("Backup settings are saved."))
            self.hub.data_changed.emit("settings")

        def failed(exc: BaseException) -> None:
            self._edited()
            self.handle_error(exc)

        self.call(lambda: practice.save_settings(user, value), saved, failed)

    def back_up_now(self) -> None:
        backups = self.services.backups
        if backups is None or self.user is None:
            return
        user = self.user
        self.clear_notice()
        self.backup_button.setEnabled(False)

        def done(info: BackupInfo) -> None:
            self.backup_button.setEnabled(True)
            self.notify(tr("Backup made ({when}).").format(when=self.model.when_text(info)))
            self.hub.data_changed.emit("backups")

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self.handle_error(exc)

        self.call_with_progress(
            tr("Backing up the practice's data…"), lambda: backups.back_up_now(user), done, failed
        )

    def restore_selected(self) -> None:
        backups, info = self.services.backups, self.selected()
        if backups is None or info is None or self.user is None:
            return
        if not RestoreDialog.ask(self, self.model.when_text(info)):
            return
        user, hub = self.user, self.hub
        self.clear_notice()

        def restored(_result: object) -> None:
            hub.data_changed.emit("restored")

        self.call_with_progress(
            tr("Restoring the backup…"), lambda: backups.restore(user, info.name), restored
        )

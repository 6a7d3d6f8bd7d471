"""Settings → Security: auto-lock minutes, the recovery key, and where secrets are kept."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QWidget

from core.app import Services
from core.errors import SignInLockedOut, WrongPin
from core.practice.model import AppSettings
from core.practice.rules import MAX_AUTO_LOCK_MINUTES
from core.practice.service import Versioned
from core.staff.model import Permission
from gui.errors import message_for
from gui.hub import SignalHub
from gui.settings.dialogs import ConfirmPinDialog, RecoveryKeyDialog
from gui.settings.messages import tr
from gui.settings.section import Section, read_only_note, unit_spin
from gui.style import Card, button, caption, plain_label
from gui.tasks import TaskRunner


class SecuritySection(Section):
    """Automatic lock, emergency access and the keychain. Signals: none (emits
    ``hub.data_changed("settings")`` after saving the auto-lock time)."""

    key = "security"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Security"),
            intro=tr("How the app protects patient information on this computer."),
            parent=parent,
        )
        self._loaded: Versioned[AppSettings] | None = None

        lock_card = Card(tr("Automatic lock"))
        lock_card.body.addWidget(
            caption(
                tr(
                    "When nobody uses the app for this long, it locks and hides everything. Each "
                    "person "
                    "unlocks with their own PIN."
                )
            )
        )
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        self.minutes = unit_spin(1, MAX_AUTO_LOCK_MINUTES, tr(" minute"), tr(" minutes"))
        self.field_errors.add_row(form, tr("Lock after"), self.minutes, "auto_lock_minutes")
        lock_card.body.addLayout(form)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.save_button = button(tr("Save"), kind="primary")
        actions.addWidget(self.save_button)
        lock_card.body.addLayout(actions)
        self.content.addWidget(lock_card)

        self.key_card = Card(tr("Recovery key"))
        self.key_card.body.addWidget(
            caption(
                tr(
                    "The recovery key opens the practice's data if this computer's keychain loses "
                    "the "
                    "database key (for example after the computer is replaced). It was shown once "
                    "at "
                    "setup. An admin can show it again here."
                )
            )
        )
        key_row = QHBoxLayout()
        self.reveal_button = button(tr("Show recovery key…"), "key")
        key_row.addWidget(self.reveal_button)
        key_row.addStretch(1)
        self.key_card.body.addLayout(key_row)
        self.key_note = caption(tr("Only an admin can show the recovery key."))
        self.key_card.body.addWidget(self.key_note)
        self.content.addWidget(self.key_card)

        keyring_card = Card(tr("Where secrets are kept"))
        keyring_card.body.addWidget(
            caption(
                tr(
                    "The database key and other secrets are kept only in this computer's keychain, "
                    "never in the data folder."
                )
            )
        )
        self.keyring_label = plain_label()
        keyring_card.body.addWidget(self.keyring_label)
        self.content.addWidget(keyring_card)
        self.content.addStretch(1)

        self.save_button.clicked.connect(self.save)
        self.reveal_button.clicked.connect(self.reveal_recovery_key)
        self.minutes.valueChanged.connect(self._edited)
        self._edited()

    # --- Section -----------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return (
            self._loaded is not None
            and self.minutes.value() != self._loaded.value.auto_lock_minutes
        )

    def apply_permissions(self) -> None:
        editable = self.permitted(Permission.EDIT_SETTINGS)
        self.minutes.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.show_read_only(
            None if editable or self.user is None else read_only_note(Permission.EDIT_SETTINGS)
        )
        self.key_card.setVisible(self.services.security.available)
        admin = self.permitted(Permission.MANAGE_STAFF)
        self.reveal_button.setVisible(admin)
        self.key_note.setVisible(not admin)

    def load(self) -> None:
        practice, secrets = self.services.practice, self.services.secrets

        def read() -> tuple[Versioned[AppSettings], str]:
            return practice.settings(), secrets.description

        self.call(read, self._show)

    # --- internals ---------------------------------------------------------------------
    def _show(self, result: tuple[Versioned[AppSettings], str]) -> None:
        self._loaded, description = result
        self.minutes.setValue(self._loaded.value.auto_lock_minutes)
        self.keyring_label.setText(tr("Keychain in use: {name}").format(name=description))
        self.loaded = True
        self._edited()

    def _edited(self) -> None:
        self.save_button.setEnabled(self.dirty)

    def save(self) -> None:
        if self.user is None or self._loaded is None:
            return
        user = self.user
        value = Versioned(
            replace(self._loaded.value, auto_lock_minutes=self.minutes.value()),
            self._loaded.version,
        )
        practice = self.services.practice
        self.field_errors.clear()
        self.clear_notice()
        self.save_button.setEnabled(False)

        def saved(result: Versioned[AppSettings]) -> None:
            self._loaded = result
            self._edited()
            self.notify(
                tr("Saved. The app now locks after {n} minutes without use.").format(
                    n=result.value.auto_lock_minutes
                )
            )
            self.hub.data_changed.emit("settings")

        def failed(exc: BaseException) -> None:
            self._edited()
            self.handle_error(exc)

        self.call(lambda: practice.save_settings(user, value), saved, failed)

    def reveal_recovery_key(self) -> None:
        if self.user is None:
            return
        pin = ConfirmPinDialog.ask(
            self, tr("Show the recovery key"), tr("Type your PIN again to see the recovery key.")
        )
        if pin is None:
            return
        user, security, practice = self.user, self.services.security, self.services.practice
        self.clear_notice()

        def reveal() -> tuple[str, str]:
            return security.reveal_recovery_key(user, pin), practice.practice().value.name

        def shown(result: tuple[str, str]) -> None:
            key, name = result
            RecoveryKeyDialog.present(self, key, name)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, WrongPin | SignInLockedOut):
                self.notify(message_for(exc)[1], "danger")
            else:
                self.handle_error(exc)

        self.call(reveal, shown, failed)

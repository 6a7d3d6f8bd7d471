"""Settings → About: versions, where the data lives, how it is protected."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from core.app import DatabaseKind, Services
from gui.hub import SignalHub
from gui.settings.messages import tr
from gui.settings.section import Section
from gui.style import Card, caption, plain_label
from gui.tasks import TaskRunner


class AboutSection(Section):
    """Plain facts for whoever supports the app; no links. Signals: none."""

    key = "about"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("About"),
            intro=tr(
                "Front Desk Social helps a practice's front desk with social media, reviews and "
                "consent forms, without disclosing patient information."
            ),
            parent=parent,
        )
        self.values: dict[str, QLabel] = {}
        self.app_card = Card(tr("This copy"))
        self.data_card = Card(tr("The practice's data"))
        self._app_form = self._form(self.app_card)
        self._data_form = self._form(self.data_card)
        self._row(self._app_form, "version", tr("Version"))
        self._row(self._app_form, "qt", tr("Qt / PySide6"))
        self._row(self._app_form, "python", tr("Python"))
        self._row(self._data_form, "database", tr("Database"))
        self._row(self._data_form, "location", tr("Location"))
        self._row(self._data_form, "encrypted", tr("Encrypted"))
        self._row(self._data_form, "schema", tr("Schema revision"))
        self._row(self._data_form, "data_dir", tr("Data folder"))
        self._row(self._data_form, "keyring", tr("Keychain"))
        self.content.addWidget(self.app_card)
        self.content.addWidget(self.data_card)
        self.demo_note = caption(
            tr(
                "This is the demo practice: every name in it is invented, and nothing here touches "
                "real practice data."
            )
        )
        self.demo_note.setVisible(services.demo)
        self.content.addWidget(self.demo_note)
        self.content.addStretch(1)

    def _form(self, card: Card) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        card.body.addLayout(form)
        return form

    def _row(self, form: QFormLayout, key: str, label: str) -> None:
        value = plain_label(wrap=True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values[key] = value
        form.addRow(caption(label, wrap=False), value)

    def value(self, key: str) -> str:
        return self.values[key].text()

    def load(self) -> None:
        secrets = self.services.secrets
        self.call(lambda: secrets.description, self._show)

    def _show(self, keyring: str) -> None:
        db = self.services.database
        kinds = {
            DatabaseKind.SQLITE: tr("SQLite file on this computer"),
            DatabaseKind.POSTGRESQL: tr("PostgreSQL server (shared by workstations)"),
        }
        texts = {
            "version": self.services.version,
            "qt": f"Qt {qVersion()}, PySide6 {PySide6.__version__}",
            "python": f"{platform.python_version()} ({platform.system()} {platform.release()})",
            "database": kinds.get(db.kind, str(db.kind)),
            "location": db.location,
            "encrypted": tr("Yes (SQLCipher)")
            if db.encrypted and db.kind is DatabaseKind.SQLITE
            else tr("Yes")
            if db.encrypted
            else tr("No"),
            "schema": db.schema_revision,
            "data_dir": db.data_dir,
            "keyring": keyring,
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        self.loaded = True

"""Settings → Practice: the practice's profile (name, specialty, contact details, time zone)."""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QFormLayout, QHBoxLayout, QLineEdit, QWidget

from core.app import Services
from core.practice.model import Practice, Specialty
from core.practice.service import Versioned
from core.staff.model import Permission
from gui.hub import SignalHub
from gui.settings.messages import specialty_label, tr
from gui.settings.section import Section, read_only_note
from gui.style import Card, button
from gui.tasks import TaskRunner


class PracticeSection(Section):
    """The practice profile. Its phone number goes into safe review replies; its time zone
    decides what "today" and every shown time mean. Signals: none."""

    key = "practice"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Practice"),
            intro=tr(
                "Who the practice is. The phone number goes into replies to reviews; the time zone "
                "decides when “today” starts."
            ),
            parent=parent,
        )
        self._loaded: Versioned[Practice] | None = None
        card = Card(tr("Practice profile"))
        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.setHorizontalSpacing(24)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.name = QLineEdit()
        self.specialty = QComboBox()
        for specialty in Specialty:
            self.specialty.addItem(specialty_label(specialty), specialty)
        self.address = QLineEdit()
        self.address.setPlaceholderText(tr("Street, suite, city, state, ZIP"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(tr("(555) 555-0100"))
        self.website = QLineEdit()
        self.website.setPlaceholderText(tr("https://"))
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(self.timezone.model(), self.timezone)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.timezone.setCompleter(completer)
        for label, widget, field in (
            (tr("Name"), self.name, "name"),
            (tr("Specialty"), self.specialty, "specialty"),
            (tr("Address"), self.address, "address"),
            (tr("Phone"), self.phone, "phone"),
            (tr("Website"), self.website, "website"),
            (tr("Time zone"), self.timezone, "timezone"),
        ):
            self.field_errors.add_row(form, label, widget, field)
        card.body.addLayout(form)

        actions = QHBoxLayout()
        actions.addStretch(1)
        self.undo_button = button(tr("Undo changes"), kind="ghost")
        self.save_button = button(tr("Save changes"), kind="primary")
        actions.addWidget(self.undo_button)
        actions.addWidget(self.save_button)
        card.body.addSpacing(4)
        card.body.addLayout(actions)
        self.content.addWidget(card)
        self.content.addStretch(1)

        self.undo_button.clicked.connect(lambda: self.refresh(force=True))
        self.save_button.clicked.connect(self.save)
        for edit in (self.name, self.address, self.phone, self.website):
            edit.textEdited.connect(self._edited)
        self.specialty.currentIndexChanged.connect(self._edited)
        self.timezone.currentTextChanged.connect(self._edited)
        self._edited()

    # --- Section -----------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._loaded is not None and self.form_value() != self._loaded.value

    def apply_permissions(self) -> None:
        editable = self.permitted(Permission.EDIT_PRACTICE)
        for widget in (
            self.name,
            self.specialty,
            self.address,
            self.phone,
            self.website,
            self.timezone,
        ):
            widget.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.undo_button.setVisible(editable)
        self.show_read_only(
            None if editable or self.user is None else read_only_note(Permission.EDIT_PRACTICE)
        )

    def load(self) -> None:
        practice = self.services.practice

        def read() -> tuple[Versioned[Practice], list[str]]:
            return practice.practice(), sorted(available_timezones())

        self.call(read, self._show)

    # --- internals ---------------------------------------------------------------------
    def _show(self, result: tuple[Versioned[Practice], list[str]]) -> None:
        loaded, zones = result
        self._loaded = loaded
        p = loaded.value
        self.name.setText(p.name)
        self.specialty.setCurrentIndex(self.specialty.findData(p.specialty))
        self.address.setText(p.address)
        self.phone.setText(p.phone)
        self.website.setText(p.website)
        self.timezone.blockSignals(True)
        if self.timezone.count() != len(zones):
            self.timezone.clear()
            self.timezone.addItems(zones)
        self.timezone.setCurrentText(p.timezone)
        self.timezone.blockSignals(False)
        self.loaded = True
        self._edited()

    def form_value(self) -> Practice:
        return Practice(
            name=self.name.text().strip(),
            specialty=Specialty(self.specialty.currentData()),
            address=self.address.text().strip(),
            phone=self.phone.text().strip(),
            website=self.website.text().strip(),
            timezone=self.timezone.currentText().strip(),
        )

    def _edited(self) -> None:
        dirty = self.dirty
        self.save_button.setEnabled(dirty)
        self.undo_button.setEnabled(dirty)

    def save(self) -> None:
        if self.user is None or self._loaded is None:
            return
        user, value = self.user, Versioned(self.form_value(), self._loaded.version)
        self.field_errors.clear()
        self.clear_notice()
        self.save_button.setEnabled(False)
        practice = self.services.practice

        def saved(result: Versioned[Practice]) -> None:
            self._loaded = result
            self._edited()
            self.notify(tr("The practice profile is saved."))
            self.hub.data_changed.emit("practice")

        def failed(exc: BaseException) -> None:
            self._edited()
            self.handle_error(exc)

        self.call(lambda: practice.save_practice(user, value), saved, failed)

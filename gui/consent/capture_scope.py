"""Step 3 of the consent capture: what may be used, where, what for and until when, and what
the patient asks for (first name only, blurred face, no tagging)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.consent.model import Authorization, MediaKind, Purpose
from gui.consent.patient_form import to_date, to_qdate
from gui.consent.wording import media_kind_label, purpose_label, recipient_ids, recipient_label
from gui.widgets import Card, button

DEFAULT_YEARS = 2
"""A new consent ends this many years after today unless the person changes it."""


class ScopeStep(Card):
    """The scope of the authorization being taken; ``apply_to`` copies it into a draft.

    Signals:
        changed(): anything in the scope was ticked, typed or picked.
    """

    changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(12)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._what_rows(form)
        self._where_rows(form)
        self._until_row(form)
        options = QHBoxLayout()
        options.setSpacing(24)
        self.first_name_only = QCheckBox(self.tr("First name only"))
        self.blur_face = QCheckBox(self.tr("Blur the face"))
        self.no_tagging = QCheckBox(self.tr("No tagging"))
        for box in (self.first_name_only, self.blur_face, self.no_tagging):
            options.addWidget(box)
        options.addStretch(1)
        form.addRow(self.tr("The patient asks for"), options)
        self.body.addLayout(form)
        self._connect_changes()

    # --- layout ----------------------------------------------------------------------------
    def _what_rows(self, form: QFormLayout) -> None:
        kinds = QHBoxLayout()
        kinds.setSpacing(24)
        self.kind_boxes: dict[MediaKind, QCheckBox] = {}
        for kind in MediaKind:
            box = QCheckBox(media_kind_label(kind))
            self.kind_boxes[kind] = box
            kinds.addWidget(box)
        kinds.addStretch(1)
        form.addRow(self.tr("What may be used"), kinds)
        self.description = QLineEdit()
        self.description.setPlaceholderText(
            self.tr("For example: before-and-after photos of the smile makeover")
        )
        self.description.setAccessibleName(self.tr("Which ones"))
        form.addRow(self.tr("Which ones"), self.description)

    def _where_rows(self, form: QFormLayout) -> None:
        where = QVBoxLayout()
        where.setSpacing(4)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        self.recipient_boxes: dict[str, QCheckBox] = {}
        for i, recipient in enumerate(recipient_ids()):
            box = QCheckBox(recipient_label(recipient))
            self.recipient_boxes[recipient] = box
            grid.addWidget(box, i // 4, i % 4)
        where.addLayout(grid)
        self.all_places_button = button(self.tr("Tick every place"), kind="ghost")
        self.all_places_button.clicked.connect(self._tick_every_place)
        where.addWidget(self.all_places_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.tr("Where"), where)

        purposes = QHBoxLayout()
        purposes.setSpacing(24)
        self.purpose_boxes: dict[Purpose, QCheckBox] = {}
        for purpose in Purpose:
            box = QCheckBox(purpose_label(purpose))
            self.purpose_boxes[purpose] = box
            purposes.addWidget(box)
        purposes.addStretch(1)
        form.addRow(self.tr("What for"), purposes)

    def _until_row(self, form: QFormLayout) -> None:
        until_box = QWidget()
        until = QGridLayout(until_box)
        until.setContentsMargins(0, 0, 0, 0)
        until.setHorizontalSpacing(12)
        until.setVerticalSpacing(8)
        self.until_date = QRadioButton(self.tr("On this date"))
        self.until_event = QRadioButton(self.tr("When this happens"))
        group = QButtonGroup(self)
        group.addButton(self.until_date)
        group.addButton(self.until_event)
        self.expires_on = QDateEdit()
        self.expires_on.setCalendarPopup(True)
        self.expires_on.setDisplayFormat("MMMM d, yyyy")
        self.expires_on.setAccessibleName(self.tr("Ends on"))
        self.expires_on.setMaximumWidth(260)
        self.expiry_event = QLineEdit()
        self.expiry_event.setPlaceholderText(self.tr("For example: when I leave the practice"))
        self.expiry_event.setAccessibleName(self.tr("Ends when"))
        until.addWidget(self.until_date, 0, 0)
        until.addWidget(self.expires_on, 0, 1)
        until.addWidget(self.until_event, 1, 0)
        until.addWidget(self.expiry_event, 1, 1)
        until.setColumnStretch(2, 1)
        self.until_date.setChecked(True)
        form.addRow(self.tr("Until"), until_box)

    def _connect_changes(self) -> None:
        boxes: list[QCheckBox] = [
            *self.kind_boxes.values(),
            *self.recipient_boxes.values(),
            *self.purpose_boxes.values(),
            self.first_name_only,
            self.blur_face,
            self.no_tagging,
        ]
        for box in boxes:
            box.toggled.connect(self.changed)
        for edit in (self.description, self.expiry_event):
            edit.textChanged.connect(self.changed)
        self.expires_on.dateChanged.connect(self.changed)
        self.until_date.toggled.connect(self._until_changed)
        self._until_changed()

    # --- values ----------------------------------------------------------------------------
    def set_today(self, today: date, *, default_end: bool) -> None:
        """Dates before ``today`` cannot be picked; ``default_end`` proposes an end date
        ``DEFAULT_YEARS`` from today (else the date starts empty)."""
        self.expires_on.setMinimumDate(to_qdate(today))
        self.expires_on.setDate(to_qdate(today).addYears(DEFAULT_YEARS) if default_end else QDate())

    def fill_from(self, old: Authorization, today: date) -> None:
        """Re-consent: the scope of the earlier authorization, a new end date."""
        for kind, box in self.kind_boxes.items():
            box.setChecked(kind in old.media_kinds)
        self.description.setText(old.media_description)
        for recipient, box in self.recipient_boxes.items():
            box.setChecked(recipient in old.recipients)
        for purpose, box in self.purpose_boxes.items():
            box.setChecked(purpose in old.purposes)
        self.expires_on.setDate(to_qdate(today).addYears(DEFAULT_YEARS))
        if old.expiry_event and old.expires_on is None:
            self.until_event.setChecked(True)
        self.expiry_event.setText(old.expiry_event)
        self.first_name_only.setChecked(old.first_name_only)
        self.blur_face.setChecked(old.blur_face)
        self.no_tagging.setChecked(old.no_tagging)

    def apply_to(self, auth: Authorization) -> Authorization:
        """``auth`` with the scope as ticked here."""
        by_date = self.until_date.isChecked()
        return replace(
            auth,
            media_kinds=frozenset(k for k, b in self.kind_boxes.items() if b.isChecked()),
            media_description=self.description.text().strip(),
            recipients=frozenset(r for r, b in self.recipient_boxes.items() if b.isChecked()),
            purposes=frozenset(p for p, b in self.purpose_boxes.items() if b.isChecked()),
            expires_on=to_date(self.expires_on.date()) if by_date else None,
            expiry_event="" if by_date else self.expiry_event.text().strip(),
            first_name_only=self.first_name_only.isChecked(),
            blur_face=self.blur_face.isChecked(),
            no_tagging=self.no_tagging.isChecked(),
        )

    def _until_changed(self) -> None:
        self.expires_on.setEnabled(self.until_date.isChecked())
        self.expiry_event.setEnabled(self.until_event.isChecked())
        self.changed.emit()

    def _tick_every_place(self) -> None:
        for box in self.recipient_boxes.values():
            box.setChecked(True)

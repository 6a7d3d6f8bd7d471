"""The ten checklist items: each answered "Not present" or "Handled (redacted)"; what the scan
flagged is highlighted, and a flagged item answered "Not present" asks for a short note saying
why the hint was a false alarm."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.imaging.model import CHECKLIST_ORDER, Answer, ChecklistItem, ImageRecord
from gui.images.wording import item_label
from gui.widgets import Badge, plain_label

NOTE_MINIMUM = 10
"""Characters a flag note needs (``core.imaging.checklist``)."""


class _Row:
    def __init__(self, item: ChecklistItem, column: QVBoxLayout, parent: QWidget) -> None:
        self.item = item
        self.label = plain_label(item_label(item), wrap=True)
        self.flag = Badge(parent.tr("Flagged by the scan"), "warning")
        self.flag.setVisible(False)
        self.absent = QRadioButton(parent.tr("Not present"))
        self.absent.setObjectName(f"item-{item.value}-absent")
        self.handled = QRadioButton(parent.tr("Handled (redacted)"))
        self.handled.setObjectName(f"item-{item.value}-handled")
        for radio in (self.absent, self.handled):
            radio.setAccessibleDescription(item_label(item))
        self.group = QButtonGroup(parent)
        self.group.addButton(self.absent)
        self.group.addButton(self.handled)
        self.note = QLineEdit()
        self.note.setObjectName(f"item-{item.value}-note")
        self.note.setPlaceholderText(
            parent.tr("Why the scan's hint is a false alarm (a short note)")
        )
        self.note.setAccessibleName(parent.tr("Note for “{item}”").format(item=item_label(item)))
        self.note.setMaxLength(500)
        self.note.setVisible(False)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.label, 1)
        top.addWidget(self.flag, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        answers = QHBoxLayout()
        answers.setSpacing(16)
        answers.addWidget(self.absent)
        answers.addWidget(self.handled)
        answers.addStretch(1)
        column.addLayout(answers)
        column.addWidget(self.note)
        column.addSpacing(6)

    def answer(self) -> Answer:
        if self.absent.isChecked():
            return Answer.NOT_PRESENT
        if self.handled.isChecked():
            return Answer.HANDLED
        return Answer.UNANSWERED


class ChecklistItems(QWidget):
    """The ten items, updated in place (focus stays where it is while answers are saved).

    Signals:
        answered(object, object, str): a ``ChecklistItem``, its ``Answer`` and the note.
    """

    answered = Signal(object, object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.rows: dict[ChecklistItem, _Row] = {}
        for item in CHECKLIST_ORDER:
            row = _Row(item, column, self)
            row.absent.toggled.connect(lambda on, r=row: self._picked(r, on))
            row.handled.toggled.connect(lambda on, r=row: self._picked(r, on))
            row.note.editingFinished.connect(lambda r=row: self._note_done(r))
            self.rows[item] = row
        self._flagged: frozenset[ChecklistItem] = frozenset()
        self._notes: dict[ChecklistItem, str] = {}

    def show_record(
        self, record: ImageRecord, flagged: frozenset[ChecklistItem], editable: bool
    ) -> None:
        self._flagged = flagged
        self._notes = dict(record.flag_notes)
        for item, row in self.rows.items():
            answer = record.answer(item)
            for radio in (row.absent, row.handled):
                radio.blockSignals(True)
            row.group.setExclusive(False)
            row.absent.setChecked(answer is Answer.NOT_PRESENT)
            row.handled.setChecked(answer is Answer.HANDLED)
            row.group.setExclusive(True)
            for radio in (row.absent, row.handled):
                radio.blockSignals(False)
                radio.setEnabled(editable)
            is_flagged = item in flagged
            row.flag.setVisible(is_flagged)
            font = row.label.font()
            font.setBold(is_flagged)
            row.label.setFont(font)
            note = record.flag_notes.get(item, "")
            if not row.note.hasFocus():
                row.note.setText(note)
            row.note.setVisible(is_flagged and answer is Answer.NOT_PRESENT)
            row.note.setEnabled(editable)

    def _picked(self, row: _Row, on: bool) -> None:
        if not on:
            return
        answer = row.answer()
        row.note.setVisible(row.item in self._flagged and answer is Answer.NOT_PRESENT)
        self.answered.emit(row.item, answer, row.note.text().strip())

    def _note_done(self, row: _Row) -> None:
        note = row.note.text().strip()
        if row.answer() is Answer.NOT_PRESENT and note != self._notes.get(row.item, ""):
            self._notes[row.item] = note
            self.answered.emit(row.item, Answer.NOT_PRESENT, note)

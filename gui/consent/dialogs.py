"""Small dialogs of the Consent page: recording a written revocation, that an
authorization's expiry event happened, and confirming the deletion of a record whose
retention period is over."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.consent.model import RevocationChannel
from gui.consent.patient_form import to_date, to_qdate
from gui.consent.wording import channel_label, long_date
from gui.widgets import button, caption, heading


class RevokeDialog(QDialog):
    """Asks when the written revocation was received, how, and an optional note.
    ``received_on()``, ``channel()`` and ``note()`` give the answer. Signals: QDialog's."""

    def __init__(self, today: date, patient_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Revoke consent"))
        self.setMinimumWidth(480)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(heading(self.tr("Revoke consent"), 2))
        column.addWidget(
            caption(
                self.tr(
                    "{name} asked in writing to withdraw their consent. From now on nothing "
                    "covered by it may be used: drafts and scheduled posts using it go back to "
                    "draft, and published ones are listed to take down."
                ).format(name=patient_name)
            )
        )
        form = QFormLayout()
        self.received = QDateEdit()
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("MMMM d, yyyy")
        self.received.setMaximumDate(to_qdate(today))
        self.received.setDate(to_qdate(today))
        self.received.setAccessibleName(self.tr("Received on"))
        form.addRow(self.tr("Received on"), self.received)
        self.how = QComboBox()
        self.how.setAccessibleName(self.tr("How it came in (in writing)"))
        for channel in RevocationChannel:
            self.how.addItem(channel_label(channel), channel)
        form.addRow(self.tr("How it came in (in writing)"), self.how)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(80)
        self.note_edit.setAccessibleName(self.tr("Note (optional)"))
        form.addRow(self.tr("Note (optional)"), self.note_edit)
        column.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Revoke"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)

    def received_on(self) -> date:
        return to_date(self.received.date())

    def channel(self) -> RevocationChannel:
        return RevocationChannel(self.how.currentData())

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()


class EventDialog(QDialog):
    """Asks on which day the authorization's expiry event happened. ``occurred_on()`` gives
    the answer. Signals: QDialog's."""

    def __init__(self, today: date, event: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Expiry event happened"))
        self.setMinimumWidth(420)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(heading(self.tr("The expiry event happened"), 2))
        column.addWidget(
            caption(
                self.tr(
                    "The consent ends when this happens: “{event}”. It ends on that day."
                ).format(event=event)
            )
        )
        form = QFormLayout()
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("MMMM d, yyyy")
        self.day.setMaximumDate(to_qdate(today))
        self.day.setDate(to_qdate(today))
        self.day.setAccessibleName(self.tr("It happened on"))
        form.addRow(self.tr("It happened on"), self.day)
        column.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Record"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def occurred_on(self) -> date:
        return to_date(self.day.date())


class DeleteRecordDialog(QDialog):
    """Says exactly what deleting an authorization's record removes, and that it cannot be
    undone, before it happens. Signals: QDialog's."""

    def __init__(
        self,
        patient_name: str,
        signed_on: date | None,
        deletable_from: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Delete consent record"))
        self.setMinimumWidth(500)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 20)
        column.setSpacing(12)
        column.addWidget(heading(self.tr("Delete this consent record?"), 2))
        signed = (
            self.tr("signed {date}").format(date=long_date(signed_on))
            if signed_on is not None
            else self.tr("never signed")
        )
        for line in (
            self.tr(
                "This deletes {name}'s authorization ({signed}): the record with everything "
                "it says, the reference to its signature or scanned paper form, and the "
                "reference to its signed PDF. Takedowns already confirmed for it go too."
            ).format(name=patient_name, signed=signed),
            self.tr(
                "The six years it had to be kept are over: it may be deleted since {date}. "
                "The deletion is written to the audit log."
            ).format(date=long_date(deletable_from)),
            self.tr("This cannot be undone."),
        ):
            column.addWidget(caption(line))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = button(self.tr("Delete record"), kind="danger")
        self.buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        column.addWidget(self.buttons)

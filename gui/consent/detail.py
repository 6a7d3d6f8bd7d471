"""The chosen patient on the Consent page: who they are, who may sign for them, and every
authorization newest first with its status, what it covers, what it lacks and what can be
done with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from core.consent.model import Authorization, AuthorizationStatus, Patient
from gui.consent.wording import (
    long_date,
    media_kind_label,
    missing_line,
    purpose_label,
    recipient_label,
    short_list,
    status_label,
    status_tone,
)
from gui.widgets import Badge, Banner, Card, button, caption, heading, plain_label

OPEN_STATUSES = (AuthorizationStatus.ACTIVE, AuthorizationStatus.EXPIRING)
"""Statuses that can still be revoked or reach their expiry event."""


@dataclass(frozen=True, slots=True)
class AuthorizationView:
    """An authorization with what the page shows about it today."""

    authorization: Authorization
    status: AuthorizationStatus
    missing: tuple[str, ...]
    deletable_from: date | None = None
    """The first day the record may be deleted (``None``: while it is still in effect)."""


def scope_summary(auth: Authorization) -> str:
    """ "Photos, Video · Facebook, Instagram and 2 more · Social media posts"."""
    parts = [
        short_list(media_kind_label(k) for k in sorted(auth.media_kinds)),
        short_list(recipient_label(r) for r in sorted(auth.recipients)),
        short_list(purpose_label(p) for p in sorted(auth.purposes)),
    ]
    return " · ".join(p for p in parts if p)


class AuthorizationCard(Card):
    """One authorization: status badge, dates, scope, what is missing and its actions.
    ``can_delete`` (admins only) offers "Delete record…" once the retention period is over
    on ``today`` (before that, disabled, saying from when).

    Signals:
        reconsent(object), revoke(object), event_happened(object), open_pdf(object),
        delete_record(object): the ``Authorization`` the person wants to act on.
    """

    reconsent = Signal(object)
    revoke = Signal(object)
    event_happened = Signal(object)
    open_pdf = Signal(object)
    delete_record = Signal(object)

    def __init__(
        self,
        view: AuthorizationView,
        *,
        can_delete: bool = False,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        auth = view.authorization
        super().__init__(
            self.tr("Signed {date}").format(date=long_date(auth.signed_on))
            if auth.signed_on
            else self.tr("Not signed"),
            parent,
        )
        self.view = view
        self.badge = Badge(status_label(view.status), status_tone(view.status))
        self.header.insertWidget(1, self.badge)
        if auth.expires_on is not None:
            ends = self.tr("Until {date}").format(date=long_date(auth.expires_on))
        elif auth.expiry_event:
            ends = self.tr("Until: {event}").format(event=auth.expiry_event)
        else:
            ends = self.tr("No end date or event")
        if auth.event_occurred_on is not None:
            ends += self.tr(" (happened {date})").format(date=long_date(auth.event_occurred_on))
        self.ends_label = plain_label(ends, wrap=True)
        self.body.addWidget(self.ends_label)
        self.scope_label = caption(scope_summary(auth) or self.tr("Nothing ticked"))
        self.body.addWidget(self.scope_label)
        if auth.media_description:
            self.body.addWidget(caption(auth.media_description))
        if auth.revocation is not None:
            self.body.addWidget(
                caption(
                    self.tr("Withdrawn in writing, received {date}").format(
                        date=long_date(auth.revocation.received_on)
                    )
                )
            )
        self.missing_label = plain_label(missing_line(view.missing), wrap=True)
        self.missing_label.setProperty("error", "true")
        self.missing_label.setVisible(bool(view.missing))
        self.body.addWidget(self.missing_label)

        row = QHBoxLayout()
        row.setSpacing(8)
        self.pdf_button = button(self.tr("Open signed PDF"), "download")
        self.pdf_button.setVisible(bool(auth.pdf_ref))
        self.pdf_button.clicked.connect(lambda: self.open_pdf.emit(auth))
        row.addWidget(self.pdf_button)
        row.addStretch(1)
        is_open = view.status in OPEN_STATUSES
        self.event_button = button(self.tr("Expiry event happened…"), "calendar", "ghost")
        self.event_button.setVisible(is_open and bool(auth.expiry_event))
        self.event_button.clicked.connect(lambda: self.event_happened.emit(auth))
        row.addWidget(self.event_button)
        self.reconsent_button = button(self.tr("Re-consent"), "refresh")
        self.reconsent_button.setVisible(view.status is not AuthorizationStatus.SUPERSEDED)
        self.reconsent_button.clicked.connect(lambda: self.reconsent.emit(auth))
        row.addWidget(self.reconsent_button)
        self.revoke_button = button(self.tr("Revoke…"), kind="danger")
        self.revoke_button.setVisible(is_open or view.status is AuthorizationStatus.INCOMPLETE)
        self.revoke_button.clicked.connect(lambda: self.revoke.emit(auth))
        row.addWidget(self.revoke_button)
        self.delete_button = button(self.tr("Delete record…"), "trash", "danger")
        self.delete_button.clicked.connect(lambda: self.delete_record.emit(auth))
        self._offer_delete(
            None if is_open else view.deletable_from, can_delete=can_delete, today=today
        )
        row.addWidget(self.delete_button)
        self.body.addLayout(row)

    def _offer_delete(self, from_day: date | None, *, can_delete: bool, today: date | None) -> None:
        """Only admins see it, and only for a record that has ended (``from_day`` given):
        enabled from the first day it may be deleted, disabled (saying from when) before."""
        self.delete_button.setVisible(can_delete and from_day is not None)
        if from_day is None:
            return
        allowed = today is not None and today >= from_day
        self.delete_button.setEnabled(allowed)
        self.delete_button.setToolTip(
            self.tr("Its retention period is over: it may be deleted.")
            if allowed
            else self.tr(
                "Consent records are kept six years after they end: this one may be deleted "
                "from {date}."
            ).format(date=long_date(from_day))
        )


class PatientDetail(QWidget):
    """The patient card and their authorizations.

    Signals:
        new_requested(object): capture a new authorization for this ``Patient``.
        reconsent(object), revoke(object), event_happened(object), open_pdf(object),
            delete_record(object): an action on an ``Authorization`` (from its card).
    """

    new_requested = Signal(object)
    reconsent = Signal(object)
    revoke = Signal(object)
    event_happened = Signal(object)
    open_pdf = Signal(object)
    delete_record = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patient: Patient | None = None
        self.cards: list[AuthorizationCard] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        self.notice = Banner("", "success")
        self.notice.setVisible(False)
        column.addWidget(self.notice)

        self.patient_card = Card()
        self.name_label = heading("", 2)
        self.patient_card.header.insertWidget(0, self.name_label)
        self.new_button = button(self.tr("New consent"), "plus", "primary")
        self.new_button.clicked.connect(self._new)
        self.patient_card.header.addWidget(self.new_button)
        self.facts_label = plain_label(wrap=True)
        self.patient_card.body.addWidget(self.facts_label)
        self.representative_label = caption("")
        self.patient_card.body.addWidget(self.representative_label)
        column.addWidget(self.patient_card)

        self.history_title = heading(self.tr("Consents"), 3)
        column.addWidget(self.history_title)
        self.none_label = caption(self.tr("No consent yet. Use “New consent” to take one."))
        column.addWidget(self.none_label)
        self.cards_column = QVBoxLayout()
        self.cards_column.setSpacing(10)
        column.addLayout(self.cards_column)
        column.addStretch(1)

    def show_patient(
        self,
        patient: Patient,
        views: list[AuthorizationView],
        *,
        can_delete: bool = False,
        today: date | None = None,
    ) -> None:
        """Show ``patient`` and their authorizations (newest first). ``can_delete``: the
        person may delete records past their retention period on ``today`` (admins)."""
        self.patient = patient
        name = f"{patient.first_name} {patient.last_name}".strip()
        if patient.preferred_name:
            name += self.tr(" (“{preferred}”)").format(preferred=patient.preferred_name)
        self.name_label.setText(name)
        facts = []
        if patient.date_of_birth is not None:
            facts.append(self.tr("Born {date}").format(date=long_date(patient.date_of_birth)))
        facts += [patient.phone, patient.email]
        if patient.minor:
            facts.append(self.tr("Minor"))
        self.facts_label.setText(" · ".join(f for f in facts if f))
        if patient.representative_name:
            self.representative_label.setText(
                self.tr("Signs for them: {name} ({authority})").format(
                    name=patient.representative_name,
                    authority=patient.representative_authority or self.tr("authority not given"),
                )
            )
        else:
            self.representative_label.setText("")
        self.representative_label.setVisible(bool(patient.representative_name))
        self._clear_cards()
        for view in views:
            card = AuthorizationCard(view, can_delete=can_delete, today=today)
            card.reconsent.connect(self.reconsent)
            card.revoke.connect(self.revoke)
            card.event_happened.connect(self.event_happened)
            card.open_pdf.connect(self.open_pdf)
            card.delete_record.connect(self.delete_record)
            self.cards.append(card)
            self.cards_column.addWidget(card)
        self.none_label.setVisible(not views)

    def show_notice(self, text: str, tone: str = "success") -> None:
        self.notice.setProperty("tone", tone)
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.set_text(text)
        self.notice.setVisible(bool(text))

    def clear(self) -> None:
        """Forget the patient (sign-out): no name stays on screen."""
        self.patient = None
        self.name_label.setText("")
        self.facts_label.setText("")
        self.representative_label.setText("")
        self.show_notice("")
        self._clear_cards()

    def _clear_cards(self) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards.clear()

    def _new(self) -> None:
        if self.patient is not None:
            self.new_requested.emit(self.patient)

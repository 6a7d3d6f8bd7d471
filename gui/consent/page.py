"""The Consent page: find a patient, see their authorizations and what each covers, take a new
one at the desk, revoke, record an expiry event, delete a record after its retention period
(admins), print the blank form, export the register (CSV or PDF), and work through the open
takedowns."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.model import (
    Authorization,
    AuthorizationStatus,
    Patient,
    RevocationChannel,
    Takedown,
)
from core.consent.service import RevocationResult
from core.staff.model import Role, StaffMember
from gui import errors
from gui.consent.capture import CaptureDialog
from gui.consent.detail import AuthorizationView, PatientDetail
from gui.consent.dialogs import DeleteRecordDialog, EventDialog, RevokeDialog
from gui.consent.patients import ConsentList
from gui.consent.pdf import blank_form_pdf, register_pdf
from gui.consent.takedown import TakedownDialog, platform_name
from gui.hub import SignalHub
from gui.page import Page
from gui.tasks import TaskRunner
from gui.widgets import Banner, Card, EmptyState, button, caption, heading

DATA_AREA = "consent"
"""The ``hub.data_changed`` area for patients, authorizations and takedowns."""
POSTS_AREA = "posts"
REGISTER_FORMATS = {".csv": "csv", ".pdf": "pdf"}
"""The register's export formats by file suffix."""


def _write_temp_pdf(pdf: bytes) -> Path:
    """The blank form (no PHI) into a temporary file the PDF viewer can open and print."""
    with tempfile.NamedTemporaryFile(prefix="consent-form-", suffix=".pdf", delete=False) as f:
        f.write(pdf)
        return Path(f.name)


def _with_suffix(path: Path, suffix: str) -> Path:
    """``path`` ending in ``suffix``: the file type chosen in the save dialog decides the
    format, whatever the name still says (Qt's own dialog keeps the suggested ".csv")."""
    if path.suffix.lower() == suffix:
        return path
    if path.suffix.lower() in REGISTER_FORMATS:
        return path.with_suffix(suffix)
    return path.with_name(path.name + suffix)


def _open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ConsentPage(Page):
    """Patients' photo consents (HIPAA authorizations).

    Targets for ``show_target``: ``patient:<id>`` (shows that patient), ``takedown:<id>``
    (opens the takedown dialog), ``new`` (opens the capture). Emits
    ``hub.data_changed("consent")`` after every change it makes, and reloads on it.
    """

    page_id = "consent"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.setObjectName("page-consent")
        self.capture_dialog: CaptureDialog | None = None
        self.revoke_dialog: RevokeDialog | None = None
        self.event_dialog: EventDialog | None = None
        self.takedown_dialog: TakedownDialog | None = None
        self.delete_dialog: DeleteRecordDialog | None = None
        self.takedowns: list[Takedown] = []
        self.today = date.today()
        """Today in the practice's time zone (loaded with the counts)."""
        self._patient_generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)

        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Consent"), 1))
        top.addStretch(1)
        self.blank_button = button(self.tr("Print blank form"), "print", "ghost")
        self.blank_button.clicked.connect(self.print_blank_form)
        top.addWidget(self.blank_button)
        self.export_button = button(self.tr("Export register…"), "download", "ghost")
        self.export_button.setToolTip(
            self.tr("Every consent record, for an audit: a spreadsheet (CSV) or a PDF to print")
        )
        self.export_button.clicked.connect(self.export_register)
        top.addWidget(self.export_button)
        self.new_button = button(self.tr("New consent"), "plus", "primary")
        self.new_button.clicked.connect(self._new_clicked)
        top.addWidget(self.new_button)
        layout.addLayout(top)

        self.notice = Banner("", "success")
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        layout.addWidget(self._build_takedown_strip())
        layout.addWidget(self._build_split(services, runner), 1)

        self.list.patient_chosen.connect(self.show_patient)
        self.detail.new_requested.connect(lambda p: self.open_capture(patient=p))
        self.detail.reconsent.connect(self.reconsent)
        self.detail.revoke.connect(self.ask_revoke)
        self.detail.event_happened.connect(self.ask_event)
        self.detail.open_pdf.connect(self.open_signed_pdf)
        self.detail.delete_record.connect(self.ask_delete)
        hub.data_changed.connect(self._data_changed)
        self._set_enabled(False)

    def _build_takedown_strip(self) -> Card:
        self.takedown_strip = Card(self.tr("Posts to take down"))
        self.takedown_strip.body.addWidget(
            caption(
                self.tr(
                    "A patient withdrew consent (or it expired) for a photo in these published "
                    "posts. Remove each one, then confirm how."
                )
            )
        )
        self.takedown_row = QHBoxLayout()
        self.takedown_row.setSpacing(8)
        self.takedown_strip.body.addLayout(self.takedown_row)
        self.takedown_strip.setVisible(False)
        return self.takedown_strip

    def _build_split(self, services: Services, runner: TaskRunner) -> QSplitter:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.list = ConsentList(services, runner)
        self.list.setMinimumWidth(260)
        self.list.setMaximumWidth(380)
        split.addWidget(self.list)
        self.right = QStackedWidget()
        self.empty = EmptyState(
            "consent",
            self.tr("Choose a patient"),
            self.tr(
                "Search for the patient on the left to see their consents, or take a new "
                "one with “New consent”."
            ),
        )
        self.right.addWidget(self.empty)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_column = QVBoxLayout(holder)
        holder_column.setContentsMargins(8, 0, 8, 8)
        self.detail = PatientDetail()
        holder_column.addWidget(self.detail)
        scroll.setWidget(holder)
        self.detail_scroll = scroll
        self.right.addWidget(scroll)
        split.addWidget(self.right)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 900])
        return split

    # --- Page ------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        self._set_enabled(member is not None)
        if member is None:
            self._patient_generation += 1
            for dialog in (
                self.capture_dialog,
                self.revoke_dialog,
                self.event_dialog,
                self.takedown_dialog,
                self.delete_dialog,
            ):
                if dialog is not None:
                    dialog.reject()
            self.list.clear()
            self.detail.clear()
            self._show_notice("")
            self.right.setCurrentWidget(self.empty)
            self._show_takedowns([])
            return
        self.refresh()

    def refresh(self) -> None:
        if self.user is None:
            return
        self.list.reload()
        self._load_counts()
        self._load_takedowns()
        if self.detail.patient is not None and self.detail.patient.id is not None:
            self.show_patient_id(self.detail.patient.id)

    def show_target(self, target: str) -> None:
        if self.user is None:
            return
        kind, _, ident = target.partition(":")
        if kind == "patient" and ident.isdigit():
            self.show_patient_id(int(ident))
        elif kind == "takedown" and ident.isdigit():
            self.open_takedown_id(int(ident))
        elif kind == "status":
            self.list.show_status(ident)
        elif target == "new":
            self.open_capture()
        elif target == "blank-form":
            self.print_blank_form()

    # --- loading ---------------------------------------------------------------------------
    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.new_button, self.blank_button, self.export_button, self.list):
            widget.setEnabled(enabled)

    def _load_counts(self) -> None:
        consent = self.services.consent
        self.runner.run(
            lambda: (consent.status_counts(), consent.today()), self._counts_loaded, self._failed
        )

    def _counts_loaded(self, result: tuple[dict[AuthorizationStatus, int], date]) -> None:
        if self.user is not None:
            self.list.set_counts(result[0])
            self.today = result[1]

    def _load_takedowns(self) -> None:
        consent = self.services.consent
        self.runner.run(
            lambda: consent.takedowns(open_only=True), self._show_takedowns, self._failed
        )

    def _show_takedowns(self, takedowns: list[Takedown]) -> None:
        if self.user is None:
            takedowns = []
        self.takedowns = takedowns
        while self.takedown_row.count():
            item = self.takedown_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for takedown in takedowns[:6]:
            text = self.tr("Post {post} on {platform}").format(
                post=takedown.post_id, platform=platform_name(takedown.platform)
            )
            chip = button(text, "alert-triangle")
            chip.clicked.connect(lambda _c=False, t=takedown: self.open_takedown(t))
            self.takedown_row.addWidget(chip)
        if len(takedowns) > 6:
            self.takedown_row.addWidget(
                caption(self.tr("and {n} more").format(n=len(takedowns) - 6), wrap=False)
            )
        self.takedown_row.addStretch(1)
        self.takedown_strip.setVisible(bool(takedowns))

    def show_patient_id(self, patient_id: int) -> None:
        consent = self.services.consent
        self.runner.run(lambda: consent.get_patient(patient_id), self.show_patient, self._failed)

    def show_patient(self, patient: Patient) -> None:
        """Show the patient's card and their authorizations (loaded off the GUI thread)."""
        if self.user is None or patient.id is None:
            return
        self._patient_generation += 1
        generation = self._patient_generation
        consent, patient_id = self.services.consent, patient.id

        def load() -> tuple[Patient, list[AuthorizationView], date]:
            fresh = consent.get_patient(patient_id)
            views = [
                AuthorizationView(
                    a, consent.status_of(a), consent.missing(a), consent.deletable_from(a.id or 0)
                )
                for a in consent.authorizations(patient_id)
            ]
            return fresh, views, consent.today()

        def loaded(result: tuple[Patient, list[AuthorizationView], date]) -> None:
            if generation != self._patient_generation or self.user is None:
                return
            if self.detail.patient is None or self.detail.patient.id != patient_id:
                self.detail.show_notice("")
            fresh, views, today = result
            # Only an admin may delete (the service checks again); others never see it.
            can_delete = self.user.role is Role.ADMIN
            self.detail.show_patient(fresh, views, can_delete=can_delete, today=today)
            self.right.setCurrentWidget(self.detail_scroll)

        self.runner.run(load, loaded, self._failed)

    # --- actions ---------------------------------------------------------------------------
    def open_capture(
        self, *, patient: Patient | None = None, previous: Authorization | None = None
    ) -> CaptureDialog | None:
        """Open the capture dialog (window-modal, not blocking) and return it."""
        if self.user is None:
            return None
        dialog = CaptureDialog(
            self.services, self.runner, self.user, patient=patient, previous=previous, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._captured)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "capture_dialog", None))
        self.capture_dialog = dialog
        dialog.open()
        return dialog

    def reconsent(self, auth: Authorization) -> None:
        """A new authorization with the scope of ``auth`` filled in."""
        if self.user is None or auth.id is None:
            return
        consent, auth_id = self.services.consent, auth.id
        self.runner.run(
            lambda: consent.renewal(auth_id),
            self._open_renewal,
            self._failed,
        )

    def _new_clicked(self) -> None:
        self.open_capture()

    def _open_renewal(self, renewal: Authorization) -> None:
        self.open_capture(previous=renewal)

    def _captured(self, auth: Authorization) -> None:
        self.hub.data_changed.emit(DATA_AREA)
        self.show_patient_id(auth.patient_id)

    def ask_revoke(self, auth: Authorization) -> RevokeDialog | None:
        if self.user is None:
            return None
        name = self.detail.name_label.text()
        dialog = RevokeDialog(self.today, name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.revoke(auth, dialog.received_on(), dialog.channel(), dialog.note())
        )
        dialog.destroyed.connect(lambda _o=None: setattr(self, "revoke_dialog", None))
        self.revoke_dialog = dialog
        dialog.open()
        return dialog

    def revoke(
        self, auth: Authorization, received_on: date, channel: RevocationChannel, note: str
    ) -> None:
        """Record the revocation; then say what it did (posts pulled back, takedowns)."""
        if self.user is None or auth.id is None:
            return
        consent, actor, auth_id, version = self.services.consent, self.user, auth.id, auth.version

        def done(result: RevocationResult) -> None:
            pulled, added = len(result.pulled_post_ids), len(result.takedowns)
            self.detail.show_notice(
                self.tr(
                    "Consent revoked. {pulled} post(s) pulled back to draft; {added} "
                    "published post(s) added to the takedown list."
                ).format(pulled=pulled, added=added),
                "warning" if added else "success",
            )
            self.hub.data_changed.emit(DATA_AREA)
            self.hub.data_changed.emit(POSTS_AREA)

        self.runner.run(
            lambda: consent.revoke(
                actor, auth_id, version, received_on=received_on, channel=channel, note=note
            ),
            done,
            self._failed,
        )

    def ask_event(self, auth: Authorization) -> EventDialog | None:
        if self.user is None or auth.id is None:
            return None
        dialog = EventDialog(self.today, auth.expiry_event, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        consent, actor, auth_id, version = self.services.consent, self.user, auth.id, auth.version

        def record() -> None:
            day = dialog.occurred_on()

            def done(_saved: Authorization) -> None:
                self.hub.data_changed.emit(DATA_AREA)

            self.runner.run(
                lambda: consent.record_event(actor, auth_id, version, day), done, self._failed
            )

        dialog.accepted.connect(record)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "event_dialog", None))
        self.event_dialog = dialog
        dialog.open()
        return dialog

    def ask_delete(self, auth: Authorization) -> DeleteRecordDialog | None:
        """Confirm, then delete a record whose retention period is over (admins only)."""
        if self.user is None or auth.id is None:
            return None
        view = next((c.view for c in self.detail.cards if c.view.authorization.id == auth.id), None)
        if view is None or view.deletable_from is None:
            return None
        dialog = DeleteRecordDialog(
            self.detail.name_label.text(), auth.signed_on, view.deletable_from, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.delete_record(auth))
        dialog.destroyed.connect(lambda _o=None: setattr(self, "delete_dialog", None))
        self.delete_dialog = dialog
        dialog.open()
        return dialog

    def delete_record(self, auth: Authorization) -> None:
        if self.user is None or auth.id is None:
            return
        consent, actor, auth_id = self.services.consent, self.user, auth.id

        def done(_result: None) -> None:
            self.detail.show_notice(self.tr("The consent record was deleted."))
            self.hub.data_changed.emit(DATA_AREA)

        self.runner.run(lambda: consent.delete_authorization(actor, auth_id), done, self._failed)

    def open_signed_pdf(self, auth: Authorization) -> None:
        consent, digest = self.services.consent, auth.pdf_ref

        def found(path: Path | None) -> None:
            if path is None:
                self.detail.show_notice(
                    self.tr("The signed PDF is not in the media folder."), "danger"
                )
                return
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self.runner.run(lambda: consent.media_path(digest, ".pdf"), found, self._failed)

    def print_blank_form(self) -> None:
        """Make the blank form (off the GUI thread) and open it in the PDF viewer to print."""
        if self.user is None:
            return
        consent, practice = self.services.consent, self.services.practice

        def make() -> Path:
            return _write_temp_pdf(blank_form_pdf(consent.form(), practice.practice().value))

        self.runner.run(make, _open_file, self._failed)

    def export_register(self) -> None:
        """Save the consent register where the person chooses, as a spreadsheet (CSV) or a
        PDF: the file type chosen in the save dialog decides."""
        if self.user is None:
            return
        csv_filter = self.tr("Spreadsheet (CSV) (*.csv)")
        pdf_filter = self.tr("PDF to print (*.pdf)")
        suggested = f"consent-register-{QDate.currentDate().toString('yyyy-MM-dd')}.csv"
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the consent register"),
            suggested,
            f"{csv_filter};;{pdf_filter}",
            csv_filter,
        )
        if not path:
            return
        self.export_to(_with_suffix(Path(path), ".pdf" if chosen == pdf_filter else ".csv"))

    def export_to(self, path: Path) -> None:
        """Write the register to ``path`` off the GUI thread: a PDF for a ``.pdf`` file, else
        CSV. Both come from the same rows, and the export is audited."""
        consent, practice, actor = self.services.consent, self.services.practice, self.user
        export_format = REGISTER_FORMATS.get(path.suffix.lower(), "csv")

        def work() -> Path:
            if export_format == "pdf":
                rows = consent.register_rows(actor, export_format="pdf")
                pdf = register_pdf(rows, practice.practice().value, day=consent.today())
                path.write_bytes(pdf)
            else:
                path.write_bytes(consent.export_csv(actor))
            return path

        self.runner.run(
            work,
            lambda p: self._show_notice(
                self.tr("The register was saved to {path}.").format(path=p)
            ),
            self._failed,
        )

    def open_takedown_id(self, takedown_id: int) -> None:
        consent = self.services.consent
        self.runner.run(
            lambda: consent.get_takedown(takedown_id), self._takedown_loaded, self._failed
        )

    def _takedown_loaded(self, takedown: Takedown) -> None:
        self.open_takedown(takedown)

    def open_takedown(self, takedown: Takedown) -> TakedownDialog | None:
        if self.user is None:
            return None
        dialog = TakedownDialog(self.services, self.runner, takedown, self.user, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda _t: self._takedown_confirmed())
        dialog.destroyed.connect(lambda _o=None: setattr(self, "takedown_dialog", None))
        self.takedown_dialog = dialog
        dialog.open()
        return dialog

    def _takedown_confirmed(self) -> None:
        self.hub.data_changed.emit(DATA_AREA)
        self._load_takedowns()

    # --- helpers ---------------------------------------------------------------------------
    def _data_changed(self, area: str) -> None:
        if area == DATA_AREA:
            self.refresh()

    def _show_notice(self, text: str) -> None:
        self.notice.set_text(text)
        self.notice.setVisible(bool(text))

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)

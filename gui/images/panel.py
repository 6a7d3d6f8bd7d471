"""The side panel of one photo's checklist: where the photo stands, the scan (with progress and
cancel), the hidden information export removes, the ten items, the people, the text found, the
redactions, the photo spot and notes, the description for screen readers (alt text), what is
still missing in plain words, and the sign-off.

Layout and wording only: every action is a signal; ``gui.images.page`` calls the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from core.imaging.model import (
    ChecklistItem,
    ImageRecord,
    ImageStatus,
    PhotoSpot,
    TextRisk,
)
from core.progress import Progress
from core.staff.model import StaffMember
from gui import icons
from gui.errors import local_time
from gui.images.alt_text import AltTextCard
from gui.images.checklist_items import ChecklistItems
from gui.images.found import PeopleList, RedactionList, TextList
from gui.images.wording import (
    metadata_lines,
    problem_text,
    scan_step_label,
    status_label,
    status_tone,
    warning_text,
)
from gui.widgets import Banner, Card, button, caption, plain_label, repolish

BANNER_ICONS = {
    ImageStatus.UNCHECKED: "info",
    ImageStatus.NEEDS_ATTENTION: "alert-triangle",
    ImageStatus.CLEARED: "check-circle",
    ImageStatus.REJECTED: "alert-octagon",
}

REFERENCE = QSize(160, 120)
"""The photo spot's reference photo beside the notes."""

ProblemLine = tuple[str, Mapping[str, object]]
"""A checklist problem as (code, params)."""


def when_text(when: datetime) -> str:
    """A moment in this computer's time zone, e.g. "Tue, Nov 3, 2026, 4:05 PM"."""
    local = when.astimezone() if when.tzinfo else when
    day = QLocale().toString(QDate(local.year, local.month, local.day), "ddd, MMM d, yyyy")
    return f"{day}, {local_time(when)}"


MAX_PROBLEMS_SHOWN = 6


def problems_summary(problems: Sequence[ProblemLine]) -> str:
    """What is still missing, one line each; unanswered items are counted in one line."""
    tr = QCoreApplication.translate
    unanswered = [params for code, params in problems if code == "item_unanswered"]
    lines = [tr("ChecklistPanel", "Before you can sign off:")]
    if len(unanswered) == 1:
        lines.append(f"• {problem_text('item_unanswered', unanswered[0])}")
    elif unanswered:
        lines.append(
            "• "
            + tr("ChecklistPanel", "Answer the {n} checklist items still open below.").format(
                n=len(unanswered)
            )
        )
    rest = [(c, p) for c, p in problems if c != "item_unanswered"]
    lines += [f"• {problem_text(code, params)}" for code, params in rest[:MAX_PROBLEMS_SHOWN]]
    if len(rest) > MAX_PROBLEMS_SHOWN:
        lines.append(
            tr("ChecklistPanel", "… and {n} more").format(n=len(rest) - MAX_PROBLEMS_SHOWN)
        )
    return "\n".join(lines)


class ChecklistPanel(QWidget):
    """Everything beside the photo.

    Signals:
        scan_requested(), scan_cancelled(): start or stop a scan;
        answered(object, object, str): a checklist item, its answer, its note;
        spot_chosen(object): a photo spot id, or ``None``;
        notes_saved(str): the notes as typed;
        alt_text_saved(str): the description for screen readers as typed (trimmed);
        suggested_accepted(): add the suggested redactions;
        sign_off_requested(), reject_requested(), reopen_requested().
    The people, text and redaction lists are ``people``, ``texts`` and ``redaction_list``;
    connect to their signals. ``alt_text`` is the alt text card (``refused`` shows why a save
    was refused).
    """

    scan_requested = Signal()
    scan_cancelled = Signal()
    answered = Signal(object, object, str)
    spot_chosen = Signal(object)
    notes_saved = Signal(str)
    alt_text_saved = Signal(str)
    suggested_accepted = Signal()
    sign_off_requested = Signal()
    reject_requested = Signal()
    reopen_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: ImageRecord | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 8, 8)
        column.setSpacing(12)
        self.banner = Banner("", "neutral")
        self.banner.setObjectName("status-banner")
        column.addWidget(self.banner)
        column.addWidget(self._build_signoff())
        column.addWidget(self._build_scan())
        self.items_card = Card(self.tr("Look behind the subject"))
        self.items_card.body.addWidget(
            caption(
                self.tr(
                    "For each item: is it in the photo? If it is, hide it with a box and "
                    "answer “Handled”."
                )
            )
        )
        self.items = ChecklistItems()
        self.items.answered.connect(self.answered)
        self.items_card.body.addWidget(self.items)
        column.addWidget(self.items_card)
        self.people_card = Card(self.tr("People"))
        self.people_card.body.addWidget(
            caption(
                self.tr(
                    "Each person must be a patient whose consent covers this photo, staff, or "
                    "hidden. Someone the scan missed: choose “Drag to add a person” above the "
                    "photo and drag around them."
                )
            )
        )
        self.people = PeopleList()
        self.people_card.body.addWidget(self.people)
        column.addWidget(self.people_card)
        self.text_card = Card(self.tr("Text found"))
        self.texts = TextList()
        self.text_card.body.addWidget(self.texts)
        column.addWidget(self.text_card)
        column.addWidget(self._build_redactions())
        column.addWidget(self._build_metadata())
        column.addWidget(self._build_spot())
        self.alt_text = AltTextCard()
        self.alt_text.saved.connect(self.alt_text_saved)
        column.addWidget(self.alt_text)
        column.addStretch(1)

    # --- building --------------------------------------------------------------------------
    def _build_signoff(self) -> Card:
        card = Card(self.tr("Sign-off"))
        self.problems_label = plain_label("", wrap=True)
        self.problems_label.setObjectName("problems")
        card.body.addWidget(self.problems_label)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.sign_off_button = button(self.tr("Sign off: safe to post"), "check-circle", "primary")
        self.sign_off_button.setObjectName("sign-off")
        self.sign_off_button.clicked.connect(self.sign_off_requested)
        row.addWidget(self.sign_off_button)
        self.reject_button = button(self.tr("Reject…"), kind="ghost")
        self.reject_button.setToolTip(self.tr("Mark the photo as not to be used, with a reason"))
        self.reject_button.clicked.connect(self.reject_requested)
        row.addWidget(self.reject_button)
        self.reopen_button = button(self.tr("Reopen"), "refresh", "ghost")
        self.reopen_button.setToolTip(self.tr("Go through the checklist again"))
        self.reopen_button.clicked.connect(self.reopen_requested)
        row.addWidget(self.reopen_button)
        row.addStretch(1)
        card.body.addLayout(row)
        return card

    def _build_scan(self) -> Card:
        card = Card(self.tr("Scan"))
        self.scan_summary = plain_label("", wrap=True)
        card.body.addWidget(self.scan_summary)
        self.scan_warnings = QVBoxLayout()
        self.scan_warnings.setSpacing(6)
        card.body.addLayout(self.scan_warnings)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.scan_progress = QProgressBar()
        self.scan_progress.setTextVisible(False)
        self.scan_progress.setAccessibleName(self.tr("Scan progress"))
        self.scan_progress.setVisible(False)
        row.addWidget(self.scan_progress, 1)
        self.scan_step = caption("", wrap=False)
        self.scan_step.setVisible(False)
        card.body.addWidget(self.scan_step)
        self.scan_button = button(self.tr("Scan again"), "search")
        self.scan_button.clicked.connect(self.scan_requested)
        row.addWidget(self.scan_button)
        self.cancel_scan_button = button(self.tr("Cancel scan"), kind="ghost")
        self.cancel_scan_button.clicked.connect(self.scan_cancelled)
        self.cancel_scan_button.setVisible(False)
        row.addWidget(self.cancel_scan_button)
        row.addStretch(0)
        card.body.addLayout(row)
        return card

    def _build_redactions(self) -> Card:
        card = Card(self.tr("Hidden on export"))
        card.body.addWidget(
            caption(
                self.tr(
                    "Boxes are burned into the copy that gets posted; the original photo is "
                    "kept unchanged. Use Fill for text: blur can sometimes be read."
                )
            )
        )
        self.suggest_button = button(self.tr("Accept suggested boxes"), "eye-off")
        self.suggest_button.setObjectName("accept-suggested")
        self.suggest_button.clicked.connect(self.suggested_accepted)
        card.body.addWidget(self.suggest_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.redaction_list = RedactionList()
        card.body.addWidget(self.redaction_list)
        return card

    def _build_metadata(self) -> Card:
        card = Card(self.tr("Hidden information in the file"))
        self.metadata_label = plain_label("", wrap=True)
        card.body.addWidget(self.metadata_label)
        return card

    def _build_spot(self) -> Card:
        card = Card(self.tr("Where it was taken, and notes"))
        self.spot = QComboBox()
        self.spot.setAccessibleName(self.tr("Photo spot"))
        self.spot.activated.connect(lambda _i: self.spot_chosen.emit(self.spot.currentData()))
        spot_label = plain_label(self.tr("Approved photo spot"))
        spot_label.setBuddy(self.spot)
        card.body.addWidget(spot_label)
        card.body.addWidget(self.spot)
        notes_label = plain_label(self.tr("Notes"))
        card.body.addWidget(notes_label)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(80)
        self.notes.textChanged.connect(self._notes_edited)
        notes_label.setBuddy(self.notes)
        # The spot's reference photo beside the notes: compare the photo with what the spot
        # should look like.
        beside = QHBoxLayout()
        beside.setSpacing(8)
        beside.addWidget(self.notes, 1)
        reference = QVBoxLayout()
        reference.setSpacing(2)
        self.spot_reference = QLabel()
        self.spot_reference.setObjectName("spot-reference")
        self.spot_reference.setFixedSize(REFERENCE)
        self.spot_reference.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.spot_reference.setWordWrap(True)
        self.spot_reference.setAccessibleName(self.tr("Reference photo of the photo spot"))
        reference.addWidget(self.spot_reference)
        self.spot_reference_caption = caption(self.tr("How the spot should look"), wrap=True)
        self.spot_reference_caption.setFixedWidth(REFERENCE.width())
        reference.addWidget(self.spot_reference_caption)
        reference.addStretch(1)
        self.spot_reference_box = QWidget()
        self.spot_reference_box.setLayout(reference)
        reference.setContentsMargins(0, 0, 0, 0)
        self.spot_reference_box.setVisible(False)
        beside.addWidget(self.spot_reference_box, 0, Qt.AlignmentFlag.AlignTop)
        card.body.addLayout(beside)
        self.save_notes_button = button(self.tr("Save notes"))
        self.save_notes_button.setEnabled(False)
        self.save_notes_button.clicked.connect(self._save_notes)
        card.body.addWidget(self.save_notes_button, 0, Qt.AlignmentFlag.AlignLeft)
        return card

    # --- showing ---------------------------------------------------------------------------
    def show_record(
        self,
        record: ImageRecord,
        *,
        problems: Sequence[ProblemLine],
        flagged: frozenset[ChecklistItem],
        suggested: int,
        spots: Sequence[PhotoSpot],
        staff: Sequence[StaffMember],
        patient_names: Mapping[int, str],
        scanning: bool,
    ) -> None:
        """Show ``record`` (keeping the keyboard focus on the same control when it is rebuilt)."""
        focused = QApplication.focusWidget()
        focus_name = focused.objectName() if focused and self.isAncestorOf(focused) else ""
        same = self.record is not None and self.record.id == record.id
        self.record = record
        editable = record.status is not ImageStatus.REJECTED and not scanning
        self._show_status(record, staff)
        self._show_signoff(record, problems, scanning)
        self._show_scan(record)
        self.set_scanning(scanning)
        self.items.show_record(record, flagged, editable)
        self.people.show_record(record, staff, patient_names, editable)
        self.texts.show_record(record, editable)
        self.redaction_list.show_record(record, editable)
        self.suggest_button.setText(
            self.tr("Accept suggested boxes ({n})").format(n=suggested)
            if suggested
            else self.tr("Accept suggested boxes")
        )
        self.suggest_button.setEnabled(editable and suggested > 0)
        self._show_metadata(record)
        self._show_spots(record, spots, editable)
        if not same or not self.save_notes_button.isEnabled():
            self.notes.blockSignals(True)
            self.notes.setPlainText(record.notes)
            self.notes.blockSignals(False)
            self.save_notes_button.setEnabled(False)
        self.notes.setEnabled(editable)
        self.alt_text.show_record(record, editable)
        if focus_name:
            target = self.findChild(QWidget, focus_name)
            if target is not None and target.isVisible() and target.isEnabled():
                target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_status(self, record: ImageRecord, staff: Sequence[StaffMember]) -> None:
        status = record.status
        tone = status_tone(status)
        if status is ImageStatus.CLEARED and record.signoff is not None:
            who = next(
                (m.display_name for m in staff if m.id == record.signoff.staff_id),
                self.tr("a colleague"),
            )
            text = self.tr(
                "Signed off by {name} on {when}. This photo may be attached to posts; any change "
                "to it other than its description undoes the sign-off."
            ).format(name=who, when=when_text(record.signoff.at))
        elif status is ImageStatus.REJECTED:
            text = self.tr("Reason: {reason}").format(
                reason=record.rejected_reason or self.tr("no reason given")
            )
        elif status is ImageStatus.NEEDS_ATTENTION:
            text = self.tr(
                "Go through the checklist, then sign off. It cannot be posted until then."
            )
        else:
            text = self.tr("Nobody has gone through this photo yet.")
        self.banner.setProperty("tone", tone)
        icons.bind_pixmap(self.banner.icon_label, BANNER_ICONS[status], 18, tone)
        repolish(self.banner)
        self.banner.set_text(f"{status_label(status)}. {text}")

    def _show_signoff(
        self, record: ImageRecord, problems: Sequence[ProblemLine], scanning: bool
    ) -> None:
        status = record.status
        self.reopen_button.setVisible(status in (ImageStatus.CLEARED, ImageStatus.REJECTED))
        self.reject_button.setVisible(status is not ImageStatus.REJECTED)
        self.sign_off_button.setVisible(status not in (ImageStatus.CLEARED, ImageStatus.REJECTED))
        if status is ImageStatus.CLEARED:
            self.problems_label.setText(self.tr("Signed off. Nothing left to do."))
        elif status is ImageStatus.REJECTED:
            self.problems_label.setText(
                self.tr("This photo will not be used. Reopen it to check it again.")
            )
        elif scanning:
            self.problems_label.setText(self.tr("Wait for the scan to finish."))
        elif problems:
            self.problems_label.setText(problems_summary(problems))
        else:
            self.problems_label.setText(
                self.tr("Everything is answered. Signing off records your name and the time.")
            )
        self.sign_off_button.setEnabled(not problems and not scanning)
        if problems and not scanning:
            self.sign_off_button.setToolTip(problem_text(*problems[0]))
        else:
            self.sign_off_button.setToolTip("")

    def _show_scan(self, record: ImageRecord) -> None:
        report = record.report
        while self.scan_warnings.count():
            item = self.scan_warnings.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        if report is None:
            self.scan_summary.setText(
                self.tr("Not scanned yet. The scan looks for faces, text and hidden information.")
            )
            self.scan_button.setText(self.tr("Scan now"))
            return
        self.scan_button.setText(self.tr("Scan again"))
        faces = len(report.faces)
        phi = sum(1 for r in report.text_regions if r.risk is TextRisk.PHI)
        parts = [
            self.tr("no faces")
            if faces == 0
            else self.tr("1 face")
            if faces == 1
            else self.tr("{n} faces").format(n=faces),
        ]
        lines = len(report.text_regions)
        if report.ocr_ran:
            parts.append(
                self.tr("no text")
                if lines == 0
                else self.tr("{n} lines of text").format(n=lines)
                if lines > 1
                else self.tr("1 line of text")
            )
            if phi:
                parts.append(self.tr("{n} with patient information").format(n=phi))
        found = ", ".join(parts)
        if report.scanned_at is not None:
            self.scan_summary.setText(
                self.tr("Scanned {when}: {found}.").format(
                    when=when_text(report.scanned_at), found=found
                )
            )
        else:
            self.scan_summary.setText(self.tr("Scanned: {found}.").format(found=found))
        for code in report.warnings:
            self.scan_warnings.addWidget(Banner(warning_text(code), "warning"))

    def _show_metadata(self, record: ImageRecord) -> None:
        report = record.report
        if report is None:
            self.metadata_label.setText(self.tr("Known after the scan."))
            return
        lines = metadata_lines(report.metadata)
        if not lines:
            self.metadata_label.setText(
                self.tr("None found. The posted copy never carries any anyway.")
            )
            return
        bullet = "\n".join(f"• {line}" for line in lines)
        self.metadata_label.setText(
            self.tr("{lines}\nAll of this is removed when the photo is exported.").format(
                lines=bullet
            )
        )

    def _show_spots(self, record: ImageRecord, spots: Sequence[PhotoSpot], editable: bool) -> None:
        self.spot.blockSignals(True)
        self.spot.clear()
        self.spot.addItem(self.tr("No photo spot"), None)
        for spot in spots:
            if spot.active or spot.id == record.spot_id:
                self.spot.addItem(spot.name, spot.id)
        self.spot.setCurrentIndex(max(0, self.spot.findData(record.spot_id)))
        self.spot.blockSignals(False)
        self.spot.setEnabled(editable)

    def show_spot_reference(self, shown: bool, pixmap: QPixmap | None = None) -> None:
        """Show the chosen spot's reference photo beside the notes (``shown`` False: the photo
        has no spot, or the spot no reference photo). ``pixmap`` ``None`` while it loads, or
        when it cannot be shown."""
        self.spot_reference_box.setVisible(shown)
        if not shown:
            self.spot_reference.clear()
            return
        if pixmap is not None and not pixmap.isNull():
            self.spot_reference.setPixmap(pixmap)
            self.spot_reference.setToolTip("")
            return
        self.spot_reference.clear()
        self.spot_reference.setText(self.tr("Loading…"))

    def spot_reference_missing(self) -> None:
        """The reference photo could not be read from the media folder."""
        self.spot_reference.clear()
        self.spot_reference.setText(self.tr("The reference photo could not be shown"))

    def set_scanning(self, scanning: bool, step: Progress | None = None) -> None:
        """Show or hide the scan's progress; ``step`` moves it on."""
        self.scan_progress.setVisible(scanning)
        self.scan_step.setVisible(scanning)
        self.cancel_scan_button.setVisible(scanning)
        self.scan_button.setVisible(not scanning)
        self.scan_button.setEnabled(
            self.record is not None and self.record.status is not ImageStatus.REJECTED
        )
        if not scanning:
            return
        if step is None:
            self.scan_progress.setRange(0, 0)
            self.scan_step.setText(self.tr("Scanning…"))
            return
        self.scan_progress.setRange(0, step.total or 0)
        self.scan_progress.setValue(step.done)
        self.scan_step.setText(scan_step_label(step.label))

    # --- notes -----------------------------------------------------------------------------
    def _notes_edited(self) -> None:
        current = self.record.notes if self.record is not None else ""
        self.save_notes_button.setEnabled(self.notes.toPlainText().strip() != current.strip())

    def _save_notes(self) -> None:
        self.save_notes_button.setEnabled(False)
        self.notes_saved.emit(self.notes.toPlainText().strip())

    def clear(self) -> None:
        self.record = None
        self.show_spot_reference(False)
        self.notes.blockSignals(True)
        self.notes.clear()
        self.notes.blockSignals(False)
        self.save_notes_button.setEnabled(False)
        self.alt_text.clear()

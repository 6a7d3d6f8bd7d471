"""The doctor's list: every item escalated to the doctor and still waiting, oldest first, in
one short view to read, print or save as a PDF.

The document is built by inserting plain text (``QTextCursor.insertText``) with character
formats, never HTML: a review's markup stays the characters it is. Building it and writing the
PDF only lay out and paint text, which Qt allows off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.reviews.model import Review
from gui import errors
from gui.reviews.wording import long_date, short_date, source_label, stars, tr
from gui.tasks import TaskRunner
from gui.widgets import Banner, button, caption, heading

NO_PRINTING_PLATFORMS = ("offscreen", "minimal")
"""Qt platforms without printers (tests, screenshots): printing is skipped there."""


@dataclass(frozen=True, slots=True)
class DoctorItem:
    """One escalated item and why it was escalated (the recorded reason)."""

    review: Review
    reason: str


def load_items(services: Services) -> list[DoctorItem]:
    """The doctor's list with each item's reason (runs on a worker)."""
    reviews = services.reviews
    items = []
    for review in reviews.doctor_list():
        assert review.id is not None
        assessment = reviews.detail(review.id).assessment
        items.append(DoctorItem(review, assessment.reason if assessment else ""))
    return items


def _days_waiting(review: Review, now: datetime) -> int:
    return max(0, (now - max(review.posted_at, review.collected_at)).days)


def build_document(items: Sequence[DoctorItem], *, practice: str, now: datetime) -> QTextDocument:
    """The list as a document of plain text runs (for the screen, the printer and the PDF)."""
    document = QTextDocument()
    document.setDocumentMargin(24)
    base = QFont()
    base.setPointSizeF(10.5)
    document.setDefaultFont(base)
    cursor = QTextCursor(document)
    title = QTextCharFormat()
    title.setFontPointSize(16)
    title.setFontWeight(QFont.Weight.Bold)
    bold = QTextCharFormat()
    bold.setFontWeight(QFont.Weight.Bold)
    muted = QTextCharFormat()
    muted.setForeground(Qt.GlobalColor.darkGray)
    normal = QTextCharFormat()
    spaced = QTextBlockFormat()
    spaced.setTopMargin(14)
    quoted = QTextBlockFormat()
    quoted.setLeftMargin(18)
    quoted.setTopMargin(4)
    cursor.insertText(tr("For the doctor: reviews to look at"), title)
    cursor.insertBlock()
    header = tr("{practice} · {date} · {n} item(s), oldest first").format(
        practice=practice, date=long_date(now), n=len(items)
    )
    cursor.insertText(header.strip(" ·"), muted)
    if not items:
        cursor.insertBlock(spaced)
        cursor.insertText(tr("Nothing escalated to the doctor."), normal)
    for number, item in enumerate(items, start=1):
        review = item.review
        cursor.insertBlock(spaced)
        line = " · ".join(
            part
            for part in (
                f"{number}.",
                source_label(review.source),
                stars(review.rating),
                review.author or tr("(anonymous)"),
                tr("posted {date}").format(date=short_date(review.posted_at)),
                tr("waiting {n} day(s)").format(n=_days_waiting(review, now)),
            )
            if part
        )
        cursor.insertText(line, bold)
        cursor.insertBlock(quoted)
        cursor.insertText(review.text, normal)
        if item.reason:
            cursor.insertBlock(quoted)
            cursor.insertText(tr("Why escalated: "), muted)
            cursor.insertText(item.reason, normal)
    return document


def write_pdf(items: Sequence[DoctorItem], path: Path, *, practice: str, now: datetime) -> Path:
    """Save the list as a US Letter PDF at ``path`` (runs on a worker)."""
    document = build_document(items, practice=practice, now=now)
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(18, 18, 18, 18),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(tr("For the doctor"))
    document.print_(writer)
    return path


def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    """Ask where to save the PDF (a seam for tests); ``None`` when cancelled."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, tr("Save the doctor's list"), suggested, tr("PDF (*.pdf)")
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def can_print() -> bool:
    return QGuiApplication.platformName() not in NO_PRINTING_PLATFORMS


class DoctorList(QWidget):
    """The doctor's list, with Print and Save as PDF.

    Signals:
        back_requested(): return to the inbox.
    """

    back_requested = Signal()

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.items: list[DoctorItem] = []
        self.practice = ""
        self.now = services.clock.now()
        self._generation = 0
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        top = QHBoxLayout()
        self.back_button = button(self.tr("Back to the inbox"), kind="ghost")
        self.back_button.clicked.connect(self.back_requested)
        top.addWidget(self.back_button)
        top.addWidget(heading(self.tr("The doctor's list"), 2))
        top.addStretch(1)
        self.print_button = button(self.tr("Print…"), "print")
        self.print_button.clicked.connect(self.print_list)
        self.print_button.setVisible(can_print())
        top.addWidget(self.print_button)
        self.pdf_button = button(self.tr("Save as PDF…"), "download")
        self.pdf_button.clicked.connect(self.save_pdf)
        top.addWidget(self.pdf_button)
        column.addLayout(top)
        column.addWidget(
            caption(
                self.tr(
                    "Everything escalated to the doctor and still waiting, oldest first. "
                    "Print it for the doctor's daily look."
                )
            )
        )
        self.notice = Banner("", "success")
        self.notice.hide()
        column.addWidget(self.notice)
        self.view = QTextEdit()
        self.view.setReadOnly(True)
        self.view.setAcceptRichText(False)
        self.view.setAccessibleName(self.tr("The doctor's list"))
        column.addWidget(self.view, 1)

    def reload(self) -> None:
        """Load the list off the GUI thread and show it."""
        self._generation += 1
        generation = self._generation
        services = self.services

        def load() -> tuple[list[DoctorItem], str, datetime]:
            practice = services.reviews.practice()
            return load_items(services), practice.name if practice else "", services.clock.now()

        def loaded(result: tuple[list[DoctorItem], str, datetime]) -> None:
            if generation != self._generation:
                return
            self.items, self.practice, self.now = result
            self.view.setDocument(build_document(self.items, practice=self.practice, now=self.now))
            self.pdf_button.setEnabled(True)

        self.runner.run(load, loaded, self._failed)

    def clear(self) -> None:
        self._generation += 1
        self.items = []
        self.view.setDocument(QTextDocument())
        self.notice.hide()

    def save_pdf(self) -> None:
        path = ask_save_path(self, str(Path.home() / "doctors-list.pdf"))
        if path is None:
            return
        items, practice, now = list(self.items), self.practice, self.now

        def saved(result: Path) -> None:
            self.notice.set_text(self.tr("Saved as {name}.").format(name=result.name))
            self.notice.show()

        self.runner.run(
            lambda: write_pdf(items, path, practice=practice, now=now), saved, self._failed
        )

    def print_list(self) -> bool:
        """Ask for a printer and print the list; ``False`` when not possible or cancelled."""
        if not can_print():
            return False
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        build_document(self.items, practice=self.practice, now=self.now).print_(printer)
        return True

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)

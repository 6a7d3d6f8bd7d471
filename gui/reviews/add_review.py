"""Adding one review by hand: typed in, or pasted from the clipboard and checked over."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import shiboken6
from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.errors import KnownError, ValidationError
from core.reviews.model import ItemKind, Review, Source
from core.staff.model import StaffMember
from gui import errors
from gui.reviews import import_wording as words
from gui.reviews.wording import source_label
from gui.tasks import TaskRunner
from gui.widgets import Banner, button, caption, heading

MAX_TEXT = 20_000
"""Longer than any site allows; a paste bigger than this is almost certainly not a review."""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class AddReviewDialog(QDialog):
    """One review typed in (site, author, stars, date, text, link) or pasted from the
    clipboard ("Paste from clipboard" fills the fields to check before saving). Saving adds it
    to the inbox through ``ReviewService.add_one``; a duplicate or a missing text is said
    next to the form, nothing typed is lost.

    Signals:
        added(object): the stored ``Review``.
    """

    added = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        user: StaffMember,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.user = user
        self.zone = ZoneInfo("UTC")
        self.stored: Review | None = None
        self._external_id = ""
        self._touched_date = False
        self.setWindowTitle(self.tr("Add a review"))
        self.resize(620, 600)

        column = QVBoxLayout(self)
        column.setContentsMargins(24, 20, 24, 18)
        column.setSpacing(12)
        head = QHBoxLayout()
        head.addWidget(heading(self.tr("Add a review"), 2), 1)
        self.paste_button = button(self.tr("Paste from clipboard"), "copy")
        self.paste_button.clicked.connect(self.paste)
        head.addWidget(self.paste_button)
        column.addLayout(head)
        column.addWidget(
            caption(
                self.tr(
                    "Copy a review from the site (or the e-mail that announced it) and paste "
                    "it, or type it in. Check the fields before adding it."
                )
            )
        )
        self.problem = Banner("", "danger")
        self.problem.hide()
        column.addWidget(self.problem)

        column.addLayout(self._build_form(), 1)

        bar = QHBoxLayout()
        bar.addStretch(1)
        self.cancel_button = button(self.tr("Cancel"), kind="ghost")
        self.cancel_button.clicked.connect(self.reject)
        bar.addWidget(self.cancel_button)
        self.save_button = button(self.tr("Add to the inbox"), "plus", "primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        bar.addWidget(self.save_button)
        column.addLayout(bar)
        self.text.textChanged.connect(self._edited)
        self.date.dateChanged.connect(lambda _d: setattr(self, "_touched_date", True))
        self._edited()
        self._load_zone()

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        self.source = QComboBox()
        for source in Source:
            self.source.addItem(source_label(source), source)
        form.addRow(self.tr("Site"), self.source)
        self.author = QLineEdit()
        self.author.setPlaceholderText(self.tr("The name shown on the review"))
        form.addRow(self.tr("Author"), self.author)
        self.rating = QComboBox()
        self.rating.addItem(self.tr("No stars"), None)
        for n in range(5, 0, -1):
            self.rating.addItem("★" * n + "☆" * (5 - n), n)
        self.rating.setCurrentIndex(0)
        form.addRow(self.tr("Stars"), self.rating)
        today = self.services.clock.now().date()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("MMMM d, yyyy")
        self.date.setMaximumDate(QDate(today.year, today.month, today.day).addDays(1))
        form.addRow(self.tr("Date posted"), self.date)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(self.tr("What the reviewer wrote, word for word"))
        self.text.setMinimumHeight(160)
        form.addRow(self.tr("Review"), self.text)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://")
        form.addRow(self.tr("Link"), self.url)
        return form

    def _load_zone(self) -> None:
        practice = self.services.practice
        self.runner.run(
            lambda: practice.practice().value.timezone,
            self._zone_loaded,
            lambda _exc: None,  # UTC stays: only the time of day of a typed-in date depends on it
        )

    def _zone_loaded(self, name: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.zone = _zone(name)
        today = self.services.clock.now().astimezone(self.zone).date()
        if not self._touched_date:
            self.date.blockSignals(True)
            self.date.setDate(QDate(today.year, today.month, today.day))
            self.date.blockSignals(False)

    def _edited(self) -> None:
        self.save_button.setEnabled(bool(self.text.toPlainText().strip()))

    # --- pasting -------------------------------------------------------------------------
    def paste(self) -> None:
        """Fill the fields from the clipboard's text (parsed off the GUI thread)."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self._show_problem(self.tr("The clipboard has no text. Copy the review first."))
            return
        reviews = self.services.reviews
        self.runner.run(
            lambda: reviews.parse_pasted(text[:MAX_TEXT]), self._fill, self._paste_failed
        )

    def _fill(self, review: Review) -> None:
        if not shiboken6.isValid(self):
            return
        self._show_problem(None)
        self.source.setCurrentIndex(max(0, self.source.findData(review.source)))
        self.author.setText(review.author)
        self.rating.setCurrentIndex(max(0, self.rating.findData(review.rating)))
        local = review.posted_at.astimezone(self.zone)
        self.date.setDate(QDate(local.year, local.month, local.day))
        self.text.setPlainText(review.text)
        self.url.setText(review.url)
        self._external_id = review.external_id

    def _paste_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(exc, ValidationError) and exc.params.get("reason") == "too_long":
            self._show_problem(words.add_problem(exc.params))
        elif isinstance(exc, KnownError):
            self._show_problem(
                self.tr(
                    "The clipboard's text does not look like a review. Type it in instead, or "
                    "copy the whole review from the site."
                )
            )
        else:
            errors.show_error(self, exc)

    # --- saving --------------------------------------------------------------------------
    def review(self) -> Review:
        """The review as the form holds it (not stored yet)."""
        now = self.services.clock.now()
        chosen = self.date.date()
        day = date(chosen.year(), chosen.month(), chosen.day())
        if day == now.astimezone(self.zone).date():
            posted = now
        else:  # only a day is known: noon there, so the date is the same in any zone nearby
            posted = datetime.combine(day, time(12), self.zone).astimezone(UTC)
        source = Source(self.source.currentData())
        author = self.author.text().strip()
        text = self.text.toPlainText().strip()
        rating = self.rating.currentData()
        return Review(
            id=None,
            kind=ItemKind.REVIEW,
            source=source,
            external_id=self._external_id,
            author=author,
            rating=rating if isinstance(rating, int) else None,
            posted_at=posted,
            text=text,
            url=self.url.text().strip(),
            content_hash="",  # the service fingerprints it
            collected_at=now,
        )

    def save(self) -> None:
        if not self.text.toPlainText().strip():
            return
        reviews, user, review = self.services.reviews, self.user, self.review()
        self.save_button.setEnabled(False)
        self.runner.run(lambda: reviews.add_one(user, review), self._saved, self._save_failed)

    def _saved(self, review: Review) -> None:
        if not shiboken6.isValid(self):
            return
        self.stored = review
        self.added.emit(review)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._edited()
        if isinstance(exc, ValidationError):
            self._show_problem(words.add_problem(exc.params))
        elif isinstance(exc, KnownError):
            title, text = errors.message_for(exc)
            self._show_problem(f"{title}. {text}")
        else:
            errors.show_error(self, exc)

    def _show_problem(self, text: str | None) -> None:
        self.problem.set_text(text or "")
        self.problem.setVisible(bool(text))

    def problem_text(self) -> str:
        return "" if self.problem.isHidden() else self.problem.text_label.text()

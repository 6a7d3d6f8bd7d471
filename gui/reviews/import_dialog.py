"""Collecting reviews by hand: import a CSV/JSON export (choose or drop a file, preview with
per-row problems, import the good rows in one go), or add one review typed in or pasted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.errors import KnownError
from core.progress import Progress
from core.reviews.importing import ImportPreview, ImportRejected
from core.reviews.service import ImportResult
from core.staff.model import StaffMember
from gui import errors
from gui.reviews import import_wording as words
from gui.reviews.add_review import AddReviewDialog
from gui.reviews.import_preview import Counts, DropZone, PreviewModel, count_rows, local_file
from gui.tasks import TaskHandle, TaskRunner
from gui.widgets import Banner, button, caption, heading, plain_label

__all__ = ["AddReviewDialog", "ImportDialog", "PreviewModel", "ask_open_path", "count_rows"]

MAX_FILE_BYTES = 20_000_000
"""Files above this are refused before reading (``parse_import``'s own limit)."""
_READ_CHUNK = 1 << 20


def ask_open_path(parent: QWidget) -> str | None:
    """Ask which export to import; ``None`` when cancelled. (Tests replace this.)"""
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        parent.tr("Import reviews"),
        "",
        parent.tr("Review exports (*.csv *.json *.tsv *.txt);;All files (*)"),
    )
    return path or None


def _read(path: Path) -> Any:
    """A generator reading ``path`` in chunks (progress), returning its bytes."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportRejected("unreadable file", field="file", reason="unreadable") from exc
    if size > MAX_FILE_BYTES:
        raise ImportRejected("file too big", field="file", reason="too_big")
    data = bytearray()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_READ_CHUNK):
                data += chunk
                yield Progress(len(data), size or None)
    except OSError as exc:
        raise ImportRejected("unreadable file", field="file", reason="unreadable") from exc
    return bytes(data)


class ImportDialog(QDialog):
    """Import reviews from a site's CSV or JSON export.

    Choose a file (or drop it on the dialog); it is read and previewed off the GUI thread
    (a progress dialog with Cancel for big files). The preview shows which column fills
    which field, every row with its problems in plain words, and the counts; "Import N
    reviews" stores the good rows in one transaction (all or nothing). A refused file is
    explained and the dialog stays open to choose another.

    Signals:
        imported(object): the ``ImportResult`` after a successful import.
    """

    imported = Signal(object)

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
        self.preview: ImportPreview | None = None
        self.counts = Counts(0, 0, 0)
        self.import_result: ImportResult | None = None
        self.filename = ""
        self.task: TaskHandle | None = None
        self.setWindowTitle(self.tr("Import reviews"))
        self.setAcceptDrops(True)
        self.resize(1060, 660)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 18)
        outer.setSpacing(12)
        self.title = heading(self.tr("Import reviews"), 2)
        outer.addWidget(self.title)
        self.problem = Banner("", "danger")
        self.problem.hide()
        outer.addWidget(self.problem)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)
        self.pages.addWidget(self._build_choose())
        self.pages.addWidget(self._build_preview())
        self.pages.addWidget(self._build_done())

        bar = QHBoxLayout()
        self.another_button = button(self.tr("Choose another file"), kind="ghost")
        self.another_button.clicked.connect(self.choose_file)
        bar.addWidget(self.another_button)
        bar.addStretch(1)
        self.cancel_button = button(self.tr("Cancel"), kind="ghost")
        self.cancel_button.clicked.connect(self.reject)
        bar.addWidget(self.cancel_button)
        self.import_button = button(self.tr("Import"), "check-circle", "primary")
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(self.import_good_rows)
        bar.addWidget(self.import_button)
        self.close_button = button(self.tr("Close"), kind="primary")
        self.close_button.clicked.connect(self.accept)
        bar.addWidget(self.close_button)
        outer.addLayout(bar)
        self._show_page(0)

    # --- layout ----------------------------------------------------------------------------
    def _build_choose(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        column.addWidget(
            caption(
                self.tr(
                    "Export the reviews from Google, Facebook, Yelp, Healthgrades or another "
                    "site as CSV or JSON. Columns are recognised by their headers: site, "
                    "review id, author, stars (rating), date, text and link. Only the text is "
                    "required. Reviews already in the inbox are skipped."
                )
            )
        )
        self.drop_zone = DropZone()
        self.drop_zone.choose_button.clicked.connect(self.choose_file)
        self.drop_zone.dropped.connect(self.load_file)
        column.addWidget(self.drop_zone)
        column.addStretch(1)
        return page

    def _build_preview(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        self.counts_label = plain_label(wrap=True)
        self.counts_label.setProperty("heading", "3")
        column.addWidget(self.counts_label)
        self.columns_label = caption()
        column.addWidget(self.columns_label)
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col in range(PreviewModel.COLUMNS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.table, 1)
        self.all_or_nothing = caption(
            self.tr(
                "Line numbers are the file's own, to find a row with problems in a "
                "spreadsheet. The good rows are imported together: if anything goes wrong, "
                "none are, and you can try again."
            )
        )
        column.addWidget(self.all_or_nothing)
        return page

    def _build_done(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        self.result_banner = Banner("", "success")
        column.addWidget(self.result_banner)
        self.result_label = caption(
            self.tr("The new reviews are in the inbox, with their due times.")
        )
        column.addWidget(self.result_label)
        column.addStretch(1)
        return page

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.another_button.setVisible(index == 1)
        self.cancel_button.setVisible(index != 2)
        self.import_button.setVisible(index == 1)
        self.close_button.setVisible(index == 2)

    # --- choosing and reading ----------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.pages.currentIndex() != 2 and local_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = local_file(event.mimeData().urls())
        if path is not None and self.pages.currentIndex() != 2:
            event.acceptProposedAction()
            self.load_file(path)

    def choose_file(self) -> None:
        path = ask_open_path(self)
        if path:
            self.load_file(path)

    def load_file(self, path: str | Path) -> None:
        """Read and preview ``path`` off the GUI thread, with a cancellable progress dialog."""
        file = Path(path)
        self.filename = file.name
        self._show_problem(None)
        reviews = self.services.reviews

        def work() -> Any:
            data = yield from _read(file)
            yield Progress(len(data), len(data), self.tr("Checking the rows…"))
            return reviews.preview_import(data, file.name)

        self.task = self.runner.run_with_progress(
            self,
            self.tr("Reading {name}…").format(name=file.name),
            work,
            self._previewed,
            self._failed,
        )

    def _previewed(self, preview: ImportPreview) -> None:
        if not shiboken6.isValid(self):
            return
        self.preview = preview
        self.counts = count_rows(preview)
        self.title.setText(self.tr("Import reviews from {name}").format(name=self.filename))
        self.counts_label.setText(
            words.counts_line(self.counts.good, self.counts.duplicates, self.counts.with_errors)
        )
        found = ", ".join(
            self.tr("{field} ← “{column}”").format(field=words.field_label(f), column=c)
            for f, c in preview.columns.items()
        )
        self.columns_label.setText(self.tr("Columns found: {list}").format(list=found))
        self.model.set_rows(preview.rows)
        self.import_button.setText(words.import_button(self.counts.good))
        self.import_button.setEnabled(self.counts.good > 0)
        self._show_page(1)

    # --- importing ---------------------------------------------------------------------------
    def import_good_rows(self) -> None:
        preview, user, reviews = self.preview, self.user, self.services.reviews
        if preview is None or self.counts.good == 0:
            return
        self.import_button.setEnabled(False)
        self.another_button.setEnabled(False)
        self.runner.run_with_progress(
            self,
            self.tr("Importing…"),
            lambda: reviews.import_reviews(user, preview),
            self._imported,
            self._import_failed,
        )

    def _imported(self, result: ImportResult) -> None:
        if not shiboken6.isValid(self):
            return
        self.import_result = result
        # The service counts rows repeated in the file among the rows left out; the person
        # sees them as duplicates, like the preview did.
        repeated = min(self.counts.duplicates, result.skipped_errors)
        self.result_banner.set_text(
            words.result_line(
                result.added, result.duplicates + repeated, result.skipped_errors - repeated
            )
        )
        self._show_page(2)
        self.imported.emit(result)

    def _import_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.import_button.setEnabled(self.counts.good > 0)
        self.another_button.setEnabled(True)
        if isinstance(exc, KnownError):
            title, text = errors.message_for(exc)
            self._show_problem(
                self.tr("Nothing was imported. {title}: {text}").format(title=title, text=text)
            )
        else:
            errors.show_error(self, exc)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(exc, ImportRejected):
            title, text = words.rejected(str(exc.params.get("reason", "")))
            self._show_problem(f"{title}. {text}")
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

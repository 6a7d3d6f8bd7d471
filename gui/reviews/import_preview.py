"""The import dialog's parts: the preview's table model (rows with their problems, in plain
words), the counts, and the drop zone for a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from core.reviews.importing import ImportPreview, ImportRow
from gui import theme
from gui.reviews import import_wording as words
from gui.reviews.wording import short_date, snippet, source_label, stars
from gui.widgets import button, plain_label


@dataclass(frozen=True, slots=True)
class Counts:
    good: int
    duplicates: int
    with_errors: int


def _is_duplicate(row: ImportRow) -> bool:
    """A good row repeated earlier in the same file."""
    return row.errors == ("duplicate",)


def count_rows(preview: ImportPreview) -> Counts:
    """Good rows, rows repeating an earlier one, and rows with other problems. (Reviews
    already in the inbox are found by the import itself.)"""
    good = duplicates = bad = 0
    for row in preview.rows:
        if not row.errors and row.review is not None:
            good += 1
        elif _is_duplicate(row):
            duplicates += 1
        else:
            bad += 1
    return Counts(good, duplicates, bad)


class PreviewModel(QAbstractTableModel):
    """The rows of an import preview: line, site, stars, author, date, text, problems.
    Rows with problems are coloured as errors. Signals: the model's own."""

    HEADERS = ("Line", "Site", "Stars", "Author", "Date", "Review", "Problems")
    COLUMNS = len(HEADERS)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[ImportRow, ...] = ()

    def set_rows(self, rows: tuple[ImportRow, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return words.tr(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 5 and row.review:
                return snippet(row.review.text, 600)
            if index.column() == 6 and row.errors:
                return words.row_errors(row.errors)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.errors:
            tone = "neutral" if _is_duplicate(row) else "danger"
            return QColor(getattr(theme.current(), tone))
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def _text(self, row: ImportRow, column: int) -> str:
        review = row.review
        if column == 0:
            return str(row.line)
        if column == 6:
            return words.row_errors(row.errors) if row.errors else words.tr("Ready")
        if review is None:
            return ""
        if column == 1:
            return source_label(review.source)
        if column == 2:
            return stars(review.rating)
        if column == 3:
            return review.author
        if column == 4:
            return short_date(review.posted_at)
        return snippet(review.text, 90)


class DropZone(QFrame):
    """A dashed frame that takes a dropped file. Signals: dropped(str) with the local path."""

    dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setMinimumHeight(140)
        t = theme.current()
        self.setStyleSheet(
            f"DropZone {{ border: 2px dashed {t.border_strong}; border-radius: 12px;"
            f" background: {t.surface_alt}; }}"
        )
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 24)
        self.label = plain_label(words.tr("Drop a CSV or JSON file here"))
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setProperty("heading", "3")
        column.addWidget(self.label)
        self.choose_button = button(words.tr("Choose a file…"), kind="primary")
        column.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignHCenter)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = local_file(event.mimeData().urls())
        if path is not None:
            event.acceptProposedAction()
            self.dropped.emit(path)


def local_file(urls: list[Any]) -> str | None:
    files = [u.toLocalFile() for u in urls if u.isLocalFile()]
    return files[0] if len(files) == 1 else None

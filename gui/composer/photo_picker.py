"""Choosing photos for a post: only photos whose background checklist is signed off (cleared)
are offered, newest first, with a search over file names and notes.

The library can hold thousands of photos, so the list is read page by page as it scrolls
(``ImagingService.list_images`` filters, sorts and pages in SQL) and each page's thumbnails are
decoded on the worker that read it, with the redactions the export will burn in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from core.app import Services
from core.imaging import ImageStatus
from core.imaging.ports import ImageQuery
from gui import errors
from gui.composer.photo_thumbs import redacted_thumbnail
from gui.tasks import TaskRunner
from gui.widgets import button, caption, heading

PAGE_SIZE = 60
TILE = 150
SEARCH_DELAY_MS = 250

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class PickerPhoto:
    """A cleared photo as the picker lists it; ``image`` is a worker-made ``QImage``."""

    media_hash: str
    name: str
    image: QImage | None


@dataclass(frozen=True, slots=True)
class _Page:
    photos: tuple[PickerPhoto, ...]
    total: int


class ClearedPhotosModel(QAbstractListModel):
    """Cleared photos matching ``search`` (file name or notes), read a page at a time.

    ``attached`` photos are listed but cannot be selected (they are in the post already).
    ``Qt.ItemDataRole.UserRole`` gives a row's media hash.

    Signals:
        loaded(): a page arrived (or the search found nothing); ``total`` is known.
    """

    loaded = Signal()

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        attached: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._attached = frozenset(attached)
        self._rows: list[PickerPhoto] = []
        self._pixmaps: dict[str, QPixmap] = {}
        self._text = ""
        self._generation = 0
        self._loading = False
        self.total: int | None = None

    # --- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        photo = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if photo.media_hash in self._attached:
                return self.tr("{name} (in this post)").format(name=photo.name)
            return photo.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(photo)
        if role == Qt.ItemDataRole.ToolTipRole:
            return photo.name
        if role == Qt.ItemDataRole.UserRole:
            return photo.media_hash
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].media_hash in self._attached:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._loading:
            return False
        return self.total is None or len(self._rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._load()

    # --- searching -----------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._loading

    def search(self, text: str) -> None:
        """List the cleared photos whose file name or notes contain ``text`` (all for "")."""
        self.beginResetModel()
        self._generation += 1
        self._text = text.strip()
        self._rows = []
        self._pixmaps = {}
        self.total = None
        self._loading = False
        self.endResetModel()
        self._load()

    def _load(self) -> None:
        self._loading = True
        generation, images = self._generation, self._services.images
        query = ImageQuery(
            statuses=(ImageStatus.CLEARED,),
            text=self._text,
            offset=len(self._rows),
            limit=PAGE_SIZE,
        )

        def read() -> _Page:
            records = images.list_images(query)
            photos = tuple(
                PickerPhoto(r.media_hash, r.filename, redacted_thumbnail(images.thumbnail(r), r))
                for r in records
            )
            return _Page(photos, images.count_images(query))

        def done(page: _Page) -> None:
            if not Shiboken.isValid(self) or generation != self._generation:
                return
            self._loading = False
            self.total = page.total
            if page.photos:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(page.photos) - 1)
                self._rows.extend(page.photos)
                self.endInsertRows()
            elif len(self._rows) < page.total:
                self.total = len(self._rows)  # the library shrank meanwhile: stop asking
            self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if not Shiboken.isValid(self) or generation != self._generation:
                return
            self._loading = False
            self.total = len(self._rows)
            owner = self.parent()
            errors.show_error(owner if isinstance(owner, QWidget) else None, exc)
            self.loaded.emit()

        self._runner.run(read, done, failed)

    def _pixmap(self, photo: PickerPhoto) -> QPixmap | None:
        if photo.image is None:
            return None
        pixmap = self._pixmaps.get(photo.media_hash)
        if pixmap is None:
            pixmap = QPixmap.fromImage(photo.image).scaled(
                QSize(TILE, TILE - 30),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self._pixmaps[photo.media_hash] = pixmap
        return pixmap


class PhotoPicker(QDialog):
    """Pick one or more cleared photos to attach (window-modal; "Attach" accepts).

    ``chosen()`` gives the picked photos' media hashes in the order they are listed.
    Signals: those of ``QDialog`` (``accepted`` when "Attach" was pressed).
    """

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        attached: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add photos"))
        self.resize(760, 560)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 20, 24, 16)
        column.setSpacing(10)
        column.addWidget(heading(self.tr("Add photos"), 2))
        column.addWidget(
            caption(
                self.tr(
                    "Only photos whose background was checked and signed off on the Images "
                    "page are listed. Blacked-out or blurred areas stay that way in the post."
                )
            )
        )
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search by file name or notes"))
        self.search_edit.setAccessibleName(self.tr("Search photos"))
        self.search_edit.setClearButtonEnabled(True)
        column.addWidget(self.search_edit)
        self.model = ClearedPhotosModel(services, runner, attached, self)
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setIconSize(QSize(TILE, TILE - 30))
        self.view.setGridSize(QSize(TILE + 16, TILE + 14))
        self.view.setWordWrap(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAccessibleName(self.tr("Cleared photos"))
        self.view.setModel(self.model)
        column.addWidget(self.view, 1)
        self.status_label = caption(wrap=True)
        column.addWidget(self.status_label)
        footer = QHBoxLayout()
        footer.addStretch(1)
        self.cancel_button = button(self.tr("Cancel"), kind="ghost")
        self.cancel_button.clicked.connect(self.reject)
        footer.addWidget(self.cancel_button)
        self.attach_button = button(self.tr("Attach"), "plus", "primary")
        self.attach_button.clicked.connect(self.accept)
        footer.addWidget(self.attach_button)
        column.addLayout(footer)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.timeout.connect(lambda: self.model.search(self.search_edit.text()))
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start(SEARCH_DELAY_MS))
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        self.view.doubleClicked.connect(lambda _i: self.accept() if self.chosen() else None)
        self.model.loaded.connect(self._update)
        self.model.modelReset.connect(self._update)
        self.model.search("")
        self._update()

    @property
    def loaded(self) -> bool:
        """Whether the first page of the current search has arrived."""
        return self.model.total is not None and not self.model.loading

    def chosen(self) -> tuple[str, ...]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return tuple(
            str(self.model.data(self.model.index(r), Qt.ItemDataRole.UserRole)) for r in rows
        )

    def _update(self) -> None:
        count = len(self.chosen())
        self.attach_button.setEnabled(count > 0)
        self.attach_button.setText(
            self.tr("Attach {n} photos").format(n=count) if count > 1 else self.tr("Attach")
        )
        total, text = self.model.total, self.search_edit.text().strip()
        if total is None:
            self.status_label.setText(self.tr("Reading the photo library…"))
        elif total == 0 and text:
            self.status_label.setText(
                self.tr("No cleared photo matches \u201c{text}\u201d.").format(text=text)
            )
        elif total == 0:
            self.status_label.setText(
                self.tr(
                    "No cleared photos yet. Import photos on the Images page and sign off their "
                    "background checklist; then they can be added here."
                )
            )
        else:
            self.status_label.setText(self.tr("{n} cleared photo(s).").format(n=total))

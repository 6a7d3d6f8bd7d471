"""The Images page: the photo library (import by file, folder or drag and drop; a status filter
with counts; search; a thumbnail grid) and, for the chosen photo, the checklist: the zoomable
photo with what the scan found, and the side panel where a person decides and signs off.

Targets for ``show_target``: ``needs_attention``, ``unchecked``, ``cleared``, ``rejected`` or
``status:<status>`` (filters the grid), ``all``, ``image:<id>`` (opens a photo), ``import``
and ``spots``. Emits ``hub.data_changed("images")`` after every change it makes; reloads the
grid on it, and the open photo on ``consent`` (a withdrawn consent changes what is missing).

Checklist changes are saved one at a time, each with the version the previous one returned,
so quick clicks never conflict with each other; a change someone else saved first reloads the
photo and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.errors import EditConflict, PermissionDenied, ValidationError
from core.imaging.model import (
    Answer,
    Box,
    ChecklistItem,
    ImageRecord,
    ImageStatus,
    PersonKind,
    PhotoSpot,
    Redaction,
    RedactionStyle,
)
from core.imaging.service import ImagingService, ImportResult
from core.progress import Progress
from core.staff.model import StaffMember
from gui import errors
from gui.hub import SignalHub
from gui.images.canvas import PhotoCanvas, Preview, load_preview, render_preview
from gui.images.grid import ImageGrid, ImageGridModel, ThumbnailCache, decode_thumbnail
from gui.images.importing import ImportSummary, dropped_paths, import_paths
from gui.images.link_dialog import LinkPatientDialog
from gui.images.panel import REFERENCE, ChecklistPanel
from gui.images.scanning import ScanQueue, ScanStrip
from gui.images.spots_dialog import PhotoSpotsDialog
from gui.images.wording import (
    STATUS_ORDER,
    problem_text,
    short_style_label,
    status_label,
    style_label,
)
from gui.page import Page
from gui.paging import reselect, select_id, single_shot_timer
from gui.reason_dialog import ReasonDialog
from gui.tasks import TaskRunner
from gui.widgets import Banner, EmptyState, button, caption, heading

DATA_AREA = "images"
CONSENT_AREA = "consent"
SEARCH_DELAY_MS = 250
OPEN_DELAY_MS = 150
"""Moving through the grid with the arrows opens each photo after this pause."""
REJECT_MINIMUM = 10
GRID_STRIP = 184
"""The grid's width beside an open photo: one column of tiles."""
FILE_FILTER = "*.jpg *.jpeg *.png *.webp *.heic *.heif"
UNSCANNED_DELAY_MS = 1200
"""The page looks for unscanned photos this long after it is shown: the grid and its
thumbnails come first."""
UNSCANNED_BATCH = 500
"""Unscanned photos queued per look; when the queue runs dry the page looks again."""

Change = Callable[[ImagingService, StaffMember, ImageRecord], ImageRecord]
"""One checklist change: given the service, the person and the photo as last saved, save
and return the new record (runs on a worker)."""


@dataclass(frozen=True)
class Detail:
    """One photo with what the side panel needs, loaded together on a worker."""

    record: ImageRecord
    problems: tuple[tuple[str, dict[str, Any]], ...]
    flagged: frozenset[ChecklistItem]
    suggested: int
    patient_names: Mapping[int, str]


def load_detail(services: Services, record: ImageRecord) -> Detail:
    """The panel's data for ``record`` (on a worker: problems ask the consent tracker)."""
    from core.imaging import checklist

    images = services.images
    problems = tuple((p.code, dict(p.params)) for p in images.problems(record))
    names: dict[int, str] = {}
    for person in record.people:
        pid = person.patient_id
        if person.kind is PersonKind.PATIENT and pid is not None and pid not in names:
            names[pid] = services.consent.get_patient(pid).display_name
    return Detail(
        record,
        problems,
        checklist.flagged_items(record.report),
        len(checklist.suggested_redactions(record)),
        names,
    )


class ImagesPage(Page):
    """The photo library and each photo's background check.

    Signals: none of its own (it talks through ``hub``).
    """

    page_id = "images"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.setObjectName("page-images")
        self.setAcceptDrops(True)
        self.detail: Detail | None = None
        self.spots: list[PhotoSpot] = []
        self.staff: list[StaffMember] = []
        self.dialog: QDialog | None = None
        self.preview: Preview | None = None
        self._preview_for: str | None = None
        self._rendered: tuple[Redaction, ...] | None = None
        self._generation = 0
        self._edits: list[Change] = []
        self._editing = False
        self._editable = False
        self.scans = ScanQueue(runner, self._scan_work, self)
        self._announcing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addLayout(self._build_top())
        layout.addLayout(self._build_filters())
        self.scan_strip = ScanStrip(self.scans)
        layout.addWidget(self.scan_strip)
        self.summary = ImportSummary()
        layout.addWidget(self.summary)
        self.notice = Banner("", "warning")
        self.notice.setVisible(False)
        layout.addWidget(self.notice)
        layout.addWidget(self._build_split(), 1)
        self._search_timer = single_shot_timer(self, SEARCH_DELAY_MS, self.reload)
        self._open_timer = single_shot_timer(self, OPEN_DELAY_MS, self._open_current)
        self._connect_scans()
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.filters.idToggled.connect(lambda _i, on: self.reload() if on else None)
        self.grid.selectionModel().currentChanged.connect(lambda _c, _p: self._open_timer.start())
        self.grid.open_requested.connect(self._enter_pressed)
        self.model.modelReset.connect(self._update_count)
        self._connect_panel()
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(lambda: self.search.setFocus(Qt.FocusReason.ShortcutFocusReason))
        open_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Open), self)
        open_shortcut.activated.connect(self.choose_files)
        hub.data_changed.connect(self._data_changed)
        self._set_enabled(False)

    # --- building --------------------------------------------------------------------------
    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(heading(self.tr("Images"), 1))
        top.addSpacing(12)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search file names and notes"))
        self.search.setAccessibleName(self.tr("Search photos"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        top.addWidget(self.search, 1)
        self.spots_button = button(self.tr("Photo spots…"), "images", "ghost")
        self.spots_button.setToolTip(self.tr("Places in the practice approved for photos"))
        self.spots_button.clicked.connect(self.open_spots)
        top.addWidget(self.spots_button)
        self.folder_button = button(self.tr("Import a folder…"), "download", "ghost")
        self.folder_button.setToolTip(
            self.tr(
                "Every photo in a folder and its sub-folders, e.g. where the office phone's "
                "photos sync"
            )
        )
        self.folder_button.clicked.connect(self.choose_folder)
        top.addWidget(self.folder_button)
        self.import_button = button(self.tr("Import photos…"), "plus", "primary")
        self.import_button.setToolTip(
            self.tr("Choose photos (Ctrl+O), or drag them from a folder onto this page")
        )
        self.import_button.clicked.connect(self.choose_files)
        top.addWidget(self.import_button)
        return top

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.filters = QButtonGroup(self)
        self.filters.setExclusive(True)
        self.chips: dict[ImageStatus | None, QPushButton] = {}
        for n, status in enumerate((None, *STATUS_ORDER)):
            chip = QPushButton(self.tr("All") if status is None else status_label(status))
            chip.setProperty("chip", "true")
            chip.setCheckable(True)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            self.filters.addButton(chip, n)
            self.chips[status] = chip
            row.addWidget(chip)
        self.chips[None].setChecked(True)
        row.addStretch(1)
        self.count_label = caption("", wrap=False)
        row.addWidget(self.count_label)
        return row

    def _build_split(self) -> QSplitter:
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.cache = ThumbnailCache(self.services, self.runner, self)
        self.model = ImageGridModel(self.services, self.runner, self.cache, self)
        self.grid = ImageGrid(self.model)
        self.grid.setMinimumWidth(190)
        self.split.addWidget(self.grid)
        self.right = QStackedWidget()
        self.empty = EmptyState(
            "images",
            self.tr("Choose a photo"),
            self.tr(
                "Import photos with the button above or drag them onto this page. Each photo is "
                "scanned, then checked here before it can be used in a post."
            ),
        )
        self.right.addWidget(self.empty)
        self.right.addWidget(self._build_checklist())
        self.checklist.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.split.addWidget(self.right)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        return self.split

    def _build_tools(self) -> QHBoxLayout:
        """Above the photo: what dragging adds, and how new boxes hide."""
        tools = QHBoxLayout()
        tools.setSpacing(6)
        self.draw_redaction = QRadioButton(self.tr("Drag to hide"))
        self.draw_redaction.setToolTip(
            self.tr("Dragging on the photo draws a box that is hidden on export")
        )
        self.draw_redaction.setChecked(True)
        self.draw_person = QRadioButton(self.tr("Drag to add a person"))
        self.draw_person.setToolTip(
            self.tr("Dragging on the photo marks someone the scan did not find")
        )
        self.draw_group = QButtonGroup(self)
        self.draw_group.addButton(self.draw_redaction)
        self.draw_group.addButton(self.draw_person)
        tools.addWidget(self.draw_redaction)
        self.style_combo = QComboBox()
        self.style_combo.setAccessibleName(self.tr("How new boxes hide"))
        for style in RedactionStyle:
            self.style_combo.addItem(short_style_label(style), style.value)
            self.style_combo.setItemData(
                self.style_combo.count() - 1, style_label(style), Qt.ItemDataRole.ToolTipRole
            )
        tools.addWidget(self.style_combo)
        tools.addWidget(self.draw_person)
        tools.addStretch(1)
        return tools

    def _build_zoom(self) -> QHBoxLayout:
        """Under the photo: what the colours mean, and zoom."""
        row = QHBoxLayout()
        row.setSpacing(6)
        self.legend = caption(
            self.tr(
                "Blue: people · Red: patient information · Amber: other text · Dashed: hidden "
                "on export"
            ),
            wrap=True,
        )
        row.addWidget(self.legend, 1)
        self.zoom_out_button = button("−", kind="ghost")
        self.zoom_out_button.setAccessibleName(self.tr("Zoom out"))
        self.zoom_out_button.setToolTip(self.tr("Zoom out (Ctrl+wheel, or −)"))
        self.fit_button = button(self.tr("Fit"), kind="ghost")
        self.fit_button.setToolTip(self.tr("Show the whole photo (0)"))
        self.zoom_in_button = button("+", kind="ghost")
        self.zoom_in_button.setAccessibleName(self.tr("Zoom in"))
        self.zoom_in_button.setToolTip(self.tr("Zoom in (Ctrl+wheel, or +)"))
        for widget in (self.zoom_out_button, self.fit_button, self.zoom_in_button):
            row.addWidget(widget)
        self.zoom_out_button.setFixedWidth(40)
        self.zoom_in_button.setFixedWidth(40)
        return row

    def _build_checklist(self) -> QWidget:
        self.checklist = QSplitter(Qt.Orientation.Horizontal)
        self.checklist.setChildrenCollapsible(False)
        photo = QWidget()
        column = QVBoxLayout(photo)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addLayout(self._build_tools())
        zoom = self._build_zoom()
        self.canvas = PhotoCanvas()
        self.zoom_out_button.clicked.connect(self.canvas.zoom_out)
        self.fit_button.clicked.connect(self.canvas.fit)
        self.zoom_in_button.clicked.connect(self.canvas.zoom_in)
        self.canvas.box_drawn.connect(self.box_drawn)
        column.addWidget(self.canvas, 1)
        column.addLayout(zoom)
        self.checklist.addWidget(photo)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel = ChecklistPanel()
        scroll.setWidget(self.panel)
        scroll.setMinimumWidth(380)
        self.panel_scroll = scroll
        self.checklist.addWidget(scroll)
        self.checklist.setStretchFactor(0, 1)
        self.checklist.setStretchFactor(1, 0)
        self.checklist.setSizes([520, 400])
        return self.checklist

    def _connect_scans(self) -> None:
        # Photo spots' reference photos by hash, decoded once (``None``: unreadable).
        self._references: dict[str, QPixmap | None] = {}
        self._loading_references: set[str] = set()
        self._looking = False
        self._look_again = False
        self._unscanned_timer = single_shot_timer(self, UNSCANNED_DELAY_MS, self._queue_unscanned)
        self.scans.started.connect(self._scan_started)
        self.scans.progressed.connect(self._scan_progressed)
        self.scans.finished.connect(self._scan_finished)
        self.scans.failed.connect(self._scan_failed)
        self.scans.stopped.connect(self._scan_stopped)
        self.scans.batch_ended.connect(self._scans_ended)

    def _connect_panel(self) -> None:
        p = self.panel
        p.scan_requested.connect(self.scan)
        p.scan_cancelled.connect(self.cancel_scan)
        p.answered.connect(self.answer)
        p.spot_chosen.connect(self.choose_spot)
        p.notes_saved.connect(self.save_notes)
        p.alt_text_saved.connect(self.save_alt_text)
        p.suggested_accepted.connect(self.accept_suggested)
        p.sign_off_requested.connect(self.sign_off)
        p.reject_requested.connect(self.ask_reject)
        p.reopen_requested.connect(self.reopen)
        p.people.link.connect(self.ask_link)
        p.people.staff.connect(self.mark_staff)
        p.people.redact.connect(self.redact_person)
        p.people.unlink.connect(self.unlink_person)
        p.people.remove.connect(self.remove_person)
        p.people.selected.connect(self.canvas.select)
        p.texts.redact.connect(self.redact_text)
        p.texts.dismiss.connect(self.dismiss_text)
        p.texts.selected.connect(self.canvas.select)
        p.redaction_list.restyled.connect(self.restyle_redaction)
        p.redaction_list.removed.connect(self.remove_redaction)
        p.redaction_list.selected.connect(self.canvas.select)

    # --- Page ------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        self._set_enabled(member is not None)
        if member is None:
            self._generation += 1
            self._edits.clear()
            self._search_timer.stop()
            self._open_timer.stop()
            self._unscanned_timer.stop()
            self._look_again = False
            self.scans.clear()
            self._references.clear()
            if self.dialog is not None:
                self.dialog.reject()
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.model.clear()
            self.cache.clear()
            self.summary.setVisible(False)
            self._show_notice("")
            self._show_nothing()
            self.count_label.setText("")
            for status, chip in self.chips.items():
                chip.setText(self.tr("All") if status is None else status_label(status))
            return
        self.refresh()

    def refresh(self) -> None:
        if self.user is None:
            return
        self._load_context()
        self.reload(keep=True)
        if not self.scans.active and not self._looking:
            self._unscanned_timer.start()

    def show_target(self, target: str) -> None:
        if self.user is None:
            return
        kind, _, ident = target.partition(":")
        statuses = {s.value: s for s in ImageStatus}
        if target in statuses:
            self.show_status(statuses[target])
        elif kind == "status":
            self.show_status(statuses.get(ident))
        elif target == "all":
            self.show_status(None)
        elif kind == "image" and ident.isdigit():
            self.open_image(int(ident))
        elif target == "import":
            self.choose_files()
        elif target == "spots":
            self.open_spots()

    def show_status(self, status: ImageStatus | None) -> None:
        """Filter the grid on one status (``None``: all)."""
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        chip = self.chips.get(status, self.chips[None])
        if chip.isChecked():
            self.reload()
        else:
            chip.setChecked(True)

    # --- the library -------------------------------------------------------------------------
    def statuses(self) -> tuple[ImageStatus, ...]:
        checked = next((s for s, c in self.chips.items() if c.isChecked()), None)
        return (checked,) if checked is not None else ()

    def reload(self, keep: bool = False, done: Callable[[], None] | None = None) -> None:
        """Load the grid's first page and the counts; ``keep`` re-selects the open photo."""
        if self.user is None:
            return
        self._search_timer.stop()
        keep_id = self.detail.record.id if keep and self.detail is not None else None
        loaded = reselect(self.grid, self.model, keep_id, done)
        self.model.load(self.statuses(), self.search.text(), loaded)
        self._load_counts()

    def _load_counts(self) -> None:
        images = self.services.images

        def loaded(counts: dict[ImageStatus, int]) -> None:
            if self.user is None:
                return
            self.chips[None].setText(self.tr("All ({n})").format(n=f"{sum(counts.values()):,}"))
            for status in STATUS_ORDER:
                self.chips[status].setText(
                    self.tr("{status} ({n})").format(
                        status=status_label(status), n=f"{counts.get(status, 0):,}"
                    )
                )

        self.runner.run(images.status_counts, loaded, self._failed)

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(
            self.tr("1 photo") if total == 1 else self.tr("{n} photos").format(n=f"{total:,}")
        )

    def _load_context(self) -> None:
        services = self.services

        def load() -> tuple[list[PhotoSpot], list[StaffMember]]:
            return services.images.spots(include_inactive=True), services.staff.list(
                include_inactive=True
            )

        def loaded(result: tuple[list[PhotoSpot], list[StaffMember]]) -> None:
            if self.user is None:
                return
            self.spots, self.staff = list(result[0]), list(result[1])
            if self.detail is not None:
                self._show_detail(self.detail)

        self.runner.run(load, loaded, self._failed)

    # --- opening a photo -----------------------------------------------------------------------
    def _open_current(self) -> None:
        image_id = self.model.id_at(self.grid.currentIndex())
        if image_id is not None and (self.detail is None or self.detail.record.id != image_id):
            self.open_image(image_id)

    def _enter_pressed(self, record: ImageRecord) -> None:
        self._open_timer.stop()
        if record.id is None:
            return
        if self.detail is None or self.detail.record.id != record.id:
            self.open_image(record.id, focus=True)
        else:
            self.panel.sign_off_button.setFocus()
            self.panel_scroll.ensureWidgetVisible(self.panel.banner)

    def open_image(self, image_id: int, *, focus: bool = False) -> None:
        """Load and show one photo with its checklist; an unscanned photo is scanned."""
        if self.user is None:
            return
        if self.detail is not None and self.detail.record.id != image_id:
            self._edits.clear()
        self._generation += 1
        generation = self._generation
        services = self.services

        def loaded(detail: Detail) -> None:
            if generation != self._generation or self.user is None:
                return
            self._show_detail(detail)
            select_id(self.grid, self.model, image_id)
            if focus:
                self.panel.setFocus()
            record = detail.record
            if record.report is None and record.status is not ImageStatus.REJECTED:
                self.scans.scan_first(image_id)

        self.runner.run(
            lambda: load_detail(services, services.images.get(image_id)), loaded, self._failed
        )

    def _show_detail(self, detail: Detail) -> None:
        if self.user is None:
            return
        self.detail = detail
        record = detail.record
        if self.right.currentWidget() is not self.checklist:
            # The photo needs the room: the grid becomes a strip of one column.
            total = sum(self.split.sizes())
            strip = min(self.split.sizes()[0], GRID_STRIP)
            self.split.setSizes([strip, max(0, total - strip)])
            self.split.setStretchFactor(0, 0)
            self.checklist.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.right.setCurrentWidget(self.checklist)
        scanning = self.scans.current == record.id
        self.panel.show_record(
            record,
            problems=detail.problems,
            flagged=detail.flagged,
            suggested=detail.suggested,
            spots=self.spots,
            staff=self.staff,
            patient_names=detail.patient_names,
            scanning=scanning,
        )
        editable = record.status is not ImageStatus.REJECTED and not scanning
        for widget in (self.draw_redaction, self.draw_person, self.style_combo):
            widget.setEnabled(editable)
        self.canvas.setEnabled(True)
        self._editable = editable
        self.canvas.set_overlays(record)
        self.model.replace(record)
        self._show_spot_reference(record)
        self._load_preview(record)

    def _show_spot_reference(self, record: ImageRecord) -> None:
        """Beside the notes: the reference photo of the photo's spot, to compare with
        (decoded on a worker, once per reference photo)."""
        spot = next((s for s in self.spots if s.id == record.spot_id), None)
        if record.spot_id is None or spot is None or not spot.reference_hash:
            self.panel.show_spot_reference(False)
            return
        key = spot.reference_hash
        if key in self._references:
            pixmap = self._references[key]
            self.panel.show_spot_reference(True, pixmap)
            if pixmap is None:
                self.panel.spot_reference_missing()
            return
        self.panel.show_spot_reference(True)
        if key in self._loading_references:
            return
        self._loading_references.add(key)
        images = self.services.images

        def load() -> QImage | None:
            return decode_thumbnail(images.spot_reference(spot), REFERENCE)

        def loaded(image: QImage | None) -> None:
            self._loading_references.discard(key)
            if self.user is None:
                return
            self._references[key] = QPixmap.fromImage(image) if image is not None else None
            if self.detail is not None:
                self._show_spot_reference(self.detail.record)

        def failed(exc: BaseException) -> None:
            self._loading_references.discard(key)
            if self.user is not None:
                self._references[key] = None
                self._failed(exc)

        self.runner.run(load, loaded, failed)

    def _show_nothing(self) -> None:
        self.detail = None
        self.preview = None
        self._preview_for = None
        self._rendered = None
        self.canvas.clear()
        self.panel.clear()
        self._hide_checklist()

    def _hide_checklist(self) -> None:
        """Show the empty state; the checklist's minimum width no longer holds the grid to
        one column (a stacked widget is as wide as its widest page otherwise)."""
        self.right.setCurrentWidget(self.empty)
        self.checklist.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.split.setStretchFactor(0, 1)

    def _load_preview(self, record: ImageRecord) -> None:
        """Decode the photo (once per photo) and burn in its redactions (when they change)."""
        generation = self._generation
        images = self.services.images
        if self._preview_for != record.media_hash or self.preview is None:
            self._preview_for = record.media_hash
            self._rendered = None
            self.canvas.clear()

            def load() -> tuple[Preview, QImage]:
                path = images.original_path(record)
                if path is None:
                    raise FileNotFoundError
                preview = load_preview(path)
                return preview, render_preview(preview, record.redactions)

            def loaded(result: tuple[Preview, QImage]) -> None:
                if generation != self._generation or self.detail is None:
                    return
                self.preview = result[0]
                self._rendered = record.redactions
                self.canvas.set_image(result[1], result[0].scale)
                self.canvas.set_overlays(self.detail.record)
                if self.detail.record.redactions != record.redactions:
                    self._load_preview(self.detail.record)

            self.runner.run(load, loaded, self._preview_failed)
            return
        if self._rendered == record.redactions:
            return
        preview, redactions = self.preview, record.redactions
        self._rendered = redactions

        def rendered(image: QImage) -> None:
            if generation != self._generation or self.preview is not preview:
                return
            self.canvas.set_image(image, preview.scale)

        self.runner.run(lambda: render_preview(preview, redactions), rendered, self._failed)

    def _preview_failed(self, exc: BaseException) -> None:
        if isinstance(exc, OSError):
            self._show_notice(
                self.tr(
                    "The photo itself could not be opened from the media folder. Restore the "
                    "latest backup, or reject this photo."
                )
            )
            return
        self._failed(exc)

    # --- the scan ------------------------------------------------------------------------------
    def scan(self) -> None:
        """Scan the open photo (again) before any other, with progress and cancel."""
        if self.user is None or self.detail is None or self.detail.record.id is None:
            return
        if self.detail.record.status is ImageStatus.REJECTED:
            return
        self.scans.scan_first(self.detail.record.id, force=True)

    def cancel_scan(self) -> None:
        """Stop scanning the open photo (other queued photos go on)."""
        if self.detail is not None and self.detail.record.id is not None:
            self.scans.cancel_one(self.detail.record.id)

    def scan_photos(self, image_ids: Sequence[int]) -> None:
        """Scan these photos in the background, one after another."""
        if self.user is not None:
            self.scans.enqueue(image_ids)

    @property
    def scanning(self) -> bool:
        """The open photo is being scanned (its checklist waits)."""
        return self.detail is not None and self.scans.current == self.detail.record.id

    @property
    def scans_pending(self) -> bool:
        """Background scanning is running, queued, or about to look for unscanned photos."""
        return self.scans.active or self._looking or self._unscanned_timer.isActive()

    def _scan_work(self, image_id: int, force: bool) -> Generator[Progress, None, Detail]:
        """One photo's scan, on a worker (``ScanQueue`` runs it); skipped when the photo
        already has a report and no new scan was asked for (scanned elsewhere meanwhile)."""
        services, actor = self.services, self.user

        def work() -> Generator[Progress, None, Detail]:
            if actor is None:
                raise PermissionDenied("Nobody is signed in.", action="scan_image")
            images = services.images
            record = images.get(image_id)
            if force or (record.report is None and record.status is not ImageStatus.REJECTED):
                record = yield from images.scan(actor, image_id)
            return load_detail(services, record)

        return work()

    def _queue_unscanned(self) -> None:
        """Look for photos nobody has scanned yet (imported elsewhere, or a cancelled
        batch) and queue them."""
        if self.user is None or self._looking:
            return
        images = self.services.images
        self._looking = True

        def found(ids: list[int]) -> None:
            self._looking = False
            if self.user is None:
                return
            fresh = [i for i in ids if not self.scans.has_failed(i)]
            self._look_again = len(ids) >= UNSCANNED_BATCH and bool(fresh)
            self.scans.enqueue(fresh)

        def failed(exc: BaseException) -> None:
            self._looking = False
            self._failed(exc)

        self.runner.run(lambda: images.unscanned(UNSCANNED_BATCH), found, failed)

    def _is_open(self, image_id: int) -> bool:
        return self.detail is not None and self.detail.record.id == image_id

    def _scan_started(self, image_id: int) -> None:
        if self._is_open(image_id) and self.detail is not None and self.user is not None:
            self._show_detail(self.detail)

    def _scan_progressed(self, image_id: int, step: Progress) -> None:
        if self._is_open(image_id):
            self.panel.set_scanning(True, step)

    def _scan_finished(self, image_id: int, detail: Detail) -> None:
        if self.user is None:
            return
        if self._is_open(image_id):
            self._show_detail(detail)
            self._announce()
        else:
            self.model.replace(detail.record)
        self._load_counts()

    def _scan_failed(self, image_id: int, exc: BaseException) -> None:
        if self.user is None:
            return
        if isinstance(exc, PermissionDenied):
            self.scans.cancel()
        if self._is_open(image_id) and self.detail is not None:
            self._show_detail(self.detail)
            self._failed(exc)
        elif isinstance(exc, PermissionDenied):
            self._failed(exc)

    def _scan_stopped(self, image_id: int) -> None:
        if self._is_open(image_id) and self.detail is not None and self.user is not None:
            self._show_detail(self.detail)

    def _scans_ended(self, scanned: int, _failures: int) -> None:
        if self.user is None:
            return
        if scanned:
            self._announce()
            self._load_counts()
        if self._look_again:
            self._look_again = False
            self._queue_unscanned()

    # --- checklist changes ---------------------------------------------------------------------
    def edit(self, change: Change) -> None:
        """Queue a change to the open photo; changes are saved one after the other."""
        if self.user is None or self.detail is None or self.scanning:
            return
        self._edits.append(change)
        self._next_edit()

    @property
    def busy(self) -> bool:
        """Changes are waiting or being saved."""
        return self._editing or bool(self._edits)

    def _next_edit(self) -> None:
        if self._editing or not self._edits or self.detail is None or self.user is None:
            return
        change = self._edits.pop(0)
        services, actor, record = self.services, self.user, self.detail.record
        generation = self._generation

        def work() -> Detail:
            return load_detail(services, change(services.images, actor, record))

        def done(detail: Detail) -> None:
            self._editing = False
            if generation != self._generation or self.user is None:
                return
            status_changed = detail.record.status is not record.status
            self._show_detail(detail)
            self._announce()
            if status_changed:
                self._load_counts()
            self._next_edit()

        def failed(exc: BaseException) -> None:
            self._editing = False
            self._edits.clear()
            if generation != self._generation or self.user is None:
                return
            if isinstance(exc, EditConflict):
                self._show_notice(
                    self.tr(
                        "Someone else changed this photo at the same time. It was reloaded: "
                        "check it and make your change again."
                    )
                )
                if record.id is not None:
                    self.open_image(record.id)
                return
            if isinstance(exc, ValidationError) and self._explain(exc):
                if record.id is not None:
                    self.open_image(record.id)
                return
            self._failed(exc)

        self._editing = True
        self._show_notice("")
        self.runner.run(work, done, failed)

    def _explain(self, exc: ValidationError) -> bool:
        """Word the checklist's own refusals; ``False`` for anything else."""
        field = str(exc.params.get("field", ""))
        if field == "checklist":
            problems = exc.params.get("problems") or []
            first = problems[0] if problems else ("", {})
            self._show_notice(
                self.tr("Not signed off yet: {what}").format(what=problem_text(first[0], first[1]))
            )
            return True
        if field == "alt_text":  # said under the field, where the words can be fixed
            self.panel.alt_text.refused(exc.params)
            return True
        texts = {
            "authorization": self.tr(
                "That consent is not in effect any more. Choose another, or redact the face."
            ),
            "status": self.tr("Reopen this rejected photo before changing it."),
            "person": self.tr("That person is no longer in the list. The photo was reloaded."),
            "text": self.tr("That line of text is no longer in the list. The photo was reloaded."),
            "box": self.tr("Draw the box on the photo itself."),
            "spot": self.tr("That photo spot is no longer in use. Choose another."),
            "note": self.tr("The note is too long. Keep it to a sentence or two."),
            "notes": self.tr("The notes are too long. Keep them short."),
            "reason": self.tr("Say in a sentence why the photo is rejected (at least 10 letters)."),
        }
        if field not in texts:
            return False
        self._show_notice(texts[field])
        return True

    def answer(self, item: ChecklistItem, answer: Answer, note: str) -> None:
        self.edit(lambda s, a, r: s.set_answer(a, _id(r), r.version, item, answer, note))

    def box_drawn(self, box: Box) -> None:
        if self.detail is None or not self._editable:
            return
        if self.draw_person.isChecked():
            self.edit(lambda s, a, r: s.add_person(a, _id(r), r.version, box))
            return
        style = RedactionStyle(str(self.style_combo.currentData()))
        added = Redaction(box, style, "manual")
        self.edit(lambda s, a, r: s.set_redactions(a, _id(r), r.version, (*r.redactions, added)))

    def accept_suggested(self) -> None:
        from core.imaging import checklist

        self.edit(
            lambda s, a, r: s.set_redactions(
                a, _id(r), r.version, (*r.redactions, *checklist.suggested_redactions(r))
            )
        )

    def restyle_redaction(self, index: int, style: RedactionStyle) -> None:
        if self.detail is None or not 0 <= index < len(self.detail.record.redactions):
            return
        old = self.detail.record.redactions[index]

        def change(s: ImagingService, a: StaffMember, r: ImageRecord) -> ImageRecord:
            redactions = [
                Redaction(x.box, style, x.source) if x == old else x for x in r.redactions
            ]
            return s.set_redactions(a, _id(r), r.version, redactions)

        self.edit(change)

    def remove_redaction(self, index: int) -> None:
        if self.detail is None or not 0 <= index < len(self.detail.record.redactions):
            return
        old = self.detail.record.redactions[index]

        def change(s: ImagingService, a: StaffMember, r: ImageRecord) -> ImageRecord:
            kept = list(r.redactions)
            if old in kept:
                kept.remove(old)
            return s.set_redactions(a, _id(r), r.version, kept)

        self.edit(change)

    def redact_text(self, index: int) -> None:
        if self.detail is None or self.detail.record.report is None:
            return
        regions = self.detail.record.report.text_regions
        if not 0 <= index < len(regions):
            return
        added = Redaction(regions[index].box, RedactionStyle.FILL, "text")
        self.edit(lambda s, a, r: s.set_redactions(a, _id(r), r.version, (*r.redactions, added)))

    def dismiss_text(self, index: int, dismissed: bool) -> None:
        self.edit(lambda s, a, r: s.set_text_dismissed(a, _id(r), r.version, index, dismissed))

    def redact_person(self, index: int) -> None:
        self.edit(lambda s, a, r: s.mark_redacted(a, _id(r), r.version, index, RedactionStyle.BLUR))

    def mark_staff(self, index: int, staff_id: int | None) -> None:
        self.edit(lambda s, a, r: s.mark_staff(a, _id(r), r.version, index, staff_id))

    def unlink_person(self, index: int) -> None:
        self.edit(lambda s, a, r: s.unlink_person(a, _id(r), r.version, index))

    def remove_person(self, index: int) -> None:
        self.edit(lambda s, a, r: s.remove_person(a, _id(r), r.version, index))

    def link_person(self, index: int, authorization_id: int) -> None:
        self.edit(lambda s, a, r: s.link_patient(a, _id(r), r.version, index, authorization_id))

    def choose_spot(self, spot_id: int | None) -> None:
        self.edit(lambda s, a, r: s.set_spot(a, _id(r), r.version, spot_id))

    def save_notes(self, notes: str) -> None:
        self.edit(lambda s, a, r: s.set_notes(a, _id(r), r.version, notes))

    def save_alt_text(self, text: str) -> None:
        self.edit(lambda s, a, r: s.set_alt_text(a, _id(r), r.version, text))

    def sign_off(self) -> None:
        self.edit(lambda s, a, r: s.sign_off(a, _id(r), r.version))

    def reopen(self) -> None:
        self.edit(lambda s, a, r: s.reopen(a, _id(r), r.version))

    def reject(self, reason: str) -> None:
        self.edit(lambda s, a, r: s.reject(a, _id(r), r.version, reason))

    # --- dialogs -------------------------------------------------------------------------------
    def ask_link(self, index: int) -> LinkPatientDialog | None:
        if self.user is None or self.detail is None:
            return None
        dialog = LinkPatientDialog(self.services, self.runner, self)

        def linked() -> None:
            choice = dialog.choice()
            if choice is not None:
                self.link_person(index, choice.authorization_id)

        dialog.accepted.connect(linked)
        self._open_dialog(dialog)
        return dialog

    def ask_reject(self) -> ReasonDialog | None:
        if self.user is None or self.detail is None:
            return None
        dialog = ReasonDialog(
            self.tr("Reject this photo"),
            self.tr("Why should this photo not be used?"),
            ok_text=self.tr("Reject"),
            minimum=REJECT_MINIMUM,
            detail=self.tr(
                "For example: “The schedule screen is readable and the photo is blurry anyway.”"
            ),
            parent=self,
        )
        dialog.accepted.connect(lambda: self.reject(dialog.reason()))
        self._open_dialog(dialog)
        return dialog

    def open_spots(self) -> PhotoSpotsDialog | None:
        if self.user is None:
            return None
        dialog = PhotoSpotsDialog(self.services, self.runner, self.user, self)
        dialog.saved.connect(lambda _s: self._load_context())
        self._open_dialog(dialog)
        return dialog

    def _open_dialog(self, dialog: QDialog) -> None:
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    # --- import --------------------------------------------------------------------------------
    def choose_files(self) -> None:
        if self.user is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Import photos"),
            "",
            self.tr("Photos ({patterns});;All files (*)").format(patterns=FILE_FILTER),
        )
        if paths:
            self.import_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        if self.user is None:
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import every photo in a folder"))
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: Sequence[Path], done: Callable[[], None] | None = None) -> None:
        """Import files and folders off the GUI thread with progress and cancel, then show
        what happened and open the first new photo."""
        if self.user is None or not paths:
            return
        images, actor = self.services.images, self.user

        def imported(result: ImportResult) -> None:
            if self.user is None:
                return
            self.summary.show_result(result)
            self.hub.data_changed.emit(DATA_AREA)
            first = result.imported[0] if result.imported else None
            self.show_status(None)
            if first is not None:
                self.open_image(first)
            self.scan_photos(result.imported)
            if done is not None:
                done()

        self.runner.run_with_progress(
            self,
            self.tr("Importing photos…"),
            lambda: import_paths(images, actor, paths),
            imported,
            self._import_failed,
        )

    def _import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and exc.params.get("field") == "folder":
            reason, limit = exc.params.get("reason"), exc.params.get("limit")
            if reason == "too_many":
                text = self.tr(
                    "That folder holds more than {n} photos, more than one import takes. Nothing "
                    "was imported: import its sub-folders one at a time."
                ).format(n=f"{limit:,}" if isinstance(limit, int) else limit)
            elif reason == "too_many_folders":
                text = self.tr(
                    "That folder has thousands of sub-folders; it does not look like a folder "
                    "of photos. Nothing was imported: choose the folder the photos are in."
                )
            else:
                text = self.tr("That folder could not be read. Check that it is still connected.")
            self._show_notice(text)
            return
        self._failed(exc)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.user is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
            return
        event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if self.user is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    # --- helpers -------------------------------------------------------------------------------
    def _announce(self) -> None:
        """Tell the other views that photos changed; this page already shows the change (a
        reload would scroll the grid back to the top)."""
        self._announcing = True
        try:
            self.hub.data_changed.emit(DATA_AREA)
        finally:
            self._announcing = False

    def _data_changed(self, area: str) -> None:
        if self.user is None or self._announcing:
            return
        if area == DATA_AREA:
            self.reload(keep=True)
        elif area == CONSENT_AREA and self.detail is not None and not self.busy:
            record_id = self.detail.record.id
            if record_id is not None and not self.scanning:
                self.open_image(record_id)

    def _show_notice(self, text: str) -> None:
        self.notice.set_text(text)
        self.notice.setVisible(bool(text))

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.search,
            self.import_button,
            self.folder_button,
            self.spots_button,
            self.grid,
            *self.chips.values(),
        ):
            widget.setEnabled(enabled)

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)


def _id(record: ImageRecord) -> int:
    if record.id is None:
        raise ValueError("a saved photo has an id")
    return record.id


__all__ = ["DATA_AREA", "ImagesPage"]

"""The large, zoomable view of one photo with what the scan found drawn over it: faces in blue,
lines of text in red (patient information) or amber (other text), and the redactions as they
will look on export, with a dashed outline.

The photo is decoded off the GUI thread into a preview of at most ``PREVIEW_SIDE`` pixels on
its long side, upright (EXIF orientation applied, like the scan and the export); boxes, which
are in pixels of the full upright photo, are scaled onto it. Redactions are burned into a copy
of the preview with ``core.imaging.apply_redactions`` (also on a worker), so the preview shows
exactly the blur or pixelation the export will have.

Dragging with the mouse draws a box (``box_drawn``, in full-photo pixels); the page decides
whether it becomes a redaction or a person. Fit, zoom in/out (also Ctrl+wheel, Ctrl++ and
Ctrl+-) and 0 to fit again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from core.imaging.model import Box, ImageRecord, Redaction, TextRisk
from gui import theme

PREVIEW_SIDE = 2048
ZOOM_STEP = 1.25
MAX_ZOOM = 8.0
MIN_DRAWN = 6
"""A drawn box smaller than this (screen pixels) is a click, not a box."""

FACE_COLOUR = "#2563EB"
PHI_COLOUR = "#DC2626"
TEXT_COLOUR = "#D97706"
REDACTION_COLOUR = "#111827"
SELECTED_COLOUR = "#16A34A"


@dataclass(frozen=True)
class Preview:
    """A photo decoded for the screen: ``base`` (upright, long side ≤ ``PREVIEW_SIDE``) and
    ``scale`` (preview pixels per full-photo pixel)."""

    base: Image.Image
    scale: float
    full_width: int
    full_height: int


def load_preview(path: Path, side: int = PREVIEW_SIDE) -> Preview:
    """Decode the vault original for the screen (call on a worker). Only the formats the
    library accepts are opened, like the import's sandbox did."""
    from core.imaging import IMPORT_FORMATS

    Image.init()  # every plugin registered (WebP, and HEIF through core.imaging), none run yet
    formats = sorted(f for f in IMPORT_FORMATS if f in Image.OPEN)
    with Image.open(path, formats=formats) as image:
        orientation = image.getexif().get(0x0112, 1)
        width, height = image.size
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        image.draft("RGB", (side, side))  # JPEG: decode at a reduced size (much faster)
        upright = ImageOps.exif_transpose(image)
        base = upright.convert("RGB")
    base.thumbnail((side, side))
    scale = base.width / width if width else 1.0
    return Preview(base, scale, width, height)


def scaled_redactions(redactions: Sequence[Redaction], scale: float) -> list[Redaction]:
    """Redactions moved onto a preview ``scale`` times the full size (at least 1 px)."""
    out = []
    for r in redactions:
        b = r.box
        box = Box(
            int(b.x * scale),
            int(b.y * scale),
            max(1, round(b.width * scale)),
            max(1, round(b.height * scale)),
        )
        out.append(Redaction(box, r.style, r.source))
    return out


def render_preview(preview: Preview, redactions: Sequence[Redaction]) -> QImage:
    """The preview with the redactions burned in, as a ``QImage`` (call on a worker)."""
    from core.imaging import apply_redactions

    image = preview.base
    if redactions:
        image = apply_redactions(image, scaled_redactions(redactions, preview.scale))
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


class PhotoCanvas(QGraphicsView):
    """The photo with overlays; drag to draw a box.

    Signals:
        box_drawn(object): a ``Box`` in full-photo pixels the person drew.
        zoom_changed(float): the zoom (1.0 = one screen pixel per preview pixel).
    """

    box_drawn = Signal(object)
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Photo"))
        self.setMinimumSize(320, 240)
        self.setBackgroundBrush(QBrush(QColor(theme.current().surface_alt)))
        self._pixmap_item: QGraphicsPixmapItem | None = None
        self._overlays: list[QGraphicsRectItem] = []
        self._scale = 1.0
        self._fit = True
        self._drag_start: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None
        self._selected: Box | None = None
        self._record: ImageRecord | None = None
        self.draw_colour = REDACTION_COLOUR

    # --- content ---------------------------------------------------------------------------
    @property
    def has_photo(self) -> bool:
        return self._pixmap_item is not None

    @property
    def preview_scale(self) -> float:
        return self._scale

    @property
    def overlays(self) -> list[QGraphicsRectItem]:
        return list(self._overlays)

    def clear(self) -> None:
        """Show nothing (sign-out, another photo loading)."""
        self.scene().clear()
        self._pixmap_item = None
        self._overlays = []
        self._rubber = None
        self._record = None
        self._selected = None

    def set_image(self, image: QImage, scale: float) -> None:
        """Show a rendered preview; ``scale`` is preview pixels per full-photo pixel. The
        zoom is kept when the same photo is re-rendered (a redaction changed)."""
        same_size = (
            self._pixmap_item is not None
            and self._pixmap_item.pixmap().size() == image.size()
            and abs(self._scale - scale) < 1e-9
        )
        pixmap = QPixmap.fromImage(image)
        if self._pixmap_item is None:
            self._pixmap_item = self.scene().addPixmap(pixmap)
            self._pixmap_item.setZValue(-1)
            self._pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        else:
            self._pixmap_item.setPixmap(pixmap)
        self._scale = scale
        self.scene().setSceneRect(QRectF(pixmap.rect()))
        if not same_size:
            self.fit()
        if self._record is not None:
            self.set_overlays(self._record)

    def set_overlays(self, record: ImageRecord) -> None:
        """Draw ``record``'s faces, people, text lines and redaction outlines."""
        self._record = record
        for item in self._overlays:
            self.scene().removeItem(item)
        self._overlays = []
        if self._pixmap_item is None:
            return
        for n, person in enumerate(record.people, start=1):
            label = self.tr("Person {n}").format(n=n)
            self._add(person.box, FACE_COLOUR, label, Qt.PenStyle.SolidLine)
        if record.report is not None:
            for n, region in enumerate(record.report.text_regions, start=1):
                phi = region.risk is TextRisk.PHI
                colour = PHI_COLOUR if phi else TEXT_COLOUR
                if phi:
                    label = self.tr("Text line {n}: patient information").format(n=n)
                else:
                    label = self.tr("Text line {n}").format(n=n)
                self._add(region.box, colour, label, Qt.PenStyle.SolidLine)
        for n, redaction in enumerate(record.redactions, start=1):
            label = self.tr("Redaction {n}").format(n=n)
            self._add(redaction.box, REDACTION_COLOUR, label, Qt.PenStyle.DashLine, width=1.5)
        if self._selected is not None:
            self._add(
                self._selected, SELECTED_COLOUR, self.tr("Selected"), Qt.PenStyle.SolidLine, 4
            )

    def _add(self, box: Box, colour: str, tip: str, style: Qt.PenStyle, width: float = 2.5) -> None:
        rect = self.to_scene(box)
        pen = QPen(QColor(colour), width, style)
        pen.setCosmetic(True)
        item = self.scene().addRect(rect, pen)
        item.setToolTip(tip)
        item.setData(0, tip)
        self._overlays.append(item)

    def to_scene(self, box: Box) -> QRectF:
        s = self._scale
        return QRectF(box.x * s, box.y * s, box.width * s, box.height * s)

    def to_box(self, rect: QRectF) -> Box:
        """A scene rectangle in full-photo pixels, clipped to the photo."""
        s = self._scale or 1.0
        scene = self.sceneRect()
        rect = rect.normalized().intersected(scene)
        return Box(
            int(rect.x() / s),
            int(rect.y() / s),
            max(1, round(rect.width() / s)),
            max(1, round(rect.height() / s)),
        )

    def select(self, box: Box | None) -> None:
        """Outline ``box`` (a person or a text line chosen in the side panel) and bring it
        into view."""
        self._selected = box
        if self._record is not None:
            self.set_overlays(self._record)
        if box is not None and self._pixmap_item is not None:
            self.ensureVisible(self.to_scene(box), 40, 40)

    # --- zoom ------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        """Show the whole photo."""
        self._fit = True
        if self._pixmap_item is not None:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP)

    def _zoom_by(self, factor: float) -> None:
        if self._pixmap_item is None:
            return
        target = self.zoom * factor
        if target > MAX_ZOOM:
            factor = MAX_ZOOM / self.zoom
        if target < self._fit_zoom() * 0.5:
            factor = self._fit_zoom() * 0.5 / self.zoom
        self._fit = False
        self.scale(factor, factor)
        self.zoom_changed.emit(self.zoom)

    def _fit_zoom(self) -> float:
        rect = self.sceneRect()
        if rect.isEmpty():
            return 1.0
        view = self.viewport().rect()
        return min(view.width() / rect.width(), view.height() / rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    # --- drawing ---------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._pixmap_item is not None:
            self._drag_start = self.mapToScene(event.position().toPoint())
            pen = QPen(QColor(self.draw_colour), 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            self._rubber = self.scene().addRect(QRectF(self._drag_start, self._drag_start), pen)
            self._rubber.setBrush(QBrush(QColor(0, 0, 0, 60)))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_start is not None and self._rubber is not None:
            here = self.mapToScene(event.position().toPoint())
            self._rubber.setRect(QRectF(self._drag_start, here).normalized())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_start is not None and event.button() == Qt.MouseButton.LeftButton:
            start, self._drag_start = self._drag_start, None
            end = self.mapToScene(event.position().toPoint())
            if self._rubber is not None:
                self.scene().removeItem(self._rubber)
                self._rubber = None
            rect = QRectF(start, end).normalized()
            on_screen = self.mapFromScene(rect).boundingRect()
            if on_screen.width() >= MIN_DRAWN and on_screen.height() >= MIN_DRAWN:
                box = self.to_box(rect)
                if box.area > 0:
                    self.box_drawn.emit(box)
            event.accept()
            return
        super().mouseReleaseEvent(event)

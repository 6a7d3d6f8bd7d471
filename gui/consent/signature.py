"""A signature pad: the patient signs with the mouse, a finger on a touch screen, or a stylus
(pressure makes the line wider), and the app keeps the drawing as a cropped PNG."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from gui import theme
from gui.widgets import button, caption

MIN_WIDTH = 480
MIN_HEIGHT = 160
MOUSE_WIDTH = 2.6
"""Line width (pixels) for the mouse and touch, which carry no pressure."""
PEN_MIN, PEN_MAX = 1.2, 4.8
"""A stylus's line width at no and full pressure."""
_TOUCH_TYPES = (
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TouchEnd,
    QEvent.Type.TouchCancel,
)
INK = QColor("#10233F")
"""Dark blue-black, like a ballpoint pen, in light and dark themes alike (it is printed)."""


@dataclass
class _Stroke:
    points: list[QPointF] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)

    def add(self, point: QPointF, width: float) -> None:
        if self.points and (self.points[-1] - point).manhattanLength() < 0.5:
            return
        self.points.append(QPointF(point))
        self.widths.append(width)


def _paint_stroke(painter: QPainter, stroke: _Stroke, scale: float, offset: QPointF) -> None:
    """Draw a stroke as quadratic curves through the midpoints of its samples (smooth, no
    corners between mouse samples), each piece with its own width."""
    points = [(p - offset) * scale for p in stroke.points]
    widths = [w * scale for w in stroke.widths]
    pen = QPen(INK)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if len(points) == 1:
        pen.setWidthF(widths[0])
        painter.setPen(pen)
        painter.drawPoint(points[0])
        return
    start = points[0]
    for i in range(1, len(points)):
        end = (points[i] + points[i + 1]) / 2 if i + 1 < len(points) else points[i]
        control = points[i]
        pen.setWidthF((widths[i - 1] + widths[i]) / 2)
        painter.setPen(pen)
        if i + 1 < len(points):
            path = QPainterPath(start)
            path.quadTo(control, end)
            painter.drawPath(path)
        else:
            painter.drawLine(start, end)
        start = end


class SignatureCanvas(QWidget):
    """The area the patient signs on: a baseline with a cross, a "Sign here" hint while empty,
    and the ink. Mouse, touch and tablet events each draw; a stylus's pressure sets the width.

    Signals:
        changed(): a stroke was added or the canvas was cleared.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(self.tr("Signature pad"))
        self.setAccessibleDescription(
            self.tr("Sign with the mouse, a finger or a pen. Clear starts again.")
        )
        self.strokes: list[_Stroke] = []
        self._current: _Stroke | None = None
        self._device_stroke = False
        """A touch or tablet stroke is under way: ignore the mouse events the system makes
        up from it."""

    def sizeHint(self) -> QSize:
        return QSize(560, 180)

    # --- state -----------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self.strokes

    def clear(self) -> None:
        if not self.strokes and self._current is None:
            return
        self.strokes.clear()
        self._current = None
        self.update()
        self.changed.emit()

    def ink_rect(self) -> QRectF:
        """The bounding box of the ink (pen widths included), in widget coordinates."""
        rect = QRectF()
        for stroke in self.strokes:
            for point, width in zip(stroke.points, stroke.widths, strict=True):
                half = width / 2
                rect = rect.united(QRectF(point.x() - half, point.y() - half, width, width))
        return rect

    def to_png(self, *, margin: int = 12, scale: float = 2.0) -> bytes:
        """The ink alone on a white background, cropped to the ink with ``margin`` pixels
        around it, at ``scale`` times the screen size (crisp when printed); ``b""`` when
        empty."""
        if self.is_empty():
            return b""
        ink = self.ink_rect().adjusted(-margin, -margin, margin, margin)
        size = QSize(max(1, round(ink.width() * scale)), max(1, round(ink.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self.strokes:
            _paint_stroke(painter, stroke, scale, ink.topLeft())
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6 takes str here
        buffer.close()
        return bytes(data.data())

    # --- drawing ---------------------------------------------------------------------------
    def _begin(self, point: QPointF, width: float) -> None:
        self._current = _Stroke()
        self._current.add(point, width)
        self.strokes.append(self._current)
        self.update()

    def _extend(self, point: QPointF, width: float) -> None:
        if self._current is None:
            return
        self._current.add(point, width)
        self.update()

    def _finish(self) -> None:
        if self._current is None:
            return
        self._current = None
        self._device_stroke = False
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._device_stroke or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._begin(event.position(), MOUSE_WIDTH)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._device_stroke:
            return
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position(), MOUSE_WIDTH)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._device_stroke or event.button() != Qt.MouseButton.LeftButton:
            return
        self._extend(event.position(), MOUSE_WIDTH)
        self._finish()

    def tabletEvent(self, event: QTabletEvent) -> None:
        width = PEN_MIN + (PEN_MAX - PEN_MIN) * max(0.0, min(1.0, event.pressure()))
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._device_stroke = True
            self._begin(event.position(), width)
        elif kind == QTabletEvent.Type.TabletMove and self._current is not None:
            self._extend(event.position(), width)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._extend(event.position(), width)
            self._finish()
        event.accept()

    def _touch(self, event: QTouchEvent) -> None:
        points = event.points()
        if not points:
            event.accept()
            return
        point = points[0].position()
        kind = event.type()
        if kind == QTouchEvent.Type.TouchBegin:
            self._device_stroke = True
            self._begin(point, MOUSE_WIDTH)
        elif kind == QTouchEvent.Type.TouchUpdate:
            self._extend(point, MOUSE_WIDTH)
        elif kind in (QTouchEvent.Type.TouchEnd, QTouchEvent.Type.TouchCancel):
            self._extend(point, MOUSE_WIDTH)
            self._finish()
        event.accept()

    def event(self, e: QEvent) -> bool:
        # QWidget has no touch handler of its own: touch events arrive here.
        if isinstance(e, QTouchEvent) and e.type() in _TOUCH_TYPES:
            self._touch(e)
            return True
        return super().event(e)

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(QColor(t.border_strong), 1))
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(rect, 8, 8)
        baseline = rect.top() + rect.height() * 0.74
        left, right = rect.left() + 28, rect.right() - 28
        painter.setPen(QPen(QColor("#A9B6C3"), 1.5))
        painter.drawLine(QPointF(left, baseline), QPointF(right, baseline))
        cross = QPointF(left + 6, baseline - 14)
        painter.setPen(QPen(QColor("#7A8896"), 2))
        painter.drawLine(cross + QPointF(-6, -6), cross + QPointF(6, 6))
        painter.drawLine(cross + QPointF(-6, 6), cross + QPointF(6, -6))
        if self.is_empty():
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.setPen(QColor("#7A8896"))
            painter.drawText(
                QRectF(left, baseline + 6, right - left, rect.bottom() - baseline - 6),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                self.tr("Sign here"),
            )
        for stroke in self.strokes:
            _paint_stroke(painter, stroke, 1.0, QPointF(0, 0))
        painter.end()


class SignaturePad(QWidget):
    """The signing area with a "Clear" button under it.

    ``is_empty()`` says whether anyone signed; ``to_png()`` is the signature cropped to the ink
    (white background); ``clear()`` starts again.

    Signals:
        changed(): the signature changed (a stroke was drawn, or it was cleared).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Signature"))
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.canvas = SignatureCanvas()
        column.addWidget(self.canvas, 1)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.hint = caption(self.tr("Sign with the mouse, a finger or a pen."), wrap=False)
        row.addWidget(self.hint, 1)
        self.clear_button = button(self.tr("Clear"), "refresh", "ghost")
        self.clear_button.setAccessibleName(self.tr("Clear the signature"))
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)
        column.addLayout(row)
        self.canvas.changed.connect(self._changed)
        self._changed_quietly()

    def is_empty(self) -> bool:
        return self.canvas.is_empty()

    def clear(self) -> None:
        self.canvas.clear()

    def to_png(self) -> bytes:
        return self.canvas.to_png()

    def _changed(self) -> None:
        self._changed_quietly()
        self.changed.emit()

    def _changed_quietly(self) -> None:
        self.clear_button.setEnabled(not self.canvas.is_empty())

"""The small page layout the consent PDFs are painted with (Qt's PDF writer or a printer):
text that flows down the page and onto the next one, boxes, lines, checkboxes and images,
with a footer and page number on every page. Units are 300-dpi pixels whatever the device.

It only paints text and images, which Qt allows off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPainter,
    QPainterPath,
    QPen,
)

DPI = 300
MARGIN_INCHES = 0.75
"""The forms' margins (the register's are narrower)."""
INK = QColor("#111111")
MUTED = QColor("#555555")
RULE = QColor("#888888")


def tr(text: str) -> str:
    return QCoreApplication.translate("ConsentPdf", text)


class Sheet:
    """A very small page layout: text flows down the page and onto the next one; boxes,
    lines and images keep to the margins. Units are device pixels (300 per inch)."""

    def __init__(self, device: QPagedPaintDevice, resolution: int, footer: str) -> None:
        self.device = device
        self.painter = QPainter(device)
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Lay out in 300-dpi units whatever the device (a printer may be 600 or 1200 dpi).
        self.painter.scale(resolution / DPI, resolution / DPI)
        paint = device.pageLayout().paintRectPixels(resolution)
        self.width = paint.width() * DPI / resolution
        self.bottom = paint.height() * DPI / resolution - self.inch(0.45)
        self.y = 0.0
        self.page = 1
        self.footer = footer
        self.body = self.font(10)
        self.small = self.font(8.5)
        self._draw_footer()

    @staticmethod
    def inch(value: float) -> float:
        return value * DPI

    @staticmethod
    def font(points: float, *, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        # In layout pixels, not points: the painter's scale maps them to any device's dots.
        font.setPixelSize(round(points * DPI / 72))
        font.setBold(bold)
        # Ligatures ("fi") would come out of the PDF's text as one odd character.
        for tag in ("liga", "clig"):
            font.setFeature(QFont.Tag(tag), 0)
        return font

    # --- flow ------------------------------------------------------------------------------
    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` still fits on this one."""
        if self.y + height > self.bottom:
            self.new_page()

    def new_page(self) -> None:
        self.device.newPage()
        self.page += 1
        self.y = 0.0
        self._draw_footer()

    def gap(self, inches: float) -> None:
        self.y += self.inch(inches)

    def _draw_footer(self) -> None:
        self.painter.setFont(self.small)
        self.painter.setPen(MUTED)
        rect = QRectF(0, self.bottom + self.inch(0.2), self.width, self.inch(0.25))
        self.painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, self.footer)
        self.painter.drawText(rect, Qt.AlignmentFlag.AlignRight, tr("Page {n}").format(n=self.page))

    def measure(self, text: str, font: QFont, width: float) -> float:
        self.painter.setFont(font)
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        return self.painter.boundingRect(QRectF(0, 0, width, 1e6), flags, text).height()

    def text(
        self,
        text: str,
        font: QFont | None = None,
        *,
        indent: float = 0.0,
        color: QColor = INK,
        after: float = 0.06,
    ) -> None:
        """A paragraph, wrapped to the margins (moved whole to the next page if it does not
        fit, unless it is taller than a page)."""
        if not text:
            return
        font = font or self.body
        width = self.width - indent
        height = self.measure(text, font, width)
        self.ensure(min(height, self.bottom - 1))
        self.painter.setFont(font)
        self.painter.setPen(color)
        self.painter.drawText(
            QRectF(indent, self.y, width, height),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        self.y += height + self.inch(after)

    def heading(self, text: str) -> None:
        self.ensure(self.inch(0.7))
        self.gap(0.1)
        self.text(text, self.font(11.5, bold=True), after=0.05)

    def label_value(self, label: str, value: str, *, blank: bool, lines: int = 1) -> None:
        """ "Label: value", or the label over ``lines`` empty lines to write on."""
        if not blank:
            self.text(f"{label}: {value}" if value else f"{label}: —", indent=self.inch(0.1))
            return
        self.text(label, indent=self.inch(0.1), after=0.0)
        self.write_lines(lines)

    def write_lines(self, lines: int) -> None:
        pitch = self.inch(0.36)
        self.ensure(pitch * lines)
        self.painter.setPen(QPen(RULE, 2))
        for _ in range(lines):
            self.y += pitch
            self.painter.drawLine(QPointF(self.inch(0.1), self.y), QPointF(self.width, self.y))
        self.y += self.inch(0.08)

    def checkbox(
        self, label: str, ticked: bool | None, *, indent: float = 0.1, x: float | None = None
    ) -> float:
        """A box (ticked, empty when ``ticked`` is False or None) with its label to the right;
        returns the height used. With ``x``, draws in a column at that offset without moving
        down (the caller advances)."""
        box = self.inch(0.16)
        left = self.inch(indent) if x is None else x
        text_left = left + box + self.inch(0.1)
        width = (self.width if x is None else left + self.column_width()) - text_left
        height = max(box, self.measure(label, self.body, width))
        if x is None:
            self.ensure(height)
        top = self.y
        self.painter.setPen(QPen(INK, 3))
        self.painter.setBrush(Qt.BrushStyle.NoBrush)
        box_rect = QRectF(left, top + self.inch(0.02), box, box)
        self.painter.drawRect(box_rect)
        if ticked:
            tick = QPainterPath(QPointF(box_rect.left() + box * 0.2, box_rect.top() + box * 0.55))
            tick.lineTo(box_rect.left() + box * 0.42, box_rect.top() + box * 0.78)
            tick.lineTo(box_rect.left() + box * 0.82, box_rect.top() + box * 0.22)
            pen = QPen(INK, 6)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.painter.setPen(pen)
            self.painter.drawPath(tick)
        self.painter.setFont(self.body)
        self.painter.setPen(INK)
        self.painter.drawText(
            QRectF(text_left, top, width, height),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            label,
        )
        if x is None:
            self.y += height + self.inch(0.07)
        return height

    def column_width(self) -> float:
        return (self.width - self.inch(0.1)) / 2

    def checkbox_columns(self, items: Iterable[tuple[str, bool | None]]) -> None:
        """Checkboxes in two columns (short labels: platforms, options)."""
        rows = list(items)
        half = (len(rows) + 1) // 2
        left_x, right_x = self.inch(0.1), self.inch(0.1) + self.column_width()
        for i in range(half):
            self.ensure(self.inch(0.3))
            used = self.checkbox(rows[i][0], rows[i][1], x=left_x)
            if i + half < len(rows):
                used = max(used, self.checkbox(rows[i + half][0], rows[i + half][1], x=right_x))
            self.y += used + self.inch(0.07)

    def boxed_note(self, text: str) -> None:
        """A framed note (the attorney note on the blank form)."""
        pad = self.inch(0.12)
        font = self.font(10, bold=True)
        height = self.measure(text, font, self.width - 2 * pad) + 2 * pad
        self.ensure(height)
        self.painter.setPen(QPen(INK, 4))
        self.painter.setBrush(QColor("#F2F2F2"))
        self.painter.drawRect(QRectF(0, self.y, self.width, height))
        self.painter.setBrush(Qt.BrushStyle.NoBrush)
        self.painter.setFont(font)
        self.painter.drawText(
            QRectF(pad, self.y + pad, self.width - 2 * pad, height - 2 * pad),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        self.y += height + self.inch(0.12)

    def signature(self, png: bytes | None) -> None:
        """The signature image sitting on a line (or just the line to sign on)."""
        box_height = self.inch(0.9)
        self.ensure(box_height + self.inch(0.2))
        line_y = self.y + box_height
        image = QImage.fromData(png) if png else QImage()
        if not image.isNull():
            max_w, max_h = self.inch(3.2), box_height - self.inch(0.05)
            scale = min(max_w / image.width(), max_h / image.height())
            w, h = image.width() * scale, image.height() * scale
            self.painter.drawImage(QRectF(self.inch(0.1), line_y - h, w, h), image)
        self.painter.setPen(QPen(RULE, 2))
        self.painter.drawLine(QPointF(self.inch(0.1), line_y), QPointF(self.inch(4.2), line_y))
        self.y = line_y + self.inch(0.04)
        self.text(tr("Signature"), self.small, indent=self.inch(0.1), color=MUTED)

    def finish(self) -> None:
        self.painter.end()

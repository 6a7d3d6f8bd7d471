"""The signature pad: mouse strokes draw, the PNG is cropped to the ink, Clear empties it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gui.consent.signature import MIN_HEIGHT, MIN_WIDTH, SignaturePad


def _sign(qtbot: QtBot, pad: SignaturePad) -> None:
    canvas = pad.canvas
    left = Qt.MouseButton.LeftButton
    qtbot.mousePress(canvas, left, pos=QPoint(60, 90))
    for x, y in ((90, 70), (120, 110), (150, 60), (180, 105), (220, 80)):
        qtbot.mouseMove(canvas, QPoint(x, y))
    qtbot.mouseRelease(canvas, left, pos=QPoint(240, 95))


def _pad(qtbot: QtBot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 220)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def test_starts_empty_with_a_comfortable_size_and_a_name(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    assert pad.is_empty()
    assert pad.to_png() == b""
    assert pad.canvas.minimumWidth() >= MIN_WIDTH
    assert pad.canvas.minimumHeight() >= MIN_HEIGHT
    assert pad.canvas.accessibleName() == "Signature pad"
    assert not pad.clear_button.isEnabled()


def test_mouse_strokes_draw_and_export_a_cropped_png(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    with qtbot.waitSignal(pad.changed, timeout=1000):
        _sign(qtbot, pad)
    assert not pad.is_empty()
    assert pad.clear_button.isEnabled()
    png = pad.to_png()
    assert png.startswith(b"\x89PNG")
    image = QImage.fromData(png)
    assert not image.isNull()
    # Cropped to the ink (x 60..240, y 60..110) plus a margin, at twice the size.
    assert image.width() < 2 * 240
    assert image.height() < 2 * 110
    assert image.width() > 2 * 170
    dark = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if QColor(image.pixel(x, y)).lightness() < 128
    )
    assert dark > 50


def test_clear_empties_the_pad(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    _sign(qtbot, pad)
    with qtbot.waitSignal(pad.changed, timeout=1000):
        qtbot.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty()
    assert pad.to_png() == b""
    assert not pad.clear_button.isEnabled()


def test_stylus_pressure_sets_the_width(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    canvas = pad.canvas
    device = QPointingDevice.primaryPointingDevice()

    def tablet(kind: QTabletEvent.Type, x: float, pressure: float) -> None:
        pos = QPointF(x, 80)
        event = QTabletEvent(
            kind,
            device,
            pos,
            QPointF(canvas.mapToGlobal(pos)),
            pressure,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton,
        )
        QApplication.sendEvent(canvas, event)

    tablet(QTabletEvent.Type.TabletPress, 50, 0.1)
    tablet(QTabletEvent.Type.TabletMove, 100, 1.0)
    tablet(QTabletEvent.Type.TabletRelease, 150, 1.0)
    assert not pad.is_empty()
    widths = canvas.strokes[0].widths
    assert widths[0] < widths[-1]

"""The app's SVG line icons, coloured for the current light or dark theme.

The files in ``resources/icons`` draw with ``stroke="currentColor"``, which Qt's SVG renderer
cannot resolve; ``icon()`` substitutes a real colour and renders the SVG at several sizes.
Widgets that keep an icon across a theme switch use ``bind_icon`` / ``bind_pixmap``: the theme
switch calls ``refresh_bound()``, which re-colours them.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from gui import theme

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"

NAMES = (
    "today",
    "composer",
    "images",
    "consent",
    "reviews",
    "incentives",
    "settings",
    "lock",
    "user",
    "switch-user",
    "sign-out",
    "backup",
    "restore",
    "shield",
    "shield-alert",
    "check-circle",
    "alert-triangle",
    "alert-octagon",
    "info",
    "search",
    "plus",
    "edit",
    "trash",
    "print",
    "copy",
    "refresh",
    "calendar",
    "clock",
    "key",
    "database",
    "download",
    "chevron-right",
    "eye",
    "eye-off",
)
"""Every icon name ``icon()`` knows."""

_SIZES = (16, 20, 24, 32, 48, 64)
_ICON_PROPERTY = "fdsIcon"
_TONE_PROPERTY = "fdsIconTone"
_SIZE_PROPERTY = "fdsIconSize"


@functools.cache
def _svg(name: str) -> str:
    if name not in NAMES:
        raise KeyError(name)
    return (ICONS_DIR / f"{name}.svg").read_text(encoding="utf-8")


def _color(tone: str) -> str:
    """A theme colour by role (``text``, ``muted``, ``accent``, ``danger``…) or a literal."""
    if tone.startswith("#"):
        return tone
    return str(getattr(theme.current(), tone))


def render(name: str, size: int, color: str = "text", device_pixel_ratio: float = 1.0) -> QPixmap:
    """The icon ``name`` drawn ``size`` pixels square in ``color`` (a theme role or ``#hex``).

    Raises ``KeyError`` for an unknown name.
    """
    return _render(name, size, _color(color), device_pixel_ratio)


@functools.lru_cache(maxsize=1024)
def _render(name: str, size: int, color: str, device_pixel_ratio: float) -> QPixmap:
    """Rendering SVG is the slow part of building the window (hundreds of pixmaps, many the
    same icon in the same colour): each is drawn once per colour and size."""
    svg = _svg(name).replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    side = round(size * device_pixel_ratio)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


@functools.lru_cache(maxsize=512)
def _icon(name: str, color: str, on_color: str, disabled: str, dpr: float) -> QIcon:
    result = QIcon()
    for size in _SIZES:
        normal = render(name, size, color, dpr)
        result.addPixmap(normal, QIcon.Mode.Normal, QIcon.State.Off)
        result.addPixmap(render(name, size, on_color, dpr), QIcon.Mode.Normal, QIcon.State.On)
        result.addPixmap(render(name, size, on_color, dpr), QIcon.Mode.Selected, QIcon.State.Off)
        result.addPixmap(render(name, size, on_color, dpr), QIcon.Mode.Selected, QIcon.State.On)
        result.addPixmap(render(name, size, disabled, dpr), QIcon.Mode.Disabled, QIcon.State.Off)
    return result


def _dpr() -> float:
    app = QApplication.instance()
    return float(app.devicePixelRatio()) if isinstance(app, QApplication) else 1.0


def icon(name: str, color: str | None = None, *, on_color: str | None = None) -> QIcon:
    """The icon ``name`` in ``color`` (a theme role such as ``"text"``, ``"accent"``,
    ``"danger"``, or ``"#hex"``; default: the theme's text colour).

    ``on_color`` colours the checked/selected state (e.g. the current navigation entry).
    Raises ``KeyError`` for an unknown name.
    """
    _svg(name)
    color = color or "text"
    return _icon(name, _color(color), _color(on_color or color), _color("muted"), _dpr())


def bind_icon(
    button: QAbstractButton, name: str, color: str = "text", on_color: str | None = None
) -> None:
    """Give ``button`` an icon that follows theme switches."""
    button.setProperty(_ICON_PROPERTY, name)
    button.setProperty(_TONE_PROPERTY, f"{color}|{on_color or ''}")
    button.setIcon(icon(name, color, on_color=on_color))


def bind_pixmap(label: QLabel, name: str, size: int = 24, color: str = "text") -> None:
    """Show icon ``name`` in ``label`` at ``size`` pixels; it follows theme switches."""
    label.setProperty(_ICON_PROPERTY, name)
    label.setProperty(_TONE_PROPERTY, color)
    label.setProperty(_SIZE_PROPERTY, size)
    label.setPixmap(render(name, size, color, _dpr()))
    label.setFixedSize(QSize(size, size))


def refresh_bound() -> None:
    """Re-colour every bound icon for the current theme (called after a theme switch)."""
    _icon.cache_clear()
    _render.cache_clear()
    for widget in QApplication.allWidgets():
        _refresh(widget)


def _refresh(widget: QWidget) -> None:
    name = widget.property(_ICON_PROPERTY)
    if not name:
        return
    tone = str(widget.property(_TONE_PROPERTY) or "text")
    if isinstance(widget, QAbstractButton):
        color, _, on_color = tone.partition("|")
        widget.setIcon(icon(str(name), color, on_color=on_color or None))
    elif isinstance(widget, QLabel):
        size = int(widget.property(_SIZE_PROPERTY) or 24)
        widget.setPixmap(render(str(name), size, tone, _dpr()))


def app_icon() -> QIcon:
    """The application's own icon (fixed colours; the same in light and dark)."""
    renderer = QSvgRenderer(str(ICONS_DIR / "app.svg"))
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result

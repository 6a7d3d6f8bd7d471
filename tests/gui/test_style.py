"""Icons, the light and dark themes, and the shared widgets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from gui import icons, style, theme
from gui.style import Badge, Card, EmptyState, heading


@pytest.fixture
def restore_light(qapp: QApplication) -> Iterator[None]:
    yield
    style.apply_theme(qapp, dark=False)


def opaque_pixels(label: QLabel) -> list[QColor]:
    image = label.pixmap().toImage()
    return [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 200
    ]


def close_to(color: QColor, hex_color: str) -> bool:
    expected = QColor(hex_color)
    return all(
        abs(a - b) <= 3 for a, b in zip(color.getRgb()[:3], expected.getRgb()[:3], strict=True)
    )


def test_every_icon_loads_and_renders() -> None:
    assert len(icons.NAMES) == 34
    for name in icons.NAMES:
        assert (icons.ICONS_DIR / f"{name}.svg").is_file(), name
        icon = icons.icon(name)
        assert not icon.isNull(), name
        image = icon.pixmap(24, 24).toImage()
        assert any(image.pixelColor(x, y).alpha() > 0 for x in range(24) for y in range(24)), name
    assert not icons.app_icon().isNull()


def test_unknown_icon_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        icons.icon("no-such-icon")


def test_icons_take_the_requested_colour() -> None:
    pixmap = icons.render("plus", 24, "#FF0000")
    image = pixmap.toImage()
    solid = [
        image.pixelColor(x, y)
        for x in range(24)
        for y in range(24)
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert solid
    assert all(c.red() == 255 and c.green() == 0 for c in solid)


@pytest.mark.usefixtures("restore_light")
def test_light_and_dark_themes_apply(qapp: QApplication) -> None:
    label = QLabel()
    icons.bind_pixmap(label, "info", 24)
    light_ink = opaque_pixels(label)[0]
    assert close_to(light_ink, theme.LIGHT.text)
    applied = style.apply_theme(qapp, dark=True)
    assert applied is theme.DARK
    assert theme.current() is theme.DARK
    palette = qapp.palette()
    assert palette.color(QPalette.ColorRole.Window).name().upper() == theme.DARK.window
    assert palette.color(QPalette.ColorRole.WindowText).name().upper() == theme.DARK.text
    assert theme.DARK.window in qapp.styleSheet() or theme.DARK.surface in qapp.styleSheet()
    assert close_to(opaque_pixels(label)[0], theme.DARK.text)
    style.apply_theme(qapp, dark=False)
    assert qapp.palette().color(QPalette.ColorRole.Window).name().upper() == theme.LIGHT.window
    assert close_to(opaque_pixels(label)[0], theme.LIGHT.text)


def test_follows_the_system_when_not_told(qapp: QApplication) -> None:
    chosen = style.apply_theme(qapp)
    assert chosen.dark is style.system_prefers_dark()
    style.apply_theme(qapp, dark=False)


def test_shared_widgets(qtbot) -> None:
    card = Card("Backups")
    qtbot.addWidget(card)
    assert card.title_label.text() == "Backups"
    card.body.addWidget(heading("Inside", 2))
    badge = Badge("<b>Late</b>", "warning")
    assert badge.textFormat().name == "PlainText"
    assert badge.tone == "warning"
    badge.set_tone("danger")
    assert badge.property("tone") == "danger"
    with pytest.raises(ValueError, match="tone"):
        badge.set_tone("purple")
    empty = EmptyState("check-circle", "All caught up", "Nothing needs you.")
    qtbot.addWidget(empty)
    assert empty.title_label.text() == "All caught up"
    assert not empty.icon_label.pixmap().isNull()
    empty.set_text("Still caught up")
    assert empty.text_label.isHidden()
    assert heading("Title", 7).property("heading") == "3"

"""Small building blocks every page shares: headings, cards, badges, banners, empty states,
avatars and buttons.

Their look lives in the application stylesheet (``gui.style``), keyed by class name and a few
dynamic properties, so a theme switch re-colours them. Every text they show is plain text:
callers pass strings already translated with ``tr()``, and user-supplied text (names) is never
interpreted as rich text. Import them from ``gui.style`` or from here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gui import icons
from gui.theme import TONES

_TONE_ICONS = {
    "neutral": "info",
    "info": "info",
    "success": "check-circle",
    "warning": "alert-triangle",
    "danger": "alert-octagon",
}


CONTENT_WIDTH = 860
"""The widest a page's content column grows, so lines stay readable on big screens."""


def content_column(page: QWidget, max_width: int = CONTENT_WIDTH) -> QVBoxLayout:
    """Lay ``page`` out as one centred column (at most ``max_width`` wide, 32/28 px margins)
    and return the column's layout to fill."""
    outer = QHBoxLayout(page)
    outer.setContentsMargins(32, 28, 32, 28)
    holder = QWidget()
    holder.setMaximumWidth(max_width)
    outer.addWidget(holder, 1)
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(16)
    return column


def scrolling_column(page: QWidget, max_width: int = CONTENT_WIDTH) -> QVBoxLayout:
    """Like :func:`content_column`, inside a frameless scroll area that fills ``page``: for
    pages whose content can outgrow a 768-pixel-high screen."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    outer.addWidget(scroll)
    holder = QWidget()
    column = content_column(holder, max_width)
    scroll.setWidget(holder)
    return column


def separator() -> QFrame:
    """A hairline between sections."""
    line = QFrame()
    line.setProperty("separator", "true")
    line.setFrameShape(QFrame.Shape.NoFrame)
    line.setFixedHeight(1)
    return line


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property that it matches on changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    """A label that never interprets its text as rich text (safe for names and reviews)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    return label


def heading(text: str, level: int = 1) -> QLabel:
    """A heading label: level 1 (page title), 2 (section) or 3 (card title)."""
    label = plain_label(text)
    label.setProperty("heading", str(max(1, min(level, 3))))
    label.setAccessibleName(text)
    return label


def caption(text: str = "", *, wrap: bool = True) -> QLabel:
    """Secondary, muted text (explanations under a heading, hints under a field)."""
    label = plain_label(text, wrap=wrap)
    label.setProperty("muted", "true")
    return label


def button(
    text: str, icon_name: str = "", kind: str = "default", parent: QWidget | None = None
) -> QPushButton:
    """A push button. ``kind`` is ``default``, ``primary`` (the one main action of a screen),
    ``danger`` (destructive) or ``ghost`` (quiet, borderless); ``icon_name`` is a
    ``gui.icons`` name."""
    result = QPushButton(text, parent)
    result.setProperty("kind", kind)
    if icon_name:
        tone = {"primary": "accent_text", "danger": "danger"}.get(kind, "text")
        icons.bind_icon(result, icon_name, tone)
    result.setCursor(Qt.CursorShape.PointingHandCursor)
    return result


class Card(QFrame):
    """A rounded panel with an optional title; put content into ``body``.

    ``header`` is the title row (add buttons to its right end with ``header.addWidget``);
    ``title_label`` is the title. Signals: none.
    """

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 20)
        outer.setSpacing(12)
        self.header = QHBoxLayout()
        self.header.setSpacing(8)
        self.title_label = heading(title, 3)
        self.title_label.setVisible(bool(title))
        self.header.addWidget(self.title_label)
        self.header.addStretch(1)
        outer.addLayout(self.header)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        outer.addLayout(self.body)

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))


class Badge(QLabel):
    """A small rounded label for a status or severity.

    Tones: ``neutral``, ``info``, ``success``, ``warning``, ``danger``. Signals: none.
    """

    def __init__(self, text: str, tone: str = "neutral", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._tone = ""
        self.set_tone(tone)

    @property
    def tone(self) -> str:
        return self._tone

    def set_tone(self, tone: str) -> None:
        """Change the colour; raises ``ValueError`` for an unknown tone."""
        if tone not in TONES:
            raise ValueError(f"unknown tone {tone!r}")
        self._tone = tone
        self.setProperty("tone", tone)
        repolish(self)


class Banner(QFrame):
    """A full-width strip with a tone icon and one or two sentences (demo mode, warnings).

    Signals: none.
    """

    def __init__(self, text: str, tone: str = "info", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if tone not in TONES:
            raise ValueError(f"unknown tone {tone!r}")
        self.setProperty("tone", tone)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(8)
        self.icon_label = QLabel()
        icons.bind_pixmap(self.icon_label, _TONE_ICONS[tone], 18, tone)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        self.text_label = plain_label(text, wrap=True)
        row.addWidget(self.text_label, 1)

    def set_text(self, text: str) -> None:
        self.text_label.setText(text)


class EmptyState(QWidget):
    """A calm, centred message for a list with nothing in it: an icon, a title and a line of
    explanation (e.g. "All caught up"). Signals: none."""

    def __init__(
        self, icon_name: str, title: str, text: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 40, 24, 40)
        column.setSpacing(8)
        column.addStretch(1)
        self.icon_label = QLabel()
        icons.bind_pixmap(self.icon_label, icon_name, 48, "muted")
        column.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(8)
        self.title_label = heading(title, 2)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.title_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.text_label = caption(text)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label.setVisible(bool(text))
        column.addWidget(self.text_label)
        column.addStretch(1)

    def set_text(self, title: str, text: str = "") -> None:
        self.title_label.setText(title)
        self.text_label.setText(text)
        self.text_label.setVisible(bool(text))


class Avatar(QLabel):
    """A round badge with a person's initials (never a photo). Signals: none."""

    def __init__(self, initials: str, size: int = 40, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedSize(size, size)
        font = self.font()
        font.setPixelSize(max(11, round(size * 0.38)))
        font.setBold(True)
        self.setFont(font)
        self.setStyleSheet(f"border-radius: {size // 2}px;")
        self.set_initials(initials)

    def set_initials(self, initials: str) -> None:
        self.setText(initials[:3])


def app_mark(size: int = 56) -> QLabel:
    """The application's icon as a picture."""
    label = QLabel()
    label.setPixmap(icons.app_icon().pixmap(size, size))
    label.setFixedSize(size, size)
    return label

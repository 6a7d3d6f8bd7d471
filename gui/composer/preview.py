"""How a post will look on each platform: a feed card per platform, and all of them in tabs.

A ``PostPreview`` draws one platform's card: the practice's avatar (its initials), name and
``@handle``/"now", the text with links, hashtags and mentions in the platform's link colour,
the photo grid, and the action row. Where the platform's feed cuts a long text, the card cuts
it too and shows the platform's "… See more"; over a platform's hard limit (X's 280) the
overflow is shown in red, like the platform's own composer does. The numbers live in
``resources/previews.json`` (``gui.composer.prev_platforms``).

The post's text is user text: it is inserted into a ``QTextDocument`` through a cursor as
plain characters with formats, never parsed as HTML or Markdown, so ``<b>`` stays ``<b>``.
Thumbnails are decoded off the GUI thread (``gui.composer.prev_images``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.platforms import default_rules, measure
from gui import theme
from gui.composer.prev_images import SHARED_CACHE, ImageGrid, ThumbnailCache
from gui.composer.prev_platforms import PreviewLook, entities, handle, initials, look, see_more_cut
from gui.tasks import TaskRunner
from gui.widgets import Avatar, caption, plain_label

PREVIEW_WIDTH = 500
"""About as wide as the platforms' own feed cards."""

_TEXT_PIXELS = 15


class PostText(QWidget):
    """A post's text as a feed shows it, drawn from a ``QTextDocument`` built from plain
    characters (never markup). Grows to its text's height for the width it gets.

    Signals: none.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QTextDocument(self)
        self.document.setDocumentMargin(0)
        self.document.setUndoRedoEnabled(False)
        font = QFont(self.font())
        font.setPixelSize(_TEXT_PIXELS)
        self.document.setDefaultFont(font)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        self.document.setTextWidth(max(1, width))
        return math.ceil(self.document.size().height())

    def sizeHint(self) -> QSize:
        return QSize(PREVIEW_WIDTH - 32, self.heightForWidth(PREVIEW_WIDTH - 32))

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.heightForWidth(max(120, self.width())))

    def changed(self) -> None:
        """The document changed: lay out again."""
        self.updateGeometry()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        self.document.setTextWidth(max(1, self.width()))
        painter = QPainter(self)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = self.palette()
        context.clip = QRectF(event.rect())
        self.document.documentLayout().draw(painter, context)
        painter.end()


class PostPreview(QFrame):
    """One platform's feed card for a post. ``set_content`` fills it; it re-colours itself
    when the theme switches.

    Signals: none.
    """

    def __init__(
        self,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        thumbnails: ThumbnailCache = SHARED_CACHE,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PostPreview")
        self.setMaximumWidth(PREVIEW_WIDTH)
        self._platform = ""
        self._text = ""
        self._account = ""
        self._limit: int | None = None
        self._truncated = False
        self._overflow = False
        self._rendering = False

        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 12)
        column.setSpacing(10)
        header = QHBoxLayout()
        header.setSpacing(10)
        self.avatar = Avatar("", 40)
        header.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = plain_label(wrap=True)
        name_font = QFont(self.name_label.font())
        name_font.setBold(True)
        name_font.setPixelSize(15)
        self.name_label.setFont(name_font)
        self.meta_label = caption(wrap=True)
        names.addWidget(self.name_label)
        names.addWidget(self.meta_label)
        header.addLayout(names, 1)
        self.platform_label = caption(wrap=False)
        header.addWidget(self.platform_label, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(header)

        self.text = PostText()
        self.images = ImageGrid(runner, thumbnails)
        self.empty_label = caption(self.tr("Nothing to preview yet: write the post first."))
        self.actions_label = caption(wrap=True)
        self._column = column
        for widget in (self.text, self.images, self.empty_label, self.actions_label):
            column.addWidget(widget)

    # --- content ------------------------------------------------------------------------
    def set_content(
        self,
        platform: str,
        text: str,
        *,
        account_name: str,
        image_paths: Sequence[Path] = (),
        limit: int | None = None,
        pictures: Sequence[QImage | None] | None = None,
    ) -> None:
        """Show ``text`` and the photos at ``image_paths`` (or ``pictures``, decoded already)
        as ``platform`` (a ``core.platforms.PLATFORM_IDS`` id) shows them, posted by
        ``account_name``; ``limit`` overrides the platform's (a Mastodon server's own limit)."""
        style = look(platform)
        self._platform, self._text, self._account = platform, text, account_name
        self._limit = limit
        self.setAccessibleName(self.tr("Preview on {platform}").format(platform=self.name()))
        self.avatar.set_initials(initials(account_name))
        self.name_label.setText(account_name)
        now = self.tr("now") if style.handle else self.tr("Just now")
        self.meta_label.setText(f"{handle(account_name)} · {now}" if style.handle else now)
        self.platform_label.setText(self.tr("{platform} preview").format(platform=self.name()))
        self.actions_label.setText("     ".join(self._action_text(a) for a in style.actions))
        if pictures is not None:
            self.images.set_pictures(pictures, style.max_images)
        else:
            self.images.set_images(image_paths, style.max_images)
        order = [self.images, self.text] if style.image_first else [self.text, self.images]
        for index, widget in enumerate(order):
            self._column.removeWidget(widget)
            self._column.insertWidget(1 + index, widget)
        self._render()

    @property
    def platform(self) -> str:
        return self._platform

    def name(self) -> str:
        """The platform's display name ("Facebook")."""
        return default_rules().rule(self._platform).name if self._platform else ""

    @property
    def truncated(self) -> bool:
        """Whether the feed cuts the text (the card shows its "See more")."""
        return self._truncated

    @property
    def overflowing(self) -> bool:
        """Whether the text is longer than the platform takes (shown in red)."""
        return self._overflow

    def shown_text(self) -> str:
        """The card's text as a person reads it, marker included."""
        return self.text.document.toPlainText()

    def link_colour(self) -> QColor:
        """The colour links, hashtags and mentions get on this platform in this theme."""
        return QColor(look(self._platform).link_colour(theme.current().dark))

    @property
    def image_tile_count(self) -> int:
        return self.images.tile_count

    @property
    def hidden_image_count(self) -> int:
        return self.images.hidden_count

    # --- drawing -------------------------------------------------------------------------
    def _render(self) -> None:
        if not self._platform:
            return
        style = look(self._platform)
        t = theme.current()
        text = self._text.strip("\n")
        document = self.text.document
        document.clear()
        cursor = QTextCursor(document)
        base = QTextCharFormat()
        base.setForeground(QBrush(QColor(t.text)))
        if style.name_in_caption and text:
            bold = QTextCharFormat(base)
            bold.setFontWeight(QFont.Weight.Bold)
            cursor.insertText(self._account + " ", bold)
        cut = see_more_cut(text, style.see_more_after)
        shown = text if cut is None else text[:cut]
        overflow_start = (
            measure(text, self._platform, limit=self._limit).overflow_start if text else None
        )
        self._truncated = cut is not None
        self._overflow = overflow_start is not None
        self._insert_runs(cursor, shown, style, base, overflow_start)
        if cut is not None:
            more = QTextCharFormat(base)
            more.setForeground(QBrush(QColor(t.muted)))
            more.setFontWeight(QFont.Weight.DemiBold)
            cursor.insertText("… " + self._marker_text(style.marker), more)
        self.text.setVisible(bool(text))
        self.empty_label.setVisible(not text and not self.images.tile_count)
        self.text.changed()

    def _insert_runs(
        self,
        cursor: QTextCursor,
        shown: str,
        style: PreviewLook,
        base: QTextCharFormat,
        overflow_start: int | None,
    ) -> None:
        t = theme.current()
        link = QColor(style.link_colour(t.dark))
        spans = entities(shown, self._platform)
        stops = {0, len(shown)}
        for start, end in spans:
            stops.update((start, end))
        if overflow_start is not None and overflow_start < len(shown):
            stops.add(overflow_start)
        edges = sorted(stops)
        for start, end in itertools.pairwise(edges):
            fmt = QTextCharFormat(base)
            if any(a <= start and end <= b for a, b in spans):
                fmt.setForeground(QBrush(link))
            if overflow_start is not None and start >= overflow_start:
                fmt.setForeground(QBrush(QColor(t.danger)))
                fmt.setBackground(QBrush(QColor(t.danger_soft)))
            cursor.insertText(shown[start:end], fmt)

    def _marker_text(self, marker: str) -> str:
        return {
            "see_more": self.tr("See more"),
            "see_more_lower": self.tr("see more"),
        }.get(marker, self.tr("more"))

    def _action_text(self, action: str) -> str:
        return {
            "like": self.tr("Like"),
            "comment": self.tr("Comment"),
            "share": self.tr("Share"),
            "reply": self.tr("Reply"),
            "repost": self.tr("Repost"),
            "boost": self.tr("Boost"),
            "favourite": self.tr("Favourite"),
            "send": self.tr("Send"),
            "learn_more": self.tr("Learn more"),
        }.get(action, action)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        changes = (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
        if event.type() in changes and not self._rendering:
            self._rendering = True
            try:
                self._render()
            finally:
                self._rendering = False

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(t.border))
        painter.setBrush(QColor(t.surface))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 12, 12)
        painter.end()


class AllPreviews(QWidget):
    """A tab per platform, each with that platform's ``PostPreview`` of the post.

    Signals:
        current_platform_changed(str): the person switched to another platform's tab.
    """

    current_platform_changed = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._previews: dict[str, PostPreview] = {}
        self._order: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._current_changed)
        layout.addWidget(self.tabs)
        self.empty_label = caption(self.tr("Choose where to post to see a preview."))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_label)
        self.tabs.setVisible(False)

    def set_content(
        self,
        texts: Mapping[str, str],
        *,
        account_name: str,
        image_paths: Sequence[Path] = (),
    ) -> None:
        """One tab per platform in ``texts`` (platform id → that platform's text, in order;
        e.g. ``core.composer.variants.published_texts(post)``). The tab shown stays shown
        while its platform is still there."""
        current = self.current_platform()
        order = list(texts)
        if order != self._order:
            self.tabs.blockSignals(True)
            while self.tabs.count():
                page = self.tabs.widget(0)
                self.tabs.removeTab(0)
                if page is not None:
                    page.deleteLater()
            self._previews = {p: PostPreview(self._runner) for p in order}
            for platform in order:
                scroll = _scrolling(self._previews[platform])
                self.tabs.addTab(scroll, default_rules().rule(platform).name)
            self._order = order
            self.tabs.blockSignals(False)
            if current in order:
                self.tabs.setCurrentIndex(order.index(current))
        for platform, text in texts.items():
            self._previews[platform].set_content(
                platform, text, account_name=account_name, image_paths=image_paths
            )
        self.tabs.setVisible(bool(order))
        self.empty_label.setVisible(not order)
        if self.current_platform() != current and self.current_platform() is not None:
            self.current_platform_changed.emit(self.current_platform())

    def platforms(self) -> tuple[str, ...]:
        return tuple(self._order)

    def preview(self, platform: str) -> PostPreview:
        """The preview of ``platform`` (``KeyError`` when it has no tab)."""
        if platform not in self._order:
            raise KeyError(platform)
        return self._previews[platform]

    def current_platform(self) -> str | None:
        index = self.tabs.currentIndex()
        return self._order[index] if 0 <= index < len(self._order) else None

    def set_current_platform(self, platform: str) -> None:
        if platform in self._order:
            self.tabs.setCurrentIndex(self._order.index(platform))

    def _current_changed(self, index: int) -> None:
        if 0 <= index < len(self._order):
            self.current_platform_changed.emit(self._order[index])


def _scrolling(preview: PostPreview) -> QScrollArea:
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(16, 16, 16, 16)
    column.addWidget(preview, 0, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    column.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(holder)
    scroll.setBackgroundRole(QPalette.ColorRole.Window)
    return scroll

"""The posting calendar's pieces: a post's chip and a day's cell, with drag and drop.

A scheduled post's chip can be dragged onto another day's cell; the cell reports the drop and
``gui.composer.calendar.CalendarView`` decides whether the move is allowed. Private to the
calendar (``cal_*``).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.composer.calendar import CalendarEntry, CalendarMode
from gui import theme
from gui.composer.cal_format import (
    app_locale,
    day_text,
    platforms_short,
    platforms_spoken,
    qdate,
    state_label,
    state_tone,
    time_text,
    tr,
)
from gui.widgets import repolish

POST_MIME = "application/x-front-desk-social-post"
"""The drag payload of a post's chip: its id as ASCII digits."""

MONTH_VISIBLE = 2
"""Chips a month cell shows; with more posts on the day, one fewer and "+N more"."""


def post_mime(post_id: int) -> QMimeData:
    """The drag payload for the post ``post_id``."""
    data = QMimeData()
    data.setData(POST_MIME, QByteArray(str(post_id).encode("ascii")))
    return data


def post_from_mime(data: QMimeData | None) -> int | None:
    """The post id a drag carries, or ``None`` when it carries none."""
    if data is None or not data.hasFormat(POST_MIME):
        return None
    raw = bytes(data.data(POST_MIME).data()).decode("ascii", "replace")
    return int(raw) if raw.isdigit() else None


def calendar_stylesheet(t: theme.Theme) -> str:
    """The cells' look, for the calendar widget (re-applied when the theme changes)."""
    return f"""
DayCell {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 8px; }}
DayCell[outside="true"] {{ background: {t.surface_alt}; }}
DayCell[today="true"] {{ border: 2px solid {t.accent}; }}
DayCell[drop="ok"] {{ border: 2px dashed {t.accent}; background: {t.accent_soft}; }}
DayCell[drop="no"] {{ border: 2px dashed {t.danger}; background: {t.danger_soft}; }}
DayCell QLabel#DayNumber {{ color: {t.text}; font-weight: 600; padding: 1px 6px;
    border-radius: 9px; }}
DayCell[outside="true"] QLabel#DayNumber {{ color: {t.muted}; font-weight: 400; }}
DayCell[today="true"] QLabel#DayNumber {{ background: {t.accent}; color: {t.accent_text}; }}
DayCell QPushButton#MoreButton {{ border: none; background: transparent; color: {t.accent};
    padding: 0 4px; min-height: 0; text-align: left; font-size: 12px; font-weight: 600; }}
DayCell QPushButton#MoreButton:hover {{ text-decoration: underline; }}
DayCell QPushButton#MoreButton:focus {{ border: 2px solid {t.focus}; border-radius: 4px;
    padding: 0 2px; }}
QPushButton[segment="true"]:checked {{ background: {t.accent_soft}; color: {t.accent};
    border-color: {t.accent}; }}
QLabel#WeekdayHeader {{ color: {t.muted}; font-weight: 600; font-size: 12px; }}
"""


class EntryChip(QWidget):
    """A post on the calendar: a small rounded chip coloured by the post's state, showing its
    time, platforms and the start of its text. Focusable; Enter or a double-click opens it,
    the arrow keys move to the neighbouring chips, Ctrl+arrow moves a scheduled post by a day
    (left/right) or a week (up/down); dragging moves it to another day.

    Signals:
        activated(int): open the post (its id).
        step(object, int): focus the chip ``n`` entries before or after this one.
        move_requested(object, int): move this chip's entry by a number of days.
        drag_refused(object): a drag was started on a post that cannot be moved.
    """

    activated = Signal(int)
    step = Signal(object, int)
    move_requested = Signal(object, int)
    drag_refused = Signal(object)

    def __init__(
        self,
        entry: CalendarEntry,
        tz: ZoneInfo,
        mode: CalendarMode,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.entry = entry
        self.mode = mode
        self.time_text = time_text(entry.at, tz)
        self.platform_text = platforms_short(entry.platforms)
        self._press: QPoint | None = None
        self._refused = False
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.setFont(font)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(
            Qt.CursorShape.OpenHandCursor if entry.movable else Qt.CursorShape.PointingHandCursor
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        local_day = entry.at.astimezone(tz).date()
        spoken = tr("{state} post, {day}, {time}, on {platforms}: {title}").format(
            state=state_label(entry.state),
            day=day_text(local_day),
            time=self.time_text,
            platforms=platforms_spoken(entry.platforms),
            title=entry.title,
        )
        self.setAccessibleName(spoken)
        hint = (
            tr("Double-click or press Enter to open. Drag to another day to move it.")
            if entry.movable
            else tr("Double-click or press Enter to open.")
        )
        self.setAccessibleDescription(hint)
        self.setToolTip(f"{spoken}\n{hint}")

    # --- size and paint ------------------------------------------------------------------
    def _lines(self) -> int:
        return 2 if self.mode is CalendarMode.MONTH else 3

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(120, fm.height() * self._lines() + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        fg, bg = t.tone(state_tone(self.entry.state))
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(rect, 5, 5)
        painter.setBrush(QColor(fg))
        painter.drawRoundedRect(QRectF(rect.left(), rect.top(), 3, rect.height()), 1.5, 1.5)
        if self.hasFocus():
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(t.focus), 2))
            painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        fm = QFontMetrics(self.font())
        left = 9
        width = max(0, self.width() - left - 6)
        bold = self.font()
        bold.setBold(True)
        bold_fm = QFontMetrics(bold)
        painter.setPen(QColor(t.text))
        y = 4 + fm.ascent()
        painter.setFont(bold)
        painter.drawText(left, y, self.time_text)
        x = left + bold_fm.horizontalAdvance(self.time_text)
        painter.setFont(self.font())
        painter.setPen(QColor(t.muted))
        platforms = fm.elidedText(
            f" · {self.platform_text}", Qt.TextElideMode.ElideRight, max(0, width + left - x)
        )
        painter.drawText(x, y, platforms)
        painter.setPen(QColor(t.text))
        if self.mode is CalendarMode.MONTH:
            title = fm.elidedText(self.entry.title, Qt.TextElideMode.ElideRight, width)
            painter.drawText(left, y + fm.height(), title)
            return
        first, second = _two_lines(self.entry.title, fm, width)
        painter.drawText(left, y + fm.height(), first)
        painter.drawText(left, y + 2 * fm.height(), second)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    # --- keyboard ------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        arrows = {
            Qt.Key.Key_Left: (-1, -1),
            Qt.Key.Key_Right: (1, 1),
            Qt.Key.Key_Up: (-1, -7),
            Qt.Key.Key_Down: (1, 7),
        }
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.entry.post_id)
        elif key in arrows and ctrl:
            self.move_requested.emit(self.entry, arrows[Qt.Key(key)][1])
        elif key in arrows:
            self.step.emit(self, arrows[Qt.Key(key)][0])
        else:
            super().keyPressEvent(event)

    # --- mouse ---------------------------------------------------------------------------
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(self.entry.post_id)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self._refused = False
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        moved = (event.position().toPoint() - self._press).manhattanLength()
        if moved < QApplication.startDragDistance():
            return
        if not self.entry.movable:
            if not self._refused:
                self._refused = True
                self.drag_refused.emit(self.entry)
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(self.mime_data())
        drag.setPixmap(self.grab())
        drag.setHotSpot(event.position().toPoint())
        drag.exec(Qt.DropAction.MoveAction)

    def mime_data(self) -> QMimeData:
        """What dragging this chip carries."""
        return post_mime(self.entry.post_id)


def _two_lines(text: str, fm: QFontMetrics, width: int) -> tuple[str, str]:
    """``text`` over two lines of ``width`` pixels, broken at a space, the rest elided."""
    words = text.split(" ")
    first = ""
    for i, word in enumerate(words):
        candidate = f"{first} {word}" if first else word
        if fm.horizontalAdvance(candidate) > width:
            if not first:
                return fm.elidedText(text, Qt.TextElideMode.ElideRight, width), ""
            rest = " ".join(words[i:])
            return first, fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)
        first = candidate
    return first, ""


class DayCell(QFrame):
    """A day of the calendar: its number, its posts' chips (in a month, at most a few and
    "+N more") and a drop target for a dragged post.

    Signals:
        dropped(int, object): a post (its id) was dropped on this day (a ``date``).
        more_clicked(object): "+N more" was pressed (the day, a ``date``).
    """

    dropped = Signal(int, object)
    more_clicked = Signal(object)

    def __init__(
        self,
        day: date,
        *,
        mode: CalendarMode,
        in_period: bool,
        today: bool,
        past: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.day = day
        self.mode = mode
        self.past = past
        self.chips: list[EntryChip] = []
        self.setAcceptDrops(True)
        self.setProperty("outside", "false" if in_period else "true")
        self.setProperty("today", "true" if today else "false")
        self.setProperty("drop", "")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(80, 80 if mode is CalendarMode.MONTH else 200)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 5, 6, 6)
        outer.setSpacing(3)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        label = _month_day(day) if day.day == 1 or mode is CalendarMode.WEEK else str(day.day)
        self.number = QLabel(label)
        self.number.setObjectName("DayNumber")
        self.number.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.number)
        top.addStretch(1)
        outer.addLayout(top)

        self._chip_box = QVBoxLayout()
        self._chip_box.setContentsMargins(0, 0, 0, 0)
        self._chip_box.setSpacing(3)
        if mode is CalendarMode.WEEK:
            holder = QWidget()
            holder.setLayout(self._chip_box)
            self._chip_box.addStretch(1)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(holder)
            outer.addWidget(scroll, 1)
        else:
            outer.addLayout(self._chip_box)
            outer.addStretch(1)
        self.more_button = QPushButton()
        self.more_button.setObjectName("MoreButton")
        self.more_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.more_button.setVisible(False)
        self.more_button.clicked.connect(lambda: self.more_clicked.emit(self.day))
        outer.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._set_accessible(0)

    def set_chips(self, chips: list[EntryChip]) -> None:
        """Show these chips (the day's entries, in time order); a month cell shows the first
        few and "+N more"."""
        visible = chips
        if self.mode is CalendarMode.MONTH and len(chips) > MONTH_VISIBLE:
            visible = chips[: MONTH_VISIBLE - 1]
        for chip in visible:
            if self.mode is CalendarMode.WEEK:
                self._chip_box.insertWidget(self._chip_box.count() - 1, chip)
            else:
                self._chip_box.addWidget(chip)
        for chip in chips[len(visible) :]:
            chip.deleteLater()
        self.chips = visible
        hidden = len(chips) - len(visible)
        self.more_button.setVisible(hidden > 0)
        if hidden:
            self.more_button.setText(tr("+{n} more").format(n=hidden))
            self.more_button.setAccessibleName(
                tr("{n} more posts on {day}: show the week").format(
                    n=hidden, day=day_text(self.day)
                )
            )
        self._set_accessible(len(chips))

    def _set_accessible(self, count: int) -> None:
        if count == 0:
            text = tr("{day}, no posts").format(day=day_text(self.day))
        elif count == 1:
            text = tr("{day}, 1 post").format(day=day_text(self.day))
        else:
            text = tr("{day}, {n} posts").format(day=day_text(self.day), n=count)
        self.setAccessibleName(text)

    # --- drop target ---------------------------------------------------------------------
    def _mark(self, value: str) -> None:
        if self.property("drop") != value:
            self.setProperty("drop", value)
            repolish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if post_from_mime(event.mimeData()) is None:
            event.ignore()
            return
        self._mark("no" if self.past else "ok")
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if post_from_mime(event.mimeData()) is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._mark("")
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._mark("")
        post_id = post_from_mime(event.mimeData())
        if post_id is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.dropped.emit(post_id, self.day)


def _month_day(day: date) -> str:
    return app_locale().toString(qdate(day), "MMM d")

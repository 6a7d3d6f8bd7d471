"""The posting calendar: a month or a week of scheduled and published posts in the practice's
time zone, where a scheduled post is moved to another day by dragging it, and the whole plan
can be saved as an ``.ics`` file for Outlook or Google Calendar."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QEvent, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.composer.calendar import (
    SCHEDULED_STATES,
    CalendarEntry,
    CalendarGrid,
    CalendarMode,
    entries_for,
    export_ics,
    fetch_all,
    local_day,
    month_grid,
    month_window,
    reschedule_to_day,
    week_grid,
    week_window,
    window_queries,
)
from core.composer.model import Post, PostState
from core.composer.ports import PostOrder, PostQuery
from core.platforms import PLATFORM_IDS
from core.staff.model import StaffMember
from gui import errors, theme
from gui.composer.cal_cells import DayCell, EntryChip, calendar_stylesheet
from gui.composer.cal_format import (
    day_text,
    first_weekday,
    month_title,
    platform_name,
    short_day_text,
    state_label,
    time_text,
    week_title,
    weekday_name,
)
from gui.composer.notice import NoticeSlot
from gui.composer.wording import practice_zone
from gui.tasks import TaskRunner
from gui.widgets import EmptyState, button, caption, heading

EXPORT_PUBLISHED_DAYS = 365
"""How far back the ``.ics`` export reaches for published posts (scheduled ones: all)."""


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    """Ask where to save the calendar file; ``None`` when cancelled. (Tests replace this.)"""
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        parent.tr("Export calendar"),
        suggested,
        parent.tr("Calendar files (*.ics)"),
    )
    if not path:
        return None
    return path if path.lower().endswith(".ics") else f"{path}.ics"


@dataclass(frozen=True, slots=True)
class _Loaded:
    anchor: date
    tz: ZoneInfo
    now: datetime
    posts: list[Post]
    practice_name: str


@dataclass(frozen=True, slots=True)
class _Exported:
    path: Path
    count: int


class CalendarView(QWidget):
    """The posting calendar. Month or week; previous, next and "Today"; a platform filter;
    today's cell highlighted; posts as chips coloured by state. A scheduled post is moved by
    dragging its chip onto another day (or Ctrl+arrow keys), keeping its time of day.

    ``set_user(None)`` clears everything; ``refresh`` reloads off the GUI thread.

    Signals:
        open_post(int): open a post (double-click or Enter on its chip).
        changed(): a post was rescheduled here.
    """

    open_post = Signal(int)
    changed = Signal()

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.user: StaffMember | None = None
        self.mode = CalendarMode.MONTH
        self.anchor: date | None = None
        self.first_weekday = first_weekday()
        self.loaded = False
        self.tz = ZoneInfo("UTC")
        self.now: datetime | None = None
        self.grid: CalendarGrid | None = None
        self._posts: list[Post] = []
        self.practice_name = ""
        self._entries: dict[int, CalendarEntry] = {}
        self._cells: list[DayCell] = []
        self._generation = 0
        self._moving: set[int] = set()
        self._focus_after: int | None = None
        self._build()
        self._apply_style()
        self._show_blank()

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(12)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.prev_button = button("‹", kind="default")
        self.prev_button.setFixedWidth(44)
        self.today_button = button(self.tr("Today"), "today")
        self.next_button = button("›", kind="default")
        self.next_button.setFixedWidth(44)
        self.today_button.setAccessibleName(self.tr("Go to today"))
        for b in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(b)
        bar.addSpacing(12)
        self.title = heading("", 2)
        bar.addWidget(self.title)
        bar.addStretch(1)

        self.platform_filter = QComboBox()
        self.platform_filter.setAccessibleName(self.tr("Show posts for"))
        self.platform_filter.setToolTip(self.tr("Show only the posts for one platform"))
        self.platform_filter.addItem(self.tr("All platforms"), "")
        for platform in PLATFORM_IDS:
            self.platform_filter.addItem(platform_name(platform), platform)
        bar.addWidget(self.platform_filter)

        self.month_button = button(self.tr("Month"), kind="default")
        self.week_button = button(self.tr("Week"), kind="default")
        self.mode_group = QButtonGroup(self)
        for b, mode in ((self.month_button, "month"), (self.week_button, "week")):
            b.setCheckable(True)
            b.setProperty("mode", mode)
            b.setProperty("segment", "true")
            self.mode_group.addButton(b)
            bar.addWidget(b)
        self.month_button.setAccessibleName(self.tr("Show a month"))
        self.week_button.setAccessibleName(self.tr("Show a week"))
        self.month_button.setChecked(True)

        self.export_button = button(self.tr("Export calendar (.ics)…"), "download")
        self.export_button.setAccessibleName(self.tr("Export the calendar as an .ics file"))
        self.export_button.setToolTip(
            self.tr(
                "Save every scheduled post, and the posts published in the last year, as a "
                "calendar file for Outlook, Google Calendar or Apple Calendar."
            )
        )
        bar.addSpacing(8)
        bar.addWidget(self.export_button)
        outer.addLayout(bar)
        self._build_body(outer)
        self._connect()

    def _build_body(self, outer: QVBoxLayout) -> None:

        self.notice = NoticeSlot()
        outer.addWidget(self.notice)

        self.hint = caption(
            self.tr(
                "Drag a scheduled post to another day to move it; it keeps its time. "
                "Double-click a post to open it."
            ),
            wrap=True,
        )
        outer.addWidget(self.hint)

        self.stack = QStackedWidget()
        self.grid_page = QWidget()
        page_layout = QVBoxLayout(self.grid_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(4)
        self.header_row = QHBoxLayout()
        self.header_row.setSpacing(4)
        page_layout.addLayout(self.header_row)
        self.grid_layout = QGridLayout()
        self.grid_layout.setSpacing(4)
        self.grid_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(self.grid_layout, 1)
        self.stack.addWidget(self.grid_page)
        self.empty = EmptyState("calendar", "", "")
        self.stack.addWidget(self.empty)
        self.loading = EmptyState("clock", self.tr("Loading the calendar…"))
        self.stack.addWidget(self.loading)
        self.blank = QWidget()
        self.stack.addWidget(self.blank)
        outer.addWidget(self.stack, 1)

    def _connect(self) -> None:
        self.prev_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))
        self.today_button.clicked.connect(self.go_today)
        self.mode_group.buttonClicked.connect(self._mode_clicked)
        self.platform_filter.currentIndexChanged.connect(lambda _i: self._render())
        self.export_button.clicked.connect(self.export)
        self._update_nav_names()

    def _apply_style(self) -> None:
        self.setStyleSheet(calendar_stylesheet(theme.current()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_style()
        super().changeEvent(event)

    def _controls(self) -> list[QWidget]:
        return [
            self.prev_button,
            self.today_button,
            self.next_button,
            self.platform_filter,
            self.month_button,
            self.week_button,
            self.export_button,
        ]

    # --- public ----------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        """Show the calendar to ``member``; ``None`` drops everything shown."""
        self.user = member
        self._generation += 1
        self._posts = []
        self._entries = {}
        self._moving.clear()
        self.loaded = False
        self.grid = None
        self._clear_notice()
        self._clear_cells()
        if member is None:
            self.anchor = None
            self._show_blank()
            return
        for widget in self._controls():
            widget.setEnabled(True)
        self.refresh()

    def refresh(self) -> None:
        """Reload the shown month or week (off the GUI thread)."""
        if self.user is None:
            return
        self._generation += 1
        generation = self._generation
        services, mode, anchor, weekday = self.services, self.mode, self.anchor, self.first_weekday
        if self.grid is None:
            self.stack.setCurrentWidget(self.loading)

        def load() -> _Loaded:
            practice = services.practice.practice().value
            tz = practice_zone(practice.timezone)
            now = services.clock.now()
            day = anchor or now.astimezone(tz).date()
            if mode is CalendarMode.MONTH:
                start, end = month_window(day.year, day.month, weekday, tz)
            else:
                start, end = week_window(day, weekday, tz)
            composer = services.composer
            posts = [p for q in window_queries(start, end) for p in fetch_all(composer.list, q)]
            return _Loaded(day, tz, now, posts, practice.name)

        def done(result: _Loaded) -> None:
            if not shiboken6.isValid(self) or generation != self._generation or self.user is None:
                return
            self.anchor, self.tz, self.now = result.anchor, result.tz, result.now
            self._posts = result.posts
            self.practice_name = result.practice_name
            self._entries = {e.post_id: e for e in entries_for(result.posts, result.tz)}
            self.loaded = True
            self._render()

        self.runner.run(load, done, self._load_failed)

    def go_today(self) -> None:
        self.anchor = None
        self.refresh()

    def set_mode(self, mode: CalendarMode, anchor: date | None = None) -> None:
        """Show a month or a week (holding ``anchor``, default: the day shown now)."""
        self.mode = mode
        (self.month_button if mode is CalendarMode.MONTH else self.week_button).setChecked(True)
        if anchor is not None:
            self.anchor = anchor
        self._update_nav_names()
        self.refresh()

    def set_platform(self, platform: str) -> None:
        """Show only posts for ``platform`` (``""``: every platform)."""
        self.platform_filter.setCurrentIndex(max(0, self.platform_filter.findData(platform)))

    def cells(self) -> list[DayCell]:
        return list(self._cells)

    def cell_for(self, day: date) -> DayCell | None:
        return next((c for c in self._cells if c.day == day), None)

    def chips(self) -> list[EntryChip]:
        return [chip for cell in self._cells for chip in cell.chips]

    def notice_text(self) -> str:
        return self.notice.text()

    @property
    def notice_tone(self) -> str:
        return self.notice.tone

    # --- navigation --------------------------------------------------------------------
    def _go(self, step: int) -> None:
        if self.anchor is None:
            return
        if self.mode is CalendarMode.MONTH:
            month = self.anchor.month - 1 + step
            self.anchor = date(self.anchor.year + month // 12, month % 12 + 1, 1)
        else:
            self.anchor += timedelta(days=7 * step)
        self.refresh()

    def _mode_clicked(self, clicked: QPushButton) -> None:
        mode = CalendarMode(str(clicked.property("mode")))
        if mode is not self.mode:
            self.set_mode(mode)

    def _update_nav_names(self) -> None:
        if self.mode is CalendarMode.MONTH:
            self.prev_button.setAccessibleName(self.tr("Previous month"))
            self.next_button.setAccessibleName(self.tr("Next month"))
        else:
            self.prev_button.setAccessibleName(self.tr("Previous week"))
            self.next_button.setAccessibleName(self.tr("Next week"))
        self.prev_button.setToolTip(self.prev_button.accessibleName())
        self.next_button.setToolTip(self.next_button.accessibleName())

    # --- rendering ---------------------------------------------------------------------
    def _show_blank(self) -> None:
        self.title.setText("")
        self.stack.setCurrentWidget(self.blank)
        for widget in self._controls():
            widget.setEnabled(False)

    def _clear_cells(self) -> None:
        for cell in self._cells:
            self.grid_layout.removeWidget(cell)
            cell.hide()
            cell.deleteLater()
        self._cells = []
        while self.header_row.count():
            item = self.header_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _visible_posts(self) -> list[Post]:
        platform = self.platform_filter.currentData()
        if not platform:
            return self._posts
        return [p for p in self._posts if platform in p.platforms]

    def _render(self) -> None:
        if self.user is None or not self.loaded or self.anchor is None or self.now is None:
            return
        posts, tz, anchor = self._visible_posts(), self.tz, self.anchor
        if self.mode is CalendarMode.MONTH:
            grid = month_grid(anchor.year, anchor.month, self.first_weekday, posts, tz)
            self.title.setText(month_title(anchor.year, anchor.month))
        else:
            grid = week_grid(anchor, self.first_weekday, posts, tz)
            self.title.setText(week_title(grid.first, grid.last))
        self.grid = grid
        self.title.setAccessibleName(self.title.text())
        focused = self._focused_post()
        self._clear_cells()
        today = self.now.astimezone(tz).date()
        for column in range(7):
            label = QLabel(weekday_name((self.first_weekday + column) % 7))
            label.setObjectName("WeekdayHeader")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.header_row.addWidget(label, 1)
        for row, week in enumerate(grid.weeks):
            self.grid_layout.setRowStretch(row, 1)
            for column, day in enumerate(week):
                cell = DayCell(
                    day.day,
                    mode=grid.mode,
                    in_period=day.in_period,
                    today=day.day == today,
                    past=day.day < today,
                )
                chips = [EntryChip(e, tz, grid.mode) for e in day.entries]
                for chip in chips:
                    chip.activated.connect(self.open_post)
                    chip.step.connect(self._step_focus)
                    chip.move_requested.connect(self._move_by_days)
                    chip.drag_refused.connect(self._refuse_entry)
                cell.set_chips(chips)
                cell.dropped.connect(self._dropped)
                cell.more_clicked.connect(self._show_week_of)
                self.grid_layout.addWidget(cell, row, column)
                self._cells.append(cell)
        for column in range(7):
            self.grid_layout.setColumnStretch(column, 1)
        for row in range(len(grid.weeks), 6):
            self.grid_layout.setRowStretch(row, 0)
        self._show_grid_or_empty(grid)
        self._restore_focus(focused)

    def _show_grid_or_empty(self, grid: CalendarGrid) -> None:
        if grid.entry_count():
            self.stack.setCurrentWidget(self.grid_page)
            return
        period = self.title.text()
        platform = self.platform_filter.currentData()
        if platform:
            title = self.tr("No {platform} posts in {period}").format(
                platform=platform_name(platform), period=period
            )
        else:
            title = self.tr("Nothing scheduled in {period}").format(period=period)
        self.empty.set_text(
            title,
            self.tr(
                "Approved posts appear here once they are scheduled. Use the arrows to look at "
                "other weeks and months."
            ),
        )
        self.stack.setCurrentWidget(self.empty)

    def _focused_post(self) -> int | None:
        if self._focus_after is not None:
            wanted, self._focus_after = self._focus_after, None
            return wanted
        chip = next((c for c in self.chips() if c.hasFocus()), None)
        return chip.entry.post_id if chip is not None else None

    def _restore_focus(self, post_id: int | None) -> None:
        if post_id is None:
            return
        chip = next((c for c in self.chips() if c.entry.post_id == post_id), None)
        if chip is not None:
            chip.setFocus(Qt.FocusReason.OtherFocusReason)

    def _step_focus(self, chip: EntryChip, step: int) -> None:
        chips = self.chips()
        if chip not in chips:
            return
        index = chips.index(chip) + step
        if 0 <= index < len(chips):
            chips[index].setFocus(Qt.FocusReason.TabFocusReason)

    def _show_week_of(self, day: date) -> None:
        self.set_mode(CalendarMode.WEEK, day)

    # --- moving posts ------------------------------------------------------------------
    def _dropped(self, post_id: int, day: date) -> None:
        entry = self._entries.get(post_id)
        if entry is None:
            return
        self.move_entry(entry, day)

    def _move_by_days(self, entry: CalendarEntry, days: int) -> None:
        self.move_entry(entry, local_day(entry, self.tz) + timedelta(days=days))

    def move_entry(self, entry: CalendarEntry, day: date) -> None:
        """Reschedule ``entry``'s post to ``day`` at the same local time, if it is scheduled
        and the new time is still ahead; otherwise say why not."""
        user, now = self.user, self.now
        if user is None or now is None:
            return
        if not entry.movable:
            self._refuse_entry(entry)
            return
        if day == local_day(entry, self.tz):
            return
        today = now.astimezone(self.tz).date()
        new_at = reschedule_to_day(entry.at, day, self.tz)
        if day < today or new_at <= self.services.clock.now():
            self._say(
                self.tr(
                    "{day} at {time} has already passed. Move the post to a day still ahead."
                ).format(day=short_day_text(day), time=time_text(new_at, self.tz)),
                "warning",
            )
            return
        if entry.post_id in self._moving:
            return
        self._moving.add(entry.post_id)
        composer, generation = self.services.composer, self._generation

        def move() -> Post:
            return composer.schedule(user, entry.post_id, entry.version, new_at)

        def done(post: Post) -> None:
            self._moving.discard(entry.post_id)
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._say(
                self.tr("Moved to {day} at {time}.").format(
                    day=day_text(day), time=time_text(new_at, self.tz)
                ),
                "success",
            )
            self._focus_after = entry.post_id
            self.changed.emit()
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._moving.discard(entry.post_id)
            if not shiboken6.isValid(self):
                return
            errors.show_error(self, exc)
            if generation == self._generation:
                self.refresh()

        self.runner.run(move, done, failed)

    def _refuse_entry(self, entry: CalendarEntry) -> None:
        if entry.state is PostState.PUBLISHED:
            text = self.tr(
                "This post is already published, so it stays on the day it went out. Only "
                "scheduled posts can be moved."
            )
        else:
            text = self.tr("Only scheduled posts can be moved. This one is: {state}.").format(
                state=state_label(entry.state).lower()
            )
        self._say(text, "warning")

    # --- export ------------------------------------------------------------------------
    def export(self) -> None:
        """Ask where to save, then write the ``.ics`` file off the GUI thread."""
        if self.user is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / f"{_file_stem(self.practice_name)}.ics")
        path = ask_save_path(self, suggested)
        if path is None:
            return
        services, target = self.services, Path(path)
        generation = self._generation
        self.export_button.setEnabled(False)

        def write() -> _Exported:
            practice = services.practice.practice().value
            tz = practice_zone(practice.timezone)
            since = services.clock.now() - timedelta(days=EXPORT_PUBLISHED_DAYS)
            posts = _export_posts(services.composer.list, since)
            data = export_ics(posts, tz, practice.name)
            target.write_bytes(data)
            return _Exported(target, data.count(b"BEGIN:VEVENT"))

        def done(result: _Exported) -> None:
            if not shiboken6.isValid(self):
                return
            self.export_button.setEnabled(self.user is not None)
            if generation != self._generation:
                return
            self._say(
                self.tr(
                    "Saved {n} posts to {path}. Open that file in Outlook, Google Calendar "
                    "or Apple Calendar to see them there."
                ).format(n=result.count, path=str(result.path)),
                "success",
            )

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.export_button.setEnabled(self.user is not None)
            if isinstance(exc, OSError):
                self._say(
                    self.tr(
                        "The calendar could not be saved to {path} ({reason}). Choose "
                        "another folder, such as Documents, and try again."
                    ).format(path=str(target), reason=exc.strerror or type(exc).__name__),
                    "danger",
                )
                return
            errors.show_error(self, exc)

        self.runner.run(write, done, failed)

    # --- messages ----------------------------------------------------------------------
    def _say(self, text: str, tone: str) -> None:
        self.notice.say(text, tone)

    def _clear_notice(self) -> None:
        self.notice.clear()

    def _load_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        errors.show_error(self, exc)


def _file_stem(practice_name: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", practice_name).strip()
    return f"{cleaned} posts" if cleaned else "posts"


def _export_posts(
    list_posts: Callable[[PostQuery], tuple[list[Post], int]], since: datetime
) -> list[Post]:
    """Every scheduled post, and those published since ``since``."""
    scheduled = PostQuery(states=SCHEDULED_STATES, order=PostOrder.SCHEDULED_ASC, limit=200)
    published = PostQuery(
        states=(PostState.PUBLISHED,),
        published_from=since,
        order=PostOrder.PUBLISHED_DESC,
        limit=200,
    )
    return fetch_all(list_posts, scheduled) + fetch_all(list_posts, published)

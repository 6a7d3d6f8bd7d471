"""The published list: every post that went live (and those taken down since), newest first,
with each platform's live link, a search, and "Take down…" for a post that must come off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.composer.model import Post, PostState
from core.composer.ports import PostOrder, PostQuery
from core.composer.service import ComposerService
from core.composer.workflow import allowed_targets
from core.staff.model import StaffMember
from gui import errors, icons
from gui.composer import pub_dialogs
from gui.composer.cal_format import platform_name
from gui.composer.notice import NoticeSlot
from gui.composer.pub_model import (
    PAGE_SIZE,
    PublishedColumn,
    PublishedDelegate,
    PublishedModel,
    PublishedRow,
)
from gui.composer.wording import practice_zone
from gui.tasks import TaskRunner
from gui.widgets import EmptyState, button, caption, repolish

SEARCH_DELAY_MS = 300
_EVER = datetime(1970, 1, 1, tzinfo=UTC)
"""A lower bound on ``published_at`` that leaves out posts never published."""


def open_url(url: str) -> None:
    """Open a live post in the browser. (Tests replace this.)"""
    QDesktopServices.openUrl(QUrl(url))


def published_query(text: str, offset: int, limit: int) -> PostQuery:
    """Posts that were published (still live or taken down since), latest first."""
    return PostQuery(
        states=(PostState.PUBLISHED, PostState.WITHDRAWN),
        published_from=_EVER,
        text=text.strip(),
        order=PostOrder.PUBLISHED_DESC,
        offset=offset,
        limit=limit,
    )


def load_rows(composer: ComposerService, query: PostQuery) -> tuple[list[PublishedRow], int]:
    """A page of published posts with their live links, and how many match in all."""
    posts, total = composer.list(query)
    rows = [PublishedRow(p, composer.history(p.id).publications) for p in posts if p.id is not None]
    return rows, total


@dataclass(frozen=True, slots=True)
class _FirstPage:
    rows: list[PublishedRow]
    total: int
    tz: ZoneInfo


class PublishedList(QWidget):
    """Published posts in a table, paged from SQL as it scrolls: when each went out, the start
    of its text, its platforms as live links, and whether it is still live or taken down. A
    search box narrows the list; "Take down…" asks for a reason and reminds that the post
    must also be deleted on each platform.

    Signals:
        open_post(int): open a post (double-click or Enter on its row).
        changed(): a post was taken down here.
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
        self.loaded = False
        self.page_size = PAGE_SIZE
        self._generation = 0
        self._tz = ZoneInfo("UTC")
        self.model = PublishedModel(self)
        self.delegate = PublishedDelegate(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._build()
        self._show_blank()

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(12)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search published posts…"))
        self.search.setAccessibleName(self.tr("Search published posts"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(
            icons.icon("search", "muted"), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search.setMinimumWidth(320)
        bar.addWidget(self.search)
        self.count_label = caption(wrap=False)
        bar.addSpacing(8)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        self.open_button = button(self.tr("Open post"), "edit")
        self.open_button.setAccessibleName(self.tr("Open the selected post"))
        bar.addWidget(self.open_button)
        self.withdraw_button = button(self.tr("Take down…"), "trash", "danger")
        self.withdraw_button.setAccessibleName(self.tr("Take the selected post down"))
        bar.addWidget(self.withdraw_button)
        outer.addLayout(bar)

        self.notice = NoticeSlot()
        outer.addWidget(self.notice)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_table())
        self.empty = EmptyState("check-circle", "", "")
        self.stack.addWidget(self.empty)
        self.blank = QWidget()
        self.stack.addWidget(self.blank)
        outer.addWidget(self.stack, 1)
        self._connect()

    def _build_table(self) -> QTableView:
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(self.delegate)
        self.table.setAccessibleName(self.tr("Published posts"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setMouseTracking(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(38)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(PublishedColumn.PUBLISHED, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PublishedColumn.PUBLISHED, 220)
        header.setSectionResizeMode(PublishedColumn.POST, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PublishedColumn.PLATFORMS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PublishedColumn.PLATFORMS, 300)
        header.setSectionResizeMode(PublishedColumn.STATE, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PublishedColumn.STATE, 130)
        return self.table

    def _connect(self) -> None:
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self._search_timer.timeout.connect(self.refresh)
        self.model.more_wanted.connect(self._fetch_page)
        self.delegate.link_clicked.connect(self._open_link)
        self.table.activated.connect(self._activated)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        self.model.modelReset.connect(self._update_actions)
        self.model.dataChanged.connect(lambda *_a: self._update_actions())
        self.open_button.clicked.connect(self._open_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)

    # --- public ----------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        """Show the list to ``member``; ``None`` drops everything shown."""
        self.user = member
        self._generation += 1
        self.loaded = False
        self._search_timer.stop()
        self._clear_notice()
        self.model.clear()
        if member is None:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self._show_blank()
            return
        self.search.setEnabled(True)
        self.refresh()

    def refresh(self) -> None:
        """Reload from the first page (off the GUI thread)."""
        if self.user is None:
            return
        self._search_timer.stop()
        self._generation += 1
        generation = self._generation
        services = self.services
        query = published_query(self.search.text(), 0, self.page_size)

        def load() -> _FirstPage:
            tz = practice_zone(services.practice.practice().value.timezone)
            rows, total = load_rows(services.composer, query)
            return _FirstPage(rows, total, tz)

        def done(page: _FirstPage) -> None:
            if not shiboken6.isValid(self) or generation != self._generation or self.user is None:
                return
            self._tz = page.tz
            self.model.reset(page.rows, page.total, page.tz)
            self.loaded = True
            self._show_list()

        self.runner.run(load, done, self._failed)

    def selected_row(self) -> PublishedRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_post(self, post_id: int) -> bool:
        """Select the row of ``post_id`` if it is loaded."""
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).post_id == post_id:
                self.table.selectRow(row)
                return True
        return False

    def withdraw_block_reason(self, row: PublishedRow | None) -> str | None:
        """Why the signed-in person may not take ``row``'s post down, or ``None`` if they may."""
        user = self.user
        if user is None:
            return self.tr("Sign in first.")
        if not user.active:
            return self.tr("Your account is deactivated, so you cannot take posts down.")
        if row is None:
            return self.tr("Select a published post first.")
        if row.post.state is PostState.WITHDRAWN:
            return self.tr("This post was already taken down.")
        if PostState.WITHDRAWN not in allowed_targets(row.post.state):
            return self.tr("This post cannot be taken down while it is being published.")
        return None

    def notice_text(self) -> str:
        return self.notice.text()

    @property
    def notice_tone(self) -> str:
        return self.notice.tone

    # --- actions -----------------------------------------------------------------------
    def withdraw_selected(self) -> None:
        """Ask for a reason, then take the selected post down."""
        row = self.selected_row()
        blocked = self.withdraw_block_reason(row)
        user = self.user
        if blocked is not None or row is None or user is None:
            if blocked:
                self._say(blocked, "warning")
            return
        title = self.model.index(self.table.currentIndex().row(), PublishedColumn.POST).data()
        reason = pub_dialogs.ask(self, str(title or ""), row.links())
        if reason is None:
            return
        composer, generation, post = self.services.composer, self._generation, row.post
        assert post.id is not None
        post_id = post.id

        def take_down() -> Post:
            return composer.withdraw(user, post_id, post.version, reason)

        def done(after: Post) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self.model.replace_row(PublishedRow(after, row.publications))
            names = [platform_name(p) for p, url in row.links() if url]
            self._say(
                self.tr(
                    "Taken down here. It is still online until you delete it on: {platforms}."
                ).format(platforms=", ".join(names) or self.tr("each platform")),
                "success",
            )
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            errors.show_error(self, exc)
            if generation == self._generation:
                self.refresh()

        self.runner.run(take_down, done, failed)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_post.emit(self.model.row_at(index.row()).post_id)

    def _open_link(self, url: str) -> None:
        open_url(url)

    def _open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_post.emit(row.post_id)

    def _context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        row = self.model.row_at(index.row())
        menu = self.build_menu(row)
        menu.popup(self.table.viewport().mapToGlobal(point))

    def build_menu(self, row: PublishedRow) -> QMenu:
        """The row's menu: open the post, open each live link, take it down."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.tr("Open post"), lambda: self.open_post.emit(row.post_id))
        for platform, url in row.links():
            action = QAction(
                self.tr("Open on {platform}").format(platform=platform_name(platform)), menu
            )
            action.setEnabled(bool(url))
            action.triggered.connect(lambda _checked=False, u=url: open_url(u))
            menu.addAction(action)
        menu.addSeparator()
        take_down = menu.addAction(self.tr("Take down…"), self.withdraw_selected)
        blocked = self.withdraw_block_reason(row)
        take_down.setEnabled(blocked is None)
        return menu

    # --- paging ------------------------------------------------------------------------
    def _fetch_page(self, offset: int) -> None:
        if self.user is None:
            self.model.fetch_failed()
            return
        generation = self._generation
        services = self.services
        query = published_query(self.search.text(), offset, self.page_size)

        def load() -> tuple[list[PublishedRow], int]:
            return load_rows(services.composer, query)

        def done(result: tuple[list[PublishedRow], int]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self.model.append_page(offset, result[0])

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.model.fetch_failed()
            self._failed(exc)

        self.runner.run(load, done, failed)

    # --- state -------------------------------------------------------------------------
    def _update_actions(self) -> None:
        row = self.selected_row()
        blocked = self.withdraw_block_reason(row)
        self.withdraw_button.setEnabled(blocked is None)
        # The danger look only on a button that can be pressed: a red disabled button
        # reads as an error.
        kind = "danger" if blocked is None else "default"
        if self.withdraw_button.property("kind") != kind:
            self.withdraw_button.setProperty("kind", kind)
            repolish(self.withdraw_button)
        self.withdraw_button.setToolTip(blocked or self.tr("Take this post down and record why."))
        self.open_button.setEnabled(row is not None)

    def _show_list(self) -> None:
        total, text = self.model.total, self.search.text().strip()
        if total == 1:
            self.count_label.setText(self.tr("1 published post"))
        else:
            self.count_label.setText(self.tr("{n} published posts").format(n=total))
        if total:
            self.stack.setCurrentWidget(self.table)
        elif text:
            self.empty.set_text(
                self.tr("No published post matches “{text}”").format(text=text),
                self.tr("Try a shorter word, or clear the search."),
            )
            self.stack.setCurrentWidget(self.empty)
        else:
            self.empty.set_text(
                self.tr("Nothing published yet"),
                self.tr("Posts appear here once they go live, with a link to each platform."),
            )
            self.stack.setCurrentWidget(self.empty)
        self._update_actions()

    def _show_blank(self) -> None:
        self.count_label.clear()
        self.search.setEnabled(False)
        self.stack.setCurrentWidget(self.blank)
        self._update_actions()

    def _say(self, text: str, tone: str) -> None:
        self.notice.say(text, tone)

    def _clear_notice(self) -> None:
        self.notice.clear()

    def _failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            errors.show_error(self, exc)

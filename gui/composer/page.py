"""The Composer page: the posts (list and editor), the calendar and the published list."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from core.app import Services
from core.composer.model import Post
from core.composer.ports import PostQuery
from core.staff.model import StaffMember
from gui import errors
from gui.composer.calendar import CalendarView
from gui.composer.editor import PostEditor
from gui.composer.manual_publish import ManualPublishDialog
from gui.composer.post_list import PostListPanel
from gui.composer.published import PublishedList
from gui.composer.wording import practice_zone
from gui.hub import SignalHub
from gui.page import Page
from gui.tasks import TaskRunner
from gui.widgets import EmptyState, heading

DATA_AREA = "posts"
"""The ``hub.data_changed`` area for posts."""
IMAGES_AREA = "images"
"""The area the Images page announces; attached photos' states are read again on it."""


class ComposerPage(Page):
    """Write, check, approve, schedule and publish posts.

    Targets for ``show_target``: a post id (opens it), ``calendar``, ``published``, ``new``.
    Emits ``hub.data_changed("posts")`` after every change it makes, and reloads on it.
    """

    page_id = "composer"

    def __init__(
        self,
        services: Services,
        hub: SignalHub,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.setObjectName("page-composer")
        self._tz_name = "UTC"
        self._announcing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(8)
        layout.addWidget(heading(self.tr("Composer"), 1))
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)

        posts = QSplitter(Qt.Orientation.Horizontal)
        posts.setChildrenCollapsible(False)
        self.post_list = PostListPanel(runner, self._fetch, self._tz)
        self.post_list.setMinimumWidth(230)
        self.post_list.setMaximumWidth(340)
        posts.addWidget(self.post_list)
        self.editor_stack = QStackedWidget()
        self.empty = EmptyState(
            "composer",
            self.tr("Choose a post, or start a new one"),
            self.tr(
                "Every post is checked for patient information and approved by a second "
                "person before it goes out."
            ),
        )
        self.editor = PostEditor(services, runner)
        self.editor_stack.addWidget(self.empty)
        self.editor_stack.addWidget(self.editor)
        posts.addWidget(self.editor_stack)
        posts.setStretchFactor(1, 1)
        posts.setSizes([250, 1000])
        self.tabs.addTab(posts, self.tr("Posts"))
        self.calendar = CalendarView(services, runner)
        self.tabs.addTab(self.calendar, self.tr("Calendar"))
        self.published = PublishedList(services, runner)
        self.tabs.addTab(self.published, self.tr("Published"))

        self.post_list.post_chosen.connect(self._edit)
        self.post_list.new_requested.connect(self.new_post)
        self.editor.post_changed.connect(self._post_changed)
        self.editor.publish_requested.connect(self.publish_by_hand)
        self.calendar.open_post.connect(self.open_post)
        self.calendar.changed.connect(lambda: hub.data_changed.emit(DATA_AREA))
        self.published.open_post.connect(self.open_post)
        self.published.changed.connect(lambda: hub.data_changed.emit(DATA_AREA))
        self.tabs.currentChanged.connect(lambda _i: self._refresh_tab())
        hub.data_changed.connect(self._data_changed)

    # --- Page ------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        self.editor.set_user(member)
        self.calendar.set_user(member)
        self.published.set_user(member)
        if member is None:
            self.post_list.clear()
            self.editor_stack.setCurrentWidget(self.empty)
            return
        self._tz_name = self.services.practice.practice().value.timezone
        self.post_list.reload(then=self._open_first)

    def refresh(self) -> None:
        if self.user is None:
            return
        self.post_list.reload(then=self._open_first)
        if self.editor.post is not None:
            self.editor.photos.refresh()  # the Images page may have changed a photo meanwhile
        self._refresh_tab()

    def show_target(self, target: str) -> None:
        if target == "calendar":
            self.tabs.setCurrentWidget(self.calendar)
        elif target == "published":
            self.tabs.setCurrentWidget(self.published)
        elif target == "new":
            self.new_post()
        elif target.isdigit():
            self.tabs.setCurrentIndex(0)
            self.open_post(int(target))

    # --- actions ---------------------------------------------------------------------------
    def open_post(self, post_id: int) -> None:
        """Show the Posts tab with this post in the editor."""
        if self.user is None:
            return
        self.tabs.setCurrentIndex(0)
        self._edit(post_id)

    def _edit(self, post_id: int) -> None:
        self.post_list.mark_selected(post_id)
        self.editor_stack.setCurrentWidget(self.editor)
        self.editor.open_post(post_id)

    def new_post(self) -> None:
        if self.user is None:
            return
        composer, actor = self.services.composer, self.user

        def created(post: Post) -> None:
            assert post.id is not None
            self.hub.data_changed.emit(DATA_AREA)
            self.post_list.filter.setCurrentIndex(0)
            self.post_list.reload(select=post.id)
            self.open_post(post.id)

        self.runner.run(lambda: composer.new_draft(actor), created, self._failed)

    def publish_by_hand(self, post: Post) -> None:
        if self.user is None:
            return
        dialog = ManualPublishDialog(self.services, self.runner, post, self.user, parent=self)
        dialog.finished.connect(lambda _r: self._after_publish(post))
        dialog.open()
        self.publish_dialog = dialog

    # --- helpers ---------------------------------------------------------------------------
    def _open_first(self) -> None:
        """After signing in, carry on where the list starts: the post changed last."""
        first = self.post_list.first_post()
        if first is not None and self.post_list.selected is None and self.user is not None:
            self.post_list.view.setCurrentIndex(self.post_list.model.index(0))

    def _after_publish(self, post: Post) -> None:
        self.hub.data_changed.emit(DATA_AREA)
        if post.id is not None and self.editor.post is not None and self.editor.post.id == post.id:
            self.editor.open_post(post.id)

    def _fetch(self, query: PostQuery) -> tuple[list[Post], int]:
        return self.services.composer.list(query)

    def _tz(self) -> ZoneInfo:
        return practice_zone(self._tz_name)

    def _post_changed(self, post: Post) -> None:
        """The editor saved: update that row in place and tell the other pages (without
        reloading this one's list on every autosave)."""
        self.post_list.model.update_post(post)
        self._announcing = True
        try:
            self.hub.data_changed.emit(DATA_AREA)
        finally:
            self._announcing = False

    def _data_changed(self, area: str) -> None:
        if self._announcing or self.user is None or not self.isVisible():
            return
        if area == "settings":
            self.editor.reload_plan()
        if area == IMAGES_AREA and self.editor.post is not None:
            self.editor.photos.refresh()  # a photo's sign-off may have changed
        if area in (DATA_AREA, "settings"):
            self.refresh()

    def _refresh_tab(self) -> None:
        if self.user is None:
            return
        current = self.tabs.currentWidget()
        if current is self.calendar:
            self.calendar.refresh()
        elif current is self.published:
            self.published.refresh()

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)

"""The post editor: the main text and one tab per platform, live counters, PHI marks, checks,
preview, approval and the workflow buttons, with continuous autosave.

Every read and write goes through ``services.composer`` on the task runner. Typing updates the
counters at once (``measure`` costs ~2 ms for all platforms); the PHI check runs debounced off
the GUI thread and its answer is dropped if the text changed meanwhile. Edits are saved
``SAVE_DELAY_MS`` after the last key press, and never later than ``MAX_UNSAVED_MS`` after the
first unsaved one, so a crash or power cut loses a few seconds at most.
"""

from __future__ import annotations

import time as monotonic_time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.composer.changes import changes_since_approval
from core.composer.check import (
    MIN_OVERRIDE_REASON,
    CheckResult,
    Override,
    PostFinding,
    texts_to_scan,
)
from core.composer.hashtags import suggested_hashtags
from core.composer.model import EDITABLE_STATES, Post, PostState
from core.composer.observances import upcoming
from core.composer.ports import EditorState, PostHistory
from core.composer.templates import default_templates, render_template
from core.composer.variants import apply_edits
from core.connectors import manual_reasons
from core.errors import EditConflict
from core.platforms import PLATFORM_IDS, measure
from core.practice.model import PostingPlan, Practice
from core.staff.model import Permission, StaffMember
from core.staff.rules import can
from gui import errors, theme
from gui.composer.checks import ChecksPanel, FindingKey, finding_key
from gui.composer.dialogs import ScheduleDialog, TemplateDialog
from gui.composer.highlight import Mark, PostHighlighter, Utf16Map
from gui.composer.photos import PhotoStrip
from gui.composer.preview import PostPreview
from gui.composer.review import ReviewPanel
from gui.composer.wording import (
    finding_explanation,
    finding_title,
    manual_reason_text,
    platform_name,
    practice_zone,
    state_label,
    state_tone,
)
from gui.reason_dialog import ReasonDialog
from gui.tasks import TaskRunner
from gui.widgets import Badge, Banner, Card, button, caption, heading, plain_label

SAVE_DELAY_MS = 800
MAX_UNSAVED_MS = 3000
CHECK_DELAY_MS = 250
CURSOR_SAVE_DELAY_MS = 2000
COUNTED_LIMIT = 5000
"""Tabs show "used/limit" where the limit can matter; Facebook's 63,206 never does."""


@dataclass(frozen=True, slots=True)
class _Loaded:
    post: Post
    history: PostHistory
    editor_state: EditorState
    names: dict[int, str]
    practice: Practice
    plan: PostingPlan


def when_text(when: datetime, tz: ZoneInfo) -> str:
    """A time in the practice's zone, e.g. "Tue 24 Nov, 10:00 AM"."""
    local = when.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}, {local:%I:%M %p}".replace(" 0", " ")


class PostEditor(QWidget):
    """Edits one post at a time (``open_post``); shows nothing while nobody is signed in.

    Signals:
        post_changed(object): a saved ``Post`` whose list entry may have changed (saved text,
            new state).
        publish_requested(object): the person wants to publish this ``Post`` by hand.
    """

    post_changed = Signal(object)
    publish_requested = Signal(object)

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.user: StaffMember | None = None
        self.post: Post | None = None
        self.history: PostHistory | None = None
        self.practice: Practice | None = None
        self.plan = PostingPlan()
        self.names: dict[int, str] = {}
        self.result: CheckResult | None = None
        self.pending_overrides: dict[FindingKey, str] = {}
        self._checked_texts: dict[str | None, str] = {}
        self._master = ""
        self._own: dict[str, str | None] = {}
        self._platforms: list[str] = []
        self._tab_keys: list[str | None] = []
        self._setting_text = False
        self._edits = 0
        self._saved_edits = 0
        self._saving = False
        self._dirty_since: float | None = None
        self._after_save: list[Callable[[], None]] = []
        self._check_generation = 0
        self._open_generation = 0
        self._build()

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(10)

        top = QHBoxLayout()
        top.setSpacing(10)
        self.state_badge = Badge("", "neutral")
        top.addWidget(self.state_badge)
        self.title_label = heading("", 2)
        top.addWidget(self.title_label)
        self.save_label = caption("", wrap=False)
        self.save_label.setObjectName("SaveStatus")
        top.addWidget(self.save_label)
        top.addStretch(1)
        self.withdraw_button = button(self.tr("Withdraw…"), "trash", "ghost")
        self.unschedule_button = button(self.tr("Unschedule"))
        self.changes_button = button(self.tr("Ask for changes…"), "edit")
        self.publish_button = button(self.tr("Publish by hand…"), "copy")
        self.schedule_button = button(self.tr("Schedule…"), "calendar")
        self.approve_button = button(self.tr("Approve"), "check-circle", "primary")
        self.submit_button = button(self.tr("Submit for approval"), "shield", "primary")
        self.action_buttons: list[QPushButton] = [
            self.withdraw_button,
            self.unschedule_button,
            self.changes_button,
            self.publish_button,
            self.schedule_button,
            self.approve_button,
            self.submit_button,
        ]
        for widget in self.action_buttons:
            top.addWidget(widget)
        outer.addLayout(top)

        self.banner = Banner("", "info")
        self.banner.hide()
        outer.addWidget(self.banner)
        self.conflict_banner = Banner(
            self.tr(
                "Someone else saved this post on another computer while you were typing. "
                "Your text is still here."
            ),
            "warning",
        )
        keep = button(self.tr("Keep my text"))
        keep.clicked.connect(self._keep_mine)
        load = button(self.tr("Load their version"))
        load.clicked.connect(self._load_theirs)
        banner_row = self.conflict_banner.layout()
        assert banner_row is not None
        banner_row.addWidget(keep)
        banner_row.addWidget(load)
        self.conflict_banner.hide()
        outer.addWidget(self.conflict_banner)

        outer.addLayout(self._build_platforms())
        # Why some chosen platforms are published by hand (Instagram, Threads), said up front.
        self.manual_note = caption()
        self.manual_note.hide()
        outer.addWidget(self.manual_note)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)
        split.addWidget(self._build_text_column())
        split.addWidget(self._build_side())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 420])
        self._connect()

    def _build_platforms(self) -> QHBoxLayout:
        platforms = QHBoxLayout()
        platforms.setSpacing(6)
        platforms.addWidget(plain_label(self.tr("Post to:")))
        self.platform_buttons: dict[str, QPushButton] = {}
        self._manual_reasons = manual_reasons()
        for platform in PLATFORM_IDS:
            chip = QPushButton(platform_name(platform, short=True))
            chip.setCheckable(True)
            chip.setProperty("chip", "true")
            why = manual_reason_text([platform], self._manual_reasons)
            chip.setToolTip(f"{platform_name(platform)}\n{why}" if why else platform_name(platform))
            chip.setAccessibleName(
                self.tr("Post to {platform}").format(platform=platform_name(platform))
            )
            chip.toggled.connect(lambda on, p=platform: self._platform_toggled(p, on))
            platforms.addWidget(chip)
            self.platform_buttons[platform] = chip
        platforms.addStretch(1)
        return platforms

    def _build_text_column(self) -> QWidget:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        self.tabs.setAccessibleName(self.tr("Text for"))
        self.tabs.currentChanged.connect(self._tab_changed)
        column.addWidget(self.tabs)
        variant_row = QHBoxLayout()
        self.variant_label = caption("")
        variant_row.addWidget(self.variant_label, 1)
        self.reset_button = button(self.tr("Reset to main text"), "refresh", "ghost")
        self.reset_button.clicked.connect(self._reset_variant)
        variant_row.addWidget(self.reset_button)
        column.addLayout(variant_row)
        self.text = QPlainTextEdit()
        self.text.setObjectName("PostText")
        self.text.setAccessibleName(self.tr("Post text"))
        self.text.setPlaceholderText(
            self.tr(
                "Write the post here. Talk about the practice, health tips and news — never "
                "about a particular patient."
            )
        )
        self.text.setTabChangesFocus(True)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.text.setFont(font)
        self.text.textChanged.connect(self._text_changed)
        self.text.cursorPositionChanged.connect(self._cursor_moved)
        self.text.viewport().installEventFilter(self)
        self.text.setMouseTracking(True)
        self.highlighter = PostHighlighter(self.text.document())
        column.addWidget(self.text, 1)
        counter_row = QHBoxLayout()
        self.counter_label = plain_label("", wrap=True)
        self.counter_label.setObjectName("Counter")
        counter_row.addWidget(self.counter_label, 1)
        self.template_button = button(self.tr("Template…"), "plus", "ghost")
        self.template_button.clicked.connect(lambda: self._use_template(None, {}))
        counter_row.addWidget(self.template_button)
        self.ideas_button = button(self.tr("Ideas"), "calendar", "ghost")
        self.ideas_menu = QMenu(self)
        self.ideas_menu.aboutToShow.connect(self._fill_ideas)
        self.ideas_button.setMenu(self.ideas_menu)
        counter_row.addWidget(self.ideas_button)
        self.hashtag_button = button(self.tr("Hashtags"), "", "ghost")
        self.hashtag_menu = QMenu(self)
        self.hashtag_menu.aboutToShow.connect(self._fill_hashtags)
        self.hashtag_button.setMenu(self.hashtag_menu)
        counter_row.addWidget(self.hashtag_button)
        column.addLayout(counter_row)
        column.addWidget(self._build_photos())
        return left

    def _build_photos(self) -> PhotoStrip:
        self.photos = PhotoStrip(self.services, self.runner, actor=lambda: self.user)
        self.photos.changed.connect(self._edited)
        self.photos.shown.connect(self._update_preview)
        self.photos.shown.connect(self._show_checks)
        return self.photos

    def _build_side(self) -> QScrollArea:
        side = QScrollArea()
        side.setWidgetResizable(True)
        side.setMinimumWidth(400)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_body = QWidget()
        side_column = QVBoxLayout(side_body)
        side_column.setContentsMargins(0, 0, 6, 0)
        side_column.setSpacing(12)
        self.checks = ChecksPanel()
        self.checks.override_requested.connect(self._override)
        self.checks.override_undone.connect(self._undo_override)
        self.checks.finding_clicked.connect(self._show_finding)
        side_column.addWidget(self.checks)
        self.preview_card = Card(self.tr("Preview"))
        self.preview = PostPreview(self.runner)
        self.preview_card.body.addWidget(self.preview)
        side_column.addWidget(self.preview_card)
        self.review = ReviewPanel()
        self.review.comment_added.connect(self._comment)
        side_column.addWidget(self.review)
        side_column.addStretch(1)
        side.setWidget(side_body)
        return side

    def _connect(self) -> None:
        self.submit_button.clicked.connect(self._submit)
        self.approve_button.clicked.connect(self._approve)
        self.changes_button.clicked.connect(self._request_changes)
        self.schedule_button.clicked.connect(self._schedule)
        self.unschedule_button.clicked.connect(self._unschedule)
        self.publish_button.clicked.connect(self._publish)
        self.withdraw_button.clicked.connect(self._withdraw)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.timeout.connect(self.save_now)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.timeout.connect(self._run_check)
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.timeout.connect(self._save_cursor)
        self._show_nothing()

    # --- public ----------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        """A new person (``None``: locked or signed out — save, then show nothing)."""
        if member is None:
            self.close_post()
        self.user = member
        self._update_actions()

    def open_post(self, post_id: int) -> None:
        """Load a post (saving the one open first)."""
        self.close_post()
        self._open_generation += 1
        generation = self._open_generation
        composer = self.services.composer
        staff = self.services.staff
        practice_service = self.services.practice

        def load() -> _Loaded:
            post = composer.get(post_id)
            return _Loaded(
                post,
                composer.history(post_id),
                composer.editor_state(post_id),
                {m.id: m.display_name for m in staff.list(include_inactive=True)},
                practice_service.practice().value,
                practice_service.posting_plan().value,
            )

        def loaded(result: _Loaded) -> None:
            if generation != self._open_generation or self.user is None:
                return
            self._show(result)

        self.runner.run(load, loaded, self._failed)

    def close_post(self) -> None:
        """Save what is unsaved and the cursor, then show nothing."""
        if self.post is not None:
            self.save_now()
            self._save_cursor()
        self._open_generation += 1
        self._show_nothing()

    def reload_plan(self) -> None:
        """Settings changed: read the posting plan again (the Mastodon limit counts)."""
        practice = self.services.practice

        def got(plan: PostingPlan) -> None:
            if shiboken6.isValid(self):
                self.plan = plan
                self._update_counters()
                self._update_marks()
                self._update_preview()
                self._schedule_check(0)

        self.runner.run(lambda: practice.posting_plan().value, got, self._failed)

    @property
    def dirty(self) -> bool:
        return self._edits != self._saved_edits

    def current_key(self) -> str | None:
        """The open tab: ``None`` for the main text, else a platform id."""
        index = self.tabs.currentIndex()
        return self._tab_keys[index] if 0 <= index < len(self._tab_keys) else None

    def select_tab(self, key: str | None) -> None:
        if key in self._tab_keys:
            self.tabs.setCurrentIndex(self._tab_keys.index(key))

    # --- showing ---------------------------------------------------------------------------
    def _show_nothing(self) -> None:
        self.post = None
        self.history = None
        self.result = None
        self.pending_overrides = {}
        self._master = ""
        self._own = {}
        self._platforms = []
        self._edits = self._saved_edits = 0
        self._dirty_since = None
        self._after_save = []
        self._save_timer.stop()
        self._check_timer.stop()
        self._cursor_timer.stop()
        self._set_text("")
        self.highlighter.set_marks("", [])
        self.review.clear()
        self.photos.clear()
        self.checks.show_pending()
        self.banner.hide()
        self.conflict_banner.hide()
        self.save_label.setText("")
        self.title_label.setText("")
        self._rebuild_tabs()
        self._update_actions()
        self.setEnabled(False)

    def _show(self, loaded: _Loaded) -> None:
        post = loaded.post
        self.setEnabled(True)
        self.names = loaded.names
        self.practice = loaded.practice
        self.plan = loaded.plan
        self.history = loaded.history
        self._adopt(post)
        state = loaded.editor_state
        self.select_tab(state.tab if state.tab in self._tab_keys else None)
        text = self.text.toPlainText()
        cursor = self.text.textCursor()
        cursor.setPosition(Utf16Map(text).to_qt(min(state.cursor, len(text))))
        self.text.setTextCursor(cursor)
        self.text.ensureCursorVisible()
        self.text.setFocus()
        self._cursor_timer.stop()
        self._schedule_check(0)

    def _adopt(self, post: Post) -> None:
        """Take ``post`` as saved: its texts replace the editor's."""
        self.post = post
        self._master = post.master_text
        self._platforms = list(post.platforms)
        self._own = {p: (v.text if v.edited else None) for p, v in post.variants.items()}
        self.photos.set_photos(post.media_hashes)
        self._edits = self._saved_edits = 0
        self._dirty_since = None
        self.pending_overrides = {}
        key = self.current_key()
        self._rebuild_tabs()
        self.select_tab(key if key in self._tab_keys else None)
        self._load_tab_text()
        self._update_header()

    def _rebuild_tabs(self) -> None:
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self._tab_keys = [None, *self._platforms]
        for key in self._tab_keys:
            self.tabs.addTab(platform_name(key, short=True))
        self.tabs.blockSignals(False)
        for platform, chip in self.platform_buttons.items():
            chip.blockSignals(True)
            chip.setChecked(platform in self._platforms)
            chip.blockSignals(False)
        manual = manual_reason_text(self._platforms, self._manual_reasons)
        self.manual_note.setText(manual)
        self.manual_note.setVisible(bool(manual))
        self._update_counters()

    def _load_tab_text(self) -> None:
        key = self.current_key()
        if key is None:
            text = self._master
            self.variant_label.setText(
                self.tr("The main text. Every platform uses it unless you tailor it on its tab.")
            )
            self.reset_button.hide()
        else:
            own = self._own.get(key)
            text = self._master if own is None else own
            if own is None:
                self.variant_label.setText(
                    self.tr("Follows the main text. Type here to tailor it for {p}.").format(
                        p=platform_name(key)
                    )
                )
            else:
                self.variant_label.setText(
                    self.tr("Tailored for {p}.").format(p=platform_name(key))
                )
            self.reset_button.setVisible(own is not None and self._editable())
        self._set_text(text)
        self._update_marks()
        self._update_preview()

    def _set_text(self, text: str) -> None:
        self._setting_text = True
        try:
            if self.text.toPlainText() != text:
                self.text.setPlainText(text)
        finally:
            self._setting_text = False

    def _update_header(self) -> None:
        post = self.post
        if post is None:
            return
        self.state_badge.setText(state_label(post.state))
        self.state_badge.set_tone(state_tone(post.state))
        title = self.tr("Post {id}").format(id=post.id)
        tz = self._tz()
        if post.state is PostState.SCHEDULED and post.scheduled_at is not None:
            title += " · " + self.tr("goes out {when}").format(
                when=when_text(post.scheduled_at, tz)
            )
        elif post.published_at is not None:
            title += " · " + self.tr("published {when}").format(
                when=when_text(post.published_at, tz)
            )
        self.title_label.setText(title)
        editable = self._editable()
        self.text.setReadOnly(not editable)
        for chip in self.platform_buttons.values():
            chip.setEnabled(editable)
        for widget in (self.template_button, self.ideas_button, self.hashtag_button):
            widget.setEnabled(editable)
        self.photos.set_context(post.platforms, editable)
        sent_back = self._sent_back()
        if sent_back:
            self._show_banner(sent_back, "warning")
        elif post.state in (PostState.APPROVED, PostState.SCHEDULED, PostState.FAILED):
            self._show_banner(
                self.tr("Any change sends this post back for approval by a second person."),
                "info",
            )
        elif post.state is PostState.PUBLISHING:
            self._show_banner(
                self.tr(
                    "This post is being published. Finish publishing it by hand, then it "
                    "is marked published."
                ),
                "info",
            )
        elif not editable and post.state is not PostState.DRAFT:
            self._show_banner(
                self.tr("This post is {state}; it can no longer be changed.").format(
                    state=state_label(post.state).lower()
                ),
                "neutral",
            )
        else:
            self.banner.hide()
        if self.history is not None:
            self.review.show_post(
                post,
                changes_since_approval(post),
                self.history,
                self.names,
                tz=tz,
                when_text=when_text,
            )
        self._update_actions()

    def _sent_back(self) -> str:
        """For a draft an approver sent back: who asked for what ("" otherwise)."""
        if self.post is None or self.post.state is not PostState.DRAFT or not self.history:
            return ""
        steps = self.history.transitions
        if not steps or steps[-1].action != "request_changes":
            return ""
        step = steps[-1]
        who = self.names.get(step.actor_id, "?") if step.actor_id is not None else "?"
        return self.tr("{who} asked for changes: {note}").format(who=who, note=step.note)

    def _show_banner(self, text: str, tone: str) -> None:
        self.banner.set_text(text)
        self.banner.setProperty("tone", tone)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()

    def _buttons_for(self, state: PostState) -> list[QPushButton]:
        """The workflow buttons for a state, least important first (the last is the main one)."""
        return {
            PostState.DRAFT: [self.withdraw_button, self.submit_button],
            PostState.IN_REVIEW: [self.withdraw_button, self.changes_button, self.approve_button],
            PostState.APPROVED: [self.withdraw_button, self.publish_button, self.schedule_button],
            PostState.SCHEDULED: [
                self.withdraw_button,
                self.unschedule_button,
                self.publish_button,
                self.schedule_button,
            ],
            PostState.PUBLISHING: [self.publish_button],
            PostState.PUBLISHED: [self.withdraw_button],
            PostState.FAILED: [self.withdraw_button, self.schedule_button],
            PostState.WITHDRAWN: [],
        }[state]

    def _update_actions(self) -> None:
        post, user = self.post, self.user
        for widget in self.action_buttons:
            widget.hide()
        if post is None or user is None:
            return
        state = post.state
        visible = self._buttons_for(state)
        for widget in visible:
            widget.show()
        self.schedule_button.setText(
            self.tr("Reschedule…")
            if state is PostState.SCHEDULED
            else self.tr("Schedule again…")
            if state is PostState.FAILED
            else self.tr("Schedule…")
        )
        self.withdraw_button.setText(
            self.tr("Take down…") if state is PostState.PUBLISHED else self.tr("Withdraw…")
        )
        self.publish_button.setText(
            self.tr("Continue publishing…")
            if state is PostState.PUBLISHING
            else self.tr("Publish by hand…")
        )
        may_approve = can(user.role, Permission.APPROVE)
        self_check = user.id in (post.author_id, post.last_editor_id)
        self.approve_button.setEnabled(may_approve and not self_check)
        self.changes_button.setEnabled(may_approve)
        if not may_approve:
            why = self.tr("Only staff with the approver role can approve posts.")
        elif self_check:
            why = self.tr("A second person must approve: you wrote or last changed this post.")
        else:
            why = self.tr("Approve the post exactly as it is now.")
        self.approve_button.setToolTip(why)

    def _editable(self) -> bool:
        return (
            self.post is not None and self.user is not None and (self.post.state in EDITABLE_STATES)
        )

    def _tz(self) -> ZoneInfo:
        return practice_zone(self.practice.timezone if self.practice else "UTC")

    # --- typing ----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self._setting_text or self.post is None:
            return
        text = self.text.toPlainText()
        key = self.current_key()
        if key is None:
            self._master = text
        else:
            self._own[key] = text
            self.reset_button.setVisible(self._editable())
            self.variant_label.setText(self.tr("Tailored for {p}.").format(p=platform_name(key)))
        self._edited()

    def _platform_toggled(self, platform: str, on: bool) -> None:
        if self.post is None:
            return
        if on and platform not in self._platforms:
            self._platforms.append(platform)
            self._platforms.sort(key=PLATFORM_IDS.index)
            self._own.setdefault(platform, None)
        elif not on and platform in self._platforms:
            self._platforms.remove(platform)
        key = self.current_key()
        self._rebuild_tabs()
        self.select_tab(key if key in self._tab_keys else None)
        self._load_tab_text()
        self._edited()

    def _reset_variant(self) -> None:
        key = self.current_key()
        if key is None:
            return
        self._own[key] = None
        self._load_tab_text()
        self._edited()

    def _edited(self) -> None:
        self._edits += 1
        now = monotonic_time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = now
        self.save_label.setText(self.tr("Saving…"))
        if (now - self._dirty_since) * 1000 >= MAX_UNSAVED_MS:
            self.save_now()
        else:
            self._save_timer.start(SAVE_DELAY_MS)
        self._update_counters()
        self._update_marks()
        self._update_preview()
        self._schedule_check(CHECK_DELAY_MS)

    def _update_counters(self) -> None:
        parts: list[str] = []
        palette = theme.current()
        key = self.current_key()
        for index, tab_key in enumerate(self._tab_keys):
            if tab_key is None:
                self.tabs.setTabText(index, self.tr("All platforms"))
                continue
            measured = measure(
                self._text_for(tab_key), tab_key, limit=self.plan.limits.get(tab_key)
            )
            label = platform_name(tab_key, short=True)
            if measured.limit <= COUNTED_LIMIT or measured.length > measured.limit:
                label += f" {measured.length}/{measured.limit}"
            self.tabs.setTabText(index, label)
            over = measured.length > measured.limit or bool(
                measured.problems and self._text_for(tab_key)
            )
            self.tabs.setTabTextColor(index, QColor(palette.danger if over else palette.text))
            why = manual_reason_text([tab_key], self._manual_reasons)
            self.tabs.setTabToolTip(
                index,
                self.tr("{p}: {n} of {limit}").format(
                    p=platform_name(tab_key), n=measured.length, limit=measured.limit
                )
                + (f"\n{why}" if why else ""),
            )
            if tab_key == key or key is None:
                remaining = measured.limit - measured.length
                if remaining < 0:
                    parts.append(
                        self.tr("{p}: {n} over").format(
                            p=platform_name(tab_key, short=True), n=-remaining
                        )
                    )
                elif tab_key == key:
                    parts.append(
                        self.tr("{p}: {n} left").format(p=platform_name(tab_key), n=remaining)
                    )
        if key is None and not parts and self._platforms:
            parts.append(self.tr("Fits every platform."))
        self.counter_label.setText("   ".join(parts))

    def _text_for(self, platform: str) -> str:
        own = self._own.get(platform)
        return self._master if own is None else own

    def _update_marks(self) -> None:
        text = self.text.toPlainText()
        key = self.current_key()
        marks: list[Mark] = []
        if key is None:
            starts = [
                measure(text, p, limit=self.plan.limits.get(p)).overflow_start
                for p in self._platforms
                if self._own.get(p) is None
            ]
            known = [s for s in starts if s is not None]
            if known:
                marks.append(Mark(min(known), len(text), "overflow"))
        else:
            start = measure(text, key, limit=self.plan.limits.get(key)).overflow_start
            if start is not None:
                marks.append(Mark(start, len(text), "overflow"))
        for item in self._findings_here():
            f = item.finding
            kind = "overridden" if self._let_through(item) else "finding"
            marks.append(Mark(f.start, f.end, kind))
        self.highlighter.set_marks(text, marks)

    def _findings_here(self) -> list[PostFinding]:
        """The last check's findings in the open tab's text, if that text has not changed."""
        if self.result is None:
            return []
        key = self.current_key()
        scanned = None if key is None or self._own.get(key) is None else key
        text = self.text.toPlainText()
        if self._checked_texts.get(scanned) != text:
            return []
        return [f for f in self.result.findings if f.platform == scanned]

    def _let_through(self, item: PostFinding) -> bool:
        return item.overridden or finding_key(item) in self.pending_overrides

    def _update_preview(self) -> None:
        key = self.current_key()
        platform = key or (self._platforms[0] if self._platforms else None)
        if platform is None:
            self.preview_card.hide()
            return
        self.preview_card.show()
        self.preview_card.set_title(self.tr("Preview: {p}").format(p=platform_name(platform)))
        name = self.practice.name if self.practice else ""
        self.preview.set_content(
            platform,
            self._text_for(platform),
            account_name=name,
            limit=self.plan.limits.get(platform),
            pictures=self.photos.pictures(),
        )

    # --- checking --------------------------------------------------------------------------
    def _schedule_check(self, delay: int) -> None:
        self._check_generation += 1
        self._check_timer.start(delay)

    def _run_check(self) -> None:
        draft = self._draft()
        if draft is None:
            return
        generation = self._check_generation
        composer = self.services.composer
        texts = texts_to_scan(draft)

        def checked(result: CheckResult) -> None:
            if generation != self._check_generation or self.post is None:
                return
            self.result = result
            self._checked_texts = texts
            self._show_checks()

        self.runner.run(lambda: composer.check(draft), checked, self._failed)

    def _show_checks(self) -> None:
        if self.result is None:
            return
        overrides = self.history.overrides if self.history else ()

        def reason(item: PostFinding) -> str:
            for o in overrides:
                if (o.kind, o.text_hash) == (item.finding.kind, item.text_hash):
                    return o.reason
            return ""

        self.checks.show_result(
            self.result,
            self._checked_texts,
            self.pending_overrides,
            reason,
            editable=self._editable()
            and self.post is not None
            and self.post.state is PostState.DRAFT,
            photo_problems=len(self.photos.problems()),
        )
        self._update_marks()

    def _draft(self) -> Post | None:
        """The post as the editor shows it now (unsaved edits applied), for checking."""
        if self.post is None or self.user is None:
            return None
        if not self._editable():
            return self.post
        return apply_edits(
            self.post,
            editor=self.user,
            now=self.services.clock.now(),
            platforms=self._platforms,
            master_text=self._master,
            variants={p: self._own.get(p) for p in self._platforms},
            media=self.photos.hashes(),
        )

    def _override(self, item: PostFinding) -> None:
        dialog = ReasonDialog(
            self.tr("Not patient information?"),
            self.tr(
                "Why is \u201c{words}\u201d safe to publish? This is recorded with your name."
            ).format(
                words=self._checked_texts.get(item.platform, "")[
                    item.finding.start : item.finding.end
                ]
            ),
            ok_text=self.tr("Let it through"),
            minimum=MIN_OVERRIDE_REASON,
            detail=self.tr(
                "For example: \u201cDr. Lee is our dentist, not a patient\u201d. If in doubt, "
                "take it out."
            ),
            parent=self,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._add_override(item, dialog.reason()))
        dialog.open()
        self.override_dialog = dialog

    def _add_override(self, item: PostFinding, reason: str) -> None:
        self.pending_overrides[finding_key(item)] = reason
        self._show_checks()

    def _undo_override(self, item: PostFinding) -> None:
        self.pending_overrides.pop(finding_key(item), None)
        self._show_checks()

    def _show_finding(self, item: PostFinding) -> None:
        self.select_tab(item.platform)
        text = self.text.toPlainText()
        positions = Utf16Map(text)
        cursor = self.text.textCursor()
        cursor.setPosition(positions.to_qt(item.finding.start))
        cursor.setPosition(positions.to_qt(item.finding.end), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text.viewport() and event.type() == QEvent.Type.ToolTip:
            point: QPoint = event.pos()  # type: ignore[attr-defined]
            tip = self.finding_tip(self.text.cursorForPosition(point).position())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.text)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    def finding_tip(self, qt_position: int) -> str:
        """The explanation of the finding under a (UTF-16) position, or ``""``."""
        text = self.text.toPlainText()
        position = Utf16Map(text).to_python(qt_position)
        for item in self._findings_here():
            f = item.finding
            if f.start <= position < f.end:
                why, fix = finding_explanation(f.kind)
                return f"{finding_title(f.kind)}\n{why}\n{fix}"
        return ""

    # --- saving ----------------------------------------------------------------------------
    def save_now(self) -> None:
        """Save unsaved edits now (off the GUI thread); steps wait for it."""
        self._save_timer.stop()
        if self._saving or not self.dirty or self.post is None or self.user is None:
            if not self.dirty:
                self._run_after_save()
            return
        post, actor, edits = self.post, self.user, self._edits
        assert post.id is not None
        payload: dict[str, Any] = {
            "platforms": tuple(self._platforms),
            "master_text": self._master,
            "variants": {p: self._own.get(p) for p in self._platforms},
            "media": self.photos.hashes(),
        }
        composer = self.services.composer
        self._saving = True

        def saved(result: Post) -> None:
            self._saving = False
            if not shiboken6.isValid(self):
                return
            if self.post is None or result.id != self.post.id:
                return
            before = self.post.state
            self.post = result
            self._saved_edits = edits
            if self.dirty:
                self._dirty_since = monotonic_time.monotonic()
                self._save_timer.start(SAVE_DELAY_MS)
            else:
                self._dirty_since = None
                self.save_label.setText(self.tr("All changes saved"))
                self._run_after_save()
            if result.state is not before:
                self._reload_history()
            self._update_header()
            self.post_changed.emit(result)

        def failed(exc: BaseException) -> None:
            self._saving = False
            self._after_save = []
            if not shiboken6.isValid(self):
                return
            if isinstance(exc, EditConflict):
                self.save_label.setText(self.tr("Not saved"))
                self.conflict_banner.show()
                return
            self.save_label.setText(self.tr("Not saved — will try again"))
            errors.show_error(self, exc)

        assert post.id is not None
        post_id, version = post.id, post.version
        self.runner.run(
            lambda: composer.autosave(actor, post_id, version, **payload), saved, failed
        )

    def _run_after_save(self) -> None:
        waiting, self._after_save = self._after_save, []
        for step in waiting:
            step()

    def _then(self, step: Callable[[], None]) -> None:
        """Run ``step`` once everything typed is saved."""
        self._after_save.append(step)
        self.save_now()

    def _keep_mine(self) -> None:
        """After a conflict: take the other computer's version number, keep this text, save."""
        if self.post is None or self.post.id is None:
            return
        composer, post_id = self.services.composer, self.post.id
        self.conflict_banner.hide()

        def fresh(post: Post) -> None:
            self.post = post
            self._update_header()
            self.save_now()

        self.runner.run(lambda: composer.get(post_id), fresh, self._failed)

    def _load_theirs(self) -> None:
        self.conflict_banner.hide()
        if self.post is not None and self.post.id is not None:
            post_id = self.post.id
            self._edits = self._saved_edits
            self.open_post(post_id)

    def _save_cursor(self) -> None:
        self._cursor_timer.stop()
        if self.post is None or self.post.id is None or self.user is None:
            return
        text = self.text.toPlainText()
        state = EditorState(
            self.current_key(), Utf16Map(text).to_python(self.text.textCursor().position())
        )
        composer, actor, post_id = self.services.composer, self.user, self.post.id
        self.runner.run(
            lambda: composer.save_editor_state(actor, post_id, state), None, lambda _e: None
        )

    def _cursor_moved(self) -> None:
        if self.post is not None and not self._setting_text:
            self._cursor_timer.start(CURSOR_SAVE_DELAY_MS)

    def _tab_changed(self, _index: int) -> None:
        self._load_tab_text()
        self._update_counters()
        self._cursor_moved()

    def _reload_history(self) -> None:
        if self.post is None or self.post.id is None:
            return
        composer, post_id = self.services.composer, self.post.id

        def got(history: PostHistory) -> None:
            if self.post is not None and self.post.id == post_id:
                self.history = history
                self._update_header()
                self._show_checks()

        self.runner.run(lambda: composer.history(post_id), got, self._failed)

    # --- steps -----------------------------------------------------------------------------
    def _step(self, fn: Callable[[StaffMember, int, int], Post], done_text: str = "") -> None:
        """Save what is typed, then run a workflow step with the saved version."""

        def go() -> None:
            if self.post is None or self.post.id is None or self.user is None:
                return
            actor, post_id, version = self.user, self.post.id, self.post.version

            def stepped(post: Post) -> None:
                if self.post is None or self.post.id != post.id:
                    return
                self._adopt(post)
                self._reload_history()
                self._schedule_check(0)
                if done_text:
                    self.save_label.setText(done_text)
                self.post_changed.emit(post)

            self.runner.run(lambda: fn(actor, post_id, version), stepped, self._failed)

        self._then(go)

    def _submit(self) -> None:
        composer = self.services.composer
        pending = dict(self.pending_overrides)

        def submit(actor: StaffMember, post_id: int, version: int) -> Post:
            result = composer.check(composer.get(post_id))
            overrides = [
                Override(
                    f.finding.kind,
                    f.finding.start,
                    f.finding.end,
                    pending[finding_key(f)],
                    f.platform,
                    f.text_hash,
                )
                for f in result.findings
                if not f.overridden and finding_key(f) in pending
            ]
            return composer.submit(actor, post_id, version, overrides)

        self._step(submit, self.tr("Sent for approval"))

    def _approve(self) -> None:
        composer = self.services.composer
        self._step(composer.approve, self.tr("Approved"))

    def _request_changes(self) -> None:
        composer = self.services.composer
        dialog = ReasonDialog(
            self.tr("Ask for changes"),
            self.tr("What should be changed? The author sees this note."),
            ok_text=self.tr("Send back"),
            parent=self,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(
            lambda: self._step(
                lambda a, i, v: composer.request_changes(a, i, v, dialog.reason()),
                self.tr("Sent back to the author"),
            )
        )
        dialog.open()
        self.reason_dialog = dialog

    def _schedule(self) -> None:
        if self.post is None:
            return
        composer = self.services.composer
        dialog = ScheduleDialog(
            self._tz(), self.services.clock.now(), self.post.scheduled_at, parent=self
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(
            lambda: self._step(
                lambda a, i, v: composer.schedule(a, i, v, dialog.when()), self.tr("Scheduled")
            )
        )
        dialog.open()
        self.schedule_dialog = dialog

    def _unschedule(self) -> None:
        self._step(self.services.composer.unschedule, self.tr("Unscheduled"))

    def _withdraw(self) -> None:
        if self.post is None:
            return
        composer = self.services.composer
        published = self.post.state is PostState.PUBLISHED
        dialog = ReasonDialog(
            self.tr("Take the post down") if published else self.tr("Withdraw the post"),
            self.tr("Why? This is recorded."),
            ok_text=self.tr("Take down") if published else self.tr("Withdraw"),
            detail=self.tr("Also delete it on each platform: open each link on the Published tab.")
            if published
            else "",
            parent=self,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(
            lambda: self._step(
                lambda a, i, v: composer.withdraw(a, i, v, dialog.reason()),
                self.tr("Withdrawn"),
            )
        )
        dialog.open()
        self.reason_dialog = dialog

    def _publish(self) -> None:
        def ask() -> None:
            if self.post is not None:
                self.publish_requested.emit(self.post)

        self._then(ask)

    def _comment(self, text: str) -> None:
        if self.post is None or self.post.id is None or self.user is None:
            return
        composer, actor, post_id = self.services.composer, self.user, self.post.id
        self.runner.run(
            lambda: composer.comment(actor, post_id, text),
            lambda _c: self._reload_history(),
            self._failed,
        )

    # --- content help ----------------------------------------------------------------------
    def _use_template(self, template_id: str | None, values: dict[str, str]) -> None:
        if self.practice is None:
            return
        practice = self.practice
        library = default_templates()
        dialog = TemplateDialog(
            library.for_specialty(practice.specialty) or library.templates,
            initial=template_id,
            values=values,
            parent=self,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def chosen() -> None:
            try:
                text = render_template(
                    dialog.chosen(), practice, dialog.values(), today=self._today()
                )
            except Exception as exc:
                errors.show_error(self, exc)
                return
            self._insert(text)

        dialog.accepted.connect(chosen)
        dialog.open()
        self.template_dialog = dialog

    def _insert(self, text: str) -> None:
        """Put ``text`` in the main text: replaces it when empty, else goes at the cursor."""
        self.select_tab(None)
        if not self.text.toPlainText().strip():
            self.text.setPlainText(text)
        else:
            self.text.insertPlainText(text)

    def _today(self) -> date:
        return self.services.clock.now().astimezone(self._tz()).date()

    def _fill_ideas(self) -> None:
        self.ideas_menu.clear()
        if self.practice is None:
            return
        suggestions = upcoming(self._today(), self.practice.specialty, 45)
        if not suggestions:
            self.ideas_menu.addAction(self.tr("No awareness days coming up")).setEnabled(False)
        for suggestion in suggestions[:12]:
            label = f"{suggestion.observance.name} — {suggestion.start:%b} {suggestion.start.day}"
            action = self.ideas_menu.addAction(label)
            action.triggered.connect(
                lambda _c=False, s=suggestion: self._use_template(s.template_id, dict(s.values))
            )

    def _fill_hashtags(self) -> None:
        self.hashtag_menu.clear()
        if self.practice is None:
            return
        for tag in suggested_hashtags(self.practice.specialty, limit=12):
            action = self.hashtag_menu.addAction(tag)
            action.triggered.connect(lambda _c=False, t=tag: self.text.insertPlainText(f" {t}"))

    # --- errors ----------------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            errors.show_error(self, exc)

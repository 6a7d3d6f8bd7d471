"""The Reviews page: the inbox (search, filters, a lazily fetched table sorted in SQL), the
chosen review with its triage and its reply, and the doctor's list.

Targets for ``show_target``: ``filter:overdue``, ``filter:awaiting_approval``, ``doctor`` and
``review:<id>``. Emits ``hub.data_changed("reviews")`` after every change it makes, and reloads
on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.reviews.model import Review, ReviewStatus, Source
from core.reviews.ports import OPEN_STATUSES, ReviewQuery
from core.reviews.service import ReviewDetail
from core.staff.model import Role, StaffMember
from gui import errors
from gui.hub import SignalHub
from gui.page import Page
from gui.paging import reselect, select_id, single_shot_timer
from gui.reviews.charts import MeasuresView
from gui.reviews.detail import ReviewCard, TriageChoice, TriagePanel
from gui.reviews.doctor import DoctorList
from gui.reviews.reply import ReplyContext, ReplyEditor
from gui.reviews.table import PAGE_SIZE, ReviewTable, ReviewTableModel
from gui.reviews.wording import STATUS_ORDER, source_label, status_label
from gui.tasks import TaskRunner
from gui.widgets import EmptyState, button, caption, heading

DATA_AREA = "reviews"
"""The ``hub.data_changed`` area for reviews, their triage and replies."""
SEARCH_DELAY_MS = 250
OPEN_DELAY_MS = 120
"""Moving through the rows with the arrows shows each review after this pause."""
OPEN_FILTER = "open"
ALL_FILTER = "all"


@dataclass(frozen=True, slots=True)
class _Context:
    staff: tuple[StaffMember, ...]
    reply: ReplyContext


def _load_context(services: Services) -> _Context:
    """Staff and templates filled in with the practice's phone and manager (on a worker)."""
    from core.errors import ValidationError
    from core.reviews.templates import render_reply, reply_templates

    staff = tuple(services.staff.list(include_inactive=True))
    practice = services.reviews.practice()
    manager = next((m.display_name for m in staff if m.active and m.role is Role.APPROVER), "")
    rendered = []
    for template in reply_templates():
        text = template.text
        # A placeholder the profile cannot fill stays visible, to fill in by hand.
        with contextlib.suppress(ValidationError):
            if practice is not None:
                text = render_reply(template, practice=practice, manager=manager)
        rendered.append((template.id, template.name, text))
    return _Context(staff, ReplyContext(tuple(rendered), staff, practice))


class ReviewsPage(Page):
    """Reviews and mentions: find, triage, reply, approve, post by hand, mark replied.

    Signals: none of its own (it talks through ``hub``).
    """

    page_id = "reviews"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.setObjectName("page-reviews")
        self.detail: ReviewDetail | None = None
        self.staff: tuple[StaffMember, ...] = ()
        self.dialog: QDialog | None = None
        self._detail_generation = 0
        self._pending_open: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)
        self.stack = QStackedWidget()
        inbox = QWidget()
        column = QVBoxLayout(inbox)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addLayout(self._build_top())
        column.addLayout(self._build_filters())
        column.addWidget(self._build_split(), 1)
        self.stack.addWidget(inbox)
        self.inbox = inbox
        self.doctor = DoctorList(services, runner)
        self.doctor.back_requested.connect(self.show_inbox)
        self.stack.addWidget(self.doctor)
        self.measures = MeasuresView(services, runner)
        self.measures_page = self._build_measures()
        self.stack.addWidget(self.measures_page)
        layout.addWidget(self.stack)
        self._search_timer = single_shot_timer(self, SEARCH_DELAY_MS, self.reload)
        self._open_timer = single_shot_timer(self, OPEN_DELAY_MS, self._open_current)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        for combo in (self.status_filter, self.source_filter, self.rating_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        for chip in (self.overdue_chip, self.mine_chip):
            chip.toggled.connect(lambda _on: self.reload())
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._open_timer.start()
        )
        self.table.open_requested.connect(self._enter_pressed)
        self.table.reply_requested.connect(self._r_pressed)
        self.card.assign_requested.connect(self.assign)
        self.triage.assess_requested.connect(self.assess)
        self.reply.changed.connect(self._stepped)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(lambda *_a: self._update_count())
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(lambda: self.search.setFocus(Qt.FocusReason.ShortcutFocusReason))
        hub.data_changed.connect(self._data_changed)
        self._set_enabled(False)

    # --- building --------------------------------------------------------------------------
    def _build_measures(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        back = button(self.tr("Back to the inbox"), kind="ghost")
        back.clicked.connect(self.show_inbox)
        column.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.measures, 1)
        return page

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(heading(self.tr("Reviews"), 1))
        top.addSpacing(12)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search the words or the author"))
        self.search.setAccessibleName(self.tr("Search reviews"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        top.addWidget(self.search, 1)
        self.measures_button = button(self.tr("Measures"), "today", "ghost")
        self.measures_button.setToolTip(
            self.tr("Response rate and time, ratings and themes by month")
        )
        self.measures_button.clicked.connect(self.show_measures)
        top.addWidget(self.measures_button)
        self.doctor_button = button(self.tr("Doctor's list"), "print", "ghost")
        self.doctor_button.setToolTip(self.tr("Everything escalated to the doctor, to print"))
        self.doctor_button.clicked.connect(self.show_doctor)
        top.addWidget(self.doctor_button)
        self.import_button = button(self.tr("Import…"), "download", "ghost")
        self.import_button.setToolTip(self.tr("Import a site's export (CSV or JSON)"))
        self.import_button.clicked.connect(self.open_import)
        top.addWidget(self.import_button)
        self.add_button = button(self.tr("Add…"), "plus", "primary")
        self.add_button.setToolTip(self.tr("Type or paste one review"))
        self.add_button.clicked.connect(self.open_add)
        top.addWidget(self.add_button)
        return top

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(self.tr("Status"))
        self.status_filter.addItem(self.tr("To do"), OPEN_FILTER)
        self.status_filter.addItem(self.tr("Every status"), ALL_FILTER)
        for status in STATUS_ORDER:
            self.status_filter.addItem(status_label(status), status.value)
        row.addWidget(self.status_filter)
        self.source_filter = QComboBox()
        self.source_filter.setAccessibleName(self.tr("Site"))
        self.source_filter.addItem(self.tr("Every site"), None)
        for source in Source:
            self.source_filter.addItem(source_label(source), source.value)
        row.addWidget(self.source_filter)
        self.rating_filter = QComboBox()
        self.rating_filter.setAccessibleName(self.tr("Stars"))
        # Item data: the star counts as text ("1,2"); Qt would turn a tuple into a list.
        self.rating_filter.addItem(self.tr("Any stars"), "")
        self.rating_filter.addItem(self.tr("1–2 stars"), "1,2")
        for n in range(1, 6):
            label = self.tr("1 star") if n == 1 else self.tr("{n} stars").format(n=n)
            self.rating_filter.addItem(label, str(n))
        row.addWidget(self.rating_filter)
        self.overdue_chip = self._chip(self.tr("Overdue"))
        row.addWidget(self.overdue_chip)
        self.mine_chip = self._chip(self.tr("Assigned to me"))
        row.addWidget(self.mine_chip)
        row.addStretch(1)
        self.count_label = caption("", wrap=False)
        row.addWidget(self.count_label)
        return row

    @staticmethod
    def _chip(text: str) -> QPushButton:
        chip = QPushButton(text)
        chip.setProperty("chip", "true")
        chip.setCheckable(True)
        chip.setCursor(Qt.CursorShape.PointingHandCursor)
        return chip

    def _build_split(self) -> QSplitter:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.model = ReviewTableModel(self.services, self.runner, self)
        self.table = ReviewTable(self.model)
        self.table.setMinimumWidth(420)
        split.addWidget(self.table)
        self.right = QStackedWidget()
        self.empty = EmptyState(
            "reviews",
            self.tr("Choose a review"),
            self.tr("Move with the arrow keys; Enter opens a review, R goes to its reply."),
        )
        self.right.addWidget(self.empty)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        holder_column = QVBoxLayout(holder)
        holder_column.setContentsMargins(4, 0, 4, 4)
        holder_column.setSpacing(10)
        self.card = ReviewCard()
        holder_column.addWidget(self.card)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.triage = TriagePanel()
        self.reply = ReplyEditor(self.services, self.runner)
        self.tabs.addTab(self.triage, self.tr("Triage"))
        self.tabs.addTab(self.reply, self.tr("Reply"))
        holder_column.addWidget(self.tabs)
        holder_column.addStretch(1)
        scroll.setWidget(holder)
        self.detail_scroll = scroll
        self.right.addWidget(scroll)
        split.addWidget(self.right)
        self.right.setMinimumWidth(440)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([660, 440])
        return split

    # --- Page ------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        self.reply.set_user(member)
        self.measures.set_user(member)
        self._set_enabled(member is not None)
        if member is None:
            self._detail_generation += 1
            self._pending_open = None
            self._search_timer.stop()
            self._open_timer.stop()
            if self.dialog is not None:
                self.dialog.reject()
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.model.clear()
            self._show_nothing()
            self.doctor.clear()
            self.stack.setCurrentWidget(self.inbox)
            self.count_label.setText("")
            return
        self.refresh()

    def refresh(self) -> None:
        if self.user is None:
            return
        self._load_context()
        self.reload(keep=True)
        if self.stack.currentWidget() is self.doctor:
            self.doctor.reload()

    def show_target(self, target: str) -> None:
        if self.user is None:
            return
        kind, _, ident = target.partition(":")
        if target == "filter:overdue":
            self.show_inbox()
            self._set_filters(status=OPEN_FILTER, overdue=True)
        elif target == "filter:awaiting_approval":
            self.show_inbox()
            self._set_filters(status=ReviewStatus.AWAITING_APPROVAL.value)
        elif target == "doctor":
            self.show_doctor()
        elif target == "measures":
            self.show_measures()
        elif kind == "review" and ident.isdigit():
            self.show_inbox()
            self.open_review(int(ident))

    # --- filters ---------------------------------------------------------------------------
    def _set_filters(self, *, status: str, overdue: bool = False) -> None:
        widgets: list[Any] = [
            self.search,
            self.status_filter,
            self.source_filter,
            self.rating_filter,
            self.overdue_chip,
            self.mine_chip,
        ]
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(status)))
        self.source_filter.setCurrentIndex(0)
        self.rating_filter.setCurrentIndex(0)
        self.overdue_chip.setChecked(overdue)
        self.mine_chip.setChecked(False)
        for widget in widgets:
            widget.blockSignals(False)
        self.reload()

    def query(self) -> ReviewQuery:
        """The inbox's query as the filters and the search box say (first page)."""
        status = self.status_filter.currentData()
        statuses: tuple[ReviewStatus, ...]
        if status == OPEN_FILTER:
            statuses = OPEN_STATUSES
        elif status == ALL_FILTER or status is None:
            statuses = ()
        else:
            statuses = (ReviewStatus(status),)
        source = self.source_filter.currentData()
        return ReviewQuery(
            statuses=statuses,
            sources=(Source(source),) if source else (),
            ratings=tuple(
                int(n) for n in str(self.rating_filter.currentData() or "").split(",") if n
            ),
            overdue=self.overdue_chip.isChecked(),
            assignee_id=self.user.id if self.mine_chip.isChecked() and self.user else None,
            text=self.search.text().strip(),
            order=self.model.query.order,
            limit=PAGE_SIZE,
        )

    def reload(self, keep: bool = False, done: Callable[[], None] | None = None) -> None:
        """Load the first page for the filters; ``keep`` re-selects the open review."""
        if self.user is None:
            return
        self._search_timer.stop()
        keep_id = self.detail.review.id if keep and self.detail is not None else None
        self.model.load(self.query(), reselect(self.table, self.model, keep_id, done))

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(
            self.tr("1 review") if total == 1 else self.tr("{n} reviews").format(n=f"{total:,}")
        )

    # --- opening ---------------------------------------------------------------------------
    def _open_current(self) -> None:
        review_id = self.model.id_at(self.table.currentIndex())
        if review_id is not None and (self.detail is None or self.detail.review.id != review_id):
            self.open_review(review_id)

    def _enter_pressed(self, review: Review) -> None:
        self._open_then(review, self.triage_focus)

    def _r_pressed(self, review: Review) -> None:
        self._open_then(review, self.reply_focus)

    def _open_then(self, review: Review, then: Callable[[], None]) -> None:
        self._open_timer.stop()
        if review.id is None:
            return
        if self.detail is not None and self.detail.review.id == review.id:
            then()
        else:
            self.open_review(review.id, then)

    def triage_focus(self) -> None:
        self.tabs.setCurrentWidget(self.triage)
        self.triage.focus_first()

    def reply_focus(self) -> None:
        self.tabs.setCurrentWidget(self.reply)
        self.detail_scroll.ensureWidgetVisible(self.reply.text)
        self.reply.focus_text()

    def open_review(self, review_id: int, then: Callable[[], None] | None = None) -> None:
        """Load and show one review with its triage and reply (off the GUI thread)."""
        if self.user is None:
            return
        self._detail_generation += 1
        generation = self._detail_generation
        reviews = self.services.reviews

        def loaded(detail: ReviewDetail) -> None:
            if generation != self._detail_generation or self.user is None:
                return
            self._show_detail(detail)
            select_id(self.table, self.model, review_id)
            if then is not None:
                then()

        self.runner.run(lambda: reviews.detail(review_id), loaded, self._failed)

    def _show_detail(self, detail: ReviewDetail) -> None:
        user = self.user
        if user is None:
            return
        same = self.detail is not None and self.detail.review.id == detail.review.id
        self.detail = detail
        review = detail.review
        self.card.show_review(review, self.staff, can_assign=True)
        assessor = ""
        if detail.assessment is not None:
            assessor = next(
                (m.display_name for m in self.staff if m.id == detail.assessment.assessed_by), ""
            )
        self.triage.show_assessment(
            detail.assessment,
            editable=review.status is not ReviewStatus.REPLIED,
            assessor_name=assessor,
        )
        self.reply.show_review(
            review,
            detail.reply,
            detail.overrides,
            reply_target=detail.reply_target,
            changed_after_reply=detail.changed_after_reply,
        )
        if not same:
            wants_reply = detail.reply is not None or review.status is ReviewStatus.TRIAGED
            self.tabs.setCurrentWidget(self.reply if wants_reply else self.triage)
        self.model.replace(review)
        self.right.setCurrentWidget(self.detail_scroll)

    def _show_nothing(self) -> None:
        self.detail = None
        self.card.clear()
        self.triage.show_assessment(None, editable=False)
        self.reply.clear()
        self.right.setCurrentWidget(self.empty)

    # --- steps -----------------------------------------------------------------------------
    def assess(self, choice: TriageChoice) -> None:
        detail, user = self.detail, self.user
        if detail is None or user is None or detail.review.id is None:
            return
        reviews, review = self.services.reviews, detail.review
        review_id, version = detail.review.id, review.version

        def work() -> Review:
            return reviews.assess(
                user,
                review_id,
                version,
                choice.authenticity,
                choice.review_type,
                choice.reach,
                choice.severity,
                choice.decision,
                choice.reason,
            )

        self.runner.run(work, self._stepped, self._failed)

    def assign(self, assignee_id: int | None) -> None:
        detail, user = self.detail, self.user
        if detail is None or user is None or detail.review.id is None:
            return
        reviews, review_id, version = self.services.reviews, detail.review.id, detail.review.version
        self.runner.run(
            lambda: reviews.assign(user, review_id, version, assignee_id),
            self._stepped,
            self._failed,
        )

    def _stepped(self, review: Review) -> None:
        """A step changed ``review``: show it, and tell every view of reviews."""
        if review.id is None:
            return
        self.model.replace(review)
        self.hub.data_changed.emit(DATA_AREA)

    def _data_changed(self, area: str) -> None:
        if area != DATA_AREA or self.user is None:
            return
        self._load_context_once()
        self.reload(keep=True)
        if self.detail is not None and self.detail.review.id is not None:
            self.open_review(self.detail.review.id)
        if self.stack.currentWidget() is self.doctor:
            self.doctor.reload()

    # --- doctor's list, import, add --------------------------------------------------------
    def show_doctor(self) -> None:
        if self.user is None:
            return
        self.stack.setCurrentWidget(self.doctor)
        self.doctor.reload()

    def show_measures(self) -> None:
        if self.user is None:
            return
        self.stack.setCurrentWidget(self.measures_page)
        self.measures.refresh()

    def show_inbox(self) -> None:
        self.stack.setCurrentWidget(self.inbox)

    def open_import(self) -> QDialog | None:
        from gui.reviews.import_dialog import ImportDialog

        if self.user is None:
            return None
        dialog = ImportDialog(self.services, self.runner, self.user, self)
        dialog.imported.connect(lambda _r: self.hub.data_changed.emit(DATA_AREA))
        return self._open_dialog(dialog)

    def open_add(self) -> QDialog | None:
        from gui.reviews.import_dialog import AddReviewDialog

        if self.user is None:
            return None
        dialog = AddReviewDialog(self.services, self.runner, self.user, self)
        dialog.added.connect(self._added)
        return self._open_dialog(dialog)

    def _added(self, review: Review) -> None:
        self.hub.data_changed.emit(DATA_AREA)
        if review.id is not None:
            self.open_review(review.id)

    def _open_dialog(self, dialog: QDialog) -> QDialog:
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    # --- helpers ---------------------------------------------------------------------------
    def _load_context(self) -> None:
        services = self.services

        def loaded(context: _Context) -> None:
            if self.user is None:
                return
            self.staff = context.staff
            self.model.staff_names = {m.id: m.display_name for m in context.staff}
            self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)
            self.reply.set_context(context.reply)
            if self.detail is not None:
                self._show_detail(self.detail)

        self.runner.run(lambda: _load_context(services), loaded, self._failed)

    def _load_context_once(self) -> None:
        if not self.staff:
            self._load_context()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.search,
            self.status_filter,
            self.source_filter,
            self.rating_filter,
            self.overdue_chip,
            self.mine_chip,
            self.import_button,
            self.add_button,
            self.doctor_button,
            self.table,
        ):
            widget.setEnabled(enabled)

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)


__all__ = ["DATA_AREA", "ReviewsPage"]

"""The "My points" tab: a person's balance, goals and history, and logging by hand. Everyone
sees their own; managers may choose anyone, log for them, set their goals and remove a
hand-logged entry (with a reason)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.incentives.model import (
    Balance,
    Contribution,
    ContributionKind,
    Goal,
    GoalPeriod,
    GoalProgress,
)
from core.staff.model import StaffMember
from gui.incentives.base import IncentiveContext, IncentiveTab, clear_layout
from gui.incentives.dialogs import GoalDialog, LogDialog, LogEntry
from gui.incentives.history import PAGE_SIZE, Column, HistoryModel, is_hand_logged
from gui.incentives.wording import goal_text, points_text, progress_period_text, tr
from gui.reason_dialog import ReasonDialog
from gui.tasks import TaskRunner
from gui.widgets import Card, button, caption, plain_label

REMOVE_REASON_MINIMUM = 5


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """A person's balance and goals, loaded together on a worker."""

    staff_id: int
    balance: Balance
    goals: tuple[GoalProgress, ...]


class _GoalRow(QWidget):
    """One goal: what, how far (a progress bar) and, for managers, "Edit". Signals: none."""

    def __init__(self, progress: GoalProgress, text: str, edit: QPushButton | None) -> None:
        super().__init__()
        self.progress = progress
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 2, 0, 2)
        column.setSpacing(4)
        top = QHBoxLayout()
        self.title = plain_label(text)
        top.addWidget(self.title, 1)
        done, count = progress.done, progress.goal.count
        self.figure = caption(
            tr("{done} of {count} · {period}").format(
                done=done, count=count, period=progress_period_text(progress.period_label)
            ),
            wrap=False,
        )
        top.addWidget(self.figure)
        if edit is not None:
            top.addWidget(edit)
        column.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setRange(0, max(count, 1))
        self.bar.setValue(min(done, count))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setAccessibleName(text)
        self.bar.setAccessibleDescription(self.figure.text())
        column.addWidget(self.bar)
        if progress.goal.note:
            column.addWidget(caption(progress.goal.note))


class PersonTab(IncentiveTab):
    """A person's points. ``staff_id`` is whose page is shown (the user's own at sign-in).

    Signals: ``IncentiveTab``'s.
    """

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, runner, parent)
        self.staff_id: int | None = None
        self.summary: PersonSummary | None = None
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 12, 0, 0)
        outer.setSpacing(16)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self._build_balance())
        left.addWidget(self._build_goals(), 1)
        outer.addLayout(left, 4)
        outer.addWidget(self._build_history(), 6)

    # --- building ------------------------------------------------------------------------------
    def _build_balance(self) -> Card:
        card = Card()
        self.person = QComboBox()
        self.person.setAccessibleName(tr("Whose points"))
        self.person.currentIndexChanged.connect(lambda _i: self._person_chosen())
        self.person_label = plain_label()
        self.person_label.setProperty("heading", "3")
        card.header.insertWidget(0, self.person_label)
        card.header.insertWidget(1, self.person)
        self.available = plain_label("—")
        self.available.setProperty("heading", "1")
        self.available.setAccessibleName(tr("Points available"))
        card.body.addWidget(self.available)
        self.balance_detail = caption("")
        card.body.addWidget(self.balance_detail)
        card.body.addWidget(self._make_notice())
        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.feedback_button = button(tr("Log: asked a patient for feedback"), "plus", "primary")
        self.feedback_button.setToolTip(tr("One click each time you ask a patient"))
        self.feedback_button.clicked.connect(self.log_feedback)
        actions.addWidget(self.feedback_button)
        self.log_button = button(tr("Log a contribution…"), "edit")
        self.log_button.clicked.connect(self.open_log)
        actions.addWidget(self.log_button)
        actions.addStretch(1)
        card.body.addLayout(actions)
        card.body.addWidget(
            caption(
                tr(
                    "Ask every patient for feedback the same way, never only the happy ones. "
                    "The asking earns the point, whatever they write, or if they write nothing."
                )
            )
        )
        return card

    def _build_goals(self) -> Card:
        card = Card(tr("Goals"))
        self.add_goal_button = button(tr("Add a goal…"), "plus", "ghost")
        self.add_goal_button.clicked.connect(lambda: self.open_goal(None))
        card.header.addWidget(self.add_goal_button)
        self.goals_column = QVBoxLayout()
        self.goals_column.setSpacing(8)
        card.body.addLayout(self.goals_column)
        card.body.addStretch(1)
        self.goal_rows: list[_GoalRow] = []
        return card

    def _build_history(self) -> Card:
        card = Card(tr("History"))
        self.remove_button = button(tr("Remove…"), "trash", "ghost")
        self.remove_button.setToolTip(tr("Remove an entry logged by hand (with a reason)"))
        self.remove_button.clicked.connect(self.ask_remove)
        card.header.addWidget(self.remove_button)
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("History"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        for column in (Column.WHEN, Column.WHAT, Column.POINTS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_remove())
        card.body.addWidget(self.table, 1)
        pager = QHBoxLayout()
        self.newer_button = button(tr("◀ Newer"), kind="ghost")
        self.newer_button.clicked.connect(lambda: self.load_history(self.model.offset - PAGE_SIZE))
        self.older_button = button(tr("Older ▶"), kind="ghost")
        self.older_button.clicked.connect(lambda: self.load_history(self.model.offset + PAGE_SIZE))
        self.page_label = caption("", wrap=False)
        pager.addWidget(self.newer_button)
        pager.addStretch(1)
        pager.addWidget(self.page_label)
        pager.addStretch(1)
        pager.addWidget(self.older_button)
        card.body.addLayout(pager)
        return card

    # --- state -------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        if self.user is not None:
            self.staff_id = self.user.id
        self._update_controls()

    def clear(self) -> None:
        self.staff_id = None
        self.summary = None
        if self.dialog is not None:
            self.dialog.reject()
        self.model.clear()
        self.available.setText("—")
        self.balance_detail.setText("")
        self.person_label.setText("")
        self._show_notice("")
        self._show_goals([])
        self.person.blockSignals(True)
        self.person.clear()
        self.person.blockSignals(False)
        self.page_label.setText("")

    def set_context(self, context: IncentiveContext) -> None:
        super().set_context(context)
        self.person.blockSignals(True)
        self.person.clear()
        if self.can_manage:
            for member in context.staff:
                if member.active or member.id == self.staff_id:
                    self.person.addItem(member.display_name, member.id)
            self.person.setCurrentIndex(max(0, self.person.findData(self.staff_id)))
        self.person.blockSignals(False)
        self._update_controls()

    def _update_controls(self) -> None:
        manager = self.can_manage
        self.person.setVisible(manager)
        self.person_label.setVisible(not manager)
        self.person_label.setText(tr("My points"))
        self.add_goal_button.setVisible(manager)
        self.remove_button.setVisible(manager)
        for widget in (self.feedback_button, self.log_button):
            widget.setEnabled(self.user is not None)
        self._update_remove()

    def show_person(self, staff_id: int) -> None:
        """Show ``staff_id``'s points (managers; others always see their own)."""
        if self.user is None:
            return
        if not self.can_manage:
            staff_id = self.user.id
        self.staff_id = staff_id
        self.person.blockSignals(True)
        self.person.setCurrentIndex(max(0, self.person.findData(staff_id)))
        self.person.blockSignals(False)
        self.reload()

    def _person_chosen(self) -> None:
        staff_id = self.person.currentData()
        if staff_id is not None and staff_id != self.staff_id:
            self._show_notice("")
            self.show_person(int(staff_id))

    # --- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        if self.user is None or self.staff_id is None:
            return
        incentives, staff_id, today = self.services.incentives, self.staff_id, self.context.today

        def load() -> PersonSummary:
            return PersonSummary(
                staff_id,
                incentives.balance(staff_id),
                tuple(incentives.goal_progress(staff_id, today)),
            )

        self.call(load, self._show_summary)
        self.load_history(self.model.offset if self.model.rowCount() else 0)

    def load_history(self, offset: int) -> None:
        if self.user is None or self.staff_id is None:
            return
        offset = max(0, offset)
        incentives, staff_id = self.services.incentives, self.staff_id

        def shown(rows: list[Contribution]) -> None:
            if staff_id != self.staff_id:
                return
            if not rows and offset > 0:
                self.load_history(offset - PAGE_SIZE)  # the last page emptied: step back
                return
            context = self.context
            self.model.year = context.today.year
            self.model.set_page(
                rows[:PAGE_SIZE],
                offset,
                has_more=len(rows) > PAGE_SIZE,
                custom=context.custom,
                names=context.names,
            )
            self._update_pager()
            self._update_remove()
            self.loaded = True

        self.call(lambda: incentives.history(staff_id, offset=offset, limit=PAGE_SIZE + 1), shown)

    def _update_pager(self) -> None:
        count, offset = self.model.rowCount(), self.model.offset
        self.newer_button.setEnabled(offset > 0)
        self.older_button.setEnabled(self.model.has_more)
        if count:
            self.page_label.setText(
                tr("{first}–{last}, newest first").format(first=offset + 1, last=offset + count)
            )
        else:
            self.page_label.setText(tr("Nothing logged yet."))

    def _show_summary(self, summary: PersonSummary) -> None:
        if summary.staff_id != self.staff_id:
            return
        self.summary = summary
        balance = summary.balance
        self.available.setText(
            tr("{points} available").format(points=points_text(balance.available))
        )
        parts = [
            tr("Earned {n}").format(n=f"{balance.earned:,}"),
            tr("spent {n}").format(n=f"{balance.spent:,}"),
        ]
        if balance.pending:
            parts.append(
                tr("{n} held by a request waiting for a manager").format(n=f"{balance.pending:,}")
            )
        self.balance_detail.setText(" · ".join(parts))
        self._show_goals(list(summary.goals))

    def _show_goals(self, goals: list[GoalProgress]) -> None:
        clear_layout(self.goals_column)  # the goal rows and the "no goals" line
        self.goal_rows = []
        custom = self.context.custom
        for progress in goals:
            goal = progress.goal
            edit = None
            if self.can_manage:
                edit = button(tr("Edit"), kind="ghost")
                edit.setAccessibleName(tr("Edit goal"))
                edit.clicked.connect(lambda _c=False, g=goal: self.open_goal(g))
            row = _GoalRow(progress, goal_text(goal.kind, goal.count, goal.period, custom), edit)
            self.goal_rows.append(row)
            self.goals_column.addWidget(row)
        if not goals and self.user is not None:
            self.goals_column.addWidget(
                caption(
                    tr("No goals yet. A manager sets them with each person's yearly objectives.")
                    if not self.can_manage
                    else tr("No goals yet for this year. Add one with “Add a goal…”.")
                )
            )

    # --- logging -----------------------------------------------------------------------------
    def log_feedback(self) -> None:
        """One click: the person shown asked a patient for feedback."""
        if self.user is None or self.staff_id is None:
            return
        self.log(LogEntry(self.staff_id, ContributionKind.FEEDBACK_ASKED.value, "", None))

    def open_log(self) -> LogDialog | None:
        if self.user is None or self.context.rules is None:
            return None
        dialog = LogDialog(
            self.user,
            self.context.staff,
            self.context.rules.value,
            manager=self.can_manage,
            staff_id=self.staff_id,
            parent=self,
        )
        dialog.accepted.connect(lambda: self.log(dialog.entry()))
        self._open(dialog)
        return dialog

    def log(self, entry: LogEntry) -> None:
        if self.user is None:
            return
        incentives, actor = self.services.incentives, self.user
        self.call(
            lambda: incentives.add_manual(
                actor, entry.staff_id, entry.kind, entry.note, entry.points
            ),
            self._logged,
        )

    def _logged(self, contribution: Contribution) -> None:
        what = (
            tr("Asked a patient for feedback")
            if contribution.kind == ContributionKind.FEEDBACK_ASKED
            else tr("Logged")
        )
        self._show_notice(
            tr("{what}: {points} for {name}.").format(
                what=what,
                points=points_text(contribution.points),
                name=self.context.name_of(contribution.staff_id),
            )
        )
        self.changed.emit()

    # --- goals -------------------------------------------------------------------------------
    def open_goal(self, goal: Goal | None) -> GoalDialog | None:
        if self.user is None or self.staff_id is None or self.context.rules is None:
            return None
        new = goal is None
        if goal is None:
            goal = Goal(
                id=None,
                staff_id=self.staff_id,
                kind=ContributionKind.POST_APPROVED.value,
                count=4,
                period=GoalPeriod.MONTH.value,
                year=self.context.today.year,
            )
        dialog = GoalDialog(
            goal,
            self.context.name_of(goal.staff_id),
            self.context.rules.value,
            new=new,
            parent=self,
        )
        dialog.accepted.connect(lambda: self.save_goal(dialog.goal()))
        self._open(dialog)
        return dialog

    def save_goal(self, goal: Goal) -> None:
        if self.user is None:
            return
        incentives, actor = self.services.incentives, self.user
        self.call(lambda: incentives.save_goal(actor, goal), lambda _g: self.changed.emit())

    # --- removing ----------------------------------------------------------------------------
    def selected(self) -> Contribution | None:
        index = self.table.currentIndex()
        return self.model.contribution(index.row()) if index.isValid() else None

    def _update_remove(self) -> None:
        chosen = self.selected()
        removable = chosen is not None and is_hand_logged(chosen)
        self.remove_button.setEnabled(removable)
        self.remove_button.setToolTip(
            tr("Remove this entry logged by hand (with a reason)")
            if removable
            else tr("Choose an entry logged by hand. The app's own credits cannot be removed.")
        )

    def ask_remove(self) -> ReasonDialog | None:
        chosen = self.selected()
        if self.user is None or chosen is None or chosen.id is None:
            return None
        contribution_id = chosen.id
        dialog = ReasonDialog(
            tr("Remove a logged contribution"),
            tr("Why is it removed? The reason goes to the audit trail."),
            ok_text=tr("Remove"),
            minimum=REMOVE_REASON_MINIMUM,
            detail=tr("The points it earned are taken off the person's balance."),
            parent=self,
        )
        dialog.accepted.connect(lambda: self.remove(contribution_id, dialog.reason()))
        self._open(dialog)
        return dialog

    def remove(self, contribution_id: int, reason: str) -> None:
        if self.user is None:
            return
        incentives, actor = self.services.incentives, self.user
        self.call(
            lambda: incentives.remove_manual(actor, contribution_id, reason),
            lambda _r: self.changed.emit(),
        )

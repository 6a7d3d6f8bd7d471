"""The Rewards tab: the catalogue with its costs ("Request", or why not yet), one's own
requests (cancel while pending), and for managers the requests to decide (never their own)
and the catalogue to edit."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.incentives.model import Balance, Redemption, RedemptionStatus, Reward
from core.staff.model import StaffMember
from gui.incentives.base import IncentiveTab, clear_layout
from gui.incentives.dialogs import RewardDialog
from gui.incentives.wording import day_text, points_text, status_label, status_tone, tr
from gui.reason_dialog import ReasonDialog
from gui.tasks import TaskRunner
from gui.widgets import Badge, Card, button, caption, plain_label

SHOWN_REQUESTS = 10
"""One's own requests listed, newest first; older ones are counted."""
DECLINE_REASON_MINIMUM = 3


@dataclass(frozen=True, slots=True)
class RewardsData:
    """Everything the tab shows, loaded together on a worker."""

    rewards: tuple[Reward, ...]
    balance: Balance
    mine: tuple[Redemption, ...]
    to_decide: tuple[Redemption, ...]


class _Row(QFrame):
    """One line of a list: texts on the left, badges and buttons on the right. Signals: none."""

    def __init__(self, title: str, detail: str = "") -> None:
        super().__init__()
        self.setProperty("listRow", "true")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 4)
        row.setSpacing(8)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.title = plain_label(title)
        texts.addWidget(self.title)
        self.detail = caption(detail)
        self.detail.setVisible(bool(detail))
        texts.addWidget(self.detail)
        row.addLayout(texts, 1)
        self.right = row

    def add(self, widget: QWidget) -> None:
        self.right.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)


class RewardsTab(IncentiveTab):
    """Rewards and requests. ``data`` is what was loaded last.

    Signals: ``IncentiveTab``'s.
    """

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, runner, parent)
        self.data: RewardsData | None = None
        self.request_buttons: dict[int, QPushButton] = {}
        self.cancel_buttons: dict[int, QPushButton] = {}
        self.decide_buttons: dict[int, tuple[QPushButton, QPushButton]] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 12, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(self.scroll_area)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 4, 0)
        column.setSpacing(12)
        column.addWidget(self._make_notice())
        columns = QHBoxLayout()
        columns.setSpacing(16)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self._build_catalogue())
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self._build_queue())
        right.addWidget(self._build_mine())
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        column.addLayout(columns)
        column.addStretch(1)
        self.scroll_area.setWidget(holder)

    def _build_catalogue(self) -> Card:
        self.catalogue = Card(tr("Rewards"))
        self.add_button = button(tr("Add a reward…"), "plus", "ghost")
        self.add_button.clicked.connect(lambda: self.open_reward(None))
        self.catalogue.header.addWidget(self.add_button)
        self.balance_label = caption("")
        self.catalogue.body.addWidget(self.balance_label)
        self.catalogue_rows = QVBoxLayout()
        self.catalogue_rows.setSpacing(2)
        self.catalogue.body.addLayout(self.catalogue_rows)
        return self.catalogue

    def _build_queue(self) -> Card:
        self.queue = Card(tr("Requests to decide"))
        self.queue.body.addWidget(
            caption(
                tr(
                    "Approving spends the points; declining gives them back. Another manager "
                    "decides on your own requests."
                )
            )
        )
        self.queue_rows = QVBoxLayout()
        self.queue_rows.setSpacing(2)
        self.queue.body.addLayout(self.queue_rows)
        self.queue.hide()
        return self.queue

    def _build_mine(self) -> Card:
        self.mine = Card(tr("My requests"))
        self.mine_rows = QVBoxLayout()
        self.mine_rows.setSpacing(2)
        self.mine.body.addLayout(self.mine_rows)
        return self.mine

    # --- state -------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        manager = self.can_manage
        self.add_button.setVisible(manager)
        self.queue.setVisible(manager)

    def clear(self) -> None:
        self.data = None
        if self.dialog is not None:
            self.dialog.reject()
        self._show_notice("")
        self.balance_label.setText("")
        for rows in (self.catalogue_rows, self.queue_rows, self.mine_rows):
            clear_layout(rows)
        self.request_buttons, self.cancel_buttons, self.decide_buttons = {}, {}, {}

    def reload(self) -> None:
        if self.user is None:
            return
        incentives, user, manager = self.services.incentives, self.user, self.can_manage

        def load() -> RewardsData:
            to_decide = incentives.redemptions(status=RedemptionStatus.PENDING) if manager else []
            return RewardsData(
                tuple(incentives.rewards(include_inactive=manager)),
                incentives.balance(user.id),
                tuple(incentives.redemptions(staff_id=user.id)),
                tuple(to_decide),
            )

        self.call(load, self._show)

    def show_queue(self) -> None:
        """Scroll to the requests to decide (Today's item)."""
        if self.queue.isVisible():
            self.scroll_area.ensureWidgetVisible(self.queue)

    # --- showing -----------------------------------------------------------------------------
    def _show(self, data: RewardsData) -> None:
        self.data = data
        self.loaded = True
        for rows in (self.catalogue_rows, self.queue_rows, self.mine_rows):
            clear_layout(rows)
        self.request_buttons, self.cancel_buttons, self.decide_buttons = {}, {}, {}
        available = data.balance.available
        self.balance_label.setText(
            tr("You have {points} to spend.").format(points=points_text(available))
            + (
                " "
                + tr("{n} more are held by requests waiting for a manager.").format(
                    n=f"{data.balance.pending:,}"
                )
                if data.balance.pending
                else ""
            )
        )
        self._show_catalogue(data.rewards, available)
        self._show_queue(data.to_decide)
        self._show_mine(data.mine)

    def _show_catalogue(self, rewards: tuple[Reward, ...], available: int) -> None:
        if not rewards:
            self.catalogue_rows.addWidget(
                caption(
                    tr("No rewards yet. Add the first with “Add a reward…”.")
                    if self.can_manage
                    else tr("No rewards yet. The office manager adds them.")
                )
            )
        for reward in sorted(rewards, key=lambda r: (not r.active, r.cost, r.name.lower())):
            missing = reward.cost - available
            if not reward.active:
                detail = tr("Not offered at the moment")
            elif missing > 0:
                detail = tr("You need {n} more to request it.").format(n=points_text(missing))
            else:
                detail = ""
            row = _Row(reward.name, detail)
            row.add(Badge(points_text(reward.cost), "info" if reward.active else "neutral"))
            if reward.active and reward.id is not None:
                request = button(tr("Request"))
                request.setAccessibleName(tr("Request {reward}").format(reward=reward.name))
                request.setEnabled(missing <= 0)
                request.setToolTip(
                    detail
                    or tr("A manager approves or declines it; the points are held until then.")
                )
                request.clicked.connect(lambda _c=False, r=reward: self.request(r))
                self.request_buttons[reward.id] = request
                row.add(request)
            if self.can_manage:
                edit = button(tr("Edit"), kind="ghost")
                edit.setAccessibleName(tr("Edit {reward}").format(reward=reward.name))
                edit.clicked.connect(lambda _c=False, r=reward: self.open_reward(r))
                row.add(edit)
            self.catalogue_rows.addWidget(row)

    def _show_queue(self, pending: tuple[Redemption, ...]) -> None:
        if not self.can_manage:
            return
        if not pending:
            self.queue_rows.addWidget(caption(tr("Nothing waits for a decision.")))
        for redemption in sorted(pending, key=lambda r: r.requested_at):
            own = self.user is not None and redemption.staff_id == self.user.id
            row = _Row(
                tr("{name}: {reward}").format(
                    name=self.context.name_of(redemption.staff_id), reward=redemption.reward_name
                ),
                tr("{points}, asked on {day}").format(
                    points=points_text(redemption.cost),
                    day=day_text(redemption.requested_at.astimezone().date()),
                )
                + (" · " + tr("your own request: another manager decides") if own else ""),
            )
            approve = button(tr("Approve"), "check-circle", "primary")
            decline = button(tr("Decline…"), kind="ghost")
            for widget in (approve, decline):
                widget.setEnabled(not own)
                row.add(widget)
            approve.clicked.connect(lambda _c=False, r=redemption: self.decide(r, True))
            decline.clicked.connect(lambda _c=False, r=redemption: self.ask_decline(r))
            if redemption.id is not None:
                self.decide_buttons[redemption.id] = (approve, decline)
            self.queue_rows.addWidget(row)

    def _show_mine(self, mine: tuple[Redemption, ...]) -> None:
        if not mine:
            self.mine_rows.addWidget(caption(tr("You have not requested a reward yet.")))
        ordered = sorted(mine, key=lambda r: r.requested_at, reverse=True)
        for redemption in ordered[:SHOWN_REQUESTS]:
            detail = tr("{points}, asked on {day}").format(
                points=points_text(redemption.cost),
                day=day_text(redemption.requested_at.astimezone().date()),
            )
            if redemption.decided_by is not None and redemption.status in (
                RedemptionStatus.APPROVED,
                RedemptionStatus.DECLINED,
            ):
                detail += " · " + tr("by {name}").format(
                    name=self.context.name_of(redemption.decided_by)
                )
            if redemption.note:
                detail += " · " + redemption.note
            row = _Row(redemption.reward_name, detail)
            row.add(Badge(status_label(redemption.status), status_tone(redemption.status)))
            if redemption.status is RedemptionStatus.PENDING and redemption.id is not None:
                cancel = button(tr("Cancel request"), kind="ghost")
                cancel.clicked.connect(lambda _c=False, r=redemption: self.cancel(r))
                self.cancel_buttons[redemption.id] = cancel
                row.add(cancel)
            self.mine_rows.addWidget(row)
        if len(ordered) > SHOWN_REQUESTS:
            self.mine_rows.addWidget(
                caption(tr("and {n} older requests").format(n=len(ordered) - SHOWN_REQUESTS))
            )

    # --- actions -----------------------------------------------------------------------------
    def request(self, reward: Reward) -> None:
        if self.user is None or reward.id is None:
            return
        incentives, actor, reward_id = self.services.incentives, self.user, reward.id

        def done(redemption: Redemption) -> None:
            self._show_notice(
                tr(
                    "You asked for {reward} ({points}). A manager approves or declines it; the "
                    "points are held until then."
                ).format(reward=redemption.reward_name, points=points_text(redemption.cost))
            )
            self.changed.emit()

        self.call(lambda: incentives.request_redemption(actor, reward_id), done)

    def cancel(self, redemption: Redemption) -> None:
        if self.user is None or redemption.id is None:
            return
        incentives, actor, redemption_id = self.services.incentives, self.user, redemption.id

        def done(_r: Redemption) -> None:
            self._show_notice(
                tr("Your request for {reward} was cancelled; the points are free again.").format(
                    reward=redemption.reward_name
                )
            )
            self.changed.emit()

        self.call(lambda: incentives.cancel_redemption(actor, redemption_id), done)

    def ask_decline(self, redemption: Redemption) -> ReasonDialog | None:
        if self.user is None:
            return None
        dialog = ReasonDialog(
            tr("Decline a request"),
            tr("Why not? {name} sees this note.").format(
                name=self.context.name_of(redemption.staff_id)
            ),
            ok_text=tr("Decline"),
            minimum=DECLINE_REASON_MINIMUM,
            detail=tr("The {points} held for it become free again.").format(
                points=points_text(redemption.cost)
            ),
            parent=self,
        )
        dialog.accepted.connect(lambda: self.decide(redemption, False, dialog.reason()))
        self._open(dialog)
        return dialog

    def decide(self, redemption: Redemption, approve: bool, note: str = "") -> None:
        if self.user is None or redemption.id is None:
            return
        incentives, actor, redemption_id = self.services.incentives, self.user, redemption.id
        name = self.context.name_of(redemption.staff_id)

        def done(_r: Redemption) -> None:
            text = (
                tr("Approved: {reward} for {name}.")
                if approve
                else tr("Declined: {reward} for {name}; the points are free again.")
            )
            self._show_notice(text.format(reward=redemption.reward_name, name=name))
            self.changed.emit()

        self.call(lambda: incentives.decide_redemption(actor, redemption_id, approve, note), done)

    def open_reward(self, reward: Reward | None) -> RewardDialog | None:
        if self.user is None:
            return None
        dialog = RewardDialog(reward, self)
        dialog.accepted.connect(lambda: self.save_reward(dialog.reward()))
        self._open(dialog)
        return dialog

    def save_reward(self, reward: Reward) -> None:
        if self.user is None:
            return
        incentives, actor = self.services.incentives, self.user

        def done(saved: Reward) -> None:
            self._show_notice(tr("Saved: {reward}.").format(reward=saved.name))
            self.changed.emit()

        self.call(lambda: incentives.save_reward(actor, reward), done)

    # --- helpers -----------------------------------------------------------------------------

    def notice_text(self) -> str:
        return self.notice.text_label.text() if not self.notice.isHidden() else ""

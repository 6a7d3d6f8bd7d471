"""The Incentives page: the monthly leaderboard with its chart, each person's points, goals
and history, the rewards and their requests, the point rules, and the CSV export.

Every time it is shown (and after every change) it first credits what happened in the app
since the last time (``IncentiveService.sync``, exactly once per audit event), then loads.
Targets for ``show_target``: ``leaderboard``, ``mine``, ``person:<staff id>``, ``rewards``,
``redemptions`` (the requests to decide, from Today) and ``rules``. Emits
``hub.data_changed("incentives")`` after every change it makes, and reloads on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from core.app import Services
from core.errors import KnownError
from core.staff.model import StaffMember
from gui import errors
from gui.hub import SignalHub
from gui.incentives.base import DATA_AREA, IncentiveContext, IncentiveTab, load_context, may_manage
from gui.incentives.dialogs import ExportDialog
from gui.incentives.leaderboard import LeaderboardTab
from gui.incentives.person import PersonTab
from gui.incentives.rewards import RewardsTab
from gui.incentives.rules import RulesTab
from gui.incentives.wording import month_title, tr
from gui.page import Page
from gui.tasks import TaskRunner
from gui.widgets import Banner, button, heading

EXPORT_YEARS = 10
"""How many years back the export offers."""


@dataclass(frozen=True, slots=True)
class _Loaded:
    context: IncentiveContext
    credited: int
    sync_error: KnownError | None


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    """Ask where to save the export; ``None`` when cancelled. (Tests replace this.)"""
    path, _filter = QFileDialog.getSaveFileName(
        parent, tr("Export contributions"), suggested, tr("Spreadsheet (CSV) (*.csv)")
    )
    if not path:
        return None
    return path if path.lower().endswith(".csv") else f"{path}.csv"


class IncentivesPage(Page):
    """Staff incentives: contributions credited from what happens in the app, rewards and
    goals, and nothing ever tied to reviews.

    Signals: none of its own (it talks through ``hub``).
    """

    page_id = "incentives"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, hub, runner, parent)
        self.setObjectName("page-incentives")
        self.context = IncentiveContext()
        self.loaded = False
        self.export_dialog: ExportDialog | None = None
        self._generation = 0
        self._stale: set[IncentiveTab] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(heading(tr("Incentives"), 1))
        top.addStretch(1)
        self.export_button = button(tr("Export CSV…"), "download", "ghost")
        self.export_button.setToolTip(
            tr("One row per contribution for a month or a year, for payroll or bonus paperwork")
        )
        self.export_button.clicked.connect(self.open_export)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        self.notice = Banner("", "success")
        self.notice.hide()
        layout.addWidget(self.notice)
        self.problem = Banner("", "warning")
        self.problem.hide()
        layout.addWidget(self.problem)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.leaderboard = LeaderboardTab(services, runner)
        self.person = PersonTab(services, runner)
        self.rewards = RewardsTab(services, runner)
        self.rules = RulesTab(services, runner)
        self.tabs.addTab(self.leaderboard, tr("Leaderboard"))
        self.tabs.addTab(self.person, tr("My points"))
        self.tabs.addTab(self.rewards, tr("Rewards"))
        self.tabs.addTab(self.rules, tr("Rules"))
        layout.addWidget(self.tabs, 1)
        for tab in self.all_tabs():
            tab.changed.connect(lambda: self.hub.data_changed.emit(DATA_AREA))
        self.tabs.currentChanged.connect(lambda _i: self._reload_if_stale())
        hub.data_changed.connect(self._data_changed)
        self.export_button.setVisible(False)

    def all_tabs(self) -> tuple[IncentiveTab, ...]:
        return (self.leaderboard, self.person, self.rewards, self.rules)

    # --- Page ------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        super().set_user(member)
        self._generation += 1
        self.loaded = False
        self.export_button.setVisible(may_manage(member))
        for tab in self.all_tabs():
            tab.set_user(member)
        if member is None:
            self.context = IncentiveContext()
            if self.export_dialog is not None:
                self.export_dialog.reject()
            self._show_notice("")
            self._show_problem("")
            self.tabs.setCurrentWidget(self.leaderboard)
            return
        self.refresh()

    def refresh(self) -> None:
        """Credit what is new, reload the context, then the tab shown (the others when they
        are shown)."""
        if self.user is None:
            return
        services, generation = self.services, self._generation

        def load() -> _Loaded:
            credited, problem = 0, None
            try:
                credited = services.incentives.sync()
            except KnownError as exc:  # the log still shows; the credits come next time
                problem = exc
            return _Loaded(load_context(services), credited, problem)

        def loaded(result: _Loaded) -> None:
            if generation != self._generation or self.user is None:
                return
            self.context = result.context
            self._show_problem(
                tr(
                    "The newest contributions could not be counted just now ({reason}). They "
                    "will be the next time this page is opened."
                ).format(reason=errors.message_for(result.sync_error)[0])
                if result.sync_error is not None
                else ""
            )
            for tab in self.all_tabs():
                tab.set_context(result.context)
            self._stale = set(self.all_tabs())
            self._reload_if_stale()
            self.loaded = True

        self.runner.run(load, loaded, self._failed)

    def show_target(self, target: str) -> None:
        if self.user is None:
            return
        kind, _, ident = target.partition(":")
        if target == "leaderboard":
            self.tabs.setCurrentWidget(self.leaderboard)
        elif target in ("mine", "person"):
            self.tabs.setCurrentWidget(self.person)
            self.person.show_person(self.user.id)
        elif kind == "person" and ident.isdigit():
            self.tabs.setCurrentWidget(self.person)
            self.person.show_person(int(ident))
        elif target == "rewards":
            self.tabs.setCurrentWidget(self.rewards)
        elif target == "redemptions":
            self.tabs.setCurrentWidget(self.rewards)
            self.rewards.show_queue()
        elif target == "rules":
            self.tabs.setCurrentWidget(self.rules)

    # --- loading -----------------------------------------------------------------------------
    def _reload_if_stale(self) -> None:
        current = self.tabs.currentWidget()
        if isinstance(current, IncentiveTab) and current in self._stale and self.user:
            self._stale.discard(current)
            current.reload()

    def _data_changed(self, area: str) -> None:
        if area == DATA_AREA and self.user is not None:
            self.refresh()

    # --- export ------------------------------------------------------------------------------
    def open_export(self) -> ExportDialog | None:
        if self.user is None:
            return None
        today = self.context.today
        year, month = self.leaderboard.month or (today.year, today.month)
        dialog = ExportDialog(year, month, today.year - EXPORT_YEARS + 1, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.export(*dialog.choice()))
        dialog.destroyed.connect(lambda _o=None: setattr(self, "export_dialog", None))
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def export(self, year: int, month: int | None) -> None:
        """Ask where, then write the CSV there (off the GUI thread)."""
        name = f"contributions-{year}-{month:02d}.csv" if month else f"contributions-{year}.csv"
        path = ask_save_path(self, name)
        if path is not None:
            self.export_to(Path(path), year, month)

    def export_to(self, path: Path, year: int, month: int | None) -> None:
        if self.user is None:
            return
        incentives, actor = self.services.incentives, self.user
        what = month_title(year, month) if month else str(year)

        def work() -> Path:
            path.write_bytes(incentives.export_csv(actor, year, month))
            return path

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                self._show_problem(
                    tr(
                        "The file could not be saved there ({reason}). Choose another folder."
                    ).format(reason=exc.strerror or type(exc).__name__)
                )
            else:
                self._failed(exc)

        self.runner.run(
            work,
            lambda p: self._show_notice(
                tr("The contributions of {what} were saved to {path}.").format(what=what, path=p)
            ),
            failed,
        )

    # --- helpers -----------------------------------------------------------------------------
    def _show_notice(self, text: str) -> None:
        self.notice.set_text(text)
        self.notice.setVisible(bool(text))
        if text:
            self.problem.hide()

    def _show_problem(self, text: str) -> None:
        self.problem.set_text(text)
        self.problem.setVisible(bool(text))

    def notice_text(self) -> str:
        """The message shown after an export (saved, or why not), or ""."""
        for banner in (self.notice, self.problem):
            if not banner.isHidden():
                return banner.text_label.text()
        return ""

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)


__all__ = ["DATA_AREA", "IncentivesPage"]

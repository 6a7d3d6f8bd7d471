"""Small dialogs of the Incentives page: logging a contribution by hand, editing a reward or a
goal, and choosing what to export. Each checks its input as it is typed and says plainly what
is missing; OK stays disabled until it is complete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.incentives.model import AUTOMATIC_KINDS, ContributionKind, Goal, GoalPeriod, PointRules
from core.incentives.model import Reward as RewardItem
from core.incentives.rules import (
    MAX_COST,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_NOTE,
    MAX_POINTS,
    MIN_MANUAL_NOTE,
    check_rule,
    slug_of,
)
from core.staff.model import StaffMember
from gui.incentive_errors import refusal_text
from gui.incentives.wording import (
    custom_names,
    kind_label,
    month_title,
    ordered_kinds,
    period_label,
    points_text,
    tr,
)
from gui.widgets import caption, heading, repolish

MANUAL_POINTS = (1, MAX_POINTS)
"""The points a manager may give one hand-logged contribution."""
REWARD_COSTS = (1, MAX_COST)
GOAL_COUNTS = (1, 500)


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    ok.setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


def _column(dialog: QDialog, title: str, width: int, intro: str) -> QVBoxLayout:
    """The dialog's column, opened by its title (also the window's) and what it is for."""
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(width)
    column = QVBoxLayout(dialog)
    column.setSpacing(12)
    column.addWidget(heading(title, 2))
    column.addWidget(caption(intro))
    return column


def _spin(form: QFormLayout, label: str, limits: tuple[int, int], value: int) -> QSpinBox:
    """A number between ``limits``, added to ``form`` as ``label``."""
    spin = QSpinBox()
    spin.setRange(*limits)
    spin.setValue(value)
    spin.setAccessibleName(label)
    form.addRow(label, spin)
    return spin


def _name_edit(form: QFormLayout, label: str, placeholder: str, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setMaxLength(MAX_NAME)
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(label)
    form.addRow(label, edit)
    return edit


def _note_edit(label: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(76)
    edit.setAccessibleName(label)
    return edit


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What the log dialog asks the service to credit."""

    staff_id: int
    kind: str
    note: str
    points: int | None


class LogDialog(QDialog):
    """Log a contribution by hand: for whom (managers may choose anyone), what kind (asked for
    feedback, the practice's own kinds, and for managers "other" with the points they give)
    and a note. ``entry()`` is the answer. Signals: QDialog's."""

    def __init__(
        self,
        user: StaffMember,
        staff: Sequence[StaffMember],
        rules: PointRules,
        *,
        manager: bool,
        staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._rules = rules
        column = _column(
            self,
            tr("Log a contribution"),
            500,
            tr(
                "Posts, photo checks, consents and on-time replies are credited by the app "
                "itself; log here what it cannot see."
            ),
        )
        form = QFormLayout()
        self.person = QComboBox()
        self.person.setAccessibleName(tr("Who did it"))
        people = [m for m in staff if m.active] if manager else [user]
        for member in people:
            self.person.addItem(member.display_name, member.id)
        self.person.setCurrentIndex(max(0, self.person.findData(staff_id or user.id)))
        self.person.setEnabled(manager)
        form.addRow(tr("Who did it"), self.person)
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("What"))
        self.kind.addItem(
            kind_label(ContributionKind.FEEDBACK_ASKED), ContributionKind.FEEDBACK_ASKED.value
        )
        names = custom_names(rules)
        for kind in ordered_kinds(names):
            self.kind.addItem(kind_label(kind, names), kind)
        if manager:
            self.kind.addItem(
                tr("Something else (you give the points)"), ContributionKind.MANUAL.value
            )
        form.addRow(tr("What"), self.kind)
        self.about = caption("")
        form.addRow("", self.about)
        self.points = _spin(form, tr("Points"), MANUAL_POINTS, 2)
        self.note = _note_edit(tr("Note"))
        self.note.setPlaceholderText(tr("For example: filmed the new hygienist's intro video"))
        form.addRow(tr("Note"), self.note)
        self._form = form
        column.addLayout(form)
        column.addWidget(
            caption(tr("Write what was done, never a patient's name or anything about a visit."))
        )
        self.hint = caption("")
        column.addWidget(self.hint)
        self.buttons, self.ok_button = _buttons(self, tr("Log it"))
        column.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self._update())
        self.note.textChanged.connect(self._update)
        self._update()

    def choose_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))

    def _manual(self) -> bool:
        return bool(self.kind.currentData() == ContributionKind.MANUAL.value)

    def _update(self) -> None:
        kind = str(self.kind.currentData())
        manual = self._manual()
        self._form.setRowVisible(self.points, manual)
        custom = self._rules.custom_kind(kind)
        if manual:
            about = tr("A manager gives the points; say what was done in the note.")
        elif custom is not None:
            about = tr("{description} ({points})").format(
                description=custom.description or custom.name, points=points_text(custom.points)
            )
        else:
            earns = self._rules.points_for(kind)
            about = tr(
                "Ask every patient the same way, not only the happy ones. It counts when you "
                "ask, whether or not they ever write a review."
            )
            if earns is not None:
                about = f"{points_text(earns)}. {about}"
        self.about.setText(about)
        note = self.note.toPlainText().strip()
        missing = MIN_MANUAL_NOTE - len(note)
        needs_note = manual and missing > 0
        too_long = len(note) - MAX_NOTE
        self.ok_button.setEnabled(not needs_note and too_long <= 0)
        if needs_note:
            hint = tr("Say in the note what was done ({n} more characters).").format(n=missing)
        elif too_long > 0:
            hint = tr("The note is {n} characters too long.").format(n=too_long)
        else:
            hint = ""
        self.hint.setText(hint)

    def entry(self) -> LogEntry:
        return LogEntry(
            staff_id=int(self.person.currentData()),
            kind=str(self.kind.currentData()),
            note=self.note.toPlainText().strip(),
            points=self.points.value() if self._manual() else None,
        )


class RewardDialog(QDialog):
    """Add or edit an item of the reward catalogue: its name, its cost in points and whether
    it is offered. ``reward()`` is the edited item. Signals: QDialog's."""

    def __init__(self, reward: RewardItem | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original = reward or RewardItem(id=None, name="", cost=10)
        column = _column(
            self,
            tr("Edit reward") if reward is not None else tr("Add a reward"),
            440,
            tr(
                "Changing a cost does not change requests already made: they keep the cost "
                "they were made at."
            ),
        )
        form = QFormLayout()
        self.name = _name_edit(
            form, tr("Reward"), tr("For example: coffee card"), self._original.name
        )
        self.cost = _spin(form, tr("Cost in points"), REWARD_COSTS, self._original.cost)
        self.active = QCheckBox(tr("Offered (people can request it)"))
        self.active.setChecked(self._original.active)
        form.addRow("", self.active)
        column.addLayout(form)
        self.hint = caption("")
        column.addWidget(self.hint)
        self.buttons, self.ok_button = _buttons(self, tr("Save"))
        column.addWidget(self.buttons)
        self.name.textChanged.connect(lambda _t: self._update())
        self._update()

    def _update(self) -> None:
        name = self.name.text().strip()
        refusals = check_rule(name) if name else []
        self.ok_button.setEnabled(bool(name) and not refusals)
        if not name:
            self.hint.setText(tr("Give the reward a name."))
        else:
            self.hint.setText(refusal_text(refusals[0]) if refusals else "")
        self.hint.setProperty("error", "true" if refusals else "false")
        repolish(self.hint)

    def reward(self) -> RewardItem:
        return replace(
            self._original,
            name=self.name.text().strip(),
            cost=self.cost.value(),
            active=self.active.isChecked(),
        )


class GoalDialog(QDialog):
    """Add or edit one of a person's goals for the year, e.g. "4 approved posts a month".
    ``goal()`` is the edited goal. Signals: QDialog's."""

    def __init__(
        self,
        goal: Goal,
        person_name: str,
        rules: PointRules,
        *,
        new: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = goal
        column = _column(
            self,
            tr("Add a goal") if new else tr("Edit goal"),
            460,
            tr("{name}'s objective for {year}. Progress counts what the log credits.").format(
                name=person_name, year=goal.year
            ),
        )
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("What"))
        names = custom_names(rules)
        for kind in ordered_kinds([*AUTOMATIC_KINDS, ContributionKind.FEEDBACK_ASKED, *names]):
            self.kind.addItem(kind_label(kind, names), kind)
        if goal.kind and self.kind.findData(goal.kind) < 0:
            self.kind.addItem(kind_label(goal.kind, names), goal.kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(goal.kind)))
        form.addRow(tr("What"), self.kind)
        self.count = _spin(form, tr("How many"), GOAL_COUNTS, max(goal.count, 1))
        self.period = QComboBox()
        self.period.setAccessibleName(tr("When"))
        for period in GoalPeriod:
            self.period.addItem(period_label(period), period.value)
        self.period.setCurrentIndex(max(0, self.period.findData(goal.period)))
        form.addRow(tr("When"), self.period)
        self.note = _note_edit(tr("Note (optional)"))
        self.note.setPlainText(goal.note)
        form.addRow(tr("Note (optional)"), self.note)
        self.active = QCheckBox(tr("Counts this year"))
        self.active.setChecked(goal.active)
        self.active.setVisible(not new)
        form.addRow("", self.active)
        column.addLayout(form)
        self.buttons, self.ok_button = _buttons(self, tr("Save"))
        column.addWidget(self.buttons)

    def goal(self) -> Goal:
        return replace(
            self._original,
            kind=str(self.kind.currentData()),
            count=self.count.value(),
            period=str(self.period.currentData()),
            note=self.note.toPlainText().strip(),
            active=self.active.isChecked(),
        )


class ExportDialog(QDialog):
    """Which contributions to export: one month, or a whole year. ``choice()`` is
    ``(year, month)`` with ``month`` ``None`` for the year. Signals: QDialog's."""

    def __init__(
        self, year: int, month: int, first_year: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        column = _column(
            self,
            tr("Export contributions"),
            420,
            tr(
                "A spreadsheet (CSV) with one row per contribution: who, when, what and "
                "the points, for payroll or bonus paperwork. The export is written to the "
                "audit trail."
            ),
        )
        form = QFormLayout()
        self.span = QComboBox()
        self.span.setAccessibleName(tr("Export"))
        self.span.addItem(tr("One month"), "month")
        self.span.addItem(tr("A whole year"), "year")
        form.addRow(tr("Export"), self.span)
        self.year = _spin(form, tr("Year"), (first_year, year), year)
        self.year.setGroupSeparatorShown(False)
        self.month = QComboBox()
        self.month.setAccessibleName(tr("Month"))
        form.addRow(tr("Month"), self.month)
        self._form = form
        column.addLayout(form)
        self.buttons, self.ok_button = _buttons(self, tr("Export…"))
        column.addWidget(self.buttons)
        self.span.currentIndexChanged.connect(lambda _i: self._update())
        self.year.valueChanged.connect(lambda _v: self._fill_months())
        self._fill_months(month)
        self._update()

    def _fill_months(self, month: int | None = None) -> None:
        chosen = month or self.month.currentData() or 1
        self.month.clear()
        for m in range(1, 13):
            self.month.addItem(month_title(self.year.value(), m), m)
        self.month.setCurrentIndex(max(0, self.month.findData(chosen)))

    def _update(self) -> None:
        self._form.setRowVisible(self.month, self.span.currentData() == "month")

    def choice(self) -> tuple[int, int | None]:
        month = int(self.month.currentData()) if self.span.currentData() == "month" else None
        return self.year.value(), month


class CustomKindDialog(QDialog):
    """Add one of the practice's own kinds of contribution (logged by hand), e.g. "Filmed a
    video": a name, what counts, and its points. What the rules refuse (anything tied to
    reviews, ratings or their sentiment) is said as it is typed, with the reason, and OK
    stays disabled. ``kind()`` is the answer. Signals: QDialog's."""

    def __init__(self, taken: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._taken = taken
        column = _column(
            self,
            tr("Add a kind of contribution"),
            520,
            tr(
                "Something the team does that the app cannot see, such as filming a video "
                "or writing a blog post. People log it by hand."
            ),
        )
        form = QFormLayout()
        self.name = _name_edit(form, tr("Name"), tr("For example: filmed a video for the website"))
        self.description = _note_edit(tr("What counts"))
        self.description.setPlaceholderText(
            tr("For example: a short video about the practice, approved by the office manager")
        )
        form.addRow(tr("What counts"), self.description)
        self.points = _spin(form, tr("Points"), MANUAL_POINTS, 2)
        column.addLayout(form)
        self.refusal = caption("")
        self.refusal.setProperty("error", "true")
        self.refusal.setAccessibleName(tr("Why this cannot be rewarded"))
        column.addWidget(self.refusal)
        self.buttons, self.ok_button = _buttons(self, tr("Add"))
        column.addWidget(self.buttons)
        self.name.textChanged.connect(lambda _t: self._update())
        self.description.textChanged.connect(self._update)
        self._update()

    def refusals(self) -> list[str]:
        return check_rule(self.name.text().strip(), self.description.toPlainText().strip())

    def _update(self) -> None:
        name = self.name.text().strip()
        refusals = self.refusals()
        long_by = len(self.description.toPlainText().strip()) - MAX_DESCRIPTION
        if refusals:
            text = refusal_text(refusals[0])
        elif name and slug_of(name) in self._taken:
            text = tr("There is already a kind with this name. Choose another.")
        elif name and not slug_of(name):
            text = tr("Use some letters or digits in the name.")
        elif long_by > 0:
            text = tr("The description is {n} characters too long.").format(n=long_by)
        else:
            text = ""
        self.refusal.setText(text)
        self.refusal.setVisible(bool(text))
        self.ok_button.setEnabled(bool(name) and not text)

    def kind(self) -> tuple[str, str, int]:
        """(name, description, points)."""
        return (
            self.name.text().strip(),
            self.description.toPlainText().strip(),
            self.points.value(),
        )

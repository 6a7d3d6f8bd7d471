"""The review on the right of the inbox: the review itself (always as plain text), its
sentiment and themes, who it is assigned to, and the triage, step by step: is it a real
person? what kind? does it matter? what do we do?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.reviews.model import (
    Assessment,
    Authenticity,
    Decision,
    Review,
    ReviewStatus,
    ReviewType,
)
from core.reviews.service import MIN_REASON
from core.staff.model import StaffMember
from gui.reviews.wording import (
    decision_label,
    long_date,
    reach_label,
    review_type_label,
    sentiment_label,
    sentiment_tone,
    severity_label,
    source_label,
    stars,
    stars_spoken,
    status_label,
    status_tone,
    theme_label,
)
from gui.widgets import Badge, Card, button, caption, plain_label, repolish

REASON_DECISIONS = frozenset(
    {Decision.NO_RESPONSE, Decision.ESCALATE_MANAGER, Decision.ESCALATE_DOCTOR}
)
"""Decisions that need a written reason (recorded with the assessment)."""
SAFE_URL_SCHEMES = ("https", "http")


def open_url(url: QUrl) -> bool:
    """Open ``url`` in the browser (a seam for tests)."""
    return QDesktopServices.openUrl(url)


def web_url(text: str) -> QUrl | None:
    """The review's page as a web address, or ``None`` for anything else (``file:``,
    ``javascript:`` and the like from an imported file are never opened)."""
    url = QUrl(text.strip(), QUrl.ParsingMode.StrictMode)
    if not url.isValid() or url.scheme().lower() not in SAFE_URL_SCHEMES or not url.host():
        return None
    return url


@dataclass(frozen=True, slots=True)
class TriageChoice:
    """What the person chose in the four steps (the reason is trimmed)."""

    authenticity: Authenticity
    review_type: ReviewType
    reach: int
    severity: int
    decision: Decision
    reason: str


def _chip(text: str, tip: str = "") -> QPushButton:
    chip = QPushButton(text)
    chip.setProperty("chip", "true")
    chip.setCheckable(True)
    chip.setCursor(Qt.CursorShape.PointingHandCursor)
    if tip:
        chip.setToolTip(tip)
    return chip


class ChipGroup(QWidget):
    """One step's choices as a row of exclusive chips; ``value()`` is the chosen one's value.

    Signals: none of its own; ``group.idToggled`` tells about changes.
    """

    def __init__(
        self,
        choices: Sequence[tuple[object, str, str]],
        parent: QWidget | None = None,
        *,
        per_row: int = 0,
    ) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(6)
        outer.addLayout(row)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.values: list[object] = []
        self.buttons: list[QAbstractButton] = []
        for number, (value, text, tip) in enumerate(choices):
            chip = _chip(text, tip)
            self.group.addButton(chip, number)
            self.values.append(value)
            self.buttons.append(chip)
            if per_row and number and number % per_row == 0:
                row.addStretch(1)
                row = QHBoxLayout()
                row.setSpacing(6)
                outer.addLayout(row)
            row.addWidget(chip)
        row.addStretch(1)

    def value(self) -> object | None:
        chosen = self.group.checkedId()
        return self.values[chosen] if chosen >= 0 else None

    def set_value(self, value: object | None) -> None:
        if value is None or value not in self.values:
            self.group.setExclusive(False)
            for chip in self.buttons:
                chip.setChecked(False)
            self.group.setExclusive(True)
            return
        self.buttons[self.values.index(value)].setChecked(True)

    def button_for(self, value: object) -> QAbstractButton:
        return self.buttons[self.values.index(value)]


class TriagePanel(Card):
    """The assessment, step by step, and the decision.

    Signals:
        assess_requested(object): a complete ``TriageChoice`` to record.
    """

    assess_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Triage"), parent)
        self.status = caption("", wrap=False)
        self.header.addWidget(self.status)
        steps = QVBoxLayout()
        steps.setSpacing(4)
        self.body.addLayout(steps)
        self.authenticity = ChipGroup(
            [
                (Authenticity.LIKELY_REAL, self.tr("Likely real"), ""),
                (
                    Authenticity.SUSPICIOUS,
                    self.tr("Suspicious"),
                    self.tr("New account, no other reviews, copied wording…"),
                ),
                (Authenticity.SPAM, self.tr("Spam or fake"), ""),
            ]
        )
        self.review_type = ChipGroup(
            [
                (ReviewType.PRAISE, self.tr("Praise"), ""),
                (ReviewType.MISUNDERSTANDING, self.tr("Misunderstanding"), ""),
                (
                    ReviewType.FIXABLE_PROBLEM,
                    self.tr("Fixable problem"),
                    review_type_label(ReviewType.FIXABLE_PROBLEM),
                ),
                (ReviewType.TROLL, self.tr("Troll"), ""),
                (ReviewType.SPAM, self.tr("Spam"), ""),
            ],
            per_row=3,
        )
        self.reach = ChipGroup(
            [(n, str(n), reach_label(n)) for n in (1, 2, 3)],
        )
        self.severity = ChipGroup(
            [(n, str(n), severity_label(n)) for n in (1, 2, 3)],
        )
        matters = QHBoxLayout()
        matters.setSpacing(8)
        reach_caption = caption(self.tr("Reach"), wrap=False)
        reach_caption.setToolTip(self.tr("How many people will read it (1 few … 3 many)"))
        matters.addWidget(reach_caption)
        matters.addWidget(self.reach)
        matters.addSpacing(12)
        severity_caption = caption(self.tr("Severity"), wrap=False)
        severity_caption.setToolTip(self.tr("How serious it is (1 mild … 3 grave accusation)"))
        matters.addWidget(severity_caption)
        matters.addWidget(self.severity)
        matters.addStretch(1)
        self.decision = ChipGroup(
            [
                (Decision.RESPOND, self.tr("Respond"), ""),
                (
                    Decision.NO_RESPONSE,
                    self.tr("No response"),
                    self.tr("Trolls and spam: say why, it is recorded"),
                ),
                (Decision.ESCALATE_MANAGER, self.tr("To the manager"), ""),
                (Decision.ESCALATE_DOCTOR, self.tr("To the doctor"), ""),
            ],
            per_row=2,
        )
        self._build_steps(steps, matters)

    def _build_steps(self, column: QVBoxLayout, matters: QHBoxLayout) -> None:
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Why? (recorded with your name)"))
        self.reason.setAccessibleName(self.tr("Reason for the decision"))
        self.reason.setMaxLength(500)
        self.step_labels: list[QLabel] = []
        steps: list[tuple[str, QWidget | QHBoxLayout]] = [
            (self.tr("Real person?"), self.authenticity),
            (self.tr("What kind?"), self.review_type),
            (self.tr("Does it matter?"), matters),
            (self.tr("Decision"), self.decision),
        ]
        for number, (title, content) in enumerate(steps, start=1):
            label = plain_label(f"{number}. {title}")
            label.setProperty("muted", "true")
            self.step_labels.append(label)
            if number > 1:
                column.addSpacing(8)
            column.addWidget(label)
            if isinstance(content, QHBoxLayout):
                column.addLayout(content)
            else:
                column.addWidget(content)
        column.addWidget(self.reason)
        actions = QHBoxLayout()
        self.hint = caption("")
        actions.addWidget(self.hint, 1)
        self.save_button = button(self.tr("Record the decision"), "check-circle", "primary")
        self.save_button.clicked.connect(self._save)
        actions.addWidget(self.save_button)
        self.body.addLayout(actions)
        for group in (self.authenticity, self.review_type, self.reach, self.severity):
            group.group.idToggled.connect(lambda _i, _on: self._update())
        self.authenticity.group.idToggled.connect(self._authenticity_chosen)
        self.review_type.group.idToggled.connect(self._type_chosen)
        self.decision.group.idToggled.connect(lambda _i, _on: self._update())
        self.reason.textChanged.connect(lambda _t: self._update())
        self.reason.returnPressed.connect(self._save)
        self._editable = True
        self._update()

    # --- showing ---------------------------------------------------------------------------
    def show_assessment(
        self, assessment: Assessment | None, *, editable: bool, assessor_name: str = ""
    ) -> None:
        """Fill the steps from a recorded assessment (or empty them); ``editable`` says whether
        the person may (re)decide now."""
        self._editable = editable
        for group, value in (
            (self.authenticity, assessment.authenticity if assessment else None),
            (self.review_type, assessment.review_type if assessment else None),
            (self.reach, assessment.reach if assessment else None),
            (self.severity, assessment.severity if assessment else None),
            (self.decision, assessment.decision if assessment else None),
        ):
            group.group.blockSignals(True)
            group.set_value(value)
            group.group.blockSignals(False)
        self.reason.setText(assessment.reason if assessment else "")
        if assessment is not None:
            self.status.setText(
                self.tr("{decision} · {who}, {when}").format(
                    decision=decision_label(assessment.decision),
                    who=assessor_name or self.tr("someone"),
                    when=long_date(assessment.assessed_at),
                )
            )
        else:
            self.status.setText(self.tr("Not assessed yet"))
        for widget in (
            self.authenticity,
            self.review_type,
            self.reach,
            self.severity,
            self.decision,
            self.reason,
        ):
            widget.setEnabled(editable)
        self._update()

    def choice(self) -> TriageChoice | None:
        """The complete choice, or ``None`` while a step (or a needed reason) is missing."""
        values = (
            self.authenticity.value(),
            self.review_type.value(),
            self.reach.value(),
            self.severity.value(),
            self.decision.value(),
        )
        if any(v is None for v in values):
            return None
        authenticity, review_type, reach, severity, decision = values
        assert isinstance(decision, Decision)
        reason = self.reason.text().strip()
        if decision in REASON_DECISIONS and len(reason) < MIN_REASON:
            return None
        return TriageChoice(
            Authenticity(str(authenticity)),
            ReviewType(str(review_type)),
            int(str(reach)),
            int(str(severity)),
            decision,
            reason,
        )

    def focus_first(self) -> None:
        """Put the keyboard on the first step that still needs an answer."""
        for group in (
            self.authenticity,
            self.review_type,
            self.reach,
            self.severity,
            self.decision,
        ):
            if group.value() is None:
                group.buttons[0].setFocus()
                return
        self.save_button.setFocus()

    # --- behaviour -------------------------------------------------------------------------
    def _authenticity_chosen(self, _id: int, on: bool) -> None:
        if on and self.authenticity.value() is Authenticity.SPAM:
            self.review_type.set_value(ReviewType.SPAM)

    def _type_chosen(self, _id: int, on: bool) -> None:
        if not on or self.decision.value() is not None:
            return
        kind = self.review_type.value()
        if kind in (ReviewType.TROLL, ReviewType.SPAM):
            self.decision.set_value(Decision.NO_RESPONSE)
        elif kind is not None:
            self.decision.set_value(Decision.RESPOND)

    def _update(self) -> None:
        decision = self.decision.value()
        needs_reason = decision in REASON_DECISIONS
        self.reason.setVisible(needs_reason)
        for number, group in enumerate((self.authenticity, self.review_type, None, self.decision)):
            done = (
                self.reach.value() is not None and self.severity.value() is not None
                if group is None
                else group.value() is not None
            )
            label = self.step_labels[number]
            label.setProperty("muted", "false" if done else "true")
            repolish(label)
        missing = self.choice() is None
        self.save_button.setEnabled(self._editable and not missing)
        if not self._editable:
            self.hint.setText("")
        elif needs_reason and len(self.reason.text().strip()) < MIN_REASON:
            self.hint.setText(
                self.tr("Write down why (a short sentence): it is kept with the review.")
            )
        elif missing:
            self.hint.setText(self.tr("Answer each step, then record the decision."))
        else:
            self.hint.setText("")

    def _save(self) -> None:
        choice = self.choice()
        if choice is not None and self._editable:
            self.assess_requested.emit(choice)


class ReviewCard(Card):
    """The review as collected: source, stars, sentiment, author, date, a link to its page,
    its themes, and the text (plain text: markup in a review shows as typed).

    Signals:
        assign_requested(object): the staff id (``int``) or ``None`` chosen in "Assigned to".
    """

    assign_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.review: Review | None = None
        top = QHBoxLayout()
        top.setSpacing(8)
        self.source_label = plain_label("")
        self.source_label.setProperty("heading", "3")
        top.addWidget(self.source_label)
        self.stars_label = plain_label("")
        self.stars_label.setObjectName("ReviewStars")
        top.addWidget(self.stars_label)
        self.sentiment = Badge("", "neutral")
        top.addWidget(self.sentiment)
        self.status_badge = Badge("", "neutral")
        top.addWidget(self.status_badge)
        top.addStretch(1)
        self.body.addLayout(top)
        self.author_label = plain_label("", wrap=True)
        self.author_label.setProperty("heading", "3")
        self.date_label = caption("", wrap=False)
        who = QHBoxLayout()
        who.setSpacing(8)
        who.addWidget(self.author_label, 1)
        who.addWidget(self.date_label)
        self.body.addLayout(who)
        self.text = plain_label("", wrap=True)
        self.text.setObjectName("ReviewText")
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setAccessibleName(self.tr("Review text"))
        self.body.addWidget(self.text)
        self.themes_row = QHBoxLayout()
        self.themes_row.setSpacing(6)
        self.body.addLayout(self.themes_row)
        self.theme_badges: list[Badge] = []
        assign = QHBoxLayout()
        assign_label = caption(self.tr("Assigned to"), wrap=False)
        assign.addWidget(assign_label)
        self.assignee = QComboBox()
        self.assignee.setAccessibleName(self.tr("Assigned to"))
        assign_label.setBuddy(self.assignee)
        self.assignee.activated.connect(self._assignee_chosen)
        assign.addWidget(self.assignee)
        assign.addStretch(1)
        self.link_button = button(self.tr("Open its page"), "eye", "ghost")
        self.link_button.setToolTip(self.tr("Open the review on the website"))
        self.link_button.clicked.connect(self.open_page)
        assign.addWidget(self.link_button)
        self.body.addLayout(assign)

    def show_review(
        self, review: Review, staff: Sequence[StaffMember], *, can_assign: bool
    ) -> None:
        self.review = review
        self.source_label.setText(source_label(review.source))
        self.stars_label.setText(stars(review.rating))
        self.stars_label.setAccessibleName(stars_spoken(review.rating))
        self.stars_label.setVisible(review.rating is not None)
        self.sentiment.setText(sentiment_label(review.sentiment))
        self.sentiment.set_tone(sentiment_tone(review.sentiment))
        self.sentiment.setToolTip(
            self.tr("Sentiment of the words and stars (score {score:+.2f})").format(
                score=review.sentiment_score
            )
        )
        self.status_badge.setText(status_label(review.status))
        self.status_badge.set_tone(status_tone(review.status))
        self.author_label.setText(review.author or self.tr("(anonymous)"))
        self.date_label.setText(long_date(review.posted_at))
        self.text.setText(review.text)
        self.link_button.setEnabled(web_url(review.url) is not None)
        for badge in self.theme_badges:
            self.themes_row.removeWidget(badge)
            badge.deleteLater()
        self.theme_badges = []
        stretch = self.themes_row.takeAt(self.themes_row.count() - 1)
        del stretch
        for theme in review.themes:
            badge = Badge(theme_label(theme), "info")
            self.themes_row.addWidget(badge)
            self.theme_badges.append(badge)
        self.themes_row.addStretch(1)
        self.assignee.blockSignals(True)
        self.assignee.clear()
        self.assignee.addItem(self.tr("Nobody"), None)
        for member in staff:
            if member.active or member.id == review.assignee_id:
                self.assignee.addItem(member.display_name, member.id)
        current = self.assignee.findData(review.assignee_id)
        self.assignee.setCurrentIndex(max(0, current))
        self.assignee.blockSignals(False)
        self.assignee.setEnabled(can_assign)

    def clear(self) -> None:
        self.review = None
        for label in (self.source_label, self.stars_label, self.author_label, self.date_label):
            label.setText("")
        self.text.setText("")
        self.assignee.clear()
        for badge in self.theme_badges:
            badge.deleteLater()
        self.theme_badges = []

    def open_page(self) -> bool:
        """Open the review's page in the browser (only a web address)."""
        url = web_url(self.review.url) if self.review is not None else None
        return open_url(url) if url is not None else False

    def _assignee_chosen(self, index: int) -> None:
        if self.review is None:
            return
        chosen = self.assignee.itemData(index)
        if chosen != self.review.assignee_id:
            self.assign_requested.emit(chosen)


CLOSED_FOR_TRIAGE = frozenset({ReviewStatus.REPLIED})
"""Once replied, the triage is history: shown, not changed."""

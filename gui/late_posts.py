"""Asking about posts whose time passed while the app was closed.

The scheduler never publishes a post more than a few hours late on its own: the person at the
desk decides, per post, to publish it now, to choose a new time (the composer opens on it), or
to leave it for now (it stays on Today).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QLocale, QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.publishing.model import LatePost


class LateChoice(StrEnum):
    PUBLISH_NOW = "publish_now"
    RESCHEDULE = "reschedule"
    LEAVE = "leave"


def platform_names(platforms: Sequence[str]) -> str:
    """The platforms' names as people know them, comma-separated."""
    from core.platforms import default_rules

    rules = default_rules()
    names = []
    for platform in platforms:
        try:
            names.append(rules.rule(platform).name)
        except ValueError:
            names.append(platform)
    return ", ".join(names)


def due_text(post: LatePost, tz: ZoneInfo) -> str:
    """ "Tue, Nov 3, 4:00 PM" in the practice's time zone and the user's locale."""
    local = post.scheduled_at.astimezone(tz)
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    day = locale.toString(QDate(local.year, local.month, local.day), "ddd, MMM d")
    time = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    return f"{day}, {time}"


class _Row(QFrame):
    """One late post: when it was due, where, and the three choices."""

    def __init__(self, post: LatePost, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.post = post
        layout = QVBoxLayout(self)
        where = platform_names(post.platforms)
        self.label = QLabel(
            self.tr("Post #{id}, due {when} on {platforms}").format(
                id=post.post_id, when=due_text(post, tz), platforms=where
            )
        )
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        choices = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.buttons: dict[LateChoice, QRadioButton] = {}
        for choice, text in (
            (LateChoice.PUBLISH_NOW, self.tr("Publish now")),
            (LateChoice.RESCHEDULE, self.tr("Reschedule")),
            (LateChoice.LEAVE, self.tr("Leave it for now")),
        ):
            radio = QRadioButton(text)
            self.group.addButton(radio)
            self.buttons[choice] = radio
            choices.addWidget(radio)
        choices.addStretch(1)
        self.buttons[LateChoice.LEAVE].setChecked(True)
        layout.addLayout(choices)

    @property
    def choice(self) -> LateChoice:
        return next(c for c, b in self.buttons.items() if b.isChecked())


class LatePostsDialog(QDialog):
    """Per late post: publish now, reschedule, or leave it. Opened with ``open()`` (never a
    blocking ``exec()``); read ``choices()`` once it is accepted."""

    def __init__(
        self, posts: Sequence[LatePost], tz: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Posts that did not go out on time"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "These posts were scheduled while the app was closed, and their time passed "
                "more than a few hours ago. Nothing was published without asking you."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.rows = [_Row(post, tz, self) for post in posts]
        for row in self.rows:
            layout.addWidget(row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Done"))
        self.buttons.accepted.connect(self.accept)
        layout.addWidget(self.buttons)

    def choose(self, post_id: int, choice: LateChoice) -> None:
        """Pick ``choice`` for the post (as clicking its button does)."""
        row = next(r for r in self.rows if r.post.post_id == post_id)
        row.buttons[choice].setChecked(True)

    def choices(self) -> dict[int, LateChoice]:
        return {row.post.post_id: row.choice for row in self.rows}

"""The composer's "Approval" card: what changed since the last approval (word by word), the
post's history and its comments, and a field to add one."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from core.composer.model import Change, ChangeKind, DiffOp, Post, PostState
from core.composer.ports import PostHistory
from gui import theme
from gui.composer.wording import platform_name, state_label
from gui.widgets import Card, button, caption, plain_label

MAX_TRANSITIONS_SHOWN = 6


def diff_html(change: Change) -> str:
    """A text change as rich text: removed words struck through in red, added ones underlined
    in green. Every word is escaped: the post's text is never interpreted as markup."""
    palette = theme.current()
    parts: list[str] = []
    for segment in change.segments:
        text = html.escape(segment.text).replace("\n", "<br>")
        if segment.op is DiffOp.INSERT:
            parts.append(
                f'<span style="background:{palette.success_soft}; color:{palette.success};'
                f' text-decoration: underline;">{text}</span>'
            )
        elif segment.op is DiffOp.DELETE:
            parts.append(
                f'<span style="background:{palette.danger_soft}; color:{palette.danger};'
                f' text-decoration: line-through;">{text}</span>'
            )
        else:
            parts.append(text)
    return "".join(parts)


class ReviewPanel(Card):
    """Approval context for the post being edited.

    Signals:
        comment_added(str): the person wrote a comment and pressed Add.
    """

    comment_added = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Approval and comments"), parent)
        self.setObjectName("ReviewPanel")
        self.summary = caption("")
        self.body.addWidget(self.summary)
        self.changes_box = QVBoxLayout()
        self.changes_box.setSpacing(6)
        self.body.addLayout(self.changes_box)
        self.history_box = QVBoxLayout()
        self.history_box.setSpacing(2)
        self.body.addLayout(self.history_box)
        self.comments_box = QVBoxLayout()
        self.comments_box.setSpacing(6)
        self.body.addLayout(self.comments_box)
        row = QHBoxLayout()
        self.comment_field = QLineEdit()
        self.comment_field.setPlaceholderText(self.tr("Add a comment for the team…"))
        self.comment_field.setAccessibleName(self.tr("Comment"))
        self.comment_field.setMaxLength(2000)
        row.addWidget(self.comment_field, 1)
        self.add_button = button(self.tr("Add"))
        self.add_button.setEnabled(False)
        row.addWidget(self.add_button)
        self.body.addLayout(row)
        self.comment_field.textChanged.connect(
            lambda text: self.add_button.setEnabled(bool(text.strip()))
        )
        self.comment_field.returnPressed.connect(self._add)
        self.add_button.clicked.connect(self._add)
        self.change_labels: list[QLabel] = []
        self.comment_labels: list[QLabel] = []

    def show_post(
        self,
        post: Post,
        changes: Sequence[Change],
        history: PostHistory | None,
        names: Mapping[int, str],
        *,
        tz: ZoneInfo,
        when_text: Callable[[datetime, ZoneInfo], str],
    ) -> None:
        _clear(self.changes_box)
        _clear(self.history_box)
        _clear(self.comments_box)
        self.change_labels = []
        self.comment_labels = []
        author = names.get(post.author_id, "?")
        summary = self.tr("Written by {author}.").format(author=author)
        if post.state is PostState.IN_REVIEW:
            summary += " " + self.tr(
                "Waiting for someone with the approver role other than {editor}."
            ).format(editor=names.get(post.last_editor_id, "?"))
        elif post.approver_id is not None and post.state is not PostState.DRAFT:
            summary += " " + self.tr("Approved by {approver}.").format(
                approver=names.get(post.approver_id, "?")
            )
        self.summary.setText(summary)
        if changes and post.state is PostState.IN_REVIEW:
            self.changes_box.addWidget(plain_label(self.tr("Changed since it was last approved:")))
            for change in changes:
                self.changes_box.addWidget(self._change_label(change))
        if history is None:
            return
        steps = history.transitions[-MAX_TRANSITIONS_SHOWN:]
        for step in steps:
            who = (
                names.get(step.actor_id, "?")
                if step.actor_id is not None
                else self.tr("the scheduler")
            )
            line = self.tr("{when}: {state} ({who})").format(
                when=when_text(step.at, tz), state=state_label(step.to_state), who=who
            )
            if step.note:
                line += f" \u2014 {step.note}"
            self.history_box.addWidget(caption(line))
        for remark in history.comments:
            label = plain_label(
                f"{names.get(remark.author_id, '?')} \u00b7 {when_text(remark.at, tz)}\n"
                f"{remark.text}",
                wrap=True,
            )
            label.setObjectName("Comment")
            self.comments_box.addWidget(label)
            self.comment_labels.append(label)

    def clear(self) -> None:
        for box in (self.changes_box, self.history_box, self.comments_box):
            _clear(box)
        self.summary.setText("")
        self.comment_field.clear()
        self.change_labels = []
        self.comment_labels = []

    def _change_label(self, change: Change) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        where = platform_name(change.platform)
        if change.kind is ChangeKind.TEXT_CHANGED:
            label.setText(f"<b>{html.escape(where)}</b>: {diff_html(change)}")
        elif change.kind is ChangeKind.PLATFORM_ADDED:
            label.setText(html.escape(self.tr("Added platform: {p}").format(p=where)))
        elif change.kind is ChangeKind.PLATFORM_REMOVED:
            label.setText(html.escape(self.tr("Removed platform: {p}").format(p=where)))
        elif change.kind is ChangeKind.MEDIA_ADDED:
            label.setText(html.escape(self.tr("A photo was added.")))
        else:
            label.setText(html.escape(self.tr("A photo was removed.")))
        self.change_labels.append(label)
        return label

    def _add(self) -> None:
        text = self.comment_field.text().strip()
        if text:
            self.comment_added.emit(text)
            self.comment_field.clear()


def _clear(box: QVBoxLayout) -> None:
    while box.count():
        item = box.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()

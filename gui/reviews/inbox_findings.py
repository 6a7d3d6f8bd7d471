"""The reply check's result under the reply: each finding with why it matters and what to
write instead, a way to let it through with a written reason, and safer sentences to insert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.phi import Finding
from gui import icons
from gui.reviews.wording import finding_fix, finding_title, finding_why
from gui.widgets import button, caption, plain_label, repolish

OverrideKey = tuple[str, str]
"""A finding as a chosen override: (kind, hash of the flagged words). Positions are left out:
typing before the words moves them."""


@dataclass(frozen=True, slots=True)
class Checked:
    """The reply check of ``text``: each finding with the hash of its flagged words (how an
    override names it), and safer sentences to use instead."""

    text: str
    findings: tuple[tuple[Finding, str], ...]
    rewrites: tuple[str, ...]

    def key(self, finding: Finding) -> OverrideKey:
        return next((f.kind, h) for f, h in self.findings if f is finding)


class FindingsPanel(QFrame):
    """The reply check's result: each finding with why and what to write instead, and safer
    sentences to insert.

    Signals:
        override_requested(object): let this ``Finding`` through (a reason is asked).
        override_undone(object): take back a chosen override (the ``Finding``).
        insert_requested(str): put this safe sentence into the reply.
        finding_clicked(object): select this ``Finding`` in the reply.
    """

    override_requested = Signal(object)
    override_undone = Signal(object)
    insert_requested = Signal(str)
    finding_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(8)
        self.status = plain_label("")
        self.status.setObjectName("ReplyCheckStatus")
        self.column.addWidget(self.status)
        self.rows: list[QWidget] = []
        self._titles: dict[QObject, Finding] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and watched in self._titles:
            self.finding_clicked.emit(self._titles[watched])
            return True
        return super().eventFilter(watched, event)

    def _clear(self) -> None:
        self._titles = {}
        for row in self.rows:
            self.column.removeWidget(row)
            row.deleteLater()
        self.rows = []

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", "true" if error else "false")
        repolish(self.status)

    def show_nothing(self) -> None:
        self._clear()
        self.show_status("")

    def show_result(
        self,
        checked: Checked,
        chosen: dict[OverrideKey, str],
        recorded: dict[OverrideKey, str],
        *,
        editable: bool,
    ) -> None:
        self._clear()
        text, findings, rewrites = checked.text, checked.findings, checked.rewrites
        open_count = 0
        for f, digest in findings:
            key = (f.kind, digest)
            reason = chosen.get(key) or recorded.get(key)
            open_count += reason is None
            self._add(self._finding_row(text, f, reason, key in chosen, editable))
        if open_count:
            self.show_status(
                self.tr("1 thing to fix before this reply can go out")
                if open_count == 1
                else self.tr("{n} things to fix before this reply can go out").format(n=open_count),
                error=True,
            )
        elif findings:
            self.show_status(self.tr("Everything flagged was let through with a reason."))
        elif text.strip():
            self.show_status(self.tr("No patient information found."))
        else:
            self.show_status("")
        if rewrites and open_count and editable:
            self._add(self._rewrites(rewrites))

    def _add(self, row: QWidget) -> None:
        self.column.addWidget(row)
        self.rows.append(row)

    def _finding_row(
        self, text: str, f: Finding, reason: str | None, undoable: bool, editable: bool
    ) -> QWidget:
        frame = QFrame()
        frame.setObjectName("ReplyFinding")
        column = QVBoxLayout(frame)
        column.setContentsMargins(0, 2, 0, 2)
        column.setSpacing(2)
        top = QHBoxLayout()
        mark = QLabel()
        icons.bind_pixmap(
            mark,
            "check-circle" if reason is not None else "shield-alert",
            18,
            "muted" if reason is not None else "danger",
        )
        top.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        words = text[f.start : f.end]
        title = plain_label(f"{finding_title(f.kind)}: \u201c{words}\u201d", wrap=True)
        if reason is None:
            title.setProperty("heading", "3")
        title.setCursor(Qt.CursorShape.PointingHandCursor)
        title.setToolTip(self.tr("Show it in the reply"))
        title.installEventFilter(self)
        self._titles[title] = f
        top.addWidget(title, 1)
        if editable and reason is None:
            safe = button(self.tr("It's safe…"), kind="ghost")
            safe.setToolTip(self.tr("Let it through with a written reason"))
            safe.clicked.connect(lambda _c=False, item=f: self.override_requested.emit(item))
            top.addWidget(safe, 0, Qt.AlignmentFlag.AlignTop)
        elif editable and undoable:
            undo = button(self.tr("Undo"), kind="ghost")
            undo.clicked.connect(lambda _c=False, item=f: self.override_undone.emit(item))
            top.addWidget(undo, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        if reason is not None:
            column.addWidget(caption(self.tr("Let through: {reason}").format(reason=reason)))
        else:
            column.addWidget(caption(f"{finding_why(f.kind)} {finding_fix(f.kind)}"))
        return frame

    def _rewrites(self, rewrites: Sequence[str]) -> QWidget:
        frame = QFrame()
        column = QVBoxLayout(frame)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(4)
        column.addWidget(caption(self.tr("Safer sentences you can use instead:")))
        for sentence in rewrites:
            row = QHBoxLayout()
            row.addWidget(plain_label(f"\u201c{sentence}\u201d", wrap=True), 1)
            use = button(self.tr("Insert"), "plus", "ghost")
            use.setToolTip(self.tr("Put this sentence into the reply"))
            use.clicked.connect(lambda _c=False, s=sentence: self.insert_requested.emit(s))
            row.addWidget(use, 0, Qt.AlignmentFlag.AlignTop)
            column.addLayout(row)
        return frame

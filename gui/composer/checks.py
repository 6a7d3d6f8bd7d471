"""The composer's "Checks" card: possible patient information (each with why, what to do and a
way to let it through with a written reason), what blocks the post, and advice."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.composer.check import CheckResult, PostFinding
from core.composer.model import Advice
from gui import icons
from gui.composer.wording import (
    advice_text,
    finding_explanation,
    finding_title,
    platform_name,
    problem_text,
)
from gui.widgets import Card, button, caption, plain_label

FindingKey = tuple[str | None, str, str]
"""A finding as the editor tracks a chosen override: (platform, kind, hash of the flagged
words). Positions are left out: typing before the words moves them."""


def finding_key(item: PostFinding) -> FindingKey:
    return (item.platform, item.finding.kind, item.text_hash)


class ChecksPanel(Card):
    """Shows a ``CheckResult`` for the post being edited.

    Signals:
        override_requested(object): the person wants to let a ``PostFinding`` through.
        override_undone(object): a pending (not yet submitted) override was taken back.
        finding_clicked(object): show this ``PostFinding`` in the editor.
    """

    override_requested = Signal(object)
    override_undone = Signal(object)
    finding_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Checks"), parent)
        self.setObjectName("ChecksPanel")
        self.status = plain_label("")
        self.status.setObjectName("ChecksStatus")
        self.header.addWidget(self.status)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(8)
        self.body.addLayout(self.rows)
        self.finding_rows: list[QWidget] = []
        self.problem_labels: list[QLabel] = []
        self.advice_labels: list[QLabel] = []
        self._texts: dict[str | None, str] = {}
        self.show_pending()

    def show_pending(self) -> None:
        """Nothing checked yet (a new post, or the text just changed a lot)."""
        self._clear()
        self.status.setText(self.tr("Checking…"))

    def show_result(
        self,
        result: CheckResult,
        texts: dict[str | None, str],
        pending: dict[FindingKey, str],
        reasons: Callable[[PostFinding], str],
        *,
        editable: bool,
        photo_problems: int = 0,
    ) -> None:
        """``texts`` are the texts that were checked (to quote the flagged words); ``pending``
        the overrides chosen but not yet submitted (key → reason); ``reasons`` gives the
        recorded reason of an overridden finding; ``photo_problems`` counts attached photos
        that cannot go out (the photo strip says why)."""
        self._clear()
        self._texts = texts
        open_count = sum(
            1 for f in result.findings if not f.overridden and finding_key(f) not in pending
        )
        blocking = open_count + len(result.problems) + photo_problems
        if blocking:
            self.status.setText(self.tr("{n} to fix").format(n=blocking))
            self.status.setProperty("error", "true")
        else:
            self.status.setText(self.tr("Ready"))
            self.status.setProperty("error", "false")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        for item in result.findings:
            row = self._finding_row(item, pending.get(finding_key(item)), reasons, editable)
            self.rows.addWidget(row)
            self.finding_rows.append(row)
        for problem in result.problems:
            label = self._line("alert-octagon", "danger", problem_text(problem))
            self.problem_labels.append(label)
        if photo_problems:
            text = (
                self.tr("A photo cannot go out yet: see Photos, under the text.")
                if photo_problems == 1
                else self.tr("{n} photos cannot go out yet: see Photos, under the text.")
            )
            label = self._line("alert-octagon", "danger", text.format(n=photo_problems))
            self.problem_labels.append(label)
        grouped: dict[tuple[str, tuple[tuple[str, object], ...]], list[Advice]] = {}
        for advice in result.advice:
            key = (advice.code, tuple(sorted(advice.params.items())))
            grouped.setdefault(key, []).append(advice)
        for same in grouped.values():
            platforms = [a.platform for a in same if a.platform is not None]
            label = self._line("info", "info", advice_text(same[0], platforms))
            self.advice_labels.append(label)
        if not (result.findings or result.problems or result.advice or photo_problems):
            self._line(
                "check-circle",
                "success",
                self.tr("No patient information found, and the post fits every platform."),
            )

    # --- rows ------------------------------------------------------------------------------
    def _finding_row(
        self,
        item: PostFinding,
        pending: str | None,
        reasons: Callable[[PostFinding], str],
        editable: bool,
    ) -> QWidget:
        f = item.finding
        frame = QFrame()
        frame.setObjectName("FindingRow")
        frame.setProperty("kind", f.kind)
        frame.setCursor(Qt.CursorShape.PointingHandCursor)
        column = QVBoxLayout(frame)
        column.setContentsMargins(0, 4, 0, 4)
        column.setSpacing(2)
        top = QHBoxLayout()
        mark = QLabel()
        let_through = item.overridden or pending is not None
        icons.bind_pixmap(
            mark,
            "check-circle" if let_through else "shield-alert",
            18,
            "muted" if let_through else "danger",
        )
        top.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        words = self._texts.get(item.platform, "")[f.start : f.end]
        title = plain_label(f"{finding_title(f.kind)}: \u201c{words}\u201d", wrap=True)
        if not let_through:
            title.setProperty("heading", "3")
        top.addWidget(title, 1)
        column.addLayout(top)
        why, fix = finding_explanation(f.kind)
        where = platform_name(item.platform)
        column.addWidget(caption(f"{why} {fix}"))
        if item.overridden:
            column.addWidget(
                caption(
                    self.tr("Let through ({where}): {reason}").format(
                        where=where, reason=reasons(item)
                    )
                )
            )
        elif pending is not None:
            row = QHBoxLayout()
            row.addWidget(
                caption(
                    self.tr("Will be let through when you submit: {reason}").format(reason=pending)
                ),
                1,
            )
            undo = button(self.tr("Undo"), kind="ghost")
            undo.clicked.connect(lambda: self.override_undone.emit(item))
            undo.setEnabled(editable)
            row.addWidget(undo)
            column.addLayout(row)
        else:
            row = QHBoxLayout()
            row.addWidget(caption(self.tr("In: {where}").format(where=where)), 1)
            show = button(self.tr("Show"), kind="ghost")
            show.clicked.connect(lambda: self.finding_clicked.emit(item))
            row.addWidget(show)
            allow = button(self.tr("Not patient information…"))
            allow.setToolTip(self.tr("Let this through with a written reason (recorded)."))
            allow.setEnabled(editable)
            allow.clicked.connect(lambda: self.override_requested.emit(item))
            row.addWidget(allow)
            column.addLayout(row)
        return frame

    def _line(self, icon_name: str, tone: str, text: str) -> QLabel:
        row = QHBoxLayout()
        mark = QLabel()
        icons.bind_pixmap(mark, icon_name, 18, tone)
        row.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        label = plain_label(text, wrap=True)
        row.addWidget(label, 1)
        holder = QWidget()
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.rows.addWidget(holder)
        return label

    def _clear(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.finding_rows = []
        self.problem_labels = []
        self.advice_labels = []

    def texts(self) -> Sequence[str]:
        """Every line shown (for tests and screen readers)."""
        found: list[str] = []
        for index in range(self.rows.count()):
            item = self.rows.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                found.extend(label.text() for label in widget.findChildren(QLabel) if label.text())
        return found

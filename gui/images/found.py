"""The side panel's lists of what is in the photo: the people (each detected face or person
added by hand, and who they are), the lines of text the scan read (with their risk), and the
redactions. Every row's actions are buttons, so all of it works from the keyboard; choosing a
row outlines its box on the photo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.imaging.model import (
    Box,
    ImageRecord,
    Person,
    PersonKind,
    RedactionStyle,
    TextRisk,
)
from core.staff.model import StaffMember
from gui.images.wording import (
    finding_kind_label,
    person_kind_label,
    risk_label,
    style_label,
)
from gui.widgets import Badge, button, caption, plain_label

PERSON_TONES = {
    PersonKind.UNRESOLVED: "warning",
    PersonKind.PATIENT: "success",
    PersonKind.STAFF: "info",
    PersonKind.REDACTED: "neutral",
}


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            continue
        widget = item.widget()
        if widget is not None:
            widget.setParent(None)
            widget.deleteLater()
        inner = item.layout()
        if inner is not None and isinstance(inner, QVBoxLayout):
            _clear(inner)


def _small(text: str, name: str, kind: str = "default") -> QPushButton:
    widget = button(text, kind=kind)
    widget.setObjectName(name)
    return widget


class PeopleList(QWidget):
    """People in the photo and what each is: a patient with consent, staff, or hidden.

    Signals:
        link(int), staff(int, object), redact(int), unlink(int), remove(int): an action on
            person ``index`` (``staff`` also carries the staff id, or ``None``);
        selected(object): the ``Box`` of the person chosen.
    """

    link = Signal(int)
    staff = Signal(int, object)
    redact = Signal(int)
    unlink = Signal(int)
    remove = Signal(int)
    selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(10)

    def show_record(
        self,
        record: ImageRecord,
        staff: Sequence[StaffMember],
        patient_names: Mapping[int, str],
        editable: bool,
    ) -> None:
        _clear(self.column)
        if not record.people:
            scanned = record.report is not None and record.report.faces_ran
            self.column.addWidget(
                caption(
                    self.tr("No faces found. If someone is in the photo, add them by drawing.")
                    if scanned
                    else self.tr("No people yet.")
                )
            )
            return
        staff_names = {m.id: m.display_name for m in staff}
        for index, person in enumerate(record.people):
            self.column.addWidget(
                self._person_row(index, person, staff, staff_names, patient_names, editable)
            )

    def _person_row(  # noqa: PLR0917 - a row shows all of these
        self,
        index: int,
        person: Person,
        staff: Sequence[StaffMember],
        staff_names: Mapping[int, str],
        patient_names: Mapping[int, str],
        editable: bool,
    ) -> QWidget:
        row = QWidget()
        row_column = QVBoxLayout(row)
        row_column.setContentsMargins(0, 0, 0, 0)
        row_column.setSpacing(4)
        top = QHBoxLayout()
        title = self.tr("Person {n}").format(n=index + 1)
        if person.source == "manual":
            title = self.tr("Person {n} (added by hand)").format(n=index + 1)
        show = _small(title, f"person-{index}-show", "ghost")
        show.setToolTip(self.tr("Outline on the photo"))
        show.clicked.connect(lambda _c=False, b=person.box: self.selected.emit(b))
        top.addWidget(show)
        top.addStretch(1)
        top.addWidget(Badge(person_kind_label(person.kind), PERSON_TONES[person.kind]))
        row_column.addLayout(top)
        who = ""
        if person.kind is PersonKind.PATIENT and person.patient_id is not None:
            who = patient_names.get(person.patient_id, "")
        elif person.kind is PersonKind.STAFF and person.staff_id is not None:
            who = staff_names.get(person.staff_id, "")
        if who:
            row_column.addWidget(plain_label(who))
        actions = QHBoxLayout()
        actions.setSpacing(6)
        if person.kind is PersonKind.UNRESOLVED:
            link = _small(self.tr("Link to patient…"), f"person-{index}-link")
            link.clicked.connect(lambda _c=False, i=index: self.link.emit(i))
            actions.addWidget(link)
            staff_button = _small(self.tr("Staff"), f"person-{index}-staff")
            staff_button.setMenu(self._staff_menu(index, staff, staff_button))
            actions.addWidget(staff_button)
            redact = _small(self.tr("Redact"), f"person-{index}-redact")
            redact.setToolTip(self.tr("Blur this face on export"))
            redact.clicked.connect(lambda _c=False, i=index: self.redact.emit(i))
            actions.addWidget(redact)
        else:
            undo = _small(self.tr("Change…"), f"person-{index}-unlink")
            undo.setToolTip(self.tr("Decide again who this is"))
            undo.clicked.connect(lambda _c=False, i=index: self.unlink.emit(i))
            actions.addWidget(undo)
        if person.source == "manual":
            remove = _small(self.tr("Remove"), f"person-{index}-remove", "ghost")
            remove.clicked.connect(lambda _c=False, i=index: self.remove.emit(i))
            actions.addWidget(remove)
        actions.addStretch(1)
        for i in range(actions.count()):
            item = actions.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QPushButton) and widget is not show:
                widget.setEnabled(editable)
        row_column.addLayout(actions)
        return row

    def _staff_menu(self, index: int, staff: Sequence[StaffMember], parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        for member in staff:
            if not member.active:
                continue
            action = QAction(member.display_name, menu)
            action.triggered.connect(lambda _c=False, i=index, m=member.id: self.staff.emit(i, m))
            menu.addAction(action)
        menu.addSeparator()
        other = QAction(self.tr("Someone on the staff (not in the list)"), menu)
        other.triggered.connect(lambda _c=False, i=index: self.staff.emit(i, None))
        menu.addAction(other)
        return menu


class TextList(QWidget):
    """Lines of text read off the photo, patient information first.

    Signals:
        redact(int): cover text line ``index`` with a black box;
        dismiss(int, bool): mark it as not patient information (or undo that);
        selected(object): the ``Box`` of the line chosen.
    """

    redact = Signal(int)
    dismiss = Signal(int, bool)
    selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(10)

    def show_record(self, record: ImageRecord, editable: bool) -> None:
        _clear(self.column)
        report = record.report
        if report is None:
            self.column.addWidget(caption(self.tr("Not scanned yet.")))
            return
        if not report.text_regions:
            self.column.addWidget(
                caption(
                    self.tr("No readable text found. Still look for screens and papers.")
                    if report.ocr_ran
                    else self.tr("Text was not read (see the scan notes above).")
                )
            )
            return
        boxes = tuple(r.box for r in record.redactions)
        order = sorted(
            range(len(report.text_regions)),
            key=lambda i: (report.text_regions[i].risk is not TextRisk.PHI, i),
        )
        for index in order:
            self.column.addWidget(self._text_row(record, index, boxes, editable))

    def _text_row(
        self, record: ImageRecord, index: int, boxes: tuple[Box, ...], editable: bool
    ) -> QWidget:
        assert record.report is not None
        region = record.report.text_regions[index]
        phi = region.risk is TextRisk.PHI
        covered = region.box.covered_by(boxes)
        dismissed = index in record.text_dismissed
        row = QWidget()
        row_column = QVBoxLayout(row)
        row_column.setContentsMargins(0, 0, 0, 0)
        row_column.setSpacing(4)
        top = QHBoxLayout()
        show = _small(self.tr("Line {n}").format(n=index + 1), f"text-{index}-show", "ghost")
        show.setToolTip(self.tr("Outline on the photo"))
        show.clicked.connect(lambda _c=False, b=region.box: self.selected.emit(b))
        top.addWidget(show)
        top.addStretch(1)
        if covered:
            top.addWidget(Badge(self.tr("Redacted"), "success"))
        elif dismissed:
            top.addWidget(Badge(self.tr("Not patient information"), "neutral"))
        else:
            top.addWidget(Badge(risk_label(region.risk), "danger" if phi else "warning"))
        row_column.addLayout(top)
        words = plain_label(f"“{region.text}”", wrap=True)
        words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row_column.addWidget(words)
        if region.findings:
            kinds = list(dict.fromkeys(finding_kind_label(f.kind) for f in region.findings))
            row_column.addWidget(
                caption(self.tr("Looks like: {kinds}").format(kinds=", ".join(kinds)))
            )
        actions = QHBoxLayout()
        actions.setSpacing(6)
        if not covered:
            redact = _small(self.tr("Redact"), f"text-{index}-redact")
            redact.setToolTip(self.tr("Cover this line with a black box on export"))
            redact.clicked.connect(lambda _c=False, i=index: self.redact.emit(i))
            redact.setEnabled(editable)
            actions.addWidget(redact)
        if phi and not covered:
            if dismissed:
                undo = _small(self.tr("Undo “not patient information”"), f"text-{index}-keep")
                undo.clicked.connect(lambda _c=False, i=index: self.dismiss.emit(i, False))
                undo.setEnabled(editable)
                actions.addWidget(undo)
            else:
                dismiss = _small(self.tr("Not patient information"), f"text-{index}-dismiss")
                dismiss.clicked.connect(lambda _c=False, i=index: self.dismiss.emit(i, True))
                dismiss.setEnabled(editable)
                actions.addWidget(dismiss)
        actions.addStretch(1)
        row_column.addLayout(actions)
        return row


class RedactionList(QWidget):
    """The redactions, each with its style and a way to remove it.

    Signals:
        restyled(int, object): redaction ``index`` gets a ``RedactionStyle``;
        removed(int): redaction ``index`` is taken off;
        selected(object): the ``Box`` chosen.
    """

    restyled = Signal(int, object)
    removed = Signal(int)
    selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)

    def show_record(self, record: ImageRecord, editable: bool) -> None:
        _clear(self.column)
        if not record.redactions:
            self.column.addWidget(
                caption(self.tr("None yet. Drag on the photo to draw a box to hide."))
            )
            return
        sources = {
            "face": self.tr("face"),
            "text": self.tr("text"),
            "manual": self.tr("drawn"),
        }
        for index, redaction in enumerate(record.redactions):
            row = QHBoxLayout()
            row.setSpacing(6)
            label = self.tr("Box {n} ({source})").format(
                n=index + 1, source=sources.get(redaction.source, redaction.source)
            )
            show = _small(label, f"redaction-{index}-show", "ghost")
            show.clicked.connect(lambda _c=False, b=redaction.box: self.selected.emit(b))
            row.addWidget(show)
            row.addStretch(1)
            style = QComboBox()
            style.setObjectName(f"redaction-{index}-style")
            style.setAccessibleName(self.tr("Style of box {n}").format(n=index + 1))
            for value in RedactionStyle:
                style.addItem(style_label(value), value.value)
            style.setCurrentIndex(style.findData(redaction.style.value))
            style.setEnabled(editable)
            style.currentIndexChanged.connect(
                lambda _i, i=index, c=style: self.restyled.emit(
                    i, RedactionStyle(str(c.currentData()))
                )
            )
            row.addWidget(style)
            remove = _small(self.tr("Remove"), f"redaction-{index}-remove", "ghost")
            remove.setAccessibleName(self.tr("Remove box {n}").format(n=index + 1))
            remove.setEnabled(editable)
            remove.clicked.connect(lambda _c=False, i=index: self.removed.emit(i))
            row.addWidget(remove)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            self.column.addWidget(holder)

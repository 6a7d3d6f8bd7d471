"""The Consent page's list: search as you type, a status filter with counts, and the
authorizations (or, when searching by name over all statuses, the patients) fetched a page at a
time off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.model import Authorization, AuthorizationStatus, Patient
from core.consent.ports import AuthorizationQuery
from gui import theme
from gui.consent.wording import STATUS_ORDER, long_date, status_label, status_tone
from gui.paging import FilteredListModel, single_shot_timer
from gui.tasks import TaskRunner

PAGE_SIZE = 100
SEARCH_DELAY_MS = 150
Row = tuple[Authorization | None, Patient, AuthorizationStatus | None]
"""One list row: an authorization with its patient and status, or a patient alone (search
over all statuses)."""
PatientRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
DetailRole = Qt.ItemDataRole.UserRole + 3


def _full_name(patient: Patient) -> str:
    name = f"{patient.last_name}, {patient.first_name}".strip(", ")
    return f"{name} ({patient.preferred_name})" if patient.preferred_name else name


class ConsentListModel(FilteredListModel[Row, AuthorizationStatus]):
    """Rows for the list, fetched through the runner: a first page, then more as the view
    scrolls (``canFetchMore``/``fetchMore``). Stale answers (the filter changed meanwhile)
    are dropped."""

    def __init__(self, services: Services, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(runner, parent)
        self._services = services

    # --- Qt model --------------------------------------------------------------------------
    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        auth, patient, status = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _full_name(patient)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            words = [_full_name(patient)]
            if status is not None:
                words.append(status_label(status))
            words.append(self._detail(auth, patient))
            return ". ".join(w for w in words if w)
        if role == PatientRole:
            return patient
        if role == StatusRole:
            return status
        if role == DetailRole:
            return self._detail(auth, patient)
        return None

    def _detail(self, auth: Authorization | None, patient: Patient) -> str:
        if auth is None:
            return patient.phone or (
                self.tr("born {date}").format(date=long_date(patient.date_of_birth))
                if patient.date_of_birth
                else ""
            )
        if auth.expires_on is not None:
            return self.tr("until {date}").format(date=long_date(auth.expires_on))
        if auth.expiry_event:
            return self.tr("until: {event}").format(event=auth.expiry_event)
        return self.tr("signed {date}").format(date=long_date(auth.signed_on))

    # --- loading ---------------------------------------------------------------------------
    @property
    def by_patient(self) -> bool:
        """Searching by name over all statuses: rows are patients (with or without an
        authorization)."""
        return bool(self._text) and not self._statuses

    def _fetcher(self, offset: int) -> Callable[[], tuple[list[Row], int]]:
        consent = self._services.consent
        text, statuses = self._text, self._statuses
        if self.by_patient:

            def patients() -> tuple[list[Row], int]:
                found = consent.search_patients(text, limit=PAGE_SIZE)
                return [(None, p, None) for p in found], len(found)

            return patients
        query = AuthorizationQuery(statuses=statuses, text=text, offset=offset, limit=PAGE_SIZE)

        def authorizations() -> tuple[list[Row], int]:
            page, total = consent.list_authorizations(query)
            return [(a, p, consent.status_of(a)) for a, p in page], total

        return authorizations

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        # A name search over all statuses is one page of patients: there is no next page.
        return not self.by_patient and super().canFetchMore(parent)

    def _row_id(self, row: Row) -> int | None:
        """The authorization's id (a patient row alone has none)."""
        return row[0].id if row[0] is not None else None

    def patient_at(self, row: int) -> Patient:
        return self.row_at(row)[1]


class ConsentRowDelegate(QStyledItemDelegate):
    """Two lines a row: the patient's name, then the status (in its tone) and the dates."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(200, option.fontMetrics.height() * 2 + 22)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        t = theme.current()
        painter.save()
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, QColor(t.accent_soft))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor(t.hover))
        painter.setPen(QColor(t.border))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        inner = rect.adjusted(12, 8, -12, -8)
        line = option.fontMetrics.height()
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(t.text))
        name = option.fontMetrics.elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight, inner.width()
        )
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), line), 0, name)
        painter.setFont(option.font)
        metrics = option.fontMetrics
        second = QRect(inner.left(), inner.top() + line + 4, inner.width(), line)
        detail = str(index.data(DetailRole) or "")
        value = index.data(StatusRole)
        # Qt hands a str enum back as a plain str.
        status = AuthorizationStatus(value) if value else None
        if status is not None:
            word = status_label(status)
            painter.setPen(QColor(t.tone(status_tone(status))[0]))
            painter.drawText(second, 0, word)
            second.setLeft(second.left() + metrics.horizontalAdvance(word))
            detail = f"  ·  {detail}" if detail else ""
        painter.setPen(QColor(t.muted))
        painter.drawText(
            second, 0, metrics.elidedText(detail, Qt.TextElideMode.ElideRight, second.width())
        )
        painter.restore()


class ConsentList(QWidget):
    """The search box, the status filter (with counts) and the list.

    Signals:
        patient_chosen(object): the ``Patient`` of the row chosen.
    """

    patient_chosen = Signal(object)

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search a name or phone number"))
        self.search.setAccessibleName(self.tr("Search patients"))
        self.search.setClearButtonEnabled(True)
        column.addWidget(self.search)
        self.filter = QComboBox()
        self.filter.setAccessibleName(self.tr("Show"))
        self.filter.addItem(self.tr("All"), ())
        for status in STATUS_ORDER:
            self.filter.addItem(status_label(status), (status,))
        column.addWidget(self.filter)
        self.model = ConsentListModel(services, runner, self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(ConsentRowDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setAccessibleName(self.tr("Consents"))
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        column.addWidget(self.view, 1)
        self._timer = single_shot_timer(self, SEARCH_DELAY_MS, self._search_now)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(self._current_changed)

    def statuses(self) -> tuple[AuthorizationStatus, ...]:
        data = self.filter.currentData()
        return tuple(data) if data else ()

    def show_status(self, status: str) -> None:
        """Filter on one status by its code (``expiring``…); unknown codes show all."""
        index = next(
            (
                i
                for i in range(self.filter.count())
                if tuple(self.filter.itemData(i) or ()) == (status,)
            ),
            0,
        )
        self.search.clear()
        self.filter.setCurrentIndex(index)

    def reload(self, done: Callable[[], None] | None = None) -> None:
        self.model.load(self.statuses(), self.search.text(), done)

    def _search_now(self) -> None:
        self.reload()

    def set_counts(self, counts: dict[AuthorizationStatus, int]) -> None:
        """Show how many authorizations each status has ("Active (120)")."""
        self.filter.setItemText(0, self.tr("All ({n})").format(n=sum(counts.values())))
        for i, status in enumerate(STATUS_ORDER, start=1):
            self.filter.setItemText(
                i, self.tr("{status} ({n})").format(status=status_label(status), n=counts[status])
            )

    def clear(self) -> None:
        self._timer.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.filter.blockSignals(True)
        self.filter.setItemText(0, self.tr("All"))
        for i, status in enumerate(STATUS_ORDER, start=1):
            self.filter.setItemText(i, status_label(status))
        self.filter.setCurrentIndex(0)
        self.filter.blockSignals(False)
        self.model.clear()

    def _current_changed(self, index: QModelIndex) -> None:
        if index.isValid():
            self.patient_chosen.emit(self.model.patient_at(index.row()))

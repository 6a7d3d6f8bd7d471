"""Qt item models for the staff list and the backup list (both small: loaded whole)."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTime,
)

from core.backup.model import BackupInfo
from core.staff.model import Role, StaffMember
from gui.settings.messages import app_locale, role_label, tr

Index = QModelIndex | QPersistentModelIndex


class ItemRole(IntEnum):
    """Roles every Settings model answers beyond the standard ones."""

    SORT = Qt.ItemDataRole.UserRole
    """A value that sorts the column naturally (numbers, dates, lower-case names)."""
    ITEM = Qt.ItemDataRole.UserRole + 1
    """The domain object of the row (``StaffMember``, ``BackupInfo``, ``AuditEvent``)."""


def local_datetime_text(
    when: datetime, tz: ZoneInfo, *, seconds: bool = False, long: bool = False
) -> str:
    """A time in the practice's zone, in the user's locale ("11/2/26 3:00 AM"; ``long``:
    "Monday, November 2, 2026 3:00 AM")."""
    local = when.astimezone(tz)
    locale = app_locale()
    day = locale.toString(
        QDate(local.year, local.month, local.day),
        QLocale.FormatType.LongFormat if long else QLocale.FormatType.ShortFormat,
    )
    clock = QTime(local.hour, local.minute, local.second)
    time_text = (
        clock.toString("HH:mm:ss")
        if seconds
        else locale.toString(clock, QLocale.FormatType.ShortFormat)
    )
    return f"{day} {time_text}"


class StaffColumn(IntEnum):
    NAME = 0
    ROLE = 1
    STATUS = 2


_ROLE_ORDER = {Role.ADMIN: 0, Role.APPROVER: 1, Role.DOCTOR: 2, Role.FRONT_DESK: 3}


class StaffModel(QAbstractTableModel):
    """Staff members (active and deactivated): name, role, active. Signals: the model's own."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._staff: list[StaffMember] = []

    def set_staff(self, staff: list[StaffMember]) -> None:
        self.beginResetModel()
        self._staff = list(staff)
        self.endResetModel()

    def member(self, row: int) -> StaffMember:
        return self._staff[row]

    def row_of(self, staff_id: int) -> int:
        return next((i for i, m in enumerate(self._staff) if m.id == staff_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._staff)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(StaffColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(StaffColumn):
            return None
        return {
            StaffColumn.NAME: tr("Name"),
            StaffColumn.ROLE: tr("Role"),
            StaffColumn.STATUS: tr("Can sign in"),
        }[StaffColumn(section)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._staff):
            return None
        member = self._staff[index.row()]
        column = StaffColumn(index.column())
        if role == ItemRole.ITEM:
            return member
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                member.display_name,
                role_label(member.role),
                tr("Yes") if member.active else tr("No (deactivated)"),
            )[column]
        if role == ItemRole.SORT:
            return (member.display_name.lower(), _ROLE_ORDER[member.role], int(member.active))[
                column
            ]
        return None


class BackupColumn(IntEnum):
    WHEN = 0
    SIZE = 1
    KIND = 2


class BackupModel(QAbstractTableModel):
    """Backups, newest first: when (in the practice's zone), size, automatic or by a person.

    Signals: the model's own.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backups: list[BackupInfo] = []
        self._tz = ZoneInfo("UTC")

    def set_backups(self, backups: list[BackupInfo], tz: ZoneInfo) -> None:
        self.beginResetModel()
        self._backups = list(backups)
        self._tz = tz
        self.endResetModel()

    def backup(self, row: int) -> BackupInfo:
        return self._backups[row]

    def when_text(self, info: BackupInfo) -> str:
        return local_datetime_text(info.created_at, self._tz, long=True)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._backups)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(BackupColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(BackupColumn):
            return None
        return {
            BackupColumn.WHEN: tr("Made on"),
            BackupColumn.SIZE: tr("Size"),
            BackupColumn.KIND: tr("Made by"),
        }[BackupColumn(section)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._backups):
            return None
        info = self._backups[index.row()]
        column = BackupColumn(index.column())
        if role == ItemRole.ITEM:
            return info
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                self.when_text(info),
                app_locale().formattedDataSize(info.size_bytes),
                tr("Daily schedule") if info.automatic else tr("A person (Back up now)"),
            )[column]
        if role == ItemRole.SORT:
            return (info.created_at.timestamp(), info.size_bytes, int(info.automatic))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column is BackupColumn.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

"""The connected accounts as a table (platform, name, handle, status, sign-in ends, default),
and how an account's status reads."""

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
)
from PySide6.QtGui import QColor

from core.accounts.model import Account, AccountStatus
from core.composer.calendar import platform_names
from core.platforms import PLATFORM_IDS
from gui import theme
from gui.settings.messages import app_locale, tr
from gui.settings.models import ItemRole, local_datetime_text


class AccountColumn(IntEnum):
    PLATFORM = 0
    NAME = 1
    HANDLE = 2
    STATUS = 3
    EXPIRES = 4
    DEFAULT = 5


def platform_label(platform: str) -> str:
    """A platform's display name (brand names are not translated)."""
    return platform_names([platform])[0]


def status_text(account: Account) -> str:
    return {
        AccountStatus.CONNECTED: tr("Connected"),
        AccountStatus.EXPIRING: tr("Sign-in ends soon"),
        AccountStatus.NEEDS_RECONNECT: tr("Needs reconnecting"),
        AccountStatus.REMOVED: tr("Removed"),
    }[account.status]


def status_tone(account: Account) -> str:
    """The ``Badge`` tone of an account's status."""
    return {
        AccountStatus.CONNECTED: "success",
        AccountStatus.EXPIRING: "warning",
        AccountStatus.NEEDS_RECONNECT: "danger",
        AccountStatus.REMOVED: "neutral",
    }[account.status]


def sort_accounts(accounts: list[Account]) -> list[Account]:
    """Grouped by platform in the composer's order, the default first, then by name."""

    def key(account: Account) -> tuple[int, bool, str]:
        order = PLATFORM_IDS.index(account.platform) if account.platform in PLATFORM_IDS else 99
        return order, not account.is_default, account.label.casefold()

    return sorted(accounts, key=key)


class AccountsModel(QAbstractTableModel):
    """The practice's connected accounts, grouped by platform. Signals: the model's own."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.accounts: list[Account] = []
        self.zone = ZoneInfo("UTC")
        self.now: datetime | None = None

    def set_accounts(self, accounts: list[Account], zone: ZoneInfo, now: datetime) -> None:
        self.beginResetModel()
        self.accounts = sort_accounts([a for a in accounts if a.active])
        self.zone = zone
        self.now = now
        self.endResetModel()

    def row_of(self, account_id: int | None) -> int | None:
        for row, account in enumerate(self.accounts):
            if account.id == account_id:
                return row
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.accounts)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(AccountColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            tr("Platform"),
            tr("Name"),
            tr("Account"),
            tr("Status"),
            tr("Sign-in ends"),
            tr("Default"),
        )[section]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        account = self.accounts[index.row()]
        column = AccountColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(account, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(account, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(account, column)
        if role == ItemRole.SORT:
            return self._sort(account, column)
        if role == ItemRole.ITEM:
            return account
        return None

    def _text(self, account: Account, column: AccountColumn) -> str:
        if column is AccountColumn.PLATFORM:
            return platform_label(account.platform)
        if column is AccountColumn.NAME:
            return account.label
        if column is AccountColumn.HANDLE:
            return account.handle or "—"
        if column is AccountColumn.STATUS:
            return status_text(account)
        if column is AccountColumn.EXPIRES:
            if account.expires_at is None:
                return tr("Never")
            if self.now is not None and account.expires_at <= self.now:
                return tr("Ended")
            local = account.expires_at.astimezone(self.zone)
            return app_locale().toString(
                QDate(local.year, local.month, local.day), QLocale.FormatType.ShortFormat
            )
        return "✓" if account.is_default else ""

    def _tooltip(self, account: Account, column: AccountColumn) -> str:
        if column is AccountColumn.DEFAULT:
            if account.is_default:
                return tr("Posts to {platform} are published through this account.").format(
                    platform=platform_label(account.platform)
                )
            return tr("Choose it and press “Make default” to post to {platform} here.").format(
                platform=platform_label(account.platform)
            )
        if column is AccountColumn.STATUS and account.status is AccountStatus.NEEDS_RECONNECT:
            return tr(
                "The platform no longer accepts the app's sign-in: press Reconnect and sign in "
                "again."
            )
        if column is AccountColumn.EXPIRES and account.expires_at is not None:
            return (
                local_datetime_text(account.expires_at, self.zone)
                + "\n"
                + tr(
                    "Usually renewed on its own before then; if not, it shows on Today with a "
                    "reconnect button."
                )
            )
        return self._text(account, column)

    def _colour(self, account: Account, column: AccountColumn) -> QColor | None:
        if column is AccountColumn.STATUS:
            tone = status_tone(account)
            palette = theme.current()
            return {
                "success": QColor(palette.success),
                "warning": QColor(palette.warning),
                "danger": QColor(palette.danger),
            }.get(tone)
        if column is AccountColumn.HANDLE and not account.handle:
            return QColor(theme.current().muted)
        return None

    def _sort(self, account: Account, column: AccountColumn) -> Any:
        if column is AccountColumn.EXPIRES:
            return account.expires_at.timestamp() if account.expires_at else float("inf")
        if column is AccountColumn.DEFAULT:
            return 0 if account.is_default else 1
        return self._text(account, column).casefold()

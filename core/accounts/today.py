"""Today's items about connected accounts. Params hold the platform id, the account id and
ISO dates; never a token.

Kind:
    account_reconnect  an account needs signing in again: the platform refused its token
                       (``reason`` ``revoked``), or its sign-in ends within a week and nothing
                       renews it silently (``reason`` ``expiring``, ``expires_at``)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from core.accounts.model import AccountStatus
from core.staff.model import Permission
from core.today.model import AttentionItem, Severity

if TYPE_CHECKING:
    from core.accounts.service import AccountService

PAGE = "settings"
TARGET = "accounts"


class AccountsAttention:
    """The accounts' Today source; the service loads on the first call (off the GUI
    thread)."""

    def __init__(
        self,
        accounts: Callable[[], AccountService],
        any_accounts: Callable[[], bool] | None = None,
    ) -> None:
        self._accounts = accounts
        self._any_accounts = any_accounts

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        # Most practices start with no account connected: a cheap look first, so Today at
        # start-up does not load the OAuth and HTTP libraries only to find nothing.
        if self._any_accounts is not None and not self._any_accounts():
            return []
        return account_items(self._accounts(), now)


def account_items(service: AccountService, now: datetime) -> list[AttentionItem]:
    items = []
    for account in service.list():
        status = service.status_of(account, now)
        if status is AccountStatus.NEEDS_RECONNECT:
            severity, reason = Severity.CRITICAL, "revoked"
        elif status is AccountStatus.EXPIRING:
            severity, reason = Severity.WARNING, "expiring"
        else:
            continue
        params: dict[str, object] = {
            "platform": account.platform,
            "account_id": account.id,
            "label": account.label,
            "reason": reason,
        }
        if account.expires_at is not None:
            params["expires_at"] = account.expires_at.isoformat()
        items.append(
            AttentionItem(
                key=f"account.reconnect.{account.id}",
                kind="account_reconnect",
                severity=severity,
                page=PAGE,
                due=account.expires_at if reason == "expiring" else None,
                target=TARGET,
                params=params,
                permission=Permission.EDIT_SETTINGS,
            )
        )
    return items

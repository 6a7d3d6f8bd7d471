"""Connected accounts in memory (``core.accounts.ports.AccountRepository``), for tests.fakes.

Rows are immutable ``(account, refresh_claimed_until)`` tuples keyed by id, so copying the dict
isolates a transaction, like the other memory repositories.
"""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from core.accounts.model import Account, AccountStatus
from core.errors import EditConflict, NotFound

if TYPE_CHECKING:
    from tests.fakes import MemoryState


class MemoryAccounts:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    def _row(self, account_id: int) -> tuple[Account, datetime | None]:
        try:
            row: tuple[Account, datetime | None] = self.s.accounts[account_id]
            return row
        except KeyError:
            raise NotFound("No such account.", entity="account", id=account_id) from None

    def list(self, *, include_removed: bool = False) -> builtins.list[Account]:
        accounts = [a for a, _ in self.s.accounts.values() if include_removed or a.active]
        return sorted(accounts, key=lambda a: (a.platform, a.label, a.id or 0))

    def get(self, account_id: int) -> Account:
        return self._row(account_id)[0]

    def add(self, account: Account) -> Account:
        saved = replace(account, id=next(self.s.account_ids), version=1)
        assert saved.id is not None
        self.s.accounts[saved.id] = (saved, None)
        return saved

    def update(self, account: Account) -> Account:
        assert account.id is not None
        stored, claimed = self._row(account.id)
        if stored.version != account.version:
            raise EditConflict("Someone else changed this account first.", entity="account")
        saved = replace(account, version=account.version + 1)
        self.s.accounts[account.id] = (saved, claimed)
        return saved

    def claim_refresh(
        self, account_id: int, expected_version: int, now: datetime, until: datetime
    ) -> bool:
        stored, claimed = self._row(account_id)
        if stored.version != expected_version or (claimed is not None and claimed >= now):
            return False
        self.s.accounts[account_id] = (replace(stored, version=stored.version + 1), until)
        return True

    def release_refresh(
        self,
        account_id: int,
        *,
        status: AccountStatus,
        expires_at: datetime | None,
        clear_expiry: bool = False,
    ) -> None:
        stored, _ = self._row(account_id)
        if stored.status is AccountStatus.REMOVED:
            status = AccountStatus.REMOVED
        expiry = expires_at if expires_at is not None or clear_expiry else stored.expires_at
        saved = replace(stored, status=status, expires_at=expiry, version=stored.version + 1)
        self.s.accounts[account_id] = (saved, None)

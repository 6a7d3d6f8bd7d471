"""The storage port of connected accounts (``storage.repositories.accounts`` implements it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.accounts.model import Account, AccountStatus


class AccountRepository(Protocol):
    def list(self, *, include_removed: bool = False) -> list[Account]:
        """Accounts ordered by platform, then label."""
        ...

    def get(self, account_id: int) -> Account:
        """Raises ``core.errors.NotFound``."""
        ...

    def add(self, account: Account) -> Account:
        """Stores a new account; returns it with its id and version 1."""
        ...

    def update(self, account: Account) -> Account:
        """Saves label, handle, status, expiry, scopes, default flag. ``account.version`` must be
        the stored version, else ``core.errors.EditConflict``; returns it with the new version."""
        ...

    def claim_refresh(
        self, account_id: int, expected_version: int, now: datetime, until: datetime
    ) -> bool:
        """Claims the right to refresh the account's token until ``until``: only when the row
        still has ``expected_version`` and no other claim is running at ``now``. Bumps the
        version. ``False`` when someone else (another process) holds or just took the claim."""
        ...

    def release_refresh(
        self,
        account_id: int,
        *,
        status: AccountStatus,
        expires_at: datetime | None,
        clear_expiry: bool = False,
    ) -> None:
        """Ends a claim: stores the new status and expiry (``expires_at`` ``None`` keeps the
        stored one unless ``clear_expiry``) and bumps the version."""
        ...

"""Connected platform accounts (``core.accounts.ports.AccountRepository``).

Every change bumps ``version``. ``update`` is optimistic (the caller's version must be the
stored one); ``claim_refresh`` is a conditional UPDATE, so of two processes claiming the same
version at once exactly one matches the row: that one refreshes the token, the other waits for
it (``core.accounts.tokens``).
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.accounts.model import Account, AccountStatus, AuthKind
from core.clock import Clock
from core.errors import EditConflict, NotFound
from storage.models import PLATFORM_ACCOUNT, AccountRow

_CONFLICT = "Someone else changed this account first: reload and try again."


def _account(row: AccountRow) -> Account:
    return Account(
        id=row.id,
        platform=row.platform,
        label=row.label,
        remote_id=row.remote_id,
        handle=row.handle,
        base_url=row.base_url,
        status=AccountStatus(row.status),
        token_ref=row.token_ref,
        expires_at=row.expires_at,
        scopes=tuple(s for s in row.scopes.split(" ") if s),
        is_default=row.is_default,
        connected_at=row.connected_at,
        connected_by=row.connected_by,
        auth_kind=AuthKind(row.auth_kind),
        version=row.version,
    )


class SqlAccountRepository:
    """Account rows in the unit of work's session."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def _row(self, account_id: int) -> AccountRow:
        row = self._session.get(AccountRow, account_id)
        if row is None:
            raise NotFound("No such account.", entity="account", id=account_id)
        return row

    def list(self, *, include_removed: bool = False) -> builtins.list[Account]:
        stmt = select(AccountRow).order_by(AccountRow.platform, AccountRow.label, AccountRow.id)
        if not include_removed:
            stmt = stmt.where(AccountRow.status != AccountStatus.REMOVED.value)
        return [_account(row) for row in self._session.scalars(stmt)]

    def get(self, account_id: int) -> Account:
        return _account(self._row(account_id))

    def add(self, account: Account) -> Account:
        row = AccountRow(**_values(account), refresh_claimed_until=None, removed_at=None, version=1)
        self._session.add(row)
        self._session.flush()
        return _account(row)

    def update(self, account: Account) -> Account:
        if account.id is None:
            raise NotFound("No such account.", entity="account", id=None)
        values = _values(account)
        if account.status is AccountStatus.REMOVED:
            values["removed_at"] = self._clock.now()
        result = self._session.execute(
            update(PLATFORM_ACCOUNT)
            .where(PLATFORM_ACCOUNT.c.id == account.id)
            .where(PLATFORM_ACCOUNT.c.version == account.version)
            .values(**values, version=account.version + 1)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            self._row(account.id)  # NotFound when it is gone
            raise EditConflict(_CONFLICT, entity="account", id=account.id)
        self._session.expire_all()
        return self.get(account.id)

    def claim_refresh(
        self, account_id: int, expected_version: int, now: datetime, until: datetime
    ) -> bool:
        claimed = PLATFORM_ACCOUNT.c.refresh_claimed_until
        result = self._session.execute(
            update(PLATFORM_ACCOUNT)
            .where(PLATFORM_ACCOUNT.c.id == account_id)
            .where(PLATFORM_ACCOUNT.c.version == expected_version)
            .where(or_(claimed.is_(None), claimed < now))
            .values(refresh_claimed_until=until, version=expected_version + 1)
        )
        self._session.expire_all()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release_refresh(
        self,
        account_id: int,
        *,
        status: AccountStatus,
        expires_at: datetime | None,
        clear_expiry: bool = False,
    ) -> None:
        row = self._row(account_id)
        values: dict[str, Any] = {
            "refresh_claimed_until": None,
            "status": status.value,
            "version": PLATFORM_ACCOUNT.c.version + 1,
        }
        if row.status == AccountStatus.REMOVED.value:
            values["status"] = AccountStatus.REMOVED.value  # a removal is never undone here
        if expires_at is not None or clear_expiry:
            values["expires_at"] = expires_at
        self._session.execute(
            update(PLATFORM_ACCOUNT).where(PLATFORM_ACCOUNT.c.id == account_id).values(**values)
        )
        self._session.expire_all()


def _values(account: Account) -> dict[str, Any]:
    return {
        "platform": account.platform,
        "label": account.label,
        "remote_id": account.remote_id,
        "handle": account.handle,
        "base_url": account.base_url,
        "auth_kind": account.auth_kind.value,
        "status": account.status.value,
        "token_ref": account.token_ref,
        "expires_at": account.expires_at,
        "scopes": " ".join(account.scopes),
        "is_default": account.is_default,
        "connected_at": account.connected_at,
        "connected_by": account.connected_by,
    }

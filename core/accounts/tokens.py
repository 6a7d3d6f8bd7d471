"""A valid token for an account, refreshed single-flight.

Platforms rotate refresh tokens: when two refreshes race, the second one presents a refresh
token the first one already used, and the platform may revoke the whole grant. So refreshing is
single-flight at two levels:

- in this process, a ``threading.Lock`` per account: one thread refreshes, the others wait and
  then find the new token in the keyring;
- across processes (the app and ``--publish-due``, or two workstations on one database), a
  claim on the account's row: ``claim_refresh`` succeeds only for the version just read and when
  no other claim is running. The loser does not refresh: it re-reads the keyring until the
  winner has stored the new token (or the claim lapses).

The new token is written to the keyring BEFORE it is returned or used, so a crash right after a
refresh never loses the only valid refresh token. A refresh the platform refuses for good
(``invalid_grant``, 401) marks the account ``NEEDS_RECONNECT`` (Today then shows "reconnect")
and raises ``ReconnectNeeded``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account, AccountStatus, Token
from core.clock import Clock, SystemClock
from core.errors import NotFound
from core.publishing.connectors import TransientPublishError
from core.secrets import SecretStore

if TYPE_CHECKING:
    from core.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=2)
"""A token expiring within this is refreshed before use."""
CLAIM_FOR = timedelta(seconds=60)
"""How long a refresh claim holds; a process that dies mid-refresh blocks others no longer."""


def token_ref(platform: str, key: str) -> str:
    """The keyring entry name of an account's token (``key`` is unique per account)."""
    return f"account-token:{platform}:{key}"


class RefreshRefused(Exception):
    """A refresher's answer when the platform refused the refresh for good (``invalid_grant``,
    401, a revoked app password): the account needs reconnecting."""


class Refresher(Protocol):
    """Gets a new token for the account from its current one. Raises ``RefreshRefused`` when
    the platform refuses for good, ``TransientPublishError`` when it may work later."""

    def __call__(self, account: Account, token: Token) -> Token: ...


class TokenProvider:
    """Hands out valid tokens (see the module docstring). Safe to share between threads."""

    def __init__(
        self,
        secrets: SecretStore,
        uow: UnitOfWorkFactory,
        *,
        refreshers: Mapping[str, Refresher] | None = None,
        clock: Clock | None = None,
        margin: timedelta = REFRESH_MARGIN,
        claim_for: timedelta = CLAIM_FOR,
        wait_for_other: float = 30.0,
        poll: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._secrets = secrets
        self._uow = uow
        self._refreshers: dict[str, Refresher] = dict(refreshers or {})
        self._clock = clock or SystemClock()
        self._margin = margin
        self._claim_for = claim_for
        self._wait_for_other = wait_for_other
        self._poll = poll
        self._sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._rejected: dict[str, str] = {}
        """Per keyring entry, the access token a platform answered 401 to (``invalidate``).
        Locks are per keyring entry too: accounts from one sign-in (two GBP locations) share
        one token, and one refresh renews it for both."""

    # --- the keyring -------------------------------------------------------------------
    def register_refresher(self, platform: str, refresher: Refresher) -> None:
        self._refreshers[platform] = refresher

    def refresher_platforms(self) -> frozenset[str]:
        return frozenset(self._refreshers)

    def store(self, account: Account, token: Token) -> None:
        """Writes the account's token to the keyring (connecting, reconnecting, refreshing)."""
        if not account.token_ref:
            raise ValueError("the account has no keyring reference")
        self._secrets.set(account.token_ref, token.to_json())

    def peek(self, account: Account) -> Token | None:
        """The stored token as it is (not refreshed), or ``None``."""
        if not account.token_ref:
            return None
        raw = self._secrets.get(account.token_ref)
        if raw is None:
            return None
        try:
            return Token.from_json(raw)
        except ValueError:
            log.warning("the keyring entry of account %s is not a token", account.id)
            return None

    def forget(self, account: Account) -> None:
        """Deletes the account's token from the keyring (removing the account)."""
        if account.token_ref:
            self._secrets.delete(account.token_ref)

    # --- what connectors call -------------------------------------------------------------
    def access(self, account: Account) -> Token:
        """A token valid for at least the refresh margin, refreshed first when needed.
        Raises ``ReconnectNeeded`` (no token, refresh refused) or ``TransientPublishError``
        (the platform or the keyring could not be reached; another process's refresh took too
        long)."""
        _id(account)
        with self._lock(account):
            token = self.peek(account)
            if token is None:
                raise self.reconnect_needed(account)
            rejected = self._rejected.get(account.token_ref) == token.access_token
            if not rejected and not token.expires_within(
                self._margin.total_seconds(), self._clock.now()
            ):
                return token
            return self._refresh(account, token, rejected=rejected)

    def invalidate(self, account: Account) -> None:
        """The platform answered 401 to the current token: the next ``access`` refreshes it
        once. When it cannot be refreshed (no refresh token, e.g. Mastodon), the account is
        marked ``NEEDS_RECONNECT`` and ``ReconnectNeeded`` is raised here."""
        _id(account)
        with self._lock(account):
            token = self.peek(account)
            if token is None:
                raise self.reconnect_needed(account)
            if not self._can_refresh(account, token):
                raise self.reconnect_needed(account)
            self._rejected[account.token_ref] = token.access_token

    def reconnect_needed(self, account: Account) -> ReconnectNeeded:
        """Marks the account ``NEEDS_RECONNECT`` and returns the error to raise."""
        account_id = _id(account)
        self._rejected.pop(account.token_ref, None)
        try:
            with self._uow() as tx:
                tx.accounts.release_refresh(
                    account_id, status=AccountStatus.NEEDS_RECONNECT, expires_at=None
                )
        except NotFound:
            pass
        log.info("account %s (%s) needs reconnecting", account_id, account.platform)
        return ReconnectNeeded(platform=account.platform, account_id=account_id)

    # --- refreshing -----------------------------------------------------------------------
    def _can_refresh(self, account: Account, token: Token) -> bool:
        return account.platform in self._refreshers and bool(token.refresh_token)

    def _refresh(self, account: Account, token: Token, *, rejected: bool) -> Token:
        account_id = _id(account)
        if not self._can_refresh(account, token):
            if rejected or token.expires_within(0, self._clock.now()):
                raise self.reconnect_needed(account)
            return token  # expiring soon but still valid, and nothing can renew it
        deadline = time.monotonic() + self._wait_for_other
        while (holder := self._claim(account)) is None:
            # Another process is refreshing: wait for the token it stores.
            if time.monotonic() >= deadline:
                raise TransientPublishError(
                    "Another copy of the app is renewing this account's sign-in; "
                    "trying again soon.",
                    code="token_refresh_busy",
                )
            self._sleep(self._poll)
            current = self.peek(account)
            if current is not None and self._fresh(current, token):
                self._rejected.pop(account.token_ref, None)
                return current
        try:
            # Someone may have refreshed between our keyring read and our claim.
            current = self.peek(account)
            if current is not None and self._fresh(current, token):
                self._rejected.pop(account.token_ref, None)
                self._release(account_id, AccountStatus.CONNECTED, current, holder)
                return current
            new = self._refreshers[account.platform](account, token)
        except RefreshRefused:
            self._release_claim(holder, account_id)
            raise self.reconnect_needed(account) from None
        except BaseException:
            self._release(account_id, None, None, holder)
            raise
        self.store(account, new)  # before anyone uses it
        self._rejected.pop(account.token_ref, None)
        self._release(account_id, AccountStatus.CONNECTED, new, holder)
        log.info("refreshed the token of account %s (%s)", account_id, account.platform)
        return new

    def _claim(self, account: Account) -> int | None:
        """Claim the refresh of ``account``'s keyring entry across processes; the id of the
        row that holds the claim, or ``None`` when another process holds it.

        Accounts from one sign-in (two Google locations) share one entry, and one refresh
        renews them all: the claim is taken on the first (lowest id) account still using the
        entry, so two processes refreshing it through different accounts cannot race and
        revoke each other's refresh token."""
        account_id = _id(account)
        with self._uow() as tx:
            row = tx.accounts.get(account_id)
            sharing = [
                a
                for a in tx.accounts.list()
                if a.token_ref == account.token_ref and a.id is not None
            ]
        if row.status is AccountStatus.REMOVED:
            raise ReconnectNeeded(
                "This account was removed in Settings → Accounts.",
                platform=account.platform,
                account_id=account_id,
            )
        holder = min(sharing, key=lambda a: a.id or 0, default=row)
        now = self._clock.now()
        with self._uow() as tx:
            claimed = tx.accounts.claim_refresh(
                _id(holder), holder.version, now, now + self._claim_for
            )
        return _id(holder) if claimed else None

    def _release_claim(self, holder: int, account_id: int) -> None:
        """Let go of a claim held on another account's row (see ``_claim``)."""
        if holder != account_id:
            self._release(holder, None, None)

    def _fresh(self, current: Token, old: Token) -> bool:
        return current.access_token != old.access_token and not current.expires_within(
            self._margin.total_seconds(), self._clock.now()
        )

    def _release(
        self,
        account_id: int,
        status: AccountStatus | None,
        token: Token | None,
        holder: int | None = None,
    ) -> None:
        if holder is not None:
            self._release_claim(holder, account_id)
        with self._uow() as tx:
            row = tx.accounts.get(account_id)
            tx.accounts.release_refresh(
                account_id,
                status=status or row.status,
                expires_at=token.grant_expires_at if token else None,
                clear_expiry=token is not None and token.grant_expires_at is None,
            )

    def _lock(self, account: Account) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(account.token_ref, threading.Lock())


def _id(account: Account) -> int:
    if account.id is None:
        raise ValueError("the account is not stored yet")
    return account.id

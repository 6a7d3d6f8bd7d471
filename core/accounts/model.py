"""A connected platform account and its token.

The ``Account`` lives in the database; its ``Token`` lives only in the OS keyring, as JSON under
``Account.token_ref``. Nothing in the database can be used to post on the practice's behalf.
Moments (``expires_at``, ``connected_at``) are aware UTC ``datetime``s; ``version`` belongs to
storage (optimistic locking, also used to claim a token refresh across processes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuthKind(StrEnum):
    """How an account was connected, which decides how its token is refreshed."""

    OAUTH2_PKCE = "oauth2_pkce"
    MASTODON_APP = "mastodon_app"
    APP_PASSWORD = "app_password"  # noqa: S105 - a kind of sign-in, not a password


class AccountStatus(StrEnum):
    """Where an account stands; ``EXPIRING`` and ``NEEDS_RECONNECT`` show on Today."""

    CONNECTED = "connected"
    EXPIRING = "expiring"
    NEEDS_RECONNECT = "needs_reconnect"
    REMOVED = "removed"
    """Kept for history (posts refer to it); its keyring entry is deleted."""


@dataclass(frozen=True, slots=True)
class Account:
    """One account on one platform (a Mastodon user, a Facebook Page, a GBP location…)."""

    id: int | None
    platform: str
    """A ``core.platforms`` id: mastodon, bluesky, x, facebook, linkedin, gbp."""
    label: str
    """What the person sees, e.g. "Maple Grove – Main St"."""
    remote_id: str
    """The account/page/organization/location id on the platform."""
    handle: str = ""
    base_url: str = ""
    """Mastodon server, Bluesky PDS, or an API base override (tests, self-hosted)."""
    status: AccountStatus = AccountStatus.CONNECTED
    token_ref: str = ""
    """The keyring entry's name; NEVER the token."""
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    is_default: bool = True
    """The account a platform's posts go to (one default per platform)."""
    connected_at: datetime | None = None
    connected_by: int | None = None
    auth_kind: AuthKind = AuthKind.OAUTH2_PKCE
    version: int = 1

    @property
    def active(self) -> bool:
        return self.status is not AccountStatus.REMOVED


@dataclass(frozen=True, slots=True)
class Token:
    """An access token (and what refreshes it). Lives only in the keyring; never printable."""

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    token_type: str = "Bearer"  # noqa: S105 - the scheme name
    extra: dict[str, str] = field(default_factory=dict)
    """E.g. client_id/secret for Mastodon, did/handle for Bluesky."""

    def __repr__(self) -> str:
        return "Token(<redacted>)"

    __str__ = __repr__

    def expires_within(self, seconds: float, now: datetime) -> bool:
        """``True`` when the token is gone or will be within ``seconds`` of ``now``."""
        if self.expires_at is None:
            return False
        return (self.expires_at - now).total_seconds() <= seconds

    @property
    def grant_expires_at(self) -> datetime | None:
        """When the person must sign in again: the refresh token's end when the platform said
        (``extra['refresh_expires_at']``), never when a refresh token renews it silently, else
        the access token's end."""
        if self.extra.get("refresh_expires_at"):
            return datetime.fromisoformat(self.extra["refresh_expires_at"])
        return None if self.refresh_token else self.expires_at

    def to_json(self) -> str:
        """The keyring form."""
        data: dict[str, Any] = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "token_type": self.token_type,
            "extra": dict(self.extra),
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Token:
        """Reads the keyring form; ``ValueError`` when it is not a token."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise ValueError("not a stored token")
        expires = data.get("expires_at")
        return cls(
            access_token=data["access_token"],
            refresh_token=str(data.get("refresh_token") or ""),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            token_type=str(data.get("token_type") or "Bearer"),
            extra={str(k): str(v) for k, v in dict(data.get("extra") or {}).items()},
        )

"""Errors of connecting accounts and using their tokens.

``ReconnectNeeded`` is what a connector raises when the platform no longer accepts the
account's token (revoked, refresh refused): it is a ``PermanentPublishError`` so the outbox marks
the variant failed, and the account is marked ``NEEDS_RECONNECT`` so Today shows "reconnect".
``ConnectFailed`` (a ``KnownError``) words a failed sign-in for the Settings dialog. Messages
never carry a token, a client secret or post text.
"""

from __future__ import annotations

from typing import Any

from core.errors import KnownError
from core.publishing.connectors import PermanentPublishError


class ReconnectNeeded(PermanentPublishError):
    """The platform refused the account's token for good; a person must reconnect it."""

    default_code = "token_revoked"

    def __init__(
        self, message: str = "", *, platform: str = "", account_id: int | None = None
    ) -> None:
        super().__init__(
            message
            or "The platform no longer accepts this account's sign-in: reconnect it in "
            "Settings → Accounts.",
        )
        self.platform = platform
        self.account_id = account_id


class ConnectFailed(KnownError):
    """Connecting an account did not work; ``params['reason']`` is a short stable code
    (``state_mismatch``, ``denied``, ``timeout``, ``cancelled``, ``token_exchange``,
    ``server_unreachable``, ``bad_server``, ``bad_credentials``, ``no_client_id``…)."""

    code = "account_connect_failed"

    def __init__(self, message: str, *, reason: str = "unknown", **params: Any) -> None:
        super().__init__(message, reason=reason, **params)
        self.reason = reason


class AccountNotFound(KnownError):
    code = "account_not_found"

"""What the connectors that speak a platform's REST API through ``HttpClient`` share.

X, Facebook, LinkedIn and Google Business Profile connectors are all built the same way: one
connected account and its token provider, a ``base_url`` that points them at a local server in
tests (else ``Account.base_url``, else the platform's own API), an ``http`` client that
replaces the whole HTTP client, the (connect, read) ``timeout`` and the clock their look-ups
count from. ``RestConnector`` is that constructor; each platform names itself, its API base and
— when it has one — its own mapping of the platform's error answers (``classifier``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from core.clock import Clock, SystemClock
from core.connectors.http import DEFAULT_TIMEOUT, ErrorClassifier, HttpClient

if TYPE_CHECKING:
    from core.accounts.model import Account
    from core.accounts.tokens import TokenProvider


class RestConnector:
    """The shared constructor (see the module docstring): ``platform_name`` is how messages
    name the platform ("X could not find it: …"), ``api_base`` the address of its API."""

    platform_name: ClassVar[str]
    api_base: ClassVar[str]

    def __init__(
        self,
        account: Account,
        tokens: TokenProvider,
        *,
        base_url: str | None = None,
        http: HttpClient | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Clock | None = None,
    ) -> None:
        self.account = account
        self._tokens = tokens
        self._clock = clock or SystemClock()
        self._http = http or HttpClient(
            base_url or account.base_url or self.api_base,
            tokens,
            account=account,
            timeout=timeout,
            name=self.platform_name,
            classify=self.classifier(),
        )

    def classifier(self) -> ErrorClassifier | None:
        """The platform's own mapping of error answers the default mapping does not know
        (``None``: the default mapping alone)."""
        return None

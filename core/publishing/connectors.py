"""The connector interface: how one platform's variant of a post goes out.

A connector publishes one ``PublishRequest`` and returns the ``RemotePost`` (its id on the
platform and its live URL), or raises one of three typed errors the outbox acts on:

- ``TransientPublishError`` — nothing went out and trying again later may work (HTTP 429 or
  5xx, a refused connection); ``retry_after`` carries a platform's ``Retry-After`` in seconds.
- ``PermanentPublishError`` — the platform refused for good (an expired token, rejected
  content); the message is the platform's reason in plain words, for the person to read.
- ``UncertainOutcome`` — the request may have reached the platform but no answer came back
  (a timeout, a connection dropped after sending). Before any retry the outbox asks ``find``.

``find(request)`` reconciles: it returns the post if the platform has it (looked up by the
idempotency key, or however the platform allows), else ``None``. It may raise the same errors.

Platforms without an API connector use the ``ManualConnector``: a person copies the text, opens
the platform's compose page, publishes, and pastes the live URL back
(``PublishingService.record_manual_publish``). API connectors arrive in a later issue and
register in the ``ConnectorRegistry``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from core.errors import FrontDeskError


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """One platform's variant of a post, ready to go: its text, the clean (re-encoded,
    metadata-free) image files, and the key that is the same for every attempt."""

    post_id: int
    platform: str
    text: str
    image_paths: tuple[Path, ...]
    idempotency_key: str
    alt_texts: tuple[str, ...] = ()
    """One description per image, in order (may be shorter: the rest have none)."""
    account_id: int | None = None
    """The connected account it goes out through (``None``: the platform's default)."""
    options: Mapping[str, str] = field(default_factory=dict)
    """Per-platform extras: ``content_warning``, ``visibility``, ``link``, ``cta_type``,
    ``cta_url``…"""
    not_before: datetime | None = None
    """When the outbox recorded the intent (before any attempt): ``find`` need not look at
    posts older than this (less some clock skew)."""


@dataclass(frozen=True, slots=True)
class RemotePost:
    """The post as it lives on the platform."""

    remote_id: str
    url: str


class PublishError(FrontDeskError):
    """A connector's failure; ``code`` is a short stable code (``http_429``, ``timeout``,
    ``token_expired``…) for the outbox record and the audit trail. Never carries post text."""

    default_code = "publish_error"

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code or self.default_code


class TransientPublishError(PublishError):
    """Nothing went out; trying again later may work. ``retry_after`` (seconds) is how long the
    platform asked to wait, when it said."""

    default_code = "transient"

    def __init__(self, message: str, *, code: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PermanentPublishError(PublishError):
    """The platform refused for good; ``str(error)`` is its reason in plain words."""

    default_code = "rejected"


class UncertainOutcome(PublishError):
    """The request may or may not have reached the platform: reconcile before any retry."""

    default_code = "uncertain"


class WithdrawNotSupported(PublishError):
    """The platform's API cannot delete this post: a person opens it and removes it by hand."""

    default_code = "withdraw_unsupported"


class ManualPublishRequired(PermanentPublishError):
    """This platform has no API connector: a person publishes by hand."""

    default_code = "manual"


class Connector(Protocol):
    """Publishes one platform's variant of a post (see the module docstring)."""

    def publish(self, request: PublishRequest) -> RemotePost: ...

    def find(self, request: PublishRequest) -> RemotePost | None: ...


class ApiConnector(Connector, Protocol):
    """A connector that talks to the platform's API for one connected account.

    ``validate`` lists problem codes (``too_long``, ``too_many_images``, ``image_too_large``,
    ``unsupported``, ``public_url_needed``…) before anything is sent; ``withdraw`` deletes the
    post (``True``), or raises ``WithdrawNotSupported`` when the API cannot.
    """

    platform: str

    def validate(self, request: PublishRequest) -> list[str]: ...

    def withdraw(self, remote_id: str) -> bool: ...


class ManualConnector:
    """The connector of every platform without an API: a person publishes by hand.

    The outbox never calls it: entries of manual platforms wait (status ``manual``) until the
    person pastes the live URL. ``compose_url`` is the page to open for that.
    """

    def publish(self, request: PublishRequest) -> RemotePost:
        raise ManualPublishRequired(
            "This platform is published by hand: copy the text, publish, paste the live URL."
        )

    def find(self, request: PublishRequest) -> RemotePost | None:
        return None  # only the person knows; they record the URL

    def compose_url(self, platform: str, *, server: str = "") -> str:
        """The platform's page for writing a post (``resources/platforms.json``); a Mastodon
        URL needs the practice's ``server``. ``""`` when there is none to open."""
        from core.platforms import default_rules

        url = default_rules().rule(platform).compose_url
        if "{server}" in url:
            return url.replace("{server}", server.strip().strip("/")) if server.strip() else ""
        return url


ACCOUNT_REMOVED = "account_removed"
"""An account that is not connected any more (``ConnectorRegistry.account_problem``)."""
ACCOUNT_RECONNECT = "account_reconnect"
"""An account that needs reconnecting in Settings → Accounts."""
ACCOUNT_UNAVAILABLE = "account_unavailable"
"""A connected account whose connector could not be set up."""


class ConnectorRegistry:
    """Which connector publishes each platform: the registered API connector, else the
    manual one.

    With connected accounts it also knows each account's own connector (``for_account``): an
    outbox entry keeps going out through the account its first attempt used, even after
    another account became the platform's default. ``account_problem`` says why an account
    cannot publish now (``account_reconnect``; ``account_removed`` when it is not connected
    any more): its entries wait instead of moving to another account.
    """

    def __init__(
        self,
        connectors: Mapping[str, Connector] | None = None,
        manual: ManualConnector | None = None,
    ) -> None:
        self._connectors: dict[str, Connector] = dict(connectors or {})
        self._accounts: dict[str, int] = {}
        self._by_account: dict[int, Connector] = {}
        self._problems: dict[int, str] = {}
        self.manual = manual or ManualConnector()

    def register(
        self,
        platform: str,
        connector: Connector,
        *,
        account_id: int | None = None,
        default: bool = True,
        problem: str = "",
    ) -> None:
        """``connector`` publishes through the connected account ``account_id`` (when it is
        one). ``default``: the platform's new entries go out through it; otherwise it only
        serves the entries that started through that account. ``problem``: why the account
        cannot publish now (a code, e.g. ``account_reconnect``): its entries wait."""
        if account_id is not None:
            self._by_account[account_id] = connector
            if problem:
                self._problems[account_id] = problem
            else:
                self._problems.pop(account_id, None)
        if not default:
            return
        self._connectors[platform] = connector
        if account_id is not None:
            self._accounts[platform] = account_id
        else:
            self._accounts.pop(platform, None)

    def unavailable(self, account_id: int, problem: str) -> None:
        """The connected account ``account_id`` has no connector now (it could not be set
        up): its entries wait, for the reason ``problem``."""
        self._by_account.pop(account_id, None)
        self._problems[account_id] = problem

    def account_id(self, platform: str) -> int | None:
        """The connected account ``platform``'s new posts go out through (``None``: by hand,
        or a connector without an account)."""
        return self._accounts.get(platform)

    def for_account(self, account_id: int) -> Connector | None:
        """The connector of the connected account ``account_id``; ``None`` when it is not
        connected (removed) or could not be set up."""
        return self._by_account.get(account_id)

    def account_problem(self, account_id: int) -> str:
        """Why the account ``account_id`` cannot publish now: ``""`` when it can,
        ``account_removed`` when it is not connected, else the code it was registered with."""
        if account_id in self._problems:
            return self._problems[account_id]
        return "" if account_id in self._by_account else ACCOUNT_REMOVED

    def platforms(self) -> tuple[str, ...]:
        """The platforms with an API connector."""
        return tuple(self._connectors)

    def get(self, platform: str) -> Connector:
        return self._connectors.get(platform, self.manual)

    def is_manual(self, platform: str) -> bool:
        return platform not in self._connectors

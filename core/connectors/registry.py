"""Which connector publishes each platform, from the accounts the practice connected.

``build_registry`` registers, per platform, the connector of its *default* account (Settings →
Accounts → Make default) for new posts, and every other connected account's connector for the
outbox entries that started through it (an entry never moves to another account: the default
may change between an unknown outcome and the check that follows it). A platform without a
connected account stays manual (copy-and-open), and so do Instagram and Threads, whose APIs
take photos only from a public web address (``manual_reasons``). An account that needs
reconnecting keeps its connector: a new post through it fails with "reconnect in Settings →
Accounts" instead of silently turning the platform manual, and the entries that started
through it wait for the reconnect (``account_reconnect``).

The Mastodon connector gets the character limit of the practice's server (Settings → Posting
plan), read before every run: a change rebuilds the registry.

``RegistrySource`` is what ``PublishingService`` asks before every run: it rebuilds the registry
only when the accounts changed (connected, removed, made default, reconnected), so a change in
Settings counts from the next run on, and a run in between keeps its connectors.

Connector modules are imported only for platforms with an account: the app starts without
loading Mastodon.py or atproto when nobody connected those.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from core.accounts.model import Account, AccountStatus
from core.publishing.connectors import (
    ACCOUNT_RECONNECT,
    ACCOUNT_UNAVAILABLE,
    Connector,
    ConnectorRegistry,
)

if TYPE_CHECKING:
    from core.accounts.tokens import TokenProvider
    from core.composer.model import Post

log = logging.getLogger(__name__)

CONNECTORS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "mastodon": ("core.connectors.mastodon", "MastodonConnector"),
        "bluesky": ("core.connectors.bluesky", "BlueskyConnector"),
        "x": ("core.connectors.x", "XConnector"),
        "facebook": ("core.connectors.facebook", "FacebookConnector"),
        "linkedin": ("core.connectors.linkedin", "LinkedInConnector"),
        "gbp": ("core.connectors.gbp", "GbpConnector"),
    }
)
"""The API connector of each platform that has one: module and class."""

MANUAL_REASONS: Mapping[str, str] = MappingProxyType(
    {"instagram": "public_url_needed", "threads": "public_url_needed"}
)


def manual_reasons() -> Mapping[str, str]:
    """Per platform that is always published by hand, why (a code the composer words):
    ``public_url_needed`` — its API takes photos only from a public web address, which a
    practice's private photos must never get."""
    return MANUAL_REASONS


def api_platforms() -> tuple[str, ...]:
    """The platforms that can publish through their API once an account is connected."""
    return tuple(CONNECTORS)


def publishing_account(accounts: Sequence[Account], platform: str) -> Account | None:
    """The account ``platform``'s posts go out through: its default one among those not
    removed (the first connected one if, against the rule, none is default)."""
    usable = [a for a in accounts if a.platform == platform and a.active]
    if not usable:
        return None
    return next((a for a in usable if a.is_default), usable[0])


def build_registry(
    accounts: Sequence[Account],
    tokens: TokenProvider,
    *,
    export: Callable[..., Any] | None = None,
    factories: Mapping[str, Callable[[Account, TokenProvider], Connector]] | None = None,
    mastodon_limit: int | None = None,
) -> ConnectorRegistry:
    """A registry with the connector of every connected account, each platform's publishing
    account as its default (see the module docstring). ``factories`` replaces how a
    platform's connector is made (tests, or a connector needing more than the account and the
    tokens); ``export`` is handed to connectors that re-export photos (e.g. smaller for
    Bluesky's size limit) when they take it; ``mastodon_limit`` is the practice's Mastodon
    server's character limit (``PostingPlan.mastodon_limit``) for the Mastodon connector's
    checks."""
    registry = ConnectorRegistry()
    extra: dict[str, dict[str, Any]] = {}
    if mastodon_limit is not None:
        extra["mastodon"] = {"max_characters": mastodon_limit}
    for platform in CONNECTORS:
        default = publishing_account(accounts, platform)
        if default is None:
            continue
        make = (factories or {}).get(platform) or _factory(
            platform, export, extra.get(platform, {})
        )
        others = [a for a in accounts if a.platform == platform and a.active and a is not default]
        for account in (default, *others):
            try:
                connector = make(account, tokens)
            except Exception as exc:  # a broken connector must not stop the others
                log.error("connectors: %s could not be set up (%s)", platform, type(exc).__name__)
                if account.id is not None:
                    registry.unavailable(account.id, ACCOUNT_UNAVAILABLE)
                continue
            registry.register(
                platform,
                connector,
                account_id=account.id,
                default=account is default,
                problem=ACCOUNT_RECONNECT
                if account.status is AccountStatus.NEEDS_RECONNECT
                else "",
            )
    return registry


def _factory(
    platform: str, export: Callable[..., Any] | None, extra: Mapping[str, Any]
) -> Callable[[Account, TokenProvider], Connector]:
    module_name, class_name = CONNECTORS[platform]

    def make(account: Account, tokens: TokenProvider) -> Connector:
        cls = getattr(importlib.import_module(module_name), class_name)
        kwargs = {name: value for name, value in extra.items() if _takes(cls, name)}
        if export is not None and _takes(cls, "export"):
            kwargs["export"] = export
        return cls(account, tokens, **kwargs)  # type: ignore[no-any-return]

    return make


def _takes(cls: type, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False


def _signature(accounts: Sequence[Account]) -> tuple[tuple[object, ...], ...]:
    """What decides the registry: which account publishes each platform, and how."""
    rows = []
    for account in accounts:
        if account.status is AccountStatus.REMOVED:
            continue
        rows.append(
            (
                account.platform,
                account.id,
                account.is_default,
                account.remote_id,
                account.base_url,
                account.token_ref,
                account.status.value,
            )
        )
    return tuple(sorted(rows, key=repr))


class RegistrySource:
    """``PublishingService``'s ``registry_source``: the registry of the accounts connected now,
    rebuilt only when they (or the Mastodon limit) changed. ``accounts`` lists them
    (``AccountService.list``); ``tokens`` gives the token provider (both lazy: asked on the
    first run); ``mastodon_limit`` reads the practice's Mastodon server's character limit."""

    def __init__(
        self,
        accounts: Callable[[], Sequence[Account]],
        tokens: Callable[[], TokenProvider],
        *,
        export: Callable[..., Any] | None = None,
        factories: Mapping[str, Callable[[Account, TokenProvider], Connector]] | None = None,
        mastodon_limit: Callable[[], int | None] | None = None,
    ) -> None:
        self._accounts = accounts
        self._tokens = tokens
        self._export = export
        self._factories = factories
        self._mastodon_limit = mastodon_limit
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._registry: ConnectorRegistry | None = None

    def __call__(self) -> ConnectorRegistry:
        accounts = list(self._accounts())
        limit = self._mastodon_limit() if self._mastodon_limit is not None else None
        key = (_signature(accounts), limit)
        with self._lock:
            if self._registry is None or key != self._key:
                if not accounts:  # nothing connected: no token provider (nor its libraries)
                    self._registry = ConnectorRegistry()
                    self._key = key
                    return self._registry
                self._registry = build_registry(
                    accounts,
                    self._tokens(),
                    export=self._export,
                    factories=self._factories,
                    mastodon_limit=limit,
                )
                self._key = key
                log.info("connectors: %s", ", ".join(self._registry.platforms()) or "none")
            return self._registry


def request_options(website: Callable[[], str]) -> Callable[[Post, str], Mapping[str, str]]:
    """The outbox's ``options`` hook: a Google Business Profile post gets a "Learn more" button
    to the practice's website (Settings → Practice, read at each attempt), when it has one.
    Nothing else is added to what the approver saw."""

    def options(post: Post, platform: str) -> Mapping[str, str]:
        url = website().strip()
        if platform != "gbp" or not url:
            return {}
        if "://" not in url:
            url = f"https://{url}"
        return {"cta_type": "LEARN_MORE", "cta_url": url}

    return options

"""Connecting, listing and removing platform accounts.

Every change needs ``Permission.EDIT_SETTINGS`` and is audited (the detail names the platform,
never a token). Tokens go to the keyring through the ``TokenProvider``; the database keeps the
account and the keyring entry's name. Removing an account keeps its row for history (posts and
the audit trail refer to it) and deletes its keyring entry.

Connecting, by platform:
- OAuth platforms (X, Facebook, LinkedIn, Google): ``begin_oauth`` binds the loopback port and
  gives the URL to open; ``sign_in`` (a generator for the task runner) waits for the browser,
  exchanges the code and finds what the sign-in may post as (``SignIn.choices``: a person's
  Facebook Pages, LinkedIn company pages, Google locations); ``connect`` stores one account per
  chosen one. ``finish_oauth`` does both and connects every choice (or, reconnecting, the one).
  Accounts from one sign-in share one keyring entry where the platform gives one token for
  all (LinkedIn, Google); a Facebook Page has its own Page token, in its own entry. An entry is
  only overwritten with a token that works for every account using it, and removing an account
  keeps an entry other accounts still use;
- Mastodon: ``begin_mastodon`` registers the app on the chosen server (``POST /api/v1/apps``
  with the loopback redirect URI), then the same PKCE flow with that client id;
- Bluesky: ``connect_bluesky`` creates a session with an app password (never the main one).
"""

from __future__ import annotations

import base64
import builtins
import json
import logging
import uuid
from collections.abc import Callable, Collection, Generator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.accounts.errors import ConnectFailed
from core.accounts.identify import IDENTIFIERS, LONG_LIVED, Identifier, Identity
from core.accounts.model import Account, AccountStatus, AuthKind, Token
from core.accounts.oauth import (
    DEFAULT_PATH,
    LoopbackFlow,
    OAuth2Refresher,
    OAuthClient,
    OAuthEndpoints,
    client_ref,
    endpoints_for,
    oauth_platforms,
    token_from_response,
)
from core.accounts.tokens import RefreshRefused, TokenProvider, token_ref
from core.audit.service import append_event
from core.clock import Clock
from core.connectors.facebook import GRAPH_VERSION
from core.connectors.http import HttpClient, platform_message
from core.errors import PermissionDenied, ValidationError
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.progress import Progress
from core.publishing.connectors import PublishError
from core.secrets import SecretStore
from core.staff.model import Permission, StaffMember
from core.staff.service import require

log = logging.getLogger(__name__)

EXPIRY_WARNING = timedelta(days=7)
"""An account whose sign-in ends within this shows on Today."""
BLUESKY_PDS = "https://bsky.social"
APP_NAME = "Front Desk Social"
APP_WEBSITE = "https://frontdesk.social"
GRAPH_PLACEHOLDER = "{graph_version}"


@dataclass(frozen=True, slots=True)
class OAuthStart:
    """A sign-in under way: open ``url`` in the browser, then run ``finish_oauth``."""

    platform: str
    url: str
    flow: LoopbackFlow
    reconnect: int | None = None
    base_url: str = ""
    """What the accounts keep as ``Account.base_url``: the Mastodon server, an API base override
    (tests); empty for the platforms' own APIs (the connectors know them)."""
    api_base: str = ""
    """Where to find who signed in (``core.accounts.identify``); ``base_url`` when empty."""

    def __repr__(self) -> str:
        return f"OAuthStart({self.platform!r}, port={self.flow.port})"


@dataclass(frozen=True, slots=True)
class Choice:
    """One page, organization or location a sign-in may post as. ``account_id``: the account
    already connected for it (connecting it again renews its sign-in, no second account)."""

    remote_id: str
    label: str
    handle: str = ""
    account_id: int | None = None

    @property
    def connected(self) -> bool:
        return self.account_id is not None


@dataclass(frozen=True, slots=True)
class SignIn:
    """A finished sign-in waiting for the person's choice (``AccountService.connect``). Holds
    the token in memory only; never printable."""

    platform: str
    choices: tuple[Choice, ...]
    reconnect: int | None = None
    base_url: str = ""
    auth: AuthKind = AuthKind.OAUTH2_PKCE
    token: Token = field(default_factory=lambda: Token(""), repr=False)
    identities: tuple[Identity, ...] = field(default=(), repr=False)
    offered: frozenset[str] = frozenset()
    """Every remote id the sign-in may post as (reconnecting, more than ``choices``): a
    keyring entry is renewed in place only when the new token works for all its accounts."""

    @property
    def needs_choice(self) -> bool:
        """``True`` when the person should choose (several choices, not a reconnect)."""
        return self.reconnect is None and len(self.choices) > 1

    def __repr__(self) -> str:
        return f"SignIn({self.platform!r}, {len(self.choices)} choice(s))"


class AccountService:
    """The practice's connected accounts (see the module docstring)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        secrets: SecretStore,
        tokens: TokenProvider,
        *,
        endpoints_path: Path = DEFAULT_PATH,
        endpoint_overrides: Mapping[str, OAuthEndpoints] | None = None,
        identifiers: Mapping[str, Identifier] | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._secrets = secrets
        self.tokens = tokens
        self._endpoints_path = endpoints_path
        self._overrides = dict(endpoint_overrides or {})
        self._identifiers = {**IDENTIFIERS, **dict(identifiers or {})}
        self._on_change = on_change
        for platform in oauth_platforms(endpoints_path):
            if platform not in tokens_refreshers(tokens):
                tokens.register_refresher(
                    platform,
                    OAuth2Refresher(
                        self.endpoints(platform),
                        lambda p=platform: self.client(p),  # type: ignore[misc]
                        clock=clock.now,
                    ),
                )
        tokens.register_refresher("bluesky", BlueskyRefresher(clock))

    # --- reading ------------------------------------------------------------------------
    def list(self, *, include_removed: bool = False) -> list[Account]:
        with self._uow() as tx:
            return tx.accounts.list(include_removed=include_removed)

    def get(self, account_id: int) -> Account:
        with self._uow() as tx:
            return tx.accounts.get(account_id)

    def default_for(self, platform: str) -> Account | None:
        """The account the platform's posts go to, or ``None`` when none is connected."""
        mine = [a for a in self.list() if a.platform == platform]
        return next((a for a in mine if a.is_default), mine[0] if mine else None)

    def status_of(self, account: Account, now: datetime) -> AccountStatus:
        """The status to show: ``EXPIRING`` when the sign-in ends within a week."""
        expires = account.expires_at
        if (
            account.status is AccountStatus.CONNECTED
            and expires
            and expires - now <= EXPIRY_WARNING
        ):
            return AccountStatus.EXPIRING
        return account.status

    # --- editing ------------------------------------------------------------------------
    def rename(self, actor: StaffMember, account_id: int, label: str) -> Account:
        label = " ".join(label.split())
        if not label:
            raise ValidationError("Give the account a name.", field="label")
        if len(label) > 120:
            raise ValidationError("Keep the name under 120 characters.", field="label")
        with self._uow() as tx:
            _allowed(tx, actor, "rename_account")
            account = tx.accounts.get(account_id)
            saved = tx.accounts.update(replace(account, label=label))
            append_event(tx, self._clock, actor, "account.rename", "account", account_id)
        self._changed()
        return saved

    def set_default(self, actor: StaffMember, account_id: int) -> Account:
        """Makes the account the one its platform's posts go to (one default per platform)."""
        with self._uow() as tx:
            _allowed(tx, actor, "set_default_account")
            account = tx.accounts.get(account_id)
            if not account.active:
                raise ValidationError("A removed account cannot be the default.", field="account")
            for other in tx.accounts.list():
                if other.platform == account.platform and other.is_default:
                    tx.accounts.update(replace(other, is_default=False))
            saved = tx.accounts.update(replace(tx.accounts.get(account_id), is_default=True))
            append_event(
                tx, self._clock, actor, "account.default", "account", account_id, account.platform
            )
        self._changed()
        return saved

    def remove(self, actor: StaffMember, account_id: int) -> Account:
        """Stops posting through the account: the row stays (history), the token goes."""
        with self._uow() as tx:
            _allowed(tx, actor, "remove_account")
            account = tx.accounts.get(account_id)
            if not account.active:
                return account
            saved = tx.accounts.update(
                replace(account, status=AccountStatus.REMOVED, is_default=False)
            )
            others = [a for a in tx.accounts.list() if a.platform == account.platform]
            if account.is_default and others and not any(a.is_default for a in others):
                tx.accounts.update(replace(others[0], is_default=True))
            shared = any(a.token_ref == account.token_ref for a in tx.accounts.list())
            append_event(
                tx, self._clock, actor, "account.remove", "account", account_id, account.platform
            )
        if not shared:
            self.tokens.forget(account)
        self._changed()
        return saved

    # --- the practice's app registrations -------------------------------------------------
    def endpoints(self, platform: str) -> OAuthEndpoints:
        """The platform's endpoints; Facebook's name the Graph version the connector speaks
        (``{graph_version}`` in ``resources/oauth.json``)."""
        if platform in self._overrides:
            endpoints = self._overrides[platform]
        else:
            endpoints = endpoints_for(platform, self._endpoints_path)
        return replace(
            endpoints,
            authorize_url=endpoints.authorize_url.replace(GRAPH_PLACEHOLDER, GRAPH_VERSION),
            token_url=endpoints.token_url.replace(GRAPH_PLACEHOLDER, GRAPH_VERSION),
        )

    def client(self, platform: str) -> OAuthClient | None:
        raw = self._secrets.get(client_ref(platform))
        return OAuthClient.from_json(raw) if raw else None

    def set_client(
        self, actor: StaffMember, platform: str, client_id: str, client_secret: str = ""
    ) -> None:
        """Stores the practice's app registration (client id, and secret when the platform
        gives one) in the keyring; audited without the values."""
        client_id, client_secret = client_id.strip(), client_secret.strip()
        if not client_id:
            raise ValidationError("Enter the client id.", field="client_id")
        if platform not in oauth_platforms(self._endpoints_path):
            raise ValidationError("This platform does not sign in that way.", field="platform")
        with self._uow() as tx:
            _allowed(tx, actor, "set_oauth_client")
            append_event(tx, self._clock, actor, "account.client_set", "platform", platform)
        self._secrets.set(client_ref(platform), OAuthClient(client_id, client_secret).to_json())

    # --- connecting through the browser ----------------------------------------------------
    def begin_oauth(
        self, actor: StaffMember, platform: str, *, reconnect: int | None = None
    ) -> OAuthStart:
        """Binds the loopback port and returns the URL to open. Fast (no network)."""
        self._check(actor, "connect_account")
        endpoints = self.endpoints(platform)
        client = self.client(platform)
        if client is None:
            raise ConnectFailed(
                f"Enter the practice's {endpoints.name} client id first.", reason="no_client_id"
            )
        flow = LoopbackFlow(endpoints, client, clock=self._clock.now)
        # The accounts keep an API base only when it is not the platform's own (a test server).
        keep = endpoints.api_base if platform in self._overrides else ""
        return OAuthStart(
            platform, flow.authorize_url(), flow, reconnect, keep, api_base=endpoints.api_base
        )

    def begin_mastodon(
        self, actor: StaffMember, server_url: str, *, reconnect: int | None = None
    ) -> OAuthStart:
        """Registers the app on the practice's Mastodon server (network: run off the GUI
        thread), then returns the URL to open."""
        self._check(actor, "connect_account")
        server = normalise_server(server_url)
        endpoints = self.endpoints("mastodon").on_server(server)
        flow = LoopbackFlow(endpoints, clock=self._clock.now)
        try:
            http = HttpClient(server, None, name="The Mastodon server")
            response = http.request(
                "POST",
                "api/v1/apps",
                json={
                    "client_name": APP_NAME,
                    "redirect_uris": flow.redirect_uri,
                    "scopes": " ".join(endpoints.scopes),
                    "website": APP_WEBSITE,
                },
            )
            data = response.json()
            flow.client = OAuthClient(str(data["client_id"]), str(data.get("client_secret") or ""))
        except PublishError as exc:
            flow.close()
            raise ConnectFailed(
                f"Could not register the app on {urlsplit(server).netloc}: {exc}",
                reason="server_unreachable" if exc.code in _UNREACHABLE else "bad_server",
            ) from None
        except (ValueError, KeyError, TypeError):
            flow.close()
            raise ConnectFailed(
                f"{urlsplit(server).netloc} does not answer like a Mastodon server.",
                reason="bad_server",
            ) from None
        return OAuthStart("mastodon", flow.authorize_url(), flow, reconnect, server)

    def sign_in(
        self,
        actor: StaffMember,
        start: OAuthStart,
        *,
        timeout: float = 300.0,
        cancel: Callable[[], bool] | None = None,
    ) -> Generator[Progress, None, SignIn]:
        """Waits for the browser, exchanges the code and finds what the sign-in may post as.
        Connects nothing yet: ``connect`` stores the chosen ones. Reconnecting, the one choice
        is the account being reconnected (``ConnectFailed`` other_account when the sign-in
        cannot post as it)."""
        self._check(actor, "connect_account")
        token = yield from start.flow.wait(timeout, cancel)
        yield Progress(1, 2, "identifying")
        if start.platform == "facebook":
            token = self._long_lived_facebook(token)
        identities = self._identify(start, token)
        if start.platform == "mastodon" and start.flow.client is not None:
            token = replace(
                token,
                extra={
                    **token.extra,
                    "client_id": start.flow.client.client_id,
                    "client_secret": start.flow.client.client_secret,
                },
            )
        auth = AuthKind.MASTODON_APP if start.platform == "mastodon" else AuthKind.OAUTH2_PKCE
        return self._offer(
            start.platform,
            token,
            identities,
            reconnect=start.reconnect,
            base_url=start.base_url,
            auth=auth,
        )

    def connect(
        self, actor: StaffMember, sign_in: SignIn, remote_ids: Collection[str]
    ) -> builtins.list[Account]:
        """Stores (or renews) one account per chosen ``remote_ids`` of ``sign_in``; returns
        them in the order offered."""
        wanted = set(remote_ids)
        if not wanted:
            raise ValidationError(
                "Choose at least one page or location to connect.", field="choices"
            )
        if not wanted <= {i.remote_id for i in sign_in.identities}:
            raise ValidationError(
                "That page or location was not offered by this sign-in.", field="choices"
            )
        return self._save(
            actor,
            sign_in.platform,
            sign_in.token,
            [i for i in sign_in.identities if i.remote_id in wanted],
            base_url=sign_in.base_url,
            auth=sign_in.auth,
            reconnect=sign_in.reconnect,
            offered=sign_in.offered | {i.remote_id for i in sign_in.identities},
        )

    def finish_oauth(
        self,
        actor: StaffMember,
        start: OAuthStart,
        *,
        timeout: float = 300.0,
        cancel: Callable[[], bool] | None = None,
    ) -> Generator[Progress, None, builtins.list[Account]]:
        """``sign_in`` then ``connect`` every choice (reconnecting: the one account)."""
        sign_in = yield from self.sign_in(actor, start, timeout=timeout, cancel=cancel)
        return self.connect(actor, sign_in, [c.remote_id for c in sign_in.choices])

    # --- Bluesky ---------------------------------------------------------------------------
    def connect_bluesky(
        self,
        actor: StaffMember,
        handle: str,
        app_password: str,
        pds: str = BLUESKY_PDS,
        *,
        reconnect: int | None = None,
    ) -> Account:
        """Signs in with an app password (``com.atproto.server.createSession``); stores the
        session tokens and the app password in the keyring (network: run off the GUI
        thread)."""
        self._check(actor, "connect_account")
        handle = handle.strip().lstrip("@")
        if not handle:
            raise ValidationError(
                "Enter the Bluesky handle, e.g. maplegrove.bsky.social.", field="handle"
            )
        if not app_password.strip():
            raise ValidationError("Enter an app password.", field="app_password")
        server = normalise_server(pds or BLUESKY_PDS)
        token = bluesky_session(server, handle, app_password.strip())
        identity = Identity(token.extra["did"], f"@{token.extra['handle']}", token.extra["handle"])
        saved = self._save(
            actor,
            "bluesky",
            token,
            [identity],
            base_url=server,
            auth=AuthKind.APP_PASSWORD,
            reconnect=reconnect,
            offered={identity.remote_id},
        )
        return saved[0]

    # --- Today ---------------------------------------------------------------------------
    def attention_items(self, now: datetime) -> builtins.list[Any]:
        from core.accounts.today import account_items

        return account_items(self, now)

    # --- helpers -------------------------------------------------------------------------
    def _identify(self, start: OAuthStart, token: Token) -> builtins.list[Identity]:
        if start.platform == "mastodon":
            identities = [_mastodon_identity(start.base_url, token)]
        else:
            identifier = self._identifiers.get(start.platform)
            if identifier is None:
                raise ConnectFailed("This platform cannot be connected yet.", reason="unsupported")
            try:
                identities = identifier(token, start.api_base or start.base_url)
            except PublishError as exc:
                raise ConnectFailed(
                    f"Signed in, but could not read the account: {exc}", reason="identify"
                ) from None
            except (KeyError, TypeError, ValueError):
                raise ConnectFailed(
                    "Signed in, but the platform's answer did not name an account.",
                    reason="identify",
                ) from None
        if not identities:
            raise ConnectFailed(
                "Signed in, but this sign-in manages no page or location to post to.",
                reason="no_accounts",
            )
        return identities

    def _offer(
        self,
        platform: str,
        token: Token,
        identities: builtins.list[Identity],
        *,
        reconnect: int | None,
        base_url: str,
        auth: AuthKind,
    ) -> SignIn:
        offered = frozenset(i.remote_id for i in identities)
        with self._uow() as tx:
            mine = {a.remote_id: a for a in tx.accounts.list() if a.platform == platform}
            if reconnect is not None:
                old = tx.accounts.get(reconnect)
                identities = [i for i in identities if i.remote_id == old.remote_id]
                if old.platform != platform or not identities:
                    raise ConnectFailed(
                        "That sign-in belongs to a different account than the one to reconnect.",
                        reason="other_account",
                    )
        choices = tuple(
            Choice(
                i.remote_id,
                i.label or i.handle or i.remote_id,
                i.handle,
                mine[i.remote_id].id if i.remote_id in mine else None,
            )
            for i in identities
        )
        return SignIn(
            platform, choices, reconnect, base_url, auth, token, tuple(identities), offered
        )

    def _save(
        self,
        actor: StaffMember,
        platform: str,
        token: Token,
        identities: builtins.list[Identity],
        *,
        base_url: str,
        auth: AuthKind,
        reconnect: int | None,
        offered: Collection[str],
    ) -> builtins.list[Account]:
        now = self._clock.now()
        scopes = tuple(token.extra.get("scope", "").replace(",", " ").split())
        saved: builtins.list[Account] = []
        pending: dict[str, tuple[Account, Token]] = {}
        replaced: dict[str, Account] = {}
        with self._uow() as tx:
            person = _allowed(tx, actor, "connect_account")
            active = tx.accounts.list()
            existing = [a for a in active if a.platform == platform]
            if reconnect is not None:
                old = tx.accounts.get(reconnect)
                match = next((i for i in identities if i.remote_id == old.remote_id), None)
                if match is None:
                    raise ConnectFailed(
                        "That sign-in belongs to a different account than the one to reconnect.",
                        reason="other_account",
                    )
                identities = [match]
            grant_ref = _grant_ref(platform, identities, active, offered)
            for identity in identities:
                own = identity.token or token
                same = next((a for a in existing if a.remote_id == identity.remote_id), None)
                if identity.token is None:
                    ref = grant_ref
                elif same is not None and _only_user(same, active):
                    ref = same.token_ref
                else:
                    ref = token_ref(platform, uuid.uuid4().hex)
                fresh = Account(
                    id=None,
                    platform=platform,
                    label=identity.label or identity.handle or platform,
                    remote_id=identity.remote_id,
                    handle=identity.handle,
                    base_url=base_url,
                    status=AccountStatus.CONNECTED,
                    token_ref=ref,
                    expires_at=own.grant_expires_at,
                    scopes=scopes,
                    is_default=not any(a.is_default for a in [*existing, *saved]),
                    connected_at=now,
                    connected_by=person.id,
                    auth_kind=auth,
                )
                if same is not None:
                    account = tx.accounts.update(
                        replace(
                            fresh,
                            id=same.id,
                            label=same.label,
                            is_default=same.is_default,
                            version=same.version,
                        )
                    )
                    if same.token_ref and same.token_ref != ref:
                        replaced[same.token_ref] = same
                    action = "account.reconnect"
                else:
                    account = tx.accounts.add(fresh)
                    action = "account.connect"
                append_event(tx, self._clock, person, action, "account", account.id, platform)
                saved.append(account)
                pending[ref] = (account, own)
            still_used = {a.token_ref for a in tx.accounts.list()}
            # The tokens go to the keyring inside the transaction: if the keyring refuses,
            # nothing is recorded as connected. One write per entry (shared by several).
            for account, own in pending.values():
                self.tokens.store(account, own)
        for ref, old_account in replaced.items():
            if ref not in still_used:  # nobody uses the old entry any more
                self.tokens.forget(old_account)
        self._changed()
        log.info("connected %d %s account(s)", len(saved), platform)
        return saved

    def _long_lived_facebook(self, token: Token) -> Token:
        """Facebook's sign-in gives a user token for an hour or two, and Page tokens read with
        it end with it. Exchanged for a long-lived user token (``grant_type=fb_exchange_token``,
        with the app's secret), the Page tokens it gives do not expire. Without a secret the
        short-lived token is kept (the Pages then ask to reconnect soon)."""
        client = self.client("facebook")
        if client is None or not client.client_secret:
            return token
        endpoints = self.endpoints("facebook")
        http = HttpClient(endpoints.token_url, None, name="Facebook")
        try:
            response = http.request(
                "GET",
                endpoints.token_url,
                params={
                    "grant_type": "fb_exchange_token",
                    "client_id": client.client_id,
                    "client_secret": client.client_secret,
                    "fb_exchange_token": token.access_token,
                },
            )
            long_lived = token_from_response(response.json(), self._clock.now())
        except PublishError as exc:
            raise ConnectFailed(
                f"Signed in, but Facebook did not give a lasting sign-in: {exc}",
                reason="token_exchange",
            ) from None
        except (TypeError, ValueError):
            raise ConnectFailed(
                "Signed in, but Facebook answered without a lasting sign-in.",
                reason="token_exchange",
            ) from None
        return replace(long_lived, extra={**token.extra, **long_lived.extra, LONG_LIVED: "1"})

    def _check(self, actor: StaffMember, action: str) -> None:
        with self._uow() as tx:
            _allowed(tx, actor, action)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


_UNREACHABLE = frozenset({"unreachable", "connect_timeout", "timeout", "network"})


def _grant_ref(
    platform: str,
    identities: builtins.list[Identity],
    active: builtins.list[Account],
    offered: Collection[str],
) -> str:
    """The keyring entry for the accounts that post with the sign-in's own token: the entry
    one of them already has, when every account using that entry is one this sign-in may post
    as (so the new token works for all of them), else a new one."""
    mine = {a.remote_id: a for a in active if a.platform == platform}
    for identity in identities:
        account = mine.get(identity.remote_id)
        if identity.token is not None or account is None or not account.token_ref:
            continue
        users = [a for a in active if a.token_ref == account.token_ref]
        if all(a.platform == platform and a.remote_id in offered for a in users):
            return account.token_ref
    return token_ref(platform, uuid.uuid4().hex)


def _only_user(account: Account, active: builtins.list[Account]) -> bool:
    """``True`` when no other active account uses ``account``'s keyring entry."""
    return bool(account.token_ref) and all(
        a.id == account.id for a in active if a.token_ref == account.token_ref
    )


def tokens_refreshers(tokens: TokenProvider) -> frozenset[str]:
    return tokens.refresher_platforms()


def _allowed(tx: UnitOfWork, actor: StaffMember, action: str) -> StaffMember:
    person = tx.staff.get(actor.id)
    if not person.active:
        raise PermissionDenied("This staff member is deactivated.", action=action)
    require(person, Permission.EDIT_SETTINGS)
    return person


def normalise_server(url: str) -> str:
    """``mastodon.social`` or ``https://mastodon.social/`` → ``https://mastodon.social``;
    ``ValidationError`` for something that is not a server address."""
    text = url.strip()
    if not text:
        raise ValidationError("Enter the server's address, e.g. mastodon.social.", field="server")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname or " " in text:
        raise ValidationError(
            "That is not a server address; it looks like mastodon.social.", field="server"
        )
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost"):
        raise ValidationError("The server's address must start with https://.", field="server")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _mastodon_identity(server: str, token: Token) -> Identity:
    http = HttpClient(server, None, name="The Mastodon server")
    try:
        data = http.request(
            "GET",
            "api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {token.access_token}"},
        ).json()
        username = str(data["username"])
    except PublishError as exc:
        raise ConnectFailed(
            f"Signed in, but could not read the account: {exc}", reason="identify"
        ) from None
    except (KeyError, TypeError, ValueError):
        raise ConnectFailed(
            "Signed in, but the server's answer did not name an account.", reason="identify"
        ) from None
    handle = f"@{username}@{urlsplit(server).netloc}"
    return Identity(str(data["id"]), handle, str(data.get("display_name") or handle))


# --- Bluesky sessions ---------------------------------------------------------------------
def jwt_expiry(jwt: str) -> datetime | None:
    """The ``exp`` of a JWT (read, not verified: only to know when to refresh)."""
    try:
        payload = jwt.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(float(data["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _session_token(data: Mapping[str, Any], app_password: str) -> Token:
    access = str(data["accessJwt"])
    return Token(
        access_token=access,
        refresh_token=str(data["refreshJwt"]),
        expires_at=jwt_expiry(access),
        extra={
            "did": str(data["did"]),
            "handle": str(data.get("handle") or ""),
            "app_password": app_password,
        },
    )


def bluesky_session(pds: str, handle: str, app_password: str) -> Token:
    """``com.atproto.server.createSession``; ``ConnectFailed`` with a plain reason."""
    http = HttpClient(pds, None, name="Bluesky")
    try:
        response = http.request(
            "POST",
            "xrpc/com.atproto.server.createSession",
            json={"identifier": handle, "password": app_password},
            accept=(400, 401),
        )
    except PublishError as exc:
        raise ConnectFailed(
            f"Could not reach Bluesky: {exc}", reason="server_unreachable"
        ) from None
    if response.status_code in (400, 401):
        message = platform_message(response)
        raise ConnectFailed(
            "Bluesky did not accept that handle and app password"
            + (f": {message}" if message else "."),
            reason="bad_credentials",
        )
    try:
        return _session_token(response.json(), app_password)
    except (KeyError, TypeError, ValueError):
        raise ConnectFailed("Bluesky answered without a session.", reason="bad_server") from None


class BlueskyRefresher:
    """``com.atproto.server.refreshSession`` with the refresh JWT; when Bluesky refuses it,
    a new session from the stored app password; when that is refused too (the app password
    was revoked), ``RefreshRefused``."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, account: Account, token: Token) -> Token:
        http = HttpClient(account.base_url or BLUESKY_PDS, None, name="Bluesky")
        response = http.request(
            "POST",
            "xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {token.refresh_token}"},
            accept=(400, 401),
        )
        app_password = token.extra.get("app_password", "")
        if response.status_code not in (400, 401):
            try:
                return _session_token(response.json(), app_password)
            except (KeyError, TypeError, ValueError) as exc:
                raise RefreshRefused("no session in the answer") from exc
        if not app_password:
            raise RefreshRefused(platform_message(response) or "refresh refused")
        again = http.request(
            "POST",
            "xrpc/com.atproto.server.createSession",
            json={
                "identifier": token.extra.get("did") or account.remote_id,
                "password": app_password,
            },
            accept=(400, 401),
        )
        if again.status_code in (400, 401):
            raise RefreshRefused(platform_message(again) or "app password refused")
        try:
            return _session_token(again.json(), app_password)
        except (KeyError, TypeError, ValueError) as exc:
            raise RefreshRefused("no session in the answer") from exc

"""Connecting, listing and removing platform accounts.

Every change needs ``Permission.EDIT_SETTINGS`` and is audited (the detail names the platform,
never a token). Tokens go to the keyring through the ``TokenProvider``; the database keeps the
account and the keyring entry's name. Removing an account keeps its row for history (posts and
the audit trail refer to it) and deletes its keyring entry.

Connecting, by platform:
- OAuth platforms (X, Facebook, LinkedIn, Google): ``begin_oauth`` binds the loopback port and
  gives the URL to open; ``finish_oauth`` (a generator for the task runner) waits for the
  browser, exchanges the code and stores one account per remote identity the sign-in gives;
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
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.accounts.errors import ConnectFailed
from core.accounts.identify import IDENTIFIERS, Identifier, Identity
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
)
from core.accounts.tokens import RefreshRefused, TokenProvider, token_ref
from core.audit.service import append_event
from core.clock import Clock
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


@dataclass(frozen=True, slots=True)
class OAuthStart:
    """A sign-in under way: open ``url`` in the browser, then run ``finish_oauth``."""

    platform: str
    url: str
    flow: LoopbackFlow
    reconnect: int | None = None
    base_url: str = ""

    def __repr__(self) -> str:
        return f"OAuthStart({self.platform!r}, port={self.flow.port})"


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
        if platform in self._overrides:
            return self._overrides[platform]
        return endpoints_for(platform, self._endpoints_path)

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
        return OAuthStart(platform, flow.authorize_url(), flow, reconnect, endpoints.api_base)

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

    def finish_oauth(
        self,
        actor: StaffMember,
        start: OAuthStart,
        *,
        timeout: float = 300.0,
        cancel: Callable[[], bool] | None = None,
    ) -> Generator[Progress, None, builtins.list[Account]]:
        """Waits for the browser, exchanges the code, finds who signed in and stores the
        account(s). Returns the connected (or reconnected) accounts."""
        token = yield from start.flow.wait(timeout, cancel)
        yield Progress(1, 2, "identifying")
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
        return self._save(
            actor,
            start.platform,
            token,
            identities,
            base_url=start.base_url,
            auth=auth,
            reconnect=start.reconnect,
        )

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
                identities = identifier(token, start.base_url)
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
    ) -> builtins.list[Account]:
        now = self._clock.now()
        grant_ref = token_ref(platform, uuid.uuid4().hex)
        scopes = tuple(token.extra.get("scope", "").replace(",", " ").split())
        saved: builtins.list[Account] = []
        pending: builtins.list[tuple[Account, Token]] = []
        with self._uow() as tx:
            person = _allowed(tx, actor, "connect_account")
            existing = [a for a in tx.accounts.list() if a.platform == platform]
            if reconnect is not None:
                old = tx.accounts.get(reconnect)
                match = next((i for i in identities if i.remote_id == old.remote_id), None)
                if match is None:
                    raise ConnectFailed(
                        "That sign-in belongs to a different account than the one to reconnect.",
                        reason="other_account",
                    )
                identities = [match]
            for identity in identities:
                own = identity.token or token
                same = next((a for a in existing if a.remote_id == identity.remote_id), None)
                ref = (
                    same.token_ref
                    if same
                    else (token_ref(platform, uuid.uuid4().hex) if identity.token else grant_ref)
                )
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
                    action = "account.reconnect"
                else:
                    account = tx.accounts.add(fresh)
                    action = "account.connect"
                append_event(tx, self._clock, person, action, "account", account.id, platform)
                saved.append(account)
                pending.append((account, own))
            # The tokens go to the keyring inside the transaction: if the keyring refuses,
            # nothing is recorded as connected.
            for account, own in pending:
                self.tokens.store(account, own)
        self._changed()
        log.info("connected %d %s account(s)", len(saved), platform)
        return saved

    def _check(self, actor: StaffMember, action: str) -> None:
        with self._uow() as tx:
            _allowed(tx, actor, action)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


_UNREACHABLE = frozenset({"unreachable", "connect_timeout", "timeout", "network"})


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

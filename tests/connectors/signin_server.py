"""Signing in through the browser against local servers, for the tests of who a sign-in
belongs to (tests/connectors/test_identify*.py, tests/gui/test_settings_accounts_choose.py).

``AuthServer`` is an OAuth 2.0 authorization server with PKCE (RFC 7636) on pytest-httpserver:
``/oauth/authorize`` checks the client and the S256 challenge and redirects (302) to the app's
loopback address with a code; the token endpoint checks the code, the verifier and the client
and answers the next token queued for it; on Facebook's token path it also takes Graph's
``grant_type=fb_exchange_token`` (a GET, with the app secret) for a long-lived user token.
``browse(url)`` stands in for the system browser: a real request to the authorize URL whose
redirect ``requests`` follows to the app's loopback port, on a thread, as a browser would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.accounts.model import Account
from core.accounts.oauth import OAuthEndpoints
from core.accounts.service import AccountService, SignIn
from core.accounts.tokens import TokenProvider
from core.clock import ManualClock
from core.connectors.facebook import GRAPH_VERSION
from core.staff.model import Role, StaffMember
from tests.connectors.servers.faults import serving
from tests.fakes import MemorySecrets, MemoryStore

CLIENT_ID = "practice-app"
CLIENT_SECRET = "practice-app-secret"
FACEBOOK_TOKEN_PATH = f"/{GRAPH_VERSION}/oauth/access_token"

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NAMES = {"facebook": "Facebook", "linkedin": "LinkedIn", "gbp": "Google", "x": "X"}

R = TypeVar("R")


def json_answer(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


@dataclass
class AuthServer:
    """See the module docstring. ``tokens``: the token answers to give, in order (the last one
    is repeated); ``exchanged``: the token requests' forms, in order."""

    server: HTTPServer
    tokens: list[dict[str, Any]] = field(default_factory=list)
    refreshed: list[dict[str, Any]] = field(default_factory=list)
    long_lived: dict[str, Any] = field(default_factory=dict)
    require_secret: bool = True
    token_path: str = "/oauth/token"
    exchanged: list[dict[str, str]] = field(default_factory=list)
    refreshes: list[dict[str, str]] = field(default_factory=list)
    fb_exchanges: list[dict[str, str]] = field(default_factory=list)
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> AuthServer:
        """Registers the endpoints; call it before a platform server's catch-all route."""
        self.server.expect_request("/oauth/authorize").respond_with_handler(self._authorize)
        self.server.expect_request(self.token_path).respond_with_handler(self._token)
        return self

    def endpoints(
        self, platform: str, name: str, api_base: str, *, token_path: str = "", **kw: Any
    ) -> OAuthEndpoints:
        """Endpoints on this server; ``token_path`` as ``resources/oauth.json`` writes it
        (e.g. with ``{graph_version}``), else ``token_path`` of the server."""
        base = self.server.url_for("/").rstrip("/")
        return OAuthEndpoints(
            platform,
            name,
            base + "/oauth/authorize",
            base + (token_path or self.token_path),
            ("scope.a", "scope.b"),
            kw.pop("token_auth", "client_secret_post"),
            api_base=api_base,
            **kw,
        )

    def _authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            return json_answer({"error": "invalid_client"}, 400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return json_answer({"error": "invalid_request"}, 400)
        code = secrets.token_urlsafe(12)
        with self._lock:
            self._codes[code] = {
                "challenge": args["code_challenge"],
                "redirect_uri": args["redirect_uri"],
            }
        query = urlencode({"code": code, "state": args["state"]})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def _token(self, request: Request) -> Response:
        if request.method == "GET" and request.args.get("grant_type") == "fb_exchange_token":
            args = dict(request.args.items())
            self.fb_exchanges.append(args)
            if args.get("client_id") != CLIENT_ID or args.get("client_secret") != CLIENT_SECRET:
                return json_answer({"error": {"message": "Invalid client secret", "code": 1}}, 400)
            return json_answer(self.long_lived)
        form = request.form
        client = form.get("client_id"), form.get("client_secret")
        if request.authorization is not None:  # client_secret_basic
            client = request.authorization.username, request.authorization.password
        if client[0] != CLIENT_ID or (self.require_secret and client[1] != CLIENT_SECRET):
            return json_answer({"error": "invalid_client"}, 401)
        if form.get("grant_type") == "refresh_token":
            self.refreshes.append(dict(form))
            if not self.refreshed:
                return json_answer({"error": "invalid_grant"}, 400)
            return json_answer(self.refreshed.pop(0))
        with self._lock:
            entry = self._codes.pop(form.get("code", ""), None)
        if entry is None or form.get("grant_type") != "authorization_code":
            return json_answer({"error": "invalid_grant"}, 400)
        digest = hashlib.sha256(form.get("code_verifier", "").encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenge != entry["challenge"] or form.get("redirect_uri") != entry["redirect_uri"]:
            return json_answer({"error": "invalid_grant"}, 400)
        self.exchanged.append(dict(form))
        answer = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
        return json_answer(answer)


def browse(url: str) -> threading.Thread:
    """The person's browser: opens ``url`` and follows the redirect back to the app."""
    thread = threading.Thread(target=lambda: requests.get(url, timeout=10), daemon=True)
    thread.start()
    return thread


def drive(gen: Generator[Any, None, R]) -> R:
    """Runs a core generator (what the task runner does) and returns its result."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


def sign_in(
    service: AccountService, actor: StaffMember, platform: str, *, reconnect: int | None = None
) -> SignIn:
    """Begin, let the browser come back, and return what the sign-in offers."""
    start = service.begin_oauth(actor, platform, reconnect=reconnect)
    browser = browse(start.url)
    try:
        return drive(service.sign_in(actor, start, timeout=10))
    finally:
        browser.join(5)


def connect_all(
    service: AccountService, actor: StaffMember, platform: str, *, reconnect: int | None = None
) -> list[Account]:
    signed = sign_in(service, actor, platform, reconnect=reconnect)
    return service.connect(actor, signed, [c.remote_id for c in signed.choices])


def bearer(headers: Mapping[str, str] | Any) -> str:
    """The token of an ``Authorization: Bearer …`` header (either case of the name)."""
    value = headers.get("Authorization") or headers.get("authorization") or ""
    return value.removeprefix("Bearer ")


@dataclass
class Env:
    """A practice (memory store, keyring, clock at ``T0``, an admin) and a local server."""

    store: MemoryStore
    secrets: MemorySecrets
    clock: ManualClock
    admin: StaffMember
    http: HTTPServer

    def service(self, platform: str, auth: AuthServer, api_base: str, **kw: Any) -> AccountService:
        """The real AccountService, signing in to ``platform`` on ``auth`` with the practice's
        app registered; the platform's API at ``api_base``."""
        endpoints = auth.endpoints(platform, NAMES[platform], api_base, **kw)
        service = AccountService(
            self.store,
            self.clock,
            self.secrets,
            TokenProvider(self.secrets, self.store, clock=self.clock),
            endpoint_overrides={platform: endpoints},
        )
        service.set_client(self.admin, platform, CLIENT_ID, CLIENT_SECRET)
        return service

    def audit(self) -> list[str]:
        return [e.action for e in self.store.state.audit if e.action.startswith("account.")]

    def tokens_stored(self) -> dict[str, str]:
        """Keyring entries holding tokens (not the app registrations): name → access token."""
        return {
            name: json.loads(value)["access_token"]
            for name, value in self.secrets.values.items()
            if not name.startswith("oauth-client:") and "access_token" in value
        }


@contextmanager
def environment() -> Iterator[Env]:
    store, secrets, clock = MemoryStore(), MemorySecrets(), ManualClock(T0)
    with store() as tx:
        admin = tx.staff.add("Dana Whitfield", Role.ADMIN, "h")
    with serving() as http:
        yield Env(store, secrets, clock, admin, http)


def google_token(access: str, refresh: str = "g-refresh-1") -> dict[str, Any]:
    """Google's token endpoint answer (an hour, with a refresh token)."""
    return {
        "access_token": access,
        "expires_in": 3599,
        "refresh_token": refresh,
        "scope": "https://www.googleapis.com/auth/business.manage",
        "token_type": "Bearer",
    }


MAPLE_GROVE = {
    "accounts/111": [("locations/9001", "Maple Grove – Main St"), ("locations/9002", "Oak Ave")],
    "accounts/222": [("locations/9002", "Oak Ave"), ("locations/9003", "Maple Grove – Elm")],
}


@dataclass
class GoogleListings:
    """Google's account management (``GET /v1/accounts``) and business information
    (``GET /v1/{account}/locations?readMask=…``) APIs, both paged, at the server's root.
    ``by_token``: which accounts and locations each access token may see."""

    server: HTTPServer
    by_token: dict[str, dict[str, list[tuple[str, str]]]]
    seen: list[Request] = field(default_factory=list)

    def install(self) -> GoogleListings:
        self.server.expect_request("/v1/accounts").respond_with_handler(self._accounts)
        self.server.expect_request(
            re.compile(r"^/v1/accounts/\d+/locations$")
        ).respond_with_handler(self._locations)
        return self

    def _directory(self, request: Request) -> dict[str, list[tuple[str, str]]] | None:
        self.seen.append(request)
        return self.by_token.get(bearer(request.headers))

    def _accounts(self, request: Request) -> Response:
        directory = self._directory(request)
        if directory is None:
            return _unauthenticated()
        names = list(directory)
        start = 1 if request.args.get("pageToken") == "page-2" else 0
        body: dict[str, Any] = {"accounts": [{"name": n} for n in names[start : start + 1]]}
        if start == 0 and len(names) > 1:
            body["nextPageToken"] = "page-2"
        return json_answer(body)

    def _locations(self, request: Request) -> Response:
        directory = self._directory(request)
        if directory is None:
            return _unauthenticated()
        if request.args.get("readMask") != "name,title":
            return json_answer({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, 400)
        found = directory.get(request.path.removeprefix("/v1/").removesuffix("/locations"), [])
        rest = request.args.get("pageToken") == "more"
        shown = found[1:] if rest else found[:1]
        body: dict[str, Any] = {"locations": [{"name": n, "title": t} for n, t in shown]}
        if not rest and len(found) > 1:
            body["nextPageToken"] = "more"
        return json_answer(body)


def _unauthenticated() -> Response:
    return json_answer(
        {
            "error": {
                "code": 401,
                "message": "Request had invalid credentials.",
                "status": "UNAUTHENTICATED",
            }
        },
        401,
    )

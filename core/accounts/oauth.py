"""Signing in to a platform in the system browser: OAuth 2.0 with PKCE and a loopback redirect
(RFC 8252 §7.3), and renewing the tokens it gives.

``LoopbackFlow`` binds 127.0.0.1 on a free port (only this machine can reach it), builds the
authorize URL with a random ``state`` and a PKCE S256 challenge, and ``wait`` handles the ONE
redirect the browser makes back: it refuses a wrong ``state`` (another site's forged redirect),
answers the browser with a small "you can close this tab" page, and exchanges the code with the
verifier (Authlib) for a ``Token``. There are no threads in core: ``wait`` is a generator that
polls the socket with a short timeout and yields ``Progress`` between polls, so the GUI's task
runner shows progress and cancels by closing it (the socket is closed either way).

Endpoints come from ``resources/oauth.json``; client ids are the practice's own app
registrations (Settings → Accounts), kept in the keyring (``client_ref``).
"""

from __future__ import annotations

import contextlib
import html
import json
import secrets as pysecrets
import selectors
import socket
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from core.accounts.errors import ConnectFailed
from core.accounts.model import Account, Token
from core.accounts.tokens import RefreshRefused
from core.connectors.http import DEFAULT_TIMEOUT, USER_AGENT, HttpClient, platform_message
from core.progress import Progress

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "oauth.json"
CALLBACK_PATH = "/callback"
POLL_SECONDS = 0.2
DONE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Front Desk Social</title></head>"
    "<body style='font-family: sans-serif; margin: 3em'><h1>{title}</h1><p>{text}</p></body>"
    "</html>"
)


@dataclass(frozen=True, slots=True)
class OAuthEndpoints:
    """One platform's OAuth endpoints (``resources/oauth.json``)."""

    platform: str
    name: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    token_auth: str = "client_secret_post"  # noqa: S105 - a method name
    """``none`` (public client), ``client_secret_post`` or ``client_secret_basic``."""
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    api_base: str = ""

    def on_server(self, server: str) -> OAuthEndpoints:
        """Relative endpoints (Mastodon's) made absolute on the chosen server."""
        base = server.rstrip("/") + "/"
        return replace(
            self,
            authorize_url=urljoin(base, self.authorize_url.lstrip("/")),
            token_url=urljoin(base, self.token_url.lstrip("/")),
            api_base=base,
        )


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """The practice's app registration on a platform. Lives in the keyring."""

    client_id: str
    client_secret: str = ""

    def __repr__(self) -> str:
        return f"OAuthClient(client_id={self.client_id!r}, client_secret=<redacted>)"

    def to_json(self) -> str:
        return json.dumps({"client_id": self.client_id, "client_secret": self.client_secret})

    @classmethod
    def from_json(cls, text: str) -> OAuthClient:
        data = json.loads(text)
        return cls(str(data.get("client_id") or ""), str(data.get("client_secret") or ""))


def client_ref(platform: str) -> str:
    """The keyring entry of the practice's app registration on ``platform``."""
    return f"oauth-client:{platform}"


@cache
def _load(path: Path) -> dict[str, OAuthEndpoints]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    endpoints: dict[str, OAuthEndpoints] = {}
    for platform, item in raw.items():
        if platform.startswith("_"):
            continue
        endpoints[platform] = OAuthEndpoints(
            platform=platform,
            name=str(item["name"]),
            authorize_url=str(item["authorize_url"]),
            token_url=str(item["token_url"]),
            scopes=tuple(item.get("scopes", ())),
            token_auth=str(item.get("token_auth", "client_secret_post")),
            authorize_params=dict(item.get("authorize_params", {})),
            api_base=str(item.get("api_base", "")),
        )
    return endpoints


def endpoints_for(platform: str, path: Path = DEFAULT_PATH) -> OAuthEndpoints:
    """The platform's endpoints; ``KeyError`` for a platform that does not use OAuth here."""
    return _load(path)[platform]


def oauth_platforms(path: Path = DEFAULT_PATH) -> tuple[str, ...]:
    """Platforms connected through the browser with the practice's own client id."""
    return tuple(p for p in _load(path) if p != "mastodon")


def token_from_response(data: Mapping[str, Any], now: datetime) -> Token:
    """A ``Token`` from a token endpoint's JSON (``expires_in`` seconds or ``expires_at``)."""
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise ValueError("the answer has no access token")
    expires_at: datetime | None = None
    if data.get("expires_in") not in (None, ""):
        expires_at = now + timedelta(seconds=float(data["expires_in"]))
    elif data.get("expires_at") not in (None, ""):
        expires_at = datetime.fromtimestamp(float(data["expires_at"]), UTC)
    extra = {"scope": str(data["scope"])} if data.get("scope") else {}
    if data.get("refresh_token_expires_in") not in (None, ""):  # LinkedIn: a year
        ends = now + timedelta(seconds=float(data["refresh_token_expires_in"]))
        extra["refresh_expires_at"] = ends.isoformat()
    return Token(
        access_token=access,
        refresh_token=str(data.get("refresh_token") or ""),
        expires_at=expires_at,
        token_type=_bearer(str(data.get("token_type") or "Bearer")),
        extra=extra,
    )


def _bearer(kind: str) -> str:
    return "Bearer" if kind.lower() == "bearer" else kind


class LoopbackFlow:
    """One sign-in through the system browser (see the module docstring). Binds its port when
    created (so the redirect URI is known before an app is registered, as Mastodon needs);
    ``close`` frees it and runs at the end of ``wait`` however it ends."""

    def __init__(
        self,
        endpoints: OAuthEndpoints,
        client: OAuthClient | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.endpoints = endpoints
        self.client = client
        self._clock = clock
        self._timeout = timeout
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self._sock.setblocking(False)
        self.port: int = self._sock.getsockname()[1]
        self.state = pysecrets.token_urlsafe(24)
        self._verifier = pysecrets.token_urlsafe(64)[:96]
        self._closed = False

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def authorize_url(self) -> str:
        """The page to open in the browser (state and PKCE S256 challenge included)."""
        client = self._client()
        session = OAuth2Session(
            client.client_id,
            scope=" ".join(self.endpoints.scopes),
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
        )
        url, _state = session.create_authorization_url(
            self.endpoints.authorize_url,
            state=self.state,
            code_verifier=self._verifier,
            **dict(self.endpoints.authorize_params),
        )
        assert create_s256_code_challenge(self._verifier) in url
        return str(url)

    def wait(
        self, timeout: float = 300.0, cancel: Callable[[], bool] | None = None
    ) -> Generator[Progress, None, Token]:
        """Waits for the browser's redirect, then exchanges the code; returns the ``Token``.
        Raises ``ConnectFailed`` (timeout, cancelled, state_mismatch, denied, token_exchange,
        server_unreachable)."""
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._sock, selectors.EVENT_READ)
                while True:
                    if cancel is not None and cancel():
                        raise ConnectFailed("Signing in was cancelled.", reason="cancelled")
                    if time.monotonic() >= deadline:
                        raise ConnectFailed(
                            "No answer came from the browser in time; start again.",
                            reason="timeout",
                        )
                    if selector.select(POLL_SECONDS):
                        code = self._accept_one()
                        if code is not None:
                            break
                    yield Progress(
                        int(time.monotonic() - started), int(timeout), "waiting_for_browser"
                    )
            yield Progress(int(timeout), int(timeout), "exchanging_code")
            return self._exchange(code)
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._sock.close()

    # --- the redirect -----------------------------------------------------------------------
    def _accept_one(self) -> str | None:
        """Reads one request. Returns the code of a good redirect; ``None`` for a request that
        is not the redirect (a favicon); raises ``ConnectFailed`` for a wrong state or a
        refusal."""
        try:
            conn, _addr = self._sock.accept()
        except BlockingIOError:
            return None
        with conn:
            conn.settimeout(5.0)
            try:
                request_line = _read_request_line(conn)
            except OSError:
                return None
            parts = request_line.split(" ")
            target = parts[1] if len(parts) >= 2 else ""
            url = urlsplit(target)
            if parts[0] != "GET" or url.path != CALLBACK_PATH:
                _answer(conn, 404, "Not here", "This address only receives the sign-in answer.")
                return None
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if not pysecrets.compare_digest(query.get("state", ""), self.state):
                _answer(
                    conn,
                    400,
                    "Sign-in refused",
                    "This answer does not belong to the sign-in the app started. "
                    "Close this tab and start again from Front Desk Social.",
                )
                raise ConnectFailed(
                    "The browser came back with an answer for a different sign-in; "
                    "nothing was connected. Start again.",
                    reason="state_mismatch",
                )
            if "error" in query or not query.get("code"):
                _answer(
                    conn,
                    400,
                    "Not connected",
                    "The account was not connected. You can close this tab.",
                )
                raise ConnectFailed(
                    f"{self.endpoints.name} did not allow the connection "
                    f"({query.get('error', 'no code')}).",
                    reason="denied",
                )
            _answer(
                conn,
                200,
                "Connected",
                "You can close this tab and go back to Front Desk Social.",
            )
            return query["code"]

    def _exchange(self, code: str) -> Token:
        client = self._client()
        session = OAuth2Session(
            client.client_id,
            client.client_secret or None,
            token_endpoint_auth_method=self.endpoints.token_auth,
            redirect_uri=self.redirect_uri,
        )
        session.headers["User-Agent"] = USER_AGENT
        try:
            data = session.fetch_token(
                self.endpoints.token_url,
                code=code,
                code_verifier=self._verifier,
                timeout=self._timeout,
            )
        except requests.exceptions.RequestException as exc:
            raise ConnectFailed(
                f"Could not reach {self.endpoints.name} to finish signing in.",
                reason="server_unreachable",
            ) from exc
        except Exception as exc:  # Authlib's OAuthError and a body that is not a token
            description = str(getattr(exc, "description", "") or getattr(exc, "error", ""))
            raise ConnectFailed(
                f"{self.endpoints.name} refused to finish signing in"
                + (f": {description}" if description else "."),
                reason="token_exchange",
            ) from None
        try:
            return token_from_response(data, self._clock())
        except (TypeError, ValueError):
            raise ConnectFailed(
                f"{self.endpoints.name} answered without a usable token.", reason="token_exchange"
            ) from None

    def _client(self) -> OAuthClient:
        if self.client is None or not self.client.client_id:
            raise ConnectFailed(
                f"Enter the practice's {self.endpoints.name} client id first.",
                reason="no_client_id",
            )
        return self.client


def _read_request_line(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 16384:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def _answer(conn: socket.socket, status: int, title: str, text: str) -> None:
    body = DONE_PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    # The browser may have gone away; the flow's outcome does not depend on it.
    with contextlib.suppress(OSError):
        conn.sendall(head.encode("ascii") + body)


class OAuth2Refresher:
    """Renews an OAuth 2.0 token with its refresh token (``grant_type=refresh_token``).
    ``invalid_grant`` / 401 → ``RefreshRefused``; network trouble, 5xx → ``Transient``."""

    def __init__(
        self,
        endpoints: OAuthEndpoints,
        client: Callable[[], OAuthClient | None],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._endpoints = endpoints
        self._client = client
        self._clock = clock

    def __call__(self, account: Account, token: Token) -> Token:
        client = self._client() or OAuthClient(token.extra.get("client_id", ""))
        if not client.client_id:
            raise RefreshRefused("no client id")
        data = {"grant_type": "refresh_token", "refresh_token": token.refresh_token}
        auth: tuple[str, str] | None = None
        method = self._endpoints.token_auth
        if method == "client_secret_basic" and client.client_secret:
            auth = (client.client_id, client.client_secret)
        else:
            data["client_id"] = client.client_id
            if client.client_secret and method != "none":
                data["client_secret"] = client.client_secret
        http = HttpClient(self._endpoints.token_url, None, name=self._endpoints.name)
        response = http.request(
            "POST",
            self._endpoints.token_url,
            data=data,
            auth=auth,
            with_token=False,
            accept=(400, 401, 403),
        )
        if response.status_code in (400, 401, 403):
            raise RefreshRefused(platform_message(response) or f"HTTP {response.status_code}")
        try:
            fresh = token_from_response(response.json(), self._clock())
        except (TypeError, ValueError) as exc:
            raise RefreshRefused("the answer has no access token") from exc
        # Platforms that do not rotate refresh tokens leave it out of the answer.
        return replace(
            fresh,
            refresh_token=fresh.refresh_token or token.refresh_token,
            extra={**token.extra, **fresh.extra},
        )

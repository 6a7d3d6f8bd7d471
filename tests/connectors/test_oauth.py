"""The loopback sign-in (RFC 8252) against a local authorization server that checks what a
real one checks: the redirect URI on 127.0.0.1, the state echoed back, and the PKCE verifier
against the S256 challenge it was given (recomputed here from the verifier it receives)."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Generator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.accounts.errors import ConnectFailed
from core.accounts.model import Token
from core.accounts.oauth import LoopbackFlow, OAuthClient, OAuthEndpoints, endpoints_for
from core.progress import Progress


class AuthorizationServer:
    """/authorize redirects back with a code (or the test's chosen answer); /token checks the
    code, the redirect URI and the PKCE verifier."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.challenges: dict[str, tuple[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.forged_state: str | None = None
        self.deny = False
        server.expect_request("/authorize").respond_with_handler(self.authorize)
        server.expect_request("/token", method="POST").respond_with_handler(self.token)

    def endpoints(self) -> OAuthEndpoints:
        return OAuthEndpoints(
            "x",
            "X",
            self.server.url_for("/authorize"),
            self.server.url_for("/token"),
            scopes=("tweet.write", "offline.access"),
            token_auth="client_secret_basic",
        )

    def authorize(self, request: Request) -> Response:
        args = request.args
        redirect = args["redirect_uri"]
        assert urlsplit(redirect).hostname == "127.0.0.1"
        assert args["response_type"] == "code"
        assert args["code_challenge_method"] == "S256"
        assert args["client_id"] == "client-1"
        assert args["scope"] == "tweet.write offline.access"
        code = f"code-{len(self.challenges) + 1}"
        self.challenges[code] = (args["code_challenge"], redirect)
        if self.deny:
            query = {"error": "access_denied", "state": args["state"]}
        else:
            query = {"code": code, "state": self.forged_state or args["state"]}
        return Response(status=302, headers={"Location": f"{redirect}?{urlencode(query)}"})

    def token(self, request: Request) -> Response:
        form = dict(request.form)
        self.token_requests.append(form)
        challenge, redirect = self.challenges.get(form.get("code", ""), ("", ""))
        digest = hashlib.sha256(form.get("code_verifier", "").encode("ascii")).digest()
        recomputed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        if not challenge or recomputed != challenge or form.get("redirect_uri") != redirect:
            return Response('{"error": "invalid_grant"}', 400, content_type="application/json")
        if request.authorization is None or request.authorization.password != "shh":
            return Response('{"error": "invalid_client"}', 401, content_type="application/json")
        return Response(
            '{"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 7200, '
            '"token_type": "bearer", "scope": "tweet.write offline.access"}',
            200,
            content_type="application/json",
        )


@pytest.fixture
def auth_server(httpserver: HTTPServer) -> AuthorizationServer:
    return AuthorizationServer(httpserver)


class Browser:
    """Opens the authorize URL like the system browser: follows the redirect to the loopback
    and keeps the page the app answered with."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.page: requests.Response | None = None
        self.thread = threading.Thread(target=self._open, daemon=True)
        self.thread.start()

    def _open(self) -> None:
        self.page = requests.get(self.url, timeout=10)


def run(gen: Generator[Progress, None, Any]) -> tuple[list[Progress], Any]:
    steps: list[Progress] = []
    try:
        while True:
            steps.append(next(gen))
    except StopIteration as stop:
        return steps, stop.value


def test_the_loopback_flow_signs_in_with_state_and_pkce(auth_server: AuthorizationServer) -> None:
    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    url = flow.authorize_url()
    query = parse_qs(urlsplit(url).query)
    assert query["state"] == [flow.state]
    assert query["redirect_uri"] == [f"http://127.0.0.1:{flow.port}/callback"]
    browser = Browser(url)
    steps, token = run(flow.wait(timeout=10))
    browser.thread.join(5)
    assert isinstance(token, Token)
    assert token.access_token == "at-1"
    assert token.refresh_token == "rt-1"
    assert token.expires_at is not None
    assert steps
    assert steps[-1].label == "exchanging_code"
    assert browser.page is not None
    assert browser.page.status_code == 200
    assert "close this tab" in browser.page.text
    [exchange] = auth_server.token_requests
    assert exchange["grant_type"] == "authorization_code"
    assert "client_secret" not in exchange  # sent as HTTP Basic, as the endpoint wants
    with pytest.raises(requests.exceptions.ConnectionError):  # the port is closed after
        requests.get(f"http://127.0.0.1:{flow.port}/callback", timeout=2)


def test_a_wrong_state_is_refused_and_no_code_is_exchanged(
    auth_server: AuthorizationServer,
) -> None:
    auth_server.forged_state = "somebody-elses-state"
    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    browser = Browser(flow.authorize_url())
    with pytest.raises(ConnectFailed) as caught:
        run(flow.wait(timeout=10))
    browser.thread.join(5)
    assert caught.value.reason == "state_mismatch"
    assert auth_server.token_requests == []
    assert browser.page is not None
    assert browser.page.status_code == 400


def test_a_verifier_that_does_not_match_the_challenge_is_refused(
    auth_server: AuthorizationServer,
) -> None:
    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    url = flow.authorize_url()
    flow._verifier = "a-different-verifier-" + "x" * 40  # what a stolen code would bring
    Browser(url)
    with pytest.raises(ConnectFailed) as caught:
        run(flow.wait(timeout=10))
    assert caught.value.reason == "token_exchange"
    assert len(auth_server.token_requests) == 1


def test_a_refusal_in_the_browser_is_reported(auth_server: AuthorizationServer) -> None:
    auth_server.deny = True
    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    Browser(flow.authorize_url())
    with pytest.raises(ConnectFailed) as caught:
        run(flow.wait(timeout=10))
    assert caught.value.reason == "denied"
    assert "access_denied" in str(caught.value)


def test_other_requests_to_the_port_are_ignored(auth_server: AuthorizationServer) -> None:
    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    url = flow.authorize_url()

    def favicon_then_browser() -> None:
        requests.get(f"http://127.0.0.1:{flow.port}/favicon.ico", timeout=5)
        requests.get(url, timeout=10)

    thread = threading.Thread(target=favicon_then_browser, daemon=True)
    thread.start()
    _steps, token = run(flow.wait(timeout=10))
    thread.join(5)
    assert token.access_token == "at-1"


def test_waiting_can_be_cancelled_and_times_out(auth_server: AuthorizationServer) -> None:
    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    cancelled = threading.Event()
    gen = flow.wait(timeout=30, cancel=cancelled.is_set)
    next(gen)
    cancelled.set()
    with pytest.raises(ConnectFailed) as caught:
        next(gen)
    assert caught.value.reason == "cancelled"

    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    with pytest.raises(ConnectFailed) as timed_out:
        run(flow.wait(timeout=0.5))
    assert timed_out.value.reason == "timeout"

    flow = LoopbackFlow(auth_server.endpoints(), OAuthClient("client-1", "shh"))
    gen = flow.wait(timeout=30)
    next(gen)
    gen.close()  # the task runner's cancel: the port is freed
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{flow.port}/callback", timeout=2)


def test_no_client_id_is_a_plain_message() -> None:
    flow = LoopbackFlow(endpoints_for("linkedin"))
    with pytest.raises(ConnectFailed) as caught:
        flow.authorize_url()
    flow.close()
    assert caught.value.reason == "no_client_id"
    assert "LinkedIn client id" in str(caught.value)


def test_the_shipped_endpoints_are_https_and_ask_for_refresh_where_needed() -> None:
    for platform in ("x", "facebook", "linkedin", "gbp"):
        endpoints = endpoints_for(platform)
        assert endpoints.authorize_url.startswith("https://")
        assert endpoints.token_url.startswith("https://")
    assert "offline.access" in endpoints_for("x").scopes
    assert endpoints_for("gbp").authorize_params["access_type"] == "offline"
    mastodon = endpoints_for("mastodon").on_server("https://mastodon.example")
    assert mastodon.token_url == "https://mastodon.example/oauth/token"

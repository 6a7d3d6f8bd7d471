"""Settings → Accounts end to end: the real AccountService over real HTTP on 127.0.0.1.

Bluesky signs in with an app password against a local XRPC server; Mastodon registers the app
on a local server, then signs in through the browser. The browser is simulated with requests:
it fetches the authorize URL the app opened, the local authorization server checks the client
and PKCE and redirects (302) to the app's loopback address, and requests follows that redirect
to the app — a real HTTP request to the port the app listens on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot
from werkzeug import Request, Response

from core.accounts.model import Account, AccountStatus, Token
from core.accounts.oauth import OAuthEndpoints
from core.accounts.service import AccountService
from core.accounts.tokens import TokenProvider
from gui.hub import SignalHub
from gui.settings import accounts as accounts_module
from gui.settings import accounts_dialogs
from gui.settings.accounts import AccountsSection
from gui.settings.accounts_dialogs import BlueskyLogin, ClientCredentials
from gui.settings.accounts_model import AccountColumn
from gui.settings.page import SettingsPage
from tests.gui.page_env import PageEnv, open_section

ACCESS = "gui-access-token-Zq81"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


def _jwt(expires_in: int) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'exp': int(time.time()) + expires_in})}.sig"


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


@dataclass
class AuthServer:
    """A local OAuth 2.0 authorization server with PKCE (RFC 7636), and Mastodon's app
    registration and account endpoints, on pytest-httpserver."""

    server: HTTPServer
    client_id: str = "local-client"
    client_secret: str = "local-secret"
    registered: list[str] = field(default_factory=list)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    exchanged: list[dict[str, str]] = field(default_factory=list)
    state_override: str | None = None

    def install(self, prefix: str = "") -> None:
        self.server.expect_request("/api/v1/apps", method="POST").respond_with_handler(
            self.register
        )
        self.server.expect_request(f"{prefix}/oauth/authorize").respond_with_handler(self.authorize)
        self.server.expect_request(f"{prefix}/oauth/token", method="POST").respond_with_handler(
            self.token
        )
        self.server.expect_request("/api/v1/accounts/verify_credentials").respond_with_handler(
            self.verify
        )
        self.server.expect_request("/2/users/me").respond_with_handler(self.me)

    def register(self, request: Request) -> Response:
        body = request.get_json()
        assert body["client_name"] == "Front Desk Social"
        assert body["redirect_uris"].startswith("http://127.0.0.1:")
        self.registered.append(body["redirect_uris"])
        return _json(
            {
                "id": "1",
                "name": "Front Desk Social",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uri": body["redirect_uris"],
            }
        )

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != self.client_id or args.get("response_type") != "code":
            return _json({"error": "invalid_client"}, 400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return _json({"error": "invalid_request"}, 400)
        code = secrets.token_urlsafe(12)
        self.codes[code] = {
            "challenge": args["code_challenge"],
            "redirect_uri": args["redirect_uri"],
        }
        state = self.state_override if self.state_override is not None else args["state"]
        query = urlencode({"code": code, "state": state})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def token(self, request: Request) -> Response:
        form = request.form
        entry = self.codes.pop(form.get("code", ""), None)
        if entry is None or form.get("grant_type") != "authorization_code":
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenge != entry["challenge"] or form.get("redirect_uri") != entry["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        client = form.get("client_id")
        if request.authorization is not None:
            client = request.authorization.username
        if client != self.client_id:
            return _json({"error": "invalid_client"}, 401)
        self.exchanged.append(dict(form))
        return _json(
            {
                "access_token": ACCESS,
                "token_type": "Bearer",
                "scope": "read:accounts write:statuses",
                "created_at": int(time.time()),
            }
        )

    def verify(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS}":
            return _json({"error": "The access token is invalid"}, 401)
        return _json({"id": "1091", "username": "maplegrove", "display_name": "Maple Grove"})

    def me(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS}":
            return _json({"title": "Unauthorized"}, 401)
        return _json({"data": {"id": "77", "username": "maplegrove", "name": "Maple Grove X"}})


@dataclass
class Browser:
    """Stands in for the system browser: opens the page the app asks for (a real request),
    follows the authorization server's redirect back to the app's loopback address."""

    opened: list[str] = field(default_factory=list)
    answers: list[requests.Response] = field(default_factory=list)
    act: bool = True

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        if self.act:
            self.answers.append(requests.get(url, timeout=10))
        return True


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    fake = Browser()
    monkeypatch.setattr(accounts_module, "open_in_browser", fake)
    return fake


@pytest.fixture
def auth(httpserver: HTTPServer) -> Iterator[AuthServer]:
    server = AuthServer(httpserver)
    server.install()
    yield server
    httpserver.check_handler_errors()


def bluesky_server(httpserver: HTTPServer, did: str = "did:plc:maplegrove") -> list[dict[str, Any]]:
    """A local PDS answering createSession for the test handle and app password."""
    calls: list[dict[str, Any]] = []

    def create_session(request: Request) -> Response:
        body = request.get_json()
        calls.append(body)
        if body.get("password") != APP_PASSWORD:
            return _json(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                401,
            )
        handle = str(body["identifier"])
        return _json(
            {
                "did": did if handle == "maplegrove.bsky.social" else f"did:plc:{handle[:5]}",
                "handle": handle,
                "accessJwt": _jwt(7200),
                "refreshJwt": _jwt(86400 * 60),
                "active": True,
            }
        )

    httpserver.expect_request(
        "/xrpc/com.atproto.server.createSession", method="POST"
    ).respond_with_handler(create_session)
    return calls


def section_for(qtbot: QtBot, page: SettingsPage, env: PageEnv) -> AccountsSection:
    page.set_user(env.staff.admin)
    return open_section(qtbot, page, "accounts", AccountsSection)


def shown(section: AccountsSection, row: int, column: AccountColumn) -> str:
    return str(section.model.index(row, column).data())


def stub_ask(monkeypatch: pytest.MonkeyPatch, cls: type, answer: Any) -> list[tuple[Any, ...]]:
    asked: list[tuple[Any, ...]] = []

    def ask(_parent: object, *args: Any, **kwargs: Any) -> Any:
        asked.append((*args, *kwargs.values()))
        return answer

    monkeypatch.setattr(cls, "ask", ask)
    return asked


def wait_idle(qtbot: QtBot, section: AccountsSection) -> None:
    qtbot.waitUntil(lambda: not section.busy and section.loaded, timeout=15000)


def connect_bluesky(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    section: AccountsSection,
    pds: str,
    handle: str = "maplegrove.bsky.social",
    password: str = APP_PASSWORD,
) -> None:
    stub_ask(monkeypatch, accounts_dialogs.PlatformChooser, "bluesky")
    stub_ask(monkeypatch, accounts_dialogs.BlueskyDialog, BlueskyLogin(handle, password, pds))
    section.connect_button.click()
    wait_idle(qtbot, section)


def audit_actions(env: PageEnv) -> list[str]:
    return [e.action for e in env.store.state.audit if e.action.startswith("account.")]


# --- Bluesky --------------------------------------------------------------------------------
def test_bluesky_connects_with_an_app_password_and_keeps_the_token_in_the_keyring(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    hub: SignalHub,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = bluesky_server(httpserver)
    section = section_for(qtbot, page, env)
    assert section.model.rowCount() == 0
    assert section.empty_label.isVisible() or not section.isVisible()
    with qtbot.waitSignal(hub.data_changed, timeout=15000, check_params_cb="accounts".__eq__):
        connect_bluesky(qtbot, monkeypatch, section, httpserver.url_for("/").rstrip("/"))
    wait_idle(qtbot, section)
    assert calls == [{"identifier": "maplegrove.bsky.social", "password": APP_PASSWORD}]
    assert [a.platform for a in section.model.accounts] == ["bluesky"]
    account = section.model.accounts[0]
    assert shown(section, 0, AccountColumn.PLATFORM) == "Bluesky"
    assert shown(section, 0, AccountColumn.HANDLE) == "@maplegrove.bsky.social"
    assert shown(section, 0, AccountColumn.STATUS) == "Connected"
    assert shown(section, 0, AccountColumn.DEFAULT) == "✓"
    assert section.notice_text() == (
        "Bluesky “maplegrove.bsky.social” is connected: posts to Bluesky go out here."
    )
    assert section.selected() == account
    # The token and the app password live in the keyring only, under the account's reference.
    stored = Token.from_json(env.secrets.values[account.token_ref])
    assert stored.extra["app_password"] == APP_PASSWORD
    assert APP_PASSWORD not in repr(env.store.state.accounts)
    assert stored.access_token not in repr(env.store.state.accounts)
    assert audit_actions(env) == ["account.connect"]


def test_a_refused_app_password_is_said_plainly_and_nothing_is_connected(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bluesky_server(httpserver)
    section = section_for(qtbot, page, env)
    connect_bluesky(
        qtbot,
        monkeypatch,
        section,
        httpserver.url_for("/").rstrip("/"),
        password="zzzz-zzzz-zzzz-zzzz",
    )
    assert section.model.rowCount() == 0
    assert section.notice_text() == (
        "Bluesky did not accept the handle and app password. Check both (an app password looks "
        "like xxxx-xxxx-xxxx-xxxx), then try again."
    )
    assert section.notice is not None
    assert section.notice.property("tone") == "danger"
    assert audit_actions(env) == []
    assert env.secrets.values.keys() == {"database-key:test"}


def test_an_unreachable_server_is_said_plainly(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    section = section_for(qtbot, page, env)
    connect_bluesky(qtbot, monkeypatch, section, f"http://127.0.0.1:{port}")
    assert section.model.rowCount() == 0
    assert section.notice_text().startswith("Could not reach")


# --- Mastodon through the browser -------------------------------------------------------------
def test_mastodon_registers_the_app_then_signs_in_through_the_browser(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    auth: AuthServer,
    browser: Browser,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = httpserver.url_for("/").rstrip("/")
    section = section_for(qtbot, page, env)
    stub_ask(monkeypatch, accounts_dialogs.PlatformChooser, "mastodon")
    stub_ask(monkeypatch, accounts_dialogs.MastodonDialog, server)
    section.connect_button.click()
    qtbot.waitUntil(lambda: bool(section.model.accounts), timeout=15000)
    wait_idle(qtbot, section)

    # The app registered itself with its loopback address, then opened the authorize page.
    assert len(auth.registered) == 1
    assert len(browser.opened) == 1
    opened = urlsplit(browser.opened[0])
    assert f"{opened.scheme}://{opened.netloc}" == server
    assert opened.path == "/oauth/authorize"
    # The browser was sent back to the app, which answered it with a closing page.
    answer = browser.answers[0]
    assert answer.status_code == 200
    assert answer.url.startswith(auth.registered[0])
    assert "You can close this tab" in answer.text
    # The code was exchanged once, with the verifier the server checked against the challenge.
    assert len(auth.exchanged) == 1
    account = section.model.accounts[0]
    assert (account.platform, account.remote_id, account.base_url) == ("mastodon", "1091", server)
    assert shown(section, 0, AccountColumn.HANDLE) == f"@maplegrove@{opened.netloc}"
    assert shown(section, 0, AccountColumn.EXPIRES) == "Never"
    assert Token.from_json(env.secrets.values[account.token_ref]).access_token == ACCESS
    assert section.waiting is None
    assert "is connected: posts to Mastodon go out here." in section.notice_text()
    # The loopback port is closed once the sign-in is over.
    port = urlsplit(auth.registered[0]).port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_an_answer_for_another_sign_in_is_refused(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    auth: AuthServer,
    browser: Browser,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    auth.state_override = "forged-state"
    section = section_for(qtbot, page, env)
    stub_ask(monkeypatch, accounts_dialogs.PlatformChooser, "mastodon")
    stub_ask(monkeypatch, accounts_dialogs.MastodonDialog, httpserver.url_for("/").rstrip("/"))
    section.connect_button.click()
    qtbot.waitUntil(lambda: "did not belong" in section.notice_text(), timeout=15000)
    wait_idle(qtbot, section)
    assert browser.answers[0].status_code == 400
    assert "Sign-in refused" in browser.answers[0].text
    assert auth.exchanged == []
    assert section.model.rowCount() == 0
    assert section.waiting is None


def test_cancel_while_waiting_for_the_browser_closes_the_loopback_port(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    auth: AuthServer,
    browser: Browser,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser.act = False  # the person never finishes in the browser
    section = section_for(qtbot, page, env)
    stub_ask(monkeypatch, accounts_dialogs.PlatformChooser, "mastodon")
    stub_ask(monkeypatch, accounts_dialogs.MastodonDialog, httpserver.url_for("/").rstrip("/"))
    section.connect_button.click()
    qtbot.waitUntil(lambda: section.waiting is not None, timeout=15000)
    waiting = section.waiting
    assert waiting is not None
    assert waiting.url == browser.opened[0]
    qtbot.waitUntil(lambda: "Waiting for your sign-in" in waiting.status.text(), timeout=5000)
    assert section.busy
    assert not section.connect_button.isEnabled()
    waiting.cancel_button.click()
    assert section.waiting is None
    assert section.notice_text() == "Connecting was cancelled. Nothing was connected."
    port = urlsplit(auth.registered[0]).port

    def refused() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        return False

    qtbot.waitUntil(refused, timeout=5000)
    assert not section.busy
    assert section.connect_button.isEnabled()
    assert section.model.rowCount() == 0


# --- an OAuth platform with the practice's own app registration ---------------------------------
def test_x_asks_for_the_practice_app_once_then_signs_in(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    auth: AuthServer,
    browser: Browser,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = httpserver.url_for("/")
    endpoints = OAuthEndpoints(
        "x",
        "X",
        base + "oauth/authorize",
        base + "oauth/token",
        ("tweet.write", "offline.access"),
        "client_secret_basic",
        api_base=base,
    )
    env.services._accounts = AccountService(
        env.store,
        env.clock,
        env.secrets,
        TokenProvider(env.secrets, env.store, clock=env.clock),
        endpoint_overrides={"x": endpoints},
    )
    section = section_for(qtbot, page, env)
    stub_ask(monkeypatch, accounts_dialogs.PlatformChooser, "x")
    asked = stub_ask(
        monkeypatch,
        accounts_dialogs.ClientDialog,
        ClientCredentials(auth.client_id, auth.client_secret),
    )
    section.connect_button.click()
    qtbot.waitUntil(lambda: bool(section.model.accounts), timeout=15000)
    wait_idle(qtbot, section)
    assert asked == [("x",)]
    assert shown(section, 0, AccountColumn.HANDLE) == "@maplegrove"
    assert "account.client_set" in audit_actions(env)
    assert auth.client_secret not in json.dumps([e.detail for e in env.store.state.audit])
    # Reconnecting does not ask for the app registration again.
    section.table.selectRow(0)
    section.reconnect_button.click()
    qtbot.waitUntil(lambda: "is reconnected" in section.notice_text(), timeout=15000)
    wait_idle(qtbot, section)
    assert asked == [("x",)]
    assert len(browser.opened) == 2
    assert audit_actions(env)[-1] == "account.reconnect"
    assert section.model.rowCount() == 1


# --- managing accounts ---------------------------------------------------------------------------
def test_default_rename_and_remove(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bluesky_server(httpserver)
    pds = httpserver.url_for("/").rstrip("/")
    section = section_for(qtbot, page, env)
    connect_bluesky(qtbot, monkeypatch, section, pds)
    connect_bluesky(qtbot, monkeypatch, section, pds, handle="oakave.bsky.social")
    assert "still go to the default account" in section.notice_text()
    labels = [a.label for a in section.model.accounts]
    assert labels == ["maplegrove.bsky.social", "oakave.bsky.social"]  # the default first
    assert section.selected() is not None
    assert section.selected().label == "oakave.bsky.social"
    assert section.default_button.isEnabled()

    section.default_button.click()
    wait_idle(qtbot, section)
    assert [a.label for a in section.model.accounts if a.is_default] == ["oakave.bsky.social"]
    assert section.notice_text() == "Posts to Bluesky now go to “oakave.bsky.social”."
    assert not section.default_button.isEnabled()

    stub_ask(monkeypatch, accounts_dialogs.RenameDialog, "Maple Grove – Oak Ave")
    section.rename_button.click()
    wait_idle(qtbot, section)
    assert section.model.accounts[0].label == "Maple Grove – Oak Ave"
    assert section.notice_text() == "The account is now called “Maple Grove – Oak Ave”."

    removing = section.selected()
    assert removing is not None
    monkeypatch.setattr(accounts_dialogs.RemoveDialog, "ask", lambda _p, _a: False)
    section.remove_button.click()
    assert section.model.rowCount() == 2
    monkeypatch.setattr(accounts_dialogs.RemoveDialog, "ask", lambda _p, _a: True)
    section.remove_button.click()
    wait_idle(qtbot, section)
    assert [a.label for a in section.model.accounts] == ["maplegrove.bsky.social"]
    assert section.model.accounts[0].is_default  # the other one takes over
    assert removing.token_ref not in env.secrets.values
    assert audit_actions(env) == [
        "account.connect",
        "account.connect",
        "account.default",
        "account.rename",
        "account.remove",
    ]


def test_a_revoked_account_shows_and_reconnects_with_its_handle_filled_in(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bluesky_server(httpserver)
    pds = httpserver.url_for("/").rstrip("/")
    section = section_for(qtbot, page, env)
    connect_bluesky(qtbot, monkeypatch, section, pds)
    account = section.model.accounts[0]
    env.services.accounts.tokens.reconnect_needed(account)
    section.loaded = False
    section.refresh(force=True)
    wait_idle(qtbot, section)
    assert shown(section, 0, AccountColumn.STATUS) == "Needs reconnecting"
    asked = stub_ask(
        monkeypatch,
        accounts_dialogs.BlueskyDialog,
        BlueskyLogin("maplegrove.bsky.social", APP_PASSWORD, pds),
    )
    section.table.selectRow(0)
    section.reconnect_button.click()
    wait_idle(qtbot, section)
    assert asked == [("maplegrove.bsky.social", pds)]
    assert shown(section, 0, AccountColumn.STATUS) == "Connected"
    assert section.notice_text() == "Bluesky “maplegrove.bsky.social” is reconnected."


def test_a_sign_in_that_ends_within_a_week_says_so(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    now = env.clock.now()
    with env.store() as tx:
        tx.accounts.add(
            Account(
                None,
                "linkedin",
                "Maple Grove Dental",
                "urn:li:organization:5",
                token_ref="token:linkedin:test",
                expires_at=now + timedelta(days=3),
            )
        )
    section = section_for(qtbot, page, env)
    assert shown(section, 0, AccountColumn.STATUS) == "Sign-in ends soon"
    assert shown(section, 0, AccountColumn.HANDLE) == "—"
    assert section.model.accounts[0].status is AccountStatus.EXPIRING


def test_front_desk_sees_the_accounts_but_cannot_change_them(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    with env.store() as tx:
        tx.accounts.add(Account(None, "x", "Maple Grove", "77", "@maplegrove", token_ref="t:x"))
    page.set_user(env.staff.front_desk)
    section = open_section(qtbot, page, "accounts", AccountsSection)
    assert section.model.rowCount() == 1
    assert section.note.text_label.text() == "Only a manager or admin can change this."
    for widget in (
        section.connect_button,
        section.reconnect_button,
        section.default_button,
        section.rename_button,
        section.remove_button,
    ):
        assert widget.isHidden()
    section.connect_account()  # a stray call changes nothing
    assert not section.busy


def test_the_section_sits_after_the_posting_plan(page: SettingsPage) -> None:
    keys = list(page.buttons)
    assert keys.index("accounts") == keys.index("posting") + 1
    assert page.buttons["accounts"].text() == "Accounts"


def test_the_model_passes_the_model_tester(qtmodeltester: Any, env: PageEnv) -> None:
    from zoneinfo import ZoneInfo

    from gui.settings.accounts_model import AccountsModel

    model = AccountsModel()
    now = env.clock.now()
    model.set_accounts(
        [
            Account(1, "x", "B", "1", "@b", token_ref="a"),
            Account(2, "mastodon", "A", "2", "@a@m.social", is_default=False, token_ref="b"),
            Account(3, "mastodon", "C", "3", status=AccountStatus.REMOVED, token_ref="c"),
        ],
        ZoneInfo("America/Chicago"),
        now,
    )
    qtmodeltester.check(model, force_py=True)
    assert [a.id for a in model.accounts] == [1, 2]  # platform order; removed ones hidden

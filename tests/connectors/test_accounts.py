"""AccountService end to end against local servers: connecting Mastodon (app registration,
then the PKCE loopback) and Bluesky (app password, refresh, fallback to a new session), and the
account list's edits: default, rename, remove (keyring entry gone, row kept), permissions,
Today."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.accounts.errors import ConnectFailed
from core.accounts.model import Account, AccountStatus, AuthKind, Token
from core.accounts.service import AccountService, normalise_server
from core.accounts.tokens import TokenProvider
from core.clock import ManualClock
from core.errors import PermissionDenied, ValidationError
from core.staff.model import Role, StaffMember
from tests.fakes import MemorySecrets, MemoryStore

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def jwt(exp: datetime) -> str:
    import base64

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'exp': int(exp.timestamp())})}.sig"


@pytest.fixture
def env() -> tuple[AccountService, MemoryStore, MemorySecrets, ManualClock, StaffMember]:
    store, secrets, clock = MemoryStore(), MemorySecrets(), ManualClock(T0)
    with store() as tx:
        admin = tx.staff.add("Dana Whitfield", Role.ADMIN, "h")
    service = AccountService(store, clock, secrets, TokenProvider(secrets, store, clock=clock))
    return service, store, secrets, clock, admin


def test_connecting_mastodon_registers_the_app_then_signs_in(
    httpserver: HTTPServer, env: Any
) -> None:
    service, _store, secrets, _clock, admin = env
    registered: dict[str, str] = {}

    def apps(request: Request) -> Response:
        registered.update(request.get_json())
        return Response(json.dumps({"client_id": "mc-1", "client_secret": "ms-1"}), 200)

    def authorize(request: Request) -> Response:
        assert request.args["client_id"] == "mc-1"
        assert request.args["redirect_uri"] == registered["redirect_uris"]
        query = urlencode({"code": "m-code", "state": request.args["state"]})
        return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{query}"})

    httpserver.expect_request("/api/v1/apps", method="POST").respond_with_handler(apps)
    httpserver.expect_request("/oauth/authorize").respond_with_handler(authorize)
    httpserver.expect_request("/oauth/token", method="POST").respond_with_json(
        {"access_token": "m-token", "token_type": "Bearer", "scope": "read:accounts write:statuses"}
    )
    httpserver.expect_request(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": "Bearer m-token"}
    ).respond_with_json({"id": "1091", "username": "maplegrove", "display_name": "Maple Grove"})

    start = service.begin_mastodon(admin, httpserver.url_for("/"))
    assert registered["scopes"] == "read:accounts read:statuses write:statuses write:media"
    browser = threading.Thread(target=lambda: requests.get(start.url, timeout=10), daemon=True)
    browser.start()
    gen = service.finish_oauth(admin, start, timeout=10)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        [account] = stop.value
    browser.join(5)
    assert account.platform == "mastodon"
    assert account.remote_id == "1091"
    assert account.handle.startswith("@maplegrove@localhost")
    assert account.auth_kind is AuthKind.MASTODON_APP
    assert account.is_default
    assert account.status is AccountStatus.CONNECTED
    assert account.expires_at is None
    stored = Token.from_json(secrets.get(account.token_ref))
    assert stored.access_token == "m-token"
    assert stored.extra["client_id"] == "mc-1"
    assert "m-token" not in repr(account)


def test_a_server_that_is_not_mastodon_is_a_plain_message(httpserver: HTTPServer, env: Any) -> None:
    service, *_rest, admin = env
    httpserver.expect_request("/api/v1/apps").respond_with_data("<html>hi</html>", 404)
    with pytest.raises(ConnectFailed) as caught:
        service.begin_mastodon(admin, httpserver.url_for("/"))
    assert caught.value.reason == "bad_server"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mastodon.social", "https://mastodon.social"),
        (" https://fosstodon.org/ ", "https://fosstodon.org"),
    ],
)
def test_server_addresses_are_normalised(text: str, expected: str) -> None:
    assert normalise_server(text) == expected


@pytest.mark.parametrize("text", ["", "ftp://x.org", "http://mastodon.social", "not a url"])
def test_bad_server_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        normalise_server(text)


def bluesky_server(httpserver: HTTPServer, exp: datetime) -> list[str]:
    calls: list[str] = []

    def create(request: Request) -> Response:
        calls.append("createSession")
        body = request.get_json()
        if body["password"] != "abcd-efgh-ijkl-mnop":
            return Response(
                '{"error": "AuthenticationRequired", "message": "Invalid identifier or password"}',
                401,
                content_type="application/json",
            )
        n = calls.count("createSession")
        return Response(
            json.dumps(
                {
                    "accessJwt": jwt(exp),
                    "refreshJwt": f"refresh-{n}",
                    "handle": "maplegrove.bsky.social",
                    "did": "did:plc:maple",
                }
            ),
            200,
            content_type="application/json",
        )

    def refresh(request: Request) -> Response:
        calls.append("refreshSession")
        return Response(
            '{"error": "ExpiredToken", "message": "Token has expired"}',
            400,
            content_type="application/json",
        )

    httpserver.expect_request("/xrpc/com.atproto.server.createSession").respond_with_handler(create)
    httpserver.expect_request("/xrpc/com.atproto.server.refreshSession").respond_with_handler(
        refresh
    )
    return calls


def test_connecting_bluesky_with_an_app_password(httpserver: HTTPServer, env: Any) -> None:
    service, _store, secrets, clock, admin = env
    calls = bluesky_server(httpserver, T0 + timedelta(hours=2))
    account = service.connect_bluesky(
        admin, "@maplegrove.bsky.social", "abcd-efgh-ijkl-mnop", httpserver.url_for("/")
    )
    assert (account.remote_id, account.handle) == ("did:plc:maple", "@maplegrove.bsky.social")
    token = Token.from_json(secrets.get(account.token_ref))
    assert token.expires_at == T0 + timedelta(hours=2)
    assert token.extra["app_password"] == "abcd-efgh-ijkl-mnop"
    assert calls == ["createSession"]

    # Two hours on, the refresh JWT is refused too: a new session from the app password.
    clock.advance(timedelta(hours=2))
    fresh = service.tokens.access(account)
    assert calls == ["createSession", "refreshSession", "createSession"]
    assert fresh.refresh_token == "refresh-2"
    assert Token.from_json(secrets.get(account.token_ref)).refresh_token == "refresh-2"


def test_a_wrong_app_password_connects_nothing(httpserver: HTTPServer, env: Any) -> None:
    service, _store, secrets, _clock, admin = env
    bluesky_server(httpserver, T0 + timedelta(hours=2))
    with pytest.raises(ConnectFailed) as caught:
        service.connect_bluesky(admin, "maplegrove.bsky.social", "wrong", httpserver.url_for("/"))
    assert caught.value.reason == "bad_credentials"
    assert "Invalid identifier or password" in str(caught.value)
    assert service.list() == []
    assert secrets.values == {}


def add(store: MemoryStore, secrets: MemorySecrets, label: str, **kw: Any) -> Account:
    with store() as tx:
        account = tx.accounts.add(
            Account(
                None,
                kw.pop("platform", "gbp"),
                label,
                f"loc-{label}",
                token_ref=f"ref-{label}",
                **kw,
            )
        )
    secrets.set(account.token_ref, Token(f"token-{label}").to_json())
    return account


def test_default_rename_and_remove(env: Any) -> None:
    service, store, secrets, _clock, admin = env
    main = add(store, secrets, "Main St", is_default=True)
    oak = add(store, secrets, "Oak Ave", is_default=False)
    assert service.default_for("gbp") == main
    service.set_default(admin, oak.id)
    assert service.default_for("gbp").id == oak.id  # type: ignore[union-attr]
    assert [(a.label, a.is_default) for a in service.list()] == [
        ("Main St", False),
        ("Oak Ave", True),
    ]
    renamed = service.rename(admin, main.id, "  Maple Grove –   Main St ")
    assert renamed.label == "Maple Grove – Main St"
    removed = service.remove(admin, oak.id)
    assert removed.status is AccountStatus.REMOVED
    assert secrets.get("ref-Oak Ave") is None
    assert secrets.get("ref-Main St") is not None
    assert service.default_for("gbp").id == main.id  # type: ignore[union-attr]
    assert [a.id for a in service.list(include_removed=True)] == [main.id, oak.id]
    with store() as tx:
        actions = [e.action for e in tx.audit.query(_all())]
    assert {"account.default", "account.rename", "account.remove"} <= set(actions)
    with pytest.raises(ValidationError):
        service.rename(admin, main.id, "   ")


def _all() -> Any:
    from core.audit.model import AuditQuery

    return AuditQuery()


def test_only_settings_roles_change_accounts(env: Any) -> None:
    service, store, secrets, _clock, _admin = env
    with store() as tx:
        front = tx.staff.add("Front Desk", Role.FRONT_DESK, "h")
    account = add(store, secrets, "Main St")
    for attempt in (
        lambda: service.remove(front, account.id),
        lambda: service.rename(front, account.id, "X"),
        lambda: service.set_default(front, account.id),
        lambda: service.set_client(front, "x", "cid"),
        lambda: service.begin_oauth(front, "x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert secrets.get(account.token_ref) is not None


def test_client_ids_live_in_the_keyring_and_start_the_browser_flow(env: Any) -> None:
    service, _store, _secrets, _clock, admin = env
    with pytest.raises(ConnectFailed) as caught:
        service.begin_oauth(admin, "linkedin")
    assert caught.value.reason == "no_client_id"
    service.set_client(admin, "linkedin", " li-client ", "li-secret")
    assert service.client("linkedin").client_id == "li-client"  # type: ignore[union-attr]
    start = service.begin_oauth(admin, "linkedin")
    start.flow.close()
    assert start.url.startswith("https://www.linkedin.com/oauth/v2/authorization?")
    assert "client_id=li-client" in start.url
    assert "code_challenge=" in start.url
    assert "li-secret" not in start.url


def test_an_expiring_sign_in_shows_on_today_a_week_ahead(env: Any) -> None:
    service, store, secrets, clock, _admin = env
    add(store, secrets, "Page", platform="facebook", expires_at=T0 + timedelta(days=10))
    assert service.attention_items(clock.now()) == []
    clock.advance(timedelta(days=4))
    [item] = service.attention_items(clock.now())
    assert item.kind == "account_reconnect"
    assert item.params["reason"] == "expiring"
    assert item.due == T0 + timedelta(days=10)

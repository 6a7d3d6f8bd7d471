"""The shared HTTP helper against a real local server: every failure becomes the right typed
error, Retry-After in both forms and platform reset headers are honoured (and capped), 401
refreshes once and then asks for a reconnect, and messages keep the platform's words but never
the post text or the token."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account, AccountStatus, Token
from core.accounts.tokens import RefreshRefused, TokenProvider
from core.clock import ManualClock
from core.connectors.http import MAX_RETRY_AFTER, HttpClient, retry_after
from core.publishing.connectors import (
    PermanentPublishError,
    TransientPublishError,
    UncertainOutcome,
)
from tests.fakes import MemorySecrets, MemoryStore

POST_TEXT = "Smile of the week: braces off after eighteen months!"


def stored_account(store: MemoryStore, **kw: object) -> Account:
    with store() as tx:
        return tx.accounts.add(
            Account(None, "x", "Maple Grove", "42", token_ref="account-token:x:1", **kw)  # type: ignore[arg-type]
        )


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def secrets() -> MemorySecrets:
    return MemorySecrets()


def provider(store: MemoryStore, secrets: MemorySecrets, refresher: object = None) -> TokenProvider:
    refreshers = {"x": refresher} if refresher is not None else {}
    return TokenProvider(secrets, store, refreshers=refreshers, clock=ManualClock())  # type: ignore[arg-type]


def test_success_sends_the_bearer_token_and_a_user_agent(
    httpserver: HTTPServer, store: MemoryStore, secrets: MemorySecrets
) -> None:
    account = stored_account(store)
    tokens = provider(store, secrets)
    tokens.store(account, Token("tok-123"))
    httpserver.expect_request(
        "/2/tweets", method="POST", headers={"Authorization": "Bearer tok-123"}
    ).respond_with_json({"data": {"id": "9"}}, status=201)
    http = HttpClient(httpserver.url_for("/"), tokens, account=account, name="X")
    response = http.request("POST", "/2/tweets", json={"text": POST_TEXT})
    assert response.json() == {"data": {"id": "9"}}
    sent = httpserver.log[0][0]
    assert sent.headers["User-Agent"].startswith("FrontDeskSocial/")


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("Retry-After", "120", 120.0),
        ("Retry-After", "HTTPDATE+90", 90.0),
        ("x-rate-limit-reset", "EPOCH+300", 300.0),
        ("x-ratelimit-reset", "ISO+60", 60.0),
        ("Retry-After", "999999", MAX_RETRY_AFTER),
    ],
)
def test_429_is_transient_with_the_wait_the_platform_asked_for(
    httpserver: HTTPServer, header: str, value: str, expected: float
) -> None:
    now = 1_800_000_000.0
    moment = datetime.fromtimestamp(now, UTC)
    if value.startswith("HTTPDATE+"):
        value = format_datetime(moment + timedelta(seconds=int(value[9:])), usegmt=True)
    elif value.startswith("EPOCH+"):
        value = str(int(now) + int(value[6:]))
    elif value.startswith("ISO+"):
        value = (moment + timedelta(seconds=int(value[4:]))).isoformat()
    httpserver.expect_request("/2/tweets").respond_with_json(
        {"title": "Too Many Requests", "detail": "Too Many Requests"},
        status=429,
        headers={header: value},
    )
    http = HttpClient(httpserver.url_for("/"), name="X", clock=lambda: now)
    with pytest.raises(TransientPublishError) as caught:
        http.request("POST", "2/tweets", json={"text": POST_TEXT})
    assert caught.value.code == "http_429"
    assert caught.value.retry_after == pytest.approx(expected, abs=1)
    assert "Too Many Requests" in str(caught.value)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient_and_honour_retry_after(
    httpserver: HTTPServer, status: int
) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "oops", status=status, headers={"Retry-After": "30"}
    )
    with pytest.raises(TransientPublishError) as caught:
        HttpClient(httpserver.url_for("/"), name="Mastodon").request("POST", "x")
    assert caught.value.code == f"http_{status}"
    assert caught.value.retry_after == 30


def test_a_gateway_timeout_on_a_post_is_uncertain_but_on_a_get_transient(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/x").respond_with_data("", status=504)
    http = HttpClient(httpserver.url_for("/"), name="X")
    with pytest.raises(UncertainOutcome):
        http.request("POST", "x")
    with pytest.raises(TransientPublishError):
        http.request("GET", "x")


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (400, {"error": {"message": "Invalid parameter", "code": 100}}, "refused the request"),
        (403, {"detail": "You are not permitted to perform this action."}, "does not allow"),
        (404, {"message": "Organization not found", "status": 404}, "could not find"),
        (413, {"error": "File is too large"}, "too large"),
        (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, "refused"),
    ],
)
def test_refusals_are_permanent_with_the_platforms_words(
    httpserver: HTTPServer, status: int, body: dict[str, object], words: str
) -> None:
    httpserver.expect_request("/p").respond_with_json(body, status=status)
    with pytest.raises(PermanentPublishError) as caught:
        HttpClient(httpserver.url_for("/"), name="Facebook").request("POST", "p")
    message = str(caught.value)
    assert caught.value.code == f"http_{status}"
    assert message.startswith("Facebook ")
    assert words in message
    inner = body["error"] if isinstance(body.get("error"), str) else None
    platform_words = inner or next(
        v
        for v in [*body.values(), *(body.get("error") or {}).values()]  # type: ignore[attr-defined]
        if isinstance(v, str)
    )
    assert platform_words in message


def test_messages_never_carry_the_post_text_or_the_token(
    httpserver: HTTPServer, store: MemoryStore, secrets: MemorySecrets
) -> None:
    account = stored_account(store)
    tokens = provider(store, secrets)
    tokens.store(account, Token("secret-token-value"))
    httpserver.expect_request("/p").respond_with_json(
        {"error": f"Duplicate: '{POST_TEXT}' was sent with secret-token-value"}, status=422
    )
    http = HttpClient(httpserver.url_for("/"), tokens, account=account, name="X")
    with pytest.raises(PermanentPublishError) as caught:
        http.request("POST", "p", json={"text": POST_TEXT})
    assert POST_TEXT not in str(caught.value)
    assert "secret-token-value" not in str(caught.value)
    assert "Duplicate" in str(caught.value)


def test_a_401_refreshes_once_and_retries_with_the_new_token(
    httpserver: HTTPServer, store: MemoryStore, secrets: MemorySecrets
) -> None:
    account = stored_account(store)
    calls: list[str] = []

    def refresher(acc: Account, token: Token) -> Token:
        calls.append(token.refresh_token)
        return Token("new-access", "new-refresh")

    tokens = provider(store, secrets, refresher)
    tokens.store(account, Token("old-access", "old-refresh"))
    httpserver.expect_ordered_request(
        "/me", headers={"Authorization": "Bearer old-access"}
    ).respond_with_json({"error": "expired"}, status=401)
    httpserver.expect_ordered_request(
        "/me", headers={"Authorization": "Bearer new-access"}
    ).respond_with_json({"ok": True})
    http = HttpClient(httpserver.url_for("/"), tokens, account=account, name="X")
    assert http.request("GET", "me").json() == {"ok": True}
    assert calls == ["old-refresh"]
    assert tokens.peek(account) is not None
    assert tokens.peek(account).access_token == "new-access"


def test_a_second_401_asks_for_a_reconnect(
    httpserver: HTTPServer, store: MemoryStore, secrets: MemorySecrets
) -> None:
    account = stored_account(store)
    tokens = provider(store, secrets, lambda acc, tok: Token("new-access", "r2"))
    tokens.store(account, Token("old-access", "r1"))
    httpserver.expect_request("/me").respond_with_json({"error": "nope"}, status=401)
    http = HttpClient(httpserver.url_for("/"), tokens, account=account, name="X")
    with pytest.raises(ReconnectNeeded) as caught:
        http.request("GET", "me")
    assert caught.value.code == "token_revoked"
    assert len(httpserver.log) == 2
    with store() as tx:
        assert tx.accounts.get(account.id).status is AccountStatus.NEEDS_RECONNECT  # type: ignore[arg-type]


def test_a_401_without_a_refresh_token_asks_for_a_reconnect_at_once(
    httpserver: HTTPServer, store: MemoryStore, secrets: MemorySecrets
) -> None:
    account = stored_account(store)
    tokens = provider(store, secrets)
    tokens.store(account, Token("mastodon-token"))
    httpserver.expect_request("/me").respond_with_json(
        {"error": "The access token is invalid"}, status=401
    )
    http = HttpClient(httpserver.url_for("/"), tokens, account=account, name="Mastodon")
    with pytest.raises(ReconnectNeeded):
        http.request("GET", "me")
    assert len(httpserver.log) == 1


def test_a_refused_refresh_after_a_401_asks_for_a_reconnect(
    httpserver: HTTPServer, store: MemoryStore, secrets: MemorySecrets
) -> None:
    account = stored_account(store)

    def refused(acc: Account, tok: Token) -> Token:
        raise RefreshRefused("invalid_grant")

    tokens = provider(store, secrets, refused)
    tokens.store(account, Token("a", "r"))
    httpserver.expect_request("/me").respond_with_json({}, status=401)
    http = HttpClient(httpserver.url_for("/"), tokens, account=account, name="X")
    with pytest.raises(ReconnectNeeded):
        http.request("GET", "me")
    assert len(httpserver.log) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_is_transient_nothing_sent() -> None:
    http = HttpClient(f"http://127.0.0.1:{free_port()}/", name="X")
    with pytest.raises(TransientPublishError) as caught:
        http.request("POST", "2/tweets", json={"text": POST_TEXT})
    assert caught.value.code == "unreachable"
    assert not isinstance(caught.value, UncertainOutcome)


def test_a_read_timeout_is_uncertain_for_a_post_and_transient_for_a_get(
    httpserver: HTTPServer,
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("{}", 201)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    http = HttpClient(httpserver.url_for("/"), name="X", timeout=(2, 0.2))
    with pytest.raises(UncertainOutcome) as caught:
        http.request("POST", "slow", json={"text": POST_TEXT})
    assert caught.value.code == "timeout"
    with pytest.raises(TransientPublishError) as get_caught:
        http.request("GET", "slow")
    assert not isinstance(get_caught.value, UncertainOutcome)


@pytest.fixture
def dropping_server() -> Iterator[tuple[str, list[bytes]]]:
    """A server that reads the whole request and closes the connection without answering:
    the request reached it (a post may have been created), no answer came back."""
    received: list[bytes] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    sock.settimeout(5)

    def serve() -> None:
        try:
            while True:
                conn, _ = sock.accept()
                with conn:
                    data = conn.recv(65536)
                    received.append(data)
        except OSError:
            return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/", received
    sock.close()
    thread.join(timeout=5)


def test_a_connection_dropped_after_sending_is_uncertain(
    dropping_server: tuple[str, list[bytes]],
) -> None:
    url, received = dropping_server
    http = HttpClient(url, name="Bluesky")
    with pytest.raises(UncertainOutcome) as caught:
        http.request("POST", "xrpc/com.atproto.repo.createRecord", json={"text": POST_TEXT})
    assert caught.value.code == "connection_dropped"
    assert received
    assert received[0].startswith(b"POST /xrpc/com.atproto.repo.createRecord")


def test_retry_after_ignores_what_it_cannot_read() -> None:
    assert retry_after({"Retry-After": "soon"}, 0.0) is None
    assert retry_after({}, 0.0) is None
    assert retry_after({"Retry-After": "-5"}, 0.0) == 0.0


def test_accepted_statuses_are_returned_not_raised(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/c").respond_with_json({"error": "conflict"}, status=409)
    response = HttpClient(httpserver.url_for("/")).request("POST", "c", accept=(409,))
    assert response.status_code == 409


def test_nothing_is_logged_but_method_host_path_and_status(
    httpserver: HTTPServer,
    store: MemoryStore,
    secrets: MemorySecrets,
    caplog: pytest.LogCaptureFixture,
) -> None:
    account = stored_account(store)
    tokens = provider(store, secrets)
    tokens.store(account, Token("tok-logged?"))
    httpserver.expect_request("/p").respond_with_json({"error": POST_TEXT}, status=400)
    caplog.set_level("DEBUG")
    http = HttpClient(httpserver.url_for("/"), tokens, account=account)
    with pytest.raises(PermanentPublishError):
        http.request("POST", "p", json={"text": POST_TEXT}, params={"access_token": "q-secret"})
    assert "/p -> 400" in caplog.text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # the server's
    for secret in ("tok-logged?", POST_TEXT, "q-secret"):
        assert secret not in ours

"""Token refresh against a local OAuth token endpoint that rotates refresh tokens the way X and
LinkedIn do (a refresh token works once; using it twice revokes): refreshes are single-flight
within a process and across processes, the new token is in the keyring before anyone uses it,
and a refused refresh marks the account for reconnecting and shows on Today."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account, AccountStatus, Token
from core.accounts.oauth import OAuth2Refresher, OAuthClient, OAuthEndpoints
from core.accounts.today import AccountsAttention
from core.accounts.tokens import TokenProvider
from core.clock import ManualClock
from core.publishing.connectors import TransientPublishError
from core.staff.model import Permission
from tests.fakes import MemorySecrets, MemoryStore

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class RotatingTokenEndpoint:
    """``grant_type=refresh_token`` with rotation: each refresh token is good once; reusing an
    old one is ``invalid_grant`` (and, like real servers, revokes the grant)."""

    def __init__(self, delay: float = 0.3) -> None:
        self.delay = delay
        self.valid = {"refresh-1"}
        self.requests: list[dict[str, str]] = []
        self.serial = 1
        self.lock = threading.Lock()
        self.revoked = False

    def __call__(self, request: Request) -> Response:
        form = dict(request.form)
        with self.lock:
            self.requests.append(form)
        time.sleep(self.delay)  # widen the window a racing refresh would hit
        with self.lock:
            presented = form.get("refresh_token", "")
            if self.revoked or presented not in self.valid:
                self.revoked = True
                return Response(
                    '{"error": "invalid_grant", "error_description": "Value passed for the '
                    'token was invalid."}',
                    400,
                    content_type="application/json",
                )
            self.valid.discard(presented)
            self.serial += 1
            new_refresh = f"refresh-{self.serial}"
            self.valid.add(new_refresh)
            return Response(
                f'{{"access_token": "access-{self.serial}", "refresh_token": "{new_refresh}", '
                '"expires_in": 7200, "token_type": "bearer", "scope": "tweet.write"}',
                200,
                content_type="application/json",
            )


@pytest.fixture
def endpoint(httpserver: HTTPServer) -> RotatingTokenEndpoint:
    handler = RotatingTokenEndpoint()
    httpserver.expect_request("/2/oauth2/token", method="POST").respond_with_handler(handler)
    return handler


def refresher(httpserver: HTTPServer, clock: ManualClock) -> OAuth2Refresher:
    endpoints = OAuthEndpoints(
        "x", "X", "unused", httpserver.url_for("/2/oauth2/token"), token_auth="client_secret_basic"
    )
    return OAuth2Refresher(endpoints, lambda: OAuthClient("client-1", "shh"), clock=clock.now)


def setup(
    httpserver: HTTPServer, *, expires_in: timedelta = timedelta(seconds=60)
) -> tuple[MemoryStore, MemorySecrets, ManualClock, Account, Callable[[], TokenProvider]]:
    store, secrets, clock = MemoryStore(), MemorySecrets(), ManualClock(T0)
    with store() as tx:
        account = tx.accounts.add(
            Account(None, "x", "Maple Grove", "42", handle="@maple", token_ref="account-token:x:a")
        )
    secrets.set(
        account.token_ref,
        Token("access-1", "refresh-1", T0 + expires_in).to_json(),
    )

    def new_provider() -> TokenProvider:
        return TokenProvider(
            secrets, store, refreshers={"x": refresher(httpserver, clock)}, clock=clock, poll=0.02
        )

    return store, secrets, clock, account, new_provider


def test_a_valid_token_is_returned_without_refreshing(
    httpserver: HTTPServer, endpoint: RotatingTokenEndpoint
) -> None:
    _store, _secrets, _clock, account, new_provider = setup(
        httpserver, expires_in=timedelta(hours=1)
    )
    assert new_provider().access(account).access_token == "access-1"
    assert endpoint.requests == []


def test_an_expiring_token_is_refreshed_and_stored_before_it_is_returned(
    httpserver: HTTPServer, endpoint: RotatingTokenEndpoint
) -> None:
    store, secrets, clock, account, new_provider = setup(httpserver)
    seen_in_keyring: list[str] = []
    original_set = secrets.set

    def spy(name: str, value: str) -> None:
        original_set(name, value)
        seen_in_keyring.append(Token.from_json(value).access_token)

    secrets.set = spy  # type: ignore[method-assign]
    token = new_provider().access(account)
    assert token.access_token == "access-2"
    assert seen_in_keyring == ["access-2"]
    assert endpoint.requests == [{"grant_type": "refresh_token", "refresh_token": "refresh-1"}]
    sent = httpserver.log[0][0]
    assert sent.authorization is not None
    assert sent.authorization.username == "client-1"
    with store() as tx:
        row = tx.accounts.get(account.id)  # type: ignore[arg-type]
    assert row.status is AccountStatus.CONNECTED
    assert row.expires_at is None  # a refresh token renews it: nothing for a person to do
    assert token.expires_at == clock.now() + timedelta(hours=2)


def test_threads_of_one_process_refresh_once(
    httpserver: HTTPServer, endpoint: RotatingTokenEndpoint
) -> None:
    _store, _secrets, _clock, account, new_provider = setup(httpserver)
    provider = new_provider()
    results: list[str] = []
    errors: list[BaseException] = []

    def use() -> None:
        try:
            results.append(provider.access(account).access_token)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results == ["access-2"] * 4
    assert len(endpoint.requests) == 1
    assert not endpoint.revoked


def test_two_processes_refresh_once(
    httpserver: HTTPServer, endpoint: RotatingTokenEndpoint
) -> None:
    """Two providers (the app and ``--publish-due``) share the database and the keyring but
    not their locks: the claim on the account row lets one refresh, the other waits for it."""
    store, _secrets, _clock, account, new_provider = setup(httpserver)
    app, publisher = new_provider(), new_provider()
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def use(name: str, provider: TokenProvider) -> None:
        try:
            results[name] = provider.access(account).access_token
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=use, args=("app", app)),
        threading.Thread(target=use, args=("publisher", publisher)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results == {"app": "access-2", "publisher": "access-2"}
    assert len(endpoint.requests) == 1
    assert not endpoint.revoked
    with store() as tx:
        assert tx.accounts.get(account.id).status is AccountStatus.CONNECTED  # type: ignore[arg-type]


def test_two_processes_refreshing_one_shared_sign_in_through_different_accounts_refresh_once(
    httpserver: HTTPServer, endpoint: RotatingTokenEndpoint
) -> None:
    """Two locations from one sign-in share one keyring entry: the app renewing it through the
    first and ``--publish-due`` through the second must not both refresh (the second refresh
    would present a used refresh token and revoke the grant for both)."""
    store, _secrets, _clock, first, new_provider = setup(httpserver)
    with store() as tx:
        second = tx.accounts.add(
            Account(None, "x", "Maple Grove 2", "43", token_ref=first.token_ref)
        )
    app, publisher = new_provider(), new_provider()
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def use(name: str, provider: TokenProvider, account: Account) -> None:
        try:
            results[name] = provider.access(account).access_token
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=use, args=("app", app, first)),
        threading.Thread(target=use, args=("publisher", publisher, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results == {"app": "access-2", "publisher": "access-2"}
    assert len(endpoint.requests) == 1
    assert not endpoint.revoked
    with store() as tx:
        for account in (first, second):
            row = tx.accounts.get(account.id)  # type: ignore[arg-type]
            assert row.status is AccountStatus.CONNECTED


def test_a_claim_left_by_a_crashed_process_lapses(
    httpserver: HTTPServer, endpoint: RotatingTokenEndpoint
) -> None:
    store, _secrets, clock, account, new_provider = setup(httpserver)
    assert account.id is not None
    with store() as tx:  # a process claimed, then died before refreshing
        version = tx.accounts.get(account.id).version
        assert tx.accounts.claim_refresh(
            account.id, version, clock.now(), clock.now() + timedelta(seconds=60)
        )
    provider = TokenProvider(
        _secrets,
        store,
        refreshers={"x": refresher(httpserver, clock)},
        clock=clock,
        poll=0.01,
        wait_for_other=0.2,
    )
    with pytest.raises(TransientPublishError) as caught:
        provider.access(account)
    assert caught.value.code == "token_refresh_busy"
    assert endpoint.requests == []
    clock.advance(timedelta(seconds=61))
    assert new_provider().access(account).access_token == "access-2"
    assert len(endpoint.requests) == 1


def test_a_refused_refresh_needs_a_reconnect_and_shows_on_today(
    httpserver: HTTPServer, endpoint: RotatingTokenEndpoint
) -> None:
    store, secrets, clock, account, new_provider = setup(httpserver)
    endpoint.valid.clear()  # the person revoked the app on the platform
    with pytest.raises(ReconnectNeeded) as caught:
        new_provider().access(account)
    assert caught.value.code == "token_revoked"
    assert caught.value.account_id == account.id
    with store() as tx:
        assert tx.accounts.get(account.id).status is AccountStatus.NEEDS_RECONNECT  # type: ignore[arg-type]

    from core.accounts.service import AccountService

    service = AccountService(store, clock, secrets, new_provider())
    items = AccountsAttention(lambda: service).attention_items(clock.now())
    assert [(i.kind, i.page, i.target, i.permission) for i in items] == [
        ("account_reconnect", "settings", "accounts", Permission.EDIT_SETTINGS)
    ]
    assert items[0].params["platform"] == "x"
    assert items[0].params["account_id"] == account.id
    assert items[0].params["reason"] == "revoked"
    assert "access-1" not in repr(items)
    assert "refresh-1" not in repr(items)


def test_a_platform_outage_during_refresh_is_transient_and_releases_the_claim(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_ordered_request("/2/oauth2/token").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/2/oauth2/token").respond_with_json(
        {"access_token": "access-9", "refresh_token": "refresh-9", "expires_in": 60 * 60}
    )
    store, _secrets, _clock, account, new_provider = setup(httpserver)
    provider = new_provider()
    with pytest.raises(TransientPublishError):
        provider.access(account)
    with store() as tx:
        assert tx.accounts.get(account.id).status is AccountStatus.CONNECTED  # type: ignore[arg-type]
    assert provider.access(account).access_token == "access-9"  # no stale claim blocks it


def test_tokens_never_print() -> None:
    token = Token("access-secret", "refresh-secret", extra={"client_secret": "c-secret"})
    for text in (repr(token), str(token), f"{token}", repr([token])):
        assert "secret" not in text
    assert Token.from_json(token.to_json()) == token

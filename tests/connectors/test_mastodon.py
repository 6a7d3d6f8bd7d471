"""The Mastodon connector against a local Mastodon server (real HTTP on 127.0.0.1 through
Mastodon.py): what it sends, how it finds a status after an unknown outcome, how it withdraws,
what it refuses before sending, and how each of the server's failures becomes a typed error."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account, AuthKind, Token
from core.accounts.tokens import TokenProvider
from core.clock import ManualClock
from core.connectors.mastodon import MastodonConnector, comparable, plain_text
from core.publishing.connectors import (
    PermanentPublishError,
    PublishError,
    PublishRequest,
    TransientPublishError,
)
from tests.connectors.connector_cases import assert_typed_error, dated, jpeg, typed_error_cases
from tests.connectors.servers.faults import CLIENT_TIMEOUT, Fault, serving
from tests.connectors.servers.mastodon import ACCOUNT_ID, TOKEN, MastodonServer

TEXT = "Flu shots are here! Walk in any weekday morning. #FluSeason"
KEY = "5f0c6b1e9a7d4c2e8b3a1d0f6e5c4b3a"


class FixedTokens(TokenProvider):
    """A token provider that hands out one token; ``refreshed`` is what ``invalidate`` turns
    it into (``None``: it cannot be refreshed, as Mastodon tokens cannot)."""

    def __init__(self, token: str = TOKEN, *, refreshed: str | None = None) -> None:
        self.token = Token(token)
        self.refreshed = refreshed
        self.calls: list[str] = []

    def access(self, account: Account) -> Token:
        self.calls.append("access")
        return self.token

    def invalidate(self, account: Account) -> None:
        self.calls.append("invalidate")
        if self.refreshed is None:
            raise self.reconnect_needed(account)
        self.token = Token(self.refreshed)

    def reconnect_needed(self, account: Account) -> ReconnectNeeded:
        self.calls.append("reconnect_needed")
        return ReconnectNeeded(platform=account.platform, account_id=account.id)


@pytest.fixture(scope="module")
def http() -> Iterator[HTTPServer]:
    with serving() as server:
        yield server


@pytest.fixture
def server(http: HTTPServer, clock: ManualClock) -> MastodonServer:
    http.clear()
    return MastodonServer(http, clock.now)


def account_on(base_url: str) -> Account:
    return Account(
        id=7,
        platform="mastodon",
        label="Maple Grove – Main St",
        remote_id=ACCOUNT_ID,
        handle="@maplegrove",
        base_url=base_url,
        token_ref="account-token:mastodon:7",
        auth_kind=AuthKind.MASTODON_APP,
    )


def connector(
    server: MastodonServer, clock: ManualClock, tokens: TokenProvider | None = None
) -> MastodonConnector:
    return MastodonConnector(
        account_on(server.base_url), tokens or FixedTokens(), clock=clock, timeout=CLIENT_TIMEOUT
    )


def request(text: str = TEXT, images: tuple[Path, ...] = (), **options: str) -> PublishRequest:
    return PublishRequest(
        post_id=1,
        platform="mastodon",
        text=text,
        image_paths=images,
        idempotency_key=KEY,
        alt_texts=("A nurse holds a flu vaccine",),
        options=options,
    )


# --- publishing ------------------------------------------------------------------------------
def test_images_with_alt_text_then_one_status_with_the_idempotency_key(
    server: MastodonServer, clock: ManualClock, tmp_path: Path
) -> None:
    images = (jpeg(tmp_path / "a.jpg"), jpeg(tmp_path / "b.jpg"))
    req = request(images=images, content_warning="Needles", visibility="unlisted")
    remote = connector(server, clock).publish(req)

    assert server.lines() == ["POST /api/v2/media", "POST /api/v2/media", "POST /api/v1/statuses"]
    assert {r.headers["authorization"] for r in server.requests} == {f"Bearer {TOKEN}"}
    first, second = server.media.values()
    assert (first.description, second.description) == ("A nurse holds a flu vaccine", "")
    assert first.data == images[0].read_bytes()
    post = server.requests[-1]
    assert post.headers["idempotency-key"] == KEY
    [status] = server.statuses
    assert (status.text, status.spoiler_text, status.visibility) == (TEXT, "Needles", "unlisted")
    assert status.media_ids == (first.id, second.id)
    assert (remote.remote_id, remote.url) == (status.id, server.status_urls()[0])
    # The upload carries no file name of ours (Mastodon.py makes one up).
    assert b"a.jpg" not in server.requests[0].body


def test_a_repeated_request_gets_the_status_already_made(
    server: MastodonServer, clock: ManualClock
) -> None:
    mastodon = connector(server, clock)
    first = mastodon.publish(request())
    clock.advance(timedelta(minutes=10))
    again = mastodon.publish(request())
    assert again == first
    assert len(server.statuses) == 1


def test_validate_lists_problems_before_sending(
    server: MastodonServer, clock: ManualClock, tmp_path: Path
) -> None:
    mastodon = connector(server, clock)
    images = tuple(jpeg(tmp_path / f"{n}.jpg") for n in range(5))
    assert mastodon.validate(request()) == []
    assert mastodon.validate(request("x" * 501)) == ["too_long"]
    assert mastodon.validate(request("x" * 480, content_warning="y" * 30)) == ["too_long"]
    assert mastodon.validate(request(images=images)) == ["too_many_images"]
    assert mastodon.validate(request(images=(tmp_path / "gone.jpg",))) == ["image_missing"]
    assert mastodon.validate(request(visibility="everyone")) == ["unsupported"]
    assert mastodon.validate(request("   ")) == ["empty"]
    assert mastodon.validate(request("   ", images=images[:1])) == []
    longer = MastodonConnector(
        account_on(server.base_url), FixedTokens(), max_characters=5000, clock=clock
    )
    assert longer.validate(request("x" * 501)) == []
    with pytest.raises(PermanentPublishError) as refused:
        mastodon.publish(request("x" * 501))
    assert refused.value.code == "too_long"
    assert server.requests == []


# --- finding and withdrawing ---------------------------------------------------------------
def test_find_matches_the_rendered_text_of_recent_statuses(
    server: MastodonServer, clock: ManualClock
) -> None:
    text = (
        "Flu shots 💉 are here!\n\nBook at https://maplegrove.example/appointments/flu-2026?src=m "
        "& ask @drlee@dental.social about it.\nSee you <soon> #FluSeason"
    )
    mastodon = connector(server, clock)
    assert mastodon.find(request(text)) is None
    made = server.post_status(text, at=clock.now() - timedelta(minutes=3))
    server.post_status("Something else entirely", at=clock.now())
    found = mastodon.find(request(text))
    assert found is not None
    assert (found.remote_id, found.url) == (made.id, server.status_urls()[0])
    assert server.lines()[-1] == f"GET /api/v1/accounts/{ACCOUNT_ID}/statuses"
    assert server.requests[-1].args == {"limit": "40"}
    # Not the same post: other words, another content warning, other images.
    assert mastodon.find(request(text + "!")) is None
    assert mastodon.find(request(text, content_warning="Needles")) is None


def test_find_ignores_an_old_status_with_the_same_text(
    server: MastodonServer, clock: ManualClock, tmp_path: Path
) -> None:
    server.post_status(TEXT, at=clock.now() - timedelta(days=4))
    mastodon = connector(server, clock)
    assert mastodon.find(request()) is None
    server.post_status(TEXT, at=clock.now() - timedelta(minutes=1), media=1)
    assert mastodon.find(request()) is None  # it has an image; ours has none
    assert mastodon.find(request(images=(jpeg(tmp_path / "a.jpg"),))) is not None


def test_find_looks_only_after_the_intent_was_recorded(
    server: MastodonServer, clock: ManualClock
) -> None:
    began = clock.now() - timedelta(minutes=30)
    server.post_status(TEXT, at=began - timedelta(hours=1))  # last week's post, same words
    mastodon = connector(server, clock)
    assert mastodon.find(replace(request(), not_before=began)) is None
    made = server.post_status(TEXT, at=began + timedelta(seconds=2))
    found = mastodon.find(replace(request(), not_before=began))
    assert found is not None
    assert found.remote_id == made.id


def test_rendered_html_back_to_plain_words() -> None:
    html = (
        '<p>Hi <span class="h-card"><a href="https://dental.social/@drlee" class="u-url mention">'
        '@<span>drlee</span></a></span> &amp; all<br />see <a href="https://a.example/x">'
        '<span class="invisible">https://</span><span class="ellipsis">a.example</span>'
        '<span class="invisible">/x</span></a></p><p>Bye</p>'
    )
    assert comparable(plain_text(html)) == "Hi @drlee & all see https://a.example/x Bye"
    assert comparable("Hi @drlee@dental.social & all\nsee https://a.example/x\n\nBye") == (
        "Hi @drlee & all see https://a.example/x Bye"
    )


def test_withdraw_deletes_the_status(server: MastodonServer, clock: ManualClock) -> None:
    mastodon = connector(server, clock)
    remote = mastodon.publish(request())
    assert mastodon.withdraw(remote.remote_id) is True
    assert server.statuses == []
    assert server.lines()[-1] == f"DELETE /api/v1/statuses/{remote.remote_id}"
    assert mastodon.withdraw(remote.remote_id) is True  # already gone: nothing left to do


# --- tokens ----------------------------------------------------------------------------------
def test_a_401_asks_the_token_provider_once_then_succeeds(
    server: MastodonServer, clock: ManualClock
) -> None:
    tokens = FixedTokens("old-token", refreshed=TOKEN)
    connector(server, clock, tokens).publish(request())
    assert server.lines() == ["POST /api/v1/statuses", "POST /api/v1/statuses"]
    assert tokens.calls == ["access", "invalidate", "access"]
    assert len(server.statuses) == 1


def test_a_revoked_token_needs_reconnecting(server: MastodonServer, clock: ManualClock) -> None:
    tokens = FixedTokens("revoked-token")
    with pytest.raises(ReconnectNeeded) as refused:
        connector(server, clock, tokens).publish(request())
    assert refused.value.code == "token_revoked"
    assert tokens.calls == ["access", "invalidate", "reconnect_needed"]
    assert server.lines() == ["POST /api/v1/statuses"]
    assert server.statuses == []


def test_a_second_401_after_refreshing_needs_reconnecting(
    server: MastodonServer, clock: ManualClock
) -> None:
    tokens = FixedTokens("old-token", refreshed="still-wrong")
    with pytest.raises(ReconnectNeeded):
        connector(server, clock, tokens).publish(request())
    assert server.lines() == ["POST /api/v1/statuses"] * 2
    assert tokens.calls[-1] == "reconnect_needed"


# --- failures become typed errors ----------------------------------------------------------
@pytest.mark.parametrize(
    ("route", "fault", "error", "code", "created"),
    [
        *typed_error_cases("status", "media", refusals=(403, 404, 413, 422)),
        ("media", Fault(500), TransientPublishError, "http_500", 0),
    ],
)
def test_each_failure_becomes_its_typed_error(
    server: MastodonServer,
    clock: ManualClock,
    tmp_path: Path,
    route: str,
    fault: Fault,
    error: type[PublishError],
    code: str,
    created: int,
) -> None:
    fault = dated(fault, clock.now())
    server.inject(route, fault)
    with pytest.raises(error) as raised:
        connector(server, clock).publish(request(images=(jpeg(tmp_path / "a.jpg"),)))
    assert_typed_error(raised.value, error, code, fault, secrets=(TEXT, TOKEN))
    assert len(server.statuses) == created
    if fault.status in (403, 404, 413, 422):
        assert server.error_body(fault)["error"] in str(raised.value)


def test_a_server_that_cannot_be_reached_is_transient(clock: ManualClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mastodon = MastodonConnector(
        account_on(f"http://127.0.0.1:{port}"), FixedTokens(), clock=clock, timeout=CLIENT_TIMEOUT
    )
    with pytest.raises(TransientPublishError) as raised:
        mastodon.publish(request())
    assert type(raised.value) is TransientPublishError
    assert raised.value.code == "unreachable"

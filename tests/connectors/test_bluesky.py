"""The Bluesky connector against a local PDS (real HTTP on 127.0.0.1 through atproto): the
record it writes (facets on UTF-8 byte offsets, images with alt text), its record key, how it
finds and withdraws a post, its token handling and refresher, and how each failure becomes a
typed error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account, AuthKind, Token
from core.accounts.service import BlueskyRefresher
from core.accounts.tokens import RefreshRefused, TokenProvider
from core.clock import ManualClock
from core.connectors.bluesky import (
    MAX_IMAGE_BYTES,
    BlueskyConnector,
    fit_image,
    record_key,
)
from core.publishing.connectors import (
    PermanentPublishError,
    PublishError,
    PublishRequest,
    TransientPublishError,
)
from tests.connectors.connector_cases import assert_typed_error, dated, jpeg, typed_error_cases
from tests.connectors.servers.bluesky import DID, HANDLE, BlueskyServer
from tests.connectors.servers.faults import CLIENT_TIMEOUT, Fault, serving

TEXT = "Flu shots are here! Walk in any weekday morning. #FluSeason"
KEY = "5f0c6b1e9a7d4c2e8b3a1d0f6e5c4b3a"
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


class SessionTokens(TokenProvider):
    """Hands out the PDS session's access JWT; ``invalidate`` refreshes through the accounts'
    real ``BlueskyRefresher`` (``refresh=False``: it cannot, as after a revoked app
    password)."""

    def __init__(
        self,
        server: BlueskyServer,
        session: dict[str, str],
        *,
        refresh: bool = True,
    ):
        self.server = server
        self.clock = ManualClock()
        self.token = Token(
            session["accessJwt"],
            session["refreshJwt"],
            extra={"did": session["did"], "handle": session["handle"]},
        )
        self.can_refresh = refresh
        self.calls: list[str] = []

    def access(self, account: Account) -> Token:
        self.calls.append("access")
        return self.token

    def invalidate(self, account: Account) -> None:
        self.calls.append("invalidate")
        if not self.can_refresh:
            raise self.reconnect_needed(account)
        try:
            self.token = BlueskyRefresher(self.clock)(account, self.token)
        except RefreshRefused:
            raise self.reconnect_needed(account) from None

    def reconnect_needed(self, account: Account) -> ReconnectNeeded:
        self.calls.append("reconnect_needed")
        return ReconnectNeeded(platform=account.platform, account_id=account.id)


@pytest.fixture(scope="module")
def http() -> Iterator[HTTPServer]:
    with serving() as server:
        yield server


@pytest.fixture
def server(http: HTTPServer, clock: ManualClock) -> BlueskyServer:
    http.clear()
    return BlueskyServer(http, clock.now)


@pytest.fixture
def tokens(server: BlueskyServer) -> SessionTokens:
    return SessionTokens(server, server.session())


def account_on(base_url: str) -> Account:
    return Account(
        id=8,
        platform="bluesky",
        label="Maple Grove – Main St",
        remote_id=DID,
        handle=HANDLE,
        base_url=base_url,
        token_ref="account-token:bluesky:8",
        auth_kind=AuthKind.APP_PASSWORD,
    )


def connector(server: BlueskyServer, clock: ManualClock, tokens: TokenProvider) -> BlueskyConnector:
    return BlueskyConnector(
        account_on(server.base_url), tokens, clock=clock, timeout=CLIENT_TIMEOUT
    )


def request(text: str = TEXT, images: tuple[Path, ...] = (), key: str = KEY) -> PublishRequest:
    return PublishRequest(
        post_id=1,
        platform="bluesky",
        text=text,
        image_paths=images,
        idempotency_key=key,
        alt_texts=("A nurse holds a flu vaccine",),
    )


def the_rkey(req: PublishRequest) -> str:
    return record_key(req.idempotency_key, req.not_before)


# --- the record key ----------------------------------------------------------------------------
def test_the_record_key_is_a_tid_made_only_from_the_outbox_key() -> None:
    at = datetime(2026, 11, 2, 9, 0, 7, tzinfo=UTC)
    key = record_key(KEY, at)
    assert TID.match(key)
    assert record_key(KEY, at) == key
    assert record_key(KEY, at + timedelta(milliseconds=300)) == key  # same second: same key
    assert record_key("another-key", at) != key
    assert TID.match(record_key(KEY, None))
    assert record_key(KEY, None) == record_key(KEY, None)
    # Its time is the intent's second: keys sort where the posts belong.
    later = record_key(KEY, at + timedelta(hours=1))
    assert later > key
    value = 0
    for char in key:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    assert (value >> 10) // 1_000_000 == int(at.timestamp())


# --- publishing --------------------------------------------------------------------------------
def test_a_post_with_facets_and_images_is_one_record_under_its_key(
    server: BlueskyServer, clock: ManualClock, tokens: SessionTokens, tmp_path: Path
) -> None:
    text = (
        "Flu shots 💉 at https://maplegrove.example/flu — ask @drlee.bsky.social "
        "or @nobody.bsky.social #FluSeason"
    )
    images = (jpeg(tmp_path / "a.jpg", (120, 80)), jpeg(tmp_path / "b.jpg"))
    req = request(text, images)
    remote = connector(server, clock, tokens).publish(req)

    assert server.lines() == [
        "GET /xrpc/com.atproto.identity.resolveHandle",
        "GET /xrpc/com.atproto.identity.resolveHandle",
        "POST /xrpc/com.atproto.repo.uploadBlob",
        "POST /xrpc/com.atproto.repo.uploadBlob",
        "POST /xrpc/com.atproto.repo.createRecord",
    ]
    assert server.requests[2].body == images[0].read_bytes()
    assert server.requests[2].content_type == "image/jpeg"
    create = server.requests[-1]
    assert create.headers["authorization"] == f"Bearer {tokens.token.access_token}"
    body = create.json()
    rkey = the_rkey(req)
    assert (body["repo"], body["collection"], body["rkey"]) == (DID, "app.bsky.feed.post", rkey)
    record = server.records[rkey].value
    assert record["text"] == text
    assert record["createdAt"] == "2026-11-02T09:00:00Z"
    encoded = text.encode()

    def spans(kind: str) -> list[str]:
        return [
            encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode()
            for f in record["facets"]
            if f["features"][0]["$type"] == f"app.bsky.richtext.facet#{kind}"
        ]

    # The emoji before the link takes 4 bytes: offsets are bytes, not characters.
    assert spans("link") == ["https://maplegrove.example/flu"]
    assert spans("mention") == ["@drlee.bsky.social"]  # @nobody… does not resolve: plain text
    assert spans("tag") == ["#FluSeason"]
    mention = next(f for f in record["facets"] if "mention" in f["features"][0]["$type"])
    assert mention["features"][0]["did"] == "did:plc:drleeabcdefghijklmnopqr"
    embedded = record["embed"]["images"]
    assert [i["alt"] for i in embedded] == ["A nurse holds a flu vaccine", ""]
    assert (embedded[0]["aspectRatio"]["width"], embedded[0]["aspectRatio"]["height"]) == (120, 80)
    assert remote.remote_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert remote.url == f"https://bsky.app/profile/{DID}/post/{rkey}"


def test_publishing_again_with_the_same_key_finds_the_post_instead(
    server: BlueskyServer, clock: ManualClock, tokens: SessionTokens
) -> None:
    bluesky = connector(server, clock, tokens)
    first = bluesky.publish(request())
    server.requests.clear()
    again = bluesky.publish(request())
    assert again == first
    assert len(server.records) == 1
    # The PDS answered 500 to the taken key; the connector looked before calling it a failure.
    assert server.lines()[-2:] == [
        "POST /xrpc/com.atproto.repo.createRecord",
        "GET /xrpc/com.atproto.repo.getRecord",
    ]


def test_a_large_image_is_re_encoded_under_the_limit(tmp_path: Path) -> None:
    noisy = Image.effect_noise((1600, 1200), 90).convert("RGB")
    big = tmp_path / "big.png"
    noisy.save(big, "PNG")
    assert big.stat().st_size > MAX_IMAGE_BYTES
    data, mime, _size = fit_image(big)
    assert len(data) <= MAX_IMAGE_BYTES
    assert mime == "image/jpeg"
    assert data.startswith(b"\xff\xd8")
    small = jpeg(tmp_path / "small.jpg")
    assert fit_image(small) == (small.read_bytes(), "image/jpeg", (64, 48))


def test_validate_lists_problems_before_sending(
    server: BlueskyServer, clock: ManualClock, tokens: SessionTokens, tmp_path: Path
) -> None:
    bluesky = connector(server, clock, tokens)
    images = tuple(jpeg(tmp_path / f"{n}.jpg") for n in range(5))
    assert bluesky.validate(request()) == []
    assert bluesky.validate(request("x" * 301)) == ["too_long"]
    assert bluesky.validate(request(images=images)) == ["too_many_images"]
    assert bluesky.validate(request(images=(tmp_path / "gone.jpg",))) == ["image_missing"]
    assert bluesky.validate(request(" ")) == ["empty"]
    assert bluesky.validate(request(" ", images=images[:1])) == []
    with pytest.raises(PermanentPublishError) as refused:
        bluesky.publish(request("x" * 301))
    assert refused.value.code == "too_long"
    assert server.requests == []


# --- finding and withdrawing -------------------------------------------------------------------
def test_find_looks_up_the_record_key(
    server: BlueskyServer, clock: ManualClock, tokens: SessionTokens
) -> None:
    bluesky = connector(server, clock, tokens)
    assert bluesky.find(request()) is None
    made = bluesky.publish(request())
    assert bluesky.find(request()) == made
    assert bluesky.find(request(key="some-other-entry")) is None
    get = server.requests[-1]
    assert get.line == "GET /xrpc/com.atproto.repo.getRecord"
    assert get.args == {
        "repo": DID,
        "collection": "app.bsky.feed.post",
        "rkey": the_rkey(request(key="some-other-entry")),
    }


def test_withdraw_deletes_the_record(
    server: BlueskyServer, clock: ManualClock, tokens: SessionTokens
) -> None:
    bluesky = connector(server, clock, tokens)
    made = bluesky.publish(request())
    assert bluesky.withdraw(made.remote_id) is True
    assert server.records == {}
    assert server.requests[-1].json() == {
        "repo": DID,
        "collection": "app.bsky.feed.post",
        "rkey": the_rkey(request()),
    }
    assert bluesky.withdraw(made.remote_id) is True


# --- tokens ------------------------------------------------------------------------------------
def test_an_expired_access_token_is_refreshed_once_then_the_post_goes_out(
    server: BlueskyServer, clock: ManualClock
) -> None:
    session = server.session(expires_in=timedelta(minutes=1))
    tokens = SessionTokens(server, session)
    clock.advance(timedelta(minutes=2))
    connector(server, clock, tokens).publish(request())
    assert tokens.calls.count("invalidate") == 1
    assert "reconnect_needed" not in tokens.calls
    assert "POST /xrpc/com.atproto.server.refreshSession" in server.lines()
    assert session["refreshJwt"] not in server.refresh  # spent: rotated
    assert tokens.token.refresh_token in server.refresh
    assert tokens.token.expires_at == clock.now().replace(microsecond=0) + timedelta(hours=2)
    assert (tokens.token.extra["did"], tokens.token.extra["handle"]) == (DID, HANDLE)
    assert len(server.records) == 1


def test_a_refused_refresh_needs_reconnecting(server: BlueskyServer, clock: ManualClock) -> None:
    session = server.session(expires_in=timedelta(minutes=1))
    server.refresh.clear()  # the app password was revoked
    tokens = SessionTokens(server, session)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(ReconnectNeeded):
        connector(server, clock, tokens).publish(request())
    assert tokens.calls[-1] == "reconnect_needed"
    assert server.records == {}


def test_an_unknown_token_twice_needs_reconnecting(
    server: BlueskyServer, clock: ManualClock
) -> None:
    tokens = SessionTokens(server, server.session())
    server.inject("create", Fault(401), Fault(401))
    with pytest.raises(ReconnectNeeded) as refused:
        connector(server, clock, tokens).publish(request())
    assert refused.value.code == "token_revoked"
    assert tokens.calls.count("invalidate") == 1
    assert server.lines().count("POST /xrpc/com.atproto.repo.createRecord") == 2
    assert server.records == {}
    # Without a way to refresh (the provider says so), the first 401 is the last.
    server.requests.clear()
    server.access.clear()
    stuck = SessionTokens(server, server.session(), refresh=False)
    server.access.clear()
    with pytest.raises(ReconnectNeeded):
        connector(server, clock, stuck).publish(request())
    assert server.lines() == ["POST /xrpc/com.atproto.repo.createRecord"]


# --- failures become typed errors --------------------------------------------------------------
@pytest.mark.parametrize(
    ("route", "fault", "error", "code", "created"),
    [
        *typed_error_cases("create", "upload", refusals=(400, 403, 404, 413)),
        ("resolve", Fault(500), TransientPublishError, "http_500", 0),
    ],
)
def test_each_failure_becomes_its_typed_error(
    server: BlueskyServer,
    clock: ManualClock,
    tokens: SessionTokens,
    tmp_path: Path,
    route: str,
    fault: Fault,
    error: type[PublishError],
    code: str,
    created: int,
) -> None:
    fault = dated(fault, clock.now())
    server.inject(route, fault)
    text = TEXT + " cc @drlee.bsky.social"
    with pytest.raises(error) as raised:
        connector(server, clock, tokens).publish(request(text, (jpeg(tmp_path / "a.jpg"),)))
    assert_typed_error(raised.value, error, code, fault, secrets=(text, tokens.token.access_token))
    assert len(server.records) == created
    if fault.status in (400, 403, 413):
        assert server.error_body(fault)["message"] in str(raised.value)

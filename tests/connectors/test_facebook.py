"""The Facebook Page connector against a local Graph API server
(tests/connectors/servers/facebook.py): the exact requests, validation, reconciliation,
withdraw, and Graph's error codes (most sent with HTTP 400) mapped to the typed errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account
from core.clock import ManualClock
from core.connectors.facebook import GRAPH_VERSION, FacebookConnector, regain_access_after
from core.publishing.connectors import (
    PermanentPublishError,
    PublishRequest,
    RemotePost,
    TransientPublishError,
)
from tests.connectors.connector_cases import (
    LOST_ANSWERS,
    assert_uncertain_then_found,
    clean_pngs,
    refused_with,
)
from tests.connectors.outbox_harness import TEXT, FixedTokens
from tests.connectors.servers.facebook import (
    PAGE_ID,
    TOKEN,
    FacebookServer,
    graph_fault,
    usage_header,
)
from tests.connectors.servers.faults import (
    CLIENT_TIMEOUT,
    TIMEOUT_AFTER_CREATE,
    Fault,
    serving,
)

FEED = f"POST /{GRAPH_VERSION}/{PAGE_ID}/feed"
PHOTOS = f"POST /{GRAPH_VERSION}/{PAGE_ID}/photos"
POSTS = f"GET /{GRAPH_VERSION}/{PAGE_ID}/posts"


@pytest.fixture
def server(clock: ManualClock) -> Iterator[FacebookServer]:
    with serving() as http:
        yield FacebookServer(http, clock.now)


@pytest.fixture
def tokens() -> FixedTokens:
    return FixedTokens([TOKEN])


@pytest.fixture
def fb(server: FacebookServer, tokens: FixedTokens, clock: ManualClock) -> FacebookConnector:
    account = Account(3, "facebook", "Maple Grove Dental", PAGE_ID, base_url=server.base_url)
    return FacebookConnector(account, tokens, timeout=CLIENT_TIMEOUT, clock=clock)  # type: ignore[arg-type]


def request(
    text: str = TEXT,
    images: tuple[Path, ...] = (),
    alts: tuple[str, ...] = (),
    link: str = "",
) -> PublishRequest:
    options = {"link": link} if link else {}
    return PublishRequest(1, "facebook", text, images, "key-1", alt_texts=alts, options=options)


# --- publishing ----------------------------------------------------------------------------
def test_a_text_post_with_a_link_is_one_feed_request(
    fb: FacebookConnector, server: FacebookServer
) -> None:
    remote = fb.publish(request(link="https://maplegrovedental.com/flu"))
    assert server.lines() == [FEED]
    [sent] = server.requests
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.content_type == "application/x-www-form-urlencoded"
    [post] = server.posts
    assert (post.message, post.link) == (TEXT, "https://maplegrovedental.com/flu")
    assert remote == RemotePost(post.id, server.url_of(post.id))


def test_photos_are_uploaded_unpublished_then_attached(
    fb: FacebookConnector, server: FacebookServer, tmp_path: Path
) -> None:
    paths = clean_pngs(tmp_path, 2)
    fb.publish(request(images=paths, alts=("", "The front desk team"), link="https://a.com"))
    assert server.lines() == [PHOTOS, PHOTOS, FEED]
    [post] = server.posts
    assert [server.photos[p] for p in post.photos] == [
        (paths[0].read_bytes(), "", False),
        (paths[1].read_bytes(), "The front desk team", False),
    ]
    assert post.link == ""  # Graph takes photos or a link preview, not both
    feed = server.requests[2].body.decode()
    assert "attached_media%5B0%5D=" in feed
    assert json.loads(server.http.log[-1][0].form["attached_media[1]"]) == {
        "media_fbid": post.photos[1]
    }
    assert b"clean-0" not in server.requests[0].body


def test_validate_lists_what_facebook_would_refuse(
    fb: FacebookConnector, server: FacebookServer, tmp_path: Path
) -> None:
    assert fb.validate(request()) == []
    assert fb.validate(request("")) == ["empty"]
    assert fb.validate(request(images=clean_pngs(tmp_path, 11))) == ["too_many_images"]
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * (4 * 1024 * 1024))
    assert fb.validate(request(images=(big,))) == ["image_too_large"]
    with pytest.raises(PermanentPublishError, match="Facebook would refuse this post"):
        fb.publish(request(images=(big,)))
    assert server.requests == []


# --- reconciling and withdraw ----------------------------------------------------------------
def test_find_lists_the_pages_posts_since_the_attempt_began(
    fb: FacebookConnector, server: FacebookServer, clock: ManualClock
) -> None:
    sent = fb.publish(request())
    began = replace(request(), not_before=clock.now())
    assert fb.find(began) == sent
    lookup = server.requests[-1]
    assert lookup.line == POSTS
    assert lookup.args["since"] == str(int((clock.now() - timedelta(minutes=10)).timestamp()))
    assert lookup.args["fields"] == "id,message,created_time,permalink_url"
    assert fb.find(request("Another post")) is None
    clock.advance(timedelta(days=3, minutes=1))
    assert fb.find(request()) is None


def test_withdraw_deletes_and_a_missing_post_counts_as_gone(
    fb: FacebookConnector, server: FacebookServer
) -> None:
    sent = fb.publish(request())
    assert fb.withdraw(sent.remote_id) is True
    assert server.posts == []
    assert fb.withdraw(sent.remote_id) is True
    assert server.lines()[-1] == f"DELETE /{GRAPH_VERSION}/{sent.remote_id}"
    server.inject("delete", graph_fault(200, "(#200) Permissions error", status=403))
    with pytest.raises(PermanentPublishError, match="Permissions error"):
        fb.withdraw(sent.remote_id)


# --- Graph's errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttling_codes_sent_as_400_are_transient(
    fb: FacebookConnector, server: FacebookServer, code: int
) -> None:
    server.inject("create", graph_fault(code, f"(#{code}) Calls to this api have exceeded"))
    with pytest.raises(TransientPublishError) as busy:
        fb.publish(request())
    assert busy.value.code == "rate_limited"
    assert busy.value.retry_after is None
    assert server.posts == []


def test_a_business_use_case_limit_says_how_long_to_wait(
    fb: FacebookConnector, server: FacebookServer
) -> None:
    server.inject("create", graph_fault(80001, "(#80001) Too many calls", headers=usage_header(7)))
    with pytest.raises(TransientPublishError) as busy:
        fb.publish(request())
    assert busy.value.retry_after == 420
    assert regain_access_after({"X-Business-Use-Case-Usage": "not json"}) is None
    assert regain_access_after({}) is None


def test_an_invalid_token_means_reconnect(
    fb: FacebookConnector, server: FacebookServer, tokens: FixedTokens
) -> None:
    server.tokens = {"another-token"}
    with pytest.raises(ReconnectNeeded):
        fb.publish(request())
    assert tokens.reconnects == 1
    assert server.lines() == [FEED]


def test_passing_trouble_is_transient(fb: FacebookConnector, server: FacebookServer) -> None:
    server.inject("create", graph_fault(2, "Service temporarily unavailable"))
    with pytest.raises(TransientPublishError) as busy:
        fb.publish(request())
    assert busy.value.code == "temporarily_unavailable"


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        (graph_fault(506, "(#506) Duplicate status message"), "http_400", "Duplicate status"),
        (Fault(403), "http_403", "(#200) The user hasn't authorized the application"),
        (Fault(404), "http_404", "(#803) Some of the aliases"),
        (Fault(413), "http_413", "(#100) The photo file is too large"),
        (Fault(422), "http_422", "(#100) The post could not be processed"),
    ],
)
def test_refusals_keep_graphs_words(
    fb: FacebookConnector, server: FacebookServer, fault: Fault, code: str, words: str
) -> None:
    refused = refused_with(fb, server, fault, request())
    assert refused.code == code
    assert words in str(refused)


@LOST_ANSWERS
def test_no_answer_is_uncertain_and_find_tells(
    fb: FacebookConnector, server: FacebookServer, fault: Fault, created: int
) -> None:
    assert_uncertain_then_found(fb, server, request(), fault, lambda: server.posts, created)


def test_a_photo_upload_without_an_answer_is_transient(
    fb: FacebookConnector, server: FacebookServer, tmp_path: Path
) -> None:
    server.inject("photos", TIMEOUT_AFTER_CREATE)
    with pytest.raises(TransientPublishError) as failed:
        fb.publish(request(images=clean_pngs(tmp_path, 1)))
    assert failed.value.code == "timeout"
    assert server.posts == []

"""The X connector against a local X API v2 server (tests/connectors/servers/x.py): the exact
requests it sends, validation before sending, reconciliation by text as X gives it back,
withdraw, and each injected fault mapped to the outbox's typed errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.errors import ReconnectNeeded
from core.accounts.model import Account
from core.clock import ManualClock
from core.connectors.x import XConnector
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
from tests.connectors.servers.faults import (
    CLIENT_TIMEOUT,
    DROP_AFTER_CREATE,
    TIMEOUT,
    Fault,
    http_date_in,
    serving,
)
from tests.connectors.servers.x import (
    TOKEN,
    TOKEN_AFTER_REFRESH,
    USER_ID,
    XServer,
    rate_limit_headers,
)

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


@pytest.fixture
def server(clock: ManualClock) -> Iterator[XServer]:
    with serving() as http:
        yield XServer(http, clock.now)


@pytest.fixture
def tokens() -> FixedTokens:
    return FixedTokens([TOKEN])


def connector(server: XServer, tokens: FixedTokens, clock: ManualClock) -> XConnector:
    account = Account(
        id=7,
        platform="x",
        label="Maple Grove – Main St",
        remote_id=USER_ID,
        handle="@maplegrovedental",
        base_url=server.base_url,
    )
    return XConnector(account, tokens, timeout=CLIENT_TIMEOUT, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def x(server: XServer, tokens: FixedTokens, clock: ManualClock) -> XConnector:
    return connector(server, tokens, clock)


def request(
    text: str = TEXT, images: tuple[Path, ...] = (), alts: tuple[str, ...] = ()
) -> PublishRequest:
    return PublishRequest(1, "x", text, images, "key-1", alt_texts=alts)


# --- publishing ----------------------------------------------------------------------------
def test_a_text_post_is_one_request_with_the_token(x: XConnector, server: XServer) -> None:
    remote = x.publish(request())
    assert server.lines() == ["POST /2/tweets"]
    [sent] = server.requests
    assert sent.json() == {"text": TEXT}
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    [tweet] = server.tweets
    assert remote == RemotePost(tweet.id, f"https://x.com/maplegrovedental/status/{tweet.id}")


def test_images_are_uploaded_with_their_descriptions_then_attached(
    x: XConnector, server: XServer, tmp_path: Path
) -> None:
    paths = clean_pngs(tmp_path, 2)
    x.publish(request(images=paths, alts=("Our waiting room, freshly painted",)))
    assert server.lines() == [
        "POST /2/media/upload",
        "POST /2/media/metadata",
        "POST /2/media/upload",
        "POST /2/tweets",
    ]
    upload = server.requests[0]
    assert upload.content_type.startswith("multipart/form-data")
    assert b'name="media_category"\r\n\r\ntweet_image' in upload.body
    assert b'filename="image.png"' in upload.body
    assert b"clean-0" not in upload.body  # the file's own name never leaves the computer
    [tweet] = server.tweets
    assert [server.media[m][0] for m in tweet.media_ids] == [p.read_bytes() for p in paths]
    assert server.requests[1].json() == {
        "id": tweet.media_ids[0],
        "metadata": {"alt_text": {"text": "Our waiting room, freshly painted"}},
    }
    assert server.requests[3].json() == {
        "text": TEXT,
        "media": {"media_ids": list(tweet.media_ids)},
    }


def test_the_url_without_a_handle_uses_the_web_status_link(
    server: XServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    account = Account(7, "x", "Main St", USER_ID, base_url=server.base_url)
    remote = XConnector(account, tokens, clock=clock).publish(request())  # type: ignore[arg-type]
    assert remote.url == f"https://x.com/i/web/status/{remote.remote_id}"


# --- validation ------------------------------------------------------------------------------
def test_validate_lists_what_x_would_refuse(x: XConnector, tmp_path: Path) -> None:
    assert x.validate(request()) == []
    assert x.validate(request("a" * 281)) == ["too_long"]
    assert x.validate(request("   ")) == ["empty"]
    assert x.validate(request(images=clean_pngs(tmp_path, 5))) == ["too_many_images"]
    big = tmp_path / "big.jpg"
    big.write_bytes(JPEG + b"\0" * (5 * 1024 * 1024))
    assert x.validate(request(images=(big,))) == ["image_too_large"]
    odd = tmp_path / "odd.bmp"
    odd.write_bytes(b"BM" + b"\0" * 64)
    assert x.validate(request(images=(odd,))) == ["unsupported"]
    paths = clean_pngs(tmp_path, 1)
    assert x.validate(request(images=paths, alts=("a" * 1001,))) == ["alt_text_too_long"]
    assert x.validate(request(images=(tmp_path / "gone.png",))) == ["image_unreadable"]


def test_a_post_x_would_refuse_is_never_sent(x: XConnector, server: XServer) -> None:
    with pytest.raises(PermanentPublishError) as refused:
        x.publish(request("a" * 281))
    assert refused.value.code == "too_long"
    assert str(refused.value) == "X would refuse this post: the text is too long."
    assert server.requests == []


# --- reconciling -----------------------------------------------------------------------------
def test_find_recognises_the_post_as_x_rewrote_it(
    x: XConnector, server: XServer, tmp_path: Path
) -> None:
    paths = clean_pngs(tmp_path, 1)
    sent = x.publish(request(images=paths))
    [tweet] = server.tweets
    assert "t.co" in tweet.text
    assert "&amp;" in tweet.text
    assert x.find(request(images=paths)) == sent
    assert x.find(request("Something else entirely", images=paths)) is None
    lookup = server.requests[-1]
    assert lookup.line == f"GET /2/users/{USER_ID}/tweets"
    assert lookup.args["start_time"] == "2026-10-30T09:00:00Z"  # three days back: no intent time
    assert lookup.args["max_results"] == "100"
    assert lookup.args["exclude"] == "retweets,replies"


def test_find_ignores_posts_before_the_window(
    x: XConnector, server: XServer, clock: ManualClock
) -> None:
    x.publish(request())
    clock.advance(timedelta(days=3, seconds=1))
    assert x.find(request()) is None


def test_find_starts_when_the_intent_was_recorded(
    x: XConnector, server: XServer, clock: ManualClock
) -> None:
    began = clock.now() - timedelta(hours=1)
    x.find(replace(request(), not_before=began))
    assert server.requests[-1].args["start_time"] == "2026-11-02T07:50:00Z"  # less clock skew


def test_a_post_with_another_link_is_not_taken_for_ours(x: XConnector) -> None:
    x.publish(request("See https://a.example and https://b.example"))
    assert x.find(request("See https://a.example")) is None


# --- withdraw --------------------------------------------------------------------------------
def test_withdraw_deletes_the_post_and_a_missing_one_counts_as_gone(
    x: XConnector, server: XServer
) -> None:
    sent = x.publish(request())
    assert x.withdraw(sent.remote_id) is True
    assert server.tweets == []
    assert x.withdraw(sent.remote_id) is True
    assert server.lines()[-2:] == [f"DELETE /2/tweets/{sent.remote_id}"] * 2


# --- faults ----------------------------------------------------------------------------------
def test_a_401_refreshes_the_token_once_and_sends_again(
    server: XServer, clock: ManualClock
) -> None:
    server.tokens = {TOKEN_AFTER_REFRESH}
    tokens = FixedTokens([TOKEN, TOKEN_AFTER_REFRESH])
    connector(server, tokens, clock).publish(request())
    assert server.lines() == ["POST /2/tweets"] * 2
    assert [r.headers["authorization"] for r in server.requests] == [
        f"Bearer {TOKEN}",
        f"Bearer {TOKEN_AFTER_REFRESH}",
    ]
    assert (tokens.invalidated, len(server.tweets)) == (1, 1)


def test_a_second_401_means_reconnect(x: XConnector, server: XServer) -> None:
    server.tokens = {"someone-else"}
    with pytest.raises(ReconnectNeeded):
        x.publish(request())
    assert server.tweets == []


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (403, "http_403", "X does not allow this account to do that: You are not permitted"),
        (404, "http_404", "X could not find it: Could not find the requested resource."),
        (413, "http_413", "X says it is too large: The media file is too large."),
        (422, "http_422", "X refused the content: The request could not be processed."),
    ],
)
def test_refusals_are_permanent_in_plain_words(
    x: XConnector, server: XServer, status: int, code: str, words: str
) -> None:
    refused = refused_with(x, server, Fault(status), request())
    assert refused.code == code
    assert str(refused).startswith(words)
    assert TEXT not in str(refused)
    assert server.tweets == []


def test_a_duplicate_is_refused_with_xs_reason(x: XConnector, server: XServer) -> None:
    x.publish(request())
    with pytest.raises(PermanentPublishError, match="duplicate content"):
        x.publish(request())
    assert len(server.tweets) == 1


def test_429_waits_until_the_rate_limit_window_resets(x: XConnector, server: XServer) -> None:
    server.inject("create", Fault(429, headers=rate_limit_headers(600)))
    with pytest.raises(TransientPublishError) as busy:
        x.publish(request())
    assert busy.value.code == "http_429"
    assert busy.value.retry_after == pytest.approx(600, abs=2)


def test_429_retry_after_in_seconds_and_as_a_date(x: XConnector, server: XServer) -> None:
    server.inject(
        "create",
        Fault(429, headers={"Retry-After": "120"}),
        Fault(429, headers={"Retry-After": http_date_in(300)}),
    )
    waits = []
    for _ in range(2):
        with pytest.raises(TransientPublishError) as busy:
            x.publish(request())
        waits.append(busy.value.retry_after)
    assert waits[0] == 120
    assert waits[1] == pytest.approx(300, abs=2)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient(x: XConnector, server: XServer, status: int) -> None:
    server.inject("create", Fault(status))
    with pytest.raises(TransientPublishError) as busy:
        x.publish(request())
    assert busy.value.code == f"http_{status}"
    assert server.tweets == []


@LOST_ANSWERS
def test_no_answer_after_sending_is_uncertain(
    x: XConnector, server: XServer, fault: Fault, created: int
) -> None:
    assert_uncertain_then_found(x, server, request(), fault, lambda: server.tweets, created)


def test_an_upload_without_an_answer_is_transient_not_uncertain(
    x: XConnector, server: XServer, tmp_path: Path
) -> None:
    server.inject("upload", DROP_AFTER_CREATE)
    with pytest.raises(TransientPublishError) as failed:
        x.publish(request(images=clean_pngs(tmp_path, 1)))
    assert failed.value.code == "connection_dropped"
    assert server.lines() == ["POST /2/media/upload"]
    assert server.tweets == []


def test_a_failed_look_up_is_transient(x: XConnector, server: XServer) -> None:
    server.inject("list", Fault(503), TIMEOUT)
    for _ in range(2):
        with pytest.raises(TransientPublishError):
            x.find(request())

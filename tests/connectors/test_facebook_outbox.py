"""A Facebook Page through the real outbox: every injected fault (Graph's own error codes
among them), the entry it leaves, the requests of each run, and exactly one post on the Page
(or none, when Facebook refused) — also across a restart and a crash before the record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.accounts.model import Account
from core.clock import ManualClock
from core.composer.model import PostState
from core.connectors.facebook import GRAPH_VERSION, FacebookConnector
from core.publishing.model import OutboxStatus
from tests.connectors.outbox_harness import (
    POLICY,
    FixedTokens,
    OutboxHarness,
    Scenario,
    assert_published_once,
    crash_after_the_answer,
    lost_answers,
    play,
    publish_photos_after,
    refuse_first,
    refused,
    retried,
    retry_cases,
    sent,
)
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
_S = OutboxStatus


@pytest.fixture
def server(clock: ManualClock) -> Iterator[FacebookServer]:
    with serving() as http:
        yield FacebookServer(http, clock.now)


def make_connector(server: FacebookServer, clock: ManualClock) -> FacebookConnector:
    account = Account(3, "facebook", "Maple Grove Dental", PAGE_ID, base_url=server.base_url)
    tokens = FixedTokens([TOKEN])
    return FacebookConnector(account, tokens, timeout=CLIENT_TIMEOUT, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def harness(server: FacebookServer, clock: ManualClock, tmp_path: Path) -> OutboxHarness:
    return OutboxHarness(clock, tmp_path, lambda: make_connector(server, clock))


SCENARIOS = [
    sent(FEED),
    Scenario(
        "token_invalid", {"create": (Fault(401),)}, _S.FAILED, "token_revoked", (FEED,), posts=0
    ),
    *(refused(FEED, status) for status in (403, 404, 413, 422)),
    Scenario(
        "duplicate",
        {"create": (graph_fault(506, "(#506) Duplicate status message"),)},
        _S.FAILED,
        "http_400",
        (FEED,),
        posts=0,
    ),
    *retry_cases(FEED, slow_down="rate_limited", trouble="temporarily_unavailable"),
    retried(FEED, "throttled_400", graph_fault(613, "(#613) Calls exceeded"), "rate_limited", 22.5),
    retried(
        FEED,
        "business_use_case",
        graph_fault(80001, "(#80001) Too many calls", headers=usage_header(7)),
        "rate_limited",
        420,
    ),
    *lost_answers(FEED, POSTS),
]


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda c: c.id)
def test_each_fault_ends_in_exactly_one_post_or_a_plain_refusal(
    harness: OutboxHarness, server: FacebookServer, case: Scenario
) -> None:
    play(harness, server, "facebook", case)
    assert len(server.posts) == case.posts


def test_a_refusal_is_stored_in_graphs_words(
    harness: OutboxHarness, server: FacebookServer
) -> None:
    assert refuse_first(harness, server, "facebook", Fault(403)).error_message == (
        "Facebook does not allow this account to do that: (#200) The user hasn't authorized "
        "the application to perform this action"
    )


def test_a_crash_between_facebooks_answer_and_the_record_is_reconciled(
    harness: OutboxHarness, server: FacebookServer, clock: ManualClock
) -> None:
    post = crash_after_the_answer(harness, "facebook", lambda: make_connector(server, clock))
    clock.advance(POLICY.lease)
    harness.run("facebook")
    assert server.lines() == [FEED, POSTS]
    assert_published_once(harness, post, server.url_of(server.posts[0].id), server.posts)


def test_photos_go_out_once_after_a_timeout(
    harness: OutboxHarness, server: FacebookServer, clock: ManualClock
) -> None:
    post = publish_photos_after(harness, server, "facebook", TIMEOUT_AFTER_CREATE)
    assert server.lines() == [PHOTOS, PHOTOS, FEED, POSTS]
    [page_post] = server.posts
    assert [server.photos[p][0] for p in page_post.photos] == [
        p.read_bytes() for p in harness.exports[:2]
    ]
    assert harness.state(post) is PostState.PUBLISHED

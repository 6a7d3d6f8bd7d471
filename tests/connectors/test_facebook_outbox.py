"""A Facebook Page through the real outbox: every injected fault (Graph's own error codes
among them), the entry it leaves, the requests of each run, and exactly one post on the Page
(or none, when Facebook refused) — also across a restart and a crash before the record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.model import Account
from core.clock import ManualClock
from core.composer.model import PostState
from core.connectors.facebook import GRAPH_VERSION, FacebookConnector
from core.publishing.connectors import Connector
from core.publishing.model import OutboxStatus
from tests.connectors.outbox_harness import (
    POLICY,
    Crash,
    FixedTokens,
    OutboxHarness,
    Scenario,
    crash_after_publish,
    play,
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
    DROP_AFTER_CREATE,
    TIMEOUT,
    TIMEOUT_AFTER_CREATE,
    Fault,
    http_date_in,
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


def _refused(status: int, code: str) -> Scenario:
    return Scenario(str(status), {"create": (Fault(status),)}, _S.FAILED, code, (FEED,), posts=0)


def _retried(name: str, fault: Fault, code: str, wait: float) -> Scenario:
    return Scenario(name, {"create": (fault,)}, _S.PENDING, code, (FEED,), (FEED,), wait=wait)


SCENARIOS = [
    Scenario("sent", {}, _S.SENT, "", (FEED,)),
    Scenario(
        "token_invalid", {"create": (Fault(401),)}, _S.FAILED, "token_revoked", (FEED,), posts=0
    ),
    _refused(403, "http_403"),
    _refused(404, "http_404"),
    _refused(413, "http_413"),
    _refused(422, "http_422"),
    Scenario(
        "duplicate",
        {"create": (graph_fault(506, "(#506) Duplicate status message"),)},
        _S.FAILED,
        "http_400",
        (FEED,),
        posts=0,
    ),
    _retried("429_seconds", Fault(429, headers={"Retry-After": "120"}), "rate_limited", 120),
    _retried(
        "429_date", Fault(429, headers={"Retry-After": http_date_in(300)}), "rate_limited", 300
    ),
    _retried("throttled_400", graph_fault(613, "(#613) Calls exceeded"), "rate_limited", 22.5),
    _retried(
        "business_use_case",
        graph_fault(80001, "(#80001) Too many calls", headers=usage_header(7)),
        "rate_limited",
        420,
    ),
    _retried("500", Fault(500), "temporarily_unavailable", 22.5),
    _retried(
        "503_retry_after",
        Fault(503, headers={"Retry-After": "60"}),
        "temporarily_unavailable",
        60,
    ),
    Scenario("timeout", {"create": (TIMEOUT,)}, _S.UNCERTAIN, "timeout", (FEED,), (POSTS, FEED)),
    Scenario(
        "timeout_after_create",
        {"create": (TIMEOUT_AFTER_CREATE,)},
        _S.UNCERTAIN,
        "timeout",
        (FEED,),
        (POSTS,),
    ),
    Scenario(
        "dropped_after_create",
        {"create": (DROP_AFTER_CREATE,)},
        _S.UNCERTAIN,
        "connection_dropped",
        (FEED,),
        (POSTS,),
    ),
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
    post = harness.due_post("facebook")
    server.inject("create", Fault(403))
    harness.run("facebook")
    assert harness.entry(post).error_message == (
        "Facebook does not allow this account to do that: (#200) The user hasn't authorized "
        "the application to perform this action"
    )


def test_a_crash_between_facebooks_answer_and_the_record_is_reconciled(
    harness: OutboxHarness, server: FacebookServer, clock: ManualClock
) -> None:
    def crashing() -> Connector:
        return crash_after_publish(make_connector(server, clock), harness.store)

    harness.make_connector = crashing
    post = harness.due_post("facebook")
    with pytest.raises(Crash):
        harness.run("facebook")
    harness.make_connector = lambda: make_connector(server, clock)
    clock.advance(POLICY.lease)
    harness.run("facebook")
    assert server.lines() == [FEED, POSTS]
    done = harness.entry(post)
    assert done.status is _S.SENT
    assert done.url == server.url_of(server.posts[0].id)
    assert harness.state(post) is PostState.PUBLISHED
    assert len(server.posts) == 1


def test_photos_go_out_once_after_a_timeout(
    harness: OutboxHarness, server: FacebookServer, clock: ManualClock
) -> None:
    post = harness.due_post("facebook", photos=(1, 2))
    server.inject("create", TIMEOUT_AFTER_CREATE)
    harness.run("facebook")
    assert harness.entry(post).status is _S.UNCERTAIN
    clock.advance(timedelta(minutes=5))
    harness.run("facebook")
    assert server.lines() == [PHOTOS, PHOTOS, FEED, POSTS]
    [page_post] = server.posts
    assert [server.photos[p][0] for p in page_post.photos] == [
        p.read_bytes() for p in harness.exports[:2]
    ]
    assert harness.state(post) is PostState.PUBLISHED

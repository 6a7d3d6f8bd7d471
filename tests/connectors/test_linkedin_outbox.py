"""A LinkedIn company page through the real outbox: every injected fault, the entry it leaves,
the requests of each run, and exactly one post on the page (or none, when LinkedIn refused) —
also across a restart and a crash before the record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.model import Account
from core.clock import ManualClock
from core.composer.model import PostState
from core.connectors.linkedin import LinkedInConnector
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
from tests.connectors.servers.faults import (
    CLIENT_TIMEOUT,
    DROP_AFTER_CREATE,
    TIMEOUT,
    TIMEOUT_AFTER_CREATE,
    Fault,
    http_date_in,
    serving,
)
from tests.connectors.servers.linkedin import (
    ORGANIZATION,
    TOKEN,
    TOKEN_AFTER_REFRESH,
    LinkedInServer,
)

FEED = "POST /rest/posts"
POSTS = "GET /rest/posts"
INIT = "POST /rest/images"
_S = OutboxStatus


@pytest.fixture
def server(clock: ManualClock) -> Iterator[LinkedInServer]:
    with serving() as http:
        yield LinkedInServer(http, clock.now)


def make_connector(server: LinkedInServer, clock: ManualClock) -> LinkedInConnector:
    account = Account(5, "linkedin", "Maple Grove Dental", ORGANIZATION, base_url=server.base_url)
    tokens = FixedTokens([TOKEN, TOKEN_AFTER_REFRESH])
    return LinkedInConnector(account, tokens, timeout=CLIENT_TIMEOUT, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def harness(server: LinkedInServer, clock: ManualClock, tmp_path: Path) -> OutboxHarness:
    return OutboxHarness(clock, tmp_path, lambda: make_connector(server, clock))


def _refused(status: int, code: str) -> Scenario:
    return Scenario(str(status), {"create": (Fault(status),)}, _S.FAILED, code, (FEED,), posts=0)


def _retried(name: str, fault: Fault, code: str, wait: float) -> Scenario:
    return Scenario(name, {"create": (fault,)}, _S.PENDING, code, (FEED,), (FEED,), wait=wait)


SCENARIOS = [
    Scenario("sent", {}, _S.SENT, "", (FEED,)),
    Scenario("401_refreshed", {"create": (Fault(401),)}, _S.SENT, "", (FEED, FEED)),
    Scenario(
        "401_twice",
        {"create": (Fault(401), Fault(401))},
        _S.FAILED,
        "token_revoked",
        (FEED, FEED),
        posts=0,
    ),
    _refused(403, "http_403"),
    _refused(404, "http_404"),
    _refused(413, "http_413"),
    _refused(422, "http_422"),
    _retried("429", Fault(429), "http_429", 22.5),
    _retried("429_seconds", Fault(429, headers={"Retry-After": "120"}), "http_429", 120),
    _retried("429_date", Fault(429, headers={"Retry-After": http_date_in(300)}), "http_429", 300),
    _retried("500", Fault(500), "http_500", 22.5),
    _retried("503_retry_after", Fault(503, headers={"Retry-After": "60"}), "http_503", 60),
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
    harness: OutboxHarness, server: LinkedInServer, case: Scenario
) -> None:
    play(harness, server, "linkedin", case)
    assert len(server.posts) == case.posts


def test_a_refusal_is_stored_in_linkedins_words(
    harness: OutboxHarness, server: LinkedInServer
) -> None:
    post = harness.due_post("linkedin")
    server.inject("create", Fault(403))
    harness.run("linkedin")
    assert harness.entry(post).error_message == (
        "LinkedIn does not allow this account to do that: Not enough permissions to access: "
        "partnerApiPostsExternal.CREATE"
    )


def test_a_crash_between_linkedins_answer_and_the_record_is_reconciled(
    harness: OutboxHarness, server: LinkedInServer, clock: ManualClock
) -> None:
    def crashing() -> Connector:
        return crash_after_publish(make_connector(server, clock), harness.store)

    harness.make_connector = crashing
    post = harness.due_post("linkedin")
    with pytest.raises(Crash):
        harness.run("linkedin")
    harness.make_connector = lambda: make_connector(server, clock)
    clock.advance(POLICY.lease)
    harness.run("linkedin")
    assert server.lines() == [FEED, POSTS]
    done = harness.entry(post)
    assert done.status is _S.SENT
    assert done.url == server.url_of(server.posts[0].urn)
    assert harness.state(post) is PostState.PUBLISHED
    assert len(server.posts) == 1


def test_photos_go_out_once_after_a_timeout(
    harness: OutboxHarness, server: LinkedInServer, clock: ManualClock
) -> None:
    post = harness.due_post("linkedin", photos=(1, 2))
    server.inject("create", TIMEOUT_AFTER_CREATE)
    harness.run("linkedin")
    assert harness.entry(post).status is _S.UNCERTAIN
    clock.advance(timedelta(minutes=5))
    harness.run("linkedin")
    puts = [f"PUT /dms-uploads/{n}" for n in (7141790000000000001, 7141790000000000002)]
    assert server.lines() == [INIT, puts[0], INIT, puts[1], FEED, POSTS]
    [org_post] = server.posts
    assert [server.images[m["id"]] for m in org_post.content["multiImage"]["images"]] == [
        p.read_bytes() for p in harness.exports[:2]
    ]
    assert harness.state(post) is PostState.PUBLISHED

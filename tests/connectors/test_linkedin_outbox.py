"""A LinkedIn company page through the real outbox: every injected fault, the entry it leaves,
the requests of each run, and exactly one post on the page (or none, when LinkedIn refused) —
also across a restart and a crash before the record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.accounts.model import Account
from core.clock import ManualClock
from core.composer.model import PostState
from core.connectors.linkedin import LinkedInConnector
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
    token_cases,
)
from tests.connectors.servers.faults import (
    CLIENT_TIMEOUT,
    TIMEOUT_AFTER_CREATE,
    Fault,
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


SCENARIOS = [
    sent(FEED),
    *token_cases(FEED),
    *(refused(FEED, status) for status in (403, 404, 413, 422)),
    retried(FEED, "429", Fault(429), "http_429", 22.5),
    *retry_cases(FEED),
    *lost_answers(FEED, POSTS),
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
    assert refuse_first(harness, server, "linkedin", Fault(403)).error_message == (
        "LinkedIn does not allow this account to do that: Not enough permissions to access: "
        "partnerApiPostsExternal.CREATE"
    )


def test_a_crash_between_linkedins_answer_and_the_record_is_reconciled(
    harness: OutboxHarness, server: LinkedInServer, clock: ManualClock
) -> None:
    post = crash_after_the_answer(harness, "linkedin", lambda: make_connector(server, clock))
    clock.advance(POLICY.lease)
    harness.run("linkedin")
    assert server.lines() == [FEED, POSTS]
    assert_published_once(harness, post, server.url_of(server.posts[0].urn), server.posts)


def test_photos_go_out_once_after_a_timeout(
    harness: OutboxHarness, server: LinkedInServer, clock: ManualClock
) -> None:
    post = publish_photos_after(harness, server, "linkedin", TIMEOUT_AFTER_CREATE)
    puts = [f"PUT /dms-uploads/{n}" for n in (7141790000000000001, 7141790000000000002)]
    assert server.lines() == [INIT, puts[0], INIT, puts[1], FEED, POSTS]
    [org_post] = server.posts
    assert [server.images[m["id"]] for m in org_post.content["multiImage"]["images"]] == [
        p.read_bytes() for p in harness.exports[:2]
    ]
    assert harness.state(post) is PostState.PUBLISHED

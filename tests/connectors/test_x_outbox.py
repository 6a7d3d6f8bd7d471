"""X through the real outbox: every injected fault, the entry it leaves, the requests of each
run, and exactly one post on X (or none, when X refused) — also across a restart of
``--publish-due`` and a crash between X's answer and its record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.accounts.model import Account
from core.clock import ManualClock
from core.composer.model import PostState
from core.connectors.x import XConnector
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
    DROP_AFTER_CREATE,
    TIMEOUT,
    Fault,
    serving,
)
from tests.connectors.servers.x import (
    TOKEN,
    TOKEN_AFTER_REFRESH,
    USER_ID,
    XServer,
    rate_limit_headers,
)

CREATE = "POST /2/tweets"
LIST = f"GET /2/users/{USER_ID}/tweets"
UPLOAD = "POST /2/media/upload"
_S = OutboxStatus


@pytest.fixture
def server(clock: ManualClock) -> Iterator[XServer]:
    with serving() as http:
        yield XServer(http, clock.now)


def make_connector(server: XServer, clock: ManualClock) -> XConnector:
    account = Account(7, "x", "Main St", USER_ID, "@maplegrovedental", base_url=server.base_url)
    tokens = FixedTokens([TOKEN, TOKEN_AFTER_REFRESH])
    return XConnector(account, tokens, timeout=CLIENT_TIMEOUT, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def harness(server: XServer, clock: ManualClock, tmp_path: Path) -> OutboxHarness:
    return OutboxHarness(clock, tmp_path, lambda: make_connector(server, clock))


SCENARIOS = [
    sent(CREATE),
    *token_cases(CREATE),
    *(refused(CREATE, status) for status in (403, 404, 413, 422)),
    *retry_cases(CREATE),
    retried(
        CREATE, "429_rate_limit_reset", Fault(429, headers=rate_limit_headers(600)), "http_429", 600
    ),
    *lost_answers(CREATE, LIST),
]


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda c: c.id)
def test_each_fault_ends_in_exactly_one_post_or_a_plain_refusal(
    harness: OutboxHarness, server: XServer, case: Scenario
) -> None:
    play(harness, server, "x", case)
    assert len(server.tweets) == case.posts


def test_a_refusal_is_stored_in_xs_words_without_the_post(
    harness: OutboxHarness, server: XServer
) -> None:
    failed = refuse_first(harness, server, "x", Fault(403))
    assert failed.error_message == (
        "X does not allow this account to do that: You are not permitted to perform this action."
    )
    history = harness.services.composer.history(failed.post_id)
    assert history.transitions[-1].note == f"X: {failed.error_message}"


def test_a_look_up_that_fails_keeps_the_entry_uncertain_until_it_answers(
    harness: OutboxHarness, server: XServer, clock: ManualClock
) -> None:
    post = harness.due_post("x")
    server.inject("create", DROP_AFTER_CREATE)
    server.inject("list", Fault(503), TIMEOUT)
    for _ in range(3):
        harness.run("x")
        entry = harness.entry(post)
        assert entry.status is _S.UNCERTAIN
        assert entry.next_attempt_at is not None
        clock.set(entry.next_attempt_at)
    harness.run("x")
    assert server.lines() == [CREATE, LIST, LIST, LIST]
    assert harness.entry(post).status is _S.SENT
    assert len(server.tweets) == 1


def test_a_crash_between_xs_answer_and_the_record_is_reconciled(
    harness: OutboxHarness, server: XServer, clock: ManualClock
) -> None:
    post = crash_after_the_answer(harness, "x", lambda: make_connector(server, clock))
    assert harness.entry(post).status is _S.SENDING
    assert len(server.tweets) == 1

    harness.run("x")  # restarted at once: the lease still holds
    assert server.lines() == [CREATE]
    clock.advance(POLICY.lease)
    harness.run("x")
    assert server.lines() == [CREATE, LIST]
    url = f"https://x.com/maplegrovedental/status/{server.tweets[0].id}"
    assert_published_once(harness, post, url, server.tweets)


def test_photos_go_out_as_clean_exports_once_after_a_dropped_connection(
    harness: OutboxHarness, server: XServer, clock: ManualClock
) -> None:
    post = publish_photos_after(harness, server, "x", DROP_AFTER_CREATE)
    assert server.lines() == [UPLOAD, UPLOAD, CREATE, LIST]
    [tweet] = server.tweets
    uploaded = [server.media[m][0] for m in tweet.media_ids]
    assert uploaded == [p.read_bytes() for p in harness.exports[:2]]  # exported again to look up
    assert all(b"eXIf" not in data and b"Exif" not in data for data in uploaded)
    assert harness.state(post) is PostState.PUBLISHED


def test_neither_the_token_nor_the_text_reaches_logs_or_stored_errors(
    harness: OutboxHarness, server: XServer, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    post = harness.due_post("x")
    server.inject("create", Fault(401), Fault(500), DROP_AFTER_CREATE)
    server.inject("list", Fault(403))
    stored = []
    for _ in range(4):
        harness.run("x")
        entry = harness.entry(post)
        stored.append(entry.error_message)
        clock.set(entry.next_attempt_at or clock.now() + timedelta(hours=1))
    app_logs = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    for secret in (TOKEN, TOKEN_AFTER_REFRESH, "Flu shots"):
        assert secret not in app_logs
        assert all(secret not in message for message in stored)
    assert len(server.tweets) == 1

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
    Scenario("sent", {}, _S.SENT, "", (CREATE,)),
    Scenario("401_refreshed", {"create": (Fault(401),)}, _S.SENT, "", (CREATE, CREATE)),
    Scenario(
        "401_twice",
        {"create": (Fault(401),) * 2},
        _S.FAILED,
        "token_revoked",
        (CREATE,) * 2,
        posts=0,
    ),
    Scenario("403", {"create": (Fault(403),)}, _S.FAILED, "http_403", (CREATE,), posts=0),
    Scenario("404", {"create": (Fault(404),)}, _S.FAILED, "http_404", (CREATE,), posts=0),
    Scenario("413", {"create": (Fault(413),)}, _S.FAILED, "http_413", (CREATE,), posts=0),
    Scenario("422", {"create": (Fault(422),)}, _S.FAILED, "http_422", (CREATE,), posts=0),
    Scenario(
        "429_seconds",
        {"create": (Fault(429, headers={"Retry-After": "120"}),)},
        _S.PENDING,
        "http_429",
        (CREATE,),
        (CREATE,),
        wait=120,
    ),
    Scenario(
        "429_date",
        {"create": (Fault(429, headers={"Retry-After": http_date_in(300)}),)},
        _S.PENDING,
        "http_429",
        (CREATE,),
        (CREATE,),
        wait=300,
    ),
    Scenario(
        "429_rate_limit_reset",
        {"create": (Fault(429, headers=rate_limit_headers(600)),)},
        _S.PENDING,
        "http_429",
        (CREATE,),
        (CREATE,),
        wait=600,
    ),
    Scenario(
        "500", {"create": (Fault(500),)}, _S.PENDING, "http_500", (CREATE,), (CREATE,), wait=22.5
    ),
    Scenario(
        "503_retry_after",
        {"create": (Fault(503, headers={"Retry-After": "60"}),)},
        _S.PENDING,
        "http_503",
        (CREATE,),
        (CREATE,),
        wait=60,
    ),
    Scenario("timeout", {"create": (TIMEOUT,)}, _S.UNCERTAIN, "timeout", (CREATE,), (LIST, CREATE)),
    Scenario(
        "timeout_after_create",
        {"create": (TIMEOUT_AFTER_CREATE,)},
        _S.UNCERTAIN,
        "timeout",
        (CREATE,),
        (LIST,),
    ),
    Scenario(
        "dropped_after_create",
        {"create": (DROP_AFTER_CREATE,)},
        _S.UNCERTAIN,
        "connection_dropped",
        (CREATE,),
        (LIST,),
    ),
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
    post = harness.due_post("x")
    server.inject("create", Fault(403))
    harness.run("x")
    failed = harness.entry(post)
    assert failed.error_message == (
        "X does not allow this account to do that: You are not permitted to perform this action."
    )
    history = harness.services.composer.history(post.id or 0)
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
    def crashing() -> Connector:
        return crash_after_publish(make_connector(server, clock), harness.store)

    harness.make_connector = crashing
    post = harness.due_post("x")
    with pytest.raises(Crash):
        harness.run("x")
    assert harness.entry(post).status is _S.SENDING
    assert len(server.tweets) == 1

    harness.make_connector = lambda: make_connector(server, clock)
    harness.run("x")  # restarted at once: the lease still holds
    assert server.lines() == [CREATE]
    clock.advance(POLICY.lease)
    harness.run("x")
    assert server.lines() == [CREATE, LIST]
    done = harness.entry(post)
    assert done.status is _S.SENT
    assert done.url == f"https://x.com/maplegrovedental/status/{server.tweets[0].id}"
    assert harness.state(post) is PostState.PUBLISHED
    assert len(server.tweets) == 1


def test_photos_go_out_as_clean_exports_once_after_a_dropped_connection(
    harness: OutboxHarness, server: XServer, clock: ManualClock
) -> None:
    post = harness.due_post("x", photos=(1, 2))
    server.inject("create", DROP_AFTER_CREATE)
    harness.run("x")
    assert harness.entry(post).status is _S.UNCERTAIN
    clock.advance(timedelta(minutes=5))
    harness.run("x")
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

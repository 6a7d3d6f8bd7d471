"""Google Business Profile local posts against a local GBP API (tests/connectors/servers/gbp.py),
through the real outbox: the exact request sent, validation before sending (photos need a
public URL → by hand, phone numbers, buttons), every fault (401 refresh and revoked, 403, 404,
429 with Retry-After in seconds and as a date, 500, 503, a timeout and a dropped connection
after Google created the post, a crash between the answer and its record) with the stored
outcome and exactly one post on Google, also across restarts; paging in reconciliation;
withdraw."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from core.accounts.model import Account
from core.clock import ManualClock
from core.composer.model import PostState
from core.connectors.gbp import GbpConnector, location_name, parse_time
from core.connectors.http import HttpClient
from core.publishing.connectors import PermanentPublishError, PublishRequest
from core.publishing.model import OutboxStatus
from tests.connectors.outbox_harness import (
    TEXT,
    FixedTokens,
    OutboxHarness,
    assert_published_once,
    crash_after_the_answer,
)
from tests.connectors.servers.gbp import DROP, TIMEOUT, Fault, GbpServer, status

LOCATION = "accounts/108/locations/2207"
START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
READ_TIMEOUT = 0.4


@pytest.fixture
def http_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def gbp(http_server: HTTPServer, clock: ManualClock) -> GbpServer:
    return GbpServer(http_server, late=READ_TIMEOUT + 0.6, clock=clock)


_SEVEN = timedelta(minutes=7)


def _real_now() -> datetime:
    """An HTTP date in Retry-After counts from the real time (the client's clock)."""
    return datetime.now(UTC)


def account(base_url: str) -> Account:
    return Account(
        id=7,
        platform="gbp",
        label="Maple Grove – Main St",
        remote_id=LOCATION,
        handle="Maple Grove Family Dental",
        base_url=base_url,
        token_ref="account:7",
    )


def connector(gbp: GbpServer, tokens: FixedTokens, clock: ManualClock) -> GbpConnector:
    acct = account(gbp.base_url)
    http = HttpClient(
        gbp.base_url,
        tokens,  # type: ignore[arg-type]
        account=acct,
        name="Google",
        timeout=(2.0, READ_TIMEOUT),
    )
    return GbpConnector(acct, tokens, http=http, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def tokens() -> FixedTokens:
    return FixedTokens(["gbp-token-1"])


@pytest.fixture
def harness(
    clock: ManualClock, tmp_path: Path, gbp: GbpServer, tokens: FixedTokens
) -> OutboxHarness:
    return OutboxHarness(clock, tmp_path, lambda: connector(gbp, tokens, clock))


def request(text: str = TEXT, **options: str) -> PublishRequest:
    return PublishRequest(1, "gbp", text, (), "key-1", options=options)


# --- the request -----------------------------------------------------------------------------
def test_publish_sends_one_text_only_local_post_and_returns_its_live_url(
    gbp: GbpServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    remote = connector(gbp, tokens, clock).publish(
        request(cta_type="book", cta_url="https://maplegrove.example/book")
    )
    [seen] = gbp.requests
    assert (seen.method, seen.path) == ("POST", f"/v4/{LOCATION}/localPosts")
    assert seen.authorization == "Bearer gbp-token-1"
    assert seen.body == {
        "languageCode": "en-US",
        "summary": TEXT,
        "topicType": "STANDARD",
        "callToAction": {"actionType": "BOOK", "url": "https://maplegrove.example/book"},
    }
    [post] = gbp.posts(LOCATION)
    assert remote.remote_id == post["name"]
    assert remote.url == post["searchUrl"]


def test_a_link_becomes_a_learn_more_button_and_call_takes_no_url() -> None:
    gbp_connector = GbpConnector(account("http://127.0.0.1:9/v4/"), FixedTokens(["t"]))  # type: ignore[arg-type]
    body = gbp_connector.body(request(link="https://maplegrove.example/flu"))
    assert body["callToAction"] == {
        "actionType": "LEARN_MORE",
        "url": "https://maplegrove.example/flu",
    }
    assert gbp_connector.body(request(cta_type="CALL"))["callToAction"] == {"actionType": "CALL"}
    assert "callToAction" not in gbp_connector.body(request())


@pytest.mark.parametrize(
    ("text", "options", "photos", "expected"),
    [
        (TEXT, {}, 0, []),
        (TEXT, {}, 1, ["public_url_needed"]),
        ("Call us at (217) 555-0142 to book your cleaning.", {}, 0, ["phone_number"]),
        ("x" * 1501, {}, 0, ["too_long"]),
        ("   ", {}, 0, ["empty"]),
        (TEXT, {"cta_type": "DONATE", "cta_url": "https://a.example"}, 0, ["bad_call_to_action"]),
        (TEXT, {"cta_type": "BOOK", "cta_url": "http://a.example"}, 0, ["bad_call_to_action"]),
        (TEXT, {"cta_type": "BOOK"}, 0, ["bad_call_to_action"]),
        (TEXT, {"cta_type": "CALL"}, 0, []),
    ],
)
def test_validate_says_what_stops_a_post_before_anything_is_sent(
    text: str, options: dict[str, str], photos: int, expected: list[str], tmp_path: Path
) -> None:
    gbp_connector = GbpConnector(account("http://127.0.0.1:9/v4/"), FixedTokens(["t"]))  # type: ignore[arg-type]
    images = tuple(tmp_path / f"{n}.jpg" for n in range(photos))
    req = PublishRequest(1, "gbp", text, images, "k", options=options)
    problems = gbp_connector.validate(req)
    assert [p for p in problems if p not in {"empty", "too_long"}] == [
        p for p in expected if p not in {"empty", "too_long"}
    ]
    assert set(expected) <= set(problems)


def test_publish_refuses_a_post_with_a_phone_number_without_calling_google(
    gbp: GbpServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    with pytest.raises(PermanentPublishError) as raised:
        connector(gbp, tokens, clock).publish(request("Questions? Call (217) 555-0142 today."))
    assert raised.value.code == "phone_number"
    assert "555" not in str(raised.value)
    assert gbp.requests == []


def test_a_location_id_that_is_not_a_v4_name_is_refused_in_plain_words() -> None:
    bad = Account(id=1, platform="gbp", label="x", remote_id="locations/2207")
    with pytest.raises(PermanentPublishError) as raised:
        location_name(bad)
    assert raised.value.code == "bad_location"
    assert "reconnect" in str(raised.value)


def test_google_timestamps_with_nanoseconds_parse() -> None:
    assert parse_time("2026-11-02T15:00:01.123456789Z") == datetime(
        2026, 11, 2, 15, 0, 1, 123456, tzinfo=UTC
    )
    assert parse_time("not a time") is None


# --- through the outbox ----------------------------------------------------------------------
def test_a_due_post_goes_out_once_and_the_outbox_records_it(
    harness: OutboxHarness, gbp: GbpServer
) -> None:
    post = harness.due_post("gbp")
    harness.run("gbp")
    entry = harness.entry(post)
    [live] = gbp.posts(LOCATION)
    assert entry.status is OutboxStatus.SENT
    assert (entry.remote_id, entry.url) == (live["name"], live["searchUrl"])
    assert harness.state(post) is PostState.PUBLISHED
    harness.clock.advance(timedelta(hours=1))
    harness.run("gbp")
    assert [r.operation for r in gbp.requests] == ["create_post"]


def test_a_post_with_a_photo_waits_for_a_person_and_nothing_is_sent(
    harness: OutboxHarness, gbp: GbpServer
) -> None:
    post = harness.due_post("gbp", photos=[3])
    harness.run("gbp")
    assert harness.entry(post).status is OutboxStatus.MANUAL
    assert harness.entry(post).error_code == "public_url_needed"
    assert gbp.requests == []


@pytest.mark.parametrize(
    ("make_fault", "wait"),
    [
        (lambda: status(429, Retry_After="120"), 120),
        (lambda: status(429, Retry_After=format_datetime(_real_now() + _SEVEN, True)), 420),
        (lambda: status(500), 0),
        (lambda: status(503, Retry_After="30"), 30),
    ],
    ids=["429-seconds", "429-date", "500", "503"],
)
def test_transient_faults_back_off_then_send_exactly_once(
    harness: OutboxHarness, gbp: GbpServer, make_fault: Callable[[], Fault], wait: int
) -> None:
    post = harness.due_post("gbp")
    fault = make_fault()  # now: an HTTP date counts from the real time of the request
    gbp.fail("create_post", fault)
    harness.run("gbp")
    entry = harness.entry(post)
    assert entry.status is OutboxStatus.PENDING
    assert entry.error_code == f"http_{fault.status}"
    assert entry.next_attempt_at is not None
    assert entry.next_attempt_at >= harness.clock.now() + timedelta(seconds=wait - 10)
    assert gbp.posts(LOCATION) == []
    harness.clock.set(entry.next_attempt_at)
    harness.run("gbp")
    assert harness.entry(post).status is OutboxStatus.SENT
    assert len(gbp.posts(LOCATION)) == 1
    assert [r.operation for r in gbp.requests] == ["create_post", "create_post"]


def test_an_expired_token_is_refreshed_once_and_the_post_goes_out(
    clock: ManualClock, tmp_path: Path, gbp: GbpServer
) -> None:
    tokens = FixedTokens(["expired-token", "gbp-token-1"])
    harness = OutboxHarness(clock, tmp_path, lambda: connector(gbp, tokens, clock))
    post = harness.due_post("gbp")
    harness.run("gbp")
    assert harness.entry(post).status is OutboxStatus.SENT
    assert tokens.invalidated == 1
    assert [r.authorization for r in gbp.requests] == [
        "Bearer expired-token",
        "Bearer gbp-token-1",
    ]
    assert len(gbp.posts(LOCATION)) == 1


def test_a_revoked_token_fails_the_post_and_asks_to_reconnect(
    clock: ManualClock, tmp_path: Path, gbp: GbpServer
) -> None:
    tokens = FixedTokens(["revoked-1", "revoked-2"])
    harness = OutboxHarness(clock, tmp_path, lambda: connector(gbp, tokens, clock))
    post = harness.due_post("gbp")
    harness.run("gbp")
    entry = harness.entry(post)
    assert entry.status is OutboxStatus.FAILED
    assert entry.error_code == "token_revoked"
    assert "reconnect" in entry.error_message.lower()
    assert "revoked-" not in entry.error_message
    assert harness.state(post) is PostState.FAILED
    assert gbp.posts(LOCATION) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (403, "The caller does not have permission"),
        (404, "Requested entity was not found."),
        (400, "Request contains an invalid argument."),
    ],
)
def test_permanent_refusals_fail_with_googles_reason_in_plain_words(
    harness: OutboxHarness, gbp: GbpServer, code: int, words: str
) -> None:
    post = harness.due_post("gbp")
    gbp.fail("create_post", status(code))
    harness.run("gbp")
    entry = harness.entry(post)
    assert entry.status is OutboxStatus.FAILED
    assert entry.error_code == f"http_{code}"
    assert words in entry.error_message
    assert TEXT not in entry.error_message
    assert harness.state(post) is PostState.FAILED
    harness.clock.advance(timedelta(hours=2))
    harness.run("gbp")
    assert gbp.posts(LOCATION) == []
    assert len(gbp.seen("create_post")) == 1


@pytest.mark.parametrize("fault", [TIMEOUT, DROP], ids=["timeout", "dropped"])
def test_google_created_the_post_but_no_answer_came_back_is_reconciled_not_reposted(
    harness: OutboxHarness, gbp: GbpServer, fault: object
) -> None:
    post = harness.due_post("gbp")
    gbp.fail("create_post", fault)  # type: ignore[arg-type]
    harness.run("gbp")
    entry = harness.entry(post)
    assert entry.status is OutboxStatus.UNCERTAIN
    assert len(gbp.posts(LOCATION)) == 1  # Google has it
    assert entry.next_attempt_at is not None
    harness.clock.set(entry.next_attempt_at)
    harness.run("gbp")  # a restart: a new service and connector
    entry = harness.entry(post)
    [live] = gbp.posts(LOCATION)
    assert entry.status is OutboxStatus.SENT
    assert entry.remote_id == live["name"]
    assert [r.operation for r in gbp.requests] == ["create_post", "list_posts"]
    assert harness.state(post) is PostState.PUBLISHED


def test_a_crash_between_googles_answer_and_the_record_is_reconciled_after_the_lease(
    harness: OutboxHarness, gbp: GbpServer
) -> None:
    post = crash_after_the_answer(harness, "gbp", harness.make_connector)
    assert harness.entry(post).status is OutboxStatus.SENDING
    assert len(gbp.posts(LOCATION)) == 1
    harness.clock.advance(timedelta(hours=1))
    harness.run("gbp")
    assert [r.operation for r in gbp.requests] == ["create_post", "list_posts"]
    [live] = gbp.posts(LOCATION)
    assert_published_once(harness, post, live["searchUrl"], gbp.posts(LOCATION))


def test_reconciliation_pages_past_newer_posts_and_ignores_old_ones_with_the_same_text(
    harness: OutboxHarness, gbp: GbpServer
) -> None:
    gbp.add_post(LOCATION, TEXT, START - timedelta(days=30))  # last year's flu post
    post = harness.due_post("gbp")
    gbp.fail("create_post", DROP)
    harness.run("gbp")
    entry = harness.entry(post)
    for n in range(130):  # others posted meanwhile, from Google's page
        gbp.add_post(LOCATION, f"Office news {n}", harness.clock.now() + timedelta(seconds=n + 1))
    assert entry.next_attempt_at is not None
    harness.clock.set(entry.next_attempt_at + timedelta(minutes=5))
    harness.run("gbp")
    entry = harness.entry(post)
    mine = [p for p in gbp.posts(LOCATION) if p["summary"] == TEXT]
    assert len(mine) == 2  # the old one and this one: nothing new was posted
    assert entry.status is OutboxStatus.SENT
    assert entry.remote_id == max(mine, key=lambda p: p["createTime"])["name"]
    lists = gbp.seen("list_posts")
    assert [r.query.get("pageToken") for r in lists] == [None, "100"]
    assert all(r.query["pageSize"] == "100" for r in lists)


def test_not_found_after_an_uncertain_attempt_publishes_again_once(
    harness: OutboxHarness, gbp: GbpServer
) -> None:
    post = harness.due_post("gbp")
    gbp.fail("create_post", status(502))  # a gateway gave up: unknown, and Google has nothing
    harness.run("gbp")
    entry = harness.entry(post)
    assert entry.status is OutboxStatus.UNCERTAIN
    assert entry.next_attempt_at is not None
    harness.clock.set(entry.next_attempt_at)
    harness.run("gbp")
    assert harness.entry(post).status is OutboxStatus.SENT
    assert [r.operation for r in gbp.requests] == ["create_post", "list_posts", "create_post"]
    assert len(gbp.posts(LOCATION)) == 1


# --- withdraw --------------------------------------------------------------------------------
def test_withdraw_deletes_the_post_and_a_post_already_gone_counts_as_withdrawn(
    gbp: GbpServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    gbp_connector = connector(gbp, tokens, clock)
    remote = gbp_connector.publish(request())
    assert gbp_connector.withdraw(remote.remote_id) is True
    assert gbp.posts(LOCATION) == []
    assert gbp_connector.withdraw(remote.remote_id) is True
    assert [(r.method, r.path) for r in gbp.seen("delete_post")] == [
        ("DELETE", f"/v4/{remote.remote_id}"),
    ] * 2


def test_withdraw_refuses_a_post_of_another_location_without_calling_google(
    gbp: GbpServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    with pytest.raises(PermanentPublishError) as raised:
        connector(gbp, tokens, clock).withdraw("accounts/9/locations/1/localPosts/5")
    assert raised.value.code == "bad_remote_id"
    assert gbp.requests == []

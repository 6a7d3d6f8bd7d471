"""Google reviews of the connected GBP locations against a local GBP API, into the real
``ReviewService`` over the in-memory store: paged and incremental listing, de-duplication by
the review's name, star-only and anonymous reviews, one location failing without losing the
others; posting an approved reply with ``updateReply`` exactly once through every fault (401
refresh and revoked, 403, 404, 429, 500, 503, a timeout and a dropped connection after Google
stored it, a crash before the record), the reply's remote state, and what the audit keeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer

from core.accounts.model import Account, AccountStatus
from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.connectors.gbp_reviews import ANONYMOUS, REVIEWS_PAGE_URL, GbpReviews
from core.connectors.http import HttpClient
from core.demo import DemoStaff, create_demo_practice
from core.errors import EditConflict, ValidationError
from core.publishing.connectors import PermanentPublishError, TransientPublishError
from core.reviews.model import (
    Authenticity,
    Decision,
    ItemKind,
    RemoteState,
    Review,
    ReviewStatus,
    ReviewType,
    Source,
)
from core.reviews.ports import ReviewQuery
from core.reviews.service import ReviewService
from core.staff.pins import fast_hasher
from tests.connectors.outbox_harness import Crash, CrashingStore, FixedTokens
from tests.connectors.servers.gbp import DROP, TIMEOUT, Fault, GbpServer, status
from tests.fakes import MemorySecrets

MAIN_ST = "accounts/108/locations/2207"
OAK_AVE = "accounts/108/locations/3301"
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
READ_TIMEOUT = 0.4
REPLY = (
    "We hold every patient visit to a high standard. Please call our office manager at "
    "(217) 555-0142 so we can talk."
)
PRAISE = "Lovely hygienist and a spotless office."


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
    return ManualClock(NOW)


@pytest.fixture
def gbp(http_server: HTTPServer, clock: ManualClock) -> GbpServer:
    return GbpServer(http_server, late=READ_TIMEOUT + 0.6, clock=clock)


@pytest.fixture
def tokens() -> FixedTokens:
    return FixedTokens(["gbp-token-1"])


def location(account_id: int, name: str, base_url: str) -> Account:
    return Account(
        id=account_id,
        platform="gbp",
        label=f"Location {account_id}",
        remote_id=name,
        base_url=base_url,
        token_ref=f"account:{account_id}",
    )


def source(gbp: GbpServer, tokens: FixedTokens, clock: ManualClock) -> GbpReviews:
    """A fresh source over both locations (as after a restart)."""

    def http(acct: Account) -> HttpClient:
        return HttpClient(
            gbp.base_url, tokens, account=acct, name="Google", timeout=(2.0, READ_TIMEOUT)
        )  # type: ignore[arg-type]

    accounts = [location(1, MAIN_ST, gbp.base_url), location(2, OAK_AVE, gbp.base_url)]
    return GbpReviews(accounts, tokens, http=http, clock=clock)  # type: ignore[arg-type]


class Practice:
    """The practice with its review inbox wired to the GBP source (like the app)."""

    def __init__(self, clock: ManualClock, gbp: GbpServer, tokens: FixedTokens) -> None:
        self.store = CrashingStore()
        self.clock, self.gbp, self.tokens = clock, gbp, tokens
        self.services: Services = build_services(
            uow=self.store,
            clock=clock,
            secrets=MemorySecrets(),
            database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
            backup_store=None,
            hasher=fast_hasher(),
        )
        self.staff: DemoStaff = create_demo_practice(self.services, with_posts=False)

    def reviews(self) -> ReviewService:
        """A fresh service and source (nothing survives but the store and Google)."""
        practice = self.services.practice
        gbp_source = source(self.gbp, self.tokens, self.clock)
        return ReviewService(
            self.store,
            self.clock,
            rules=lambda: practice.response_rules().value,
            tz=lambda: ZoneInfo(practice.practice().value.timezone),
            reply_targets=lambda: (gbp_source,),
            sources=lambda: (gbp_source,),
        )

    def collect(self, since: datetime | None = None) -> int:
        return self.reviews().collect(source(self.gbp, self.tokens, self.clock), since)

    def approved(self, name: str) -> Review:
        """The stored review ``name`` taken through triage to an approved reply."""
        reviews = self.reviews()
        [review] = [r for r in reviews.list(ReviewQuery(limit=1000))[0] if r.external_id == name]
        assert review.id is not None
        desk, manager = self.staff.front_desk, self.staff.manager
        review = reviews.assess(
            desk,
            review.id,
            review.version,
            Authenticity.LIKELY_REAL,
            ReviewType.PRAISE if (review.rating or 0) >= 4 else ReviewType.FIXABLE_PROBLEM,
            1,
            1,
            Decision.RESPOND,
        )
        review = reviews.save_reply(desk, review.id, review.version, REPLY)  # type: ignore[arg-type]
        review = reviews.submit_reply(desk, review.id, review.version)  # type: ignore[arg-type]
        if review.status is ReviewStatus.AWAITING_APPROVAL:
            review = reviews.approve_reply(manager, review.id, review.version)  # type: ignore[arg-type]
        assert review.status is ReviewStatus.APPROVED
        return review

    def post(self, review: Review) -> Review:
        assert review.id is not None
        current = self.reviews().get(review.id)
        return self.reviews().post_reply(self.staff.front_desk, review.id, current.version)

    def audit(self) -> list[tuple[str, str]]:
        found, _ = self.services.audit.query(self.staff.admin, AuditQuery(limit=10_000))
        return [(e.action, e.detail) for e in reversed(found) if e.action.startswith("review.")]


@pytest.fixture
def practice(clock: ManualClock, gbp: GbpServer, tokens: FixedTokens) -> Practice:
    return Practice(clock, gbp, tokens)


def seed(gbp: GbpServer, count: int, loc: str = MAIN_ST, start: int = 0) -> list[str]:
    """``count`` reviews at ``loc``, one an hour back from NOW (the newest first)."""
    return [
        gbp.add_review(
            loc,
            f"r{n}",
            stars=1 + n % 5,
            comment=f"Visit number {n}: the staff were friendly.",
            author=f"Reviewer {n}",
            created=NOW - timedelta(hours=n + 1),
        )
        for n in range(start, start + count)
    ]


# --- listing ---------------------------------------------------------------------------------
def test_every_page_of_every_location_is_listed_newest_change_first(
    gbp: GbpServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    seed(gbp, 120)
    seed(gbp, 3, OAK_AVE)
    found = source(gbp, tokens, clock).fetch_new(None)
    assert len(found) == 123
    assert len({r.external_id for r in found}) == 123
    lists = gbp.seen("list_reviews")
    assert [(r.path, r.query.get("pageToken")) for r in lists] == [
        (f"/v4/{MAIN_ST}/reviews", None),
        (f"/v4/{MAIN_ST}/reviews", "50"),
        (f"/v4/{MAIN_ST}/reviews", "100"),
        (f"/v4/{OAK_AVE}/reviews", None),
    ]
    assert all(
        (r.query["pageSize"], r.query["orderBy"]) == ("50", "updateTime desc") for r in lists
    )
    assert all(r.authorization == "Bearer gbp-token-1" for r in lists)


def test_a_google_review_becomes_an_inbox_item(
    gbp: GbpServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    created = NOW - timedelta(days=2)
    gbp.add_review(
        MAIN_ST, "a1", stars=4, comment=f"  {PRAISE} ", author="Casey L.", created=created
    )
    gbp.add_review(MAIN_ST, "a2", stars=2, comment=None, created=created)  # stars only
    gbp.add_review(MAIN_ST, "a3", stars=None, comment="Hmm.", anonymous=True, created=created)
    gbp.add_review(MAIN_ST, "a4", stars=None, comment=None, created=created)  # nothing to answer
    found = {r.external_id: r for r in source(gbp, tokens, clock).fetch_new(None)}
    assert set(found) == {f"{MAIN_ST}/reviews/a1", f"{MAIN_ST}/reviews/a2", f"{MAIN_ST}/reviews/a3"}
    one = found[f"{MAIN_ST}/reviews/a1"]
    assert (one.kind, one.source, one.author, one.rating, one.text) == (
        ItemKind.REVIEW,
        Source.GOOGLE,
        "Casey L.",
        4,
        PRAISE,
    )
    assert one.posted_at == created
    assert one.url == REVIEWS_PAGE_URL
    assert (found[f"{MAIN_ST}/reviews/a2"].rating, found[f"{MAIN_ST}/reviews/a2"].text) == (2, "")
    assert found[f"{MAIN_ST}/reviews/a3"].author == ANONYMOUS
    assert found[f"{MAIN_ST}/reviews/a3"].rating is None


def test_collecting_is_incremental_and_never_stores_a_review_twice(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    names = seed(gbp, 120)
    assert practice.collect() == 120
    first_run = len(gbp.seen("list_reviews"))
    assert first_run == 4  # three pages here, one (empty) at the other location
    clock.advance(timedelta(hours=6))
    since = NOW
    gbp.add_review(MAIN_ST, "new1", stars=5, comment=PRAISE, created=clock.now())
    gbp.add_review(  # an old review edited just now: comes again, stays one item
        MAIN_ST,
        "r7",
        stars=2,
        comment="Edited later.",
        created=NOW - timedelta(hours=8),
        updated=clock.now(),
    )
    assert practice.collect(since) == 1
    assert len(gbp.seen("list_reviews")) == first_run + 2  # one page each location
    assert practice.collect(since) == 0  # the same window again: all duplicates
    assert practice.collect(None) == 0  # everything again: still nothing new
    page, total = practice.reviews().list(ReviewQuery(limit=1000))
    assert total == 121
    assert len({r.external_id for r in page}) == 121
    assert f"{MAIN_ST}/reviews/new1" in {r.external_id for r in page}
    assert names[7] in {r.external_id for r in page}
    stars_only = gbp.add_review(MAIN_ST, "s1", stars=1, comment=None, created=clock.now())
    assert practice.collect(since) == 1
    [item] = [
        r
        for r in practice.reviews().list(ReviewQuery(limit=1000))[0]
        if r.external_id == stars_only
    ]
    assert (item.rating, item.text, item.status) == (1, "", ReviewStatus.NEW)
    assert item.due_at is not None


def test_one_location_failing_keeps_the_others_reviews(
    practice: Practice, gbp: GbpServer, tokens: FixedTokens, clock: ManualClock
) -> None:
    seed(gbp, 2)
    seed(gbp, 2, OAK_AVE, start=10)
    gbp.fail("list_reviews", status(403))
    gbp_source = source(gbp, tokens, clock)
    found = gbp_source.fetch_new(None)
    assert {r.external_id.rsplit("/reviews/")[0] for r in found} == {OAK_AVE}
    [failure] = gbp_source.failures
    assert (failure.account_id, failure.code) == (1, "http_403")
    assert "The caller does not have permission" in failure.message
    assert practice.collect() == 4  # next time both come in


@pytest.mark.parametrize(
    ("fault", "code", "error"),
    [
        (status(429, Retry_After="90"), "http_429", TransientPublishError),
        (status(503), "http_503", TransientPublishError),
        (status(500), "http_500", TransientPublishError),
        (TIMEOUT, "timeout", TransientPublishError),
        (status(404), "http_404", PermanentPublishError),
    ],
    ids=["429", "503", "500", "timeout", "404"],
)
def test_when_every_location_fails_collecting_raises_and_stores_nothing(
    practice: Practice, gbp: GbpServer, fault: Fault, code: str, error: type[Exception]
) -> None:
    seed(gbp, 3)
    seed(gbp, 3, OAK_AVE, start=10)
    gbp.fail("list_reviews", fault, fault)
    with pytest.raises(error) as raised:
        practice.collect()
    assert getattr(raised.value, "code", "") == code
    if fault.headers.get("Retry-After"):
        assert getattr(raised.value, "retry_after", None) == 90
    assert practice.reviews().count(ReviewQuery()) == 0
    assert practice.collect() == 6


def test_an_expired_token_is_refreshed_once_while_listing(
    gbp: GbpServer, clock: ManualClock
) -> None:
    seed(gbp, 2)
    tokens = FixedTokens(["expired", "gbp-token-1"])
    assert len(source(gbp, tokens, clock).fetch_new(None)) == 2
    assert tokens.invalidated == 1


def test_a_removed_account_or_another_platform_is_not_listed(
    gbp: GbpServer, tokens: FixedTokens
) -> None:
    seed(gbp, 2)
    gone = Account(
        id=3,
        platform="gbp",
        label="x",
        remote_id=MAIN_ST,
        status=AccountStatus.REMOVED,
        base_url=gbp.base_url,
    )
    other = Account(id=4, platform="facebook", label="y", remote_id="123", base_url=gbp.base_url)
    assert GbpReviews([gone, other], tokens).fetch_new(None) == []  # type: ignore[arg-type]
    assert gbp.requests == []


# --- replying --------------------------------------------------------------------------------
def puts(gbp: GbpServer) -> list[tuple[str, object]]:
    return [(r.path, r.body) for r in gbp.seen("update_reply")]


def test_an_approved_reply_is_posted_with_update_reply_exactly_once(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW - timedelta(hours=3))
    practice.collect()
    review = practice.approved(name)
    assert practice.reviews().detail(review.id).reply_target == "google"  # type: ignore[arg-type]
    clock.advance(timedelta(minutes=5))
    done = practice.post(review)
    assert done.status is ReviewStatus.REPLIED
    assert puts(gbp) == [(f"/v4/{name}/reply", {"comment": REPLY})]
    assert gbp.review(name)["reviewReply"]["comment"] == REPLY
    reply = practice.reviews().detail(review.id).reply  # type: ignore[arg-type]
    assert reply is not None
    assert reply.remote_state is RemoteState.POSTED
    assert reply.remote_updated_at == clock.now()
    assert (reply.posted_by, reply.posted_at) == (practice.staff.front_desk.id, clock.now())
    assert (reply.remote_error_code, reply.remote_error) == ("", "")
    with pytest.raises(ValidationError):
        practice.post(done)
    assert len(puts(gbp)) == 1
    trail = practice.audit()
    assert ("review.reply_post", "sending to google") in trail
    assert ("review.replied", "posted to google") in trail
    assert not any(REPLY in detail or PRAISE in detail for _, detail in trail)


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        (status(403), "http_403", "The caller does not have permission"),
        (status(404), "http_404", "Requested entity was not found."),
        (status(429, Retry_After="60"), "http_429", "slow down"),
        (status(500), "http_500", "trouble"),
        (status(503), "http_503", "The service is currently unavailable."),
    ],
    ids=["403", "404", "429", "500", "503"],
)
def test_a_refused_reply_stays_approved_with_googles_reason_and_can_be_posted_again(
    practice: Practice, gbp: GbpServer, fault: Fault, code: str, words: str
) -> None:
    name = gbp.add_review(MAIN_ST, "p1", stars=1, comment="Waited an hour.", created=NOW)
    practice.collect()
    review = practice.approved(name)
    gbp.fail("update_reply", fault)
    after = practice.post(review)
    assert after.status is ReviewStatus.APPROVED
    reply = practice.reviews().detail(review.id).reply  # type: ignore[arg-type]
    assert reply is not None
    assert (reply.remote_state, reply.remote_error_code) == (RemoteState.FAILED, code)
    assert words in reply.remote_error
    assert REPLY not in reply.remote_error
    assert "reviewReply" not in gbp.review(name)
    assert practice.post(after).status is ReviewStatus.REPLIED
    assert [op for op in (r.operation for r in gbp.requests) if op != "list_reviews"] == [
        "update_reply",
        "update_reply",
    ]
    assert gbp.review(name)["reviewReply"]["comment"] == REPLY


@pytest.mark.parametrize("fault", [TIMEOUT, DROP], ids=["timeout", "dropped"])
def test_no_answer_after_google_stored_the_reply_is_reconciled_not_sent_again(
    practice: Practice, gbp: GbpServer, fault: Fault
) -> None:
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    review = practice.approved(name)
    gbp.fail("update_reply", fault)
    after = practice.post(review)
    reply = practice.reviews().detail(review.id).reply  # type: ignore[arg-type]
    assert reply is not None
    assert reply.remote_state is RemoteState.UNCERTAIN
    assert after.status is ReviewStatus.APPROVED
    assert practice.post(after).status is ReviewStatus.REPLIED
    assert len(puts(gbp)) == 1
    assert [r.operation for r in gbp.requests][-2:] == ["update_reply", "get_review"]
    reply = practice.reviews().detail(review.id).reply  # type: ignore[arg-type]
    assert reply is not None
    assert reply.remote_state is RemoteState.POSTED


def test_a_crash_between_googles_answer_and_the_record_is_reconciled(
    practice: Practice, gbp: GbpServer
) -> None:
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    review = practice.approved(name)
    service = practice.reviews()
    real_update = GbpReviews.update_reply

    def update_then_die(self: GbpReviews, review_name: str, comment: str) -> object:
        answer = real_update(self, review_name, comment)
        practice.store.crash_next = True
        return answer

    GbpReviews.update_reply = update_then_die  # type: ignore[assignment,method-assign]
    try:
        with pytest.raises(Crash):
            service.post_reply(practice.staff.front_desk, review.id, review.version)  # type: ignore[arg-type]
    finally:
        GbpReviews.update_reply = real_update  # type: ignore[method-assign]
    reply = practice.reviews().detail(review.id).reply  # type: ignore[arg-type]
    assert reply is not None
    assert reply.remote_state is RemoteState.SENDING
    assert practice.post(review).status is ReviewStatus.REPLIED
    assert len(puts(gbp)) == 1


def test_after_an_uncertain_attempt_that_did_not_arrive_it_is_sent_once_more(
    practice: Practice, gbp: GbpServer
) -> None:
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    review = practice.approved(name)
    gbp.fail("update_reply", status(504))  # a gateway gave up; Google has nothing
    after = practice.post(review)
    reply = practice.reviews().detail(review.id).reply  # type: ignore[arg-type]
    assert reply is not None
    assert reply.remote_state is RemoteState.UNCERTAIN
    assert practice.post(after).status is ReviewStatus.REPLIED
    ops = [r.operation for r in gbp.requests if r.operation != "list_reviews"]
    assert ops == ["update_reply", "get_review", "update_reply"]


def test_a_revoked_token_records_reconnect_and_sends_nothing_more(
    clock: ManualClock, gbp: GbpServer
) -> None:
    tokens = FixedTokens(["gbp-token-1"])
    practice = Practice(clock, gbp, tokens)
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    review = practice.approved(name)
    gbp.token = "rotated-elsewhere"
    after = practice.post(review)
    reply = practice.reviews().detail(review.id).reply  # type: ignore[arg-type]
    assert reply is not None
    assert (reply.remote_state, reply.remote_error_code) == (RemoteState.FAILED, "token_revoked")
    assert "reconnect" in reply.remote_error.lower()
    assert after.status is ReviewStatus.APPROVED
    assert tokens.reconnects == 1


def test_two_workstations_posting_at_once_send_one_reply(
    practice: Practice, gbp: GbpServer
) -> None:
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    review = practice.approved(name)
    assert review.id is not None
    first, second = practice.reviews(), practice.reviews()
    first.post_reply(practice.staff.front_desk, review.id, review.version)
    with pytest.raises(EditConflict):
        second.post_reply(practice.staff.manager, review.id, review.version)
    assert len(puts(gbp)) == 1


def test_a_review_not_from_a_connected_location_is_posted_by_hand(
    practice: Practice, gbp: GbpServer
) -> None:
    reviews = practice.reviews()
    typed = reviews.add_one(
        practice.staff.front_desk,
        Review(
            id=None,
            kind=ItemKind.REVIEW,
            source=Source.GOOGLE,
            external_id="accounts/999/locations/1/reviews/zz",
            author="Sam",
            rating=5,
            posted_at=NOW,
            text=PRAISE,
            url="",
            content_hash="",
            collected_at=NOW,
        ),
    )
    assert typed.external_id
    review = practice.approved(typed.external_id)
    assert reviews.detail(review.id).reply_target == ""  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as raised:
        practice.post(review)
    assert raised.value.params.get("reason") == "not_connected"
    assert gbp.requests == []


def test_a_reply_that_is_not_approved_is_not_posted(practice: Practice, gbp: GbpServer) -> None:
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    [review] = practice.reviews().list(ReviewQuery())[0]
    with pytest.raises(ValidationError):
        practice.post(review)
    assert puts(gbp) == []
    assert name


# --- collected with every feed poll, and wired into the app ----------------------------------
def test_each_poll_collects_what_changed_since_the_last_good_one(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    seed(gbp, 60)
    result = practice.reviews().poll_feeds(lambda url: b"")
    assert (result.feeds, result.new_mentions, result.new_reviews) == (0, 0, 60)
    assert len(gbp.seen("list_reviews")) == 3  # two pages here, one at the other location
    clock.advance(timedelta(hours=1))
    gbp.add_review(MAIN_ST, "n1", stars=4, comment=PRAISE, created=clock.now())
    gbp.fail("list_reviews", status(503), status(503))  # Google is down: nothing moves on
    assert practice.reviews().collect_connected() == 0
    clock.advance(timedelta(hours=1))
    before = len(gbp.seen("list_reviews"))
    assert practice.reviews().collect_connected() == 1
    assert len(gbp.seen("list_reviews")) == before + 2  # one page each: from the last good poll
    assert practice.reviews().collect_connected() == 0


def test_the_app_posts_replies_for_the_connected_locations_only(
    clock: ManualClock, gbp: GbpServer
) -> None:
    practice = Practice(clock, gbp, FixedTokens(["gbp-token-1"]))
    services = practice.services
    name = gbp.add_review(MAIN_ST, "p1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    [review] = services.reviews.list(ReviewQuery())[0]
    assert review.id is not None
    assert services.reviews.detail(review.id).reply_target == ""  # nothing connected yet
    with practice.store() as tx:
        tx.accounts.add(location(0, MAIN_ST, gbp.base_url))
    assert services.reviews.detail(review.id).reply_target == "google"
    assert name == review.external_id

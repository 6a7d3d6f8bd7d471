"""What Google shows besides new reviews, collected into the real ``ReviewService`` over the
in-memory store from a local GBP API: reviews already answered on Google come in replied (no
due time, nothing overdue, nothing on Today); a reply made on Google later closes an open item
(and confirms an unanswered attempt of ours); a review the reviewer edited takes in its new
words and stars, recomputes sentiment, themes and the due time, and is flagged when it changed
after the reply; a location that cannot be read is remembered with its code, surfaces on Today
and is collected from where it left off once it works again."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.clock import ManualClock
from core.reviews.model import RemoteState, Review, ReviewStatus, Sentiment
from core.reviews.ports import ReviewQuery
from core.reviews.service import STUCK_AFTER_HOURS, ReviewService
from core.reviews.today import review_items, source_items
from core.staff.model import Permission
from core.today.model import Severity
from tests.connectors import test_gbp_reviews as base
from tests.connectors.outbox_harness import FixedTokens
from tests.connectors.servers.gbp import DROP, GbpServer, status
from tests.connectors.test_gbp_reviews import (
    MAIN_ST,
    NOW,
    OAK_AVE,
    PRAISE,
    REPLY,
    Practice,
    puts,
    seed,
)

# The fixtures of the first round's tests (a local GBP API, the practice over it), shared.
http_server, clock, gbp, tokens, practice = (
    base.http_server,
    base.clock,
    base.gbp,
    base.tokens,
    base.practice,
)

OWNER_REPLY = "Thank you for the kind words! We look forward to seeing you again."
COMPLAINT = "Waited over an hour past my appointment and nobody said sorry. Rude front desk."


def stored(reviews: ReviewService, name: str) -> Review:
    [review] = [r for r in reviews.list(ReviewQuery(limit=10_000))[0] if r.external_id == name]
    return review


def events(reviews: ReviewService, review: Review) -> list[tuple[str, str, int | None]]:
    assert review.id is not None
    return [(e.action, e.detail, e.actor_id) for e in reviews.detail(review.id).history]


# --- reviews answered on Google --------------------------------------------------------------
def test_reviews_already_answered_on_google_come_in_replied_and_never_overdue(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    old = NOW - timedelta(days=40)
    answered_at = old + timedelta(days=1)
    answered = [
        gbp.add_review(
            MAIN_ST,
            f"old{n}",
            stars=5,
            comment=PRAISE,
            author=f"Reviewer {n}",
            created=old - timedelta(hours=n),
            updated=answered_at,
            reply=OWNER_REPLY,
        )
        for n in range(30)
    ]
    open_one = gbp.add_review(MAIN_ST, "open1", stars=2, comment=COMPLAINT, created=old)
    reviews = practice.reviews()
    assert reviews.collect_connected() == 31
    for name in answered[:3]:
        review = stored(reviews, name)
        assert (review.status, review.due_at) == (ReviewStatus.REPLIED, None)
        reply = reviews.detail(review.id or 0).reply
        assert reply is not None
        assert (reply.text, reply.written_by, reply.posted_by, reply.approved_by) == (
            OWNER_REPLY,
            None,
            None,
            None,
        )
        assert (reply.remote_state, reply.remote_updated_at, reply.posted_at) == (
            RemoteState.POSTED,
            answered_at,
            answered_at,
        )
        assert events(reviews, review) == [
            ("review.replied", "replied on google before it was collected", None)
        ]
    overdue_later = ReviewQuery(overdue=True, now=NOW + timedelta(days=30))
    assert [r.external_id for r in reviews.list(overdue_later)[0]] == [open_one]
    clock.advance(timedelta(days=30))
    items = review_items(reviews, clock.now())
    overdue = next(i for i in items if i.kind == "review_overdue")
    assert overdue.params["count"] == 1
    assert reviews.count(ReviewQuery(statuses=(ReviewStatus.REPLIED,))) == 30
    measures = reviews.measures(months=4)
    assert (measures.reviews, measures.replied) == (31, 30)
    # Response time from the review's posting (it was answered before it was collected).
    assert measures.median_response_hours == 24 + 14.5  # a day after each, posted 0–29 h apart
    trail = practice.audit()
    assert ("review.collect", "31 added (30 replied on google), 0 changed, from google") in trail
    assert not any(OWNER_REPLY in detail or PRAISE in detail for _, detail in trail)


def test_an_open_review_answered_on_google_later_is_closed_with_that_reply(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    name = gbp.add_review(MAIN_ST, "d1", stars=5, comment=PRAISE, created=NOW)
    plain = gbp.add_review(MAIN_ST, "d2", stars=4, comment="Nice and clean.", created=NOW)
    reviews = practice.reviews()
    reviews.collect_connected()
    review = stored(reviews, name)
    desk = practice.staff.front_desk
    review = reviews.save_reply(desk, review.id or 0, review.version, "A draft of ours.")
    clock.advance(timedelta(hours=2))
    gbp.add_review(
        MAIN_ST, "d1", stars=5, comment=PRAISE, created=NOW, updated=clock.now(), reply=OWNER_REPLY
    )
    gbp.add_review(
        MAIN_ST, "d2", stars=4, comment="Nice and clean.", created=NOW, updated=clock.now(),
        reply=OWNER_REPLY,
    )  # fmt: skip
    assert reviews.collect_connected() == 2
    after = stored(reviews, name)
    assert (after.status, after.due_at) == (ReviewStatus.REPLIED, None)
    reply = reviews.detail(after.id or 0).reply
    assert reply is not None
    assert (reply.text, reply.written_by, reply.remote_updated_at) == (
        OWNER_REPLY,
        None,
        clock.now(),
    )
    assert events(reviews, after)[-1] == (
        "review.replied",
        "replied on google; the draft of 16 chars was replaced",
        None,
    )
    assert stored(reviews, plain).status is ReviewStatus.REPLIED
    assert reviews.collect_connected() == 0  # the same again: nothing changes
    assert puts(gbp) == []


def test_a_reply_of_ours_that_went_unanswered_is_confirmed_by_the_next_collection(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    name = gbp.add_review(MAIN_ST, "u1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    review = practice.approved(name)
    gbp.fail("update_reply", DROP)  # Google stored it, the answer was lost
    assert practice.post(review).status is ReviewStatus.APPROVED
    clock.advance(timedelta(minutes=30))
    reviews = practice.reviews()
    assert reviews.collect_connected() == 1
    after = stored(reviews, name)
    assert after.status is ReviewStatus.REPLIED
    reply = reviews.detail(after.id or 0).reply
    assert reply is not None
    assert (reply.text, reply.written_by, reply.remote_state) == (
        REPLY,
        practice.staff.front_desk.id,
        RemoteState.POSTED,
    )
    assert (reply.remote_error_code, reply.remote_error) == ("", "")
    assert reply.remote_updated_at == NOW  # the server's clock when it stored it
    assert events(reviews, after)[-1] == ("review.replied", "reply found on google", None)
    assert len(puts(gbp)) == 1


def test_a_reply_changed_on_google_replaces_the_words_kept(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    name = gbp.add_review(MAIN_ST, "c1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    practice.post(practice.approved(name))
    clock.advance(timedelta(days=1))
    gbp.add_review(
        MAIN_ST, "c1", stars=5, comment=PRAISE, created=NOW, updated=clock.now(), reply=OWNER_REPLY
    )
    reviews = practice.reviews()
    assert reviews.collect_connected() == 1
    review = stored(reviews, name)
    reply = reviews.detail(review.id or 0).reply
    assert reply is not None
    assert (reply.text, reply.written_by) == (OWNER_REPLY, practice.staff.front_desk.id)
    assert events(reviews, review)[-1] == ("review.reply_edited", "reply changed on google", None)


# --- reviews edited on Google ----------------------------------------------------------------
def test_an_edited_review_takes_in_its_new_words_and_stars(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    name = gbp.add_review(MAIN_ST, "e1", stars=5, comment=PRAISE, created=NOW)
    reviews = practice.reviews()
    reviews.collect_connected()
    before = stored(reviews, name)
    assert before.sentiment is Sentiment.POSITIVE
    clock.advance(timedelta(hours=3))
    gbp.add_review(MAIN_ST, "e1", stars=1, comment=COMPLAINT, created=NOW, updated=clock.now())
    assert reviews.collect_connected() == 1
    after = stored(reviews, name)
    assert (after.id, after.text, after.rating, after.status) == (
        before.id,
        COMPLAINT,
        1,
        ReviewStatus.NEW,
    )
    assert (after.author, after.posted_at, after.content_hash) == (
        before.author,
        before.posted_at,
        before.content_hash,
    )
    assert after.sentiment is Sentiment.NEGATIVE
    assert after.sentiment_score < 0 < before.sentiment_score
    assert "wait_time" in after.themes
    assert "wait_time" not in before.themes
    # Negative: due one business day after the practice had it (was three for praise).
    assert after.due_at is not None
    assert before.due_at is not None
    assert after.due_at < before.due_at
    edit = ("review.edited", "edited on google: words, stars 5 to 1", None)
    assert events(reviews, after)[-1] == edit
    assert reviews.count(ReviewQuery(text="nobody said sorry")) == 1
    assert reviews.count(ReviewQuery()) == 1
    assert reviews.collect_connected() == 0


def test_a_review_edited_after_the_reply_is_flagged_until_the_reply_changes(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    name = gbp.add_review(MAIN_ST, "f1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    practice.post(practice.approved(name))
    reviews = practice.reviews()
    replied = stored(reviews, name)
    assert reviews.detail(replied.id or 0).changed_after_reply is None
    clock.advance(timedelta(days=2))
    gbp.add_review(
        MAIN_ST, "f1", stars=3, comment=COMPLAINT, created=NOW, updated=clock.now(), reply=REPLY
    )
    assert reviews.collect_connected() == 1
    edited = stored(reviews, name)
    assert (edited.status, edited.due_at, edited.rating) == (ReviewStatus.REPLIED, None, 3)
    detail = reviews.detail(edited.id or 0)
    assert detail.changed_after_reply == clock.now()
    assert detail.history[-1].detail == "edited on google: words, stars 5 to 3; after the reply"
    assert review_items(reviews, clock.now()) == []  # replied: nothing due, nothing on Today
    clock.advance(timedelta(hours=1))
    gbp.add_review(
        MAIN_ST,
        "f1",
        stars=3,
        comment=COMPLAINT,
        created=NOW,
        updated=clock.now(),
        reply="We are sorry about the wait. Please call our office manager.",
    )
    assert reviews.collect_connected() == 1
    assert reviews.detail(edited.id or 0).changed_after_reply is None


def test_an_approved_reply_to_a_review_turned_negative_waits_for_an_approver(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    name = gbp.add_review(MAIN_ST, "g1", stars=5, comment=PRAISE, created=NOW)
    practice.collect()
    review = practice.approved(name)
    reviews = practice.reviews()
    reply = reviews.detail(review.id or 0).reply
    assert reply is not None
    assert reply.approved_by is None  # praise: no approver needed
    clock.advance(timedelta(hours=1))
    gbp.add_review(MAIN_ST, "g1", stars=1, comment=COMPLAINT, created=NOW, updated=clock.now())
    reviews.collect_connected()
    after = stored(reviews, name)
    assert after.status is ReviewStatus.AWAITING_APPROVAL
    assert after.due_at is not None
    assert events(reviews, after)[-1][1].endswith("; to awaiting_approval")
    approved = reviews.approve_reply(practice.staff.manager, after.id or 0, after.version)
    assert approved.status is ReviewStatus.APPROVED


# --- locations that cannot be read -----------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "code", "target", "severity"),
    [
        (status(403), "http_403", "review_sources", Severity.WARNING),
        (status(404), "http_404", "review_sources", Severity.WARNING),
    ],
    ids=["403", "404"],
)
def test_a_location_that_cannot_be_read_is_on_today_until_it_works_again(
    practice: Practice,
    gbp: GbpServer,
    clock: ManualClock,
    fault: object,
    code: str,
    target: str,
    severity: Severity,
) -> None:
    seed(gbp, 2)
    seed(gbp, 2, OAK_AVE, start=10)
    gbp.fail("list_reviews", fault)  # type: ignore[arg-type]
    reviews = practice.reviews()
    assert reviews.collect_connected() == 2  # the other location's
    [failure] = reviews.source_failures()
    assert (failure.source, failure.key, failure.account_id, failure.label) == (
        "google",
        "1",
        1,
        "Location 1",
    )
    assert (failure.code, failure.permanent, failure.since) == (code, True, NOW)
    [item] = source_items(reviews.source_failures(), clock.now())
    assert (item.kind, item.page, item.target, item.severity) == (
        "review_source_failed",
        "settings",
        target,
        severity,
    )
    assert item.permission is Permission.EDIT_SETTINGS
    assert item.params == {
        "source": "google",
        "account_id": 1,
        "label": "Location 1",
        "code": code,
        "since": NOW.isoformat(),
    }
    clock.advance(timedelta(hours=1))
    assert reviews.collect_connected() == 2  # now both: the first location's too
    assert reviews.source_failures() == []
    assert reviews.count(ReviewQuery()) == 4


def test_a_revoked_sign_in_asks_to_reconnect(
    clock: ManualClock, gbp: GbpServer, tokens: FixedTokens
) -> None:
    practice = Practice(clock, gbp, FixedTokens(["gbp-token-1"]))
    seed(gbp, 1)
    gbp.token = "rotated-elsewhere"  # Google refuses the token (401), the refresh too
    reviews = practice.reviews()
    assert reviews.collect_connected() == 0
    failures = reviews.source_failures()
    assert [(f.account_id, f.code, f.permanent) for f in failures] == [
        (1, "token_revoked", True),
        (2, "token_revoked", True),
    ]
    items = source_items(failures, clock.now())
    assert [(i.target, i.severity, i.params["code"]) for i in items] == [
        ("accounts", Severity.CRITICAL, "token_revoked"),
        ("accounts", Severity.CRITICAL, "token_revoked"),
    ]


def test_a_passing_outage_shows_on_today_only_after_a_day_and_keeps_its_start(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    seed(gbp, 1, OAK_AVE)
    gbp.fail("list_reviews", status(503))  # the first location (asked first)
    reviews = practice.reviews()
    reviews.collect_connected()
    [failure] = reviews.source_failures()
    assert (failure.code, failure.permanent) == ("http_503", False)
    assert source_items(reviews.source_failures(), clock.now()) == []
    clock.advance(timedelta(hours=STUCK_AFTER_HOURS))
    gbp.fail("list_reviews", status(503))
    reviews.collect_connected()
    [failure] = reviews.source_failures()
    assert (failure.since, failure.last) == (NOW, clock.now())
    [item] = source_items(reviews.source_failures(), clock.now())
    assert (item.target, item.params["code"]) == ("review_sources", "http_503")


def test_a_location_collected_again_after_an_outage_misses_nothing(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    reviews = practice.reviews()
    reviews.collect_connected()
    clock.advance(timedelta(hours=1))
    during = gbp.add_review(MAIN_ST, "x1", stars=4, comment=PRAISE, created=clock.now())
    gbp.add_review(OAK_AVE, "y1", stars=4, comment="Kind staff.", created=clock.now())
    gbp.fail("list_reviews", status(503))  # the first location fails, the second moves on
    assert reviews.collect_connected() == 1
    clock.advance(timedelta(days=2))
    lists_before = len(gbp.seen("list_reviews"))
    assert reviews.collect_connected() == 1
    assert stored(reviews, during).text == PRAISE
    # The first location asked from its own last good collection (NOW), the other from later.
    new_lists = gbp.seen("list_reviews")[lists_before:]
    assert [r.path for r in new_lists] == [f"/v4/{MAIN_ST}/reviews", f"/v4/{OAK_AVE}/reviews"]


def test_a_removed_location_leaves_no_failure_behind(
    practice: Practice, gbp: GbpServer, clock: ManualClock
) -> None:
    gbp.fail("list_reviews", status(404))
    practice.reviews().collect_connected()
    assert [f.key for f in practice.reviews().source_failures()] == ["1"]
    nothing = ReviewService(
        practice.store,
        clock,
        rules=lambda: practice.services.practice.response_rules().value,
        tz=lambda: ZoneInfo("UTC"),
    )
    nothing.collect_connected()
    assert nothing.source_failures() == []

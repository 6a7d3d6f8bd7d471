"""The reply editor's "Post to Google" for an approved reply to a review from a connected
Google location, against a local GBP API: hidden for other reviews; a refusal shows Google's
reason and leaves it approved; an unanswered attempt turns the button into "Check and post";
posted shows who and when, with one reply on Google. It is the main action there, "Copy and
open" a secondary one (the main one elsewhere). A review answered on Google itself shows that
reply, and says so when the reviewer changed it afterwards. A location that cannot be read is
worded on Today and listed in Settings → Review sources."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from core.accounts.model import Account
from core.clock import ManualClock
from core.connectors.gbp_reviews import GbpReviews
from core.connectors.http import HttpClient
from core.reviews.model import ItemKind, RemoteState, Review, ReviewStatus, Source
from core.reviews.ports import CollectedReview, RemoteReply, ReviewQuery
from core.today.model import AttentionItem, Severity
from gui.hub import SignalHub
from gui.reviews.page import ReviewsPage
from gui.settings.page import SettingsPage
from gui.settings.review_sources import ReviewSourcesSection
from gui.tasks import TaskRunner
from gui.today.wording import WordingContext, word
from tests.connectors.outbox_harness import FixedTokens
from tests.connectors.servers.gbp import DROP, GbpServer, status
from tests.gui.page_env import PageEnv, open_section
from tests.gui.reviews_inbox_env import InboxEnv, make_inbox, open_review

LOCATION = "accounts/108/locations/2207"
SAFE = (
    "Thank you for your feedback. We hold every patient visit to a high standard. "
    "Please call our office manager so we can talk."
)


@pytest.fixture
def gbp() -> Iterator[GbpServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield GbpServer(server, late=1.0)
    server.clear()
    server.stop()


@pytest.fixture
def inbox(
    qtbot: QtBot,
    clock: ManualClock,
    hub: SignalHub,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
    gbp: GbpServer,
) -> Iterator[InboxEnv]:
    account = Account(id=1, platform="gbp", label="Main St", remote_id=LOCATION)
    tokens = FixedTokens(["gbp-token-1"])

    def http(acct: Account) -> HttpClient:
        return HttpClient(gbp.base_url, tokens, account=acct, name="Google", timeout=(2.0, 0.4))  # type: ignore[arg-type]

    google = GbpReviews([account], tokens, http=http)  # type: ignore[arg-type]
    steps = make_inbox(qtbot, clock, hub, runner, monkeypatch)
    env = next(steps)
    monkeypatch.setattr(env.env.services.reviews, "_reply_targets", lambda: (google,))
    yield env
    with contextlib.suppress(StopIteration):
        next(steps)


def google_review(inbox: InboxEnv, gbp: GbpServer) -> Review:
    name = gbp.add_review(LOCATION, "g1", stars=5, comment="Spotless office, kind staff.")
    env = inbox.env
    return env.services.reviews.add_one(
        env.staff.front_desk,
        Review(
            id=None,
            kind=ItemKind.REVIEW,
            source=Source.GOOGLE,
            external_id=name,
            author="Casey L.",
            rating=5,
            posted_at=env.clock.now(),
            text="Spotless office, kind staff.",
            url="https://business.google.com/reviews",
            content_hash="",
            collected_at=env.clock.now(),
        ),
    )


def approve(qtbot: QtBot, page: ReviewsPage, review: Review) -> None:
    open_review(qtbot, page, review)
    editor = page.reply
    editor.text.setPlainText(SAFE)
    qtbot.waitUntil(editor.submit_button.isEnabled, timeout=5000)
    editor.submit_button.click()
    qtbot.waitUntil(
        lambda: (
            page.detail is not None
            and page.detail.review.status is ReviewStatus.APPROVED
            and not page.reply.post_button.isHidden()
        ),
        timeout=5000,
    )


def test_post_to_google_shows_refusals_and_then_posts_once(
    qtbot: QtBot, inbox: InboxEnv, gbp: GbpServer
) -> None:
    page, editor = inbox.page, inbox.page.reply
    review = google_review(inbox, gbp)
    approve(qtbot, page, review)
    assert editor.post_button.text() == "Post to Google"
    assert "post it to Google here" in editor.banner.text_label.text()
    gbp.fail("update_reply", status(403))
    editor.post_button.click()
    qtbot.waitUntil(
        lambda: "did not take the reply" in editor.banner.text_label.text(), timeout=5000
    )
    assert "The caller does not have permission" in editor.banner.text_label.text()
    assert page.detail is not None
    assert page.detail.review.status is ReviewStatus.APPROVED
    gbp.fail("update_reply", DROP)
    editor.post_button.click()
    qtbot.waitUntil(lambda: editor.post_button.text() == "Check and post to Google", timeout=5000)
    assert "did not answer" in editor.banner.text_label.text()
    editor.post_button.click()
    qtbot.waitUntil(lambda: "Posted to Google by" in editor.banner.text_label.text(), timeout=5000)
    assert editor.post_button.isHidden()
    assert gbp.review(review.external_id)["reviewReply"]["comment"] == SAFE
    assert len(gbp.seen("update_reply")) == 2  # the refused one and the dropped one
    assert [r.operation for r in gbp.requests][-1] == "get_review"
    reply = inbox.env.services.reviews.detail(review.id or 0).reply
    assert reply is not None
    assert reply.remote_state is RemoteState.POSTED


def test_a_review_from_elsewhere_has_no_post_button(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    approve_page = page.reply
    open_review(qtbot, page, inbox.positive)
    approve_page.text.setPlainText(SAFE)
    qtbot.waitUntil(approve_page.submit_button.isEnabled, timeout=5000)
    approve_page.submit_button.click()
    qtbot.waitUntil(lambda: not approve_page.copy_button.isHidden(), timeout=5000)
    assert approve_page.post_button.isHidden()
    assert "copy it, paste it" in approve_page.banner.text_label.text()
    assert approve_page.copy_button.property("kind") == "primary"


def test_post_to_google_is_the_main_action_and_copy_a_secondary_one(
    qtbot: QtBot, inbox: InboxEnv, gbp: GbpServer
) -> None:
    page, editor = inbox.page, inbox.page.reply
    approve(qtbot, page, google_review(inbox, gbp))
    assert (editor.post_button.property("kind"), editor.copy_button.property("kind")) == (
        "primary",
        "default",
    )
    assert not editor.copy_button.isHidden()
    open_review(qtbot, page, inbox.positive)  # not from a connected location
    editor.text.setPlainText(SAFE)
    qtbot.waitUntil(editor.submit_button.isEnabled, timeout=5000)
    editor.submit_button.click()
    qtbot.waitUntil(lambda: not editor.copy_button.isHidden(), timeout=5000)
    assert editor.post_button.isHidden()
    assert editor.copy_button.property("kind") == "primary"


OWNER_REPLY = "Thank you for the kind words! We look forward to seeing you again."


def test_a_review_answered_on_google_shows_that_reply_and_a_later_edit(
    qtbot: QtBot, inbox: InboxEnv
) -> None:
    env, page, editor = inbox.env, inbox.page, inbox.page.reply
    reviews = env.services.reviews
    posted = env.clock.now() - timedelta(days=20)
    answered = posted + timedelta(days=1)
    item = Review(
        id=None,
        kind=ItemKind.REVIEW,
        source=Source.GOOGLE,
        external_id=f"{LOCATION}/reviews/old1",
        author="Robin K.",
        rating=5,
        posted_at=posted,
        text="Gentle cleaning and a spotless office.",
        url="https://business.google.com/reviews",
        content_hash="",
        collected_at=env.clock.now(),
    )
    remote = RemoteReply(OWNER_REPLY, answered)
    assert reviews.store_collected("google", [CollectedReview(item, answered, remote)]) == 1
    [stored] = [
        r for r in reviews.list(ReviewQuery(limit=1000))[0] if r.external_id == item.external_id
    ]
    assert (stored.status, stored.due_at) == (ReviewStatus.REPLIED, None)
    open_review(qtbot, page, stored)
    banner = editor.banner.text_label
    qtbot.waitUntil(lambda: "Answered on Google itself" in banner.text(), timeout=5000)
    assert editor.text.toPlainText() == OWNER_REPLY
    assert editor.text.isReadOnly()
    assert editor.post_button.isHidden()
    assert editor.copy_button.isHidden()
    assert editor.banner.property("tone") == "success"
    env.clock.advance(timedelta(hours=2))
    edited = replace(item, rating=2, text="Waited an hour past my appointment.")
    assert reviews.store_collected("google", [CollectedReview(edited, env.clock.now(), remote)])
    page.show_target(f"review:{stored.id}")
    qtbot.waitUntil(lambda: "after this reply" in banner.text(), timeout=5000)
    assert "The reviewer changed the review on" in banner.text()
    assert editor.banner.property("tone") == "warning"
    assert page.detail is not None
    assert page.detail.review.text == "Waited an hour past my appointment."


TODAY = WordingContext(datetime(2026, 11, 3, 15, 0, tzinfo=UTC), ZoneInfo("America/Chicago"))


def failed_item(code: str, **params: Any) -> AttentionItem:
    return AttentionItem(
        "review.source_failed.google.1",
        "review_source_failed",
        Severity.WARNING,
        "settings",
        params={
            "source": "google",
            "account_id": 1,
            "label": "Maple Grove – Main St",
            "code": code,
            "since": datetime(2026, 11, 1, 15, 0, tzinfo=UTC).isoformat(),
            **params,
        },
    )


@pytest.mark.parametrize(
    ("code", "words", "action"),
    [
        ("token_revoked", "Reconnect it in Settings → Accounts", "Reconnect"),
        ("http_401", "no longer accepts the app's sign-in", "Reconnect"),
        ("http_403", "may no longer manage this location", "See review sources"),
        ("http_404", "cannot find this location any more", "See review sources"),
        ("http_503", "has not answered the app's requests for a day", "See review sources"),
    ],
)
def test_today_says_why_a_locations_reviews_do_not_come_in(
    code: str, words: str, action: str
) -> None:
    wording = word(failed_item(code), TODAY)
    assert (
        wording.title == "Reviews of the Google location “Maple Grove – Main St” are not coming in"
    )
    assert words in wording.detail
    assert wording.detail.endswith("This began 2 days ago.")
    assert wording.action == action


def test_review_sources_lists_a_location_that_cannot_be_read(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    gbp: GbpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = Account(id=1, platform="gbp", label="Main St", remote_id=LOCATION)
    tokens = FixedTokens(["gbp-token-1"])

    def http(acct: Account) -> HttpClient:
        return HttpClient(gbp.base_url, tokens, account=acct, name="Google", timeout=(2.0, 0.4))  # type: ignore[arg-type]

    google = GbpReviews([account], tokens, http=http)  # type: ignore[arg-type]
    monkeypatch.setattr(env.services.reviews, "_sources", lambda: (google,))
    gbp.fail("list_reviews", status(404))
    env.services.reviews.collect_connected()
    page.set_user(env.staff.admin)
    section = open_section(qtbot, page, "review_sources", ReviewSourcesSection)
    qtbot.waitUntil(lambda: not section.places_card.isHidden(), timeout=5000)
    text = section.places_text.text()
    assert text.startswith("“Main St”: Google cannot find it any more")
    assert "Since " in text
    env.services.reviews.collect_connected()  # Google finds it again
    section.refresh(force=True)
    qtbot.waitUntil(section.places_card.isHidden, timeout=5000)

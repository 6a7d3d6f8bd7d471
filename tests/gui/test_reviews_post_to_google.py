"""The reply editor's "Post to Google" for an approved reply to a review from a connected
Google location, against a local GBP API: hidden for other reviews; a refusal shows Google's
reason and leaves it approved; an unanswered attempt turns the button into "Check and post";
posted shows who and when, with one reply on Google."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from core.accounts.model import Account
from core.clock import ManualClock
from core.connectors.gbp_reviews import GbpReviews
from core.connectors.http import HttpClient
from core.reviews.model import ItemKind, RemoteState, Review, ReviewStatus, Source
from gui.hub import SignalHub
from gui.reviews.page import ReviewsPage
from gui.tasks import TaskRunner
from tests.connectors.outbox_harness import FixedTokens
from tests.connectors.servers.gbp import DROP, GbpServer, status
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

"""Today's review items: counts for the whole inbox (overdue, due soon, replies to approve,
waiting for the doctor), worded without review text or names, and their actions jumping to
the Reviews page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from core.reviews.model import ItemKind, Review, Source
from core.today.model import AttentionItem, Severity
from gui.hub import SignalHub
from gui.tasks import TaskRunner
from gui.today.page import TodayPage
from gui.today.wording import WordingContext, local_text, word
from tests.gui.page_env import PageEnv

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # 9:00 on Monday in Chicago
CTX = WordingContext(NOW, CHICAGO)


def item(kind: str, severity: Severity = Severity.WARNING, **params: Any) -> AttentionItem:
    return AttentionItem(f"review.{kind}", kind, severity, "reviews", params=params)


def test_overdue_reviews_are_counted_with_the_oldest() -> None:
    one = word(
        item("review_overdue", count=1, oldest_due=(NOW - timedelta(hours=5)).isoformat()), CTX
    )
    assert one.title == "A review is past its reply time"
    assert one.detail == ("It was due 5 hours ago. Answer it, or decide not to and write down why.")
    assert one.action == "Show overdue reviews"
    many = word(
        item("review_overdue", count=12, oldest_due=(NOW - timedelta(days=3)).isoformat()), CTX
    )
    assert many.title == "12 reviews are past their reply time"
    assert many.detail.startswith("The oldest was due 3 days ago. Answer them")


def test_reviews_due_soon_name_the_first_due_time() -> None:
    due = datetime(2026, 11, 2, 22, 0, tzinfo=UTC)  # 4:00 PM in Chicago
    wording = word(item("review_due_soon", count=3, first_due=due.isoformat()), CTX)
    assert wording.title == "3 reviews are due for a reply soon"
    when = local_text(due, CHICAGO)
    assert when.startswith("Mon, Nov 2, 4:00")
    assert wording.detail == (
        f"The first is due by {when}. Reply before then to keep the time frame the practice "
        "promises."
    )
    assert wording.action == "Open the inbox"
    single = word(item("review_due_soon", count=1, first_due=due.isoformat()), CTX)
    assert single.title == "A review is due for a reply soon"
    assert single.detail.startswith(f"It is due by {when}.")


def test_replies_to_approve_and_the_doctors_list() -> None:
    approve = word(item("review_reply_approval", count=2), CTX)
    assert approve.title == "2 replies wait for your approval"
    assert approve.detail.startswith("Replies to negative reviews need an approver")
    assert approve.action == "Review the replies"
    assert word(item("review_reply_approval", count=1), CTX).title == (
        "A reply waits for your approval"
    )
    doctor = word(item("review_escalated_doctor", count=4), CTX)
    assert doctor.title == "4 reviews wait for the doctor"
    assert doctor.action == "Open the doctor's list"
    assert word(item("review_escalated_doctor", count=1), CTX).title == (
        "A review waits for the doctor"
    )


@pytest.mark.parametrize(
    "params", [{}, {"count": "many"}, {"count": 0}, {"count": 2, "oldest_due": "yesterday"}]
)
def test_malformed_params_fall_back_to_the_generic_wording(params: dict[str, Any]) -> None:
    wording = word(item("review_overdue", **params), CTX)
    assert wording.title == "Something needs a look"
    assert wording.action == "Open Reviews"


def overdue_review(env: PageEnv, n: int) -> None:
    posted = env.clock.now() - timedelta(days=20 + n)
    env.services.reviews.add_one(
        env.staff.front_desk,
        Review(
            id=None,
            kind=ItemKind.REVIEW,
            source=Source.YELP,
            external_id=f"today-{n}",
            author="Private Person",
            rating=1,
            posted_at=posted,
            text=f"Secret complaint number {n} about the wait.",
            url="",
            content_hash="",
            collected_at=posted,
        ),
    )


def test_today_shows_one_overdue_item_for_many_reviews_and_opens_the_filter(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    env.clock.set(NOW)
    for n in range(3):
        overdue_review(env, n)
    # due times are counted from when the practice had the review: move on past them
    env.clock.advance(timedelta(days=5))
    page = TodayPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.set_user(env.staff.manager)
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    rows = [r for r in page.view.rows() if r.item.kind.startswith("review_")]
    overdue = [r for r in rows if r.item.kind == "review_overdue"]
    assert len(overdue) == 1  # a count, never one item per review
    count = overdue[0].item.params["count"]
    assert count >= 3
    assert overdue[0].title_label.text() == f"{count} reviews are past their reply time"
    for row in rows:
        assert row.title_label.text() != "Something needs a look"
        assert "Private Person" not in row.detail_label.text()
        assert "Secret complaint" not in row.detail_label.text()
    with qtbot.waitSignal(hub.navigate, timeout=2000) as jumped:
        overdue[0].action_button.click()
    assert jumped.args == ["reviews", "filter:overdue"]

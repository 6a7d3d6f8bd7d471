"""The Reviews page over the demo practice, with a few reviews of our own to aim at (a
malicious one with markup, a negative one to reply to), for the inbox GUI tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.reviews.model import ItemKind, Review, Source
from core.reviews.ports import ReviewQuery
from gui import errors
from gui.hub import SignalHub
from gui.reviews.page import ReviewsPage
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv, build_env

MALICIOUS = (
    'Terrible! <b>BOLD</b> <a href="https://evil.example/phish">click here</a> '
    '<img src="https://evil.example/x.png"> &amp; <script>alert(1)</script>'
)
NEGATIVE = "Zanzibar office kept me waiting an hour and the front desk was rude."
POSITIVE = "Quokka-level happy: friendly team, spotless rooms, thank you so much!"


@dataclass
class InboxEnv:
    env: PageEnv
    page: ReviewsPage
    malicious: Review
    negative: Review
    positive: Review


def add_review(env: PageEnv, text: str, rating: int, *, hours_ago: int = 3) -> Review:
    posted = env.clock.now() - timedelta(hours=hours_ago)
    return env.services.reviews.add_one(
        env.staff.front_desk,
        Review(
            id=None,
            kind=ItemKind.REVIEW,
            source=Source.GOOGLE,
            external_id=f"inbox-test-{abs(hash(text))}",
            author="Jane Q.",
            rating=rating,
            posted_at=posted,
            text=text,
            url="https://maps.example/review/1",
            content_hash="",
            collected_at=posted,
        ),
    )


def seed_filler(env: PageEnv, count: int = 30) -> None:
    """Reviews across sources and stars when the demo practice brings none."""
    if env.services.reviews.count(ReviewQuery()) >= count:
        return
    sources = list(Source)
    for i in range(count):
        posted = env.clock.now() - timedelta(hours=9 * i + 1)
        env.services.reviews.add_one(
            env.staff.front_desk,
            Review(
                id=None,
                kind=ItemKind.REVIEW,
                source=sources[i % len(sources)],
                external_id=f"filler-{i}",
                author=f"Reviewer {i}",
                rating=i % 5 + 1,
                posted_at=posted,
                text=f"Filler review number {i}: the visit was {'ok' if i % 2 else 'slow'}.",
                url="",
                content_hash="",
                collected_at=posted,
            ),
        )


def make_inbox(
    qtbot: QtBot,
    clock: ManualClock,
    hub: SignalHub,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[InboxEnv]:
    """The page at 1366 x 768, the front desk signed in, loaded; error dialogs are recorded
    and must stay empty. Use it as a fixture's body (``yield from``)."""
    shown: list[BaseException] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, exc: shown.append(exc))
    env = build_env(clock)
    seed_filler(env)
    malicious = add_review(env, MALICIOUS, 1, hours_ago=2)
    negative = add_review(env, NEGATIVE, 1, hours_ago=1)
    positive = add_review(env, POSITIVE, 5, hours_ago=4)
    page = ReviewsPage(env.services, hub, runner)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and bool(page.staff), timeout=5000)
    yield InboxEnv(env, page, malicious, negative, positive)
    page.set_user(None)
    runner.wait()
    assert shown == []


def open_review(qtbot: QtBot, page: ReviewsPage, review: Review) -> None:
    page.show_target(f"review:{review.id}")
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.review.id == review.id, timeout=5000
    )

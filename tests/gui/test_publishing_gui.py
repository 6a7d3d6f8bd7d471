"""The publishing scheduler in the running app (``gui.housekeeping``), the question about late
posts (``gui.late_posts``) and how Today words the posts' items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.composer.model import Post, PostState
from core.publishing.model import LatePost
from core.today.model import AttentionItem, Severity
from gui.housekeeping import PUBLISH_INTERVAL_MS, Housekeeping
from gui.hub import SignalHub
from gui.late_posts import LateChoice, LatePostsDialog
from gui.run import settle
from gui.tasks import TaskRunner
from gui.today.wording import WordingContext, word
from tests.gui.page_env import PageEnv

CHICAGO = ZoneInfo("America/Chicago")
TEXT = "Flu shots are here! Walk in any weekday morning or call (217) 555-0142 to book."


def scheduled(env: PageEnv, at: datetime, platforms: tuple[str, ...] = ("facebook",)) -> Post:
    """An approved post scheduled for ``at`` (written while the clock was before it)."""
    composer, staff = env.services.composer, env.staff
    now = env.clock.now()
    env.clock.set(at - timedelta(hours=1))
    post = composer.new_draft(staff.front_desk, TEXT, platforms)
    post = composer.submit(staff.front_desk, post.id or 0, post.version)
    post = composer.approve(staff.manager, post.id or 0, post.version)
    post = composer.schedule(staff.front_desk, post.id or 0, post.version, at)
    env.clock.set(now)
    return post


def state(env: PageEnv, post: Post) -> PostState:
    return env.services.composer.get(post.id or 0).state


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def housekeeping(env: PageEnv, hub: SignalHub, runner: TaskRunner, window: QWidget) -> Housekeeping:
    return Housekeeping(env.services, hub, runner, window, first_publish_ms=0)


def test_start_publishes_what_is_due_and_the_timer_runs_while_signed_in(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, housekeeping: Housekeeping
) -> None:
    due = scheduled(env, env.clock.now() - timedelta(minutes=10))
    changed: list[str] = []
    hub.data_changed.connect(changed.append)
    with qtbot.waitSignal(housekeeping.published, timeout=5000) as blocker:
        housekeeping.start()
    report = blocker.args[0]
    assert report.started == (due.id,)
    assert due.id in report.by_hand
    settle(runner)
    assert state(env, due) is PostState.PUBLISHING  # Facebook is published by hand
    assert "posts" in changed
    assert housekeeping.publish_timer.interval() == PUBLISH_INTERVAL_MS
    assert not housekeeping.publish_timer.isActive()  # nobody signed in yet

    hub.signed_in.emit(env.staff.front_desk)
    assert housekeeping.publish_timer.isActive()
    later = scheduled(env, env.clock.now() + timedelta(minutes=1))
    env.clock.advance(timedelta(minutes=1))
    with qtbot.waitSignal(housekeeping.published, timeout=5000) as blocker:
        housekeeping.publish_timer.timeout.emit()  # a minute went by
    assert blocker.args[0].started == (later.id,)
    hub.signed_out.emit()
    assert not housekeeping.publish_timer.isActive()


def test_a_run_is_skipped_while_the_last_one_is_still_going(
    qtbot: QtBot, env: PageEnv, runner: TaskRunner, housekeeping: Housekeeping
) -> None:
    reports: list[object] = []
    housekeeping.published.connect(reports.append)
    housekeeping.publish_due()
    housekeeping.publish_due()  # still running: not started twice
    qtbot.waitUntil(lambda: bool(reports), timeout=5000)
    settle(runner)
    assert len(reports) == 1


def test_late_posts_are_asked_about_once_after_sign_in_and_published_on_say_so(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, housekeeping: Housekeeping
) -> None:
    late = scheduled(env, env.clock.now() - timedelta(hours=5))
    other = scheduled(env, env.clock.now() - timedelta(hours=4), ("x", "facebook"))
    asked: list[list[LatePost]] = []
    housekeeping.late_posts.connect(asked.append)
    with qtbot.waitSignal(housekeeping.published, timeout=5000):
        housekeeping.publish_due()
    assert [[p.post_id for p in batch] for batch in asked] == [[late.id, other.id]]
    assert housekeeping.late_dialog is None  # nobody to ask yet
    assert state(env, late) is PostState.SCHEDULED

    hub.signed_in.emit(env.staff.front_desk)
    dialog = housekeeping.late_dialog
    assert isinstance(dialog, LatePostsDialog)
    assert dialog.isVisible()
    assert [row.post.post_id for row in dialog.rows] == [late.id, other.id]
    assert "X, Facebook" in dialog.rows[1].label.text()
    assert all(row.choice is LateChoice.LEAVE for row in dialog.rows)  # nothing by default

    navigated: list[tuple[str, str]] = []
    hub.navigate.connect(lambda page, target: navigated.append((page, target)))
    dialog.choose(late.id or 0, LateChoice.PUBLISH_NOW)
    dialog.choose(other.id or 0, LateChoice.RESCHEDULE)
    with qtbot.waitSignal(hub.data_changed, timeout=5000) as changed:
        dialog.accept()
    assert changed.args == ["posts"]
    settle(runner)
    assert state(env, late) is PostState.PUBLISHING
    assert state(env, other) is PostState.SCHEDULED
    assert navigated == [("composer", str(other.id))]
    history = env.services.composer.history(late.id or 0)
    assert history.transitions[-1].actor_id == env.staff.front_desk.id

    # The next run finds the other one still late: it was asked about, so no second question.
    asked.clear()
    with qtbot.waitSignal(housekeeping.published, timeout=5000) as blocker:
        housekeeping.publish_due()
    assert [p.post_id for p in blocker.args[0].late] == [other.id]
    assert asked == []
    assert housekeeping.late_dialog is None


def test_leaving_late_posts_publishes_nothing(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, housekeeping: Housekeeping
) -> None:
    late = scheduled(env, env.clock.now() - timedelta(hours=6))
    hub.signed_in.emit(env.staff.front_desk)
    with qtbot.waitSignal(housekeeping.published, timeout=5000):
        housekeeping.publish_due()
    dialog = housekeeping.late_dialog
    assert dialog is not None
    dialog.accept()
    settle(runner)
    assert state(env, late) is PostState.SCHEDULED
    assert housekeeping.late_dialog is None
    kinds = [i.kind for i in env.services.today.items(env.staff.front_desk)]
    assert kinds.count("post_late") == 1


def test_the_dialog_shows_each_post_due_time_in_the_practice_zone(qtbot: QtBot) -> None:
    post = LatePost(7, 3, datetime(2026, 11, 3, 22, 0, tzinfo=UTC), ("gbp",))
    dialog = LatePostsDialog([post], CHICAGO)
    qtbot.addWidget(dialog)
    text = dialog.rows[0].label.text()
    assert "Post #7" in text
    assert "Tue, Nov 3, 4:00" in text
    assert "Google Business Profile" in text
    assert dialog.choices() == {7: LateChoice.LEAVE}
    dialog.choose(7, LateChoice.RESCHEDULE)
    assert dialog.choices() == {7: LateChoice.RESCHEDULE}


# --- Today's wording -------------------------------------------------------------------------
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def _worded(kind: str, params: dict[str, object]) -> tuple[str, str, str]:
    item = AttentionItem("k", kind, Severity.URGENT, "composer", target="5", params=params)
    wording = word(item, WordingContext(NOW, CHICAGO))
    return wording.title, wording.detail, wording.action


@pytest.mark.parametrize(
    ("kind", "params", "title", "detail_has", "action"),
    [
        (
            "post_review",
            {"post_id": 5, "submitted_at": "2026-11-02T12:00:00+00:00", "author": "Jenna Ortiz"},
            "A post is waiting for your approval",
            "Jenna Ortiz sent it for approval 3 hours ago",
            "Review the post",
        ),
        (
            "post_publish_by_hand",
            {"post_id": 5, "platforms": ["facebook", "gbp"], "due": "2026-11-02T14:00:00+00:00"},
            "Publish a post by hand",
            "due Mon, Nov 2, 8:00",
            "Publish it",
        ),
        (
            "post_publish_by_hand",
            {"post_id": 5, "platforms": ["gbp"], "due": None},
            "Publish a post by hand",
            "still needs to go out on Google Business Profile",
            "Publish it",
        ),
        (
            "post_late",
            {"post_id": 5, "platforms": ["x"], "due": "2026-11-02T09:00:00+00:00"},
            "A scheduled post did not go out on time",
            "Publish it now, or choose a new time",
            "Decide what to do",
        ),
        (
            "post_blocked",
            {"post_id": 5, "reason": "post_open_findings", "due": None},
            "A scheduled post was held back",
            "patient information",
            "Open the post",
        ),
        (
            "post_failed",
            {"post_id": 5, "platforms": ["instagram"], "codes": ["rejected"]},
            "A post could not be published",
            "Instagram did not take it",
            "See what happened",
        ),
        (
            "post_uncertain",
            {"post_id": 5, "platforms": ["x", "facebook", "linkedin"]},
            "Check whether a post went out",
            "X, Facebook and LinkedIn",
            "Check the post",
        ),
    ],
)
def test_every_post_kind_is_worded_plainly(
    kind: str, params: dict[str, object], title: str, detail_has: str, action: str
) -> None:
    worded = _worded(kind, params)
    assert worded[0] == title
    assert detail_has in worded[1]
    assert worded[2] == action


def test_the_app_words_every_kind_its_posts_source_emits(env: PageEnv) -> None:
    """The demo practice's own items (waiting for approval, to publish by hand) read as
    written for them, not as the generic fallback."""
    env.clock.advance(timedelta(days=1))
    items = env.services.today.items()
    kinds = {i.kind for i in items if i.page == "composer"}
    assert {"post_review", "post_publish_by_hand"} <= kinds
    for item in items:
        title = word(item, WordingContext(env.clock.now(), CHICAGO)).title
        assert title != "Something needs a look", item.kind


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 2, 15, 0, tzinfo=UTC))

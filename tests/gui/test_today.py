"""The Today page: wording, urgency order, empty state, navigation, and the foundation's items
(backup_stale, audit_broken, practice_phone_missing) coming and going."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.practice.service import Versioned
from core.today.model import AttentionItem, Severity
from gui.hub import SignalHub
from gui.settings.page import SettingsPage
from gui.style import Badge
from gui.tasks import TaskRunner
from gui.today.models import TodayModel, TodayRole
from gui.today.page import TodayPage, first_name
from gui.today.wording import (
    Wording,
    WordingContext,
    register_wording,
    relative_due,
    relative_past,
    word,
)
from tests.gui.page_env import PageEnv, build_env

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def env(clock: ManualClock) -> PageEnv:
    """The demo practice without its posts: these tests count the foundation's own items
    (posts' items are tested with the composer, tests/gui/test_publishing_gui.py)."""
    return build_env(clock, with_posts=False)


@pytest.fixture
def today(qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner) -> TodayPage:
    page = TodayPage(env.services, hub, runner)
    qtbot.addWidget(page)
    return page


class Fixed:
    """A feature's attention source returning fixed items."""

    def __init__(self, items: list[AttentionItem]) -> None:
        self.items = items

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        return list(self.items)


def titles(page: TodayPage) -> list[str]:
    return [row.title_label.text() for row in page.view.rows()]


def kinds(page: TodayPage) -> list[str]:
    return [row.item.kind for row in page.view.rows()]


def wait_loaded(qtbot: QtBot, page: TodayPage) -> None:
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)


def reload(qtbot: QtBot, page: TodayPage) -> None:
    page.loaded = False
    page.refresh()
    wait_loaded(qtbot, page)


def make_all_caught_up(env: PageEnv) -> None:
    assert env.services.backups is not None
    env.services.backups.back_up_now(env.staff.admin)


# --- wording -----------------------------------------------------------------------------
def test_relative_due_words_future_and_past() -> None:
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert relative_due(now + timedelta(seconds=20), now) == "due now"
    assert relative_due(now + timedelta(minutes=1), now) == "due in 1 minute"
    assert relative_due(now + timedelta(minutes=45), now) == "due in 45 minutes"
    assert relative_due(now + timedelta(hours=3, minutes=10), now) == "due in 3 hours"
    assert relative_due(now + timedelta(days=3), now) == "due in 3 days"
    assert relative_due(now - timedelta(hours=1), now) == "overdue by 1 hour"
    assert relative_due(now - timedelta(days=2, hours=1), now) == "overdue by 2 days"
    assert relative_past(now - timedelta(days=4), now) == "4 days ago"


def test_foundation_kinds_are_worded(qtbot: QtBot) -> None:
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    ctx = WordingContext(now, CHICAGO)
    never = word(
        AttentionItem("b", "backup_stale", Severity.WARNING, "settings", params={"last": None}), ctx
    )
    assert never.title == "Back up the practice data"
    assert "No backup has been made yet" in never.detail
    assert never.action == "Go to Backups"
    old = word(
        AttentionItem(
            "b",
            "backup_stale",
            Severity.WARNING,
            "settings",
            params={"last": (now - timedelta(days=3)).isoformat()},
        ),
        ctx,
    )
    assert "3 days ago" in old.detail
    broken = word(
        AttentionItem(
            "a",
            "audit_broken",
            Severity.CRITICAL,
            "settings",
            params={"seq": 7, "reason": "hash_mismatch"},
        ),
        ctx,
    )
    assert "event #7" in broken.detail
    assert "changed after it was written" in broken.detail
    phone = word(AttentionItem("p", "practice_phone_missing", Severity.INFO, "settings"), ctx)
    assert phone.title == "Add the practice's phone number"


def test_unknown_or_malformed_kinds_get_a_generic_wording() -> None:
    ctx = WordingContext(datetime(2026, 11, 2, tzinfo=UTC), CHICAGO)
    unknown = word(AttentionItem("x", "not_registered", Severity.INFO, "reviews"), ctx)
    assert unknown == Wording(
        "Something needs a look", "Open it to see what needs doing.", "Open Reviews"
    )
    malformed = word(
        AttentionItem(
            "b", "backup_stale", Severity.WARNING, "settings", params={"last": "not a time"}
        ),
        ctx,
    )
    assert malformed.title == "Something needs a look"


def test_features_register_their_own_wording() -> None:
    register_wording(
        "test_kind",
        lambda params, ctx: Wording(f"Reply to {params['count']} reviews", "detail", "Open inbox"),
    )
    ctx = WordingContext(datetime(2026, 11, 2, tzinfo=UTC), CHICAGO)
    item = AttentionItem("t", "test_kind", Severity.URGENT, "reviews", params={"count": 2})
    assert word(item, ctx).title == "Reply to 2 reviews"


def test_first_name_skips_titles() -> None:
    assert first_name("Jenna Ortiz") == "Jenna"
    assert first_name("Dr. Helen Okafor") == "Helen"
    assert first_name("Cher") == "Cher"


# --- model -------------------------------------------------------------------------------
def test_today_model_passes_the_model_tester(qtmodeltester: object) -> None:
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    model = TodayModel()
    items = [
        AttentionItem(
            "a", "audit_broken", Severity.CRITICAL, "settings", params={"seq": 1, "reason": "gap"}
        ),
        AttentionItem("r", "review", Severity.URGENT, "reviews", due=now + timedelta(hours=3)),
    ]
    model.set_items(items, now, CHICAGO)
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    index = model.index(1)
    assert index.data(TodayRole.ITEM) is items[1]
    assert index.data(TodayRole.DUE) == "due in 3 hours"
    assert "12:00" in index.data(TodayRole.DUE_AT)  # 18:00 UTC is noon in Chicago
    assert index.data(TodayRole.SORT) == 1
    model.clear()
    assert model.rowCount() == 0


# --- the page ----------------------------------------------------------------------------
def test_greeting_uses_the_first_name_and_the_practice_day(
    qtbot: QtBot, today: TodayPage, env: PageEnv, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))  # 8:00 in Chicago
    today.set_user(env.staff.front_desk)
    wait_loaded(qtbot, today)
    assert today.view.greeting.text() == "Good morning, Jenna"
    assert "November 2" in today.view.date_label.text() or "2 November" in (
        today.view.date_label.text()
    )
    clock.set(datetime(2026, 11, 2, 21, 0, tzinfo=UTC))  # 15:00 in Chicago
    reload(qtbot, today)
    assert today.view.greeting.text() == "Good afternoon, Jenna"


def test_no_backup_shows_backup_stale_and_back_up_now_clears_it(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, today: TodayPage
) -> None:
    today.set_user(env.staff.admin)
    wait_loaded(qtbot, today)
    assert kinds(today) == ["backup_stale"]
    assert titles(today) == ["Back up the practice data"]
    row = today.view.rows()[0]
    assert row.badge.text() == "Warning"
    assert row.action_button.text() == "Go to Backups"

    settings = SettingsPage(env.services, hub, runner)
    qtbot.addWidget(settings)
    settings.set_user(env.staff.admin)
    settings.show_target("backups")
    section = settings.section("backups")
    qtbot.waitUntil(lambda: section.loaded, timeout=5000)
    today.loaded = False
    section.backup_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: today.loaded and not today.view.rows(), timeout=5000)
    assert today.view.stack.currentWidget() is today.view.empty
    assert today.view.empty.title_label.text() == "All caught up"


def test_items_keep_the_urgency_order_of_the_service(
    qtbot: QtBot, env: PageEnv, today: TodayPage, clock: ManualClock
) -> None:
    make_all_caught_up(env)
    now = clock.now()
    env.services.today.register(
        Fixed(
            [
                AttentionItem("info", "k_info", Severity.INFO, "composer"),
                AttentionItem(
                    "soon", "k_soon", Severity.URGENT, "reviews", due=now + timedelta(hours=3)
                ),
                AttentionItem(
                    "late", "k_late", Severity.WARNING, "consent", due=now - timedelta(days=2)
                ),
                AttentionItem("crit", "k_crit", Severity.CRITICAL, "settings", target="audit"),
            ]
        )
    )
    today.set_user(env.staff.admin)
    wait_loaded(qtbot, today)
    expected = [item.kind for item in env.services.today.items()]
    assert kinds(today) == expected
    assert expected[0] == "k_crit"
    assert expected[-1] == "k_info"
    rows = {row.item.kind: row for row in today.view.rows()}
    assert rows["k_soon"].due_label.text() == "due in 3 hours"
    assert rows["k_late"].due_label.text() == "overdue by 2 days"
    assert isinstance(rows["k_late"].due_label, Badge)
    assert rows["k_late"].due_label.tone == "danger"
    assert rows["k_info"].due_label.isHidden()
    assert today.view.summary.text() == "4 things need attention"


def test_action_button_navigates_to_the_item(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, today: TodayPage
) -> None:
    today.set_user(env.staff.admin)
    wait_loaded(qtbot, today)
    with qtbot.waitSignal(hub.navigate, timeout=2000) as blocker:
        today.view.rows()[0].action_button.click()
    assert blocker.args == ["settings", "backups"]


def test_missing_practice_phone_is_asked_for(qtbot: QtBot, env: PageEnv, today: TodayPage) -> None:
    make_all_caught_up(env)
    current = env.services.practice.practice()
    env.services.practice.save_practice(
        env.staff.admin, Versioned(replace(current.value, phone=""), current.version)
    )
    today.set_user(env.staff.admin)
    wait_loaded(qtbot, today)
    assert kinds(today) == ["practice_phone_missing"]
    assert today.view.rows()[0].badge.text() == "Info"


def test_audit_broken_shows_after_tampering(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, today: TodayPage
) -> None:
    make_all_caught_up(env)
    today.set_user(env.staff.admin)
    wait_loaded(qtbot, today)
    assert today.view.stack.currentWidget() is today.view.empty

    env.tamper(3)
    settings = SettingsPage(env.services, hub, runner)
    qtbot.addWidget(settings)
    settings.set_user(env.staff.admin)
    settings.show_target("audit")
    audit = settings.section("audit")
    qtbot.waitUntil(lambda: audit.loaded, timeout=5000)
    today.loaded = False
    audit.verify_now()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: today.loaded and bool(today.view.rows()), timeout=5000)
    assert kinds(today) == ["audit_broken"]
    row = today.view.rows()[0]
    assert row.badge.text() == "Critical"
    assert "event #3" in row.detail_label.text()
    with qtbot.waitSignal(hub.navigate, timeout=2000) as blocker:
        row.action_button.click()
    assert blocker.args == ["settings", "audit"]


def test_data_changed_anywhere_refreshes(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, today: TodayPage
) -> None:
    today.set_user(env.staff.admin)
    wait_loaded(qtbot, today)
    assert kinds(today) == ["backup_stale"]
    make_all_caught_up(env)
    today.loaded = False
    hub.data_changed.emit("reviews")
    qtbot.waitUntil(lambda: today.loaded, timeout=5000)
    assert kinds(today) == []


def test_nothing_is_shown_without_a_user(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, today: TodayPage
) -> None:
    today.set_user(env.staff.admin)
    wait_loaded(qtbot, today)
    assert today.view.rows()
    today.set_user(None)
    assert today.model.rowCount() == 0
    assert today.view.greeting.text() == "Today"
    assert today.view.date_label.text() == ""
    assert today.view.stack.currentWidget() is today.view.blank
    hub.data_changed.emit("staff")  # a refresh while locked loads nothing
    qtbot.wait(50)
    assert today.model.rowCount() == 0


def test_front_desk_is_not_shown_items_only_a_manager_can_act_on(
    qtbot: QtBot, today: TodayPage, env: PageEnv
) -> None:
    today.set_user(env.staff.front_desk)
    wait_loaded(qtbot, today)
    assert kinds(today) == []
    assert today.view.empty.title_label.text() == "All caught up"
    today.set_user(env.staff.manager)
    reload(qtbot, today)
    assert "backup_stale" in kinds(today)

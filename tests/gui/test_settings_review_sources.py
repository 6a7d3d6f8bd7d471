"""Settings → Review sources: the mentions feeds listed, added (name and an http(s) address),
removed, checked now; read-only for the front desk."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from core.reviews.model import ItemKind
from core.reviews.ports import ReviewQuery
from gui.hub import SignalHub
from gui.settings import review_sources
from gui.settings.page import SettingsPage
from gui.settings.review_sources import ReviewSourcesSection, web_address_ok
from tests.gui.page_env import PageEnv, open_section
from tests.gui.reviews_feed_env import FEED_URL, failing_fetch, fixed_fetch


def sources(qtbot: QtBot, page: SettingsPage) -> ReviewSourcesSection:
    return open_section(qtbot, page, "review_sources", ReviewSourcesSection)


def names(section: ReviewSourcesSection) -> list[str]:
    return [feed.name for feed in section.model.feeds]


def add(qtbot: QtBot, section: ReviewSourcesSection, name: str, url: str) -> None:
    section.name_edit.setText(name)
    section.url_edit.setText(url)
    section.add_button.click()


def mentions(env: PageEnv) -> int:
    return env.services.reviews.count(ReviewQuery(kind=ItemKind.MENTION, limit=10_000))


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(review_sources, "fetch_feed", fixed_fetch(calls))
    return calls


def test_the_section_comes_after_consent_forms(page: SettingsPage, env: PageEnv) -> None:
    keys = list(page.buttons)
    assert keys.index("review_sources") == keys.index("consent") + 1
    assert page.buttons["review_sources"].text() == "Review sources"


def test_a_feed_is_added_checked_at_once_and_listed(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub, fetched: list[str]
) -> None:
    page.set_user(env.staff.admin)
    section = sources(qtbot, page)
    assert section.schedule.text() == (
        "Checked every hour while someone is signed in, and when you press Check now."
    )
    before = mentions(env)
    with qtbot.waitSignal(hub.data_changed, timeout=5000, check_params_cb=lambda a: a == "reviews"):
        add(qtbot, section, "Town news alert", FEED_URL)
    assert FEED_URL in fetched
    qtbot.waitUntil(lambda: "Town news alert" in names(section), timeout=5000)
    qtbot.waitUntil(lambda: "new mention" in section.notice_text(), timeout=5000)
    assert mentions(env) == before + 2
    assert section.name_edit.text() == ""

    def shown(column: int) -> str:
        row = names(section).index("Town news alert")
        return str(section.model.index(row, column).data())

    qtbot.waitUntil(lambda: shown(3) == "Working", timeout=5000)
    assert shown(1) == FEED_URL


def test_check_now_reports_new_mentions_then_none(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, fetched: list[str]
) -> None:
    env.services.reviews.add_feed(env.staff.admin, FEED_URL, "Alert")
    page.set_user(env.staff.manager)
    section = sources(qtbot, page)
    section.check_button.click()
    assert not section.check_button.isEnabled()  # one check at a time
    qtbot.waitUntil(lambda: not section.checking, timeout=5000)
    assert section.notice_text() == "2 new mentions are in the inbox."
    section.check_button.click()
    qtbot.waitUntil(lambda: not section.checking, timeout=5000)
    assert section.notice_text() == "No new mentions."


def test_a_feed_that_cannot_be_read_is_said_and_marked(
    qtbot: QtBot,
    page: SettingsPage,
    env: PageEnv,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(review_sources, "fetch_feed", failing_fetch(calls, 429))
    env.services.reviews.add_feed(env.staff.admin, FEED_URL, "Alert")
    page.set_user(env.staff.admin)
    section = sources(qtbot, page)
    section.check_button.click()
    qtbot.waitUntil(lambda: not section.checking and bool(section.notice_text()), timeout=5000)
    assert "could not be read; see" in section.notice_text()
    row = names(section).index("Alert")
    qtbot.waitUntil(
        lambda: section.model.index(row, 3).data() == "Could not be reached; tried again next time",
        timeout=5000,
    )


@pytest.mark.parametrize(
    ("name", "url", "field", "text"),
    [
        ("", FEED_URL, "name", "Give the feed a short name (at most 100 characters)."),
        (
            "Alert",
            "ftp://example.com/feed",
            "url",
            "Paste the feed's full web address, starting with https:// (or http://).",
        ),
        (
            "Alert",
            "www.google.com/alerts",
            "url",
            "Paste the feed's full web address, starting with https:// (or http://).",
        ),
    ],
)
def test_bad_input_is_said_next_to_the_field(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, name: str, url: str, field: str, text: str
) -> None:
    page.set_user(env.staff.admin)
    section = sources(qtbot, page)
    before = names(section)
    section.name_edit.setText(name)
    section.url_edit.setText(url)
    section.add_feed()
    assert section.field_errors.text(field) == text
    assert names(section) == before


def test_the_same_feed_twice_is_refused_by_core_and_said(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    env.services.reviews.add_feed(env.staff.admin, FEED_URL, "Alert")
    page.set_user(env.staff.admin)
    section = sources(qtbot, page)
    add(qtbot, section, "Again", FEED_URL)
    qtbot.waitUntil(lambda: bool(section.field_errors.text("url")), timeout=5000)
    assert section.field_errors.text("url") == "This feed is already in the list."


def test_removing_a_feed_keeps_its_mentions(
    qtbot: QtBot, page: SettingsPage, env: PageEnv, hub: SignalHub, fetched: list[str]
) -> None:
    env.services.reviews.add_feed(env.staff.admin, FEED_URL, "Alert")
    env.services.reviews.poll_feeds(fixed_fetch([]))
    kept = mentions(env)
    page.set_user(env.staff.admin)
    section = sources(qtbot, page)
    section.table.selectRow(names(section).index("Alert"))
    assert section.remove_button.isEnabled()
    with qtbot.waitSignal(hub.data_changed, timeout=5000, check_params_cb=lambda a: a == "feeds"):
        section.remove_button.click()
    qtbot.waitUntil(lambda: "Alert" not in names(section), timeout=5000)
    assert section.notice_text() == (
        "“Alert” was removed. The mentions it brought in stay in the inbox."
    )
    assert mentions(env) == kept


def test_front_desk_sees_the_feeds_read_only(
    qtbot: QtBot, page: SettingsPage, env: PageEnv
) -> None:
    env.services.reviews.add_feed(env.staff.admin, FEED_URL, "Alert")
    page.set_user(env.staff.front_desk)
    section = sources(qtbot, page)
    assert "Alert" in names(section)
    assert section.add_card.isHidden()
    assert section.remove_button.isHidden()
    assert section.check_button.isEnabled()
    assert section.note.text_label.text() == "Only a manager or admin can change this."


def test_web_addresses() -> None:
    assert web_address_ok("https://www.google.com/alerts/feeds/1/2")
    assert web_address_ok("http://example.com/rss")
    assert not web_address_ok("https://")
    assert not web_address_ok("https://exa mple.com/feed")
    assert not web_address_ok("javascript:alert(1)")

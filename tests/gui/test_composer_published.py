"""The published list over the demo practice: newest first, paged as it scrolls, searched in
SQL, live links that open, taking a post down with a reason (and not without), who may, and
signing out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.composer.errors import ReasonRequired
from core.composer.model import PostState
from core.composer.ports import PostQuery
from gui.composer import pub_dialogs
from gui.composer import published as published_module
from gui.composer.pub_dialogs import WithdrawDialog
from gui.composer.pub_model import PublishedColumn, PublishedRole, link_rects
from gui.composer.published import PublishedList
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv

DEMO_PUBLISHED = 23
"""The demo's 22 published posts, and the consent demo's post whose photo's consent was then
revoked (``core.demo_consent``)."""


@pytest.fixture
def listing(qtbot: QtBot, env: PageEnv, runner: TaskRunner) -> PublishedList:
    widget = PublishedList(env.services, runner)
    widget.resize(1200, 700)
    qtbot.addWidget(widget)
    return widget


def signed_in(qtbot: QtBot, listing: PublishedList, env: PageEnv) -> PublishedList:
    listing.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: listing.loaded, timeout=5000)
    return listing


def shown_ids(listing: PublishedList) -> list[int]:
    return [listing.model.row_at(r).post_id for r in range(listing.model.rowCount())]


class Asker:
    """Stands in for the take-down dialog: records what it was shown, answers ``answer``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[tuple[str, str]]]] = []
        self.answer: str | None = "The photo shows a chart in the background."

    def __call__(self, _parent: object, title: str, links: list[tuple[str, str]]) -> str | None:
        self.calls.append((title, links))
        return self.answer


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Asker:
    asker = Asker()
    monkeypatch.setattr(pub_dialogs, "ask", asker)
    return asker


# --- the list ----------------------------------------------------------------------------
def test_lists_published_posts_newest_first(
    qtbot: QtBot, listing: PublishedList, env: PageEnv, qtmodeltester: object
) -> None:
    signed_in(qtbot, listing, env)
    assert listing.stack.currentWidget() is listing.table
    assert listing.model.total == DEMO_PUBLISHED
    assert listing.count_label.text() == f"{DEMO_PUBLISHED} published posts"
    rows = [listing.model.row_at(r) for r in range(listing.model.rowCount())]
    times = [r.post.published_at for r in rows]
    assert all(t is not None for t in times)
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    assert {r.post.state for r in rows} == {PostState.PUBLISHED}
    first = listing.model.index(0, PublishedColumn.PUBLISHED).data()
    assert first.replace("\u202f", " ") == "Sun, Nov 1, 2026, 4:05 AM"
    assert listing.model.index(0, PublishedColumn.STATE).data() == "Published"
    links = listing.model.index(0, PublishedColumn.PLATFORMS).data(PublishedRole.LINKS)
    assert [name for name, _ in links] == ["X", "Facebook", "Google Business Profile"]
    assert all(url.startswith("https://") for _, url in links)
    qtmodeltester.check(listing.model)  # type: ignore[attr-defined]


def test_pages_load_lazily_as_the_list_scrolls(
    qtbot: QtBot, listing: PublishedList, env: PageEnv
) -> None:
    listing.page_size = 5
    signed_in(qtbot, listing, env)
    # The view asks for pages until its visible rows are filled (how many depends on its
    # height), in whole pages, never everything at once.
    assert listing.model.rowCount() % 5 == 0
    assert 5 <= listing.model.rowCount() < DEMO_PUBLISHED
    assert listing.model.canFetchMore()
    while listing.model.canFetchMore():
        loaded = listing.model.rowCount()
        listing.model.fetchMore()
        assert not listing.model.canFetchMore()  # one page at a time
        qtbot.waitUntil(lambda n=loaded: listing.model.rowCount() > n, timeout=5000)
    ids = shown_ids(listing)
    assert len(ids) == len(set(ids)) == DEMO_PUBLISHED
    everything, _ = env.services.composer.list(published_module.published_query("", 0, 100))
    assert ids == [p.id for p in everything]


def test_search_narrows_the_list_in_sql(qtbot: QtBot, listing: PublishedList, env: PageEnv) -> None:
    signed_in(qtbot, listing, env)
    listing.loaded = False
    qtbot.keyClicks(listing.search, "FLOSS")
    qtbot.waitUntil(lambda: listing.loaded, timeout=5000)
    rows = [listing.model.row_at(r) for r in range(listing.model.rowCount())]
    assert len(rows) == 2
    assert all("floss" in r.post.master_text.lower() for r in rows)
    assert listing.count_label.text() == "2 published posts"

    listing.loaded = False
    listing.search.setText("no post says this")
    qtbot.waitUntil(lambda: listing.loaded, timeout=5000)
    assert listing.stack.currentWidget() is listing.empty
    assert listing.empty.title_label.text() == "No published post matches “no post says this”"


def test_clicking_a_live_link_opens_it(
    qtbot: QtBot, listing: PublishedList, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(published_module, "open_url", opened.append)
    signed_in(qtbot, listing, env)
    listing.show()
    qtbot.waitExposed(listing)
    index = listing.model.index(0, PublishedColumn.PLATFORMS)
    links = index.data(PublishedRole.LINKS)
    rect = listing.table.visualRect(index)
    fm = listing.table.fontMetrics()
    where = link_rects(rect, fm, [name for name, _ in links])
    facebook = [name for name, _ in links].index("Facebook")
    qtbot.mouseClick(
        listing.table.viewport(), Qt.MouseButton.LeftButton, pos=where[facebook].center()
    )
    assert opened == [links[facebook][1]]
    assert opened[0].startswith("https://www.facebook.com/")


def test_enter_and_double_click_open_the_post(
    qtbot: QtBot, listing: PublishedList, env: PageEnv
) -> None:
    signed_in(qtbot, listing, env)
    listing.show()
    qtbot.waitExposed(listing)
    listing.table.setFocus()
    listing.table.selectRow(1)
    listing.table.setCurrentIndex(listing.model.index(1, PublishedColumn.POST))
    with qtbot.waitSignal(listing.open_post) as opened:
        qtbot.keyClick(listing.table, Qt.Key.Key_Return)
    assert opened.args == [shown_ids(listing)[1]]
    rect = listing.table.visualRect(listing.model.index(2, PublishedColumn.POST))
    # A real double-click starts with a press on the same row.
    qtbot.mouseClick(listing.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(listing.open_post) as opened:
        qtbot.mouseDClick(listing.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [shown_ids(listing)[2]]


# --- taking a post down ------------------------------------------------------------------
def test_take_down_with_a_reason(
    qtbot: QtBot,
    listing: PublishedList,
    env: PageEnv,
    asked: Asker,
) -> None:
    signed_in(qtbot, listing, env)
    assert not listing.withdraw_button.isEnabled()
    assert listing.withdraw_button.toolTip() == "Select a published post first."
    listing.table.selectRow(0)
    assert listing.withdraw_button.isEnabled()
    post_id = shown_ids(listing)[0]
    with qtbot.waitSignal(listing.changed, timeout=5000):
        qtbot.mouseClick(listing.withdraw_button, Qt.MouseButton.LeftButton)
    title, links = asked.calls[0]
    assert title.startswith("Diabetes Awareness Month")
    assert [p for p, _ in links] == ["x", "facebook", "gbp"]
    assert all(url for _, url in links)

    post = env.services.composer.get(post_id)
    assert post.state is PostState.WITHDRAWN
    assert post.withdrawn_reason == "The photo shows a chart in the background."
    assert env.services.composer.history(post_id).transitions[-1].action == "take_down"
    # The row stays, marked as taken down, and the action is off for it now.
    assert listing.model.index(0, PublishedColumn.STATE).data() == "Taken down"
    assert not listing.withdraw_button.isEnabled()
    assert listing.withdraw_button.toolTip() == "This post was already taken down."
    assert listing.notice_tone == "success"
    assert "X, Facebook, Google Business Profile" in listing.notice_text()
    # Taken-down posts stay in the list after a reload.
    listing.loaded = False
    listing.refresh()
    qtbot.waitUntil(lambda: listing.loaded, timeout=5000)
    assert post_id in shown_ids(listing)
    assert listing.model.total == DEMO_PUBLISHED


def test_take_down_without_a_reason_is_refused(
    qtbot: QtBot,
    listing: PublishedList,
    env: PageEnv,
    asked: Asker,
    shown_errors: list[BaseException],
) -> None:
    asked.answer = "   "
    signed_in(qtbot, listing, env)
    listing.table.selectRow(0)
    post_id = shown_ids(listing)[0]
    listing.withdraw_selected()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)
    assert isinstance(shown_errors[0], ReasonRequired)
    assert env.services.composer.get(post_id).state is PostState.PUBLISHED


def test_cancelling_the_dialog_changes_nothing(
    qtbot: QtBot,
    listing: PublishedList,
    env: PageEnv,
    asked: Asker,
) -> None:
    asked.answer = None
    signed_in(qtbot, listing, env)
    listing.table.selectRow(0)
    listing.withdraw_selected()
    assert len(asked.calls) == 1
    assert env.services.composer.get(shown_ids(listing)[0]).state is PostState.PUBLISHED


def test_the_dialog_needs_a_reason_and_lists_every_link(qtbot: QtBot) -> None:
    links = [
        ("facebook", "https://www.facebook.com/maplegrove/posts/1"),
        ("gbp", ""),
    ]
    dialog = WithdrawDialog("Flu season reminder", links)
    qtbot.addWidget(dialog)
    assert not dialog.take_down.isEnabled()
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    qtbot.keyClicks(dialog.reason, "   ")
    assert not dialog.take_down.isEnabled()
    assert dialog.hint.text() == "Write a short reason to take the post down."
    dialog.reason.setPlainText("The clinic closure was cancelled.")
    assert dialog.take_down.isEnabled()
    assert dialog.reason_text() == "The clinic closure was cancelled."
    assert len(dialog.open_buttons) == 1
    assert dialog.open_buttons[0].toolTip() == links[0][1]
    assert dialog.open_buttons[0].accessibleName() == "Open the post on Facebook"
    assert "delete it on each platform" in dialog.reminder.text_label.text()
    dialog.reason.setPlainText("x" * 1001)
    assert not dialog.take_down.isEnabled()


def test_a_deactivated_person_may_not_take_posts_down(
    qtbot: QtBot, listing: PublishedList, env: PageEnv
) -> None:
    signed_in(qtbot, listing, env)
    listing.set_user(replace(env.staff.front_desk, active=False))
    qtbot.waitUntil(lambda: listing.loaded, timeout=5000)
    listing.table.selectRow(0)
    assert not listing.withdraw_button.isEnabled()
    assert "deactivated" in listing.withdraw_button.toolTip()
    menu = listing.build_menu(listing.model.row_at(0))
    take_down = [a for a in menu.actions() if a.text() == "Take down…"]
    assert len(take_down) == 1
    assert not take_down[0].isEnabled()
    menu.close()


def test_every_role_may_take_a_post_down(
    qtbot: QtBot, listing: PublishedList, env: PageEnv
) -> None:
    for member in (env.staff.front_desk, env.staff.manager, env.staff.doctor, env.staff.admin):
        listing.set_user(member)
        qtbot.waitUntil(lambda: listing.loaded, timeout=5000)
        listing.table.selectRow(0)
        assert listing.withdraw_button.isEnabled(), member.role


def test_row_menu_opens_each_live_link(
    qtbot: QtBot, listing: PublishedList, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(published_module, "open_url", opened.append)
    signed_in(qtbot, listing, env)
    row = listing.model.row_at(0)
    menu = listing.build_menu(row)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Open post",
        "Open on X",
        "Open on Facebook",
        "Open on Google Business Profile",
        "Take down…",
    ]
    menu.actions()[2].trigger()
    assert opened == [dict(row.links())["facebook"]]
    menu.close()


# --- signing out -------------------------------------------------------------------------
def test_signing_out_clears_everything(qtbot: QtBot, listing: PublishedList, env: PageEnv) -> None:
    signed_in(qtbot, listing, env)
    listing.search.setText("floss")
    listing.table.selectRow(0)
    listing.set_user(None)
    assert listing.model.rowCount() == 0
    assert listing.stack.currentWidget() is listing.blank
    assert listing.search.text() == ""
    assert not listing.search.isEnabled()
    assert listing.count_label.text() == ""
    assert not listing.withdraw_button.isEnabled()
    assert listing.selected_row() is None
    # Nothing arrives later from a load that was under way.
    listing.set_user(env.staff.front_desk)
    listing.set_user(None)
    assert listing.runner.wait(5000)
    qtbot.wait(20)
    assert listing.model.rowCount() == 0


def test_only_published_posts_are_listed(
    qtbot: QtBot, listing: PublishedList, env: PageEnv
) -> None:
    signed_in(qtbot, listing, env)
    withdrawn, _ = env.services.composer.list(PostQuery(states=(PostState.WITHDRAWN,)))
    assert withdrawn  # the demo's open house, withdrawn before it was ever published
    assert not set(shown_ids(listing)) & {p.id for p in withdrawn}

"""The Reviews page: filters and search narrow in SQL, sorting by stars, the keyboard (Enter
opens, R goes to the reply), markup in a review shows literally, triage, targets, and signing
out leaves nothing on screen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.reviews.model import Decision, ReviewStatus, Source
from core.reviews.ports import OPEN_STATUSES, ReviewQuery
from gui.hub import SignalHub
from gui.reviews.page import ReviewsPage
from gui.reviews.table import Column, ReviewRole
from gui.tasks import TaskRunner
from tests.gui.reviews_inbox_env import MALICIOUS, InboxEnv, make_inbox, open_review


@pytest.fixture
def inbox(
    qtbot: QtBot,
    clock: ManualClock,
    hub: SignalHub,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[InboxEnv]:
    yield from make_inbox(qtbot, clock, hub, runner, monkeypatch)


def _reload(qtbot: QtBot, page: ReviewsPage, change: object = None) -> None:
    """Wait for the table to show the page's current query."""
    with qtbot.waitSignal(page.model.modelReset, timeout=5000):
        if callable(change):
            change()
        else:
            page.reload()


def _total(inbox: InboxEnv, **query: object) -> int:
    return inbox.env.services.reviews.list(ReviewQuery(**query))[1]  # type: ignore[arg-type]


def test_the_model_is_a_well_behaved_qt_model(qtmodeltester: ModelTester, inbox: InboxEnv) -> None:
    qtmodeltester.check(inbox.page.model)


def test_to_do_shows_open_reviews_counted_in_sql(inbox: InboxEnv) -> None:
    page = inbox.page
    assert page.model.total == _total(inbox, statuses=OPEN_STATUSES)
    assert page.model.rowCount() == min(page.model.total, 100)
    assert page.count_label.text().endswith("reviews")


def test_filters_narrow_in_sql(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    google = page.source_filter.findData(Source.GOOGLE.value)
    _reload(qtbot, page, lambda: page.source_filter.setCurrentIndex(google))
    expected = _total(inbox, statuses=OPEN_STATUSES, sources=(Source.GOOGLE,))
    assert 0 < page.model.total == expected
    rows = [page.model.review_at(r) for r in range(page.model.rowCount())]
    assert {r.source for r in rows} == {Source.GOOGLE}

    one_star = page.rating_filter.findData("1")
    _reload(qtbot, page, lambda: page.rating_filter.setCurrentIndex(one_star))
    expected = _total(inbox, statuses=OPEN_STATUSES, sources=(Source.GOOGLE,), ratings=(1,))
    assert 0 < page.model.total == expected
    assert all(page.model.review_at(r).rating == 1 for r in range(page.model.rowCount()))

    every = page.status_filter.findData("all")
    _reload(qtbot, page, lambda: page.status_filter.setCurrentIndex(every))
    assert page.model.total == _total(inbox, sources=(Source.GOOGLE,), ratings=(1,))


def test_overdue_and_assigned_to_me_narrow_in_sql(qtbot: QtBot, inbox: InboxEnv) -> None:
    page, env = inbox.page, inbox.env
    reviews = env.services.reviews
    mine = reviews.assign(
        env.staff.front_desk,
        inbox.negative.id or 0,
        inbox.negative.version,
        env.staff.front_desk.id,
    )
    _reload(qtbot, page, lambda: page.mine_chip.setChecked(True))
    assert page.model.total == _total(
        inbox, statuses=OPEN_STATUSES, assignee_id=env.staff.front_desk.id
    )
    assert mine.id in {page.model.review_at(r).id for r in range(page.model.rowCount())}
    _reload(qtbot, page, lambda: page.mine_chip.setChecked(False))

    env.clock.advance(timedelta(days=10))
    _reload(qtbot, page, lambda: page.overdue_chip.setChecked(True))
    expected = _total(inbox, statuses=OPEN_STATUSES, overdue=True)
    assert 0 < page.model.total == expected
    late = page.model.index(0, Column.DUE)
    assert "late" in late.data()
    assert late.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_search_runs_in_sql_and_is_debounced(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    every = page.status_filter.findData("all")
    _reload(qtbot, page, lambda: page.status_filter.setCurrentIndex(every))
    _reload(qtbot, page, lambda: page.search.setText("zanzib"))
    assert page.model.total == _total(inbox, text="zanzib") == 1
    assert page.model.review_at(0).id == inbox.negative.id
    _reload(qtbot, page, page.search.clear)
    assert page.model.total == _total(inbox)


def test_sort_by_stars_happens_in_sql(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    _reload(qtbot, page, lambda: page.table.sort_by(Column.STARS, Qt.SortOrder.AscendingOrder))
    ratings = [page.model.review_at(r).rating or 0 for r in range(page.model.rowCount())]
    assert ratings == sorted(ratings)
    _reload(qtbot, page, lambda: page.table.sort_by(Column.STARS, Qt.SortOrder.DescendingOrder))
    ratings = [page.model.review_at(r).rating or 0 for r in range(page.model.rowCount())]
    assert ratings == sorted(ratings, reverse=True)
    assert page.model.query.order.value == "rating_desc"


def test_a_column_that_cannot_sort_keeps_the_order(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    before = page.model.query.order
    page.table.sort_by(Column.AUTHOR, Qt.SortOrder.AscendingOrder)
    qtbot.wait(50)
    assert page.model.query.order == before
    assert page.table.horizontalHeader().sortIndicatorSection() == Column.DUE


def test_enter_opens_and_r_goes_to_the_reply(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(1, 0))
    wanted = page.model.review_at(1)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.review.id == wanted.id, timeout=5000
    )
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.triage, timeout=5000)
    assert page.triage.isAncestorOf(page.focusWidget())

    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    third = page.model.review_at(2)
    qtbot.keyClick(page.table, Qt.Key.Key_R)
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.review.id == third.id, timeout=5000
    )
    qtbot.waitUntil(page.reply.text.hasFocus, timeout=5000)
    assert page.tabs.currentWidget() is page.reply


def test_markup_in_a_review_shows_literally(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.malicious)
    shown = page.card.text
    assert shown.textFormat() == Qt.TextFormat.PlainText
    assert shown.text() == MALICIOUS
    assert "<b>BOLD</b>" in shown.text()
    assert not shown.openExternalLinks()
    for label in page.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText or "<" not in label.text()
    row = page.model.row_of(inbox.malicious.id or 0)
    snippet = page.model.index(row, Column.SNIPPET).data()
    assert snippet.startswith("Terrible! <b>BOLD</b> <a href=")
    assert page.model.index(row, 0).data(ReviewRole).text == MALICIOUS


def test_triage_to_no_response_needs_a_reason(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    triage = page.triage
    triage.authenticity.button_for(triage.authenticity.values[0]).click()
    triage.review_type.button_for(triage.review_type.values[3]).click()  # troll
    triage.reach.button_for(1).click()
    triage.severity.button_for(2).click()
    assert triage.decision.value() is Decision.NO_RESPONSE  # suggested for a troll
    assert triage.reason.isVisible()
    assert not triage.save_button.isEnabled()
    triage.reason.setText("troll")
    assert not triage.save_button.isEnabled()
    assert "Write down why" in triage.hint.text()
    triage.reason.setText("A known troll account; answering feeds it.")
    assert triage.save_button.isEnabled()
    triage.save_button.click()
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.review.status is ReviewStatus.NO_RESPONSE,
        timeout=5000,
    )
    detail = inbox.env.services.reviews.detail(inbox.negative.id or 0)
    assert detail.assessment is not None
    assert detail.assessment.reason == "A known troll account; answering feeds it."
    assert detail.assessment.assessed_by == inbox.env.staff.front_desk.id
    assert "No response" in triage.status.text()


def test_assigning_from_the_detail(qtbot: QtBot, inbox: InboxEnv) -> None:
    page, staff = inbox.page, inbox.env.staff
    open_review(qtbot, page, inbox.positive)
    combo = page.card.assignee
    index = combo.findData(staff.manager.id)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    qtbot.waitUntil(
        lambda: (
            inbox.env.services.reviews.get(inbox.positive.id or 0).assignee_id == staff.manager.id
        ),
        timeout=5000,
    )
    row = page.model.row_of(inbox.positive.id or 0)
    if row >= 0:
        qtbot.waitUntil(
            lambda: (
                page.model.index(page.model.row_of(inbox.positive.id or 0), Column.ASSIGNEE).data()
                == staff.manager.display_name
            ),
            timeout=5000,
        )


def test_targets(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    _reload(qtbot, page, lambda: page.show_target("filter:overdue"))
    assert page.overdue_chip.isChecked()
    assert page.model.total == _total(inbox, statuses=OPEN_STATUSES, overdue=True)
    _reload(qtbot, page, lambda: page.show_target("filter:awaiting_approval"))
    assert not page.overdue_chip.isChecked()
    assert page.status_filter.currentData() == ReviewStatus.AWAITING_APPROVAL.value
    assert page.model.total == _total(inbox, statuses=(ReviewStatus.AWAITING_APPROVAL,))
    page.show_target("doctor")
    assert page.stack.currentWidget() is page.doctor
    open_review(qtbot, page, inbox.positive)
    assert page.stack.currentWidget() is page.inbox


def test_a_change_elsewhere_reloads(qtbot: QtBot, inbox: InboxEnv, hub: SignalHub) -> None:
    page, env = inbox.page, inbox.env
    before = page.model.total
    from tests.gui.reviews_inbox_env import add_review

    add_review(env, "Brand new review about the parking lot being tiny.", 3)
    with qtbot.waitSignal(page.model.modelReset, timeout=5000):
        hub.data_changed.emit("reviews")
    assert page.model.total == before + 1


def test_signing_out_clears_everything(qtbot: QtBot, inbox: InboxEnv) -> None:
    page = inbox.page
    open_review(qtbot, page, inbox.negative)
    page.search.setText("zanz")
    page.set_user(None)
    assert page.model.rowCount() == 0
    assert page.detail is None
    assert page.card.text.text() == ""
    assert page.reply.text.toPlainText() == ""
    assert page.search.text() == ""
    assert page.right.currentWidget() is page.empty
    texts = [w.text() for w in page.findChildren(QLabel)]
    assert not any("Zanzibar" in t or "Jane Q." in t for t in texts)
    assert not page.table.isEnabled()

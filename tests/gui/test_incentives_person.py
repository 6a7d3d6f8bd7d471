"""The "My points" tab: the balance, one-click feedback asks, logging by hand (what each role
may log), removing a hand-logged entry with a reason, goals with their progress, and the
history a page at a time."""

from __future__ import annotations

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.incentives.model import ContributionKind, Goal
from core.incentives.rules import new_custom_kind
from core.staff.model import StaffMember
from gui.hub import SignalHub
from gui.incentives.history import Column, ContributionRole
from gui.incentives.page import IncentivesPage
from gui.tasks import TaskRunner
from tests.gui.incentives_env import (
    IncentivesEnv,
    build_incentives_env,
    open_as,
    settle_changes,
    show_tab,
)

K = ContributionKind


@pytest.fixture
def inc(qtbot: QtBot, hub: SignalHub, runner: TaskRunner) -> IncentivesEnv:
    return build_incentives_env(qtbot, hub, runner)


def open_mine(qtbot: QtBot, inc: IncentivesEnv, member: StaffMember) -> IncentivesPage:
    page = open_as(qtbot, inc, member)
    show_tab(qtbot, page, "mine")
    qtbot.waitUntil(lambda: page.person.summary is not None, timeout=5000)
    return page


def history(page: IncentivesPage) -> list[tuple[str, str, str]]:
    model = page.person.model
    return [
        (
            model.index(r, Column.WHAT).data(),
            model.index(r, Column.POINTS).data(),
            model.index(r, Column.NOTE).data(),
        )
        for r in range(model.rowCount())
    ]


def test_my_points_show_the_balance_and_the_history(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_mine(qtbot, inc, inc.desk)
    tab = page.person
    assert tab.person_label.text() == "My points"
    assert not tab.person.isVisibleTo(tab)  # nobody else's points to choose
    assert tab.available.text() == "6 points available"
    assert tab.balance_detail.text() == "Earned 6 · spent 0"
    rows = history(page)
    assert len(rows) == 6
    assert ("Post idea sent in", "1", "") in rows
    assert ("Asked a patient for feedback", "1", "logged by themselves") in rows
    assert tab.page_label.text() == "1–6, newest first"
    assert not tab.remove_button.isVisibleTo(tab)


def test_one_click_logs_a_feedback_ask(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_mine(qtbot, inc, inc.desk)
    tab = page.person
    assert tab.feedback_button.text() == "Log: asked a patient for feedback"
    tab.feedback_button.click()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: tab.available.text() == "7 points available", timeout=5000)
    assert tab.notice.text_label.text() == "Asked a patient for feedback: 1 point for Jenna Ortiz."
    assert history(page)[0][0] == "Asked a patient for feedback"
    # The leaderboard heard of it too.
    model = page.leaderboard.model
    qtbot.waitUntil(lambda: page.leaderboard.model.rowCount() > 0, timeout=5000)
    page.tabs.setCurrentWidget(page.leaderboard)
    settle_changes(qtbot, inc)
    assert model.index(0, 2).data() == "7"


def test_the_front_desk_logs_only_for_themselves_and_no_free_points(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    incentives = inc.env.services.incentives
    rules = incentives.rules()
    video = new_custom_kind("Filmed a video", "A short clip for the website", 4)
    incentives.save_rules(
        inc.env.staff.admin, type(rules.value)(rules.value.points, (video,)), rules.version
    )
    page = open_mine(qtbot, inc, inc.desk)
    dialog = page.person.open_log()
    assert dialog is not None
    assert not dialog.person.isEnabled()
    assert [dialog.person.itemText(i) for i in range(dialog.person.count())] == ["Jenna Ortiz"]
    kinds = [dialog.kind.itemData(i) for i in range(dialog.kind.count())]
    assert kinds == [K.FEEDBACK_ASKED.value, video.kind]  # no "something else" with points
    assert not dialog.points.isVisibleTo(dialog)
    dialog.choose_kind(video.kind)
    assert dialog.about.text() == "A short clip for the website (4 points)"
    dialog.note.setPlainText("Front desk tour")
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: page.person.available.text() == "10 points available", timeout=5000)
    assert history(page)[0] == ("Filmed a video", "4", "Front desk tour (logged by themselves)")


def test_a_manager_credits_someone_else_with_a_note_and_points(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    page = open_mine(qtbot, inc, inc.manager)
    tab = page.person
    assert tab.person.isVisibleTo(tab)
    dialog = tab.open_log()
    assert dialog is not None
    assert dialog.person.isEnabled()
    dialog.person.setCurrentIndex(dialog.person.findData(inc.desk.id))
    dialog.choose_kind(K.MANUAL.value)
    assert dialog.points.isVisibleTo(dialog)
    assert not dialog.ok_button.isEnabled()
    dialog.note.setPlainText("Hi")
    assert dialog.hint.text() == "Say in the note what was done (1 more characters)."
    assert not dialog.ok_button.isEnabled()
    dialog.note.setPlainText("Set up the new photo corner")
    dialog.points.setValue(5)
    assert dialog.ok_button.isEnabled()
    assert dialog.hint.text() == ""
    dialog.accept()
    settle_changes(qtbot, inc)
    assert tab.notice.text_label.text() == "Logged: 5 points for Jenna Ortiz."
    assert inc.env.services.incentives.balance(inc.desk.id).earned == 11


def test_a_manager_sees_anyones_points_and_removes_a_hand_logged_entry(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    page = open_mine(qtbot, inc, inc.manager)
    tab = page.person
    doctor = inc.env.staff.doctor
    tab.person.setCurrentIndex(tab.person.findData(doctor.id))
    qtbot.waitUntil(
        lambda: tab.summary is not None and tab.summary.staff_id == doctor.id, timeout=5000
    )
    settle_changes(qtbot, inc)
    assert tab.available.text() == "2 points available"
    assert tab.balance_detail.text() == (
        "Earned 12 · spent 0 · 10 held by a request waiting for a manager"
    )
    assert history(page) == [
        ("Other contribution", "12", "Filmed the intro video (logged by Marcus Bell)")
    ]
    tab.table.selectRow(0)
    assert tab.remove_button.isEnabled()
    dialog = tab.ask_remove()
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    dialog.text.setPlainText("Logged twice by mistake")
    dialog.accept()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: page.person.model.rowCount() == 0, timeout=5000)
    assert inc.env.services.incentives.balance(doctor.id).earned == 0
    assert tab.page_label.text() == "Nothing logged yet."


def test_the_apps_own_credits_cannot_be_removed(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_mine(qtbot, inc, inc.manager)
    tab = page.person
    tab.show_person(inc.desk.id)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 6, timeout=5000)
    row = next(
        r
        for r in range(tab.model.rowCount())
        if tab.model.index(r, 0).data(ContributionRole).kind == K.POST_IDEA
    )
    tab.table.selectRow(row)
    assert not tab.remove_button.isEnabled()
    assert "cannot be removed" in tab.remove_button.toolTip()


def test_goals_show_their_progress_and_managers_set_them(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_mine(qtbot, inc, inc.manager)
    tab = page.person
    tab.show_person(inc.desk.id)
    qtbot.waitUntil(lambda: tab.summary is not None and tab.summary.staff_id == inc.desk.id)
    dialog = tab.open_goal(None)
    assert dialog is not None
    dialog.kind.setCurrentIndex(dialog.kind.findData(K.POST_IDEA.value))
    dialog.count.setValue(4)
    dialog.accept()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: len(tab.goal_rows) == 1, timeout=5000)
    row = tab.goal_rows[0]
    assert row.title.text() == "4 ideas a month"
    assert row.figure.text() == "3 of 4 · November 2026"
    assert (row.bar.value(), row.bar.maximum()) == (3, 4)
    # The front desk sees their goal, without editing it.
    page.set_user(inc.desk)
    show_tab(qtbot, page, "mine")
    qtbot.waitUntil(lambda: len(page.person.goal_rows) == 1, timeout=5000)
    assert not page.person.add_goal_button.isVisibleTo(page.person)
    assert page.person.goal_rows[0].title.text() == "4 ideas a month"


def test_a_goal_saved_by_someone_else_meanwhile_is_reported(
    qtbot: QtBot, inc: IncentivesEnv, shown_errors: list[BaseException]
) -> None:
    incentives = inc.env.services.incentives
    goal = incentives.save_goal(
        inc.manager, Goal(None, inc.desk.id, K.POST_IDEA.value, 2, "month", 2026)
    )
    page = open_mine(qtbot, inc, inc.manager)
    tab = page.person
    tab.show_person(inc.desk.id)
    qtbot.waitUntil(lambda: len(tab.goal_rows) == 1, timeout=5000)
    incentives.save_goal(inc.env.staff.admin, goal)  # someone else saves first
    dialog = tab.open_goal(tab.goal_rows[0].progress.goal)
    assert dialog is not None
    dialog.count.setValue(5)
    dialog.accept()
    settle_changes(qtbot, inc)
    assert [type(e).__name__ for e in shown_errors] == ["EditConflict"]


def test_history_pages_through_many_entries(
    qtbot: QtBot, qtmodeltester: ModelTester, inc: IncentivesEnv
) -> None:
    incentives = inc.env.services.incentives
    for _ in range(60):
        incentives.add_manual(inc.desk, inc.desk.id, K.FEEDBACK_ASKED, "")
    page = open_mine(qtbot, inc, inc.desk)
    tab = page.person
    assert tab.model.rowCount() == 50
    assert tab.page_label.text() == "1–50, newest first"
    assert tab.older_button.isEnabled()
    assert not tab.newer_button.isEnabled()
    qtmodeltester.check(tab.model)
    tab.older_button.click()
    qtbot.waitUntil(lambda: tab.model.offset == 50, timeout=5000)
    assert tab.model.rowCount() == 16
    assert tab.page_label.text() == "51–66, newest first"
    assert not tab.older_button.isEnabled()
    assert tab.newer_button.isEnabled()

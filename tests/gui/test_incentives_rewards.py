"""The Rewards tab: requesting (or why not yet), cancelling while pending, managers deciding
others' requests (never their own) and editing the catalogue, whose names are checked like
the rules."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from core.incentives.model import ContributionKind, RedemptionStatus
from core.staff.model import StaffMember
from gui.hub import SignalHub
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


def open_rewards(qtbot: QtBot, inc: IncentivesEnv, member: StaffMember) -> IncentivesPage:
    page = open_as(qtbot, inc, member)
    show_tab(qtbot, page, "rewards")
    return page


def test_a_reward_out_of_reach_says_how_many_points_are_missing(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    page = open_rewards(qtbot, inc, inc.desk)
    tab = page.rewards
    assert tab.balance_label.text() == "You have 6 points to spend."
    assert inc.coffee.id is not None
    assert inc.lunch.id is not None
    coffee = tab.request_buttons[inc.coffee.id]
    assert not coffee.isEnabled()
    assert coffee.toolTip() == "You need 4 points more to request it."
    assert not tab.add_button.isVisibleTo(tab)
    assert not tab.queue.isVisibleTo(tab)


def test_requesting_holds_the_points_and_cancelling_frees_them(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    incentives = inc.env.services.incentives
    for _ in range(4):
        incentives.add_manual(inc.desk, inc.desk.id, K.FEEDBACK_ASKED, "")
    page = open_rewards(qtbot, inc, inc.desk)
    tab = page.rewards
    assert inc.coffee.id is not None
    request = tab.request_buttons[inc.coffee.id]
    assert request.isEnabled()
    request.click()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: bool(tab.cancel_buttons), timeout=5000)
    assert tab.notice_text().startswith("You asked for Coffee card (10 points).")
    assert tab.balance_label.text() == (
        "You have 0 points to spend. 10 more are held by requests waiting for a manager."
    )
    assert not tab.request_buttons[inc.coffee.id].isEnabled()
    (cancel,) = tab.cancel_buttons.values()
    cancel.click()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: not tab.cancel_buttons, timeout=5000)
    assert tab.balance_label.text() == "You have 10 points to spend."
    mine = incentives.redemptions(staff_id=inc.desk.id)
    assert [r.status for r in mine] == [RedemptionStatus.CANCELLED]


def test_a_manager_approves_a_request_and_declines_another_with_a_note(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    incentives, staff = inc.env.services.incentives, inc.env.staff
    for _ in range(4):
        incentives.add_manual(inc.desk, inc.desk.id, K.FEEDBACK_ASKED, "")
    incentives.sync()  # the three post ideas
    assert inc.coffee.id is not None
    second = incentives.request_redemption(inc.desk, inc.coffee.id)
    page = open_rewards(qtbot, inc, inc.manager)
    tab = page.rewards
    assert tab.queue.isVisibleTo(tab)
    assert inc.pending.id is not None
    assert second.id is not None
    approve, _decline = tab.decide_buttons[inc.pending.id]
    approve.click()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: inc.pending.id not in tab.decide_buttons, timeout=5000)
    assert tab.notice_text() == "Approved: Coffee card for Dr. Helen Okafor."
    assert incentives.balance(staff.doctor.id).spent == 10
    _approve, decline = tab.decide_buttons[second.id]
    decline.click()
    dialog = tab.dialog
    assert dialog is not None
    assert dialog.ok_button.text() == "Decline"
    assert not dialog.ok_button.isEnabled()
    dialog.text.setPlainText("Out of cards this month")
    dialog.accept()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: not tab.decide_buttons, timeout=5000)
    declined = incentives.redemptions(staff_id=inc.desk.id)[0]
    assert declined.status is RedemptionStatus.DECLINED
    assert declined.note == "Out of cards this month"
    # The front desk sees who decided and why.
    page.set_user(inc.desk)
    show_tab(qtbot, page, "rewards")
    assert any(
        "by Marcus Bell · Out of cards this month" in label.text()
        for label in page.rewards.mine.findChildren(QLabel)
    )


def test_a_manager_cannot_decide_their_own_request(qtbot: QtBot, inc: IncentivesEnv) -> None:
    incentives, staff = inc.env.services.incentives, inc.env.staff
    incentives.add_manual(staff.admin, staff.manager.id, K.MANUAL, "Ran the photo day", 20)
    assert inc.lunch.id is not None
    assert inc.coffee.id is not None
    own = incentives.request_redemption(staff.manager, inc.coffee.id)
    page = open_rewards(qtbot, inc, inc.manager)
    assert own.id is not None
    approve, decline = page.rewards.decide_buttons[own.id]
    assert not approve.isEnabled()
    assert not decline.isEnabled()
    assert any(
        "your own request: another manager decides" in label.text()
        for label in page.rewards.queue.findChildren(QLabel)
    )


def test_managers_edit_the_catalogue_and_review_rewards_are_refused(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    page = open_rewards(qtbot, inc, inc.manager)
    tab = page.rewards
    dialog = tab.open_reward(None)
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    assert dialog.hint.text() == "Give the reward a name."
    dialog.name.setText("Bonus for each 5-star review")
    assert not dialog.ok_button.isEnabled()
    assert "5-star reviews" in dialog.hint.text()  # the most specific reason
    assert "16 CFR Part 465" in dialog.hint.text()
    dialog.name.setText("An hour off")
    dialog.cost.setValue(60)
    assert dialog.ok_button.isEnabled()
    assert dialog.hint.text() == ""
    dialog.accept()
    settle_changes(qtbot, inc)
    assert tab.notice_text() == "Saved: An hour off."
    names = {r.name: r.cost for r in inc.env.services.incentives.rewards()}
    assert names["An hour off"] == 60
    # Taking a reward off the catalogue keeps it listed for managers as not offered.
    assert inc.lunch.id is not None
    edit = tab.open_reward(inc.lunch)
    assert edit is not None
    edit.active.setChecked(False)
    edit.accept()
    settle_changes(qtbot, inc)
    assert inc.lunch.id not in tab.request_buttons
    assert "Team lunch" not in {r.name for r in inc.env.services.incentives.rewards()}

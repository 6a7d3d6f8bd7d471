"""The Rules tab: points per kind (saving never changes past credits), the practice's own
kinds with review-tied ones refused live and the reason said, read-only for the front desk,
and how the refusals and the incentive errors read."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from core.errors import EditConflict
from core.incentives.errors import NotEnoughPoints, RuleRefused
from core.incentives.model import ContributionKind
from core.incentives.rules import REFUSALS
from core.staff.model import StaffMember
from gui.errors import message_for
from gui.hub import SignalHub
from gui.incentive_errors import refusal_text
from gui.incentives.page import IncentivesPage
from gui.incentives.rules import RulesTab
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


def open_rules(
    qtbot: QtBot, inc: IncentivesEnv, member: StaffMember
) -> tuple[IncentivesPage, RulesTab]:
    page = open_as(qtbot, inc, member)
    show_tab(qtbot, page, "rules")
    return page, page.rules


def test_the_rules_show_the_default_points_quality_first(qtbot: QtBot, inc: IncentivesEnv) -> None:
    _page, tab = open_rules(qtbot, inc, inc.manager)
    points = {kind: spin.value() for kind, spin in tab.point_spins.items()}
    assert points[K.POST_APPROVED] == points[K.POST_PUBLISHED] == 3
    assert points[K.POST_IDEA] == 1
    assert K.MANUAL.value not in points  # given each time
    assert not tab.save_button.isEnabled()
    assert "does not change past credits" in tab.footer_note.text()


def test_saving_new_points_keeps_past_credits(qtbot: QtBot, inc: IncentivesEnv) -> None:
    incentives = inc.env.services.incentives
    _page, tab = open_rules(qtbot, inc, inc.manager)
    tab.point_spins[K.POST_IDEA].setValue(2)
    assert tab.dirty
    assert tab.save_button.isEnabled()
    tab.save_button.click()
    settle_changes(qtbot, inc)
    qtbot.waitUntil(lambda: not tab.dirty, timeout=5000)
    assert tab.notice.text_label.text() == (
        "Saved. New credits earn these points; past ones keep theirs."
    )
    assert incentives.rules().value.points_for(K.POST_IDEA) == 2
    assert incentives.balance(inc.desk.id).earned == 6  # the three ideas still earn 1 each
    inc.env.services.audit.record(inc.desk, "post.submit", "post", 200)
    incentives.sync()
    assert incentives.balance(inc.desk.id).earned == 8


def test_discarding_brings_back_the_saved_rules(qtbot: QtBot, inc: IncentivesEnv) -> None:
    _page, tab = open_rules(qtbot, inc, inc.manager)
    tab.point_spins[K.REPLY_ON_TIME].setValue(9)
    tab.discard_button.click()
    assert tab.point_spins[K.REPLY_ON_TIME].value() == 2
    assert not tab.dirty


@pytest.mark.parametrize(
    ("name", "description", "code"),
    [
        ("Five-star review bonus", "", "review_sentiment"),
        ("Google rating", "Points when our rating goes up", "review_rating"),
        ("Most reviews this month", "", "review_count"),
        ("Write a review of the practice", "", "staff_review"),
        ("Happy patients", "Ask only happy patients to post", "review_gating"),
    ],
)
def test_review_tied_kinds_are_refused_as_they_are_typed(
    qtbot: QtBot, inc: IncentivesEnv, name: str, description: str, code: str
) -> None:
    _page, tab = open_rules(qtbot, inc, inc.manager)
    dialog = tab.open_add_kind()
    assert dialog is not None
    dialog.name.setText(name)
    dialog.description.setPlainText(description)
    assert dialog.refusals()[0] == code  # the most specific reason is the one said
    assert not dialog.ok_button.isEnabled()
    assert dialog.refusal.text() == refusal_text(code)
    assert dialog.refusal.isVisibleTo(dialog)


def test_adding_an_honest_kind_and_saving_it(qtbot: QtBot, inc: IncentivesEnv) -> None:
    _page, tab = open_rules(qtbot, inc, inc.manager)
    dialog = tab.open_add_kind()
    assert dialog is not None
    dialog.name.setText("Filmed a video")
    dialog.description.setPlainText("A short clip about the practice for the website")
    dialog.points.setValue(4)
    assert dialog.ok_button.isEnabled()
    assert not dialog.refusal.isVisibleTo(dialog)
    dialog.accept()
    assert [c.name for c in tab.custom] == ["Filmed a video"]
    again = tab.open_add_kind()
    assert again is not None
    again.name.setText("Filmed a video!")
    assert again.refusal.text() == "There is already a kind with this name. Choose another."
    again.reject()
    tab.save_button.click()
    settle_changes(qtbot, inc)
    saved = inc.env.services.incentives.rules().value.custom
    assert [(c.slug, c.points) for c in saved] == [("filmed-a-video", 4)]
    # Its points are edited in place, and removing it is a change to save too.
    tab.custom_spins["filmed-a-video"].setValue(6)
    assert tab.dirty
    tab.remove_kind("filmed-a-video")
    assert tab.custom == []
    assert tab.dirty


def test_the_front_desk_reads_the_rules_but_cannot_change_them(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    _page, tab = open_rules(qtbot, inc, inc.desk)
    assert all(spin.isReadOnly() for spin in tab.point_spins.values())
    assert not tab.save_button.isVisibleTo(tab)
    assert not tab.add_kind_button.isVisibleTo(tab)
    assert tab.open_add_kind() is None
    assert "office manager or an admin sets the points" in tab.footer_note.text()


def test_rules_saved_elsewhere_meanwhile_are_reported_not_overwritten(
    qtbot: QtBot, inc: IncentivesEnv, shown_errors: list[BaseException]
) -> None:
    incentives = inc.env.services.incentives
    _page, tab = open_rules(qtbot, inc, inc.manager)
    current = incentives.rules()
    incentives.save_rules(inc.env.staff.admin, current.value, current.version)
    tab.point_spins[K.POST_IDEA].setValue(5)
    tab.save_button.click()
    settle_changes(qtbot, inc)
    assert [type(e) for e in shown_errors] == [EditConflict]
    assert incentives.rules().value.points_for(K.POST_IDEA) == 1
    assert tab.dirty  # the edit is still there to save again


def test_every_refusal_and_incentive_error_reads_plainly() -> None:
    for code in REFUSALS:
        text = refusal_text(code)
        assert text != refusal_text("unknown")
        assert text.endswith((".", ")"))
    title, text = message_for(
        RuleRefused("x", field="custom", reasons=["review_rating", "review_count"])
    )
    assert title == "This cannot be rewarded"
    assert text == refusal_text("review_rating") + "\n" + refusal_text("review_count")
    title, text = message_for(NotEnoughPoints("x", available=6, cost=10))
    assert (title, text) == (
        "Not enough points yet",
        "This reward costs 10 points and 6 are free to spend.",
    )

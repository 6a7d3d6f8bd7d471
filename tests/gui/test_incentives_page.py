"""The Incentives page: registered lazily in the window, credits new audit events when shown,
the leaderboard and its chart, month stepping, the export, signing out, and how Today and
the audit viewer word the incentive log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.incentives.model import ContributionKind
from core.today.model import AttentionItem, Severity
from gui.hub import SignalHub
from gui.incentives import page as page_module
from gui.incentives.leaderboard import Column, RowRole
from gui.lazy_page import LazyPage
from gui.run import build_window, default_pages, settle
from gui.tasks import TaskRunner
from gui.today.page import TodayPage
from gui.today.wording import WordingContext, word
from tests.gui.incentives_env import (
    NOW,
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


def board(inc: IncentivesEnv) -> dict[str, tuple[str, str, str]]:
    """The leaderboard as shown: name → (rank, points, what for)."""
    model = inc.page.leaderboard.model
    return {
        model.index(r, Column.NAME).data(): (
            model.index(r, Column.RANK).data(),
            model.index(r, Column.POINTS).data(),
            model.index(r, Column.WHAT).data(),
        )
        for r in range(model.rowCount())
    }


# --- registration ----------------------------------------------------------------------------
def test_the_window_builds_the_page_lazily_and_opens_it(
    qtbot: QtBot, inc: IncentivesEnv, window_settings
) -> None:
    spec = next(s for s in default_pages() if s.page_id == "incentives")
    window = build_window(inc.env.services, inc.hub, inc.runner, [spec], window_settings)
    qtbot.addWidget(window)
    holder = window.pages[0]
    assert isinstance(holder, LazyPage)
    assert holder.inner is None  # nothing built before it is shown
    window.sign_in(inc.desk)
    window.go_to("incentives")
    settle(inc.runner)
    assert isinstance(holder.inner, page_module.IncentivesPage)
    qtbot.waitUntil(lambda: holder.inner is not None and holder.inner.loaded, timeout=5000)


# --- leaderboard -----------------------------------------------------------------------------
def test_showing_the_page_credits_new_audit_events_once(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_as(qtbot, inc, inc.desk)
    rows = board(inc)
    # Three ideas (1 point each, credited from the audit trail) and three feedback asks.
    assert rows["Jenna Ortiz"] == ("1", "6", "3 ideas · 3 feedback asks")
    assert page.leaderboard.month_label.text() == "November 2026"
    # Opening again (a second sync) credits nothing twice.
    page.refresh()
    qtbot.waitUntil(lambda: not inc.runner.busy, timeout=5000)
    settle_changes(qtbot, inc)
    assert board(inc)["Jenna Ortiz"][1] == "6"
    assert inc.env.services.incentives.balance(inc.desk.id).earned == 6


def test_new_work_appears_when_the_page_is_shown_again(qtbot: QtBot, inc: IncentivesEnv) -> None:
    open_as(qtbot, inc, inc.desk)
    inc.env.services.audit.record(inc.desk, "post.submit", "post", 104)
    inc.page.refresh()
    settle_changes(qtbot, inc)
    assert board(inc)["Jenna Ortiz"][1] == "7"


def test_stepping_months_shows_each_months_points(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_as(qtbot, inc, inc.desk)
    tab = page.leaderboard
    assert not tab.next_button.isEnabled()  # no future months
    tab.previous_button.click()
    settle_changes(qtbot, inc)
    assert tab.month_label.text() == "October 2026"
    assert tab.next_button.isEnabled()
    rows = board(inc)
    assert rows == {"Dr. Helen Okafor": ("1", "12", "1 other")}  # nobody listed at zero
    assert tab.model.index(0, 0).data(RowRole).staff_id == inc.env.staff.doctor.id
    for _ in range(10):
        tab.previous_button.click()
    settle_changes(qtbot, inc)
    assert tab.month_label.text() == "December 2025"
    assert tab.empty_label.isVisibleTo(tab)
    assert tab.empty_label.text() == "Nobody earned points in December 2025."


def test_the_chart_stacks_the_years_points_by_kind(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_as(qtbot, inc, inc.desk)
    chart = page.leaderboard.chart
    qtbot.waitUntil(lambda: bool(chart.stacks), timeout=5000)
    assert chart.stacks[K.POST_IDEA][10] == 3  # November: three ideas
    assert chart.stacks[K.FEEDBACK_ASKED][10] == 3
    assert chart.stacks[K.MANUAL][9] == 12  # October: the doctor's video
    assert chart.totals()[9:11] == [12, 6]
    assert chart.legend_names == ["Ideas", "Feedback asked", "Other"]
    assert "Feedback&nbsp;asked" in chart.legend.text()  # a name never breaks across lines
    # One person's year.
    combo = page.leaderboard.chart_person
    combo.setCurrentIndex(combo.findData(inc.env.staff.doctor.id))
    settle_changes(qtbot, inc)
    assert chart.totals()[9:11] == [12, 0]
    assert set(chart.stacks) == {K.MANUAL}


def test_the_leaderboard_model_is_a_well_behaved_qt_model(
    qtbot: QtBot, qtmodeltester: ModelTester, inc: IncentivesEnv
) -> None:
    page = open_as(qtbot, inc, inc.desk)
    qtmodeltester.check(page.leaderboard.model)


def test_ties_share_a_rank(qtbot: QtBot, inc: IncentivesEnv) -> None:
    staff = inc.env.staff
    incentives = inc.env.services.incentives
    incentives.add_manual(staff.admin, staff.doctor.id, K.MANUAL, "Wrote the blog post", 6)
    incentives.add_manual(staff.admin, staff.manager.id, K.MANUAL, "Set up the photo corner", 2)
    open_as(qtbot, inc, inc.desk)
    rows = board(inc)
    assert rows["Jenna Ortiz"][0] == rows["Dr. Helen Okafor"][0] == "1"
    assert rows["Marcus Bell"][0] == "3"


# --- export ----------------------------------------------------------------------------------
def test_managers_export_a_month_as_csv_off_the_gui_thread(
    qtbot: QtBot, inc: IncentivesEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_as(qtbot, inc, inc.manager)
    assert page.export_button.isVisibleTo(page)
    target = tmp_path / "november.csv"
    asked: list[str] = []
    monkeypatch.setattr(
        page_module, "ask_save_path", lambda _p, name: asked.append(name) or str(target)
    )
    dialog = page.open_export()
    assert dialog is not None
    assert dialog.choice() == (2026, 11)
    dialog.accept()
    settle_changes(qtbot, inc)
    assert asked == ["contributions-2026-11.csv"]
    text = target.read_text(encoding="utf-8")
    assert text.count("\n") >= 7  # a header and six contributions
    assert "Jenna Ortiz" in text
    assert page.notice_text() == (f"The contributions of November 2026 were saved to {target}.")


def test_the_export_of_a_whole_year_and_an_unwritable_folder(
    qtbot: QtBot, inc: IncentivesEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_as(qtbot, inc, inc.manager)
    missing = tmp_path / "no-such-folder" / "year.csv"
    monkeypatch.setattr(page_module, "ask_save_path", lambda _p, _n: str(missing))
    dialog = page.open_export()
    assert dialog is not None
    dialog.span.setCurrentIndex(dialog.span.findData("year"))
    assert not dialog.month.isVisibleTo(dialog)
    assert dialog.choice() == (2026, None)
    dialog.accept()
    settle_changes(qtbot, inc)
    assert page.notice_text().startswith("The file could not be saved there (")
    assert not missing.exists()


def test_front_desk_has_no_export(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_as(qtbot, inc, inc.desk)
    assert not page.export_button.isVisibleTo(page)


# --- signing out -----------------------------------------------------------------------------
def test_signing_out_clears_every_tab(qtbot: QtBot, inc: IncentivesEnv) -> None:
    page = open_as(qtbot, inc, inc.manager)
    show_tab(qtbot, page, "redemptions")
    assert page.rewards.decide_buttons
    page.set_user(None)
    assert page.leaderboard.model.rowCount() == 0
    assert page.leaderboard.chart.stacks == {}
    assert page.person.model.rowCount() == 0
    assert page.rewards.decide_buttons == {}
    assert page.tabs.currentWidget() is page.leaderboard
    settle_changes(qtbot, inc)
    assert page.leaderboard.model.rowCount() == 0  # late answers are dropped


# --- Today and the audit trail ---------------------------------------------------------------
CTX = WordingContext(NOW, ZoneInfo("America/Chicago"))


def pending_item(count: int) -> AttentionItem:
    return AttentionItem(
        "incentive.redemptions",
        "incentive_redemptions_pending",
        Severity.INFO,
        "incentives",
        due=datetime(2026, 11, 1, tzinfo=UTC),
        target="redemptions",
        params={"count": count},
    )


def test_today_words_pending_requests_by_count() -> None:
    one = word(pending_item(1), CTX)
    assert one.title == "A reward request waits for a decision"
    assert one.action == "Open reward requests"
    assert "nobody decides on their own request" in one.detail
    assert word(pending_item(3), CTX).title == "3 reward requests wait for a decision"
    assert word(pending_item(0), CTX).title == "Something needs a look"


def test_today_shows_managers_the_pending_request_and_jumps_to_it(
    qtbot: QtBot, inc: IncentivesEnv
) -> None:
    today = TodayPage(inc.env.services, inc.hub, inc.runner)
    qtbot.addWidget(today)
    today.set_user(inc.manager)
    qtbot.waitUntil(lambda: today.loaded, timeout=5000)
    rows = {row.item.kind: row for row in today.view.rows()}
    row = rows["incentive_redemptions_pending"]
    assert row.title_label.text() == "A reward request waits for a decision"
    with qtbot.waitSignal(inc.hub.navigate, timeout=2000) as blocker:
        row.action_button.click()
    assert blocker.args == ["incentives", "redemptions"]
    page = open_as(qtbot, inc, inc.manager)
    show_tab(qtbot, page, blocker.args[1])
    assert page.tabs.currentWidget() is page.rewards
    # The front desk may not decide: Today does not show it to them.
    today.set_user(inc.desk)
    qtbot.waitUntil(lambda: today.loaded, timeout=5000)
    assert "incentive_redemptions_pending" not in {r.item.kind for r in today.view.rows()}


def test_every_incentive_audit_action_is_worded() -> None:
    from gui.settings.messages import action_label

    root = Path(__file__).resolve().parents[2] / "core" / "incentives"
    written = {
        m
        for path in root.rglob("*.py")
        for m in re.findall(r'"(incentive\.[a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    written.discard("incentive.redemptions")  # Today's item key, not an audit action
    assert {"incentive.add", "incentive.redeem_request", "incentive.export"} <= written
    assert sorted(code for code in written if action_label(code) == code) == []

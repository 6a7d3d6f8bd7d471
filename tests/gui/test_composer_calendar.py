"""The posting calendar over the demo practice: the month and week grids, moving a scheduled
post by dropping it on another day (and the refusals), keyboard use, the platform filter, the
``.ics`` export, and signing out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from core.composer.calendar import CalendarMode
from core.composer.model import PostState
from core.composer.ports import PostQuery
from core.errors import EditConflict
from gui.composer import calendar as calendar_module
from gui.composer.cal_cells import DayCell, EntryChip
from gui.composer.calendar import CalendarView
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv

CHICAGO = ZoneInfo("America/Chicago")
TODAY = date(2026, 11, 2)  # the test clock: 2 November 2026, 09:00 UTC (03:00 in Chicago)


@pytest.fixture
def view(qtbot: QtBot, env: PageEnv, runner: TaskRunner) -> CalendarView:
    widget = CalendarView(env.services, runner)
    widget.first_weekday = 6  # Sunday, as in the US
    widget.resize(1200, 700)
    qtbot.addWidget(widget)
    return widget


def signed_in(qtbot: QtBot, view: CalendarView, env: PageEnv) -> CalendarView:
    view.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: view.loaded, timeout=5000)
    return view


def reload(qtbot: QtBot, view: CalendarView) -> None:
    view.loaded = False
    view.refresh()
    qtbot.waitUntil(lambda: view.loaded, timeout=5000)


def plain(text: str) -> str:
    """Text with the locale's narrow no-break spaces ("5:00\u202fAM") as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def chips_on(view: CalendarView, day: date) -> list[EntryChip]:
    cell = view.cell_for(day)
    assert cell is not None
    return cell.chips


def drop(cell: DayCell, chip: EntryChip) -> None:
    """Drop ``chip``'s drag payload on ``cell`` through the cell's own drop handling."""
    data = chip.mime_data()
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.MoveAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    cell.dropEvent(event)
    assert event.isAccepted()


def scheduled_chip(view: CalendarView) -> EntryChip:
    return next(c for c in view.chips() if c.entry.state is PostState.SCHEDULED)


# --- the grid ----------------------------------------------------------------------------
def test_month_shows_this_weeks_scheduled_posts(
    qtbot: QtBot, view: CalendarView, env: PageEnv
) -> None:
    signed_in(qtbot, view, env)
    assert view.title.text() == "November 2026"
    assert view.stack.currentWidget() is view.grid_page
    assert len(view.cells()) == 42
    scheduled, _ = env.services.composer.list(PostQuery(states=(PostState.SCHEDULED,)))
    assert len(scheduled) == 4
    shown = {c.entry.post_id for c in view.chips() if c.entry.state is PostState.SCHEDULED}
    assert shown == {p.id for p in scheduled}
    for post in scheduled:
        assert post.scheduled_at is not None
        day = post.scheduled_at.astimezone(CHICAGO).date()
        assert TODAY < day <= TODAY + timedelta(days=4)
        assert post.id in [c.entry.post_id for c in chips_on(view, day)]
    # The post published on 1 November (04:05 in Chicago) is on its day, and green.
    (published,) = chips_on(view, date(2026, 11, 1))
    assert published.entry.state is PostState.PUBLISHED
    assert published.entry.local_time == time(4, 5)


def test_today_is_highlighted_and_other_months_days_are_muted(
    qtbot: QtBot, view: CalendarView, env: PageEnv
) -> None:
    signed_in(qtbot, view, env)
    today = view.cell_for(TODAY)
    assert today is not None
    assert today.property("today") == "true"
    assert [c.day for c in view.cells() if c.property("today") == "true"] == [TODAY]
    december = view.cell_for(date(2026, 12, 1))
    assert december is not None
    assert december.property("outside") == "true"
    assert view.cells()[0].day == date(2026, 11, 1)  # weeks start on Sunday here


def test_chips_say_what_they_are(qtbot: QtBot, view: CalendarView, env: PageEnv) -> None:
    signed_in(qtbot, view, env)
    chip = chips_on(view, date(2026, 11, 5))[0]
    post = env.services.composer.get(chip.entry.post_id)
    assert plain(chip.time_text) == "5:00 AM"
    assert chip.platform_text == "FB, Google"
    assert chip.entry.title == post.master_text[:39].rstrip() + "…"
    name = plain(chip.accessibleName())
    assert name.startswith("Scheduled post, Thursday, November 5, 2026, 5:00 AM")
    assert "Facebook, Google Business Profile" in name
    assert chip.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_navigation_week_mode_and_empty_state(
    qtbot: QtBot, view: CalendarView, env: PageEnv
) -> None:
    signed_in(qtbot, view, env)
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.title.text() == "December 2026", timeout=5000)
    assert view.stack.currentWidget() is view.empty
    assert view.empty.title_label.text() == "Nothing scheduled in December 2026"

    qtbot.mouseClick(view.today_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.title.text() == "November 2026", timeout=5000)
    qtbot.mouseClick(view.week_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.mode is CalendarMode.WEEK and view.loaded, timeout=5000)
    qtbot.waitUntil(lambda: len(view.cells()) == 7, timeout=5000)
    assert view.title.text() == "Nov 1 – 7, 2026"
    assert view.week_button.isChecked()
    assert len(view.chips()) == 5
    qtbot.mouseClick(view.prev_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.title.text() == "Oct 25 – 31, 2026", timeout=5000)
    assert all(c.entry.state is PostState.PUBLISHED for c in view.chips())


def test_platform_filter_shows_only_that_platforms_posts(
    qtbot: QtBot, view: CalendarView, env: PageEnv
) -> None:
    signed_in(qtbot, view, env)
    everything = len(view.chips())
    view.set_platform("x")
    assert 0 < len(view.chips()) < everything
    assert all("x" in c.entry.platforms for c in view.chips())
    view.set_platform("linkedin")
    assert view.stack.currentWidget() is view.empty
    assert view.empty.title_label.text() == "No LinkedIn posts in November 2026"
    view.set_platform("")
    assert len(view.chips()) == everything


def test_a_crowded_day_shows_more_and_opens_its_week(
    qtbot: QtBot, view: CalendarView, env: PageEnv
) -> None:
    composer, front = env.services.composer, env.staff.front_desk
    approved, _ = composer.list(PostQuery(states=(PostState.APPROVED,)))
    at = datetime(2026, 11, 5, 16, 0, tzinfo=CHICAGO)
    for i, post in enumerate(approved):
        assert post.id is not None
        composer.schedule(front, post.id, post.version, at + timedelta(minutes=i))
    signed_in(qtbot, view, env)
    cell = view.cell_for(date(2026, 11, 5))
    assert cell is not None
    assert len(cell.chips) == 1
    assert not cell.more_button.isHidden()
    assert cell.more_button.text() == f"+{len(approved)} more"
    qtbot.mouseClick(cell.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.mode is CalendarMode.WEEK and len(view.cells()) == 7)
    qtbot.waitUntil(lambda: view.loaded)
    assert len(chips_on(view, date(2026, 11, 5))) == len(approved) + 1


# --- moving posts ------------------------------------------------------------------------
def test_dropping_a_scheduled_post_on_another_day_reschedules_it(
    qtbot: QtBot, view: CalendarView, env: PageEnv
) -> None:
    signed_in(qtbot, view, env)
    chip = chips_on(view, date(2026, 11, 3))[0]
    post_id, before = chip.entry.post_id, env.services.composer.get(chip.entry.post_id)
    target = view.cell_for(date(2026, 11, 17))
    assert target is not None
    assert before.scheduled_at is not None
    with qtbot.waitSignal(view.changed, timeout=5000):
        drop(target, chip)
    after = env.services.composer.get(post_id)
    assert after.state is PostState.SCHEDULED
    assert after.version == before.version + 1
    assert after.scheduled_at == before.scheduled_at + timedelta(days=14)
    assert after.scheduled_at.astimezone(CHICAGO).time() == time(5, 0)
    assert view.notice_tone == "success"
    assert plain(view.notice_text()) == "Moved to Tuesday, November 17, 2026 at 5:00 AM."
    qtbot.waitUntil(
        lambda: post_id in [c.entry.post_id for c in chips_on(view, date(2026, 11, 17))]
    )
    assert post_id not in [c.entry.post_id for c in chips_on(view, date(2026, 11, 3))]
    history = env.services.composer.history(post_id).transitions
    assert history[-1].action == "reschedule"


def test_moving_into_a_past_day_is_refused(
    qtbot: QtBot, view: CalendarView, env: PageEnv, shown_errors: list[BaseException]
) -> None:
    signed_in(qtbot, view, env)
    chip = chips_on(view, date(2026, 11, 3))[0]
    before = env.services.composer.get(chip.entry.post_id)
    past = view.cell_for(date(2026, 11, 1))
    assert past is not None
    assert past.past
    drop(past, chip)
    assert view.notice_tone == "warning"
    assert "has already passed" in view.notice_text()
    assert env.services.composer.get(chip.entry.post_id) == before
    assert shown_errors == []


def test_a_published_post_cannot_be_moved(qtbot: QtBot, view: CalendarView, env: PageEnv) -> None:
    signed_in(qtbot, view, env)
    (chip,) = chips_on(view, date(2026, 11, 1))
    before = env.services.composer.get(chip.entry.post_id)
    target = view.cell_for(date(2026, 11, 10))
    assert target is not None
    drop(target, chip)
    assert view.notice_tone == "warning"
    assert "already published" in view.notice_text()
    assert env.services.composer.get(chip.entry.post_id) == before
    # Starting to drag it says so too, before anything is dropped.
    view._clear_notice()
    chip.drag_refused.emit(chip.entry)
    assert "Only scheduled posts can be moved" in view.notice_text()


def test_a_conflicting_move_is_shown_and_the_calendar_reloads(
    qtbot: QtBot, view: CalendarView, env: PageEnv, shown_errors: list[BaseException]
) -> None:
    signed_in(qtbot, view, env)
    chip = chips_on(view, date(2026, 11, 4))[0]
    post = env.services.composer.get(chip.entry.post_id)
    assert post.id is not None
    assert post.scheduled_at is not None
    # Another workstation moves it first.
    env.services.composer.schedule(
        env.staff.manager, post.id, post.version, post.scheduled_at + timedelta(hours=1)
    )
    target = view.cell_for(date(2026, 11, 12))
    assert target is not None
    drop(target, chip)
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)
    assert isinstance(shown_errors[0], EditConflict)
    qtbot.waitUntil(
        lambda: any(
            c.entry.post_id == post.id and c.entry.version == post.version + 1 for c in view.chips()
        ),
        timeout=5000,
    )


def test_keyboard_opens_moves_and_walks_the_chips(
    qtbot: QtBot, view: CalendarView, env: PageEnv
) -> None:
    signed_in(qtbot, view, env)
    view.show()
    qtbot.waitExposed(view)
    first = view.chips()[0]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    with qtbot.waitSignal(view.open_post) as opened:
        qtbot.keyClick(first, Qt.Key.Key_Return)
    assert opened.args == [first.entry.post_id]
    qtbot.keyClick(first, Qt.Key.Key_Right)
    assert view.chips()[1].hasFocus()

    chip = scheduled_chip(view)
    post_id = chip.entry.post_id
    before = env.services.composer.get(post_id)
    assert before.scheduled_at is not None
    with qtbot.waitSignal(view.changed, timeout=5000):
        qtbot.keyClick(chip, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert env.services.composer.get(post_id).scheduled_at == before.scheduled_at + timedelta(
        days=1
    )
    qtbot.waitUntil(lambda: view.loaded and any(c.hasFocus() for c in view.chips()))
    focused = next(c for c in view.chips() if c.hasFocus())
    assert focused.entry.post_id == post_id


def test_double_click_opens_the_post(qtbot: QtBot, view: CalendarView, env: PageEnv) -> None:
    signed_in(qtbot, view, env)
    chip = scheduled_chip(view)
    with qtbot.waitSignal(view.open_post) as opened:
        qtbot.mouseDClick(chip, Qt.MouseButton.LeftButton)
    assert opened.args == [chip.entry.post_id]


# --- export ------------------------------------------------------------------------------
def test_export_writes_a_calendar_file_that_reads_back(
    qtbot: QtBot,
    view: CalendarView,
    env: PageEnv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "maple grove.ics"
    suggested: list[str] = []

    def choose(_parent: object, name: str) -> str:
        suggested.append(name)
        return str(target)

    monkeypatch.setattr(calendar_module, "ask_save_path", choose)
    signed_in(qtbot, view, env)
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.notice_tone == "success", timeout=5000)
    assert suggested[0].endswith("Maple Grove Family Dental posts.ics")
    calendar = Calendar.from_ical(target.read_bytes())
    events = calendar.walk("VEVENT")
    scheduled, _ = env.services.composer.list(PostQuery(states=(PostState.SCHEDULED,)))
    published, _ = env.services.composer.list(PostQuery(states=(PostState.PUBLISHED,)))
    assert len(events) == len(scheduled) + len(published)
    assert all(str(e["SUMMARY"]).startswith("Post: ") for e in events)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert str(target) in view.notice_text()
    assert f"Saved {len(events)} posts" in view.notice_text()
    assert view.export_button.isEnabled()


def test_export_to_an_unwritable_place_says_so(
    qtbot: QtBot,
    view: CalendarView,
    env: PageEnv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "no such folder" / "posts.ics"
    monkeypatch.setattr(calendar_module, "ask_save_path", lambda _p, _n: str(missing))
    signed_in(qtbot, view, env)
    view.export()
    qtbot.waitUntil(lambda: view.notice_tone == "danger", timeout=5000)
    assert "could not be saved" in view.notice_text()
    assert not missing.exists()


def test_cancelled_export_writes_nothing(
    qtbot: QtBot, view: CalendarView, env: PageEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar_module, "ask_save_path", lambda _p, _n: None)
    signed_in(qtbot, view, env)
    view.export()
    assert view.notice_text() == ""
    assert view.export_button.isEnabled()


# --- signing out -------------------------------------------------------------------------
def test_signing_out_clears_everything(qtbot: QtBot, view: CalendarView, env: PageEnv) -> None:
    signed_in(qtbot, view, env)
    view._refuse_entry(view.chips()[0].entry)
    assert view.chips()
    view.set_user(None)
    assert view.chips() == []
    assert view.cells() == []
    assert view.title.text() == ""
    assert view.notice_text() == ""
    assert view.stack.currentWidget() is view.blank
    assert not view.export_button.isEnabled()
    assert not view.next_button.isEnabled()
    # A load still under way when the person signed out shows nothing.
    view.set_user(env.staff.front_desk)
    view.set_user(None)
    qtbot.wait(50)
    env_runner_idle = view.runner.wait(5000)
    assert env_runner_idle
    qtbot.wait(20)
    assert view.cells() == []
    assert view.stack.currentWidget() is view.blank


def test_load_failures_are_shown(
    qtbot: QtBot,
    view: CalendarView,
    env: PageEnv,
    shown_errors: list[BaseException],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_query: PostQuery) -> None:
        raise EditConflict("boom")

    monkeypatch.setattr(env.services.composer, "list", broken)
    view.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)
    assert isinstance(shown_errors[0], EditConflict)

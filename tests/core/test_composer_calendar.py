"""The posting calendar's pure parts: grids in the practice's zone, query windows, moving a post
to another day across daylight-saving changes, and the iCalendar export read back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from core.app import Services
from core.composer.calendar import (
    CalendarMode,
    entries_for,
    event_uid,
    export_ics,
    fetch_all,
    month_days,
    month_grid,
    month_window,
    reschedule_to_day,
    short_title,
    week_days,
    week_grid,
    week_window,
    window_queries,
)
from core.composer.model import Post, PostState, Variant
from core.composer.ports import PostQuery
from core.demo import DemoStaff

CHICAGO = ZoneInfo("America/Chicago")
MONDAY, SUNDAY = 0, 6
PRACTICE = "Maple Grove Family Dental"


def post(
    post_id: int,
    *,
    state: PostState = PostState.SCHEDULED,
    at: datetime | None = None,
    text: str = "Flu season reminder: wash your hands.",
    platforms: tuple[str, ...] = ("facebook", "gbp"),
    version: int = 3,
) -> Post:
    created = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    return Post(
        id=post_id,
        master_text=text,
        platforms=platforms,
        variants=MappingProxyType({p: Variant(p, text) for p in platforms}),
        state=state,
        author_id=1,
        last_editor_id=1,
        created_at=created,
        updated_at=created + timedelta(days=post_id),
        scheduled_at=at
        if state is not PostState.PUBLISHED
        else at - timedelta(minutes=5)
        if at
        else None,
        published_at=at if state is PostState.PUBLISHED else None,
        version=version,
    )


# --- days and windows ------------------------------------------------------------------------
def test_month_grid_has_six_weeks_starting_on_the_chosen_weekday() -> None:
    sunday_first = month_days(2026, 11, SUNDAY)
    monday_first = month_days(2026, 11, MONDAY)
    assert len(sunday_first) == len(monday_first) == 42
    assert sunday_first[0] == date(2026, 11, 1)  # 1 November 2026 is a Sunday
    assert monday_first[0] == date(2026, 10, 26)
    assert monday_first[-1] == date(2026, 12, 6)
    assert all(d.weekday() == SUNDAY for d in sunday_first[::7])
    assert week_days(date(2026, 11, 4), MONDAY)[0] == date(2026, 11, 2)
    assert week_days(date(2026, 11, 4), SUNDAY)[0] == date(2026, 11, 1)


def test_first_weekday_must_be_a_weekday() -> None:
    with pytest.raises(ValueError, match="first_weekday"):
        month_days(2026, 11, 7)


def test_month_window_spans_local_midnights_across_the_dst_change() -> None:
    start, end = month_window(2026, 11, MONDAY, CHICAGO)
    # 26 October is still daylight time (UTC-5); 7 December is standard time (UTC-6).
    assert start == datetime(2026, 10, 26, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def test_week_window_holding_the_fall_back_sunday_is_one_hour_longer() -> None:
    start, end = week_window(date(2026, 10, 28), MONDAY, CHICAGO)
    assert start == datetime(2026, 10, 26, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    assert end - start == timedelta(days=7, hours=1)


def test_window_queries_ask_for_scheduled_and_published_posts_in_the_window() -> None:
    start, end = week_window(date(2026, 11, 4), SUNDAY, CHICAGO)
    scheduled, published = window_queries(start, end)
    assert set(scheduled.states) == {PostState.SCHEDULED, PostState.PUBLISHING, PostState.FAILED}
    assert (scheduled.scheduled_from, scheduled.scheduled_to) == (start, end)
    assert list(published.states) == [PostState.PUBLISHED]
    assert (published.published_from, published.published_to) == (start, end)


def test_fetch_all_pages_through_every_match() -> None:
    posts = [post(i, at=datetime(2026, 11, 3, 15, tzinfo=UTC)) for i in range(1, 8)]
    asked: list[int] = []

    def list_posts(query: PostQuery) -> tuple[list[Post], int]:
        asked.append(query.offset)
        return posts[query.offset : query.offset + query.limit], len(posts)

    found = fetch_all(list_posts, PostQuery(limit=3))
    assert [p.id for p in found] == list(range(1, 8))
    assert asked == [0, 3, 6]


# --- grids -----------------------------------------------------------------------------------
def test_month_grid_puts_posts_on_their_local_day_in_time_order() -> None:
    late_evening = datetime(2026, 11, 3, 3, 30, tzinfo=UTC)  # 2 November, 21:30 in Chicago
    posts = [
        post(1, at=datetime(2026, 11, 5, 15, 0, tzinfo=UTC)),
        post(2, at=late_evening),
        post(3, state=PostState.PUBLISHED, at=datetime(2026, 11, 5, 14, 0, tzinfo=UTC)),
        post(4, state=PostState.DRAFT),
        post(5, state=PostState.WITHDRAWN, at=datetime(2026, 11, 6, 15, 0, tzinfo=UTC)),
        post(6, state=PostState.FAILED, at=datetime(2026, 12, 20, 15, 0, tzinfo=UTC)),
    ]
    grid = month_grid(2026, 11, SUNDAY, posts, CHICAGO)
    assert grid.mode is CalendarMode.MONTH
    assert len(grid.weeks) == 6
    assert all(len(w) == 7 for w in grid.weeks)
    days = {d.day: d for d in grid.days}
    assert [e.post_id for e in days[date(2026, 11, 2)].entries] == [2]
    assert days[date(2026, 11, 2)].entries[0].local_time == time(21, 30)
    assert [e.post_id for e in days[date(2026, 11, 5)].entries] == [3, 1]
    assert days[date(2026, 11, 5)].entries[1].local_time == time(9, 0)  # CST, UTC-6
    assert grid.entry_count() == 3  # the draft, the withdrawn and the December post are not here
    assert days[date(2026, 11, 30)].in_period
    assert not days[date(2026, 12, 1)].in_period


def test_entries_carry_what_a_chip_shows() -> None:
    text = "Flu season reminder:\nwash your hands, cover your cough and replace your brush."
    (entry,) = entries_for(
        [post(7, at=datetime(2026, 11, 4, 17, 0, tzinfo=UTC), text=text, version=5)], CHICAGO
    )
    assert entry.post_id == 7
    assert entry.version == 5
    assert entry.platforms == ("facebook", "gbp")
    assert entry.state is PostState.SCHEDULED
    assert entry.movable
    assert entry.title == "Flu season reminder: wash your hands, c…"
    assert len(entry.title) == 40
    assert "\n" not in entry.title


def test_published_entries_are_not_movable_and_sit_at_their_publishing_time() -> None:
    at = datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
    (entry,) = entries_for([post(8, state=PostState.PUBLISHED, at=at)], CHICAGO)
    assert entry.at == at
    assert not entry.movable


def test_week_grid_is_one_week() -> None:
    grid = week_grid(
        date(2026, 11, 4), MONDAY, [post(1, at=datetime(2026, 11, 8, 15, tzinfo=UTC))], CHICAGO
    )
    assert grid.mode is CalendarMode.WEEK
    assert [d.day for d in grid.days] == [date(2026, 11, 2) + timedelta(days=i) for i in range(7)]
    assert [e.post_id for e in grid.days[-1].entries] == [1]
    assert all(d.in_period for d in grid.days)


def test_short_title_is_one_safe_line() -> None:
    assert short_title("Hello\n\tworld  ") == "Hello world"
    assert short_title("Sale\u202eelas and more") == "Sale elas and more"
    long = "🦷" * 50
    assert short_title(long) == "🦷" * 39 + "…"
    family = "👨‍👩‍👧" * 45
    assert short_title(family).startswith("👨‍👩‍👧" * 39)  # never split inside an emoji
    assert short_title("") == ""


# --- moving a post ---------------------------------------------------------------------------
def test_reschedule_keeps_the_wall_clock_time_across_fall_back() -> None:
    friday_9am_cdt = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)
    moved = reschedule_to_day(friday_9am_cdt, date(2026, 11, 3), CHICAGO)
    assert moved == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)  # 9:00 CST
    assert moved.astimezone(CHICAGO).time() == time(9, 0)
    assert moved.tzinfo is UTC


def test_reschedule_keeps_the_wall_clock_time_across_spring_forward() -> None:
    saturday_9am_cst = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    moved = reschedule_to_day(saturday_9am_cst, date(2026, 3, 9), CHICAGO)
    assert moved == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # 9:00 CDT


def test_reschedule_into_the_skipped_hour_moves_forward() -> None:
    half_past_two = datetime(2026, 3, 7, 8, 30, tzinfo=UTC)  # 02:30 CST
    moved = reschedule_to_day(half_past_two, date(2026, 3, 8), CHICAGO)
    assert moved.astimezone(CHICAGO).time() == time(3, 30)
    assert moved == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)


def test_reschedule_into_the_repeated_hour_takes_the_first() -> None:
    half_past_one_cst = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # the second 01:30
    moved = reschedule_to_day(half_past_one_cst, date(2026, 11, 8), CHICAGO)
    assert moved == datetime(2026, 11, 8, 7, 30, tzinfo=UTC)
    back = reschedule_to_day(datetime(2026, 10, 31, 6, 30, tzinfo=UTC), date(2026, 11, 1), CHICAGO)
    assert back == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT, the first one


def test_reschedule_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        reschedule_to_day(datetime(2026, 11, 3, 9, 0), date(2026, 11, 4), CHICAGO)


# --- iCalendar -------------------------------------------------------------------------------
TRICKY = (
    "Holiday hours; we close at noon, Dec 24.\n"
    "Back Jan 2 🎄🦷 — call (217) 555-0142, or book online!\\ \n"
    "Größe, naïve café: résumé; 🇺🇸"
)


def test_ics_round_trip_keeps_every_event_and_its_text() -> None:
    posts = [
        post(11, at=datetime(2026, 11, 5, 15, 0, tzinfo=UTC), text=TRICKY),
        post(12, state=PostState.PUBLISHED, at=datetime(2026, 10, 20, 14, 0, tzinfo=UTC)),
        post(13, state=PostState.DRAFT),
        post(14, state=PostState.WITHDRAWN, at=datetime(2026, 11, 6, 15, 0, tzinfo=UTC)),
        post(15, state=PostState.FAILED, at=datetime(2026, 11, 7, 15, 0, tzinfo=UTC)),
    ]
    data = export_ics(posts, CHICAGO, PRACTICE)
    calendar = Calendar.from_ical(data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {event_uid(i, PRACTICE) for i in (11, 12, 15)}

    first = events[event_uid(11, PRACTICE)]
    assert str(first["DESCRIPTION"]).startswith(TRICKY + "\n\n")
    assert "Platforms: Facebook, Google Business Profile" in str(first["DESCRIPTION"])
    assert str(first["SUMMARY"]) == (
        "Post: Facebook, Google Business Profile – Holiday hours; we close at noon, Dec 24…"
    )
    start = first.decoded("DTSTART")
    assert start == datetime(2026, 11, 5, 15, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(hours=-6)
    assert first["DTSTART"].params["TZID"] == "America/Chicago"
    assert first.decoded("DTEND") - start == timedelta(minutes=15)
    assert str(first["STATUS"]) == "TENTATIVE"
    assert str(first["SEQUENCE"]) == "3"

    published = events[event_uid(12, PRACTICE)]
    assert str(published["STATUS"]) == "CONFIRMED"
    assert published.decoded("DTSTART") == datetime(2026, 10, 20, 14, 0, tzinfo=UTC)
    assert published["DTSTART"].params["TZID"] == "America/Chicago"

    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["America/Chicago"]
    assert {c.name for c in zones[0].subcomponents} >= {"STANDARD", "DAYLIGHT"}


def test_ics_is_wire_valid_rfc5545() -> None:
    data = export_ics(
        [post(11, at=datetime(2026, 11, 5, 15, 0, tzinfo=UTC), text=TRICKY * 3)],
        CHICAGO,
        PRACTICE,
    )
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"VERSION:2.0" in lines
    assert any(line.startswith(b"PRODID:") for line in lines)
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare line feeds
    assert b"\\;" in data  # semicolons and commas escaped in text
    assert b"\\," in data
    for required in (b"UID:", b"DTSTAMP:", b"DTSTART;TZID=America/Chicago:"):
        assert any(line.startswith(required) for line in lines)


def test_uids_are_stable_across_exports_and_differ_between_practices() -> None:
    scheduled = post(21, at=datetime(2026, 11, 5, 15, 0, tzinfo=UTC))
    moved = replace(scheduled, scheduled_at=datetime(2026, 11, 6, 15, 0, tzinfo=UTC), version=4)

    def uids(data: bytes) -> list[str]:
        return [str(e["UID"]) for e in Calendar.from_ical(data).walk("VEVENT")]

    assert uids(export_ics([scheduled], CHICAGO, PRACTICE)) == uids(
        export_ics([moved], CHICAGO, PRACTICE)
    )
    assert uids(export_ics([scheduled], CHICAGO, "Other Practice")) != uids(
        export_ics([scheduled], CHICAGO, PRACTICE)
    )
    assert event_uid(21, "Ünïcode Zahnarzt") != event_uid(21, "Unicode Zahnarzt")


def test_empty_export_is_still_a_valid_calendar() -> None:
    calendar = Calendar.from_ical(export_ics([], CHICAGO, PRACTICE))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


# --- over the composer -----------------------------------------------------------------------
def test_demo_week_shows_the_scheduled_posts(
    demo_practice: Callable[..., DemoStaff], memory_services: Services
) -> None:
    demo_practice()
    composer = memory_services.composer
    today = memory_services.clock.now().astimezone(CHICAGO).date()
    days = [today + timedelta(days=i) for i in range(7)]
    start, end = (
        datetime.combine(days[0], time(0), tzinfo=CHICAGO),
        datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=CHICAGO),
    )
    posts = [p for q in window_queries(start, end) for p in fetch_all(composer.list, q)]
    scheduled = [p for p in posts if p.state is PostState.SCHEDULED]
    assert len(scheduled) == 4
    grid = week_grid(today, today.weekday(), posts, CHICAGO)
    on_grid = {e.post_id for d in grid.days for e in d.entries}
    assert {p.id for p in scheduled} <= on_grid

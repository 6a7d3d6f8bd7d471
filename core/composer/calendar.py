"""The posting calendar: posts arranged by day in the practice's time zone, moving a post to
another day, and the calendar as an iCalendar (``.ics``) file for Outlook or Google Calendar.

Pure: no Qt, no storage. The GUI loads the posts of a window (``month_window``/``week_window``
give the UTC bounds, ``window_queries`` the queries, ``fetch_all`` pages through them) and
arranges them with ``month_grid``/``week_grid``.

A post is on the calendar at its publishing time: ``published_at`` once it is published,
``scheduled_at`` while it is scheduled, publishing or failed. Weekdays are numbered as in
``datetime.date.weekday()``: 0 is Monday, 6 is Sunday.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import regex
from icalendar import Calendar, Event

from core.composer.model import Post, PostState
from core.composer.ports import PostOrder, PostQuery
from core.platforms import default_rules

TITLE_LENGTH = 40
"""How many characters of the master text a calendar entry shows."""

SCHEDULED_STATES = frozenset({PostState.SCHEDULED, PostState.PUBLISHING, PostState.FAILED})
"""States whose calendar time is ``scheduled_at``."""

CALENDAR_STATES = SCHEDULED_STATES | {PostState.PUBLISHED}
"""States that appear on the calendar (and in the ``.ics`` export)."""

EVENT_LENGTH = timedelta(minutes=15)
"""How long a post's event lasts in another calendar app: long enough to be seen there."""

_PAGE = 200
_UNSAFE = regex.compile(r"[\p{Cc}\u202a-\u202e\u2066-\u2069]")
_GRAPHEME = regex.compile(r"\X")


class CalendarMode(StrEnum):
    MONTH = "month"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One post on one day. ``at`` is its publishing time (aware, UTC), ``local_time`` the
    time of day in the practice's zone, ``title`` a short single line of its master text.
    ``version`` is the post's version, for rescheduling it."""

    post_id: int
    version: int
    at: datetime
    local_time: time
    platforms: tuple[str, ...]
    state: PostState
    title: str

    @property
    def movable(self) -> bool:
        """Whether the post may be dragged to another day (only scheduled posts)."""
        return self.state is PostState.SCHEDULED


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """A day of the grid; ``in_period`` is false for the leading and trailing days of the
    neighbouring months in a month grid."""

    day: date
    in_period: bool
    entries: tuple[CalendarEntry, ...]


@dataclass(frozen=True, slots=True)
class CalendarGrid:
    """Weeks of seven days, each week starting on the chosen first weekday: six weeks for a
    month, one for a week."""

    mode: CalendarMode
    weeks: tuple[tuple[CalendarDay, ...], ...]

    @property
    def days(self) -> tuple[CalendarDay, ...]:
        return tuple(d for week in self.weeks for d in week)

    @property
    def first(self) -> date:
        return self.weeks[0][0].day

    @property
    def last(self) -> date:
        return self.weeks[-1][-1].day

    def entry_count(self) -> int:
        return sum(len(d.entries) for d in self.days)


# --- days and windows ------------------------------------------------------------------------
def week_start(day: date, first_weekday: int) -> date:
    """The first day of the week holding ``day``."""
    _check_weekday(first_weekday)
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def month_days(year: int, month: int, first_weekday: int) -> list[date]:
    """The 42 days of a month grid: six weeks, the first holding the 1st of the month."""
    start = week_start(date(year, month, 1), first_weekday)
    return [start + timedelta(days=i) for i in range(42)]


def week_days(day: date, first_weekday: int) -> list[date]:
    """The seven days of the week holding ``day``."""
    start = week_start(day, first_weekday)
    return [start + timedelta(days=i) for i in range(7)]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The start of ``day`` in ``tz``, in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def day_window(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds of the local days ``first`` to ``last`` (both included): the start of the
    first day, and the start of the day after the last (exclusive)."""
    return local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz)


def month_window(
    year: int, month: int, first_weekday: int, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """UTC bounds of everything a month grid shows (all 42 days)."""
    days = month_days(year, month, first_weekday)
    return day_window(days[0], days[-1], tz)


def week_window(day: date, first_weekday: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds of the week holding ``day``."""
    days = week_days(day, first_weekday)
    return day_window(days[0], days[-1], tz)


def window_queries(start: datetime, end: datetime) -> tuple[PostQuery, PostQuery]:
    """The queries for the calendar's posts between ``start`` (inclusive) and ``end``
    (exclusive): scheduled, publishing and failed ones by ``scheduled_at``, published ones by
    ``published_at``."""
    return (
        PostQuery(
            states=SCHEDULED_STATES,
            scheduled_from=start,
            scheduled_to=end,
            order=PostOrder.SCHEDULED_ASC,
            limit=_PAGE,
        ),
        PostQuery(
            states=(PostState.PUBLISHED,),
            published_from=start,
            published_to=end,
            order=PostOrder.PUBLISHED_DESC,
            limit=_PAGE,
        ),
    )


def fetch_all(
    list_posts: Callable[[PostQuery], tuple[list[Post], int]], query: PostQuery
) -> list[Post]:
    """Every post matching ``query``, read page by page through ``list_posts`` (such as
    ``ComposerService.list``)."""
    found: list[Post] = []
    offset = query.offset
    while True:
        page, total = list_posts(_with_offset(query, offset))
        found.extend(page)
        offset += len(page)
        if not page or offset >= total:
            return found


def _with_offset(query: PostQuery, offset: int) -> PostQuery:
    return replace(query, offset=offset)


# --- entries and grids -----------------------------------------------------------------------
def short_title(text: str, limit: int = TITLE_LENGTH) -> str:
    """The start of ``text`` as one line: whitespace (newlines too) collapsed, control
    characters and text-direction overrides dropped, cut after at most ``limit`` characters
    (never inside an emoji or an accented letter) with an ellipsis."""
    line = " ".join(_UNSAFE.sub(" ", text).split())
    clusters = _GRAPHEME.findall(line)
    if len(clusters) <= limit:
        return line
    return "".join(clusters[: limit - 1]).rstrip() + "…"


def calendar_time(post: Post) -> datetime | None:
    """When ``post`` is on the calendar, or ``None`` when it is not on it."""
    if post.state is PostState.PUBLISHED:
        return post.published_at
    if post.state in SCHEDULED_STATES:
        return post.scheduled_at
    return None


def entries_for(posts: Iterable[Post], tz: ZoneInfo) -> list[CalendarEntry]:
    """The calendar entries of ``posts`` (posts not on the calendar are left out), soonest
    first, each post once."""
    seen: set[int] = set()
    entries: list[CalendarEntry] = []
    for post in posts:
        at = calendar_time(post)
        if at is None or post.id is None or post.id in seen:
            continue
        seen.add(post.id)
        local = at.astimezone(tz)
        entries.append(
            CalendarEntry(
                post_id=post.id,
                version=post.version,
                at=at.astimezone(UTC),
                local_time=local.time().replace(tzinfo=None),
                platforms=tuple(post.platforms),
                state=post.state,
                title=short_title(post.master_text),
            )
        )
    entries.sort(key=lambda e: (e.at, e.post_id))
    return entries


def local_day(entry: CalendarEntry, tz: ZoneInfo) -> date:
    """The practice's calendar day of ``entry``."""
    return entry.at.astimezone(tz).date()


def arrange(
    days: Sequence[date],
    entries: Iterable[CalendarEntry],
    tz: ZoneInfo,
    mode: CalendarMode,
    period: Callable[[date], bool] | None = None,
) -> CalendarGrid:
    """Put ``entries`` on ``days`` (whole weeks) in order; entries on other days are dropped.
    ``period`` tells which days belong to the period shown (default: all)."""
    if not days or len(days) % 7:
        raise ValueError("a calendar grid holds whole weeks")
    by_day: dict[date, list[CalendarEntry]] = {d: [] for d in days}
    for entry in sorted(entries, key=lambda e: (e.at, e.post_id)):
        bucket = by_day.get(local_day(entry, tz))
        if bucket is not None:
            bucket.append(entry)
    cells = [CalendarDay(d, period(d) if period else True, tuple(by_day[d])) for d in days]
    weeks = tuple(tuple(cells[i : i + 7]) for i in range(0, len(cells), 7))
    return CalendarGrid(mode, weeks)


def month_grid(
    year: int, month: int, first_weekday: int, posts: Iterable[Post], tz: ZoneInfo
) -> CalendarGrid:
    """Six weeks around the month, with the posts on their local days."""
    days = month_days(year, month, first_weekday)
    return arrange(
        days,
        entries_for(posts, tz),
        tz,
        CalendarMode.MONTH,
        lambda d: (d.year, d.month) == (year, month),
    )


def week_grid(day: date, first_weekday: int, posts: Iterable[Post], tz: ZoneInfo) -> CalendarGrid:
    """The week holding ``day``, with the posts on their local days."""
    return arrange(week_days(day, first_weekday), entries_for(posts, tz), tz, CalendarMode.WEEK)


def reschedule_to_day(scheduled_at: datetime, new_local_date: date, tz: ZoneInfo) -> datetime:
    """``scheduled_at`` moved to ``new_local_date``, keeping its local time of day in ``tz``;
    returned in UTC.

    Across a daylight-saving change the wall-clock time stays (9:00 stays 9:00, so the UTC
    offset changes). A time that does not exist on the new day (the hour skipped in spring)
    moves forward by that hour; one that happens twice (the hour repeated in autumn) is the
    first of the two.
    """
    if scheduled_at.utcoffset() is None:
        raise ValueError("scheduled_at must be an aware datetime")
    wall = scheduled_at.astimezone(tz).time().replace(tzinfo=None, fold=0)
    moved = datetime.combine(new_local_date, wall, tzinfo=tz)
    return moved.astimezone(UTC)


# --- iCalendar export ------------------------------------------------------------------------
_ICS_STATUS = {
    PostState.SCHEDULED: "TENTATIVE",
    PostState.PUBLISHING: "CONFIRMED",
    PostState.FAILED: "TENTATIVE",
    PostState.PUBLISHED: "CONFIRMED",
}
"""A scheduled post may still move (tentative); a published one happened (confirmed)."""

_STATE_WORDS = {
    PostState.SCHEDULED: "Scheduled",
    PostState.PUBLISHING: "Being published",
    PostState.FAILED: "Failed to publish",
    PostState.PUBLISHED: "Published",
}


def platform_names(platforms: Iterable[str]) -> list[str]:
    """The platforms' display names (``resources/platforms.json``), unknown ids as they are."""
    rules = default_rules()
    return [rules.platforms[p].name if p in rules.platforms else p for p in platforms]


def event_uid(post_id: int, practice_name: str) -> str:
    """A UID that stays the same for a post of a practice across exports, so re-importing
    updates the event instead of adding a copy."""
    slug = re.sub(r"[^a-z0-9]+", "-", practice_name.casefold()).strip("-")[:40] or "practice"
    digest = hashlib.sha256(practice_name.encode("utf-8")).hexdigest()[:10]
    return f"post-{post_id}.{slug}-{digest}@front-desk-social"


def export_ics(posts: Iterable[Post], tz: ZoneInfo, practice_name: str) -> bytes:
    """An iCalendar file (RFC 5545) with one event per scheduled or published post.

    Each event starts at the post's time in the practice's zone (with its ``VTIMEZONE``), is
    named "Post: <platforms> – <short title>", describes the full text and the platforms, and
    carries a UID that stays stable across exports. Posts not on the calendar are left out.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Front Desk Social//Posting calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{practice_name} – social media posts")
    calendar.add("x-wr-timezone", tz.key)
    seen: set[int] = set()
    for post in posts:
        at = calendar_time(post)
        if at is None or post.id is None or post.id in seen:
            continue
        seen.add(post.id)
        calendar.add_component(_event(post, at, tz, practice_name))
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def _event(post: Post, at: datetime, tz: ZoneInfo, practice_name: str) -> Event:
    assert post.id is not None
    names = platform_names(post.platforms)
    start = at.astimezone(tz)
    event = Event()
    event.add("uid", event_uid(post.id, practice_name))
    event.add("dtstamp", post.updated_at.astimezone(UTC))
    event.add("created", post.created_at.astimezone(UTC))
    event.add("last-modified", post.updated_at.astimezone(UTC))
    event.add("sequence", post.version)
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    event.add("summary", f"Post: {', '.join(names)} – {short_title(post.master_text)}")
    event.add(
        "description",
        f"{post.master_text}\n\nPlatforms: {', '.join(names)}\nStatus: {_STATE_WORDS[post.state]}",
    )
    event.add("status", _ICS_STATUS[post.state])
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Social media"])
    return event


def _check_weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise ValueError("first_weekday is 0 (Monday) to 6 (Sunday)")


__all__ = [
    "CALENDAR_STATES",
    "SCHEDULED_STATES",
    "CalendarDay",
    "CalendarEntry",
    "CalendarGrid",
    "CalendarMode",
    "arrange",
    "calendar_time",
    "day_window",
    "entries_for",
    "event_uid",
    "export_ics",
    "fetch_all",
    "local_day",
    "local_midnight",
    "month_days",
    "month_grid",
    "month_window",
    "platform_names",
    "reschedule_to_day",
    "short_title",
    "week_days",
    "week_grid",
    "week_start",
    "week_window",
    "window_queries",
]

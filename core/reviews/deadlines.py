"""When a review's answer is due: N business days by the practice's rules of engagement.

``due_at(arrived, sentiment, rules, tz)``: ``rules.negative_days`` / ``neutral_days`` /
``positive_days`` business days after the review arrived, counted in business hours:

- a business day is a weekday with hours in ``rules.hours`` that is neither a public holiday
  of ``rules.holiday_country`` (the ``holidays`` package; ``"US-CA"`` adds a state's, ``""``
  none) nor one of ``rules.closed_days``;
- the clock runs only while the practice is open, and each business day counts as one whole
  day whatever its length: a negative review (1 day) arriving Monday 10:00 (open 8–17) is due
  Tuesday 10:00; arriving Friday at 18:00 (after hours) it is due Monday 17:00 (the clock
  starts at Monday's opening); arriving halfway through a half day (Friday 8–12, at 10:00) it
  has used half a day, so the other half is Monday's first half (8:00–12:30);
- zero days: due when the practice next opens (or at once during opening hours).

Opening hours are local wall-clock times in ``tz`` (DST-safe: each day's length is measured
between its real opening and closing instants). The result is an aware UTC datetime; a naive
input is taken as UTC (as SQLite returns them).
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.errors import ValidationError
from core.practice.model import ResponseRules
from core.reviews.model import Sentiment

MAX_DAYS_AHEAD = 800
"""How far to look for the next business day before giving up (a calendar with every day
closed): then the due time falls back to calendar days."""


def days_for(sentiment: Sentiment, rules: ResponseRules) -> int:
    """The time frame in business days for a review of ``sentiment``."""
    if sentiment is Sentiment.NEGATIVE:
        return max(0, rules.negative_days)
    if sentiment is Sentiment.POSITIVE:
        return max(0, rules.positive_days)
    return max(0, rules.neutral_days)


def due_at(
    posted_or_collected: datetime, sentiment: Sentiment, rules: ResponseRules, tz: ZoneInfo
) -> datetime:
    """When the answer to a review that arrived at ``posted_or_collected`` is due (UTC)."""
    arrived = _aware(posted_or_collected)
    days = days_for(sentiment, rules)
    closed = _closed(rules)
    opening = _next_open(arrived, rules, tz, closed)
    if opening is None:  # never open: calendar days
        return arrived + timedelta(days=days)
    day, start, end = opening
    moment = max(arrived, start)
    if days == 0:
        return moment
    remaining = float(days)
    while True:
        length = (end - start).total_seconds()
        used = (end - moment).total_seconds() / length
        if used >= remaining - 1e-9:
            return moment + timedelta(seconds=remaining * length)
        remaining -= used
        following = _next_open(end + timedelta(microseconds=1), rules, tz, closed, day)
        if following is None:
            return moment + timedelta(days=remaining)
        day, start, end = following
        moment = start


def is_business_day(day: date, rules: ResponseRules) -> bool:
    """Whether the practice is open on ``day`` (hours that weekday, not a holiday or closed
    day)."""
    return day.weekday() in _open_weekdays(rules) and day not in _closed(rules)


def holiday_calendar(country: str, year: int) -> frozenset[date]:
    """The public holidays of ``country`` (``"US"`` or ``"US-CA"`` for a state) in ``year``;
    ``ValidationError`` (field ``holiday_country``) for a country the package does not know."""
    return _holidays(country.strip().upper(), year)


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    if not country:
        return frozenset()
    import holidays

    code, _, subdivision = country.partition("-")
    try:
        calendar = holidays.country_holidays(code, subdiv=subdivision or None, years=year)
    except NotImplementedError as error:
        raise ValidationError(
            f"unknown holiday country {country!r}", field="holiday_country", reason="unknown"
        ) from error
    return frozenset(calendar.keys())


class _Closed(Container[date]):
    """Public holidays (looked up per year) plus the practice's own closed days."""

    def __init__(self, country: str, extra: frozenset[date]) -> None:
        self.country = country
        self.extra = extra

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return day in self.extra or day in holiday_calendar(self.country, day.year)


def _closed(rules: ResponseRules) -> _Closed:
    return _Closed(rules.holiday_country, frozenset(rules.closed_days))


def _open_weekdays(rules: ResponseRules) -> frozenset[int]:
    return frozenset(
        weekday
        for weekday, (opens, closes) in rules.hours.days.items()
        if 0 <= weekday <= 6 and opens < closes
    )


def _next_open(
    moment: datetime,
    rules: ResponseRules,
    tz: ZoneInfo,
    closed: _Closed,
    after: date | None = None,
) -> tuple[date, datetime, datetime] | None:
    """The first business day whose closing is after ``moment`` (and that comes after
    ``after``): its date and its opening and closing instants (UTC)."""
    weekdays = _open_weekdays(rules)
    if not weekdays:
        return None
    day = moment.astimezone(tz).date()
    if after is not None and day <= after:
        day = after + timedelta(days=1)
    for _ in range(MAX_DAYS_AHEAD):
        if day.weekday() in weekdays and day not in closed:
            opens, closes = rules.hours.days[day.weekday()]
            start, end = _instant(day, opens, tz), _instant(day, closes, tz)
            if end > start and end > moment:
                return day, start, end
        day += timedelta(days=1)
    return None


def _instant(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time (a time skipped by DST is read as the
    instant after the gap, a repeated one as its first occurrence)."""
    local = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=tz)
    return local.astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)

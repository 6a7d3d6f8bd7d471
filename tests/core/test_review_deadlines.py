"""``core.reviews.deadlines.due_at``: business days, hours, holidays, closed days, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.errors import ValidationError
from core.practice.model import BusinessHours, ResponseRules
from core.reviews.deadlines import days_for, due_at, holiday_calendar, is_business_day
from core.reviews.model import Sentiment

TZ = ZoneInfo("America/Chicago")
N, Z, P = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE
RULES = ResponseRules()  # 1/2/3 days, Mon–Fri 8–17, US holidays


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def due(arrived: datetime, sentiment: Sentiment, rules: ResponseRules = RULES) -> datetime:
    result = due_at(arrived, sentiment, rules, TZ)
    assert result.tzinfo is UTC
    return result.astimezone(TZ)


@pytest.mark.parametrize(
    ("arrived", "sentiment", "expected"),
    [
        # In business hours on a weekday: same time N business days later.
        (local(2025, 6, 2, 10), N, local(2025, 6, 3, 10)),  # Mon → Tue
        (local(2025, 6, 2, 10), Z, local(2025, 6, 4, 10)),
        (local(2025, 6, 2, 10), P, local(2025, 6, 5, 10)),
        # Across a weekend.
        (local(2025, 6, 6, 10), N, local(2025, 6, 9, 10)),  # Fri → Mon
        (local(2025, 6, 5, 15), P, local(2025, 6, 10, 15)),  # Thu → Tue
        # After hours: the clock starts at the next opening.
        (local(2025, 6, 6, 18), N, local(2025, 6, 9, 17)),  # Fri evening → Mon close
        (local(2025, 6, 3, 6), N, local(2025, 6, 3, 17)),  # early morning → same day close
        (local(2025, 6, 7, 11), N, local(2025, 6, 9, 17)),  # Saturday → Monday close
        (local(2025, 6, 8, 23, 59), N, local(2025, 6, 9, 17)),  # Sunday night
        # Exactly at closing time counts as after hours.
        (local(2025, 6, 2, 17), N, local(2025, 6, 3, 17)),
        # Public holidays: Independence Day (Fri 4 July 2025), Thanksgiving, Christmas.
        (local(2025, 7, 3, 10), N, local(2025, 7, 7, 10)),  # Thu → Mon (Fri holiday)
        (local(2025, 11, 26, 9), N, local(2025, 11, 28, 9)),  # Wed → Fri (Thanksgiving Thu)
        (local(2025, 12, 24, 16), N, local(2025, 12, 26, 16)),  # Christmas skipped
        (local(2025, 12, 31, 12), N, local(2026, 1, 2, 12)),  # New Year's Day skipped
        # Arrival on a holiday.
        (local(2025, 7, 4, 10), N, local(2025, 7, 7, 17)),
    ],
)
def test_due_at(arrived: datetime, sentiment: Sentiment, expected: datetime) -> None:
    assert due(arrived, sentiment) == expected


def test_closed_days_of_the_practice() -> None:
    rules = ResponseRules(closed_days=(date(2025, 6, 3), date(2025, 6, 4)))
    assert due(local(2025, 6, 2, 10), N, rules) == local(2025, 6, 5, 10)


def test_closed_weekday_and_short_days() -> None:
    hours = BusinessHours(
        days={
            0: (time(8), time(17)),
            1: (time(8), time(17)),
            2: (time(8), time(17)),
            3: (time(8), time(17)),
            4: (time(8), time(12)),  # Friday half day
        }
    )
    rules = ResponseRules(hours=hours)
    # Half of Friday's 4 hours used, so half of Monday's 9 hours remain: 8:00 + 4.5 h.
    assert due(local(2025, 6, 6, 10), N, rules) == local(2025, 6, 9, 12, 30)
    closed_wednesday = BusinessHours(days={d: (time(9), time(17)) for d in (0, 1, 3, 4)})
    rules = ResponseRules(hours=closed_wednesday)
    assert due(local(2025, 6, 3, 12), N, rules) == local(2025, 6, 5, 12)
    assert not is_business_day(date(2025, 6, 4), rules)
    assert is_business_day(date(2025, 6, 5), rules)


def test_saturday_hours() -> None:
    hours = BusinessHours(days={d: (time(8), time(17)) for d in range(6)})
    assert due(local(2025, 6, 6, 10), N, ResponseRules(hours=hours)) == local(2025, 6, 7, 10)


def test_dst_spring_forward_and_fall_back() -> None:
    # 9 March 2025: clocks go forward; due at the same wall-clock time on Monday.
    assert due(local(2025, 3, 7, 10), N) == local(2025, 3, 10, 10)
    assert due(local(2025, 3, 7, 10), N).utcoffset() != local(2025, 3, 7, 10).utcoffset()
    # 2 November 2025: clocks go back.
    assert due(local(2025, 10, 31, 16), N) == local(2025, 11, 3, 16)


def test_dst_in_business_hours_elsewhere() -> None:
    # A practice open through the night of a DST change still measures the real hours.
    hours = BusinessHours(days={d: (time(0), time(23, 59)) for d in range(7)})
    rules = ResponseRules(hours=hours, holiday_country="")
    arrived = datetime(2025, 3, 9, 12, tzinfo=TZ)
    result = due_at(arrived, N, rules, TZ).astimezone(TZ)
    assert result.date() == date(2025, 3, 10)


def test_zero_days_and_naive_input() -> None:
    rules = ResponseRules(negative_days=0)
    assert due(local(2025, 6, 2, 10), N, rules) == local(2025, 6, 2, 10)
    assert due(local(2025, 6, 7, 10), N, rules) == local(2025, 6, 9, 8)
    naive = datetime(2025, 6, 2, 15)  # UTC → 10:00 in Chicago
    assert due_at(naive, N, RULES, TZ).astimezone(TZ) == local(2025, 6, 3, 10)


def test_never_open_falls_back_to_calendar_days() -> None:
    rules = ResponseRules(hours=BusinessHours(days={}))
    arrived = local(2025, 6, 2, 10)
    assert due(arrived, P, rules) == local(2025, 6, 5, 10)


def test_days_for() -> None:
    rules = ResponseRules(negative_days=1, neutral_days=2, positive_days=5)
    assert [days_for(s, rules) for s in (N, Z, P)] == [1, 2, 5]


def test_holiday_countries() -> None:
    assert date(2025, 12, 25) in holiday_calendar("US", 2025)
    assert date(2025, 3, 31) in holiday_calendar("US-CA", 2025)  # César Chávez Day
    assert holiday_calendar("", 2025) == frozenset()
    with pytest.raises(ValidationError):
        holiday_calendar("XX", 2025)
    canada = ResponseRules(holiday_country="CA")
    # Canada Day (Tue 1 July 2025) is skipped; the 4th of July is not a holiday there.
    assert due(local(2025, 6, 30, 10), N, canada) == local(2025, 7, 2, 10)
    assert due(local(2025, 7, 3, 10), N, canada) == local(2025, 7, 4, 10)

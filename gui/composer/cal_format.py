"""How the posting calendar and the published list word and colour things: platform names,
post states, times in the practice's zone and the user's locale.

Private to ``gui.composer``'s calendar (``cal_*``) and published list (``pub_*``) modules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QTime

from core.composer.calendar import platform_names
from core.composer.model import PostState

_CONTEXT = "ComposerCalendar"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def app_locale() -> QLocale:
    """The user's locale; US English when the system names none (the "C" locale)."""
    current = QLocale()
    if current.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return current


def first_weekday(locale: QLocale | None = None) -> int:
    """The locale's first day of the week, numbered like ``date.weekday()`` (0 = Monday)."""
    day = (locale or app_locale()).firstDayOfWeek()
    return (day.value - 1) % 7


# --- platforms -------------------------------------------------------------------------------
_SHORT = {
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "threads": "Threads",
    "facebook": "FB",
    "instagram": "IG",
    "linkedin": "LinkedIn",
    "gbp": "Google",
}


def platform_short(platform: str) -> str:
    """A platform's name as short as a calendar chip needs it (FB, IG, Google…)."""
    short = _SHORT.get(platform)
    return tr(short) if short else platform


def platforms_short(platforms: Iterable[str]) -> str:
    return ", ".join(platform_short(p) for p in platforms)


def platform_name(platform: str) -> str:
    """A platform's full display name (``resources/platforms.json``)."""
    return platform_names([platform])[0]


def platforms_spoken(platforms: Iterable[str]) -> str:
    """Full platform names for tooltips and screen readers: "Facebook, Google Business
    Profile"."""
    return ", ".join(platform_names(platforms))


# --- states ----------------------------------------------------------------------------------
_STATE_LOOK = {
    PostState.SCHEDULED: ("Scheduled", "info"),
    PostState.PUBLISHING: ("Publishing", "warning"),
    PostState.PUBLISHED: ("Published", "success"),
    PostState.FAILED: ("Failed", "danger"),
    PostState.WITHDRAWN: ("Taken down", "neutral"),
    PostState.APPROVED: ("Approved", "neutral"),
    PostState.IN_REVIEW: ("In review", "neutral"),
    PostState.DRAFT: ("Draft", "neutral"),
}


def state_label(state: PostState) -> str:
    """A post state as a short badge text ("Scheduled", "Published", "Taken down"…)."""
    return tr(_STATE_LOOK[state][0])


def state_tone(state: PostState) -> str:
    """The ``gui.theme`` tone of a state: scheduled info, published success, failed danger."""
    return _STATE_LOOK[state][1]


# --- times -----------------------------------------------------------------------------------
def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def time_text(when: datetime, tz: ZoneInfo) -> str:
    """A time of day in the practice's zone, in the user's locale ("9:00 AM")."""
    local = when.astimezone(tz)
    return app_locale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)


def day_text(day: date) -> str:
    """A day, spelled out ("Tuesday, November 3, 2026")."""
    return app_locale().toString(qdate(day), QLocale.FormatType.LongFormat)


def short_day_text(day: date) -> str:
    """A day, short ("Tue, Nov 3")."""
    return app_locale().toString(qdate(day), "ddd, MMM d")


def date_time_text(when: datetime, tz: ZoneInfo) -> str:
    """A moment in the practice's zone ("Tue, Nov 3, 2026, 9:00 AM")."""
    local = when.astimezone(tz)
    day = app_locale().toString(qdate(local.date()), "ddd, MMM d, yyyy")
    return f"{day}, {time_text(when, tz)}"


def month_title(year: int, month: int) -> str:
    """ "November 2026"."""
    name = app_locale().standaloneMonthName(month, QLocale.FormatType.LongFormat)
    return f"{name} {year}"


def week_title(first: date, last: date) -> str:
    """ "Nov 1 – 7, 2026", "Nov 29 – Dec 5, 2026" or "Dec 27, 2026 – Jan 2, 2027"."""
    locale = app_locale()
    if first.year != last.year:
        return (
            f"{locale.toString(qdate(first), 'MMM d, yyyy')} – "
            f"{locale.toString(qdate(last), 'MMM d, yyyy')}"
        )
    if first.month != last.month:
        return (
            f"{locale.toString(qdate(first), 'MMM d')} – "
            f"{locale.toString(qdate(last), 'MMM d')}, {last.year}"
        )
    return f"{locale.toString(qdate(first), 'MMM d')} – {last.day}, {last.year}"


def weekday_name(weekday: int, *, short: bool = True) -> str:
    """A weekday's name (0 = Monday) in the user's locale."""
    fmt = QLocale.FormatType.ShortFormat if short else QLocale.FormatType.LongFormat
    return app_locale().standaloneDayName(weekday + 1, fmt)

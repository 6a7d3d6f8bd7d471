"""The observance calendar: awareness days, weeks and months worth a post, from
``resources/observances.json`` (editable), and what to post ahead of each.

A date rule is one of: a whole month (``{"month": 2}``), a fixed date (``{"month": 4, "day": 7}``)
or the nth weekday of a month (``{"month": 11, "weekday": "thursday", "nth": 3}``; ``nth`` -1 is
the last). Fixed dates and weekdays may run for ``days`` days (a week is 7). Dates are plain
``date``s: the caller passes today in the practice's time zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from core.composer import _config
from core.composer.hashtags import check_hashtag
from core.composer.templates import MONTHS
from core.errors import ValidationError
from core.practice.model import Specialty

DEFAULT_PATH = _config.RESOURCES / "observances.json"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_TEMPLATE = "awareness_month"
DAY_TEMPLATE = "awareness_day"
MAX_WITHIN_DAYS = 366
_NON_LEAP_YEAR = 2023  # fixed dates must exist every year: no February 29


class RuleKind(StrEnum):
    """How an observance's dates are found each year."""

    MONTH = "month"
    DATE = "date"
    NTH_WEEKDAY = "nth_weekday"


@dataclass(frozen=True, slots=True)
class DateRule:
    """When an observance falls. ``weekday`` is 0 for Monday; ``nth`` is 1-4, or -1 for the
    last such weekday of the month; ``days`` is how long a date or weekday rule runs."""

    kind: RuleKind
    month: int
    day: int | None = None
    weekday: int | None = None
    nth: int | None = None
    days: int = 1

    def dates_in(self, year: int) -> tuple[date, date]:
        """The first and last day (inclusive) of the observance in ``year``."""
        if self.kind is RuleKind.MONTH:
            last = calendar.monthrange(year, self.month)[1]
            return date(year, self.month, 1), date(year, self.month, last)
        if self.kind is RuleKind.DATE:
            start = date(year, self.month, self.day or 1)
        else:
            start = nth_weekday(year, self.month, self.weekday or 0, self.nth or 1)
        return start, start + timedelta(days=self.days - 1)


@dataclass(frozen=True, slots=True)
class Observance:
    """An awareness day, week or month; ``lead_days`` is how long before it to start posting."""

    id: str
    name: str
    rule: DateRule
    specialties: frozenset[Specialty]
    lead_days: int
    hashtags: tuple[str, ...] = ()

    @property
    def template_id(self) -> str:
        """The template to start a post from (``awareness_month`` or ``awareness_day``)."""
        return MONTH_TEMPLATE if self.rule.kind is RuleKind.MONTH else DAY_TEMPLATE


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An observance to post about: when it runs (``start``..``end``, inclusive), from when to
    post (``post_from``), how many days until it starts (negative once it runs), and the
    template and values to start the post with (for ``render_template``)."""

    observance: Observance
    start: date
    end: date
    post_from: date
    days_until: int
    template_id: str
    values: Mapping[str, str]

    @property
    def in_progress(self) -> bool:
        """Whether the observance has already started."""
        return self.days_until <= 0


@dataclass(frozen=True, slots=True)
class ObservanceCalendar:
    """Every observance of ``observances.json``."""

    observances: tuple[Observance, ...]

    def for_specialty(self, specialty: Specialty) -> tuple[Observance, ...]:
        """The observances that suit a practice of this specialty."""
        return tuple(o for o in self.observances if specialty in o.specialties)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1-4, or -1 for the last) ``weekday`` (0 = Monday) of a month."""
    if nth == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def upcoming(
    today: date,
    specialty: Specialty,
    within_days: int = 30,
    *,
    observances: ObservanceCalendar | None = None,
) -> list[Suggestion]:
    """What a practice of ``specialty`` could post about: every observance that has not ended
    and whose posting window opens within ``within_days`` of ``today``, including those already
    running, ordered by start date."""
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise ValueError(f"within_days must be from 0 to {MAX_WITHIN_DAYS}")
    horizon = today + timedelta(days=within_days)
    found: list[Suggestion] = []
    for observance in (observances or default_observances()).for_specialty(specialty):
        for year in (today.year - 1, today.year, today.year + 1, today.year + 2):
            start, end = observance.rule.dates_in(year)
            post_from = start - timedelta(days=observance.lead_days)
            if end >= today and post_from <= horizon:
                found.append(_suggestion(observance, start, end, post_from, today))
    return sorted(found, key=lambda s: (s.start, s.observance.name))


def occurrences(
    year: int, observances: Iterable[Observance]
) -> list[tuple[Observance, date, date]]:
    """Each observance with its first and last day in ``year``, by start date."""
    dated = [(o, *o.rule.dates_in(year)) for o in observances]
    return sorted(dated, key=lambda item: (item[1], item[0].name))


def load_observances(path: Path | None = None) -> ObservanceCalendar:
    """Read the calendar from ``path`` (by default ``resources/observances.json``)."""
    return observances_from(_config.read_document(path or DEFAULT_PATH, "observances"))


@cache
def default_observances() -> ObservanceCalendar:
    """The calendar in ``resources/observances.json``, read on first use and then kept."""
    return load_observances()


def observances_from(document: Mapping[str, Any]) -> ObservanceCalendar:
    """A calendar from a mapping shaped like ``observances.json``; ``ValidationError`` naming
    the broken field otherwise."""
    entries = _config.items(document.get("observances"), "observances")
    found = tuple(_observance(entry, f"observances[{i}]") for i, entry in enumerate(entries))
    ids = [o.id for o in found]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError(
            f"repeated observance id(s): {', '.join(repeated)}", field="observances"
        )
    return ObservanceCalendar(found)


def _suggestion(
    observance: Observance, start: date, end: date, post_from: date, today: date
) -> Suggestion:
    values = {"observance": observance.name, "month_name": MONTHS[start.month - 1]}
    return Suggestion(
        observance=observance,
        start=start,
        end=end,
        post_from=post_from,
        days_until=(start - today).days,
        template_id=observance.template_id,
        values=MappingProxyType(values),
    )


def _observance(value: Any, where: str) -> Observance:
    entry = _config.mapping(value, where)
    _config.unknown_keys(
        entry, {"id", "name", "rule", "specialties", "lead_days", "hashtags"}, where
    )
    hashtags = _config.texts(entry.get("hashtags", []), f"{where}.hashtags")
    for i, tag in enumerate(hashtags):
        check_hashtag(tag, f"{where}.hashtags[{i}]")
    return Observance(
        id=_config.text(entry.get("id"), f"{where}.id"),
        name=_config.text(entry.get("name"), f"{where}.name"),
        rule=_rule(entry.get("rule"), f"{where}.rule"),
        specialties=_config.specialties(entry.get("specialties"), f"{where}.specialties"),
        lead_days=_config.integer(
            entry.get("lead_days", 14), f"{where}.lead_days", minimum=0, maximum=120
        ),
        hashtags=hashtags,
    )


def _rule(value: Any, where: str) -> DateRule:
    entry = _config.mapping(value, where)
    _config.unknown_keys(entry, {"month", "day", "weekday", "nth", "days"}, where)
    month = _config.integer(entry.get("month"), f"{where}.month", minimum=1, maximum=12)
    days = _config.integer(entry.get("days", 1), f"{where}.days", minimum=1, maximum=31)
    if "day" in entry and "weekday" in entry:
        raise ValidationError(f"{where}: give either day or weekday", field=f"{where}.day")
    if "day" in entry:
        last = calendar.monthrange(_NON_LEAP_YEAR, month)[1]
        day = _config.integer(entry["day"], f"{where}.day", minimum=1, maximum=last)
        return DateRule(RuleKind.DATE, month, day=day, days=days)
    if "weekday" in entry:
        weekday = entry["weekday"]
        if weekday not in WEEKDAYS:
            raise ValidationError(
                f"{where}.weekday must be one of {', '.join(WEEKDAYS)}", field=f"{where}.weekday"
            )
        nth = entry.get("nth")
        if nth not in (1, 2, 3, 4, -1) or isinstance(nth, bool):
            raise ValidationError(f"{where}.nth must be 1, 2, 3, 4 or -1", field=f"{where}.nth")
        return DateRule(
            RuleKind.NTH_WEEKDAY, month, weekday=WEEKDAYS.index(weekday), nth=nth, days=days
        )
    if "days" in entry or "nth" in entry:
        raise ValidationError(f"{where}: a whole month takes no days or nth", field=where)
    return DateRule(RuleKind.MONTH, month)

"""Pure rules of the incentive log: which rules are refused and why, validation, the
settings codec, and the calendar periods goals and the leaderboard count in.

What is never rewarded (FTC 16 CFR Part 465, in force 21 Oct 2024; Google's policy against
review incentives and review gating): a review's stars or rating, the number of reviews or of
positive reviews, reviews written by staff, and anything conditioned on a review's sentiment.
Asking *every* patient for honest feedback is rewarded instead (``feedback_asked``), and so
is answering reviews on time, whatever they say. ``check_rule`` looks at the words of a
custom kind (or a reward, or a goal's note) and returns refusal codes; the GUI words them.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.errors import ValidationError
from core.incentives.errors import RuleRefused
from core.incentives.model import (
    AUTOMATIC_KINDS,
    DEFAULT_POINTS,
    ContributionKind,
    CustomKind,
    GoalPeriod,
    PointRules,
    is_custom,
)

MAX_POINTS = 1000
"""Points one contribution may earn (a manager's manual credit included)."""
MAX_CUSTOM_KINDS = 50
MAX_NAME = 80
MAX_DESCRIPTION = 500
MIN_MANUAL_NOTE = 3
MAX_NOTE = 1000
MAX_COST = 100_000

REFUSALS = (
    "staff_review",
    "review_sentiment",
    "review_rating",
    "review_count",
    "review_gating",
    "review_incentive",
)
"""Refusal codes, most specific first:

- ``staff_review``: rewards staff for writing or posting reviews of the practice (insider
  reviews; FTC 16 CFR 465.2/465.5).
- ``review_sentiment``: positive, good, glowing, 5-star … reviews (incentives conditioned on
  sentiment; FTC 16 CFR 465.4).
- ``review_rating``: stars or ratings.
- ``review_count``: how many reviews (Google forbids incentives for reviews).
- ``review_gating``: asking only happy patients, filtering unhappy ones (Google's review
  gating rule; FTC 465.7 on suppression).
- ``review_incentive``: any other reward tied to reviews or testimonials; reward asking every
  patient for honest feedback instead.
"""

_REVIEW = r"(?:reviews?|testimonials?|recommendations?)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "staff_review",
        re.compile(
            rf"\b(?:writ(?:e|es|ing|ten)|wrote|post(?:s|ed|ing)?|leav(?:e|es|ing)|left|"
            rf"submit(?:s|ted|ting)?|add(?:s|ed|ing)?)\b(?:\s+\w+){{0,3}}\s+{_REVIEW}\b"
            rf"|\b(?:staff|employee|team|own|self|insider)[\s-]+(?:\w+\s+)?{_REVIEW}\b"
        ),
    ),
    (
        "review_sentiment",
        re.compile(
            r"\b(?:positive|good|great|glowing|excellent|happy|favou?rable|nice|kind|"
            r"top|perfect|best|raving|rave|praise|praising|5|five|4|four)"
            rf"(?:[\s-]+(?:stars?|google|yelp|facebook|online))*[\s-]+{_REVIEW}\b"
            r"|\bsentiment\b|\braving\b|\brave\s+reviews?\b"
        ),
    ),
    (
        "review_rating",
        re.compile(
            r"\b(?:\d+|one|two|three|four|five)[\s-]*stars?\b|\bstars?[\s-]+(?:ratings?|reviews?)\b"
            r"|\bratings?\b|\brated\b"
        ),
    ),
    (
        "review_count",
        re.compile(
            rf"\b(?:number|count|amount|total|tally|quota)\s+of\s+(?:\w+\s+)?{_REVIEW}\b"
            rf"|\b(?:\d+|more|many|most|several|new)\s+(?:\w+\s+)?{_REVIEW}\b"
            rf"|\b(?:get|gets|getting|got|collect\w*|gather\w*|earn\w*|obtain\w*|receiv\w*|"
            rf"win|won|bring\w*|generat\w*|secur\w*)\b(?:\s+\w+){{0,2}}\s+{_REVIEW}\b"
            rf"|\b{_REVIEW}\s+(?:count|counts|received|collected|gathered|gotten)\b"
            rf"|\b(?:each|every|per|a)\s+(?:\w+\s+)?{_REVIEW}\s+(?:\w+\s+)?"
            rf"(?:get|gets|got|receive\w*|collect\w*|earn\w*|bring\w*)\b"
            rf"|\b(?:per|for\s+each|for\s+every)\s+(?:\w+\s+)?{_REVIEW}\b"
        ),
    ),
    (
        "review_gating",
        re.compile(
            r"\bgat(?:e|ed|ing)\b|\bgatekeep\w*"
            r"|\bonly\b(?:\s+\w+){0,3}\s+(?:happy|satisfied|pleased|delighted|loyal|"
            r"favorite|favourite)\b"
            r"|\b(?:happy|satisfied|pleased|delighted)\s+(?:patients?|customers?|clients?)\b"
            r"|\b(?:filter\w*|screen\w*|weed\w*|divert\w*)\b(?:\s+\w+){0,3}\s+"
            r"(?:unhappy|negative|dissatisfied|upset|angry)\b"
        ),
    ),
    (
        "review_incentive",
        re.compile(rf"\b{_REVIEW}\b|\byelp\b|\bhealthgrades\b|\bzocdoc\b"),
    ),
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("★", " star ").replace("⭐", " star ")
    return re.sub(r"[^\w\s-]", " ", text)


def check_rule(name: str, description: str = "") -> list[str]:
    """Refusal codes (``REFUSALS``, in that order) for a custom kind, reward or goal whose
    words tie points to reviews; ``[]`` when it is acceptable. Checked as the admin types."""
    text = _normalise(f"{name}\n{description}")
    return [code for code, pattern in _PATTERNS if pattern.search(text)]


def slug_of(name: str) -> str:
    """A stable id for a custom kind's name: ``"Filmed a video"`` → ``filmed-a-video``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60]


def new_custom_kind(name: str, description: str, points: int) -> CustomKind:
    return CustomKind(slug_of(name), name.strip(), description.strip(), points)


def check_points(value: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
        raise ValidationError(
            f"Points must be a whole number from 0 to {MAX_POINTS}.", field=field, value=value
        )


def validate_rules(rules: PointRules) -> None:
    """Refuse unknown kinds, points out of range, and custom kinds that are empty, repeated or
    tied to reviews (``RuleRefused`` with the reasons)."""
    for kind, points in rules.points.items():
        if kind not in DEFAULT_POINTS:
            raise ValidationError("There is no such kind of contribution.", field="points")
        check_points(points, f"points.{kind}")
    if len(rules.custom) > MAX_CUSTOM_KINDS:
        raise ValidationError(
            f"At most {MAX_CUSTOM_KINDS} custom kinds.", field="custom", limit=MAX_CUSTOM_KINDS
        )
    seen: set[str] = set()
    for custom in rules.custom:
        field = f"custom.{custom.slug}"
        if not custom.name.strip() or not custom.slug:
            raise ValidationError("A custom kind needs a name.", field=field)
        if len(custom.name) > MAX_NAME or len(custom.description) > MAX_DESCRIPTION:
            raise ValidationError("This name or description is too long.", field=field)
        if custom.slug != slug_of(custom.name):
            raise ValidationError("A custom kind's id must follow its name.", field=field)
        if custom.slug in seen or custom.slug in {k.value for k in ContributionKind}:
            raise ValidationError("Two kinds have the same name.", field=field)
        seen.add(custom.slug)
        if custom.points < 1:
            raise ValidationError("A custom kind earns at least 1 point.", field=field)
        check_points(custom.points, field)
        reasons = check_rule(custom.name, custom.description)
        if reasons:
            raise RuleRefused(
                "Rewards may not depend on reviews, ratings or their sentiment.",
                field=field,
                reasons=reasons,
            )


def validate_name(name: str, field: str, limit: int = MAX_NAME) -> None:
    """A reward's name (or a goal's note): present, short, and not tied to reviews."""
    if not name.strip():
        raise ValidationError("Give it a name.", field=field)
    if len(name) > limit:
        raise ValidationError(f"At most {limit} characters.", field=field, limit=limit)
    reasons = check_rule(name)
    if reasons:
        raise RuleRefused(
            "Rewards may not depend on reviews, ratings or their sentiment.",
            field=field,
            reasons=reasons,
        )


def known_kind(kind: str, rules: PointRules) -> bool:
    """A built-in kind, or a custom kind the rules still have."""
    if is_custom(kind):
        return rules.custom_kind(kind) is not None
    return kind in {k.value for k in ContributionKind}


def loggable_by_hand(kind: str) -> bool:
    return kind not in AUTOMATIC_KINDS


# --- the settings codec ----------------------------------------------------------------------
def rules_to_dict(rules: PointRules) -> dict[str, Any]:
    return {
        "points": dict(sorted(rules.points.items())),
        "custom": [
            {"slug": c.slug, "name": c.name, "description": c.description, "points": c.points}
            for c in rules.custom
        ],
    }


def rules_from_dict(data: Mapping[str, Any]) -> PointRules:
    """Unknown kinds (from a newer version) are dropped; missing ones take the default."""
    points = dict(DEFAULT_POINTS)
    for kind, value in dict(data.get("points", {})).items():
        if kind in DEFAULT_POINTS and isinstance(value, int):
            points[kind] = value
    custom = tuple(
        CustomKind(str(c["slug"]), str(c["name"]), str(c.get("description", "")), int(c["points"]))
        for c in data.get("custom", [])
    )
    return PointRules(points, custom)


# --- periods ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Period:
    """Days ``start`` (inclusive) to ``end`` (exclusive) in the practice's calendar."""

    start: date
    end: date
    label: str


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise ValidationError("There is no such month.", field="month", value=month)
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(date(year, month, 1), end, f"{year:04d}-{month:02d}")


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year + 1, 1, 1), f"{year:04d}")


def period_containing(period: str, day: date) -> Period:
    """The month, quarter or year (``GoalPeriod``) that ``day`` falls in."""
    if period == GoalPeriod.MONTH:
        return month_period(day.year, day.month)
    if period == GoalPeriod.QUARTER:
        quarter = (day.month - 1) // 3
        first = quarter * 3 + 1
        last = first + 2
        end = date(day.year, last, monthrange(day.year, last)[1])
        return Period(
            date(day.year, first, 1),
            date.fromordinal(end.toordinal() + 1),
            f"{day.year:04d}-Q{quarter + 1}",
        )
    if period == GoalPeriod.YEAR:
        return year_period(day.year)
    raise ValidationError("A goal counts per month, quarter or year.", field="period")


def spreadsheet_safe(cell: str) -> str:
    """Keep a spreadsheet from reading a note as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell

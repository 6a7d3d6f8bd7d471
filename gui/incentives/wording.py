"""How the incentive log words what core reports as codes: contribution kinds, the rule
editor's refusals, redemption statuses, goal periods, points and months. Core keeps codes;
every sentence a person reads is here, through ``tr`` (translatable)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QTime

from core.incentives.model import (
    CUSTOM_PREFIX,
    ContributionKind,
    GoalPeriod,
    PointRules,
    RedemptionStatus,
)

_CONTEXT = "IncentivesWording"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def app_locale() -> QLocale:
    """The user's locale; US English when the system names none (the "C" locale)."""
    current = QLocale()
    if current.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return current


KIND_ORDER = (
    ContributionKind.POST_IDEA,
    ContributionKind.POST_APPROVED,
    ContributionKind.POST_PUBLISHED,
    ContributionKind.IMAGE_CHECKED,
    ContributionKind.CONSENT_COLLECTED,
    ContributionKind.REPLY_ON_TIME,
    ContributionKind.FEEDBACK_ASKED,
    ContributionKind.MANUAL,
)
"""The built-in kinds in the order lists, legends and the rule editor show them."""


def custom_names(rules: PointRules | None) -> dict[str, str]:
    """The custom kinds' names by kind code (``custom:<slug>``)."""
    if rules is None:
        return {}
    return {f"{CUSTOM_PREFIX}{c.slug}": c.name for c in rules.custom}


def kind_label(kind: str, custom: Mapping[str, str] | None = None) -> str:
    """What a contribution kind is, as a person would say it ("Post drafted and approved");
    a custom kind by the name the admin gave it."""
    labels = {
        ContributionKind.POST_IDEA: tr("Post idea sent in"),
        ContributionKind.POST_APPROVED: tr("Post drafted and approved"),
        ContributionKind.POST_PUBLISHED: tr("Post published"),
        ContributionKind.IMAGE_CHECKED: tr("Image checklist completed"),
        ContributionKind.CONSENT_COLLECTED: tr("Photo consent collected"),
        ContributionKind.REPLY_ON_TIME: tr("Review reply posted on time"),
        ContributionKind.FEEDBACK_ASKED: tr("Asked a patient for feedback"),
        ContributionKind.MANUAL: tr("Other contribution"),
    }
    if kind in labels:
        return labels[ContributionKind(kind)]
    if custom and kind in custom:
        return custom[kind]
    return kind.removeprefix(CUSTOM_PREFIX).replace("-", " ").replace("_", " ").capitalize()


def kind_short(kind: str, custom: Mapping[str, str] | None = None) -> str:
    """A kind in a word or two, for the chart's legend ("Approved posts")."""
    shorts = {
        ContributionKind.POST_IDEA: tr("Ideas"),
        ContributionKind.POST_APPROVED: tr("Approved posts"),
        ContributionKind.POST_PUBLISHED: tr("Published posts"),
        ContributionKind.IMAGE_CHECKED: tr("Image checks"),
        ContributionKind.CONSENT_COLLECTED: tr("Consents"),
        ContributionKind.REPLY_ON_TIME: tr("Replies on time"),
        ContributionKind.FEEDBACK_ASKED: tr("Feedback asked"),
        ContributionKind.MANUAL: tr("Other"),
    }
    if kind in shorts:
        return shorts[ContributionKind(kind)]
    return kind_label(kind, custom)


def kind_explanation(kind: str) -> str:
    """When a built-in kind is credited, for the rule editor; "" for manual and custom."""
    texts = {
        ContributionKind.POST_IDEA: tr("Credited to whoever sends a post in for approval."),
        ContributionKind.POST_APPROVED: tr(
            "Credited to the post's author (not the approver) when it is approved."
        ),
        ContributionKind.POST_PUBLISHED: tr("Credited to the post's author once it is live."),
        ContributionKind.IMAGE_CHECKED: tr("Credited to whoever signs off a photo's checklist."),
        ContributionKind.CONSENT_COLLECTED: tr(
            "Credited to whoever takes a complete photo consent at the desk."
        ),
        ContributionKind.REPLY_ON_TIME: tr(
            "Credited when a review reply is posted by its due time, whatever the review said."
        ),
        ContributionKind.FEEDBACK_ASKED: tr(
            "Logged by hand at the desk, whether or not the patient ever writes a review."
        ),
        ContributionKind.MANUAL: tr("Entered by a manager with a note, with the points they give."),
    }
    return texts[ContributionKind(kind)] if kind in texts else ""


def count_text(kind: str, n: int, custom: Mapping[str, str] | None = None) -> str:
    """ "3 approved posts", "1 consent"; custom kinds as "Intro video × 2"."""
    forms = {
        ContributionKind.POST_IDEA: (tr("1 idea"), tr("{n} ideas")),
        ContributionKind.POST_APPROVED: (tr("1 approved post"), tr("{n} approved posts")),
        ContributionKind.POST_PUBLISHED: (tr("1 published post"), tr("{n} published posts")),
        ContributionKind.IMAGE_CHECKED: (tr("1 image check"), tr("{n} image checks")),
        ContributionKind.CONSENT_COLLECTED: (tr("1 consent"), tr("{n} consents")),
        ContributionKind.REPLY_ON_TIME: (tr("1 reply on time"), tr("{n} replies on time")),
        ContributionKind.FEEDBACK_ASKED: (tr("1 feedback ask"), tr("{n} feedback asks")),
        ContributionKind.MANUAL: (tr("1 other"), tr("{n} other")),
    }
    if kind in forms:
        one, many = forms[ContributionKind(kind)]
        return one if n == 1 else many.format(n=f"{n:,}")
    return tr("{name} × {n}").format(name=kind_label(kind, custom), n=f"{n:,}")


def counts_line(counts: Mapping[str, int], custom: Mapping[str, str] | None = None) -> str:
    """A person's month in one line, most valued kinds first: "2 approved posts · 3 ideas"."""
    order = {kind.value: i for i, kind in enumerate(KIND_ORDER)}
    ranked = sorted(
        ((k, n) for k, n in counts.items() if n > 0),
        key=lambda kn: (-_weight(kn[0]), order.get(kn[0], len(order)), kn[0]),
    )
    return " · ".join(count_text(k, n, custom) for k, n in ranked)


def _weight(kind: str) -> int:
    """Approved and published work leads the line (quality first), then the rest."""
    return 1 if kind in (ContributionKind.POST_APPROVED, ContributionKind.POST_PUBLISHED) else 0


def ordered_kinds(kinds: Iterable[str]) -> list[str]:
    """Kinds in display order: the built-ins as in ``KIND_ORDER``, then custom ones by code."""
    order = {kind.value: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(set(kinds), key=lambda k: (order.get(k, len(order)), k))


def points_text(points: int) -> str:
    """ "1 point", "12 points", "−3 points"."""
    if points == 1:
        return tr("1 point")
    sign = "−" if points < 0 else ""
    return tr("{n} points").format(n=f"{sign}{abs(points):,}")


def status_label(status: RedemptionStatus) -> str:
    return {
        RedemptionStatus.PENDING: tr("Waiting"),
        RedemptionStatus.APPROVED: tr("Approved"),
        RedemptionStatus.DECLINED: tr("Declined"),
        RedemptionStatus.CANCELLED: tr("Cancelled"),
    }[status]


def status_tone(status: RedemptionStatus) -> str:
    """The ``Badge`` tone of a redemption status."""
    return {
        RedemptionStatus.PENDING: "warning",
        RedemptionStatus.APPROVED: "success",
        RedemptionStatus.DECLINED: "danger",
        RedemptionStatus.CANCELLED: "neutral",
    }[status]


def period_label(period: str) -> str:
    """A goal's period for a picker: "Each month"."""
    labels: dict[str, str] = {
        GoalPeriod.MONTH: tr("Each month"),
        GoalPeriod.QUARTER: tr("Each quarter"),
        GoalPeriod.YEAR: tr("In the whole year"),
    }
    return labels.get(period, period)


def progress_period_text(label: str) -> str:
    """A ``GoalProgress.period_label`` in words: "2026-11" → "November 2026", "2026-Q4" →
    "Oct–Dec 2026", "2026" → "2026"."""
    year, _, part = label.partition("-")
    if not year.isdigit() or not part:
        return label
    if part.isdigit() and 1 <= int(part) <= 12:
        return month_title(int(year), int(part))
    if part.upper() in ("Q1", "Q2", "Q3", "Q4"):
        first = (int(part[1]) - 1) * 3 + 1
        return tr("{start}–{end} {year}").format(
            start=month_short(first, int(year)), end=month_short(first + 2, int(year)), year=year
        )
    return label


def goal_text(kind: str, count: int, period: str, custom: Mapping[str, str] | None = None) -> str:
    """ "4 approved posts a month"."""
    what = count_text(kind, count, custom)
    patterns: dict[str, str] = {
        GoalPeriod.MONTH: tr("{what} a month"),
        GoalPeriod.QUARTER: tr("{what} a quarter"),
        GoalPeriod.YEAR: tr("{what} in the year"),
    }
    return patterns.get(period, "{what}").format(what=what)


def month_title(year: int, month: int) -> str:
    """ "March 2026" in the user's locale."""
    return app_locale().toString(QDate(year, month, 1), "MMMM yyyy")


def month_short(month: int, year: int) -> str:
    """ "Mar" for the chart's axis."""
    return app_locale().toString(QDate(year, month, 1), "MMM")


def day_text(day: date) -> str:
    """ "Mar 14, 2026" in the user's locale."""
    return app_locale().toString(QDate(day.year, day.month, day.day), "MMM d, yyyy")


def short_day(when: datetime, this_year: int) -> str:
    """ "Nov 1" this year, "Nov 1, 2025" another year (this computer's time zone)."""
    local = when.astimezone() if when.tzinfo else when
    pattern = "MMM d" if local.year == this_year else "MMM d, yyyy"
    return app_locale().toString(QDate(local.year, local.month, local.day), pattern)


def moment_text(when: datetime) -> str:
    """ "Mar 14, 2026, 9:31 AM" in this computer's time zone and locale."""
    local = when.astimezone() if when.tzinfo else when
    time_text = app_locale().toString(
        QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat
    )
    return f"{day_text(local.date())}, {time_text}"

"""How the review inbox words what core reports as codes: sources, statuses, the triage steps,
sentiments, themes, reply-check findings and due times. Core keeps codes; every sentence a
person reads is here, through ``tr`` (translatable)."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QTimeZone

from core.reviews.model import (
    Authenticity,
    Decision,
    ReviewStatus,
    ReviewType,
    Sentiment,
    Source,
)

_CONTEXT = "ReviewsWording"

MIN_OVERRIDE_REASON = 10
"""Letting a reply finding through needs a written reason at least this long (as in posts)."""


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def source_label(source: Source | str) -> str:
    return {
        "google": tr("Google"),
        "facebook": tr("Facebook"),
        "yelp": tr("Yelp"),
        "healthgrades": tr("Healthgrades"),
        "zocdoc": tr("Zocdoc"),
        "vitals": tr("Vitals"),
        "ratemds": tr("RateMDs"),
        "other": tr("Other"),
    }.get(str(source), str(source))


STATUS_ORDER = (
    ReviewStatus.NEW,
    ReviewStatus.TRIAGED,
    ReviewStatus.AWAITING_APPROVAL,
    ReviewStatus.APPROVED,
    ReviewStatus.REPLIED,
    ReviewStatus.NO_RESPONSE,
    ReviewStatus.ESCALATED,
)


def status_label(status: ReviewStatus | str) -> str:
    return {
        "new": tr("New"),
        "triaged": tr("To answer"),
        "awaiting_approval": tr("Waiting for approval"),
        "approved": tr("Approved, to post"),
        "replied": tr("Replied"),
        "no_response": tr("No response"),
        "escalated": tr("Escalated"),
    }.get(str(status), str(status))


def status_tone(status: ReviewStatus | str) -> str:
    return {
        "new": "info",
        "triaged": "info",
        "awaiting_approval": "warning",
        "approved": "success",
        "replied": "neutral",
        "no_response": "neutral",
        "escalated": "warning",
    }.get(str(status), "neutral")


def stars(rating: int | None) -> str:
    """``★★★☆☆`` for 3 of 5; empty for a mention or a source without stars."""
    if rating is None:
        return ""
    rating = max(0, min(rating, 5))
    return "★" * rating + "☆" * (5 - rating)


def stars_spoken(rating: int | None) -> str:
    """The rating for a screen reader."""
    if rating is None:
        return tr("no rating")
    return tr("{n} of 5 stars").format(n=rating)


def sentiment_label(sentiment: Sentiment | str) -> str:
    return {
        "negative": tr("Negative"),
        "neutral": tr("Neutral"),
        "positive": tr("Positive"),
    }.get(str(sentiment), str(sentiment))


def sentiment_tone(sentiment: Sentiment | str) -> str:
    return {"negative": "danger", "neutral": "neutral", "positive": "success"}.get(
        str(sentiment), "neutral"
    )


def theme_label(theme: str) -> str:
    """A theme id from the keyword rules; an id added to the rules by hand shows as written."""
    return {
        "wait_time": tr("Wait time"),
        "billing": tr("Billing"),
        "staff_attitude": tr("Staff attitude"),
        "clinical_outcome": tr("Clinical outcome"),
        "cleanliness": tr("Cleanliness"),
        "scheduling": tr("Scheduling"),
        "praise": tr("Praise"),
    }.get(theme, theme.replace("_", " ").capitalize())


def authenticity_label(value: Authenticity | str) -> str:
    return {
        "likely_real": tr("Likely a real person"),
        "suspicious": tr("Suspicious"),
        "spam": tr("Spam or fake"),
    }.get(str(value), str(value))


def review_type_label(value: ReviewType | str) -> str:
    return {
        "praise": tr("Praise"),
        "misunderstanding": tr("A misunderstanding"),
        "fixable_problem": tr("An unhappy patient with a problem we can fix"),
        "troll": tr("A troll"),
        "spam": tr("Spam"),
    }.get(str(value), str(value))


def decision_label(value: Decision | str) -> str:
    return {
        "respond": tr("Respond"),
        "no_response": tr("No response"),
        "escalate_manager": tr("Escalate to the manager"),
        "escalate_doctor": tr("Escalate to the doctor"),
    }.get(str(value), str(value))


def reach_label(value: int) -> str:
    return {
        1: tr("1 · few readers"),
        2: tr("2 · some readers"),
        3: tr("3 · many readers"),
    }.get(value, str(value))


def severity_label(value: int) -> str:
    return {
        1: tr("1 · mild"),
        2: tr("2 · serious"),
        3: tr("3 · grave accusation"),
    }.get(value, str(value))


def finding_title(kind: str) -> str:
    """What a reply-check finding is, in a few words."""
    return {
        "name": tr("A person's name"),
        "date": tr("A date"),
        "age": tr("A person's age"),
        "phone": tr("A phone number"),
        "email": tr("An e-mail address"),
        "address": tr("A street address"),
        "record_number": tr("A record or account number"),
        "health_detail": tr("A health detail"),
        "patient_relationship": tr("Says the reviewer is (or is not) a patient"),
        "visit_detail": tr("A visit detail"),
        "insurance": tr("Insurance or billing"),
    }.get(kind, tr("Possible patient information"))


def finding_why(kind: str) -> str:
    """Why a finding matters in a public reply."""
    return {
        "name": tr("A name in a reply tells everyone who the patient is."),
        "date": tr("A date in a reply tells everyone when someone came in."),
        "age": tr("An age helps identify the reviewer."),
        "phone": tr("Only the practice's own phone number belongs in a reply."),
        "email": tr("Only the practice's own e-mail belongs in a reply."),
        "address": tr("A street address can point to the reviewer."),
        "record_number": tr("Record and account numbers are part of the patient's record."),
        "health_detail": tr(
            "Treatments, procedures and diagnoses are private, even when the reviewer "
            "mentioned them first."
        ),
        "patient_relationship": tr(
            "Confirming or denying that someone is a patient is itself a disclosure. Practices "
            "have paid HHS $10,000–$50,000 for replies like this."
        ),
        "visit_detail": tr("When or why someone came in is part of their care."),
        "insurance": tr("Insurance and billing facts are part of the patient's record."),
    }.get(kind, tr("This may disclose patient information."))


def finding_fix(kind: str) -> str:
    """What to write instead (used when core has no rewrite of its own)."""
    return {
        "name": tr("Leave the name out; greet without it."),
        "date": tr("Leave the date out."),
        "patient_relationship": tr(
            "Speak in general: “We hold every patient visit to a high standard.”"
        ),
        "visit_detail": tr("Speak in general and invite them to call the office."),
        "health_detail": tr("Leave the treatment out; invite them to call the office."),
        "insurance": tr("Leave billing out; invite them to call the office manager."),
    }.get(kind, tr("Take it out, and invite them to call the office instead."))


def _now() -> datetime:
    return datetime.now().astimezone()


def relative_due(due: datetime | None, now: datetime | None = None) -> str:
    """``in 3 hours``, ``in 2 days``, ``5 hours late``, ``3 days late``; ``""`` for no due
    time."""
    if due is None:
        return ""
    now = now or _now()
    delta = due - now
    late = delta < timedelta(0)
    seconds = abs(delta.total_seconds())
    if seconds < 3600:
        minutes = max(1, round(seconds / 60))
        text = tr("{n} min").format(n=minutes)
    elif seconds < 23.5 * 3600:
        hours = round(seconds / 3600)
        text = tr("1 hour") if hours == 1 else tr("{n} hours").format(n=hours)
    else:
        days = round(seconds / 86400)
        text = tr("1 day") if days == 1 else tr("{n} days").format(n=days)
    return tr("{time} late").format(time=text) if late else tr("in {time}").format(time=text)


def short_date(when: datetime, now: datetime | None = None) -> str:
    """A compact date in this computer's locale: ``Mar 14`` this year, ``Mar 14, 2024``
    before."""
    zone = QTimeZone.systemTimeZone()
    moment = QDateTime.fromSecsSinceEpoch(int(when.timestamp()), zone).date()
    current = QDateTime.fromSecsSinceEpoch(int((now or _now()).timestamp()), zone).date()
    pattern = "MMM d" if moment.year() == current.year() else "MMM d, yyyy"
    return QLocale().toString(moment, pattern)


def long_date(when: datetime) -> str:
    """A date and time in this computer's locale (e.g. ``March 14, 2025 9:31 AM``)."""
    moment = QDateTime.fromSecsSinceEpoch(int(when.timestamp()), QTimeZone.systemTimeZone())
    locale = QLocale()
    day = locale.toString(moment.date(), QLocale.FormatType.LongFormat)
    return f"{day} {locale.toString(moment.time(), QLocale.FormatType.ShortFormat)}"


def snippet(text: str, limit: int = 140) -> str:
    """The first non-empty line of ``text``, plain, cut at ``limit`` characters."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"

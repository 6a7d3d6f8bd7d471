"""Settings dataclasses to and from JSON-able dicts (stored as versioned settings rows)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from core.errors import ValidationError
from core.practice.model import (
    AppSettings,
    BusinessHours,
    ConsentSettings,
    PostingPlan,
    Practice,
    ResponseRules,
    Specialty,
)


def practice_to_dict(p: Practice) -> dict[str, Any]:
    return {
        "name": p.name,
        "specialty": p.specialty.value,
        "address": p.address,
        "phone": p.phone,
        "website": p.website,
        "timezone": p.timezone,
    }


def practice_from_dict(d: dict[str, Any]) -> Practice:
    try:
        specialty = Specialty(d.get("specialty", Specialty.OTHER.value))
    except ValueError:
        specialty = Specialty.OTHER
    return Practice(
        name=str(d.get("name", "")),
        specialty=specialty,
        address=str(d.get("address", "")),
        phone=str(d.get("phone", "")),
        website=str(d.get("website", "")),
        timezone=str(d.get("timezone", "America/Chicago")),
    )


def settings_to_dict(s: AppSettings) -> dict[str, Any]:
    return {
        "auto_lock_minutes": s.auto_lock_minutes,
        "backup_keep_days": s.backup_keep_days,
        "automatic_backups": s.automatic_backups,
    }


def settings_from_dict(d: dict[str, Any]) -> AppSettings:
    base = AppSettings()
    return AppSettings(
        auto_lock_minutes=int(d.get("auto_lock_minutes", base.auto_lock_minutes)),
        backup_keep_days=int(d.get("backup_keep_days", base.backup_keep_days)),
        automatic_backups=bool(d.get("automatic_backups", base.automatic_backups)),
    )


def rules_to_dict(r: ResponseRules) -> dict[str, Any]:
    return {
        "negative_days": r.negative_days,
        "neutral_days": r.neutral_days,
        "positive_days": r.positive_days,
        "hours": {
            str(day): [o.strftime("%H:%M"), c.strftime("%H:%M")]
            for day, (o, c) in sorted(r.hours.days.items())
        },
        "holiday_country": r.holiday_country,
        "closed_days": [d.isoformat() for d in r.closed_days],
    }


def rules_from_dict(d: dict[str, Any]) -> ResponseRules:
    base = ResponseRules()
    try:
        hours = (
            BusinessHours(
                {
                    int(day): (time.fromisoformat(o), time.fromisoformat(c))
                    for day, (o, c) in d["hours"].items()
                }
            )
            if "hours" in d
            else base.hours
        )
        return ResponseRules(
            negative_days=int(d.get("negative_days", base.negative_days)),
            neutral_days=int(d.get("neutral_days", base.neutral_days)),
            positive_days=int(d.get("positive_days", base.positive_days)),
            hours=hours,
            holiday_country=str(d.get("holiday_country", base.holiday_country)),
            closed_days=tuple(date.fromisoformat(x) for x in d.get("closed_days", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError("The rules of engagement are malformed.", field="rules") from exc


def posting_plan_to_dict(p: PostingPlan) -> dict[str, Any]:
    return {"posts_per_week": p.posts_per_week, "mastodon_limit": p.mastodon_limit}


def posting_plan_from_dict(d: dict[str, Any]) -> PostingPlan:
    base = PostingPlan()
    try:
        return PostingPlan(
            posts_per_week=float(d.get("posts_per_week", base.posts_per_week)),
            mastodon_limit=int(d.get("mastodon_limit", base.mastodon_limit)),
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError("The posting plan is malformed.", field="posting_plan") from exc


def consent_settings_to_dict(c: ConsentSettings) -> dict[str, Any]:
    return {"expiring_days": c.expiring_days, "on_expiry": c.on_expiry}


def consent_settings_from_dict(d: dict[str, Any]) -> ConsentSettings:
    base = ConsentSettings()
    try:
        return ConsentSettings(
            expiring_days=int(d.get("expiring_days", base.expiring_days)),
            on_expiry=str(d.get("on_expiry", base.on_expiry)),
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "The consent settings are malformed.", field="consent_settings"
        ) from exc

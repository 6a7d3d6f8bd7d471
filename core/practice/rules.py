"""Validation of the practice profile and settings."""

from __future__ import annotations

import math
from zoneinfo import available_timezones

from core.errors import ValidationError
from core.practice.model import (
    ON_EXPIRY_CHOICES,
    AppSettings,
    ConsentSettings,
    PostingPlan,
    Practice,
    ResponseRules,
)

MAX_AUTO_LOCK_MINUTES = 60
MAX_POSTS_PER_WEEK = 50
MASTODON_LIMIT_RANGE = (100, 100_000)
EXPIRING_DAYS_RANGE = (1, 365)


def validate_practice(p: Practice) -> None:
    if not p.name.strip():
        raise ValidationError("The practice needs a name.", field="name")
    if p.timezone not in available_timezones():
        raise ValidationError("Unknown time zone.", field="timezone")


def validate_settings(s: AppSettings) -> None:
    if not 1 <= s.auto_lock_minutes <= MAX_AUTO_LOCK_MINUTES:
        raise ValidationError(
            "Auto-lock must be between 1 and 60 minutes.", field="auto_lock_minutes"
        )
    if not 1 <= s.backup_keep_days <= 365:
        raise ValidationError("Keep backups between 1 and 365 days.", field="backup_keep_days")


def validate_rules(r: ResponseRules) -> None:
    for name in ("negative_days", "neutral_days", "positive_days"):
        if not 0 <= getattr(r, name) <= 30:
            raise ValidationError("Time frames are 0 to 30 business days.", field=name)
    for day, (opens, closes) in r.hours.days.items():
        if not 0 <= day <= 6 or opens >= closes:
            raise ValidationError("Opening hours must open before they close.", field="hours")


def validate_posting_plan(p: PostingPlan) -> None:
    if not (math.isfinite(p.posts_per_week) and 0 <= p.posts_per_week <= MAX_POSTS_PER_WEEK):
        raise ValidationError("Aim for 0 to 50 posts a week.", field="posts_per_week")
    low, high = MASTODON_LIMIT_RANGE
    if not low <= p.mastodon_limit <= high:
        raise ValidationError(
            "A Mastodon server's limit is 100 to 100,000 characters.", field="mastodon_limit"
        )


def validate_consent_settings(c: ConsentSettings) -> None:
    low, high = EXPIRING_DAYS_RANGE
    if isinstance(c.expiring_days, bool) or not low <= c.expiring_days <= high:
        raise ValidationError("Warn 1 to 365 days before a consent expires.", field="expiring_days")
    if c.on_expiry not in ON_EXPIRY_CHOICES:
        raise ValidationError("Choose what happens at expiry.", field="on_expiry")

"""The practice profile and the settings an admin or manager edits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum


class Specialty(StrEnum):
    DENTAL = "dental"
    FAMILY_MEDICINE = "family_medicine"
    PEDIATRICS = "pediatrics"
    CHIROPRACTIC = "chiropractic"
    DERMATOLOGY = "dermatology"
    MED_SPA = "med_spa"
    OPTOMETRY = "optometry"
    PHYSICAL_THERAPY = "physical_therapy"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Practice:
    """Who the practice is. Its phone number goes into safe review replies."""

    name: str
    specialty: Specialty = Specialty.DENTAL
    address: str = ""
    phone: str = ""
    website: str = ""
    timezone: str = "America/Chicago"


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Opening hours per weekday (0 = Monday); a weekday missing from ``days`` is closed."""

    days: dict[int, tuple[time, time]] = field(
        default_factory=lambda: {d: (time(8, 0), time(17, 0)) for d in range(5)}
    )


@dataclass(frozen=True, slots=True)
class ResponseRules:
    """The practice's rules of engagement for reviews: how soon each kind gets an answer.

    Time frames are in business days; ``closed_days`` adds the practice's own closures to the
    public holidays of ``holiday_country``.
    """

    negative_days: int = 1
    neutral_days: int = 2
    positive_days: int = 3
    hours: BusinessHours = field(default_factory=BusinessHours)
    holiday_country: str = "US"
    closed_days: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Practice-wide preferences."""

    auto_lock_minutes: int = 5
    backup_keep_days: int = 14
    automatic_backups: bool = True


@dataclass(frozen=True, slots=True)
class PostingPlan:
    """The practice's posting plan, which the composer's checks use.

    ``posts_per_week`` is how often the practice aims to post (``0`` means no plan: the composer
    gives no advice on how often); ``mastodon_limit`` is the character limit of the practice's
    Mastodon server (each server sets its own; most allow 500).
    """

    posts_per_week: float = 3.0
    mastodon_limit: int = 500

    @property
    def limits(self) -> Mapping[str, int]:
        """Per-platform character limits for ``core.platforms.measure`` and the composer's
        readiness check and advice (``limits=``)."""
        return {"mastodon": self.mastodon_limit}

    @property
    def frequency(self) -> float | None:
        """``posts_per_week`` for ``core.composer.advice.advise``: ``None`` when there is no
        plan."""
        return self.posts_per_week if self.posts_per_week > 0 else None


ON_EXPIRY_CHOICES = ("review", "nothing")
"""What expiry does to posts already published with the expired consent's images."""


@dataclass(frozen=True, slots=True)
class ConsentSettings:
    """The consent tracker's settings.

    ``expiring_days``: how many days before its expiry date an authorization shows as
    *expiring* (and on Today, for re-consent). ``on_expiry``: ``"review"`` lists published
    posts that used an expired authorization's images on the takedown checklist for review;
    ``"nothing"`` leaves them (expiry still blocks every new use).
    """

    expiring_days: int = 30
    on_expiry: str = "review"

"""How the consent tracker words what core reports as codes: the authorization's elements, its
statuses, revocation channels, media kinds, purposes and recipients. Core keeps codes; every
sentence a person reads is here, through ``tr`` (translatable)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QCoreApplication

from core.composer.calendar import platform_names
from core.consent.model import (
    OTHER_RECIPIENTS,
    AuthorizationStatus,
    MediaKind,
    Purpose,
    RevocationChannel,
)
from core.platforms import PLATFORM_IDS

_CONTEXT = "ConsentWording"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def element_name(code: str) -> str:
    """A required element (``core.consent.rules.REQUIRED``) as a receptionist would say it."""
    names = {
        "media_kinds": tr("what may be used (photos, video, words)"),
        "media_description": tr("which photos or videos"),
        "discloser": tr("who shares it (the practice)"),
        "recipients": tr("where it may be shared"),
        "purposes": tr("what for"),
        "expiration": tr("an end date or event"),
        "signed_on": tr("the date signed"),
        "signer_name": tr("who signed"),
        "signature": tr("the signature"),
        "representative_authority": tr("the representative's authority"),
        "statement_right_to_revoke": tr("statement: right to withdraw"),
        "statement_treatment_not_conditioned": tr("statement: treatment does not depend on it"),
        "statement_redisclosure": tr("statement: others may share it again"),
        "form_version": tr("the form version"),
    }
    return names.get(code, code.replace("_", " "))


def missing_line(codes: Iterable[str]) -> str:
    """ "Missing: the signature, where it may be shared" — or "" when nothing is missing."""
    names = [element_name(c) for c in codes]
    if not names:
        return ""
    return tr("Missing: {items}").format(items=", ".join(names))


def status_label(status: AuthorizationStatus) -> str:
    return {
        AuthorizationStatus.ACTIVE: tr("Active"),
        AuthorizationStatus.EXPIRING: tr("Expiring"),
        AuthorizationStatus.EXPIRED: tr("Expired"),
        AuthorizationStatus.REVOKED: tr("Revoked"),
        AuthorizationStatus.INCOMPLETE: tr("Incomplete"),
        AuthorizationStatus.SUPERSEDED: tr("Superseded"),
    }[status]


def status_tone(status: AuthorizationStatus) -> str:
    """The ``Badge`` tone of a status."""
    return {
        AuthorizationStatus.ACTIVE: "success",
        AuthorizationStatus.EXPIRING: "warning",
        AuthorizationStatus.EXPIRED: "danger",
        AuthorizationStatus.REVOKED: "danger",
        AuthorizationStatus.INCOMPLETE: "warning",
        AuthorizationStatus.SUPERSEDED: "neutral",
    }[status]


STATUS_ORDER = (
    AuthorizationStatus.ACTIVE,
    AuthorizationStatus.EXPIRING,
    AuthorizationStatus.EXPIRED,
    AuthorizationStatus.REVOKED,
    AuthorizationStatus.INCOMPLETE,
    AuthorizationStatus.SUPERSEDED,
)
"""The order of the status filter after "All"."""


def filter_label(status: AuthorizationStatus) -> str:
    """A status as a filter entry (the badge's word)."""
    return status_label(status)


def media_kind_label(kind: MediaKind) -> str:
    return {
        MediaKind.PHOTO: tr("Photos"),
        MediaKind.VIDEO: tr("Video"),
        MediaKind.TESTIMONIAL: tr("Their own words (testimonial)"),
    }[kind]


def purpose_label(purpose: Purpose) -> str:
    return {
        Purpose.MARKETING: tr("Marketing the practice"),
        Purpose.EDUCATION: tr("Patient education"),
        Purpose.SOCIAL_MEDIA: tr("Social media posts"),
        Purpose.TESTIMONIAL: tr("Testimonial"),
    }[purpose]


def recipient_ids() -> tuple[str, ...]:
    """Every place an authorization can name, in form order: the platforms, then the
    practice's own channels."""
    return (*PLATFORM_IDS, *OTHER_RECIPIENTS)


def recipient_label(recipient: str) -> str:
    """A platform's display name (brand names are not translated) or a practice channel."""
    others = {
        "website": tr("The practice's website"),
        "in_office": tr("Screens in the office"),
        "print": tr("Printed material"),
    }
    if recipient in others:
        return others[recipient]
    return platform_names([recipient])[0]


def channel_label(channel: RevocationChannel) -> str:
    return {
        RevocationChannel.LETTER: tr("Letter"),
        RevocationChannel.EMAIL: tr("E-mail"),
        RevocationChannel.SIGNED_FORM: tr("Signed form"),
        RevocationChannel.PORTAL_MESSAGE: tr("Patient portal message"),
    }[channel]


def long_date(day: date | None) -> str:
    """ "March 4, 2026" (the way dates are written on a form), or "" for no date."""
    if day is None:
        return ""
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def short_list(labels: Iterable[str], limit: int = 3) -> str:
    """ "A, B, C and 2 more" for a one-line summary."""
    items = list(labels)
    if len(items) <= limit:
        return ", ".join(items)
    return tr("{first} and {n} more").format(first=", ".join(items[:limit]), n=len(items) - limit)

"""Patients and their authorizations for photos, video and testimonials.

Frozen dataclasses and enums only; ``core.consent.rules`` decides what is missing and what a
record's status is on a given day, ``core.consent.service`` stores and changes them. Dates a
person writes on a form (signed on, expires on, revocation received on) are ``date``s in the
practice's time zone; moments the app records (taken at, revoked at) are aware UTC
``datetime``s. ``version`` belongs to storage (optimistic locking).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class MediaKind(StrEnum):
    """What an authorization lets the practice use."""

    PHOTO = "photo"
    VIDEO = "video"
    TESTIMONIAL = "testimonial"
    """The patient's own words (a quote, a review they agreed to share)."""


class Purpose(StrEnum):
    """Why the practice may use it; each purpose is ticked separately on the form."""

    MARKETING = "marketing"
    EDUCATION = "education"
    SOCIAL_MEDIA = "social_media"
    TESTIMONIAL = "testimonial"


OTHER_RECIPIENTS = ("website", "in_office", "print")
"""Where media may go besides the social platforms (``core.platforms.PLATFORM_IDS``): the
practice's website, in-office screens, printed material. A recipient is one of those ids or
a platform id."""


class SignatureKind(StrEnum):
    """How the authorization was signed: on the signature pad, or a photo/scan of the signed
    paper form (both kept in the media vault)."""

    PAD = "pad"
    SCAN = "scan"


class RevocationChannel(StrEnum):
    """How a revocation was received. HIPAA requires it in writing; each of these is."""

    LETTER = "letter"
    EMAIL = "email"
    SIGNED_FORM = "signed_form"
    PORTAL_MESSAGE = "portal_message"


class AuthorizationStatus(StrEnum):
    """Where an authorization stands on a given day (``core.consent.rules.status``)."""

    ACTIVE = "active"
    EXPIRING = "expiring"
    """Active, and expires within the practice's warning window (default 30 days)."""
    EXPIRED = "expired"
    REVOKED = "revoked"
    INCOMPLETE = "incomplete"
    """Saved without every required element: never valid, says what is missing."""
    SUPERSEDED = "superseded"
    """Replaced by a newer authorization of the same patient (history is kept)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """The minimal identity the consent tracker needs. ``representative_*`` name who may sign
    for the patient (a parent of a minor, a guardian) and their authority ("parent",
    "legal guardian", "health care power of attorney")."""

    id: int | None
    first_name: str
    last_name: str
    preferred_name: str = ""
    date_of_birth: date | None = None
    phone: str = ""
    email: str = ""
    minor: bool = False
    representative_name: str = ""
    representative_authority: str = ""
    version: int = 1

    @property
    def display_name(self) -> str:
        """ "Preferred Last" when a preferred name is set, else "First Last"."""
        first = self.preferred_name.strip() or self.first_name.strip()
        return f"{first} {self.last_name.strip()}".strip()

    @property
    def name_forms(self) -> tuple[str, ...]:
        """The forms of the name the PHI check looks for: first + last, and preferred +
        last when a preferred name is set."""
        forms = [f"{self.first_name.strip()} {self.last_name.strip()}".strip()]
        if self.preferred_name.strip():
            forms.append(f"{self.preferred_name.strip()} {self.last_name.strip()}".strip())
        return tuple(dict.fromkeys(f for f in forms if f))


@dataclass(frozen=True, slots=True, kw_only=True)
class Revocation:
    """A patient withdrew the authorization, in writing: when the writing was received, how,
    and who recorded it (and when)."""

    received_on: date
    channel: RevocationChannel
    recorded_by: int
    recorded_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Authorization:
    """One signed (or incomplete) authorization, with every core element of 45 CFR
    164.508(c) (DOMAIN.md):

    1. what: ``media_kinds`` and ``media_description`` (which photos/videos/words), plus the
       vault hashes of the specific images it covers (``media_hashes``, may grow later);
    2. who discloses: ``discloser`` (the practice's name);
    3. to whom / where: ``recipients`` (platform ids and ``OTHER_RECIPIENTS``);
    4. each purpose: ``purposes``;
    5. expiry: ``expires_on`` and/or ``expiry_event`` (e.g. "when I leave the practice");
       ``event_occurred_on`` records that the event happened;
    6. signature and date: ``signed_on``, ``signer_name``, ``signature_kind`` and
       ``signature_ref`` (vault hash of the pad drawing or the scan); when a representative
       signs, ``representative_authority`` says by what right.

    The required statements are acknowledged one by one (``statement_*``); ``copy_offered``
    and ``copy_given`` record the patient's copy; ``form_version`` names the practice's form
    it was taken on; ``taken_by``/``taken_at`` who took it and when. ``first_name_only``,
    ``blur_face`` and ``no_tagging`` are the patient's requests. ``pdf_ref`` is the vault hash
    of the signed PDF the app produced. ``superseded_by`` is the id of the authorization that
    replaced this one.
    """

    id: int | None
    patient_id: int
    form_version: str
    media_kinds: frozenset[MediaKind] = frozenset()
    media_description: str = ""
    media_hashes: tuple[str, ...] = ()
    discloser: str = ""
    recipients: frozenset[str] = frozenset()
    purposes: frozenset[Purpose] = frozenset()
    expires_on: date | None = None
    expiry_event: str = ""
    event_occurred_on: date | None = None
    signed_on: date | None = None
    signer_name: str = ""
    signature_kind: SignatureKind | None = None
    signature_ref: str = ""
    representative_authority: str = ""
    statement_right_to_revoke: bool = False
    statement_treatment_not_conditioned: bool = False
    statement_redisclosure: bool = False
    copy_offered: bool = False
    copy_given: bool = False
    first_name_only: bool = False
    blur_face: bool = False
    no_tagging: bool = False
    taken_by: int
    taken_at: datetime
    pdf_ref: str = ""
    revocation: Revocation | None = None
    superseded_by: int | None = None
    version: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Takedown:
    """A published post (on one platform) that used media whose authorization was revoked
    (or expired, when the practice's setting says so): it stays on Today until someone
    confirms it was removed — who, when, how."""

    id: int | None
    post_id: int
    platform: str
    url: str
    authorization_id: int
    reason: str
    """``revoked`` or ``expired``."""
    created_at: datetime
    confirmed_by: int | None = None
    confirmed_at: datetime | None = None
    how: str = ""
    """How it was removed, in the person's words ("deleted on Facebook")."""

    @property
    def open(self) -> bool:
        return self.confirmed_at is None

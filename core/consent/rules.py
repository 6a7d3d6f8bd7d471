"""Pure rules of the consent tracker: what an authorization is missing, its status on a day,
what it covers, how long it must be kept, and the search keys of a patient's name and phone.

An authorization is valid only with every core element of 45 CFR 164.508(c) and every
required statement (DOMAIN.md); one missing anything is *incomplete* and never valid.
Status precedence: revoked > superseded > incomplete > expired > expiring > active.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta

from core.consent.model import (
    OTHER_RECIPIENTS,
    Authorization,
    AuthorizationStatus,
    MediaKind,
    Patient,
    Purpose,
)

REQUIRED: tuple[str, ...] = (
    "media_kinds",
    "media_description",
    "discloser",
    "recipients",
    "purposes",
    "expiration",
    "signed_on",
    "signer_name",
    "signature",
    "representative_authority",
    "statement_right_to_revoke",
    "statement_treatment_not_conditioned",
    "statement_redisclosure",
    "form_version",
)
"""Every element code ``missing_elements`` may report, in the order of the form.
``representative_authority`` is required only when someone other than the patient signs."""

STATEMENTS: tuple[str, ...] = ("right_to_revoke", "treatment_not_conditioned", "redisclosure")
"""The required statements' codes (``statement_<code>`` on ``Authorization``)."""

DEFAULT_EXPIRING_DAYS = 30
RETENTION_YEARS = 6
"""Signed forms are kept at least six years after they were last in effect."""

USABLE = frozenset({AuthorizationStatus.ACTIVE, AuthorizationStatus.EXPIRING})
"""Statuses in which an authorization lets the practice use what it covers."""

_SPACES = re.compile(r"\s+")


def search_key(text: str) -> str:
    """A name as search compares it: lower case, accents dropped, one space between words
    ("José  O'Neil" -> "jose o'neil")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain.casefold()).strip()


def name_tokens(patient: Patient) -> frozenset[str]:
    """The words of a patient's first, last and preferred names as ``search_key``s; search
    as you type matches a prefix of any of them. Hyphenated names also give each part."""
    words: set[str] = set()
    for name in (patient.first_name, patient.last_name, patient.preferred_name):
        for word in search_key(name).split():
            words.add(word)
            words.update(p for p in re.split(r"[-']", word) if p)
    return frozenset(words)


def phone_digits(phone: str) -> str:
    """The digits of a phone number, without a leading US country code ("+1 (217) 555-0142"
    -> "2175550142")."""
    digits = "".join(c for c in phone if c.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def is_phone_query(text: str) -> bool:
    """Whether search text is (part of) a phone number: digits and phone punctuation only."""
    stripped = text.strip()
    return (
        bool(stripped)
        and any(c.isdigit() for c in stripped)
        and not any(c.isalpha() for c in stripped)
    )


def signed_by_representative(auth: Authorization, patient: Patient) -> bool:
    """Whether someone other than the patient signed: always for a minor, and whenever the
    signer's name is not one of the patient's names."""
    if patient.minor:
        return True
    signer = search_key(auth.signer_name)
    if not signer:
        return False
    return signer not in {search_key(n) for n in patient.name_forms}


def missing_elements(auth: Authorization, patient: Patient) -> tuple[str, ...]:
    """The codes (``REQUIRED``) of every element ``auth`` lacks, in form order; ``()`` when
    it is complete."""
    absent = {
        "media_kinds": not auth.media_kinds,
        "media_description": not auth.media_description.strip(),
        "discloser": not auth.discloser.strip(),
        "recipients": not auth.recipients,
        "purposes": not auth.purposes,
        "expiration": auth.expires_on is None and not auth.expiry_event.strip(),
        "signed_on": auth.signed_on is None,
        "signer_name": not auth.signer_name.strip(),
        "signature": auth.signature_kind is None or not auth.signature_ref.strip(),
        "representative_authority": signed_by_representative(auth, patient)
        and not auth.representative_authority.strip(),
        "statement_right_to_revoke": not auth.statement_right_to_revoke,
        "statement_treatment_not_conditioned": not auth.statement_treatment_not_conditioned,
        "statement_redisclosure": not auth.statement_redisclosure,
        "form_version": not auth.form_version.strip(),
    }
    return tuple(code for code in REQUIRED if absent[code])


def ended_on(auth: Authorization) -> date | None:
    """The day the authorization stops (stopped) by its own terms: the expiry date or the
    day the expiry event happened, whichever comes first; ``None`` when open-ended so far."""
    ends = [d for d in (auth.expires_on, auth.event_occurred_on) if d is not None]
    return min(ends) if ends else None


def is_expired(auth: Authorization, today: date) -> bool:
    """Past its expiry date (valid through ``expires_on``), or its expiry event happened."""
    if auth.expires_on is not None and auth.expires_on < today:
        return True
    return auth.event_occurred_on is not None and auth.event_occurred_on <= today


def status(
    auth: Authorization,
    patient: Patient,
    today: date,
    expiring_days: int = DEFAULT_EXPIRING_DAYS,
) -> AuthorizationStatus:
    """Where ``auth`` stands on ``today`` (a date in the practice's time zone)."""
    return status_from(
        auth, complete=not missing_elements(auth, patient), today=today, expiring_days=expiring_days
    )


def status_from(
    auth: Authorization, *, complete: bool, today: date, expiring_days: int = DEFAULT_EXPIRING_DAYS
) -> AuthorizationStatus:
    """``status`` given whether the authorization is complete (storage keeps that flag, so
    lists can filter by status in SQL with the same precedence)."""
    if auth.revocation is not None:
        return AuthorizationStatus.REVOKED
    if auth.superseded_by is not None:
        return AuthorizationStatus.SUPERSEDED
    if not complete:
        return AuthorizationStatus.INCOMPLETE
    if is_expired(auth, today):
        return AuthorizationStatus.EXPIRED
    if auth.expires_on is not None and auth.expires_on <= today + timedelta(days=expiring_days):
        return AuthorizationStatus.EXPIRING
    return AuthorizationStatus.ACTIVE


def covers(
    auth: Authorization,
    patient: Patient,
    *,
    recipient: str,
    purpose: Purpose,
    today: date,
    media_hash: str | None = None,
) -> bool:
    """Whether ``auth`` lets the practice use the patient's media (``media_hash``: that
    image, which must be one it lists) at ``recipient`` for ``purpose`` on ``today``."""
    if status(auth, patient, today) not in USABLE:
        return False
    if recipient not in auth.recipients or purpose not in auth.purposes:
        return False
    if media_hash is None:
        return True
    visual = auth.media_kinds & {MediaKind.PHOTO, MediaKind.VIDEO}
    return bool(visual) and media_hash in auth.media_hashes


def known_recipients(platform_ids: Iterable[str]) -> frozenset[str]:
    """Every valid recipient id: the platforms and ``OTHER_RECIPIENTS``."""
    return frozenset(platform_ids) | frozenset(OTHER_RECIPIENTS)


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` on (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def deletable_from(
    auth: Authorization, *, superseded_on: date | None = None, incomplete: bool = False
) -> date | None:
    """The first day the signed form may be deleted: ``RETENTION_YEARS`` after it was last in
    effect (revocation received, expiry date or event, or replaced by a newer one on
    ``superseded_on``). An ``incomplete`` one was never in effect: counted from the day it was
    taken. ``None`` while it has no end yet (active, open-ended)."""
    if incomplete:
        return add_years(auth.taken_at.date(), RETENTION_YEARS)
    ends = [
        d
        for d in (
            auth.revocation.received_on if auth.revocation is not None else None,
            ended_on(auth),
            superseded_on if auth.superseded_by is not None else None,
        )
        if d is not None
    ]
    if not ends:
        return None
    return add_years(min(ends), RETENTION_YEARS)

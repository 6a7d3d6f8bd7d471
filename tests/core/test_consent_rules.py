"""The consent tracker's pure rules: every missing element, status by date and by event,
representatives, what an authorization covers, retention, search keys and the form."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from core.consent import rules
from core.consent.forms import default_form, next_version, render_text, validate_form
from core.consent.model import (
    Authorization,
    AuthorizationStatus,
    MediaKind,
    Patient,
    Purpose,
    Revocation,
    RevocationChannel,
    SignatureKind,
)
from core.errors import ValidationError

S = AuthorizationStatus
TODAY = date(2026, 11, 2)
PATIENT = Patient(id=1, first_name="Odalys", last_name="Brightwater", preferred_name="Oda")
CHILD = Patient(
    id=2,
    first_name="Tobin",
    last_name="Quarry",
    minor=True,
    representative_name="Maren Quarry",
    representative_authority="parent",
)
IMAGE = "a" * 64
COMPLETE = Authorization(
    id=10,
    patient_id=1,
    form_version="2026-11-01.1",
    media_kinds=frozenset({MediaKind.PHOTO}),
    media_description="Photos of my smile after whitening",
    media_hashes=(IMAGE,),
    discloser="Maple Grove Family Dental",
    recipients=frozenset({"facebook", "website"}),
    purposes=frozenset({Purpose.SOCIAL_MEDIA}),
    expires_on=date(2027, 11, 1),
    signed_on=date(2026, 11, 1),
    signer_name="Odalys Brightwater",
    signature_kind=SignatureKind.PAD,
    signature_ref="b" * 64,
    statement_right_to_revoke=True,
    statement_treatment_not_conditioned=True,
    statement_redisclosure=True,
    taken_by=1,
    taken_at=datetime(2026, 11, 1, 15, tzinfo=UTC),
)
BLANK = {
    "media_kinds": frozenset(),
    "media_description": "  ",
    "discloser": "",
    "recipients": frozenset(),
    "purposes": frozenset(),
    "signed_on": None,
    "signer_name": "",
    "statement_right_to_revoke": False,
    "statement_treatment_not_conditioned": False,
    "statement_redisclosure": False,
    "form_version": "",
}


def test_a_complete_authorization_misses_nothing_and_is_active() -> None:
    assert rules.missing_elements(COMPLETE, PATIENT) == ()
    assert rules.status(COMPLETE, PATIENT, TODAY) is S.ACTIVE


@pytest.mark.parametrize(("name", "value"), sorted(BLANK.items()))
def test_each_missing_element_is_named(name: str, value: object) -> None:
    auth = replace(COMPLETE, **{name: value})
    assert rules.missing_elements(auth, PATIENT) == (name,)
    assert rules.status(auth, PATIENT, TODAY) is S.INCOMPLETE


def test_expiration_needs_a_date_or_an_event() -> None:
    no_end = replace(COMPLETE, expires_on=None)
    assert rules.missing_elements(no_end, PATIENT) == ("expiration",)
    event = replace(no_end, expiry_event="When I leave the practice")
    assert rules.missing_elements(event, PATIENT) == ()
    assert rules.status(event, PATIENT, TODAY) is S.ACTIVE


def test_a_signature_needs_its_kind_and_its_file() -> None:
    for auth in (replace(COMPLETE, signature_kind=None), replace(COMPLETE, signature_ref="")):
        assert rules.missing_elements(auth, PATIENT) == ("signature",)


def test_everything_missing_is_listed_in_form_order() -> None:
    empty = replace(COMPLETE, **BLANK, expires_on=None, signature_kind=None)
    assert rules.missing_elements(empty, PATIENT) == tuple(
        c for c in rules.REQUIRED if c != "representative_authority"
    )


def test_representatives_must_state_their_authority() -> None:
    child = replace(COMPLETE, patient_id=2, signer_name="Maren Quarry")
    assert rules.missing_elements(child, CHILD) == ("representative_authority",)
    assert rules.missing_elements(replace(child, representative_authority="parent"), CHILD) == ()
    # an adult signed for by someone else (a guardian) needs it too; the patient's own
    # names (also the preferred one) do not
    guardian = replace(COMPLETE, signer_name="Ines Brightwater")
    assert rules.missing_elements(guardian, PATIENT) == ("representative_authority",)
    assert rules.missing_elements(replace(COMPLETE, signer_name="oda  BRIGHTWATER"), PATIENT) == ()
    # a minor is always signed for, even when the signer's name matches
    assert rules.signed_by_representative(replace(child, signer_name="Tobin Quarry"), CHILD)


def test_expiry_by_date_is_inclusive_and_warns_within_the_window() -> None:
    auth = replace(COMPLETE, expires_on=date(2026, 11, 20))
    assert rules.status(auth, PATIENT, TODAY) is S.EXPIRING
    assert rules.status(auth, PATIENT, TODAY, expiring_days=7) is S.ACTIVE
    assert rules.status(auth, PATIENT, date(2026, 11, 20)) is S.EXPIRING  # its last day
    assert rules.status(auth, PATIENT, date(2026, 11, 21)) is S.EXPIRED


def test_expiry_by_event_starts_the_day_it_happened() -> None:
    auth = replace(
        COMPLETE, expires_on=None, expiry_event="When I leave", event_occurred_on=date(2026, 11, 5)
    )
    assert rules.status(auth, PATIENT, TODAY) is S.ACTIVE
    assert rules.status(auth, PATIENT, date(2026, 11, 5)) is S.EXPIRED
    assert rules.ended_on(auth) == date(2026, 11, 5)


def test_status_precedence() -> None:
    revocation = Revocation(
        received_on=TODAY,
        channel=RevocationChannel.LETTER,
        recorded_by=1,
        recorded_at=datetime(2026, 11, 2, tzinfo=UTC),
    )
    worst = replace(
        COMPLETE,
        revocation=revocation,
        superseded_by=11,
        statement_redisclosure=False,
        expires_on=date(2020, 1, 1),
        signed_on=date(2019, 1, 1),
    )
    assert rules.status(worst, PATIENT, TODAY) is S.REVOKED
    assert rules.status(replace(worst, revocation=None), PATIENT, TODAY) is S.SUPERSEDED
    no_sup = replace(worst, revocation=None, superseded_by=None)
    assert rules.status(no_sup, PATIENT, TODAY) is S.INCOMPLETE
    assert rules.status(replace(no_sup, statement_redisclosure=True), PATIENT, TODAY) is S.EXPIRED


def test_covers_each_recipient_purpose_and_image() -> None:
    def covers(**kw: object) -> bool:
        args: dict[str, object] = {
            "recipient": "facebook",
            "purpose": Purpose.SOCIAL_MEDIA,
            "today": TODAY,
            "media_hash": IMAGE,
        } | kw
        return rules.covers(COMPLETE, PATIENT, **args)  # type: ignore[arg-type]

    assert covers()
    assert covers(recipient="website", media_hash=None)
    assert not covers(recipient="instagram")
    assert not covers(purpose=Purpose.MARKETING)
    assert not covers(media_hash="c" * 64)
    assert not covers(today=date(2027, 11, 2))  # expired
    words_only = replace(COMPLETE, media_kinds=frozenset({MediaKind.TESTIMONIAL}))
    assert not rules.covers(
        words_only,
        PATIENT,
        recipient="facebook",
        purpose=Purpose.SOCIAL_MEDIA,
        today=TODAY,
        media_hash=IMAGE,
    )


def test_retention_counts_six_years_from_the_last_day_in_effect() -> None:
    assert rules.deletable_from(replace(COMPLETE, expires_on=None, expiry_event="x")) is None
    assert rules.deletable_from(COMPLETE) == date(2033, 11, 1)
    revoked = replace(
        COMPLETE,
        revocation=Revocation(
            received_on=date(2026, 12, 1),
            channel=RevocationChannel.EMAIL,
            recorded_by=1,
            recorded_at=datetime(2026, 12, 1, tzinfo=UTC),
        ),
    )
    assert rules.deletable_from(revoked) == date(2032, 12, 1)
    replaced = replace(COMPLETE, superseded_by=11)
    assert rules.deletable_from(replaced, superseded_on=date(2027, 2, 1)) == date(2033, 2, 1)
    assert rules.deletable_from(COMPLETE, incomplete=True) == date(2032, 11, 1)
    assert rules.add_years(date(2028, 2, 29), 6) == date(2034, 2, 28)


def test_search_keys_fold_case_accents_and_spacing() -> None:
    assert rules.search_key("  José   O'Neil ") == "jose o'neil"
    person = Patient(id=None, first_name="Mary Ann", last_name="Delacroix-Moss")
    assert rules.name_tokens(person) >= {"mary", "ann", "delacroix-moss", "delacroix", "moss"}
    assert rules.phone_digits("+1 (217) 555-0142") == "2175550142"
    assert rules.is_phone_query("555-01")
    assert not rules.is_phone_query("Ann 5")


def test_the_shipped_form_is_plain_valid_and_fills_in_the_practice() -> None:
    form = default_form()
    validate_form(form)
    assert set(form.statements) == set(rules.STATEMENTS)
    assert "attorney" in form.attorney_note
    filled = render_text(
        form, "Maple Grove Family Dental", "1200 Maple Grove Ave", "(217) 555-0142"
    )
    text = " ".join([filled.intro, *filled.paragraphs, *filled.statements.values()])
    assert "{" not in text
    assert "(217) 555-0142" in filled.statements["right_to_revoke"]
    with pytest.raises(ValidationError) as error:
        validate_form(replace(form, statements={**form.statements, "redisclosure": " "}))
    assert error.value.params["field"] == "redisclosure"
    with pytest.raises(ValidationError):
        validate_form(replace(form, intro="Call {doctor}"))
    assert next_version("2026-11-22.1", "2026-11-22") == "2026-11-22.2"
    assert next_version("2026-11-01.3", "2026-11-22") == "2026-11-22.1"

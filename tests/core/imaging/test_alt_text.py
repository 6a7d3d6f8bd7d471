"""A photo's alt text (what it shows, for people using screen readers): saved trimmed, at most
1,000 characters, refused with the PHI check's findings like a post's text, never undoing a
sign-off, kept in the record's JSON data, and read in order for publishing (where a text the
PHI check flags now is left out)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.consent.model import Patient
from core.demo import DemoStaff, create_demo_practice
from core.errors import EditConflict, ValidationError
from core.imaging import checklist
from core.imaging.model import ImageRecord, ImageStatus
from core.imaging.service import MAX_ALT_TEXT, ImagingService
from core.staff.model import Role
from core.staff.pins import fast_hasher
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.imaging_support import import_photos, photo_png, sign_off

GARDEN = "Two hygienists laughing beside the plant wall in the waiting room."


@pytest.fixture
def services(clock: ManualClock, tmp_path: Path) -> Services:
    return build_services(
        uow=MemoryStore(),
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
        media=MemoryMediaStore(tmp_path / "vault"),
    )


@pytest.fixture
def staff(services: Services) -> DemoStaff:
    return create_demo_practice(services, with_posts=False)


@pytest.fixture
def images(services: Services) -> ImagingService:
    return services.images


@pytest.fixture
def cleared(images: ImagingService, staff: DemoStaff) -> ImageRecord:
    [record] = import_photos(images, staff.front_desk, [photo_png(11)])
    return sign_off(images, staff.front_desk, record)


def _id(record: ImageRecord) -> int:
    assert record.id is not None
    return record.id


def events(services: Services, action: str) -> list[str]:
    admin = next(m for m in services.staff.list() if m.role is Role.ADMIN)
    found = services.audit.query(admin, AuditQuery(action=action, limit=100))[0]
    return [e.detail for e in found]


def add_patient(services: Services, staff: DemoStaff, first: str, last: str) -> None:
    services.consent.add_patient(
        staff.front_desk, Patient(id=None, first_name=first, last_name=last, phone="217-555-0190")
    )


def test_alt_text_is_saved_trimmed_and_audited_without_its_words(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    [record] = import_photos(images, staff.front_desk, [photo_png(3)])
    assert record.alt_text == ""
    saved = images.set_alt_text(staff.front_desk, _id(record), record.version, f"  {GARDEN}\n ")
    assert saved.alt_text == GARDEN
    assert saved.version == record.version + 1
    assert images.get(_id(record)).alt_text == GARDEN
    assert events(services, "image.alt_text") == [f"{len(GARDEN)} characters"]

    same = images.set_alt_text(staff.front_desk, _id(record), saved.version, GARDEN + " ")
    assert same.version == saved.version  # nothing changed: nothing saved or audited
    assert len(events(services, "image.alt_text")) == 1

    removed = images.set_alt_text(staff.front_desk, _id(record), saved.version, "   ")
    assert removed.alt_text == ""
    assert events(services, "image.alt_text")[0] == "0 characters"
    with pytest.raises(EditConflict):
        images.set_alt_text(staff.front_desk, _id(record), saved.version, "stale")


def test_alt_text_is_at_most_a_thousand_characters(
    images: ImagingService, staff: DemoStaff
) -> None:
    [record] = import_photos(images, staff.front_desk, [photo_png(4)])
    longest = ("A smiling dentist. " * 60)[:MAX_ALT_TEXT]
    assert MAX_ALT_TEXT == 1000
    with pytest.raises(ValidationError) as refused:
        images.set_alt_text(staff.front_desk, _id(record), record.version, longest + "!")
    assert refused.value.params == {"field": "alt_text", "reason": "too_long", "limit": 1000}
    assert images.get(_id(record)).alt_text == ""
    # Spaces around it do not count: the trimmed text is what is kept.
    saved = images.set_alt_text(staff.front_desk, _id(record), record.version, f"  {longest}  ")
    assert saved.alt_text == longest.strip()


def test_patient_information_is_refused_with_the_findings(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    add_patient(services, staff, "Odalys", "Brightwater")
    [record] = import_photos(images, staff.front_desk, [photo_png(5)])
    text = "  Odalys Brightwater smiling after her crown prep "
    with pytest.raises(ValidationError) as refused:
        images.set_alt_text(staff.front_desk, _id(record), record.version, text)
    params = refused.value.params
    assert (params["field"], params["reason"]) == ("alt_text", "phi")
    trimmed = text.strip()
    found = [(f["kind"], trimmed[f["start"] : f["end"]]) for f in params["findings"]]
    assert ("name", "Odalys Brightwater") in found
    assert ("health_detail", "crown") in found
    assert "Brightwater" not in str(refused.value)  # the message never carries the words
    assert images.get(_id(record)).alt_text == ""
    assert events(services, "image.alt_text") == []

    with pytest.raises(ValidationError) as honorific:  # a name the PHI check guesses
        images.set_alt_text(staff.front_desk, _id(record), record.version, "Mrs. Alvarez waving")
    assert [f["kind"] for f in honorific.value.params["findings"]] == ["name"]

    # Staff are not patients: a colleague named with their role passes.
    fine = "Hygienist Jenna Ortiz showing a model tooth to a child."
    saved = images.set_alt_text(staff.front_desk, _id(record), record.version, fine)
    assert saved.alt_text == fine


def test_alt_text_does_not_undo_a_sign_off(
    services: Services, images: ImagingService, staff: DemoStaff, cleared: ImageRecord
) -> None:
    assert cleared.status is ImageStatus.CLEARED
    saved = images.set_alt_text(staff.manager, _id(cleared), cleared.version, GARDEN)
    assert saved.status is ImageStatus.CLEARED
    assert saved.signoff == cleared.signoff
    assert checklist.signoff_matches(saved)
    assert images.uncleared([saved.media_hash]) == 0
    assert events(services, "image.reset") == []
    # Notes, by contrast, are part of what was checked: they do undo it.
    notes = images.set_notes(staff.manager, _id(saved), saved.version, "By the window")
    assert notes.status is ImageStatus.NEEDS_ATTENTION
    assert notes.alt_text == GARDEN


def test_a_rejected_photo_must_be_reopened_first(images: ImagingService, staff: DemoStaff) -> None:
    [record] = import_photos(images, staff.front_desk, [photo_png(6)])
    rejected = images.reject(staff.front_desk, _id(record), record.version, "A chart is visible.")
    with pytest.raises(ValidationError) as refused:
        images.set_alt_text(staff.front_desk, _id(record), rejected.version, GARDEN)
    assert refused.value.params["field"] == "status"


def test_alt_texts_for_publishing_in_order_leaving_out_what_is_flagged_now(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    first, second, third = import_photos(
        images, staff.front_desk, [photo_png(n) for n in (7, 8, 9)]
    )
    desk = staff.front_desk
    images.set_alt_text(desk, _id(first), first.version, GARDEN)
    images.set_alt_text(desk, _id(third), third.version, "Kim Fairweather at the reception desk.")
    missing = "f" * 64
    hashes = [third.media_hash, missing, first.media_hash, second.media_hash]
    assert images.alt_texts(hashes) == (
        "Kim Fairweather at the reception desk.",
        "",
        GARDEN,
        "",
    )
    assert images.alt_texts([]) == ()

    # Kim Fairweather becomes a patient after the text was written: it is not published.
    add_patient(services, staff, "Kim", "Fairweather")
    assert images.alt_texts(hashes) == ("", "", GARDEN, "")


def test_alt_text_lives_in_the_records_json_data(
    images: ImagingService, staff: DemoStaff, cleared: ImageRecord
) -> None:
    saved = images.set_alt_text(staff.front_desk, _id(cleared), cleared.version, GARDEN)
    data = checklist.record_data_to_json(saved)
    assert data["alt_text"] == GARDEN
    bare = replace(saved, alt_text="")
    assert replace(bare, **checklist.record_data_from_json(data)) == saved
    del data["alt_text"]  # written before alt texts existed
    assert checklist.record_data_from_json(data)["alt_text"] == ""

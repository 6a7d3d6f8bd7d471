"""The image library's use cases over the in-memory ports with the real sandbox, Tesseract and
OpenCV: import (good, duplicate and refused files), scan, the checklist to sign-off, resets,
people linked to consent, rejection, the composer's gate, the clean export, photo spots,
Today, and the demo library."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from core.app import DatabaseInfo, DatabaseKind, Services, build_services
from core.audit.model import AuditQuery
from core.clock import ManualClock
from core.composer.errors import UnclearedMedia
from core.consent.model import Authorization, MediaKind, Patient, Purpose, RevocationChannel
from core.demo import DemoStaff, create_demo_practice
from core.errors import EditConflict, PermissionDenied, ValidationError
from core.imaging import ImageRejected, checklist
from core.imaging.model import (
    CHECKLIST_ORDER,
    Answer,
    Box,
    ChecklistItem,
    ImageStatus,
    PersonKind,
    PhotoSpot,
    Redaction,
    RedactionStyle,
)
from core.imaging.ports import ImageQuery
from core.imaging.service import ImagingService
from core.staff.model import Role
from core.staff.pins import fast_hasher
from tests.fakes import MemoryMediaStore, MemorySecrets, MemoryStore
from tests.imaging_support import drain, import_photos, photo_png, sign_off

ASTRONAUT = Path(__file__).parents[2] / "data" / "astronaut.jpg"
TEXT = "Smile of the week! Book your cleaning at https://maplegrove-dental.example"


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


def whiteboard_jpeg() -> bytes:
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    draw.text((30, 40), "9:00 Mrs. Alvarez crown prep", fill="black", font=font)
    draw.text((30, 170), "Welcome to our office", fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def events(services: Services, action: str) -> list[str]:
    admin = next(m for m in services.staff.list() if m.role is Role.ADMIN)
    found = services.audit.query(admin, AuditQuery(action=action, limit=100))[0]
    return [e.detail for e in found]


# --- import --------------------------------------------------------------------------------
def test_import_keeps_originals_thumbnails_and_lists_duplicates_and_refusals(
    services: Services, images: ImagingService, staff: DemoStaff, tmp_path: Path
) -> None:
    good = tmp_path / "Patient Smith smile.png"
    good.write_bytes(photo_png(1, (640, 480)))
    again = tmp_path / "copy.png"
    again.write_bytes(good.read_bytes())
    fake = tmp_path / "notes.jpg"
    fake.write_text("Mrs. Alvarez 9:00 crown prep\n" * 20)
    empty = tmp_path / "empty.webp"
    empty.write_bytes(b"")
    steps = images.import_files(staff.front_desk, [good, again, fake, empty])
    progress = []
    while True:
        try:
            progress.append(next(steps))
        except StopIteration as done:
            result = done.value
            break
    assert [p.done for p in progress] == [0, 1, 2, 3, 4]
    assert len(result.imported) == 1
    assert result.duplicates == ("copy.png",)
    assert [(name, reason) for name, reason, _ in result.refused] == [
        ("notes.jpg", "not_an_image"),
        ("empty.webp", "not_an_image"),
    ]
    record = images.get(result.imported[0])
    assert (record.width, record.height, record.format) == (640, 480, "PNG")
    assert record.status is ImageStatus.UNCHECKED
    assert record.report is None
    assert record.filename == good.name
    assert record.imported_by == staff.front_desk.id
    path = images.original_path(record)
    assert path is not None
    assert path.read_bytes() == good.read_bytes()
    thumb = images.thumbnail(record)
    assert thumb is not None
    with Image.open(io.BytesIO(thumb)) as t:
        assert t.format == "JPEG"
        assert max(t.size) <= 320
    [detail] = events(services, "image.import")
    assert detail == "1 imported, 1 duplicates, 2 refused"
    assert "Smith" not in detail
    assert images.unscanned() == [record.id]


def test_import_needs_a_vault(clock: ManualClock) -> None:
    services = build_services(
        uow=MemoryStore(),
        clock=clock,
        secrets=MemorySecrets(),
        database=DatabaseInfo(DatabaseKind.SQLITE, "memory", True, "test", "/tmp"),
        backup_store=None,
        hasher=fast_hasher(),
    )
    staff = create_demo_practice(services, with_posts=False)
    from core.errors import StorageError

    with pytest.raises(StorageError):
        drain(services.images.import_files(staff.front_desk, []))


def test_folder_files_lists_photos_only(tmp_path: Path) -> None:
    for name in ("b.JPG", "a.png", ".hidden.jpg", "c.heic", "notes.txt", "d.gif"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.jpg").mkdir()
    names = [p.name for p in ImagingService.folder_files(tmp_path)]
    assert names == ["a.png", "b.JPG", "c.heic"]
    with pytest.raises(ValidationError) as missing:
        ImagingService.folder_files(tmp_path / "missing")
    assert missing.value.params["reason"] == "unreadable"
    with pytest.raises(ValidationError):
        ImagingService.folder_files(tmp_path / "a.png")  # a file, not a folder


def test_folder_files_walks_sub_folders_as_phones_sync_them(tmp_path: Path) -> None:
    """DCIM/100APPLE/… are found, sorted by path; hidden folders and files are skipped."""
    root = tmp_path / "phone"
    for rel in (
        "DCIM/100APPLE/IMG_0002.HEIC",
        "DCIM/100APPLE/IMG_0001.JPG",
        "DCIM/101APPLE/IMG_0100.jpg",
        "DCIM/101APPLE/deeper/still/IMG_0200.png",
        "cover.webp",
        "DCIM/.thumbnails/IMG_0001.jpg",
        ".trash/old.jpg",
        "DCIM/100APPLE/.IMG_0003.jpg",
        "DCIM/100APPLE/IMG_0001.AAE",
    ):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    found = [p.relative_to(root).as_posix() for p in ImagingService.folder_files(root)]
    assert found == [
        "cover.webp",
        "DCIM/100APPLE/IMG_0001.JPG",
        "DCIM/100APPLE/IMG_0002.HEIC",
        "DCIM/101APPLE/deeper/still/IMG_0200.png",
        "DCIM/101APPLE/IMG_0100.jpg",
    ]


def test_folder_files_survives_symlink_loops_and_links_twice_to_one_folder(
    tmp_path: Path,
) -> None:
    root = tmp_path / "sync"
    (root / "a").mkdir(parents=True)
    (root / "a" / "one.jpg").write_bytes(b"x")
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)
    (root / "again").symlink_to(root / "a", target_is_directory=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "two.png").write_bytes(b"x")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    names = [p.name for p in ImagingService.folder_files(root)]
    assert sorted(names) == ["one.jpg", "two.png"]


def test_folder_files_refuses_a_folder_with_too_many_photos(tmp_path: Path) -> None:
    for n in range(6):
        sub = tmp_path / f"day-{n % 2}"
        sub.mkdir(exist_ok=True)
        (sub / f"IMG_{n}.jpg").write_bytes(b"x")
    assert len(ImagingService.folder_files(tmp_path, limit=6)) == 6
    with pytest.raises(ValidationError) as refused:
        ImagingService.folder_files(tmp_path, limit=5)
    assert refused.value.params["reason"] == "too_many"
    assert refused.value.params["limit"] == 5
    assert "5" in str(refused.value)
    assert "IMG_" not in str(refused.value)


def test_folder_files_refuses_a_tree_of_too_many_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.imaging import service as module

    monkeypatch.setattr(module, "MAX_FOLDER_DIRS", 3)
    for n in range(4):
        (tmp_path / f"empty-{n}").mkdir()
    with pytest.raises(ValidationError) as refused:
        ImagingService.folder_files(tmp_path)
    assert refused.value.params["reason"] == "too_many_folders"


# --- scan and the checklist ---------------------------------------------------------------
def test_scan_flags_phi_text_and_the_checklist_leads_to_a_sign_off(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    desk = staff.front_desk
    [record] = import_photos(images, desk, [whiteboard_jpeg()])
    assert record.id is not None
    with pytest.raises(ValidationError) as refused:
        images.sign_off(desk, record.id, record.version)
    assert ("not_scanned", {}) in refused.value.params["problems"]
    record = drain(images.scan(desk, record.id))
    assert record.report is not None
    assert record.report.ocr_ran
    assert record.status is ImageStatus.NEEDS_ATTENTION
    phi = [i for i, r in enumerate(record.report.text_regions) if r.findings]
    assert phi
    assert "Alvarez" in record.report.text_regions[phi[0]].text
    assert checklist.flagged_items(record.report) == checklist.TEXT_ITEMS
    [detail] = events(services, "image.scan")
    assert "Alvarez" not in detail
    assert "text lines" in detail

    problems = {p.code for p in images.problems(record)}
    assert problems == {"item_unanswered", "text_unhandled"}
    record = images.set_redactions(
        desk, record.id, record.version, checklist.suggested_redactions(record)
    )
    for item in CHECKLIST_ORDER:
        answer = Answer.HANDLED if item is ChecklistItem.WHITEBOARDS else Answer.NOT_PRESENT
        record = images.set_answer(desk, record.id, record.version, item, answer)
    assert {p.code for p in images.problems(record)} == {"flag_needs_note"}
    for item in checklist.TEXT_ITEMS - {ChecklistItem.WHITEBOARDS}:
        record = images.set_answer(
            desk, record.id, record.version, item, Answer.NOT_PRESENT, "Only the whiteboard."
        )
    assert images.problems(record) == []
    assert images.uncleared([record.media_hash]) == 1
    cleared = images.sign_off(desk, record.id, record.version)
    assert cleared.status is ImageStatus.CLEARED
    assert cleared.signoff is not None
    assert cleared.signoff.staff_id == desk.id
    assert cleared.signoff.report_digest == checklist.report_digest(cleared.report)
    assert images.uncleared([cleared.media_hash, cleared.media_hash]) == 0
    assert images.uncleared(["f" * 64]) == 1

    # A rescan that finds the same changes nothing; a redaction change resets.
    assert drain(images.scan(desk, record.id)) == cleared
    changed = images.set_redactions(desk, record.id, cleared.version, ())
    assert changed.status is ImageStatus.NEEDS_ATTENTION
    assert changed.signoff is None
    assert images.uncleared([record.media_hash]) == 1
    assert len(events(services, "image.reset")) == 1
    with pytest.raises(EditConflict):
        images.set_notes(desk, record.id, cleared.version, "stale")


def test_a_face_becomes_a_person_to_resolve(
    images: ImagingService, staff: DemoStaff, services: Services
) -> None:
    desk = staff.front_desk
    [record] = import_photos(images, desk, [ASTRONAUT.read_bytes()])
    assert record.id is not None
    record = drain(images.scan(desk, record.id))
    assert record.report is not None
    assert len(record.report.faces) == 1
    assert [p.kind for p in record.people] == [PersonKind.UNRESOLVED]
    record = images.mark_redacted(desk, record.id, record.version, 0, RedactionStyle.PIXELATE)
    assert record.people[0].kind is PersonKind.REDACTED
    assert record.redactions == (Redaction(record.people[0].box, RedactionStyle.PIXELATE, "face"),)
    record = images.unlink_person(desk, record.id, record.version, 0)
    record = images.mark_staff(desk, record.id, record.version, 0, staff.doctor.id)
    assert record.people[0].kind is PersonKind.STAFF
    assert record.people[0].staff_id == staff.doctor.id
    with pytest.raises(ValidationError):
        images.remove_person(desk, record.id, record.version, 0)  # a detected face
    record = images.add_person(desk, record.id, record.version, Box(-20, 400, 100, 200))
    assert record.people[1].box == Box(0, 400, 80, 112)  # clipped to the photo
    with pytest.raises(ValidationError):
        images.add_person(desk, record.id, record.version, Box(600, 600, 10, 10))
    record = images.remove_person(desk, record.id, record.version, 1)
    assert len(record.people) == 1
    with pytest.raises(ValidationError):
        images.mark_staff(desk, record.id, record.version, 5)


def test_linking_a_patient_needs_consent_in_effect_and_lists_the_photo(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    desk = staff.front_desk
    consent = services.consent
    patient = consent.add_patient(
        desk, Patient(id=None, first_name="Odalys", last_name="Brightwater", phone="217-555-0190")
    )
    assert patient.id is not None
    today = consent.today()
    auth = consent.save_authorization(
        desk,
        Authorization(
            id=None,
            patient_id=patient.id,
            form_version=consent.form().version,
            media_kinds=frozenset({MediaKind.PHOTO}),
            media_description="Photos of my smile",
            discloser="Maple Grove Family Dental",
            recipients=frozenset({"facebook"}),
            purposes=frozenset({Purpose.SOCIAL_MEDIA}),
            expires_on=today + timedelta(days=365),
            signed_on=today,
            signer_name="Odalys Brightwater",
            statement_right_to_revoke=True,
            statement_treatment_not_conditioned=True,
            statement_redisclosure=True,
            taken_by=0,
            taken_at=services.clock.now(),
        ),
        scan=b"signed form",
    )
    assert auth.id is not None
    [record] = import_photos(images, desk, [ASTRONAUT.read_bytes()])
    assert record.id is not None
    record = drain(images.scan(desk, record.id))
    record = images.link_patient(desk, record.id, record.version, 0, auth.id)
    assert record.people[0].kind is PersonKind.PATIENT
    assert record.people[0].patient_id == patient.id
    assert record.media_hash in consent.get_authorization(auth.id).media_hashes
    record = sign_off(images, desk, record)
    assert record.status is ImageStatus.CLEARED

    post = services.composer.new_draft(desk, TEXT, ("facebook",))
    assert post.id is not None
    post = services.composer.autosave(desk, post.id, post.version, media=[record.media_hash])
    post = services.composer.submit(desk, post.id, post.version)  # cleared and consented

    current = consent.get_authorization(auth.id)
    consent.revoke(
        desk, auth.id, current.version, received_on=today, channel=RevocationChannel.EMAIL
    )
    assert {p.code for p in images.problems(images.get(record.id))} == {"consent_not_in_effect"}
    record = images.unlink_person(desk, record.id, images.get(record.id).version, 0)
    with pytest.raises(ValidationError):
        images.link_patient(desk, record.id, record.version, 0, auth.id)  # revoked


def test_the_composer_refuses_uncleared_photos(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    desk = staff.front_desk
    [record] = import_photos(images, desk, [photo_png(7)])
    post = services.composer.new_draft(desk, TEXT, ("facebook",))
    assert post.id is not None
    post = services.composer.autosave(desk, post.id, post.version, media=[record.media_hash])
    with pytest.raises(UnclearedMedia):
        services.composer.submit(desk, post.id, post.version)
    sign_off(images, desk, record)
    services.composer.submit(desk, post.id, post.version)


def test_reject_needs_a_reason_blocks_edits_and_reopen_undoes_it(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    desk = staff.front_desk
    [record] = import_photos(images, desk, [photo_png(3)])
    assert record.id is not None
    with pytest.raises(ValidationError):
        images.reject(desk, record.id, record.version, "bad")
    reason = "A chart is open on the desk behind her."
    rejected = images.reject(desk, record.id, record.version, reason)
    assert rejected.status is ImageStatus.REJECTED
    assert rejected.rejected_reason == reason
    assert events(services, "image.reject") == [""]  # the reason is not audited
    with pytest.raises(ValidationError):
        images.set_notes(desk, record.id, rejected.version, "anything")
    reopened = images.reopen(desk, record.id, rejected.version)
    assert reopened.status is ImageStatus.NEEDS_ATTENTION
    assert reopened.rejected_reason == ""
    assert images.reopen(desk, record.id, reopened.version) == reopened


def test_export_for_post_burns_in_redactions_and_needs_a_sign_off(
    images: ImagingService, staff: DemoStaff, tmp_path: Path
) -> None:
    desk = staff.front_desk
    [record] = import_photos(images, desk, [photo_png(5, (200, 120))])
    assert record.id is not None
    dst = tmp_path / "clean.png"
    with pytest.raises(ValidationError):
        images.export_for_post(record.media_hash, dst)
    record = images.set_redactions(
        desk, record.id, record.version, (Redaction(Box(10, 10, 40, 30), RedactionStyle.FILL),)
    )
    record = images.set_answer(desk, record.id, record.version, ChecklistItem.OTHER, Answer.HANDLED)
    record = sign_off(images, desk, record)
    assert images.clean_suffix(record.media_hash) == ".png"
    images.export_for_post(record.media_hash, dst)
    with Image.open(dst) as out:
        assert out.size == (200, 120)
        assert out.convert("RGB").getpixel((30, 25)) == (0, 0, 0)


# --- spots, listing, Today -------------------------------------------------------------------
def test_photo_spots_need_the_permission_and_fill_empty_notes(
    services: Services, images: ImagingService, staff: DemoStaff
) -> None:
    with pytest.raises(PermissionDenied):
        images.save_spot(staff.front_desk, PhotoSpot(None, "Plant wall"))
    with pytest.raises(ValidationError):
        images.save_spot(staff.manager, PhotoSpot(None, "   "))
    with pytest.raises(ImageRejected):
        images.save_spot(staff.manager, PhotoSpot(None, "Wall"), reference=b"%PDF-1.4 not")
    spot = images.save_spot(
        staff.manager, PhotoSpot(None, "  Plant   wall ", "Desk out of frame."),
        reference=photo_png(9),
    )  # fmt: skip
    assert spot.name == "Plant wall"
    assert spot.reference_hash is not None
    small = images.spot_reference(spot)
    assert small is not None
    with Image.open(io.BytesIO(small)) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) <= 320
    assert images.spot_reference(PhotoSpot(None, "No photo")) is None
    assert images.spot_reference(replace(spot, reference_hash="0" * 64)) is None
    [record] = import_photos(images, staff.front_desk, [photo_png(4)])
    # A library photo as the reference: its thumbnail is shown, no second decoding.
    from_library = images.save_spot(
        staff.manager, PhotoSpot(None, "Front window"), reference=photo_png(4)
    )
    assert from_library.reference_hash == record.media_hash
    assert images.spot_reference(from_library) == images.thumbnail(record)
    from_library = images.save_spot(staff.manager, replace(from_library, active=False))
    assert spot.id is not None
    assert record.id is not None
    record = images.set_spot(staff.front_desk, record.id, record.version, spot.id)
    assert (record.spot_id, record.notes) == (spot.id, "Desk out of frame.")
    retired = images.save_spot(staff.manager, replace(spot, active=False))
    assert images.spots() == []
    assert retired in images.spots(include_inactive=True)
    [other] = import_photos(images, staff.front_desk, [photo_png(8)])
    assert other.id is not None
    with pytest.raises(ValidationError):
        images.set_spot(staff.front_desk, other.id, other.version, spot.id)


def test_listing_filters_searches_and_counts(
    services: Services, images: ImagingService, staff: DemoStaff, clock: ManualClock
) -> None:
    desk = staff.front_desk
    records = import_photos(images, desk, [photo_png(n) for n in range(5)])
    first = records[0]
    assert first.id is not None
    images.set_notes(desk, first.id, first.version, "Hallway mural")
    newest = images.list_images(ImageQuery())
    assert [r.id for r in newest] == sorted((r.id for r in records), reverse=True)
    assert [r.id for r in images.list_images(ImageQuery(text="MURAL"))] == [first.id]
    assert images.count_images(ImageQuery(text="photo-3")) == 1
    assert [r.id for r in images.list_images(ImageQuery(offset=1, limit=2))] == [
        r.id for r in newest[1:3]
    ]
    assert images.status_counts()[ImageStatus.UNCHECKED] == 5
    assert images.status_counts()[ImageStatus.CLEARED] == 0
    kinds = {i.kind: dict(i.params) for i in services.today.items()}
    assert "images_unchecked" not in kinds
    clock.advance(timedelta(days=2))
    kinds = {i.kind: dict(i.params) for i in services.today.items()}
    assert kinds["images_unchecked"] == {"count": 5}


def test_the_demo_library_has_every_status_and_today_items(
    demo_practice: Callable[..., DemoStaff], memory_services: Services, clock: ManualClock
) -> None:
    demo_practice()
    images = memory_services.images
    counts = images.status_counts()
    assert all(counts[s] > 0 for s in ImageStatus), counts
    assert len(images.spots()) == 3
    cleared = images.list_images(ImageQuery(statuses=(ImageStatus.CLEARED,)))
    assert images.uncleared([r.media_hash for r in cleared]) == 0
    board = next(r for r in cleared if r.filename == "front-desk-whiteboard.jpg")
    assert board.redactions
    assert board.report is not None
    kinds = {i.kind for i in memory_services.today.items()}
    assert {"images_need_attention", "images_unchecked"} <= kinds

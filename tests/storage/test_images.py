"""The image library's repositories on SQLCipher and PostgreSQL: round trips of the whole
checklist, versions, one record per original, filters, search, order and counts in SQL, the
unscanned queue, photo spots, and the 0005 -> 0006 upgrade (and back)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, text

from core.clock import ManualClock
from core.errors import EditConflict, NotFound
from core.imaging.model import (
    Answer,
    Box,
    ChecklistItem,
    ImageRecord,
    ImageReport,
    ImageStatus,
    Person,
    PersonKind,
    PhotoSpot,
    Redaction,
    RedactionStyle,
    SignOff,
    TextRegion,
)
from core.imaging.ports import ImageQuery
from core.phi import scan_text
from core.staff.model import Role
from storage.engine import Database
from storage.migrate import alembic_config
from storage.uow import SqlUnitOfWork

Uow = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 2, 15, 0, 0, 123456, tzinfo=UTC)
LINE = "9:00 Mrs. Alvarez crown prep"


def someone(uow: Uow) -> int:
    with uow() as tx:
        return tx.staff.add("Dana Whitfield", Role.ADMIN, "hash").id


def record(by: int, n: int = 1, **kw: object) -> ImageRecord:
    fields: dict[str, object] = {
        "id": None,
        "media_hash": f"{n:064x}",
        "filename": f"photo-{n}.jpg",
        "imported_at": T0 + timedelta(minutes=n),
        "imported_by": by,
        "width": 4000,
        "height": 3000,
        "format": "JPEG",
        "size_bytes": 3_500_000,
        "thumbnail_hash": "c" * 64,
    }
    return ImageRecord(**(fields | kw))  # type: ignore[arg-type]


def full_checklist(r: ImageRecord, by: int) -> ImageRecord:
    face = Box(177, 66, 95, 95)
    report = ImageReport(
        width=4000,
        height=3000,
        faces=(face,),
        text_regions=(TextRegion(Box(20, 30, 400, 50), LINE, 93.25, tuple(scan_text(LINE))),),
        metadata={"gps": {"lat": 39.786, "lon": -89.65}, "device": "DemoPhone 12"},
        warnings=("downscaled_for_ocr",),
        ocr_ran=True,
        faces_ran=True,
        scanned_at=T0,
    )
    return replace(
        r,
        status=ImageStatus.CLEARED,
        report=report,
        answers={
            ChecklistItem.WHITEBOARDS: Answer.HANDLED,
            ChecklistItem.XRAYS: Answer.NOT_PRESENT,
        },
        flag_notes={ChecklistItem.SCREENS: "The monitor was switched off."},
        people=(
            Person(face, kind=PersonKind.PATIENT, patient_id=4, authorization_id=9),
            Person(Box(1, 2, 3, 4), source="manual", kind=PersonKind.STAFF, staff_id=by),
        ),
        redactions=(Redaction(Box(20, 30, 400, 50), RedactionStyle.FILL, "text"),),
        text_dismissed=frozenset({0}),
        notes="By the plant wall",
        signoff=SignOff(by, T0, r.media_hash, "d" * 64, "e" * 64),
    )


def test_a_record_round_trips_with_its_whole_checklist(uow: Uow) -> None:
    by = someone(uow)
    with uow() as tx:
        added = tx.images.add(record(by))
        spot = tx.photo_spots.add(PhotoSpot(None, "Plant wall", "Desk out of frame"))
    assert added.id is not None
    assert added.version == 1
    assert added == replace(record(by), id=added.id)
    changed = replace(full_checklist(added, by), spot_id=spot.id)
    with uow() as tx:
        saved = tx.images.save(changed, 1)
    assert saved == replace(changed, version=2)
    with uow() as tx:
        assert tx.images.get(added.id) == saved
        assert tx.images.by_hashes([added.media_hash, "f" * 64]) == {added.media_hash: saved}
        with pytest.raises(EditConflict):
            tx.images.save(replace(saved, notes="stale"), 1)
    with uow() as tx, pytest.raises(NotFound):
        tx.images.get(999)


def test_one_record_per_original(uow: Uow) -> None:
    by = someone(uow)
    with uow() as tx:
        tx.images.add(record(by))
    with uow() as tx, pytest.raises(EditConflict):
        tx.images.add(replace(record(by), filename="again.jpg"))


def test_lists_filter_search_order_and_count_in_sql(uow: Uow) -> None:
    by = someone(uow)
    statuses = [ImageStatus.UNCHECKED, ImageStatus.CLEARED, ImageStatus.NEEDS_ATTENTION]
    with uow() as tx:
        added = [
            tx.images.add(record(by, n, status=statuses[n % 3], notes=f"note {n}"))
            for n in range(1, 10)
        ]
        tx.images.add(record(by, 10, filename="100%_Smile.PNG", format="PNG"))
    with uow() as tx:
        newest = tx.images.list(ImageQuery())
        assert [r.filename for r in newest[:2]] == ["100%_Smile.PNG", "photo-9.jpg"]
        assert tx.images.count(ImageQuery()) == 10
        cleared = tx.images.list(ImageQuery(statuses=(ImageStatus.CLEARED,)))
        assert [r.id for r in cleared] == [added[6].id, added[3].id, added[0].id]
        both = ImageQuery(statuses=(ImageStatus.CLEARED, ImageStatus.NEEDS_ATTENTION))
        assert tx.images.count(both) == 6
        assert [r.filename for r in tx.images.list(ImageQuery(text="smile"))] == ["100%_Smile.PNG"]
        assert tx.images.count(ImageQuery(text="100%")) == 1
        assert tx.images.count(ImageQuery(text="0%_s")) == 1
        assert tx.images.count(ImageQuery(text="_")) == 1  # a literal underscore
        assert tx.images.count(ImageQuery(text="NOTE 3")) == 1  # both words, any case
        page = tx.images.list(ImageQuery(offset=2, limit=3))
        assert [r.id for r in page] == [r.id for r in newest[2:5]]
        before = ImageQuery(imported_before=T0 + timedelta(minutes=3))
        assert [r.filename for r in tx.images.list(before)] == ["photo-2.jpg", "photo-1.jpg"]
        assert tx.images.status_counts() == {
            ImageStatus.UNCHECKED: 4,
            ImageStatus.CLEARED: 3,
            ImageStatus.NEEDS_ATTENTION: 3,
        }


def test_the_unscanned_queue(uow: Uow) -> None:
    by = someone(uow)
    with uow() as tx:
        first = tx.images.add(record(by, 1))
        second = tx.images.add(record(by, 2))
        tx.images.add(record(by, 3, status=ImageStatus.REJECTED))
        assert tx.images.unscanned(10) == [first.id, second.id]
        tx.images.save(full_checklist(first, by), 1)
        assert tx.images.unscanned(10) == [second.id]
        assert tx.images.unscanned(0) == []


def test_photo_spots(uow: Uow) -> None:
    with uow() as tx:
        wall = tx.photo_spots.add(PhotoSpot(None, "Plant wall", "Desk out", "a" * 64))
        room = tx.photo_spots.add(PhotoSpot(None, "hygiene room 2"))
    assert wall.id is not None
    with uow() as tx:
        assert tx.photo_spots.list() == [room, wall]  # by name, whatever the case
        retired = tx.photo_spots.save(replace(wall, active=False), 1)
        assert retired.version == 2
        assert tx.photo_spots.list() == [room]
        assert tx.photo_spots.list(include_inactive=True) == [room, retired]
        with pytest.raises(EditConflict):
            tx.photo_spots.save(replace(wall, name="x"), 1)
        with pytest.raises(NotFound):
            tx.photo_spots.get(999)


def test_0005_upgrades_to_0006_and_back(private_db: Database) -> None:
    with private_db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    assert "image" not in inspect(private_db.engine).get_table_names()
    with private_db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0006")
        conn.execute(
            text(
                "INSERT INTO staff (display_name, role, active, pin_hash, failed_attempts,"
                " version, created_at) VALUES ('Dana Whitfield', 'admin', true, 'h', 0, 1,"
                " '2026-11-22 09:00:00')"
            )
        )
    tables = inspect(private_db.engine).get_table_names()
    assert {"image", "photo_spot"} <= set(tables)
    indexes = {i["name"] for i in inspect(private_db.engine).get_indexes("image")}
    assert {"ix_image_status_imported_at_id", "ix_image_imported_at_id"} <= indexes


def test_the_clock_is_not_needed_for_images(uow: Uow, clock: ManualClock) -> None:
    """Records carry their own times: the repository stores what it is given."""
    by = someone(uow)
    clock.advance(timedelta(days=30))
    with uow() as tx:
        added = tx.images.add(record(by))
    assert added.imported_at == T0 + timedelta(minutes=1)

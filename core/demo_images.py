"""The demo practice's photo library: a dozen pictures the demo draws itself, in every status
of the image checklist, and three approved photo spots.

Every picture is drawn here with Pillow (no real place or person; every name on a whiteboard
or a screen is invented) and goes through the real path: the sandboxed import, the real scan
(Tesseract and OpenCV when present) and the checklist's rules for the sign-off. The drawings
are written to a private temporary folder only long enough to be imported (they show nothing
real). Scans run only on the photos whose status needs a report; the unchecked ones wait for
the Images page to scan them.

The consent tracker's three "smile" photos (``core.demo_consent.smile_png``) are imported and
cleared here as well, before its demo attaches them to posts: only cleared photos may be.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from PIL import Image, ImageDraw, ImageFont

from core.app import Services
from core.clock import ManualClock
from core.demo import DemoStaff
from core.imaging import checklist
from core.imaging.model import (
    CHECKLIST_ORDER,
    Answer,
    Box,
    ChecklistItem,
    ImageRecord,
    PersonKind,
    PhotoSpot,
    Redaction,
    RedactionStyle,
)
from core.imaging.service import ImagingService, ImportResult
from core.progress import Progress
from core.staff.model import StaffMember

W, H = 1200, 800
"""The drawings' size: a phone photo scaled down, small enough that OCR takes a moment."""

FLAG_NOTE = "Looked closely: nothing of the kind is in this photo."
"""The note a demo sign-off gives for a pre-flagged item that is not present."""

T = TypeVar("T")
_Draw = Callable[[], tuple[bytes, tuple[Box, ...]]]


@dataclass(frozen=True, slots=True)
class DemoImages:
    """The demo library's photos by role (ids), and the spots."""

    cleared: tuple[int, ...]
    needs_attention: tuple[int, ...]
    unchecked: tuple[int, ...]
    rejected: tuple[int, ...]
    spots: tuple[PhotoSpot, ...]
    smile_hashes: tuple[str, ...]


# --- drawing ---------------------------------------------------------------------------------
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _room(wall: tuple[int, int, int], floor: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (W, H), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(H * 0.72), W, H), fill=floor)
    draw.line((0, int(H * 0.72), W, int(H * 0.72)), fill=(120, 110, 100), width=3)
    return image


def _plant(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.rectangle((x - 40, y, x + 40, y + 90), fill=(150, 90, 60))
    for dx, dy in ((-50, -60), (0, -110), (50, -60), (-25, -90), (25, -90)):
        draw.ellipse((x + dx - 35, y + dy - 25, x + dx + 35, y + dy + 45), fill=(60, 140, 70))


def _chair(draw: ImageDraw.ImageDraw, x: int, y: int, colour: tuple[int, int, int]) -> None:
    draw.rounded_rectangle((x, y, x + 120, y + 110), 14, fill=colour)
    draw.rounded_rectangle((x - 8, y + 100, x + 128, y + 150), 10, fill=colour)
    draw.rectangle((x + 5, y + 150, x + 15, y + 200), fill=(70, 70, 70))
    draw.rectangle((x + 105, y + 150, x + 115, y + 200), fill=(70, 70, 70))


def _figure(draw: ImageDraw.ImageDraw, x: int, y: int, shirt: tuple[int, int, int]) -> Box:
    """A person from behind-the-desk distance (head and shoulders); returns the head box."""
    draw.rounded_rectangle((x - 90, y + 110, x + 90, y + 330), 40, fill=shirt)
    draw.ellipse((x - 55, y, x + 55, y + 130), fill=(205, 160, 125))
    draw.chord((x - 58, y - 6, x + 58, y + 80), 180, 360, fill=(70, 50, 40))
    return Box(x - 60, y - 6, 120, 140)


def _jpeg(image: Image.Image, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    if exif is None:
        image.save(out, format="JPEG", quality=85)
    else:
        image.save(out, format="JPEG", quality=85, exif=exif)
    return out.getvalue()


def _board(
    lines: Sequence[str], *, x: int = 140, y: int = 90, size: int = 40
) -> tuple[Image.Image, tuple[Box, ...]]:
    """A front desk with a whiteboard of appointments; returns the boxes of the lines."""
    image = _room((232, 226, 214), (170, 150, 125))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (x - 30, y - 30, x + 900, y + 70 + len(lines) * (size + 26)), fill=(250, 250, 247)
    )
    draw.rectangle(
        (x - 30, y - 30, x + 900, y + 70 + len(lines) * (size + 26)),
        outline=(150, 150, 160),
        width=8,
    )
    font = _font(size)
    boxes: list[Box] = []
    for i, line in enumerate(lines):
        top = y + 10 + i * (size + 26)
        draw.text((x, top), line, fill=(25, 35, 110), font=font)
        left, upper, right, lower = (int(v) for v in draw.textbbox((x, top), line, font=font))
        boxes.append(Box(left - 8, upper - 8, right - left + 16, lower - upper + 16))
    draw.rectangle((0, int(H * 0.8), W, H), fill=(120, 85, 60))  # the desk
    return image, tuple(boxes)


def draw_whiteboard() -> tuple[bytes, tuple[Box, ...]]:
    """The front desk's whiteboard: today's appointments with invented patients."""
    image, boxes = _board(
        (
            "TUESDAY SCHEDULE",
            "9:00  Mrs. Alvarez - crown prep",
            "9:30  Mr. Okafor - cleaning",
            "10:15 Ms. Whitfield - root canal",
        )
    )
    return _jpeg(image), boxes[1:]


def draw_monitor() -> tuple[bytes, tuple[Box, ...]]:
    """Reception with a monitor showing the day's schedule."""
    image = _room((214, 224, 232), (150, 140, 130))
    draw = ImageDraw.Draw(image)
    draw.rectangle((250, 120, 950, 560), fill=(30, 30, 35))
    draw.rectangle((275, 145, 925, 535), fill=(245, 248, 255))
    draw.rectangle((560, 560, 640, 640), fill=(40, 40, 45))
    draw.rectangle((0, int(H * 0.8), W, H), fill=(120, 85, 60))
    font = _font(34)
    rows = ("Schedule - Room 2", "Mr. Delgado  DOB 03/14/1962", "Ms. Price  DOB 11/02/1990")
    for i, row in enumerate(rows):
        draw.text((300, 175 + i * 70), row, fill=(10, 10, 10), font=font)
    return _jpeg(image), ()


def draw_waiting_room() -> tuple[bytes, tuple[Box, ...]]:
    """The waiting room: chairs and plants, nobody in it."""
    image = _room((226, 236, 228), (180, 160, 130))
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate(((70, 110, 160), (160, 80, 70), (70, 110, 160), (90, 140, 90))):
        _chair(draw, 180 + i * 200, 430, colour)
    _plant(draw, 1050, 470)
    _plant(draw, 90, 470)
    draw.rectangle((420, 90, 780, 300), fill=(245, 240, 220), outline=(140, 120, 90), width=10)
    draw.ellipse((540, 130, 660, 250), fill=(240, 200, 90))  # a sunny painting
    return _jpeg(image), ()


def draw_staff_photo() -> tuple[bytes, tuple[Box, ...]]:
    """Three team members in front of the plant wall (drawn figures)."""
    image = _room((210, 228, 206), (170, 150, 125))
    draw = ImageDraw.Draw(image)
    for i in range(7):
        _plant(draw, 80 + i * 170, 260)
    heads = tuple(
        _figure(draw, x, 300, shirt)
        for x, shirt in ((330, (80, 150, 170)), (600, (80, 150, 170)), (870, (230, 230, 235)))
    )
    return _jpeg(image), heads


def draw_entrance_with_gps() -> tuple[bytes, tuple[Box, ...]]:
    """The entrance with a potted tree, taken by a phone that recorded where and when."""
    image = _room((200, 215, 235), (140, 140, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((420, 150, 780, 576), fill=(120, 90, 60))  # the door
    draw.rectangle((450, 180, 750, 400), fill=(180, 210, 230))
    _plant(draw, 250, 480)
    _plant(draw, 950, 480)
    exif = Image.Exif()
    exif[0x010F] = "DemoPhone"  # Make
    exif[0x0110] = "Model 12"  # Model
    exif[0x8769] = {0x9003: "2026:11:14 10:22:31"}  # DateTimeOriginal
    exif[0x8825] = {  # GPS: an invented spot in Springfield, IL
        1: "N",
        2: (39.0, 47.0, 12.34),
        3: "W",
        4: (89.0, 39.0, 5.6),
    }
    return _jpeg(image, exif), ()


def draw_prescriptions() -> tuple[bytes, tuple[Box, ...]]:
    """A shelf of prescription bottles with patients' names on the labels."""
    image = _room((236, 232, 222), (170, 150, 125))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 520, 1140, 545), fill=(120, 85, 60))
    font = _font(22)
    for i, label in enumerate(("Mrs. Tran", "Mr. Okoro", "Ms. Lind")):
        x = 160 + i * 330
        draw.rounded_rectangle((x, 250, x + 220, 520), 20, fill=(220, 140, 40))
        draw.rectangle((x + 15, 330, x + 205, 450), fill=(250, 250, 250))
        draw.text((x + 25, 345), label, fill=(0, 0, 0), font=font)
        draw.text((x + 25, 385), "Amoxicillin", fill=(0, 0, 0), font=font)
    return _jpeg(image), ()


def _simple(wall: tuple[int, int, int], accents: int, fmt: str) -> _Draw:
    def draw() -> tuple[bytes, tuple[Box, ...]]:
        image = _room(wall, (170, 150, 125))
        d = ImageDraw.Draw(image)
        for i in range(accents):
            _chair(d, 200 + i * 260, 430, (90 + 40 * i, 120, 150))
        out = io.BytesIO()
        image.save(out, format=fmt)
        return out.getvalue(), ()

    return draw


# --- the library -----------------------------------------------------------------------------
def _drain(steps: Generator[Progress, None, T]) -> T:
    """Run a progress generator to its end and return its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result: T = done.value
            return result


def _drain_import(
    images: ImagingService,
    actor: StaffMember,
    paths: list[Path],
    *,
    later: dict[int, datetime],
    clock: ManualClock,
) -> tuple[int, ...]:
    """Import ``paths`` in one batch (one sandbox), moving ``clock`` to ``later[i]`` before
    the ``i``-th file, so the photos were imported at different times."""
    steps = images.import_files(actor, paths)
    while True:
        try:
            progress = next(steps)
        except StopIteration as done:
            result: ImportResult = done.value
            break
        if progress.done in later:
            clock.set(later[progress.done])
    if result.refused or result.duplicates or len(result.imported) != len(paths):
        raise RuntimeError("the demo photos did not import")  # a bug: they are drawn here
    return result.imported


def _spots(images: ImagingService, manager: StaffMember) -> tuple[PhotoSpot, ...]:
    """The practice's approved photo spots (the first with a reference photo)."""
    plant_wall, _ = draw_staff_photo()
    return (
        images.save_spot(
            manager,
            PhotoSpot(
                None,
                "The plant wall by reception",
                "Plain wall and plants only; the reception desk stays out of the frame.",
            ),
            reference=plant_wall,
        ),
        images.save_spot(
            manager,
            PhotoSpot(
                None,
                "Waiting room, window side",
                "Face the windows: the check-in screen and the sign-in sheet are behind you.",
            ),
        ),
        images.save_spot(
            manager,
            PhotoSpot(
                None,
                "Hygiene room 2, chair facing the window",
                "Turn the monitor off and clear the tray before taking the photo.",
            ),
        ),
    )


def _scanned(images: ImagingService, actor: StaffMember, image_id: int) -> ImageRecord:
    return _drain(images.scan(actor, image_id))


def _answer_all(
    images: ImagingService,
    actor: StaffMember,
    record: ImageRecord,
    handled: frozenset[ChecklistItem] = frozenset(),
) -> ImageRecord:
    """Answer every item: ``handled`` ones as redacted, the rest as not present (with a
    note where the scan had flagged the item)."""
    assert record.id is not None
    flagged = checklist.flagged_items(record.report)
    for item in CHECKLIST_ORDER:
        answer = Answer.HANDLED if item in handled else Answer.NOT_PRESENT
        note = FLAG_NOTE if answer is Answer.NOT_PRESENT and item in flagged else ""
        record = images.set_answer(actor, record.id, record.version, item, answer, note)
    return record


def _redact_found(images: ImagingService, actor: StaffMember, record: ImageRecord) -> ImageRecord:
    """Accept the suggested redactions and mark every unresolved face as redacted."""
    image_id = record.id
    assert image_id is not None
    suggested = checklist.suggested_redactions(record)
    if suggested:
        record = images.set_redactions(
            actor, image_id, record.version, (*record.redactions, *suggested)
        )
    for index, person in enumerate(record.people):
        if person.kind is PersonKind.UNRESOLVED:
            record = images.mark_redacted(actor, image_id, record.version, index)
    return record


def _clear(
    images: ImagingService, actor: StaffMember, record: ImageRecord, *, spot: int | None = None
) -> ImageRecord:
    image_id = record.id
    assert image_id is not None
    record = _redact_found(images, actor, record)
    if spot is not None:
        record = images.set_spot(actor, image_id, record.version, spot)
    handled = frozenset({ChecklistItem.OTHER}) if record.redactions else frozenset()
    record = _answer_all(images, actor, record, handled)
    return images.sign_off(actor, image_id, record.version)


def _clear_whiteboard(
    images: ImagingService, actor: StaffMember, record: ImageRecord, boxes: tuple[Box, ...]
) -> ImageRecord:
    """The whiteboard: every appointment line filled in black (where it was drawn, and
    whatever else the scan suggests), then signed off."""
    image_id = record.id
    assert image_id is not None
    drawn = tuple(Redaction(b, RedactionStyle.FILL, "manual") for b in boxes)
    record = images.set_redactions(actor, image_id, record.version, drawn)
    record = _redact_found(images, actor, record)
    record = images.set_notes(
        actor, image_id, record.version, "Front desk; the appointment names are blacked out."
    )
    record = _answer_all(images, actor, record, frozenset({ChecklistItem.WHITEBOARDS}))
    return images.sign_off(actor, image_id, record.version)


def _clear_staff(
    images: ImagingService,
    actor: StaffMember,
    record: ImageRecord,
    heads: tuple[Box, ...],
    spot: int | None,
) -> ImageRecord:
    """The staff photo: each team member (a detected face, or added by hand where the
    detection missed the drawn figure) marked as staff."""
    image_id = record.id
    assert image_id is not None
    for head in heads:
        if not any(p.box.intersection(head) for p in record.people):
            record = images.add_person(actor, image_id, record.version, head)
    for index in range(len(record.people)):
        record = images.mark_staff(actor, image_id, record.version, index)
    record = images.set_spot(actor, image_id, record.version, spot)
    record = _redact_found(images, actor, record)
    handled = frozenset({ChecklistItem.OTHER}) if record.redactions else frozenset()
    record = _answer_all(images, actor, record, handled)
    return images.sign_off(actor, image_id, record.version)


def create_demo_images(services: Services, staff: DemoStaff) -> DemoImages:
    """Import the demo photos and bring them into every status: cleared (a waiting room, a
    staff photo, the whiteboard with its names redacted, the consent tracker's smiles), in
    need of attention (a photo with GPS, the reception monitor), unchecked (three, two of
    them imported days ago), rejected (the prescription shelf); and three photo spots."""
    from core.demo_consent import smile_png

    now = services.clock.now()
    clock = ManualClock(now - timedelta(days=3))
    images = services.images.as_of(clock)
    desk, manager = staff.front_desk, staff.manager

    drawings: dict[str, _Draw] = {
        "new-chairs.jpg": _simple((236, 226, 214), 3, "JPEG"),
        "hygiene-kit.png": _simple((226, 232, 240), 1, "PNG"),
        "front-desk-whiteboard.jpg": draw_whiteboard,
        "waiting-room.jpg": draw_waiting_room,
        "team-at-the-plant-wall.jpg": draw_staff_photo,
        "entrance.jpg": draw_entrance_with_gps,
        "reception-monitor.jpg": draw_monitor,
        "pharmacy-shelf.jpg": draw_prescriptions,
        "lobby-autumn.webp": _simple((240, 226, 206), 2, "WEBP"),
    }
    boxes: dict[str, tuple[Box, ...]] = {}
    with tempfile.TemporaryDirectory(prefix="fds-demo-images-") as folder:
        paths: list[Path] = []
        for name, draw in drawings.items():
            content, drawn = draw()
            boxes[name] = drawn
            (Path(folder) / name).write_bytes(content)
            paths.append(Path(folder) / name)
        for n in range(3):
            (Path(folder) / f"smile-{n + 1}.png").write_bytes(smile_png(n))
            paths.append(Path(folder) / f"smile-{n + 1}.png")
        # The first two wait unchecked since three days ago (Today mentions them).
        imported = _drain_import(
            images, desk, paths, later={2: now - timedelta(hours=5)}, clock=clock
        )
    ids = dict(zip([p.name for p in paths], imported, strict=True))
    images = services.images
    spots = _spots(images, manager)

    smile_names = [f"smile-{n + 1}.png" for n in range(3)]
    to_scan = [
        "front-desk-whiteboard.jpg",
        "waiting-room.jpg",
        "team-at-the-plant-wall.jpg",
        "entrance.jpg",
        "reception-monitor.jpg",
        *smile_names,
    ]
    # Two at a time: Tesseract runs as its own process and OpenCV releases the GIL.
    with ThreadPoolExecutor(max_workers=2) as pool:
        scans = list(pool.map(lambda name: _scanned(images, desk, ids[name]), to_scan))
    scanned = dict(zip(to_scan, scans, strict=True))

    cleared = [
        _clear_whiteboard(
            images, desk, scanned["front-desk-whiteboard.jpg"], boxes["front-desk-whiteboard.jpg"]
        ),
        _clear(images, desk, scanned["waiting-room.jpg"], spot=spots[1].id),
        _clear_staff(
            images,
            manager,
            scanned["team-at-the-plant-wall.jpg"],
            boxes["team-at-the-plant-wall.jpg"],
            spots[0].id,
        ),
        *(_clear(images, desk, scanned[name]) for name in smile_names),
    ]
    attention = [scanned["entrance.jpg"].id, scanned["reception-monitor.jpg"].id]
    shelf = images.get(ids["pharmacy-shelf.jpg"])
    images.reject(
        manager,
        ids["pharmacy-shelf.jpg"],
        shelf.version,
        "Patients' names on the bottle labels; take it again without the shelf.",
    )
    smiles = tuple(scanned[name].media_hash for name in smile_names)
    return DemoImages(
        cleared=tuple(r.id for r in cleared if r.id is not None),
        needs_attention=tuple(i for i in attention if i is not None),
        unchecked=(ids["new-chairs.jpg"], ids["hygiene-kit.png"], ids["lobby-autumn.webp"]),
        rejected=(ids["pharmacy-shelf.jpg"],),
        spots=spots,
        smile_hashes=smiles,
    )

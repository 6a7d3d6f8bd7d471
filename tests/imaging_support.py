"""Photos for tests that need images a post may use: drawn, imported through the real image
library (sandbox, scan) and signed off, like a person at the front desk would."""

from __future__ import annotations

import hashlib
import io
import random
import tempfile
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import TypeVar

from PIL import Image, ImageDraw

from core.app import Services
from core.imaging import checklist
from core.imaging.model import CHECKLIST_ORDER, Answer, ImageRecord, PersonKind
from core.imaging.service import ImagingService
from core.progress import Progress
from core.staff.model import StaffMember

T = TypeVar("T")


def drain(steps: Generator[Progress, None, T]) -> T:
    """Run a progress generator to its end; its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result: T = done.value
            return result


def photo_png(seed: int, size: tuple[int, int] = (96, 64)) -> bytes:
    """A small picture of coloured blocks, different for each ``seed`` (no text, no face)."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + size[0] // 4, y + size[1] // 4), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def import_photos(
    images: ImagingService, actor: StaffMember, contents: Sequence[bytes]
) -> list[ImageRecord]:
    """Import pictures (one sandbox for all) and return their records, in order."""
    with tempfile.TemporaryDirectory(prefix="fds-test-photos-") as folder:
        paths = []
        for n, content in enumerate(contents):
            path = Path(folder) / f"photo-{n}.png"
            path.write_bytes(content)
            paths.append(path)
        result = drain(images.import_files(actor, paths))
    assert not result.refused, result.refused
    records = []
    for content in contents:
        record = images.by_hash(hashlib.sha256(content).hexdigest())
        assert record is not None
        records.append(record)
    return records


def sign_off(images: ImagingService, actor: StaffMember, record: ImageRecord) -> ImageRecord:
    """Scan (when not yet) and answer the whole checklist as a careful person would: every
    item not present (with a note for pre-flagged ones), people marked staff, text redacted."""
    image_id = record.id
    assert image_id is not None
    if record.report is None:
        record = drain(images.scan(actor, image_id))
    suggested = checklist.suggested_redactions(record)
    if suggested:
        record = images.set_redactions(
            actor, image_id, record.version, (*record.redactions, *suggested)
        )
    for index, person in enumerate(record.people):
        if person.kind is PersonKind.UNRESOLVED:
            record = images.mark_staff(actor, image_id, record.version, index)
    flagged = checklist.flagged_items(record.report)
    for item in CHECKLIST_ORDER:
        answer = Answer.HANDLED if record.redactions and item in flagged else Answer.NOT_PRESENT
        note = "Checked by hand: not in the photo." if item in flagged else ""
        record = images.set_answer(actor, image_id, record.version, item, answer, note)
    return images.sign_off(actor, image_id, record.version)


def cleared_photos(services: Services, actor: StaffMember, seeds: Sequence[int]) -> list[str]:
    """Media hashes of new photos (one per seed), imported and signed off."""
    records = import_photos(services.images, actor, [photo_png(s) for s in seeds])
    return [sign_off(services.images, actor, r).media_hash for r in records]

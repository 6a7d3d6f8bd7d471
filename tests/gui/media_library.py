"""Photos in the image library for the composer's tests, brought there the way the front desk
does it: imported through the real service (sandboxed), scanned (real Tesseract and OpenCV on
small plain pictures, which find nothing) and, for a cleared photo, every checklist item
answered and signed off."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import TypeVar

from PIL import Image

from core.imaging import Answer, ChecklistItem, ImageRecord
from core.staff.model import StaffMember
from tests.gui.page_env import PageEnv

T = TypeVar("T")


def finish(job: Generator[object, None, T]) -> T:
    """Drive a core generator to its end, as the task runner does, and return its result."""
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


def library_photo(
    env: PageEnv,
    folder: Path,
    name: str,
    colour: tuple[int, int, int],
    *,
    cleared: bool = True,
    size: tuple[int, int] = (160, 120),
) -> ImageRecord:
    """A plain photo called ``name`` imported into ``env``'s library; signed off by the
    front desk when ``cleared``, else left unchecked."""
    path = folder / name
    Image.new("RGB", size, colour).save(path, "PNG" if name.endswith(".png") else "JPEG")
    images, actor = env.services.images, env.staff.front_desk
    result = finish(images.import_files(actor, [path]))
    assert result.imported, result
    record = images.get(result.imported[0])
    if cleared:
        record = clear(env, record, actor)
    return record


def clear(env: PageEnv, record: ImageRecord, actor: StaffMember) -> ImageRecord:
    """Scan ``record`` if needed, answer every checklist item "not present" and sign off."""
    images = env.services.images
    assert record.id is not None
    if record.report is None:
        record = finish(images.scan(actor, record.id))
    for item in ChecklistItem:
        if record.answer(item) is Answer.UNANSWERED:
            record = images.set_answer(actor, record.id, record.version, item, Answer.NOT_PRESENT)
    return images.sign_off(actor, record.id, record.version)

"""Photo thumbnails for the composer with the redactions the clean export burns in, so what a
person sees next to a post is what the platform will get.

The image library keeps a small, upright, metadata-free JPEG per photo
(``ImagingService.thumbnail``); redaction boxes are in pixels of the upright original and are
scaled to the thumbnail. Runs on a worker: returns ``QImage`` (never ``QPixmap``).
"""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtGui import QImage

from core.imaging import ImageRecord, Redaction, apply_redactions
from core.imaging.model import Box

_THUMBNAIL_FORMATS = ["JPEG", "PNG", "WEBP"]


def redacted_thumbnail(data: bytes | None, record: ImageRecord, box: int = 320) -> QImage | None:
    """The library's thumbnail bytes as a ``QImage`` no larger than ``box`` on its long side,
    with ``record``'s redactions burned in at the thumbnail's scale, so the strip shows what
    the export will. ``None`` when there is no thumbnail or it cannot be read. Worker-safe."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data), formats=_THUMBNAIL_FORMATS) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if max(image.size) > box:
        image.thumbnail((box, box))
    if record.redactions and record.width > 0:
        scale = image.width / record.width
        image = apply_redactions(image, [_scaled(r, scale) for r in record.redactions]).convert(
            "RGB"
        )
    width, height = image.size
    return QImage(image.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def _scaled(redaction: Redaction, scale: float) -> Redaction:
    b = redaction.box
    box = Box(
        round(b.x * scale),
        round(b.y * scale),
        max(1, round(b.width * scale)),
        max(1, round(b.height * scale)),
    )
    return Redaction(box, redaction.style, redaction.source)

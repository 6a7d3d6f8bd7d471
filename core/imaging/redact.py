"""Redactions burned into pixels: fill, blur or pixelate a box of the upright image.

Fill (opaque black) is the only style that is safe for text whatever its size. Blur and
pixelate are for faces, and still strong enough that a line of text under them cannot be read
back by OCR: the blur radius is at least a quarter of the box's short side, the pixelation
blocks at least an eighth of it and never under 12 pixels. Whatever the style, the pixels under
the box are replaced, never merely covered by another layer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from PIL import Image, ImageDraw, ImageFilter

from core.imaging.model import Box, Redaction, RedactionStyle

RedactionBox = tuple[float, float, float, float]
"""``(x, y, width, height)`` in pixels of the upright image: a ``FILL`` redaction."""

MIN_BLOCK = 12
"""The smallest pixelation block, in pixels."""

_OPAQUE_BLACK: dict[str, int | tuple[int, ...]] = {
    "1": 0,
    "L": 0,
    "LA": (0, 255),
    "RGB": (0, 0, 0),
    "RGBA": (0, 0, 0, 255),
}


def apply_redactions(
    image: Image.Image, redactions: Iterable[Redaction | Sequence[float]]
) -> Image.Image:
    """A copy of ``image`` (upright pixels) with each redaction burned in. A plain
    ``(x, y, width, height)`` is a ``FILL``; boxes are rounded outwards and clipped to the image.
    Raises ``ValueError`` for a redaction with no area. ``image`` itself is not changed."""
    planned = [_plan(r) for r in redactions]
    out = image.copy()
    if out.mode not in _OPAQUE_BLACK:
        out = out.convert("RGBA" if "A" in out.getbands() else "RGB")
    for box, style in planned:
        clipped = (max(0, box[0]), max(0, box[1]), min(out.width, box[2]), min(out.height, box[3]))
        if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
            continue
        if style is RedactionStyle.FILL:
            _fill(out, clipped)
        elif style is RedactionStyle.BLUR:
            _blur(out, clipped)
        else:
            _pixelate(out, clipped)
    return out


def redaction_box(redaction: Redaction | Sequence[float]) -> tuple[int, int, int, int]:
    """A redaction as integer ``(left, top, right, bottom)``, rounded outwards so it covers at
    least what was asked. Raises ``ValueError`` for one with no area."""
    return _plan(redaction)[0]


def _plan(
    redaction: Redaction | Sequence[float],
) -> tuple[tuple[int, int, int, int], RedactionStyle]:
    if isinstance(redaction, Redaction):
        values: Sequence[float] = redaction.box.as_tuple()
        style = RedactionStyle(redaction.style)
    elif isinstance(redaction, Box):
        values, style = redaction.as_tuple(), RedactionStyle.FILL
    else:
        values, style = redaction, RedactionStyle.FILL
    if len(values) != 4:
        raise ValueError("a redaction is (x, y, width, height)")
    x, y, width, height = (float(v) for v in values)
    if not all(math.isfinite(v) for v in (x, y, width, height)) or width <= 0 or height <= 0:
        raise ValueError("a redaction needs a positive width and height")
    box = (math.floor(x), math.floor(y), math.ceil(x + width), math.ceil(y + height))
    return box, style


def _fill(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    draw = ImageDraw.Draw(image)
    draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=_OPAQUE_BLACK[image.mode])


def _short_side(box: tuple[int, int, int, int]) -> int:
    return max(1, min(box[2] - box[0], box[3] - box[1]))


def _blur(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    """A strong Gaussian blur of the box's own pixels, run twice: one pass at a quarter of the
    short side leaves faint stroke shapes on high-contrast text, two leave only the tone."""
    radius = max(4.0, _short_side(box) / 4)
    region = image.crop(box)
    for _ in range(2):
        region = region.filter(ImageFilter.GaussianBlur(radius))
    image.paste(region, box[:2])


def _pixelate(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    """Blocks of at least an eighth of the short side (and ``MIN_BLOCK`` px), each the mean of
    the pixels under it."""
    block = max(MIN_BLOCK, math.ceil(_short_side(box) / 8))
    width, height = box[2] - box[0], box[3] - box[1]
    small = image.crop(box).resize(
        (max(1, width // block), max(1, height // block)),  # blocks never under ``block``
        Image.Resampling.BOX,
    )
    image.paste(small.resize((width, height), Image.Resampling.NEAREST), box[:2])

"""Clean copies of images for publishing: upright, re-encoded, no metadata, redactions burned in.

A phone photo carries more than its pixels: GPS to a few metres, the capture time, the device,
an embedded thumbnail that can still show what was cropped out, an ICC profile, XMP and IPTC
packets, comments. ``export_clean`` keeps only the pixels: it decodes the image, turns it
upright (the EXIF orientation applied, so nothing depends on a viewer honouring the tag),
paints each redaction box opaque black, copies the pixels into a fresh image that has no
``info`` at all, and encodes that (JPEG at quality 90; a PNG stays a PNG). The destination is
written atomically: a temporary file in the destination's own folder (never elsewhere: the
pixels may show PHI), synced, then renamed over ``dst``; a failure leaves no partial file.

Input that cannot be trusted is refused with ``ImageRejected`` before anything is written: not
an image, a format we do not publish, a truncated or malformed file, or more pixels than
``MAX_PIXELS`` (a decompression bomb: a tiny file that decodes to gigabytes).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from core.errors import FrontDeskError

MAX_PIXELS = 60_000_000
"""The most pixels an image may have (60 MP: above any phone camera, far below a bomb)."""

JPEG_QUALITY = 90
"""Photos are re-encoded at this JPEG quality: visually lossless, a fraction of the size."""

SUPPORTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"})
"""Pillow format names accepted as input (MPO is how some cameras' JPEGs open)."""

REJECT_REASONS = ("not_an_image", "unsupported_format", "malformed", "too_large", "unreadable")
"""The values of ``ImageRejected.reason``."""

_OPAQUE_BLACK: dict[str, int | tuple[int, ...]] = {
    "L": 0,
    "LA": (0, 255),
    "RGB": (0, 0, 0),
    "RGBA": (0, 0, 0, 255),
}

Redaction = tuple[float, float, float, float]
"""``(x, y, width, height)`` in pixels of the upright image."""


class ImageRejected(FrontDeskError):
    """An image that will not be read: ``reason`` is one of ``REJECT_REASONS``; ``params``
    may hold ``format`` (a Pillow format name) or ``pixels`` and ``limit``. Never the path or
    any content of the image (those may be PHI).

    Not a ``core.errors.KnownError`` (yet): callers word it from ``reason`` themselves, e.g.
    the composer's manual publish dialog, per image.
    """

    code = "image_rejected"

    def __init__(self, message: str, *, reason: str, **params: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = {"reason": reason, **params}


class MediaPaths(Protocol):
    """Where an attached image (a media-vault content hash) can be read, or ``None`` when it
    is missing. The composition root passes the vault's lookup to the GUI as this."""

    def __call__(self, digest: str, /) -> Path | None: ...


def export_clean(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    redactions: Iterable[Redaction] = (),
) -> None:
    """Write a clean copy of the image at ``src`` to ``dst``.

    Upright, re-encoded, with no metadata (no EXIF, GPS, XMP, IPTC, ICC profile, comments or
    thumbnail); each redaction ``(x, y, width, height)`` (upright pixels, rounded outwards,
    clipped to the image) filled opaque black. ``dst`` ending in ``.png`` gets a PNG, in
    ``.jpg``/``.jpeg`` a JPEG; any other name gets the format ``clean_suffix`` names. Raises
    ``ImageRejected`` for input that will not be read, ``ValueError`` for a redaction with
    no area, ``OSError`` when ``dst`` cannot be written (then nothing is left at ``dst``).
    """
    boxes = [_box(r) for r in redactions]
    target = Path(dst)
    with _open(Path(src)) as image:
        fmt = _output_format(target, image.format)
        clean = _clean_pixels(image, fmt)
    if boxes:
        draw = ImageDraw.Draw(clean)
        black = _OPAQUE_BLACK[clean.mode]
        for x0, y0, x1, y1 in boxes:
            box = (max(0, x0), max(0, y0), min(clean.width, x1) - 1, min(clean.height, y1) - 1)
            if box[0] <= box[2] and box[1] <= box[3]:
                draw.rectangle(box, fill=black)
    _write_atomically(clean, target, fmt)


def clean_suffix(src: str | os.PathLike[str]) -> str:
    """The file suffix ``export_clean`` gives the clean copy of ``src``: ``.png`` for a PNG,
    ``.jpg`` for everything else. Reads only the header; raises ``ImageRejected`` like
    ``export_clean``."""
    with _open(Path(src), load=False) as image:
        return ".png" if image.format == "PNG" else ".jpg"


def _box(redaction: Sequence[float]) -> tuple[int, int, int, int]:
    """A redaction as integer ``(left, top, right, bottom)``, rounded outwards so it covers at
    least what was asked."""
    if len(redaction) != 4:
        raise ValueError("a redaction is (x, y, width, height)")
    x, y, width, height = (float(v) for v in redaction)
    if not all(math.isfinite(v) for v in (x, y, width, height)) or width <= 0 or height <= 0:
        raise ValueError("a redaction needs a positive width and height")
    return math.floor(x), math.floor(y), math.ceil(x + width), math.ceil(y + height)


@contextmanager
def _open(path: Path, *, load: bool = True) -> Iterator[Image.Image]:
    """Open and (with ``load``) fully decode ``path``, refusing what ``export_clean`` will not
    read; the file is closed on leaving."""
    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        raise ImageRejected("not an image", reason="not_an_image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own cap is above ours; its warning is an exception only where warnings are
        # errors (the test suite), its error beyond twice its cap.
        raise ImageRejected("too many pixels", reason="too_large", limit=MAX_PIXELS) from None
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageRejected(
            f"cannot read the image ({type(error).__name__})", reason="unreadable"
        ) from None
    with image:
        if image.format not in SUPPORTED_FORMATS:
            raise ImageRejected(
                "unsupported format", reason="unsupported_format", format=str(image.format)
            )
        pixels = image.width * image.height
        if pixels > MAX_PIXELS:
            raise ImageRejected(
                "too many pixels", reason="too_large", pixels=pixels, limit=MAX_PIXELS
            )
        if load:
            try:
                image.load()
            except (OSError, ValueError, SyntaxError, EOFError) as error:
                raise ImageRejected(
                    f"malformed image ({type(error).__name__})", reason="malformed"
                ) from None
        yield image


def _output_format(dst: Path, source_format: str | None) -> str:
    suffix = dst.suffix.lower()
    if suffix == ".png":
        return "PNG"
    if suffix in (".jpg", ".jpeg"):
        return "JPEG"
    return "PNG" if source_format == "PNG" else "JPEG"


def _clean_pixels(image: Image.Image, fmt: str) -> Image.Image:
    """The upright pixels in a fresh image with no ``info``: nothing of the source's metadata
    can ride along into the encoder. Transparency stays in a PNG and is flattened onto white
    in a JPEG."""
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, UserWarning):
        upright = image  # a damaged EXIF block only means there is no orientation to apply
    mode = _mode_for(upright, fmt)
    if mode in ("RGBA", "LA") or _has_alpha(upright):
        rgba = upright.convert("RGBA")
        if mode in ("RGBA", "LA"):
            converted = rgba.convert(mode)
        else:
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            converted = flat.convert(mode)
    else:
        converted = upright.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted, (0, 0))
    clean.info.clear()
    return clean


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _mode_for(image: Image.Image, fmt: str) -> str:
    """The pixel mode of the clean copy: grey stays grey, colour becomes RGB, and a PNG keeps
    its transparency."""
    grey = image.mode in ("1", "L", "LA", "La", "I", "I;16", "F")
    if fmt == "PNG" and _has_alpha(image):
        return "LA" if grey else "RGBA"
    return "L" if grey else "RGB"


def _write_atomically(image: Image.Image, dst: Path, fmt: str) -> None:
    folder = dst.parent
    fd, name = tempfile.mkstemp(prefix=".clean-", suffix=".part", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            if fmt == "JPEG":
                image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            else:
                image.save(out, "PNG", optimize=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

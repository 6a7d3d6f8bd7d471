"""Clean copies of images for publishing: upright, re-encoded, no metadata, redactions burned in.

A phone photo carries more than its pixels: GPS to a few metres, the capture time, the device,
an embedded thumbnail that can still show what was cropped out, an ICC profile, XMP and IPTC
packets, comments. ``export_clean`` keeps only the pixels: it decodes the image, turns it
upright (the EXIF orientation applied, so nothing depends on a viewer honouring the tag),
burns each redaction in (``core.imaging.redact``: fill, blur or pixelate), copies the pixels
into a fresh image that has no ``info`` at all, and encodes that (JPEG at quality 90; a PNG
stays a PNG). The destination is written atomically: a temporary file in the destination's own
folder (never elsewhere: the pixels may show PHI), synced, then renamed over ``dst``; a failure
leaves no partial file. Then the written file is read back and checked (it decodes, has the
right size, carries no metadata in what Pillow reports nor in its bytes); a copy that fails is
deleted and ``ExportVerifyFailed`` raised, so nothing unchecked is handed to anyone.

Input that cannot be trusted is refused with ``ImageRejected`` before anything is written (see
``core.imaging.reading``): not an image, a format we do not read, a truncated or malformed
file, or more pixels than ``MAX_PIXELS``.
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageOps

from core.errors import FrontDeskError
from core.imaging.model import Redaction
from core.imaging.reading import (
    IMPORT_FORMATS,
    IMPORT_SUFFIXES,
    MAX_FILE_BYTES,
    MAX_PIXELS,
    REJECT_REASONS,
    ImageRejected,
    open_image,
)
from core.imaging.redact import apply_redactions, redaction_box

__all__ = [
    "IMPORT_FORMATS",
    "IMPORT_SUFFIXES",
    "JPEG_QUALITY",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "REJECT_REASONS",
    "ExportVerifyFailed",
    "ImageRejected",
    "MediaPaths",
    "clean_suffix",
    "export_clean",
    "upright",
]

JPEG_QUALITY = 90
"""Photos are re-encoded at this JPEG quality: visually lossless, a fraction of the size."""

# What a clean copy may contain: JPEG segments before the scan (JFIF header, quantisation and
# Huffman tables, frame, restart interval, scan) and PNG chunks (header, palette, transparency,
# pixel data, end). Everything else (APP1 EXIF/XMP, APP2 ICC, APP13 IPTC, COM, eXIf, iCCP,
# tEXt/iTXt/zTXt, ...) is metadata.
_CLEAN_JPEG_MARKERS = frozenset({0xE0, 0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD, 0xDA})
_CLEAN_PNG_CHUNKS = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"})
_METADATA_INFO_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop")
_METADATA_BYTES = (
    b"Exif\x00\x00",
    b"<x:xmpmeta",
    b"http://ns.adobe.com/xap",
    b"ICC_PROFILE",
    b"Photoshop 3.0",
)


class ExportVerifyFailed(FrontDeskError):
    """The clean copy did not read back as it should (it did not decode, had the wrong size,
    or still carried metadata); it was deleted. ``params["check"]`` names the failed check."""

    code = "export_verify_failed"

    def __init__(self, message: str, *, check: str) -> None:
        super().__init__(message)
        self.params = {"check": check}


class MediaPaths(Protocol):
    """Where an attached image (a media-vault content hash) can be read, or ``None`` when it
    is missing. The composition root passes the vault's lookup to the GUI as this."""

    def __call__(self, digest: str, /) -> Path | None: ...


def export_clean(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    redactions: Iterable[Redaction | Sequence[float]] = (),
) -> None:
    """Write a clean copy of the image at ``src`` to ``dst``.

    Upright, re-encoded, with no metadata (no EXIF, GPS, XMP, IPTC, ICC profile, comments or
    thumbnail); each redaction burned in: a ``Redaction`` in its style, a plain
    ``(x, y, width, height)`` filled opaque black (upright pixels, rounded outwards, clipped to
    the image). ``dst`` ending in ``.png`` gets a PNG, in ``.jpg``/``.jpeg`` a JPEG; any other
    name gets the format ``clean_suffix`` names. Raises ``ImageRejected`` for input that will
    not be read, ``ValueError`` for a redaction with no area, ``OSError`` when ``dst`` cannot be
    written and ``ExportVerifyFailed`` when the copy does not read back clean (in all three
    cases nothing is left at ``dst``).
    """
    planned = list(redactions)
    for redaction in planned:
        redaction_box(redaction)  # a box with no area is refused before any work
    target = Path(dst)
    with open_image(Path(src)) as image:
        fmt = _output_format(target, image.format)
        clean = _clean_pixels(upright(image), fmt)
    if planned:
        clean = _fresh(apply_redactions(clean, planned))
    _write_atomically(clean, target, fmt)
    try:
        _verify(target, fmt, clean.size)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def clean_suffix(src: str | os.PathLike[str]) -> str:
    """The file suffix ``export_clean`` gives the clean copy of ``src``: ``.png`` for a PNG,
    ``.jpg`` for everything else. Reads only the header; raises ``ImageRejected`` like
    ``export_clean``."""
    with open_image(Path(src), load=False) as image:
        return ".png" if image.format == "PNG" else ".jpg"


def upright(image: Image.Image) -> Image.Image:
    """``image`` turned the way its EXIF orientation says it is shown (itself when there is no
    orientation, or a damaged EXIF block: then there is nothing to apply)."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, UserWarning, struct.error):
        return image


def _output_format(dst: Path, source_format: str | None) -> str:
    suffix = dst.suffix.lower()
    if suffix == ".png":
        return "PNG"
    if suffix in (".jpg", ".jpeg"):
        return "JPEG"
    return "PNG" if source_format == "PNG" else "JPEG"


def _clean_pixels(upright_image: Image.Image, fmt: str) -> Image.Image:
    """The (already upright) pixels in a fresh image with no ``info``: nothing of the source's
    metadata can ride along into the encoder. Transparency stays in a PNG and is flattened
    onto white in a JPEG."""
    mode = _mode_for(upright_image, fmt)
    if mode in ("RGBA", "LA") or _has_alpha(upright_image):
        rgba = upright_image.convert("RGBA")
        if mode in ("RGBA", "LA"):
            converted = rgba.convert(mode)
        else:
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            converted = flat.convert(mode)
    else:
        converted = upright_image.convert(mode)
    return _fresh(converted)


def _fresh(image: Image.Image) -> Image.Image:
    """A copy of ``image``'s pixels in a new image whose ``info`` is empty."""
    clean = Image.new(image.mode, image.size)
    clean.paste(image, (0, 0))
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


def _verify(dst: Path, fmt: str, size: tuple[int, int]) -> None:
    """Read the written copy back: it must decode as ``fmt`` at ``size`` and carry no metadata,
    neither in what Pillow reports nor anywhere in its header bytes."""
    data = dst.read_bytes()
    try:
        structure_ok = _jpeg_is_clean(data) if fmt == "JPEG" else _png_is_clean(data)
    except (struct.error, IndexError, ValueError):
        structure_ok = False
    if not structure_ok:
        raise ExportVerifyFailed("the clean copy has metadata segments", check="segments")
    head = data[: _header_length(data, fmt)]
    if any(marker in head for marker in _METADATA_BYTES):
        raise ExportVerifyFailed("the clean copy has metadata bytes", check="bytes")
    try:
        with Image.open(dst, formats=[fmt]) as back:
            back.load()
            if back.format != fmt or back.size != size:
                raise ExportVerifyFailed("the clean copy has the wrong size", check="size")
            if any(back.info.get(key) for key in _METADATA_INFO_KEYS) or back.getexif():
                raise ExportVerifyFailed("the clean copy has metadata", check="info")
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise ExportVerifyFailed(
            f"the clean copy does not decode ({type(error).__name__})", check="decode"
        ) from None


def _jpeg_is_clean(data: bytes) -> bool:
    """Every segment before the scan is one a clean JPEG needs (``_CLEAN_JPEG_MARKERS``)."""
    if data[:2] != b"\xff\xd8":
        return False
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker not in _CLEAN_JPEG_MARKERS:
            return False
        if marker == 0xDA:
            return True
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return False


def _png_is_clean(data: bytes) -> bool:
    """Every chunk is one a clean PNG needs (``_CLEAN_PNG_CHUNKS``)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind not in _CLEAN_PNG_CHUNKS:
            return False
        if kind == b"IEND":
            return True
        pos += 12 + length
    return False


def _header_length(data: bytes, fmt: str) -> int:
    """Where the metadata could be: a JPEG's segments before the scan data, a PNG's chunks
    other than the pixel data (searched whole: PNGs are small next to their IDAT)."""
    if fmt == "JPEG":
        pos = 2
        while pos + 4 <= len(data) and data[pos + 1] != 0xDA:
            (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
            pos += 2 + length
        return pos
    return len(data)

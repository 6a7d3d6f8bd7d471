"""Opening image files that cannot be trusted: which formats, how big, and what refusal says.

Pillow can open dozens of formats, and some run external programs or large parsers (EPS runs
Ghostscript, PDF and PSD are documents). A photo for a post is JPEG (MPO is how some cameras'
JPEGs open), PNG, WebP or an iPhone's HEIC/HEIF, so only those plugins are ever asked to parse a
file (``Image.open(..., formats=IMPORT_FORMATS)``); anything else is named from its first bytes
(so the refusal can say "a GIF", "a PDF") without a parser running on it.

Limits: ``MAX_FILE_BYTES`` before reading, ``MAX_PIXELS`` from the header before decoding (a
decompression bomb is a tiny file that decodes to gigabytes). Refusals raise ``ImageRejected``
with a ``reason`` code and never the path, the file name or any content (those may be PHI).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from core.errors import FrontDeskError

IMPORT_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})
"""Pillow format names read at all; everything else is refused as ``unsupported_format``."""

IMPORT_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
"""File name endings offered in file dialogs and picked from folders."""

MAX_FILE_BYTES = 60 * 1024 * 1024
"""The largest file read (60 MiB: above any phone photo, even a 48-MP HEIC or PNG)."""

MAX_PIXELS = 60_000_000
"""The most pixels an image may have (60 MP: above any phone camera, far below a bomb)."""

REJECT_REASONS = ("not_an_image", "unsupported_format", "malformed", "too_large", "unreadable")
"""The values of ``ImageRejected.reason``."""

_OPENERS = ("JPEG", "PNG", "WEBP", "HEIF")
"""The Pillow plugins asked to open a file (the JPEG plugin also opens MPO files)."""

SNIFF_BYTES = 32
"""How many leading bytes ``sniff`` looks at."""

# Formats recognised by their first bytes only to name them in a refusal. The ones marked as
# documents or programs are exactly what must never reach a parser.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%!", "EPS"),  # PostScript: Pillow would hand it to Ghostscript
    (b"\xc5\xd0\xd3\xc6", "EPS"),  # DOS EPS binary header
    (b"%PDF", "PDF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\x00\x00\x02\x00", "CUR"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG2000"),
    (b"\xffO\xffQ", "JPEG2000"),
    (b"qoif", "QOI"),
    (b"DDS ", "DDS"),
    (b"icns", "ICNS"),
    (b"\x59\xa6\x6a\x95", "SUN"),
    (b"gimp xcf", "XCF"),
    (b"PK\x03\x04", "ZIP"),
)
_IMAGE_MAGIC: tuple[bytes, ...] = (
    b"\xff\xd8\xff",  # JPEG / MPO
    b"\x89PNG\r\n\x1a\n",
)
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})


class ImageRejected(FrontDeskError):
    """An image that will not be read: ``reason`` is one of ``REJECT_REASONS``; ``params``
    may hold ``format`` (a format name), ``pixels`` and ``limit``, or ``bytes`` and ``limit``.
    Never the path or any content of the image (those may be PHI).

    Not a ``core.errors.KnownError`` (yet): callers word it from ``reason`` themselves, e.g.
    the composer's manual publish dialog and the image import summary, per image.
    """

    code = "image_rejected"

    def __init__(self, message: str, *, reason: str, **params: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = {"reason": reason, **params}


@functools.cache
def register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (iPhone photos) through pillow-heif. Idempotent (cached:
    the opener is registered once); called when ``core.imaging`` is imported."""
    from pillow_heif import register_heif_opener

    register_heif_opener(thumbnails=False)


def sniff(head: bytes) -> tuple[str, str | None] | None:
    """What the first bytes of a file say, before any parser runs: ``None`` when they look like
    a format we read (JPEG, PNG, WebP, HEIF), else ``(reason, format)``: ``unsupported_format``
    with the format's name for a known other format (EPS, PDF, GIF, ...), ``not_an_image``
    (format ``None``) for anything else, text included."""
    if not head:
        return ("not_an_image", None)
    if any(head.startswith(magic) for magic in _IMAGE_MAGIC):
        return None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return None
        if brand in (b"avif", b"avis"):
            return ("unsupported_format", "AVIF")
        return ("unsupported_format", "VIDEO") if brand else ("not_an_image", None)
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return ("unsupported_format", name)
    return ("not_an_image", None)


def check_file(path: Path) -> int:
    """The size of ``path`` in bytes after the checks that need no parser: it exists and is a
    file, is not empty, is at most ``MAX_FILE_BYTES``, and its first bytes are a format we
    read. Raises ``ImageRejected`` otherwise."""
    try:
        stat = path.stat()
    except OSError as error:
        raise ImageRejected(
            f"cannot read the file ({type(error).__name__})", reason="unreadable"
        ) from None
    if not path.is_file():
        raise ImageRejected("not a file", reason="unreadable")
    if stat.st_size == 0:
        raise ImageRejected("the file is empty", reason="not_an_image")
    if stat.st_size > MAX_FILE_BYTES:
        raise ImageRejected(
            "the file is too big", reason="too_large", bytes=stat.st_size, limit=MAX_FILE_BYTES
        )
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
    except OSError as error:
        raise ImageRejected(
            f"cannot read the file ({type(error).__name__})", reason="unreadable"
        ) from None
    _refuse_sniffed(head)
    return stat.st_size


def _refuse_sniffed(head: bytes) -> None:
    verdict = sniff(head)
    if verdict is None:
        return
    reason, name = verdict
    if name is None:
        raise ImageRejected("not an image", reason=reason)
    raise ImageRejected("unsupported format", reason=reason, format=name)


@contextmanager
def open_image(path: Path, *, load: bool = True, grey: bool = False) -> Iterator[Image.Image]:
    """Open and (with ``load``) fully decode ``path``, refusing what will not be read: only
    the ``IMPORT_FORMATS`` plugins parse it, its pixels are counted from the header before
    decoding, and a truncated or damaged file is ``malformed``. The file is closed on leaving.

    ``grey``: a JPEG may be decoded straight to grey (its brightness channel, without the
    colour conversion), for readers that only need grey, like the scan.
    """
    check_file(path)
    register_heif()
    try:
        image = Image.open(path, formats=_OPENERS)
    except UnidentifiedImageError:
        # The first bytes looked right but no allowed plugin accepts the rest.
        raise ImageRejected("malformed image (unidentified)", reason="malformed") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own cap is above ours; its warning is an exception only where warnings are
        # errors (the test suite), its error beyond twice its cap.
        raise ImageRejected("too many pixels", reason="too_large", limit=MAX_PIXELS) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise ImageRejected(
            f"cannot read the image ({type(error).__name__})", reason="malformed"
        ) from None
    with image:
        if image.format not in IMPORT_FORMATS:
            raise ImageRejected(
                "unsupported format", reason="unsupported_format", format=str(image.format)
            )
        pixels = image.width * image.height
        if pixels > MAX_PIXELS:
            raise ImageRejected(
                "too many pixels", reason="too_large", pixels=pixels, limit=MAX_PIXELS
            )
        if pixels == 0:
            raise ImageRejected("an image without pixels", reason="malformed")
        if load:
            if grey and image.format in ("JPEG", "MPO") and image.mode != "L":
                image.draft("L", image.size)
            try:
                image.load()
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise ImageRejected(
                    "too many pixels", reason="too_large", limit=MAX_PIXELS
                ) from None
            except MemoryError:
                raise ImageRejected(
                    "not enough memory to decode", reason="too_large", limit=MAX_PIXELS
                ) from None
            except (OSError, ValueError, SyntaxError, EOFError, RuntimeError) as error:
                raise ImageRejected(
                    f"malformed image ({type(error).__name__})", reason="malformed"
                ) from None
        yield image

"""Photos drawn for the imaging tests: text that Tesseract reads, phone metadata, hostile files.

Pillow's built-in font at size 48 (``ImageFont.load_default(size=48)``) is a real TrueType
font, so Tesseract reads what is drawn with it; everything here is generated, nothing is a
real person's data.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DATA = Path(__file__).resolve().parent.parent.parent / "data"
ASTRONAUT = DATA / "astronaut.jpg"
PAPER = (238, 236, 230)
INK = (20, 20, 30)

ORIENTATION = 0x0112
MAKE = 0x010F
MODEL = 0x0110
SOFTWARE = 0x0131
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 0x9003


def text_image(
    lines: Sequence[str], *, size: tuple[int, int] = (1000, 420), top: int = 40, step: int = 90
) -> Image.Image:
    """Dark text on light paper, one line every ``step`` pixels from (40, ``top``)."""
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for number, text in enumerate(lines):
        draw.text((40, top + number * step), text, fill=INK, font=font)
    return image


def phone_exif(
    *,
    orientation: int | None = None,
    gps: tuple[float, float] | None = None,
    taken: str | None = None,
    make: str | None = None,
    model: str | None = None,
) -> Image.Exif:
    """An EXIF block the way a phone writes one (GPS as degrees, minutes, seconds)."""
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if make:
        exif[MAKE] = make
    if model:
        exif[MODEL] = model
    if taken:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    if gps is not None:
        lat, lon = gps
        block = exif.get_ifd(GPS_IFD)
        block[1] = "N" if lat >= 0 else "S"
        block[2] = _dms(abs(lat))
        block[3] = "E" if lon >= 0 else "W"
        block[4] = _dms(abs(lon))
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)


def exif_with_thumbnail(make: str = "PhoneMaker") -> bytes:
    """An APP1 EXIF payload (``Exif\\0\\0`` + TIFF) whose second IFD holds an embedded JPEG
    thumbnail, the way cameras store a preview (Pillow cannot write IFD1 itself)."""
    thumb = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(thumb, "JPEG")
    thumbnail = thumb.getvalue()
    maker = make.encode("ascii") + b"\x00"
    ifd0_at = 8
    ifd0_size = 2 + 12 + 4
    ifd1_at = ifd0_at + ifd0_size
    ifd1_size = 2 + 3 * 12 + 4
    maker_at = ifd1_at + ifd1_size
    thumbnail_at = maker_at + len(maker)
    tiff = b"II*\x00" + struct.pack("<I", ifd0_at)
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", MAKE, 2, len(maker), maker_at)
    tiff += struct.pack("<I", ifd1_at)
    tiff += struct.pack("<H", 3)
    tiff += struct.pack("<HHIHH", 0x0103, 3, 1, 6, 0)  # compression: JPEG
    tiff += struct.pack("<HHII", 0x0201, 4, 1, thumbnail_at)
    tiff += struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail))
    tiff += struct.pack("<I", 0)
    tiff += maker + thumbnail
    return b"Exif\x00\x00" + tiff


def bomb_png(path: Path, width: int, height: int) -> Path:
    """A valid PNG header claiming ``width`` × ``height`` pixels: a few hundred bytes that
    would decode to a huge image."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = zlib.compress(row * 16)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def truncated_jpeg(path: Path) -> Path:
    """The first half of a noisy JPEG."""
    whole = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(whole, "JPEG", quality=95)
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    return path


def jpeg_markers(data: bytes) -> list[int]:
    """The marker of every JPEG segment before the image data (SOS)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers

"""What a photo file says about itself besides its pixels: where, when, on what, and what else
rides along (an embedded thumbnail, XMP and IPTC packets, comments, an ICC profile).

All of it is removed by ``export_clean``; the scan reports it so the checklist can say what will
be removed, and so the import can show the capture time. A damaged EXIF block is treated as
absent, never as an error: metadata is a hint, the pixels are what matter.
"""

from __future__ import annotations

import math
import struct
from datetime import datetime
from typing import Any

from PIL import ExifTags, Image

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
IFD1 = int(ExifTags.IFD.IFD1)  # the second IFD: the embedded thumbnail's
ORIENTATION = 0x0112
MAKE = 0x010F
MODEL = 0x0110
SOFTWARE = 0x0131
DATETIME = 0x0132
IMAGE_DESCRIPTION = 0x010E
DATETIME_ORIGINAL = 0x9003
DATETIME_DIGITIZED = 0x9004
OFFSET_TIME_ORIGINAL = 0x9011
USER_COMMENT = 0x9286
XP_COMMENT = 0x9C9C
JPEG_THUMBNAIL_OFFSET = 0x0201

_COMMENT_INFO_KEYS = ("comment", "Comment", "Description", "Title", "Author")


def read_metadata(image: Image.Image) -> dict[str, Any]:
    """The metadata keys of ``ImageReport.metadata`` found in an opened ``image`` (before it is
    turned upright): ``gps`` ({"lat", "lon"}, signed decimal degrees), ``datetime`` (ISO),
    ``device`` ("Make Model"), ``software``, and ``thumbnail``/``xmp``/``iptc``/``comment``/
    ``icc`` (True) when present."""
    found: dict[str, Any] = {}
    exif = _exif(image)
    if exif is not None:
        found.update(_from_exif(exif))
    info = image.info
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        found["xmp"] = True
    if info.get("icc_profile"):
        found["icc"] = True
    if info.get("photoshop") or _has_app13(image):
        found["iptc"] = True
    if any(info.get(key) for key in _COMMENT_INFO_KEYS):
        found["comment"] = True
    if getattr(image, "n_frames", 1) > 1 and image.format == "MPO":
        found["thumbnail"] = True  # a second frame: the camera's large preview
    return found


def taken_at(image: Image.Image) -> str | None:
    """The capture time (EXIF DateTimeOriginal, else DateTime) as ISO text, if any."""
    exif = _exif(image)
    if exif is None:
        return None
    value = _from_exif(exif).get("datetime")
    return value if isinstance(value, str) else None


def _exif(image: Image.Image) -> Image.Exif | None:
    try:
        exif = image.getexif()
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return exif if exif else None


def _from_exif(exif: Image.Exif) -> dict[str, Any]:
    found: dict[str, Any] = {}
    sub = _ifd(exif, EXIF_IFD)
    when = _iso_datetime(sub.get(DATETIME_ORIGINAL) or sub.get(DATETIME_DIGITIZED))
    if when is None:
        when = _iso_datetime(exif.get(DATETIME))
    if when is not None:
        offset = _text(sub.get(OFFSET_TIME_ORIGINAL))
        if offset and len(offset) == 6 and offset[0] in "+-" and offset[3] == ":":
            when += offset
        found["datetime"] = when
    device = " ".join(
        part for part in (_text(exif.get(MAKE)), _text(exif.get(MODEL))) if part
    ).strip()
    if device:
        found["device"] = device
    software = _text(exif.get(SOFTWARE))
    if software:
        found["software"] = software
    gps = _gps(_ifd(exif, GPS_IFD))
    if gps is not None:
        found["gps"] = gps
    if _ifd(exif, IFD1) or JPEG_THUMBNAIL_OFFSET in exif:
        found["thumbnail"] = True
    if any(_text(v) for v in (exif.get(IMAGE_DESCRIPTION), sub.get(USER_COMMENT))) or exif.get(
        XP_COMMENT
    ):
        found["comment"] = True
    return found


def _ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(tag))
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, struct.error):
        return {}


def _text(value: object) -> str:
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00", b"\x00" * 8):
            value = value[8:]
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", " ").strip()


def _iso_datetime(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    for pattern in (
        "%Y:%m:%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y:%m:%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ):
        try:
            return datetime.strptime(text[:19], pattern).isoformat()
        except ValueError:
            continue
    return None


def _gps(gps: dict[int, Any]) -> dict[str, float] | None:
    """Signed decimal degrees from the GPS IFD (tags 1–4), or ``None`` when absent or junk."""
    lat = _degrees(gps.get(2), _text(gps.get(1)), "S")
    lon = _degrees(gps.get(4), _text(gps.get(3)), "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    return {"lat": round(lat, 7), "lon": round(lon, 7)}


def _degrees(value: object, ref: str, negative: str) -> float | None:
    if not isinstance(value, tuple | list) or not 1 <= len(value) <= 3:
        return None
    try:
        parts = [float(v) for v in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(p) for p in parts):
        return None
    degrees = sum(p / float(60**i) for i, p in enumerate(parts))
    return -degrees if ref.upper().startswith(negative) else degrees


def _has_app13(image: Image.Image) -> bool:
    """An IPTC packet: a JPEG APP13 "Photoshop 3.0" segment."""
    applist = getattr(image, "applist", None) or []
    return any(marker == "APP13" for marker, _ in applist)

"""Clean image export: upright, re-encoded, no metadata left, redactions burned in, and
untrusted input refused without leaving anything behind."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from core.imaging import ImageRejected, clean_suffix, export_clean
from core.imaging.export import MAX_PIXELS

RED = (220, 20, 20)
BLUE = (20, 20, 220)
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _phone_photo(path: Path, *, orientation: int = 6) -> Path:
    """A 40×20 JPEG, left half red and right half blue, stored sideways the way a phone does
    (EXIF orientation 6: show it turned 90° clockwise), with GPS, a capture time, the device,
    a comment, an ICC profile and an XMP packet."""
    image = Image.new("RGB", (40, 20), RED)
    image.paste(BLUE, (20, 0, 40, 20))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0132] = "2025:03:04 09:15:00"  # DateTime
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (39.0, 47.0, 1.5)
    gps[3] = "W"
    gps[4] = (89.0, 38.0, 40.2)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    image.save(
        path,
        "JPEG",
        quality=95,
        exif=exif,
        comment=b"Patient: Ann Example",
        icc_profile=icc,
        xmp=xmp,
    )
    return path


def _jpeg_markers(data: bytes) -> list[int]:
    """The marker of every segment before the image data (SOS)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return chunks


def test_phone_photo_comes_out_upright(tmp_path: Path) -> None:
    src = _phone_photo(tmp_path / "IMG_0001.jpg")
    dst = tmp_path / "clean.jpg"
    export_clean(src, dst)
    with Image.open(dst) as out:
        assert out.format == "JPEG"
        assert out.size == (20, 40)  # turned 90° clockwise: the left (red) half is on top
        top, bottom = out.convert("RGB").getpixel((10, 5)), out.convert("RGB").getpixel((10, 35))
    assert top[0] > 180
    assert top[2] < 80
    assert bottom[2] > 180
    assert bottom[0] < 80


def test_no_metadata_survives_a_jpeg(tmp_path: Path) -> None:
    src = _phone_photo(tmp_path / "IMG_0002.jpg")
    with Image.open(src) as before:  # the source really carries it all
        assert before.getexif().get_ifd(GPS_IFD)
        assert before.info.get("icc_profile")
        assert before.info.get("comment")
    dst = tmp_path / "clean.jpg"
    export_clean(src, dst)
    data = dst.read_bytes()
    # Only the JFIF header, tables, frame and scan: no APP1 (EXIF, GPS, XMP, thumbnail),
    # APP2 (ICC), APP13 (IPTC) or COM (comment) segment.
    assert set(_jpeg_markers(data)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}
    for secret in (b"Exif", b"PhoneMaker", b"Phone 15", b"2025:03:04", b"Ann Example", b"xmp"):
        assert secret not in data
    with Image.open(dst) as out:
        assert not out.getexif()
        assert not out.getexif().get_ifd(GPS_IFD)
        assert "icc_profile" not in out.info
        assert "comment" not in out.info
        assert "exif" not in out.info
        assert "xmp" not in out.info


def test_png_stays_png_and_loses_its_text_chunks(tmp_path: Path) -> None:
    src = tmp_path / "scan.png"
    image = Image.new("RGBA", (30, 30), (0, 120, 0, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Patient: Ann Example")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta/>")
    exif = Image.Exif()
    exif[0x010F] = "ScannerCo"
    image.save(src, "PNG", pnginfo=info, exif=exif, dpi=(300, 300))
    assert clean_suffix(src) == ".png"
    dst = tmp_path / "clean.png"
    export_clean(src, dst)
    data = dst.read_bytes()
    assert set(_png_chunks(data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    assert b"Ann Example" not in data
    assert b"ScannerCo" not in data
    with Image.open(dst) as out:
        assert out.format == "PNG"
        assert out.mode == "RGBA"
        assert out.getpixel((5, 5)) == (0, 120, 0, 128)  # transparency kept


def test_other_formats_become_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "photo"  # vault files have no suffix
    Image.new("RGB", (16, 16), RED).save(src, "WEBP")
    assert clean_suffix(src) == ".jpg"
    dst = tmp_path / "out.jpg"
    export_clean(src, dst)
    with Image.open(dst) as out:
        assert out.format == "JPEG"


def test_redactions_are_burned_in_opaque_black_in_upright_pixels(tmp_path: Path) -> None:
    src = _phone_photo(tmp_path / "IMG_0003.jpg")
    dst = tmp_path / "clean.png"  # lossless, so the pixels can be compared exactly
    # Upright the image is 20 wide, 40 high: black out the top-left 10×10 and a box that
    # runs over the bottom-right edge (clipped, not refused).
    export_clean(src, dst, redactions=[(0, 0, 10, 10), (15.5, 35.2, 100, 100)])
    with Image.open(dst) as out:
        pixels = out.convert("RGB")
        assert out.size == (20, 40)
        for x, y in ((0, 0), (9, 9), (5, 5)):
            assert pixels.getpixel((x, y)) == (0, 0, 0)
        for x, y in ((15, 35), (19, 39), (17, 38)):  # rounded outwards: 15.5 → 15, 35.2 → 35
            assert pixels.getpixel((x, y)) == (0, 0, 0)
        assert pixels.getpixel((12, 12)) != (0, 0, 0)
        assert pixels.getpixel((14, 30)) != (0, 0, 0)


def test_redaction_on_a_transparent_png_is_opaque(tmp_path: Path) -> None:
    src = tmp_path / "clear.png"
    Image.new("RGBA", (10, 10), (255, 255, 255, 0)).save(src)
    dst = tmp_path / "out.png"
    export_clean(src, dst, redactions=[(2, 2, 3, 3)])
    with Image.open(dst) as out:
        assert out.getpixel((3, 3)) == (0, 0, 0, 255)
        assert out.getpixel((8, 8))[3] == 0


def test_a_redaction_without_area_is_a_mistake(tmp_path: Path) -> None:
    src = _phone_photo(tmp_path / "a.jpg")
    with pytest.raises(ValueError, match="positive"):
        export_clean(src, tmp_path / "b.jpg", redactions=[(1, 1, 0, 5)])
    assert not (tmp_path / "b.jpg").exists()


def _bomb_png(path: Path, width: int, height: int) -> Path:
    """A valid PNG header claiming ``width`` × ``height`` 1-bit pixels: a few hundred bytes
    that would decode to a huge image."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = zlib.compress(row * 16)  # truncated on purpose: never decoded

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 8000), (12000, 12000), (20000, 20000)],  # ours, Pillow's warning, Pillow's error
)
def test_a_decompression_bomb_is_refused(tmp_path: Path, width: int, height: int) -> None:
    assert width * height > MAX_PIXELS
    src = _bomb_png(tmp_path / "bomb.png", width, height)
    dst = tmp_path / "out.png"
    with pytest.raises(ImageRejected) as caught:
        export_clean(src, dst)
    assert caught.value.reason == "too_large"
    assert caught.value.params["limit"] == MAX_PIXELS
    assert list(tmp_path.iterdir()) == [src]


def test_a_truncated_photo_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    whole = _phone_photo(tmp_path / "whole.jpg").read_bytes()
    big = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(big, "JPEG", quality=95)
    src = tmp_path / "cut.jpg"
    src.write_bytes(big.getvalue()[: len(big.getvalue()) // 2])
    dst = tmp_path / "out.jpg"
    with pytest.raises(ImageRejected) as caught:
        export_clean(src, dst)
    assert caught.value.reason == "malformed"
    assert not dst.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.jpg", "whole.jpg"]
    assert whole  # the intact photo was fine all along


def test_text_renamed_to_jpg_is_not_an_image(tmp_path: Path) -> None:
    src = tmp_path / "notes.jpg"
    src.write_text("Ann Example, DOB 01/02/1980\n", encoding="utf-8")
    with pytest.raises(ImageRejected) as caught:
        export_clean(src, tmp_path / "out.jpg")
    assert caught.value.reason == "not_an_image"
    assert "Ann" not in str(caught.value)
    assert "notes" not in str(caught.value)
    with pytest.raises(ImageRejected):
        clean_suffix(src)


def test_an_unsupported_format_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "icon.ico"
    Image.new("RGB", (16, 16), RED).save(src, "ICO")
    with pytest.raises(ImageRejected) as caught:
        export_clean(src, tmp_path / "out.jpg")
    assert caught.value.reason == "unsupported_format"
    assert caught.value.params["format"] == "ICO"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _phone_photo(tmp_path / "in.jpg")
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    dst = out_dir / "post-1-facebook-1.jpg"
    dst.write_bytes(b"the earlier export")

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", disk_full)
    with pytest.raises(OSError, match="No space"):
        export_clean(src, dst)
    assert dst.read_bytes() == b"the earlier export"
    assert [p.name for p in out_dir.iterdir()] == [dst.name]


def test_export_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    src = _phone_photo(tmp_path / "in.jpg")
    dst = tmp_path / "out.jpg"
    dst.write_bytes(b"old")
    export_clean(src, dst)
    with Image.open(dst) as out:
        assert out.size == (20, 40)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jpg", "out.jpg"]


def test_a_missing_source_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ImageRejected) as caught:
        export_clean(tmp_path / "gone.jpg", tmp_path / "out.jpg")
    assert caught.value.reason == "unreadable"

"""The clean export of the image checklist: redactions in every style burned in so OCR cannot
read them back, the copy verified after writing, HEIC read, only photo formats accepted.
(The basics, upright and metadata-free JPEG/PNG, are in tests/core/test_imaging_export.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from PIL import Image
from pillow_heif import from_pillow

from core.imaging import (
    ExportVerifyFailed,
    ImageRejected,
    Redaction,
    RedactionStyle,
    clean_suffix,
    export_clean,
    scan_image,
)
from core.imaging import export as export_module
from core.imaging.model import Box
from core.imaging.ocr import ocr_available
from tests.core.imaging.pictures import exif_with_thumbnail, jpeg_markers, phone_exif, text_image

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="Tesseract is not installed")

LINES = ["Maria Lopez 9:30 crown", "Staff lunch at noon"]


@needs_ocr
@pytest.mark.parametrize("style", list(RedactionStyle))
def test_a_redacted_name_cannot_be_read_back(tmp_path: Path, style: RedactionStyle) -> None:
    src = tmp_path / "board.jpg"
    text_image(LINES).save(src, quality=95)
    before = scan_image(src, known_names=["Maria Lopez"], faces=False)
    [named] = [r for r in before.text_regions if "Lopez" in r.text]
    dst = tmp_path / "clean.jpg"
    export_clean(src, dst, redactions=[Redaction(named.box, style, "text")])
    after = scan_image(dst, known_names=["Maria Lopez"], faces=False)
    read = " ".join(r.text for r in after.text_regions)
    assert "Lopez" not in read
    assert "Maria" not in read
    assert "lunch" in read  # the rest of the photo is untouched and still readable
    assert after.phi_regions == ()


def test_redaction_styles_change_only_the_box(tmp_path: Path) -> None:
    src = tmp_path / "noise.png"
    Image.effect_noise((200, 120), 80).convert("RGB").save(src)
    box = Box(40, 30, 96, 48)
    with Image.open(src) as original:
        source = original.convert("RGB")
    for style in RedactionStyle:
        dst = tmp_path / f"{style}.png"
        export_clean(src, dst, redactions=[Redaction(box, style)])
        with Image.open(dst) as out:
            pixels = out.convert("RGB")
        assert pixels.getpixel((10, 10)) == source.getpixel((10, 10))
        assert pixels.getpixel((150, 100)) == source.getpixel((150, 100))
        inside = pixels.crop((40, 30, 136, 78))
        if style is RedactionStyle.FILL:
            assert inside.getextrema() == ((0, 0), (0, 0), (0, 0))
        else:
            assert inside.tobytes() != source.crop((40, 30, 136, 78)).tobytes()


def test_tuples_and_redactions_mix_and_are_in_upright_pixels(tmp_path: Path) -> None:
    stored = Image.new("RGB", (40, 20), (220, 20, 20))  # sideways: upright it is 20 × 40
    src = tmp_path / "phone.jpg"
    stored.save(src, exif=phone_exif(orientation=6), quality=95)
    dst = tmp_path / "out.png"
    export_clean(src, dst, redactions=[(0, 0, 10, 10), Redaction(Box(10, 30, 10, 10))])
    with Image.open(dst) as out:
        assert out.size == (20, 40)
        rgb = out.convert("RGB")
        assert rgb.getpixel((5, 5)) == (0, 0, 0)
        assert rgb.getpixel((15, 35)) == (0, 0, 0)
        assert rgb.getpixel((15, 5)) != (0, 0, 0)


def test_no_thumbnail_or_other_metadata_survives(tmp_path: Path) -> None:
    src = tmp_path / "cam.jpg"
    text_image(["hello"]).save(src, exif=exif_with_thumbnail("CamCo"), comment=b"Maria Lopez")
    dst = tmp_path / "clean.jpg"
    export_clean(src, dst)
    data = dst.read_bytes()
    assert set(jpeg_markers(data)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}
    for secret in (b"Exif", b"CamCo", b"Maria"):
        assert secret not in data
    assert data.count(b"\xff\xd8") == 1  # one start-of-image: no embedded preview JPEG


def test_a_heic_photo_exports_upright_and_clean(tmp_path: Path) -> None:
    image = Image.new("RGB", (64, 32), (220, 20, 20))
    image.paste((20, 20, 220), (32, 0, 64, 32))
    heif = from_pillow(image)
    src = tmp_path / "IMG_0003.HEIC"
    heif.save(src, quality=95, exif=phone_exif(orientation=6, make="PhoneMaker").tobytes())
    assert clean_suffix(src) == ".jpg"
    dst = tmp_path / "clean.jpg"
    export_clean(src, dst)
    data = dst.read_bytes()
    assert b"PhoneMaker" not in data
    assert b"Exif" not in data
    with Image.open(dst) as out:
        assert out.format == "JPEG"
        assert out.size == (32, 64)  # turned upright
        red, _, _ = cast(tuple[int, int, int], out.convert("RGB").getpixel((16, 8)))
    assert red > 150  # the left (red) half is on top


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_formats_we_do_not_read_are_refused(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "picture.jpg"
    Image.new("RGB", (16, 16), (1, 2, 3)).save(src, fmt)
    with pytest.raises(ImageRejected) as caught:
        export_clean(src, tmp_path / "out.jpg")
    assert caught.value.reason == "unsupported_format"
    assert caught.value.params["format"] == fmt
    assert not (tmp_path / "out.jpg").exists()


def test_a_copy_that_does_not_verify_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the encoder (here: a broken one) leaves metadata in the copy, the read-back
    catches it, deletes the copy and says so."""
    src = tmp_path / "a.jpg"
    text_image(["hello"]).save(src)
    real_write = export_module._write_atomically

    def leaky_write(image: Image.Image, dst: Path, fmt: str) -> None:
        real_write(image, dst, fmt)
        with Image.open(dst) as written:
            written.load()
            written.save(dst, "JPEG", exif=phone_exif(make="Leaky"))

    monkeypatch.setattr(export_module, "_write_atomically", leaky_write)
    dst = tmp_path / "clean.jpg"
    with pytest.raises(ExportVerifyFailed) as caught:
        export_clean(src, dst)
    assert caught.value.code == "export_verify_failed"
    assert caught.value.params == {"check": "segments"}
    assert not dst.exists()


def test_a_copy_of_the_wrong_size_does_not_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "a.png"
    text_image(["hello"]).save(src)
    real_write = export_module._write_atomically

    def cropping_write(image: Image.Image, dst: Path, fmt: str) -> None:
        real_write(image.crop((0, 0, 10, 10)), dst, fmt)

    monkeypatch.setattr(export_module, "_write_atomically", cropping_write)
    dst = tmp_path / "clean.png"
    with pytest.raises(ExportVerifyFailed) as caught:
        export_clean(src, dst)
    assert caught.value.params == {"check": "size"}
    assert not dst.exists()

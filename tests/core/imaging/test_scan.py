"""The automatic assists with real Tesseract and real OpenCV: text read and checked for PHI,
faces, metadata, orientation, no Tesseract, cancelling, HEIC."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pillow_heif import from_pillow

from core.imaging import ImageRejected, ImageReport, scan_image, scan_steps
from core.imaging import ocr as ocr_module
from core.imaging import scan as scan_module
from core.imaging.model import Box, TextRisk
from core.progress import Progress
from tests.core.imaging.pictures import ASTRONAUT, exif_with_thumbnail, phone_exif, text_image

pytestmark = pytest.mark.skipif(not ocr_module.ocr_available(), reason="Tesseract is not installed")

WHITEBOARD = ["Maria Lopez 9:30 crown", "Staff lunch at noon", "Call 415-555-2671"]


def _region(report: ImageReport, word: str) -> tuple[int, str, Box, TextRisk]:
    for index, region in enumerate(report.text_regions):
        if word in region.text:
            return index, region.text, region.box, region.risk
    raise AssertionError(f"{word!r} not read; read {[r.text for r in report.text_regions]}")


def test_whiteboard_text_is_read_and_classified(tmp_path: Path) -> None:
    src = tmp_path / "desk.jpg"
    text_image(WHITEBOARD).save(src, quality=92)
    report = scan_image(src, known_names=["Maria Lopez"])
    assert report.ocr_ran
    assert report.warnings == ()
    assert (report.width, report.height) == (1000, 420)
    _, text, box, risk = _region(report, "Lopez")
    assert "Maria Lopez" in text
    assert risk is TextRisk.PHI
    # drawn at (40, 40) in 48-px type: the box sits on the first line
    assert 30 <= box.x <= 60
    assert 35 <= box.y <= 60
    assert 30 <= box.height <= 60
    assert box.width > 300
    finding_kinds = {f.kind for f in report.text_regions[_region(report, "Lopez")[0]].findings}
    assert "name" in finding_kinds
    index, _, _, risk = _region(report, "lunch")
    assert risk is TextRisk.TEXT
    assert report.text_regions[index].confidence >= 50
    index, _, box, risk = _region(report, "555")
    assert risk is TextRisk.PHI
    assert {f.kind for f in report.text_regions[index].findings} == {"phone"}
    assert 215 <= box.y <= 245  # drawn at y = 220


def test_a_name_split_over_two_lines_is_flagged_on_both(tmp_path: Path) -> None:
    src = tmp_path / "board.png"
    text_image(["9:30 Maria", "Lopez crown prep"], step=60).save(src)
    report = scan_image(src, known_names=["Maria Lopez"], faces=False)
    first, second = (report.text_regions[_region(report, w)[0]] for w in ("Maria", "Lopez"))
    assert any(first.text[f.start : f.end] == "Maria" for f in first.findings)
    assert any(second.text[f.start : f.end] == "Lopez" for f in second.findings)


def test_a_blank_wall_has_no_text_and_no_face(tmp_path: Path) -> None:
    src = tmp_path / "wall.jpg"
    Image.new("RGB", (900, 600), (200, 196, 188)).save(src)
    report = scan_image(src)
    assert report.ocr_ran
    assert report.faces_ran
    assert report.text_regions == ()
    assert report.faces == ()
    assert report.metadata == {}


def test_the_astronaut_face_is_found() -> None:
    report = scan_image(ASTRONAUT, ocr=False)
    assert report.faces_ran
    assert not report.ocr_ran
    assert len(report.faces) == 1
    face = report.faces[0]
    assert abs(face.x - 177) <= 8
    assert abs(face.y - 66) <= 8
    assert 85 <= face.width <= 105


def test_a_large_photo_is_downscaled_for_faces_and_boxes_scaled_back(tmp_path: Path) -> None:
    big = Image.new("RGB", (3000, 2000), (128, 128, 128))
    with Image.open(ASTRONAUT) as face:
        big.paste(face.convert("RGB").resize((1024, 1024)), (1200, 400))
    src = tmp_path / "big.jpg"
    big.save(src, quality=92)
    report = scan_image(src, ocr=False)
    # the 95-px face of the 512-px photo is 190 px here, at (1200 + 354, 400 + 132)
    real = [f for f in report.faces if abs(f.x - 1554) <= 40 and abs(f.y - 532) <= 40]
    assert len(real) == 1
    assert 150 <= real[0].width <= 230


def test_phone_metadata_is_reported(tmp_path: Path) -> None:
    src = tmp_path / "IMG_0001.jpg"
    exif = phone_exif(
        gps=(39.7837, -89.6445), taken="2025:03:04 09:15:00", make="PhoneMaker", model="Phone 15"
    )
    exif[0x0131] = "PhoneOS 18.1"
    text_image([]).save(src, exif=exif, comment=b"hello", xmp=b"<x:xmpmeta/>")
    report = scan_image(src, ocr=False, faces=False)
    meta = report.metadata
    assert meta["gps"] == pytest.approx({"lat": 39.7837, "lon": -89.6445}, abs=1e-4)
    assert meta["datetime"] == "2025-03-04T09:15:00"
    assert meta["device"] == "PhoneMaker Phone 15"
    assert meta["software"] == "PhoneOS 18.1"
    assert meta["comment"] is True
    assert meta["xmp"] is True
    assert "thumbnail" not in meta
    assert not report.faces_ran
    assert not report.ocr_ran


def test_an_embedded_thumbnail_and_southern_gps_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "cam.jpg"
    text_image([]).save(src, exif=exif_with_thumbnail("CamCo"))
    meta = scan_image(src, ocr=False, faces=False).metadata
    assert meta["thumbnail"] is True
    assert meta["device"] == "CamCo"
    south = tmp_path / "south.jpg"
    text_image([]).save(south, exif=phone_exif(gps=(-33.8568, 151.2153)))
    gps = scan_image(south, ocr=False, faces=False).metadata["gps"]
    assert gps == pytest.approx({"lat": -33.8568, "lon": 151.2153}, abs=1e-4)


def test_boxes_are_in_upright_pixels(tmp_path: Path) -> None:
    """A phone stores the photo sideways with orientation 6 (turn 90° clockwise to show):
    the scan reads the text upright and reports boxes in the upright frame."""
    upright = text_image(["Maria Lopez 9:30 crown"], size=(900, 300), top=200)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what the sensor wrote
    src = tmp_path / "sideways.jpg"
    stored.save(src, exif=phone_exif(orientation=6), quality=95)
    report = scan_image(src, known_names=["Maria Lopez"])
    assert (report.width, report.height) == (900, 300)
    _, _, box, risk = _region(report, "Lopez")
    assert risk is TextRisk.PHI
    assert 190 <= box.y <= 215  # drawn at y = 200 in the upright frame
    assert 30 <= box.x <= 60


def test_without_tesseract_the_scan_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_module, "tesseract_path", lambda: None)
    src = tmp_path / "a.png"
    text_image(WHITEBOARD).save(src)
    report = scan_image(src, faces=False)
    assert not report.ocr_ran
    assert report.warnings == ("ocr_unavailable",)
    assert report.text_regions == ()


def test_a_broken_tesseract_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_module, "LANGUAGE", "no-such-language")
    src = tmp_path / "a.png"
    text_image(WHITEBOARD).save(src)
    report = scan_image(src, faces=False)
    assert not report.ocr_ran
    assert report.warnings == ("ocr_failed",)


def test_a_huge_image_is_downscaled_for_ocr_and_boxes_scaled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_module, "OCR_MAX_SIDE", 1000)
    src = tmp_path / "wide.png"
    text_image(["Maria Lopez 9:30 crown"], size=(1000, 200), top=60).resize((2000, 400)).save(src)
    report = scan_image(src, known_names=["Maria Lopez"], faces=False)
    assert report.warnings == ("downscaled_for_ocr",)
    _, _, box, risk = _region(report, "Lopez")
    assert risk is TextRisk.PHI
    assert 140 <= box.y <= 160  # y = 60 at half size
    assert 60 <= box.height <= 110


def test_steps_report_progress_in_order(tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    text_image(["Staff lunch at noon"]).save(src)
    steps = scan_steps(src)
    labels: list[str] = []
    while True:
        try:
            step = next(steps)
        except StopIteration as done:
            report = done.value
            break
        assert isinstance(step, Progress)
        if not labels or labels[-1] != step.label:
            labels.append(step.label)
    assert labels == ["open", "metadata", "faces", "text", "phi"]
    assert report.text_regions


def test_cancelling_kills_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        process = real_popen(*args, **kwargs)  # type: ignore[call-overload]
        started.append(process)
        return process  # type: ignore[no-any-return]

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    src = tmp_path / "page.png"
    text_image(WHITEBOARD * 8, size=(2400, 2400), step=70).save(src)
    steps = scan_steps(src, faces=False)
    while next(steps).label != "text":
        pass
    assert len(started) == 1
    assert started[0].poll() is None  # Tesseract is reading
    steps.close()
    assert started[0].poll() is not None  # killed and reaped: no orphan
    assert not _alive(started[0].pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_heic_photo_is_scanned(tmp_path: Path) -> None:
    src = tmp_path / "IMG_0002.HEIC"
    from_pillow(text_image(["Maria Lopez 9:30 crown"])).save(src, quality=95)
    report = scan_image(src, known_names=["Maria Lopez"], faces=False)
    assert _region(report, "Lopez")[3] is TextRisk.PHI


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Maria Lopez, DOB 01/02/1980\n", "not_an_image"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "unsupported_format"),
        (b"", "not_an_image"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    src = tmp_path / "Maria.jpg"
    src.write_bytes(content)
    with pytest.raises(ImageRejected) as caught:
        scan_image(src)
    assert caught.value.reason == reason
    assert "Maria" not in str(caught.value)

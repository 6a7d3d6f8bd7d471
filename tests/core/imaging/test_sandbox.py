"""Untrusted files inspected in the child process: good photos give an upright, metadata-free
thumbnail; every hostile kind is refused with a reason, and the child survives or is restarted.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from PIL import Image
from pillow_heif import from_pillow

from core.imaging import MAX_FILE_BYTES, ImageRejected, ImageSandbox, Inspected
from core.imaging import sandbox as sandbox_module
from tests.core.imaging.pictures import (
    ASTRONAUT,
    bomb_png,
    exif_with_thumbnail,
    jpeg_markers,
    phone_exif,
    truncated_jpeg,
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ImageSandbox]:
    with ImageSandbox() as box:
        yield box


def _thumbnail(inspected: Inspected) -> Image.Image:
    image = Image.open(io.BytesIO(inspected.thumbnail))
    image.load()
    return image


def test_a_phone_photo_is_inspected(tmp_path: Path, sandbox: ImageSandbox) -> None:
    stored = Image.new("RGB", (800, 400), (220, 20, 20))
    stored.paste((20, 20, 220), (400, 0, 800, 400))
    src = tmp_path / "IMG_0001.jpg"
    exif = phone_exif(
        orientation=6, gps=(39.78, -89.64), taken="2025:03:04 09:15:00", make="PhoneMaker"
    )
    stored.save(src, exif=exif, quality=90)
    seen = sandbox.inspect(src)
    assert (seen.format, seen.width, seen.height) == ("JPEG", 400, 800)  # upright
    assert seen.size_bytes == src.stat().st_size
    assert seen.taken_at == "2025-03-04T09:15:00"
    thumb = _thumbnail(seen)
    assert thumb.format == "JPEG"
    assert thumb.size == (160, 320)
    red, _, _ = cast(tuple[int, int, int], thumb.convert("RGB").getpixel((80, 40)))
    assert red > 150  # red on top: upright
    assert set(jpeg_markers(seen.thumbnail)) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}
    assert b"PhoneMaker" not in seen.thumbnail


def test_png_webp_and_heic_are_inspected(tmp_path: Path, sandbox: ImageSandbox) -> None:
    image = Image.new("RGBA", (600, 300), (0, 128, 0, 255))
    png, webp, heic = tmp_path / "a.png", tmp_path / "b.webp", tmp_path / "IMG_0004.HEIC"
    image.save(png)
    image.save(webp, "WEBP")
    from_pillow(image.convert("RGB")).save(heic, quality=90)
    for path, fmt in ((png, "PNG"), (webp, "WEBP"), (heic, "HEIF")):
        seen = sandbox.inspect(path)
        assert (seen.format, seen.width, seen.height) == (fmt, 600, 300)
        assert _thumbnail(seen).size == (320, 160)
        assert seen.taken_at is None


def test_the_astronaut_and_an_embedded_preview(tmp_path: Path, sandbox: ImageSandbox) -> None:
    seen = sandbox.inspect(ASTRONAUT)
    assert (seen.width, seen.height) == (512, 512)
    src = tmp_path / "cam.jpg"
    Image.new("RGB", (50, 50)).save(src, exif=exif_with_thumbnail())
    assert sandbox.inspect(src).thumbnail.count(b"\xff\xd8") == 1


def _refusal(sandbox: ImageSandbox, path: Path) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        sandbox.inspect(path)
    assert path.stem not in str(caught.value)
    assert str(path) not in str(caught.value.params)
    return caught.value


@pytest.mark.parametrize(
    ("content", "reason", "fmt"),
    [
        (b"Maria Lopez, DOB 01/02/1980\n", "not_an_image", None),
        (b"", "not_an_image", None),
        (
            b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
            "unsupported_format",
            "EPS",
        ),
        (b"\xc5\xd0\xd3\xc6" + b"\x00" * 40, "unsupported_format", "EPS"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "unsupported_format", "PDF"),
        (b"\xff\xd8\xff\xe0garbage that is not a jpeg", "malformed", None),
    ],
)
def test_files_that_are_not_photos_are_refused(
    tmp_path: Path, sandbox: ImageSandbox, content: bytes, reason: str, fmt: str | None
) -> None:
    src = tmp_path / "Lopez.jpg"
    src.write_bytes(content)
    refused = _refusal(sandbox, src)
    assert refused.reason == reason
    assert refused.params.get("format") == fmt


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_other_image_formats_are_refused(tmp_path: Path, sandbox: ImageSandbox, fmt: str) -> None:
    src = tmp_path / "Lopez.png"
    Image.new("RGB", (16, 16), (1, 2, 3)).save(src, fmt)
    refused = _refusal(sandbox, src)
    assert refused.reason == "unsupported_format"
    assert refused.params["format"] == fmt


def test_a_decompression_bomb_is_refused_before_decoding(
    tmp_path: Path, sandbox: ImageSandbox
) -> None:
    refused = _refusal(sandbox, bomb_png(tmp_path / "bomb.png", 20000, 20000))
    assert refused.reason == "too_large"
    assert refused.params["limit"] == 60_000_000


def test_a_truncated_photo_is_malformed(tmp_path: Path, sandbox: ImageSandbox) -> None:
    assert _refusal(sandbox, truncated_jpeg(tmp_path / "cut.jpg")).reason == "malformed"


def test_a_huge_file_is_refused_unread(tmp_path: Path, sandbox: ImageSandbox) -> None:
    src = tmp_path / "huge.jpg"
    with src.open("wb") as file:  # sparse: no 60 MiB actually written
        file.write(b"\xff\xd8\xff\xe0")
        file.truncate(MAX_FILE_BYTES + 1)
    refused = _refusal(sandbox, src)
    assert refused.reason == "too_large"
    assert refused.params["bytes"] == MAX_FILE_BYTES + 1


def test_a_missing_file_and_a_folder_are_unreadable(tmp_path: Path, sandbox: ImageSandbox) -> None:
    assert _refusal(sandbox, tmp_path / "gone.jpg").reason == "unreadable"
    assert _refusal(sandbox, tmp_path).reason == "unreadable"


def test_the_child_is_restarted_after_a_crash(tmp_path: Path) -> None:
    """A decoder that runs out of memory: with a cap too small to decode a 48-MP photo
    (144 MB of pixels) the file is refused, and the next, small photo is still inspected (by
    a fresh child if that one died)."""
    big = tmp_path / "big.png"
    Image.new("RGB", (8000, 6000), (200, 190, 180)).save(big, compress_level=1)
    small = tmp_path / "small.jpg"
    Image.new("RGB", (40, 30)).save(small)
    with ImageSandbox(memory_bytes=150 * 1024 * 1024) as box:
        assert box.inspect(small).width == 40
        first = box._child
        assert first is not None
        refused = _refusal(box, big)
        assert refused.reason in ("too_large", "malformed")
        assert box.inspect(small).width == 40
        if refused.reason == "malformed":  # it died: a new one took over
            assert box._child is not first


def test_a_child_that_takes_too_long_is_killed(tmp_path: Path) -> None:
    """A file that takes longer than ``timeout`` (here a 48-MP photo, half a second of
    decoding, against 50 ms) is refused, the child killed, and the next file gets a new one."""
    slow = tmp_path / "slow.png"
    Image.new("RGB", (8000, 6000), (200, 190, 180)).save(slow, compress_level=1)
    src = tmp_path / "fine.jpg"
    Image.new("RGB", (40, 30)).save(src)
    with ImageSandbox(timeout=0.05) as box:
        refused = _refusal(box, slow)
        assert refused.reason == "malformed"
        assert refused.params["seconds"] == 0.05
        assert box._child is None  # killed; the next inspect starts a new one
        assert box.inspect(src).width == 40


class _DyingAnswers:
    """Stands in for the sandbox's answer queue: the child is killed while it reads a file."""

    def __init__(self, box: ImageSandbox) -> None:
        self.box = box
        self.answers = box._answers

    def get(self, timeout: float) -> str | None:
        child = self.box._child
        assert child is not None
        child.kill()
        return self.answers.get(timeout=timeout)


def test_a_child_that_dies_is_reported_and_replaced(tmp_path: Path) -> None:
    src = tmp_path / "Lopez-7.jpg"
    Image.new("RGB", (40, 30)).save(src)
    with ImageSandbox() as box:
        assert box.inspect(src).width == 40
        child = box._child
        assert child is not None
        child.kill()
        child.wait()
        assert box.inspect(src).width == 40  # a dead child is noticed before asking
        assert box._child is not child
        box._answers = _DyingAnswers(box)  # type: ignore[assignment]
        dying = box._child
        refused = _refusal(box, src)
        assert refused.reason == "malformed"
        assert box._child is None
        assert dying is not None
        assert dying.poll() is not None
        assert box.inspect(src).width == 40


def test_the_child_cannot_write_files(tmp_path: Path) -> None:
    """RLIMIT_FSIZE 0: a decoder exploit could not drop a file (POSIX)."""
    if not hasattr(os, "fork"):
        pytest.skip("resource limits are POSIX")
    import subprocess
    import sys

    target = tmp_path / "dropped"
    code = (
        "from core.imaging import sandbox_child as c; c._limit(1 << 31)\n"
        f"with open({str(target)!r}, 'wb') as f: f.write(b'x' * 10)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=sandbox_module.ROOT,
        capture_output=True,
        check=False,
    )
    assert done.returncode != 0
    assert b"File too large" in done.stderr or b"EFBIG" in done.stderr
    assert not target.exists() or target.stat().st_size == 0

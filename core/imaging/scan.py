"""The automatic assists: what a photo shows and carries (``scan_image``, ARCHITECTURE.md).

``scan_steps`` opens and validates the photo like ``export_clean`` (``ImageRejected``), reads its
metadata, turns it upright (every box in the report is in upright pixels, like redactions), then
starts Tesseract on a grey copy of it and, while Tesseract reads, detects faces in this process:
the two run side by side, so a scan takes little longer than Tesseract alone. Each line of text
is checked with ``core.phi.scan_text``.

It is a generator of ``core.progress.Progress`` (labels ``open``, ``metadata``, ``faces``,
``text``, ``phi``: codes the GUI words) returning the ``ImageReport``; closing it (the task
runner's cancel) kills a running Tesseract at once. No Tesseract installed: the report says so
(``ocr_ran`` False, warning ``ocr_unavailable``) instead of failing; likewise without OpenCV
(``faces_unavailable``). Nothing is written anywhere: the photo goes to Tesseract over a pipe.
"""

from __future__ import annotations

import io
import os
from collections.abc import Generator, Iterable
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from core.imaging.export import upright
from core.imaging.faces import FacesUnavailable, detect_faces
from core.imaging.metadata import read_metadata
from core.imaging.model import Box, ImageReport, TextRegion
from core.imaging.ocr import (
    OCR_MAX_SIDE,
    OcrFailed,
    TesseractRun,
    ocr_available,
    read_lines,
    tesseract_path,
    text_regions,
)
from core.imaging.reading import open_image
from core.progress import Progress

__all__ = ["ocr_available", "scan_image", "scan_steps"]

STEPS = ("open", "metadata", "faces", "text", "phi")
"""The progress labels, in order."""

POLL_SECONDS = 0.2
"""How often a scan waiting for Tesseract reports progress (and so can be cancelled)."""


def scan_steps(
    path: str | os.PathLike[str],
    *,
    known_names: Iterable[str] = (),
    ocr: bool = True,
    faces: bool = True,
) -> Generator[Progress, None, ImageReport]:
    """Scan the photo at ``path`` step by step (see the module docstring); ``known_names``
    (patients, reviewers) are looked for in the text; ``ocr``/``faces`` turn an assist off.
    Raises ``ImageRejected`` for a file that will not be read."""
    total = len(STEPS)
    yield Progress(0, total, STEPS[0])
    with open_image(Path(path), grey=True) as image:
        metadata = read_metadata(image)
        photo = grey_copy(upright(image))
    yield Progress(1, total, STEPS[1])
    warnings: list[str] = []
    run: TesseractRun | None = None
    scale = 1.0
    try:
        if ocr:
            program = tesseract_path()
            if program is None:
                warnings.append("ocr_unavailable")
            else:
                pixels, scale = ocr_input(photo)
                if scale > 1:
                    warnings.append("downscaled_for_ocr")
                run = TesseractRun(program, pixels)
        yield Progress(2, total, STEPS[2])
        found_faces: tuple[Box, ...] = ()
        faces_ran = False
        if faces:
            try:
                found_faces = detect_faces(photo)
                faces_ran = True
            except FacesUnavailable:
                warnings.append("faces_unavailable")
        yield Progress(3, total, STEPS[3])
        tsv: str | None = None
        if run is not None:
            while not run.done(POLL_SECONDS):
                yield Progress(3, total, STEPS[3])
            try:
                tsv = run.tsv()
            except OcrFailed:
                warnings.append("ocr_failed")
    finally:
        if run is not None:
            run.kill()  # a no-op after a normal end; on cancel it stops Tesseract at once
    yield Progress(4, total, STEPS[4])
    regions: tuple[TextRegion, ...] = ()
    if tsv is not None:
        regions = text_regions(read_lines(tsv, scale=scale), known_names)
    return ImageReport(
        width=photo.width,
        height=photo.height,
        faces=found_faces,
        text_regions=regions,
        metadata=metadata,
        warnings=tuple(warnings),
        ocr_ran=tsv is not None,
        faces_ran=faces_ran,
        scanned_at=datetime.now(UTC),
    )


def scan_image(
    path: str | os.PathLike[str],
    *,
    known_names: Iterable[str] = (),
    ocr: bool = True,
    faces: bool = True,
) -> ImageReport:
    """``scan_steps`` run to the end: the ``ImageReport`` of the photo at ``path``."""
    steps = scan_steps(path, known_names=known_names, ocr=ocr, faces=faces)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            report: ImageReport = done.value
            return report


def grey_copy(image: Image.Image) -> Image.Image:
    """The pixels in grey, in a new image that no longer refers to the file: both assists work
    on grey (Tesseract binarises whatever it gets, the face cascade is trained on grey)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))  # transparent reads as paper
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat.convert("L")
    return image.copy() if image.mode == "L" else image.convert("L")


def ocr_input(grey: Image.Image) -> tuple[bytes, float]:
    """The bytes Tesseract reads and the factor from its pixels back to the photo's: a binary
    PGM (P5), which Tesseract reads from stdin like a PNG, but which costs nothing to encode
    (a 12-MP PNG takes a third of a second even at the fastest compression)."""
    scale = max(grey.width, grey.height) / OCR_MAX_SIDE
    if scale > 1:
        grey = grey.resize(
            (max(1, round(grey.width / scale)), max(1, round(grey.height / scale))),
            Image.Resampling.LANCZOS,
        )
    else:
        scale = 1.0
    out = io.BytesIO()
    grey.save(out, "PPM")
    return out.getvalue(), scale

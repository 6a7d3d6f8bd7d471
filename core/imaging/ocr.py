"""Visible text in a photo: Tesseract's words grouped into lines, each checked for PHI.

We drive the ``tesseract`` command ourselves instead of through pytesseract: the image goes to
``tesseract stdin stdout -l eng tsv`` as image bytes over a pipe (a grey PGM, see
``core.imaging.scan.ocr_input``), so the photo's pixels are never
written to the system temp folder (PHI outside the vault), and the run is a process we hold, so
cancelling a scan kills it at once instead of waiting for it to finish. Reading stdin and stdout
happens on a helper thread (``communicate``), so a big TSV never blocks the pipe.

Tesseract reports words with a box, a confidence and their block, paragraph and line numbers;
``read_lines`` groups them into lines (the union box, the words joined, the mean confidence) and
drops empty and low-confidence lines (``MIN_CONFIDENCE``: texture and shadows read as noise).
``text_regions`` runs ``core.phi.scan_text`` on each line, and on each paragraph joined into one
text so a name split over two lines ("Maria" / "Lopez 9:30") is still found; such findings are
mapped back onto the lines they touch.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.imaging.model import Box, TextRegion
from core.phi import Finding, scan_text

TESSERACT_ENV = "FRONTDESK_TESSERACT"
"""An environment variable that may name the tesseract program (else it is looked up on PATH,
then in the Windows installer's default folders)."""

WINDOWS_DEFAULTS = (
    r"C:\Program Files\Tesseract-OCR\tesseract.exe",
    r"C:\Program Files (x86)\Tesseract-OCR\tesseract.exe",
)

OCR_MAX_SIDE = 4000
"""Images are read at most this many pixels on the long side (12 MP photos are 4000 wide);
larger ones are scaled down first, with the warning ``downscaled_for_ocr``."""

MIN_CONFIDENCE = 50.0
"""Lines whose words Tesseract is on average less sure of (0–100) are dropped."""

LANGUAGE = "eng"


def tesseract_path() -> str | None:
    """The tesseract program to run, or ``None`` when it is not installed."""
    configured = os.environ.get(TESSERACT_ENV)
    if configured and Path(configured).is_file():
        return configured
    found = shutil.which("tesseract")
    if found:
        return found
    if sys.platform == "win32":
        for candidate in WINDOWS_DEFAULTS:
            if Path(candidate).is_file():
                return candidate
    return None


def ocr_available() -> bool:
    """Whether Tesseract is installed (the scan then reads visible text)."""
    return tesseract_path() is not None


def tesseract_command(program: str) -> list[str]:
    """The command line: read an image (PGM, PNG, ...) on stdin, write word boxes as TSV."""
    return [program, "stdin", "stdout", "-l", LANGUAGE, "tsv"]


def tesseract_env() -> dict[str, str]:
    """Tesseract's environment: one OpenMP thread (its default team of threads is slower on a
    busy machine, and the scan runs face detection beside it)."""
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


class TesseractRun:
    """One running ``tesseract`` process reading ``image`` (encoded bytes) from its stdin.

    ``done(timeout)`` waits up to ``timeout`` seconds; ``tsv()`` is the output once done (or
    raises ``OcrFailed``); ``kill()`` stops the process and reaps it (safe to call twice, and
    after it ended).
    """

    def __init__(self, program: str, image: bytes) -> None:
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        # S603: the program is Tesseract found on PATH or configured; the arguments are ours.
        self._process = subprocess.Popen(  # noqa: S603
            tesseract_command(program),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=tesseract_env(),
            creationflags=flags,
        )
        self._out: bytes | None = None
        self._error: str | None = None
        self._thread = threading.Thread(
            target=self._communicate, args=(image,), name="tesseract-io", daemon=True
        )
        self._thread.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def _communicate(self, image: bytes) -> None:
        try:
            out, _ = self._process.communicate(image)
        except (OSError, ValueError) as error:
            self._error = type(error).__name__
            return
        self._out = out

    def done(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def tsv(self) -> str:
        self._thread.join()
        if self._error is not None or self._out is None:
            raise OcrFailed(f"tesseract could not be run ({self._error})")
        if self._process.returncode != 0:
            raise OcrFailed(f"tesseract failed (exit status {self._process.returncode})")
        return self._out.decode("utf-8", errors="replace")

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._thread.join(5)
        self._process.wait(5)


class OcrFailed(Exception):
    """Tesseract did not produce output (a broken install, a missing language file)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of words: ``group`` is Tesseract's (block, paragraph) it belongs to."""

    box: Box
    text: str
    confidence: float
    group: tuple[int, int]


def read_lines(tsv: str, *, scale: float = 1.0) -> list[Line]:
    """Tesseract's TSV grouped into lines (in reading order), boxes multiplied by ``scale``
    (to go back from a downscaled copy to the photo's pixels); empty lines, lines without two
    letters or digits, and lines under ``MIN_CONFIDENCE`` are dropped."""
    words: dict[tuple[int, int, int], list[tuple[int, int, int, int, float, str]]] = {}
    rows = csv.reader(tsv.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, None)
    if header is None:
        return []
    for row in rows:
        if len(row) < 12 or row[0] != "5":
            continue
        text = "\t".join(row[11:]).strip()
        try:
            block, par, line = int(row[2]), int(row[3]), int(row[4])
            left, top, width, height = (int(v) for v in row[6:10])
            confidence = float(row[10])
        except ValueError:
            continue
        if not text or confidence < 0:
            continue
        words.setdefault((block, par, line), []).append(
            (left, top, width, height, confidence, text)
        )
    lines = []
    for (block, par, _), members in words.items():
        text = " ".join(m[5] for m in members)
        confidence = sum(m[4] for m in members) / len(members)
        if confidence < MIN_CONFIDENCE or sum(c.isalnum() for c in text) < 2:
            continue
        x0 = min(m[0] for m in members)
        y0 = min(m[1] for m in members)
        x1 = max(m[0] + m[2] for m in members)
        y1 = max(m[1] + m[3] for m in members)
        box = Box(
            int(x0 * scale),
            int(y0 * scale),
            max(1, round((x1 - x0) * scale)),
            max(1, round((y1 - y0) * scale)),
        )
        lines.append(Line(box, text, round(confidence, 1), (block, par)))
    return lines


def text_regions(lines: Sequence[Line], known_names: Iterable[str] = ()) -> tuple[TextRegion, ...]:
    """Each line as a ``TextRegion`` with what ``scan_text`` finds in it, plus what it finds
    in the line's paragraph read as one text (a risk split over lines lands on each line it
    touches, clipped to that line)."""
    names = tuple(known_names)
    found = [list(scan_text(line.text, names)) for line in lines]
    groups: dict[tuple[int, int], list[int]] = {}
    for index, line in enumerate(lines):
        groups.setdefault(line.group, []).append(index)
    for members in groups.values():
        if len(members) > 1:
            _add_paragraph_findings(lines, members, found, names)
    return tuple(
        TextRegion(line.box, line.text, line.confidence, tuple(sorted(f, key=lambda x: x.start)))
        for line, f in zip(lines, found, strict=True)
    )


def _add_paragraph_findings(
    lines: Sequence[Line],
    members: list[int],
    found: list[list[Finding]],
    names: tuple[str, ...],
) -> None:
    starts = []
    offset = 0
    for index in members:
        starts.append(offset)
        offset += len(lines[index].text) + 1
    joined = " ".join(lines[index].text for index in members)
    for finding in scan_text(joined, names):
        for index, start in zip(members, starts, strict=True):
            end = start + len(lines[index].text)
            lo, hi = max(finding.start, start), min(finding.end, end)
            if lo >= hi:
                continue
            clipped = replace(finding, start=lo - start, end=hi - start)
            if not any(f.start < clipped.end and clipped.start < f.end for f in found[index]):
                found[index].append(clipped)

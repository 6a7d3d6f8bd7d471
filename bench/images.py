"""Image scan benchmark: ``core.imaging.scan_image`` on a 12-megapixel photo against Tesseract
alone on the same photo (target ratio <= 1.5).

The photo is drawn here: 4000 x 3000, a noisy wall (texture is what makes a real photo slow
to read), a whiteboard with invented patients' names and appointment times, and a face (the
astronaut of ``tests/data/astronaut.jpg``, enlarged), saved as a JPEG the way a phone would.

``tesseract_alone`` runs the Tesseract command line the scan runs (same options, same
environment) on the same image bytes the scan feeds it over stdin (a grey PGM): the time any
scan must at least take; ``scan_image`` is the whole scan from the JPEG file (decode, metadata,
upright, the grey copy, Tesseract, face detection beside it, the PHI check of every line), its
ratio against that baseline is the target. ``tesseract_on_the_jpeg`` is Tesseract given the
JPEG file itself (it decodes it), a second baseline, with the scan's ratio against it. The
lines ``faces`` and ``decode`` time those parts alone, for where the difference goes.

Prints JSON lines: {"name", "value", "unit", "baseline", "ratio"}; ``value`` is the median in
milliseconds over ``--runs`` runs (after one untimed warm-up).

    uv run python bench/images.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.imaging import scan_image  # noqa: E402  (after the path set-up)
from core.imaging.faces import detect_faces  # noqa: E402
from core.imaging.ocr import tesseract_command, tesseract_env, tesseract_path  # noqa: E402
from core.imaging.reading import open_image  # noqa: E402
from core.imaging.scan import grey_copy, ocr_input  # noqa: E402

WIDTH, HEIGHT = 4000, 3000
BOARD = [
    "Tuesday schedule",
    "9:00  Maria Lopez - crown prep",
    "9:45  Tom Baker - cleaning",
    "10:30  Grace Chen - root canal",
    "11:15  Omar Diaz - implant consult",
    "Call back: 415-555-2671",
]
KNOWN = ["Maria Lopez", "Tom Baker", "Grace Chen", "Omar Diaz"]


def photo(path: Path) -> Path:
    """The synthetic 12-MP photo (see the module docstring), saved as JPEG at ``path``."""
    wall = Image.effect_noise((WIDTH, HEIGHT), 18).convert("RGB")
    tint = Image.new("RGB", (WIDTH, HEIGHT), (196, 184, 160))
    image = Image.blend(wall, tint, 0.7)
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 250, 2500, 1700), fill=(245, 245, 242), outline=(90, 90, 90), width=12)
    font = ImageFont.load_default(size=96)
    for number, text in enumerate(BOARD):
        draw.text((380, 330 + number * 220), text, fill=(25, 35, 120), font=font)
    with Image.open(ROOT / "tests" / "data" / "astronaut.jpg") as face:
        image.paste(face.convert("RGB").resize((900, 900), Image.Resampling.LANCZOS), (2800, 900))
    image.save(path, "JPEG", quality=90)
    return path


def median_ms(runs: int, work: Callable[[], object]) -> float:
    work()  # warm-up: imports, the face cascade, Tesseract's language data in the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def line(name: str, value: float, baseline: float | None = None) -> str:
    ratio = round(value / baseline, 3) if baseline else None
    return json.dumps(
        {"name": name, "value": value, "unit": "ms", "baseline": baseline, "ratio": ratio}
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    program = tesseract_path()
    if program is None:
        sys.exit("Tesseract is not installed: nothing to compare against.")
    with tempfile.TemporaryDirectory() as folder:
        source = photo(Path(folder) / "whiteboard.jpg")
        with open_image(source, grey=True) as image:
            grey = grey_copy(image)
        pixels, _ = ocr_input(grey)

        def tesseract_alone() -> None:
            subprocess.run(
                tesseract_command(program),
                input=pixels,
                capture_output=True,
                env=tesseract_env(),
                check=True,
            )

        def tesseract_on_the_file() -> None:
            command = [program, str(source), "stdout", *tesseract_command(program)[3:]]
            subprocess.run(command, capture_output=True, env=tesseract_env(), check=True)

        def decode() -> None:
            with open_image(source, grey=True) as opened:
                ocr_input(grey_copy(opened))

        report = scan_image(source, known_names=KNOWN)
        phi = sum(1 for region in report.text_regions if region.findings)
        print(
            json.dumps(
                {
                    "name": "scan_found",
                    "lines": len(report.text_regions),
                    "phi_lines": phi,
                    "faces": len(report.faces),
                }
            )
        )
        baseline = median_ms(runs, tesseract_alone)
        print(line("tesseract_alone_12mp", baseline))
        scan = median_ms(runs, lambda: scan_image(source, known_names=KNOWN))
        print(line("scan_image_12mp", scan, baseline))
        on_file = median_ms(runs, tesseract_on_the_file)
        print(line("tesseract_on_the_jpeg_12mp", on_file))
        print(line("scan_image_vs_tesseract_on_the_jpeg_12mp", scan, on_file))
        print(line("faces_12mp", median_ms(runs, lambda: detect_faces(grey))))
        print(line("decode_12mp", median_ms(runs, decode)))


if __name__ == "__main__":
    main()

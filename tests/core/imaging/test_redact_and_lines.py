"""Pure parts of the imaging code: redactions on pixels, Tesseract's TSV grouped into lines,
PHI findings mapped onto lines, the first-bytes sniffing of untrusted files."""

from __future__ import annotations

import itertools
from typing import cast

import pytest
from PIL import Image

from core.imaging import Redaction, RedactionStyle, apply_redactions
from core.imaging.model import Box
from core.imaging.ocr import Line, read_lines, text_regions
from core.imaging.reading import sniff

HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
)


def _word(block: int, par: int, line: int, word: int, box: str, conf: float, text: str) -> str:
    return f"5\t1\t{block}\t{par}\t{line}\t{word}\t{box}\t{conf}\t{text}"


def test_words_are_grouped_into_lines_and_noise_dropped() -> None:
    tsv = "\n".join(
        [
            HEADER,
            "1\t1\t0\t0\t0\t0\t0\t0\t800\t600\t-1\t",
            _word(1, 1, 1, 1, "10\t20\t100\t30", 96, "Maria"),
            _word(1, 1, 1, 2, "120\t22\t110\t32", 90, "Lopez"),
            _word(1, 1, 2, 1, "10\t70\t80\t30", 95, "9:30"),
            _word(2, 1, 1, 1, "400\t400\t20\t20", 30, "~i"),  # low confidence
            _word(3, 1, 1, 1, "500\t500\t20\t20", 95, "|"),  # no letters
            _word(4, 1, 1, 1, "600\t500\t20\t20", 95, " "),  # empty
        ]
    )
    lines = read_lines(tsv, scale=2.0)
    assert [line.text for line in lines] == ["Maria Lopez", "9:30"]
    first = lines[0]
    assert first.box == Box(20, 40, 440, 68)  # the union, scaled back by 2
    assert first.confidence == 93.0
    assert first.group == (1, 1)
    assert read_lines("") == []


def test_findings_are_kept_per_line_and_split_names_found() -> None:
    lines = [
        Line(Box(0, 0, 100, 20), "Crown prep for Maria", 90.0, (1, 1)),
        Line(Box(0, 30, 100, 20), "Lopez at 9:30", 90.0, (1, 1)),
        Line(Box(0, 90, 100, 20), "Staff lunch", 90.0, (2, 1)),
    ]
    regions = text_regions(lines, ["Maria Lopez"])
    first, second, third = regions
    assert [first.text[f.start : f.end] for f in first.findings if f.kind == "name"] == ["Maria"]
    assert [second.text[f.start : f.end] for f in second.findings if f.kind == "name"] == ["Lopez"]
    assert third.findings == ()
    for region in regions:
        spans = [(f.start, f.end) for f in region.findings]
        assert spans == sorted(spans)
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def _striped(size: tuple[int, int] = (120, 80)) -> Image.Image:
    image = Image.new("RGB", size, (255, 255, 255))
    for x in range(0, size[0], 4):
        image.paste((0, 0, 0), (x, 0, x + 2, size[1]))
    return image


def test_fill_is_opaque_black_and_a_tuple_is_a_fill() -> None:
    image = Image.new("RGBA", (20, 20), (255, 255, 255, 0))
    out = apply_redactions(image, [(2, 2, 5, 5), Redaction(Box(10, 10, 5, 5))])
    assert out.getpixel((3, 3)) == (0, 0, 0, 255)
    assert out.getpixel((12, 12)) == (0, 0, 0, 255)
    assert out.getpixel((8, 8)) == (255, 255, 255, 0)
    assert image.getpixel((3, 3)) == (255, 255, 255, 0)  # the input is not changed


def test_pixelate_uses_big_blocks() -> None:
    out = apply_redactions(_striped(), [Redaction(Box(0, 0, 120, 80), RedactionStyle.PIXELATE)])
    # short side 80: blocks of at least max(12, 80 / 8) = 12 px, each one flat colour
    row = [out.getpixel((x, 5)) for x in range(120)]
    runs = [1]
    for left, right in itertools.pairwise(row):
        if left == right:
            runs[-1] += 1
        else:
            runs.append(1)
    assert min(runs) >= 12
    assert len(set(row)) <= 10


def test_blur_leaves_no_stripes() -> None:
    out = apply_redactions(_striped(), [Redaction(Box(0, 0, 120, 80), RedactionStyle.BLUR)])
    grey = out.convert("L")
    row = [cast(int, grey.getpixel((x, 40))) for x in range(120)]
    # the 0/255 stripes 2 px apart are gone: only a slow drift of grey is left
    assert max(abs(a - b) for a, b in itertools.pairwise(row)) <= 3
    assert 60 <= min(row) <= max(row) <= 200


def test_boxes_are_clipped_and_empty_ones_refused() -> None:
    out = apply_redactions(_striped(), [Redaction(Box(100, 60, 500, 500), RedactionStyle.BLUR)])
    assert out.size == (120, 80)
    with pytest.raises(ValueError, match="positive"):
        apply_redactions(_striped(), [(1, 1, 0, 4)])


@pytest.mark.parametrize(
    ("head", "verdict"),
    [
        (b"\xff\xd8\xff\xe1rest", None),
        (b"\x89PNG\r\n\x1a\n", None),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", None),
        (b"\x00\x00\x00\x18ftypavif\x00\x00", ("unsupported_format", "AVIF")),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", ("unsupported_format", "VIDEO")),
        (b"%!PS-Adobe-3.0", ("unsupported_format", "EPS")),
        (b"%PDF-1.4", ("unsupported_format", "PDF")),
        (b"GIF89a", ("unsupported_format", "GIF")),
        (b"hello, world", ("not_an_image", None)),
        (b"", ("not_an_image", None)),
    ],
)
def test_first_bytes_say_what_a_file_is(
    head: bytes, verdict: tuple[str, str | None] | None
) -> None:
    assert sniff(head) == verdict

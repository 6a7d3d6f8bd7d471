"""Properties of ``core.phi.scan_text`` over any text: it never crashes, and its findings are
well-formed spans that never overlap."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.phi import Finding, Kind, scan_text
from core.phi.merge import merge
from core.phi.model import finding

KINDS = [kind.value for kind in Kind]
FRAGMENTS = [
    "Her root canal", "Tom's crown", "Mrs. Alvarez", "our patient", "came in yesterday",
    "DOB 04/12/1957", "MRN 123456", "(312) 555-7781", "maria@example.com", "22 Elm Street",
    "78-year-old", "turns 100", "Delta Dental", "was seen today", "Maria Lopez", "José Núñez",
    "Thanks to Emma for", "in the chair this morning", "Closed on Dec 24", "#FluSeason",
    "https://example.com/a?b=c", "@ana@dental.social", "\U0001f9d1\u200d\u2695\ufe0f", "\u200f",
    "\ud800", "\x00", "e\u0301", "\u0130", ". ", "\n", ", ", "'s", "\u2019",
]  # fmt: skip
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()))
POSTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), ANY_TEXT), max_size=12).map("".join)


def check(text: str, found: list[Finding]) -> None:
    for item in found:
        assert 0 <= item.start < item.end <= len(text)
        assert text[item.start : item.end]
        assert item.kind in KINDS
        assert item.severity in ("high", "medium")
        assert item.message
        assert item.suggestion
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.lists(ANY_TEXT, max_size=3))
@example("\ud800\udc00\x00\u202e Mrs. \u0301", ["\ud800 \x00"])
@example("İİİ Maria Lopez İ", ["maria lopez"])
def test_any_unicode_never_crashes(text: str, known: list[str]) -> None:
    check(text, scan_text(text, known, allowed=known, staff_names=known))


@settings(max_examples=300, deadline=None)
@given(POSTS, st.lists(st.sampled_from(["Maria Lopez", "José Núñez", "Emma", "x"]), max_size=3))
def test_post_like_text_gives_well_formed_findings(text: str, known: list[str]) -> None:
    check(text, scan_text(text, known))
    check(text, scan_text(text, known, audience="reply"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Kind)), st.integers(0, 50), st.integers(1, 20)),
        max_size=20,
    )
)
def test_merged_findings_never_overlap(spans: list[tuple[Kind, int, int]]) -> None:
    raw = [finding(kind, start, start + length, "test") for kind, start, length in spans]
    merged = merge(raw)
    assert all(a.end <= b.start for a, b in itertools.pairwise(merged))
    covered = {i for f in raw for i in range(f.start, f.end)}
    assert {i for f in merged for i in range(f.start, f.end)} <= covered
    assert bool(merged) == bool(raw)


@settings(max_examples=300, deadline=None)
@given(POSTS)
def test_a_paragraph_before_shifts_the_findings_and_changes_nothing_else(text: str) -> None:
    before = "We're open Saturday!\n\n"
    shifted = [
        (f.kind, f.start + len(before), f.end + len(before), f.rule)
        for f in scan_text(text, ["Maria Lopez"])
    ]
    found = scan_text(before + text, ["Maria Lopez"])
    assert [(f.kind, f.start, f.end, f.rule) for f in found] == shifted

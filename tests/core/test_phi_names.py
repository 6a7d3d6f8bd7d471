"""Patients' names in ``core.phi``: known names in every written form, and person-like names
next to cues."""

from __future__ import annotations

import pytest

from core.phi import scan_text
from core.phi.names import known_names
from core.phi.scan import default_rules


def names(text: str, known: tuple[str, ...] = (), **options: object) -> list[str]:
    found = scan_text(text, known, **options)  # type: ignore[arg-type]
    return [text[f.start : f.end] for f in found if f.kind == "name"]


# --- known names --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("known", "text", "expected"),
    [
        ("Maria Lopez", "We love Maria Lopez!", "Maria Lopez"),
        ("Maria Lopez", "we love maria lopez", "maria lopez"),
        ("Maria Lopez", "WE LOVE MARIA LOPEZ", "MARIA LOPEZ"),
        ("Maria Lopez", "Maria Lopez's smile", "Maria Lopez"),
        ("Maria Lopez", "Maria Lopez\u2019s smile", "Maria Lopez"),
        ("Maria Lopez", "Maria J. Lopez stopped by", "Maria J. Lopez"),
        ("Maria Lopez", "Maria Elena Lopez stopped by", "Maria Elena Lopez"),
        ("Maria Elena Lopez", "Maria Lopez stopped by", "Maria Lopez"),
        ("Maria E. Lopez", "Maria Lopez stopped by", "Maria Lopez"),
        ("Maria Lopez", "Lopez, Maria: chart updated", "Lopez, Maria"),
        ("José Núñez", "José Núñez is back", "José Núñez"),
        ("José Núñez", "Jose Nunez is back", "Jose Nunez"),
        ("Jose Nunez", "José Núñez is back", "José Núñez"),
        ("José Núñez", "Jose\u0301 Nun\u0303ez is back", "Jose\u0301 Nun\u0303ez"),
        ("José Núñez", "JOSÉ NÚÑEZ is back", "JOSÉ NÚÑEZ"),
        ("Mary-Kate O'Neil", "Mary-Kate O'Neil came by", "Mary-Kate O'Neil"),
        ("Mary-Kate O'Neil", "Mary-Kate O\u2019Neil came by", "Mary-Kate O\u2019Neil"),
        ("Mary-Kate O'Neil", "Mary Kate O'Neil came by", "Mary Kate O'Neil"),
        ("Ana María García López", "Ana García says hi", "Ana García"),
        ("Ana María García López", "Ana López says hi", "Ana López"),
        ("Dr. Samuel Okafor Jr.", "Samuel Okafor's review", "Samuel Okafor"),
        ("Straße Müller", "STRASSE MÜLLER wrote in", "STRASSE MÜLLER"),
        ("Nguyễn Văn An", "Nguyen An wrote in", "Nguyen An"),
        ("Jenny", "Jenny left us a review", "Jenny"),
        ("Jenny K.", "Thanks Jenny!", "Jenny"),
    ],
)
def test_known_name_forms(known: str, text: str, expected: str) -> None:
    assert names(text, (known,)) == [expected]


@pytest.mark.parametrize(
    ("known", "text"),
    [
        ("Maria Lopez", "Mariana Lopezzi wrote a song"),
        ("Maria Lopez", "Maria. Lopez"),
        ("Maria Lopez", "maria Lopez"),
        ("Maria Lopez", "Maria and Lopez"),
        ("Jenny", "jenny-rigged"),
        ("Grace Park", "Grace periods end Friday; park in the back."),
        ("Hope Martin", "We hope Martin Luther King Jr. Day was restful."),
        ("Will Turner", "Who will turn 40 this year?"),
        ("Al", "Al fresco lunch for the team!"),
    ],
)
def test_known_names_need_the_whole_name(known: str, text: str) -> None:
    assert names(text, (known,)) == []


def test_a_known_first_name_as_a_possessive_is_a_medium_finding() -> None:
    (found,) = [f for f in scan_text("Maria's mom says hi!", ["Maria Lopez"]) if f.kind == "name"]
    assert (found.start, found.end, found.severity, found.rule) == (
        0,
        5,
        "medium",
        "known_first_name",
    )


def test_five_hundred_known_names() -> None:
    known = (*tuple(f"Patient{i} Family{i}" for i in range(499)), "Maria Lopez")
    text = "Lots of love to maria lopez and to Patient17 Family17! " * 10
    assert names(text, known) == ["maria lopez", "Patient17 Family17"] * 10


def test_the_index_is_built_once_per_set_of_names() -> None:
    stopwords = default_rules().names.stopwords
    first = known_names(frozenset({"Maria Lopez", "Tom Brooks"}), stopwords)
    assert known_names(frozenset({"Tom Brooks", "Maria Lopez"}), stopwords) is first


@pytest.mark.parametrize("known", ["", "   ", "Dr.", "J. R.", "\u0301", "Mr. Jr."])
def test_degenerate_known_names_match_nothing(known: str) -> None:
    assert names("Dr. J. R. Smith Jr. visited", (known,)) == []


# --- person-like names next to cues ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mrs. Alvarez loved her new crown", ["Alvarez"]),
        ("Mr Brooks is back!", ["Brooks"]),
        ("Mx. Rivera-Santos stopped in", ["Rivera-Santos"]),
        ("Miss Taylor was so brave", ["Taylor"]),
        ("Ms. Maria Núñez", ["Maria Núñez"]),
        ("Our patient Tom is the best", ["Tom"]),
        ("Maria, our patient, baked us a cake", ["Maria"]),
        ("Patient: Dmitri", ["Dmitri"]),
        ("Tom's crown looks great", ["Tom"]),
        ("Congrats to Emma on her braces!", ["Emma"]),
    ],
)
def test_names_next_to_cues(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Don't Miss Out on our whitening special!",
        "Don't Miss Our Open House",
        "Today's cleaning special is $79",
        "Children's Dental Health Month",
        "Mother's Day facials are booked!",
        "Dr. Rivera's crown technique is the best",
        "Thanks to Jamie for a great year!",
        "Santa Claus and Mrs. Claus visited the office",
        "Smile Dental's implant special",
        "Springfield's favorite braces team",
    ],
)
def test_capitalised_words_that_are_not_patients(text: str) -> None:
    assert names(text) == []

"""``core.phi``: the public API, the allowed practice details, staff names, replies, merging and
the editable word lists. The big case tables live in ``test_phi_positive.py`` and
``test_phi_negative.py``; names in ``test_phi_names.py``; properties in ``test_phi_properties.py``.
"""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from core.errors import ValidationError
from core.phi import (
    MESSAGES,
    SPECIFICITY,
    Audience,
    Finding,
    Kind,
    compile_rules,
    default_lexicon,
    lexicon_from,
    load_lexicon,
    scan_text,
)
from core.phi.lexicon import DEFAULT_DIR, FILES, expand, phrase_pattern
from core.phi.merge import merge
from core.phi.model import finding

PRACTICE_PHONE = "(217) 555-0142"


def kinds(text: str, **options: object) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in scan_text(text, **options)]  # type: ignore[arg-type]


# --- the public API ---------------------------------------------------------------------------
def test_finding_carries_kind_span_message_suggestion_and_severity() -> None:
    text = "Her root canal went great"
    (found,) = scan_text(text)
    assert (found.kind, text[found.start : found.end]) == ("health_detail", "root canal")
    assert found.message == MESSAGES[Kind.HEALTH_DETAIL][0]
    assert "general" in found.suggestion
    assert found.severity == "high"
    assert found.rule == "pronoun"
    assert type(found.kind) is str
    with pytest.raises(FrozenInstanceError):
        found.start = 0  # type: ignore[misc]


def test_every_kind_has_wording_and_a_rank() -> None:
    assert set(MESSAGES) == set(Kind) == set(SPECIFICITY)
    assert {kind.value for kind in Kind} == {
        "name", "date", "age", "phone", "email", "address", "record_number",
        "health_detail", "patient_relationship", "visit_detail", "insurance",
    }  # fmt: skip
    assert all(message and suggestion for message, suggestion in MESSAGES.values())


@pytest.mark.parametrize("text", ["", " ", "\n\t", "\u200b"])
def test_blank_text_has_no_findings(text: str) -> None:
    assert scan_text(text, ["Maria Lopez"]) == []


def test_known_names_accept_any_iterable() -> None:
    text = "Maria Lopez's crown"
    expected = [("name", "Maria Lopez"), ("health_detail", "crown")]
    assert kinds(text, known_names=iter(["Maria Lopez"])) == expected
    assert kinds(text, known_names={"Maria Lopez": 1}) == expected


def test_results_are_sorted_and_do_not_overlap() -> None:
    text = (
        "Our patient Maria Lopez (DOB 04/12/1957, MRN 123456) came in yesterday for her root "
        "canal. Call her at 312-555-7781 or maria@example.com; she lives at 22 Elm Street."
    )
    found = scan_text(text, ["Maria Lopez"])
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert ("address", "22 Elm Street") in [(f.kind, text[f.start : f.end]) for f in found]
    assert {f.kind for f in found} >= {
        "patient_relationship", "name", "date", "record_number", "health_detail", "phone",
        "email", "address",
    }  # fmt: skip


# --- allowed practice details ---------------------------------------------------------------
@pytest.mark.parametrize(
    "written", ["(217) 555-0142", "217-555-0142", "217.555.0142", "+1 217 555 0142", "2175550142"]
)
def test_the_practice_phone_is_not_flagged_however_written(written: str) -> None:
    text = f"Call us at {written} to book!"
    assert kinds(text, allowed=[PRACTICE_PHONE]) == []
    assert kinds(text) == [("phone", written)]


def test_another_phone_next_to_the_practice_phone_is_still_flagged() -> None:
    text = "Call 217-555-0142, or text Maria at 312-555-7781."
    assert kinds(text, allowed=[PRACTICE_PHONE]) == [("phone", "312-555-7781")]


def test_the_practice_email_and_address_are_not_flagged() -> None:
    allowed = ["FrontDesk@SpringfieldSmiles.com", "1200 Main Street, Springfield IL"]
    text = "Email frontdesk@springfieldsmiles.com or stop in at 1200 Main St"
    assert kinds(text, allowed=allowed) == []
    assert {kind for kind, _ in kinds(text)} == {"email", "address"}


def test_every_number_in_a_list_of_phone_numbers_is_found() -> None:
    text = "Numbers: 415-555-2671 312-555-7781 (646) 555-3322, +44 20 7946 0958"
    assert [span for _, span in kinds(text)] == [
        "415-555-2671", "312-555-7781", "(646) 555-3322", "+44 20 7946 0958",
    ]  # fmt: skip


def test_a_mastodon_mention_is_not_an_email() -> None:
    assert kinds("Thanks to @ana@dental.social for the tip!") == []


# --- staff ------------------------------------------------------------------------------------
def test_staff_names_are_never_flagged_as_patients() -> None:
    staff = ["Jamie Chen", "Ana Rivera"]
    text = "Thanks to Jamie for trusting us with his root canal"
    assert ("name", "Jamie") in kinds(text)
    assert kinds(text, staff_names=staff) == [("health_detail", "root canal")]
    assert kinds("Ms. Chen's braces tips are the best", staff_names=staff) == []
    assert kinds("Jamie Chen joins the team!", known_names=["Jamie Chen"], staff_names=staff) == []


def test_names_after_a_staff_title_are_staff() -> None:
    for text in ("Dr. Rivera's implant work", "Meet hygienist Jamie!", "Dr. Kim's patients"):
        assert [k for k, _ in kinds(text)].count("name") == 0


# --- replies to reviews ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "reply",
    [
        "Thank you for your kind words! We hold every patient visit to a high standard.",
        "We're sorry to hear about your experience. Please call our office at (217) 555-0142 "
        "so we can talk.",
        "Thanks for the five stars! Our team loves what we do.",
        "We take privacy seriously and can't discuss details here. Please reach out to our "
        "office manager.",
    ],
)
def test_safe_general_replies_pass_clean(reply: str) -> None:
    assert kinds(reply, allowed=[PRACTICE_PHONE], audience="reply") == []


def test_in_a_reply_you_means_the_reviewer() -> None:
    text = "We're sorry your crown came loose."
    assert kinds(text) == []
    assert kinds(text, audience=Audience.REPLY) == [("health_detail", "crown")]


def test_a_reply_flags_any_health_or_insurance_term_as_medium() -> None:
    (found,) = scan_text("We always explain root canals carefully.", audience="reply")
    assert (found.kind, found.severity, found.rule) == ("health_detail", "medium", "reply_mention")


def test_unknown_audience_is_refused() -> None:
    with pytest.raises(ValueError, match="tweet"):
        scan_text("Hi", audience="tweet")


# --- merging --------------------------------------------------------------------------------
def test_overlapping_findings_of_one_kind_become_one() -> None:
    merged = merge([finding(Kind.NAME, 0, 5, "a"), finding(Kind.NAME, 3, 9, "b")])
    assert [(f.kind, f.start, f.end) for f in merged] == [("name", 0, 9)]


def test_the_most_specific_kind_wins_an_overlap() -> None:
    merged = merge(
        [
            finding(Kind.PHONE, 4, 14, "phone"),
            finding(Kind.RECORD_NUMBER, 0, 14, "record"),
            finding(Kind.HEALTH_DETAIL, 20, 25, "x"),
            finding(Kind.PATIENT_RELATIONSHIP, 22, 30, "y"),
        ]
    )
    assert [(f.kind, f.start, f.end) for f in merged] == [
        ("record_number", 0, 14),
        ("health_detail", 20, 25),
    ]


def test_a_labelled_record_number_is_not_also_a_phone() -> None:
    assert kinds("MRN 4155552671") == [("record_number", "MRN 4155552671")]


def test_merged_severity_keeps_high() -> None:
    merged = merge(
        [Finding("age", 0, 4, "m", "s", "medium"), Finding("age", 2, 6, "m", "s", "high")]
    )
    assert [(f.start, f.end, f.severity) for f in merged] == [(0, 6, "high")]


# --- the editable word lists ---------------------------------------------------------------
def test_phrase_expansion_and_trie() -> None:
    assert expand("{dental ,}crown") == ["dental crown", "crown"]
    assert expand("as {his,her} {dentist,doctor}") == [
        "as his dentist", "as his doctor", "as her dentist", "as her doctor",
    ]  # fmt: skip
    import re

    pattern = re.compile(
        rf"(?:{phrase_pattern(['root canal', 'root canal treatment', 'check-up'])})$"
    )
    for text in ("root canal", "root   canal treatment", "checkup", "check up", "check-up"):
        assert pattern.match(text), text
    assert phrase_pattern([]) == "(?!)"


def test_default_lexicon_is_read_once() -> None:
    assert default_lexicon() is default_lexicon()
    assert "root canal" in default_lexicon().procedures


def copy_lexicon(tmp_path: Path) -> Path:
    folder = tmp_path / "phi"
    shutil.copytree(DEFAULT_DIR, folder)
    return folder


def test_an_edited_lexicon_changes_what_is_found(tmp_path: Path) -> None:
    folder = copy_lexicon(tmp_path)
    health = json.loads((folder / "health.json").read_text(encoding="utf-8"))
    health["procedures"].append("gold grill")
    (folder / "health.json").write_text(json.dumps(health), encoding="utf-8")
    rules = compile_rules(load_lexicon(folder))
    text = "His gold grill is back!"
    assert kinds(text) == []
    assert kinds(text, rules=rules) == [("health_detail", "gold grill")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("procedures"), "procedures"),
        (lambda d: d.update(procedures="root canal"), "health.procedures"),
        (lambda d: d.update(procedures=["ok", ""]), "health.procedures"),
        (lambda d: d.update(cures=["x"]), "health.cures"),
    ],
)
def test_a_broken_lexicon_names_the_list(tmp_path: Path, change: object, field: str) -> None:
    documents = {
        name: json.loads((DEFAULT_DIR / f"{name}.json").read_text(encoding="utf-8"))
        for name in FILES
    }
    change(documents["health"])  # type: ignore[operator]
    with pytest.raises(ValidationError) as raised:
        lexicon_from(documents)
    assert raised.value.params["field"] == field


def test_an_unreadable_lexicon_file_is_a_validation_error(tmp_path: Path) -> None:
    folder = copy_lexicon(tmp_path)
    (folder / "places.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="places"):
        load_lexicon(folder)
    (folder / "places.json").unlink()
    with pytest.raises(ValidationError, match="places"):
        load_lexicon(folder)


def test_the_same_tuple_of_known_names_is_indexed_once() -> None:
    """The composer passes the consent tracker's tuple of 100,000 names on every keystroke:
    it is turned into a set once, not per scan (bench/composer.py)."""
    from core.phi import scan as scan_module

    names = tuple(f"Pat{n} Doe{n}" for n in range(200))
    first = scan_module._set(names)
    assert scan_module._set(names) is first
    assert scan_module._set(list(names)) == first
    assert scan_module._set(tuple(names)) is not None
    found = scan_text("We said hi to Pat7 Doe7 at the open house.", names)
    assert [f.kind for f in found] == ["name"]

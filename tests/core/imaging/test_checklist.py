"""The checklist's pure rules: what a scan pre-flags, when a photo may be signed off, the
people after a rescan, suggested redactions, and the canonical JSON and its digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from core.imaging import checklist
from core.imaging.checklist import Problem, problems
from core.imaging.model import (
    CHECKLIST_ORDER,
    Answer,
    Box,
    ChecklistItem,
    ImageRecord,
    ImageReport,
    ImageStatus,
    Person,
    PersonKind,
    Redaction,
    RedactionStyle,
    SignOff,
    TextRegion,
)
from core.phi import scan_text

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
FACE = Box(100, 80, 60, 60)
OTHER_FACE = Box(400, 90, 50, 50)
PHI_LINE = TextRegion(
    Box(20, 300, 300, 40), "9:00 Mrs. Alvarez crown prep", 91.5,
    tuple(scan_text("9:00 Mrs. Alvarez crown prep")),
)  # fmt: skip
PLAIN_LINE = TextRegion(Box(20, 360, 200, 40), "Welcome", 88.0)


def report(**kw: object) -> ImageReport:
    fields: dict[str, object] = {"width": 800, "height": 600, "ocr_ran": True, "faces_ran": True}
    return ImageReport(**(fields | kw))  # type: ignore[arg-type]


def record(**kw: object) -> ImageRecord:
    fields: dict[str, object] = {
        "id": 1,
        "media_hash": "a" * 64,
        "filename": "desk.jpg",
        "imported_at": T0,
        "imported_by": 1,
        "width": 800,
        "height": 600,
        "format": "JPEG",
        "size_bytes": 1000,
        "report": report(),
        "answers": dict.fromkeys(CHECKLIST_ORDER, Answer.NOT_PRESENT),
    }
    return ImageRecord(**(fields | kw))  # type: ignore[arg-type]


def never(_authorization_id: int) -> bool:
    return False


def codes(found: list[Problem]) -> list[tuple[str, dict[str, object]]]:
    return [(p.code, p.params) for p in found]


def test_the_phi_line_really_has_a_finding() -> None:
    assert PHI_LINE.findings  # the fixtures below depend on the real PHI check


def test_flags_text_items_for_phi_and_other_people_for_two_faces() -> None:
    assert checklist.flagged_items(None) == frozenset()
    assert checklist.flagged_items(report(text_regions=(PLAIN_LINE,))) == frozenset()
    assert checklist.flagged_items(report(text_regions=(PHI_LINE,))) == checklist.TEXT_ITEMS
    assert checklist.flagged_items(report(faces=(FACE,))) == frozenset()
    assert checklist.flagged_items(report(faces=(FACE, OTHER_FACE))) == {ChecklistItem.OTHER_PEOPLE}
    assert checklist.flagged_items(report(metadata={"gps": {"lat": 1.0, "lon": 2.0}})) == set()


def test_a_clean_answered_photo_has_no_problem() -> None:
    assert problems(record(), authorization_in_effect=never) == []


def test_unscanned_and_unanswered() -> None:
    found = problems(record(report=None, answers={}), authorization_in_effect=never)
    assert found[0] == Problem("not_scanned")
    assert [p.params["item"] for p in found[1:]] == [i.value for i in CHECKLIST_ORDER]
    assert {p.code for p in found[1:]} == {"item_unanswered"}


def test_flagged_not_present_needs_a_real_note() -> None:
    r = record(report=report(faces=(FACE, OTHER_FACE)), people=(
        Person(FACE, kind=PersonKind.STAFF), Person(OTHER_FACE, kind=PersonKind.STAFF),
    ))  # fmt: skip
    assert codes(problems(r, authorization_in_effect=never)) == [
        ("flag_needs_note", {"item": "other_people"})
    ]
    short = replace(r, flag_notes={ChecklistItem.OTHER_PEOPLE: "  no      "})
    assert problems(short, authorization_in_effect=never)
    ok = replace(r, flag_notes={ChecklistItem.OTHER_PEOPLE: "Both are hygienists."})
    assert problems(ok, authorization_in_effect=never) == []


def test_handled_needs_a_redaction() -> None:
    r = record(answers={**record().answers, ChecklistItem.SCREENS: Answer.HANDLED})
    assert codes(problems(r, authorization_in_effect=never)) == [
        ("handled_without_redaction", {"item": "screens"})
    ]
    redacted = replace(r, redactions=(Redaction(Box(0, 0, 10, 10)),))
    assert problems(redacted, authorization_in_effect=never) == []


def test_people_must_be_resolved() -> None:
    faces = report(faces=(FACE,))
    unresolved = record(report=faces, people=(Person(FACE),))
    assert codes(problems(unresolved, authorization_in_effect=never)) == [
        ("person_unresolved", {"index": 0})
    ]
    patient = replace(
        unresolved,
        people=(Person(FACE, kind=PersonKind.PATIENT, patient_id=3, authorization_id=7),),
    )
    assert codes(problems(patient, authorization_in_effect=never)) == [
        ("consent_not_in_effect", {"index": 0})
    ]
    assert problems(patient, authorization_in_effect=lambda a: a == 7) == []
    no_auth = replace(unresolved, people=(Person(FACE, kind=PersonKind.PATIENT),))
    assert problems(no_auth, authorization_in_effect=lambda a: True)
    staff = replace(unresolved, people=(Person(FACE, kind=PersonKind.STAFF),))
    assert problems(staff, authorization_in_effect=never) == []


def test_a_redacted_person_needs_80_percent_covered() -> None:
    person = Person(FACE, kind=PersonKind.REDACTED)
    half = Redaction(Box(FACE.x, FACE.y, FACE.width // 2, FACE.height))
    most = Redaction(Box(FACE.x, FACE.y, FACE.width, int(FACE.height * 0.85)))
    r = record(report=report(faces=(FACE,)), people=(person,), redactions=(half,))
    assert codes(problems(r, authorization_in_effect=never)) == [
        ("person_not_redacted", {"index": 0})
    ]
    other_half = Redaction(Box(FACE.x + FACE.width // 2, FACE.y, FACE.width // 2, FACE.height))
    assert problems(replace(r, redactions=(half, other_half)), authorization_in_effect=never) == []
    assert problems(replace(r, redactions=(most,)), authorization_in_effect=never) == []


def test_phi_text_must_be_redacted_or_dismissed() -> None:
    r = record(
        report=report(text_regions=(PLAIN_LINE, PHI_LINE)),
        answers={**record().answers, ChecklistItem.WHITEBOARDS: Answer.HANDLED},
        flag_notes=dict.fromkeys(
            checklist.TEXT_ITEMS - {ChecklistItem.WHITEBOARDS}, "Not in this photo."
        ),
    )
    found = codes(problems(r, authorization_in_effect=never))
    assert ("text_unhandled", {"index": 1}) in found
    assert ("handled_without_redaction", {"item": "whiteboards"}) in found
    assert ("text_unhandled", {"index": 0}) not in found  # plain words need nothing
    covered = replace(r, redactions=(Redaction(PHI_LINE.box),))
    assert problems(covered, authorization_in_effect=never) == []
    dismissed = replace(
        r,
        text_dismissed=frozenset({1}),
        answers={**r.answers, ChecklistItem.WHITEBOARDS: Answer.NOT_PRESENT},
        flag_notes=dict.fromkeys(checklist.TEXT_ITEMS, "A poster, no patient."),
    )
    assert problems(dismissed, authorization_in_effect=never) == []


def test_suggestions_blur_unresolved_faces_and_fill_phi_text_not_yet_covered() -> None:
    r = record(
        report=report(faces=(FACE, OTHER_FACE), text_regions=(PHI_LINE, PLAIN_LINE)),
        people=(Person(FACE), Person(OTHER_FACE, kind=PersonKind.STAFF)),
    )
    assert checklist.suggested_redactions(r) == (
        Redaction(FACE, RedactionStyle.BLUR, "face"),
        Redaction(PHI_LINE.box, RedactionStyle.FILL, "text"),
    )
    done = replace(r, redactions=checklist.suggested_redactions(r))
    assert checklist.suggested_redactions(done) == ()


def test_a_rescan_keeps_how_faces_were_resolved_and_manual_people() -> None:
    linked = Person(FACE, kind=PersonKind.PATIENT, patient_id=3, authorization_id=7)
    manual = Person(Box(600, 100, 80, 200), source="manual", kind=PersonKind.STAFF)
    gone = Person(Box(10, 10, 30, 30), kind=PersonKind.STAFF)
    moved = Box(FACE.x + 3, FACE.y + 2, FACE.width, FACE.height)  # the same face, nearly
    people = checklist.people_from_report(report(faces=(moved, OTHER_FACE)), (linked, gone, manual))
    assert people == (replace(linked, box=moved), Person(OTHER_FACE), manual)


def test_json_round_trips_and_digests_are_stable() -> None:
    full = record(
        report=report(
            faces=(FACE,),
            text_regions=(PHI_LINE, PLAIN_LINE),
            metadata={"gps": {"lat": 39.78, "lon": -89.65}, "datetime": "2026-11-14T10:22:31"},
            warnings=("downscaled_for_ocr",),
            scanned_at=T0,
        ),
        flag_notes={ChecklistItem.SCREENS: "The monitor was off."},
        people=(Person(FACE, kind=PersonKind.PATIENT, patient_id=3, authorization_id=7),),
        redactions=(Redaction(PHI_LINE.box, RedactionStyle.PIXELATE, "text"),),
        text_dismissed=frozenset({1}),
        signoff=SignOff(2, T0, "a" * 64, "d1", "d2"),
        status=ImageStatus.CLEARED,
        rejected_reason="",
    )
    data = checklist.record_data_to_json(full)
    back = replace(full, **checklist.record_data_from_json(data))
    assert back == full
    assert checklist.report_digest(full.report) == checklist.report_digest(back.report)
    assert checklist.report_digest(full.report) != checklist.report_digest(report())
    assert checklist.report_digest(None) == ""
    assert checklist.redactions_digest(full.redactions) != checklist.redactions_digest(())


def test_metadata_that_is_not_json_becomes_plain_data() -> None:
    class Rational:
        def __float__(self) -> float:
            return 0.5

    data = checklist.report_to_json(report(metadata={"x": Rational(), "b": b"\x00", "n": None}))
    assert data["metadata"] == {"x": 0.5, "b": True, "n": None}


def test_signoff_matches_only_what_was_signed() -> None:
    base = record(status=ImageStatus.CLEARED)
    signed = replace(
        base,
        signoff=SignOff(
            2,
            T0,
            base.media_hash,
            checklist.report_digest(base.report),
            checklist.redactions_digest(base.redactions),
        ),
    )
    assert checklist.signoff_matches(signed)
    assert not checklist.signoff_matches(replace(signed, status=ImageStatus.NEEDS_ATTENTION))
    assert not checklist.signoff_matches(replace(signed, redactions=(Redaction(FACE),)))
    assert not checklist.signoff_matches(replace(signed, report=report(faces=(FACE,))))
    assert not checklist.signoff_matches(replace(signed, media_hash="b" * 64))
    assert not checklist.signoff_matches(base)

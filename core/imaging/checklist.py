"""The image checklist's rules: what the scan pre-flags, when a photo may be signed off, which
redactions to suggest, and the canonical JSON that storage keeps and sign-offs hash.

Pure functions over ``core.imaging.model``. A sign-off records digests of the report and the
redactions it was given for (``report_digest``/``redactions_digest``); a photo whose report
or redactions no longer match its sign-off is not cleared any more, whatever its status says.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
from core.phi.model import Finding

COVER_SHARE = 0.8
"""How much of a face or a line of text redactions must cover to count as hidden."""
MIN_FLAG_NOTE = 10
"""Characters a note needs that explains why a pre-flagged item is not present."""
MIN_REJECT_REASON = 10
SAME_FACE_OVERLAP = 0.7
"""Intersection over union above which a face of a new scan is the same person as before."""

TEXT_ITEMS = frozenset(
    {
        ChecklistItem.WHITEBOARDS,
        ChecklistItem.DOCUMENTS,
        ChecklistItem.LABELS,
        ChecklistItem.SCREENS,
    }
)
"""The items patient information in readable text pre-flags (where words in a photo are)."""

PROBLEM_CODES = (
    "not_scanned",
    "item_unanswered",
    "flag_needs_note",
    "handled_without_redaction",
    "person_unresolved",
    "consent_not_in_effect",
    "person_not_redacted",
    "text_unhandled",
)
"""The values of ``Problem.code`` (the GUI words each)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a photo cannot be signed off yet. ``params`` holds the item code
    (``item``) or the index into ``people``/``report.text_regions`` (``index``); never
    words read off the photo."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


# --- what the scan flags -----------------------------------------------------------------------
def flagged_items(report: ImageReport | None) -> frozenset[ChecklistItem]:
    """The items the scan pre-flags: patient information in text flags where text is found
    (whiteboards, documents, labels, screens); two or more faces flag other people. Plain
    text, GPS and other metadata flag nothing (metadata is always stripped on export)."""
    if report is None:
        return frozenset()
    flagged: set[ChecklistItem] = set()
    if report.phi_regions:
        flagged |= TEXT_ITEMS
    if len(report.faces) >= 2:
        flagged.add(ChecklistItem.OTHER_PEOPLE)
    return frozenset(flagged)


def found_anything(report: ImageReport) -> bool:
    """Whether the scan saw something a person must look at: faces, any words, a position."""
    return bool(report.faces or report.text_regions or report.metadata.get("gps"))


def people_from_report(report: ImageReport, existing: tuple[Person, ...]) -> tuple[Person, ...]:
    """The people after a scan: one per detected face, keeping how an earlier face at the
    same place (the same box, or overlapping it mostly) was resolved, then the people added
    by hand."""
    earlier = [p for p in existing if p.source == "face"]
    people: list[Person] = []
    for face in report.faces:
        match = max(earlier, key=lambda p: _overlap(p.box, face), default=None)
        if match is not None and _overlap(match.box, face) >= SAME_FACE_OVERLAP:
            earlier.remove(match)
            people.append(Person(**{**_person_fields(match), "box": face}))
        else:
            people.append(Person(box=face, source="face"))
    return (*people, *(p for p in existing if p.source != "face"))


def _person_fields(p: Person) -> dict[str, Any]:
    return {
        "box": p.box,
        "source": p.source,
        "kind": p.kind,
        "patient_id": p.patient_id,
        "authorization_id": p.authorization_id,
        "staff_id": p.staff_id,
    }


def _overlap(a: Box, b: Box) -> float:
    both = a.intersection(b)
    union = a.area + b.area - both
    return both / union if union > 0 else (1.0 if a == b else 0.0)


# --- sign-off ------------------------------------------------------------------------------
def problems(
    record: ImageRecord, *, authorization_in_effect: Callable[[int], bool]
) -> list[Problem]:
    """Every reason ``record`` cannot be signed off (empty: it can). The photo must have
    been scanned; every item answered; a pre-flagged item answered "not present" explained
    in a note; a "handled" item backed by at least one redaction; every person linked to a
    patient whose authorization is in effect, marked staff, or covered by a redaction; every
    line of text with patient information covered by redactions or marked as no patient
    information."""
    found: list[Problem] = []
    if record.report is None:
        found.append(Problem("not_scanned"))
    found += _item_problems(record)
    found += _people_problems(record, authorization_in_effect)
    found += [Problem("text_unhandled", {"index": i}) for i in unhandled_text(record)]
    return found


def _item_problems(record: ImageRecord) -> list[Problem]:
    found: list[Problem] = []
    flagged = flagged_items(record.report)
    for item in CHECKLIST_ORDER:
        answer = record.answer(item)
        if answer is Answer.UNANSWERED:
            found.append(Problem("item_unanswered", {"item": item.value}))
        elif answer is Answer.NOT_PRESENT and item in flagged:
            if len(record.flag_notes.get(item, "").strip()) < MIN_FLAG_NOTE:
                found.append(Problem("flag_needs_note", {"item": item.value}))
        elif answer is Answer.HANDLED and not record.redactions:
            found.append(Problem("handled_without_redaction", {"item": item.value}))
    return found


def _people_problems(
    record: ImageRecord, authorization_in_effect: Callable[[int], bool]
) -> list[Problem]:
    found: list[Problem] = []
    boxes = [r.box for r in record.redactions]
    for index, person in enumerate(record.people):
        if person.kind is PersonKind.UNRESOLVED:
            found.append(Problem("person_unresolved", {"index": index}))
        elif person.kind is PersonKind.PATIENT:
            if person.authorization_id is None or not authorization_in_effect(
                person.authorization_id
            ):
                found.append(Problem("consent_not_in_effect", {"index": index}))
        elif person.kind is PersonKind.REDACTED and not person.box.covered_by(boxes, COVER_SHARE):
            found.append(Problem("person_not_redacted", {"index": index}))
    return found


def unhandled_text(record: ImageRecord) -> list[int]:
    """Indexes of the lines with patient information neither redacted nor dismissed."""
    if record.report is None:
        return []
    boxes = [r.box for r in record.redactions]
    return [
        i
        for i, region in enumerate(record.report.text_regions)
        if region.findings
        and i not in record.text_dismissed
        and not region.box.covered_by(boxes, COVER_SHARE)
    ]


def signoff_matches(record: ImageRecord) -> bool:
    """Whether ``record`` is cleared for what it shows now: its status is cleared and its
    sign-off was given for this original, this report and these redactions."""
    s = record.signoff
    return (
        record.status is ImageStatus.CLEARED
        and s is not None
        and s.media_hash == record.media_hash
        and s.report_digest == report_digest(record.report)
        and s.redactions_digest == redactions_digest(record.redactions)
    )


def suggested_redactions(record: ImageRecord) -> tuple[Redaction, ...]:
    """Boxes to offer: a blur over each face nobody has resolved, an opaque fill over each
    line of patient information (blur is not safe for text), none already covered."""
    boxes = [r.box for r in record.redactions]
    out: list[Redaction] = []
    for person in record.people:
        if person.kind is PersonKind.UNRESOLVED and not person.box.covered_by(boxes, COVER_SHARE):
            out.append(Redaction(person.box, RedactionStyle.BLUR, "face"))
    if record.report is not None:
        for index in unhandled_text(record):
            out.append(
                Redaction(record.report.text_regions[index].box, RedactionStyle.FILL, "text")
            )
    return tuple(out)


# --- canonical JSON ----------------------------------------------------------------------------
def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def report_digest(report: ImageReport | None) -> str:
    """SHA-256 of the report's canonical JSON (``""`` for no report)."""
    return "" if report is None else _digest(report_to_json(report))


def redactions_digest(redactions: Iterable[Redaction]) -> str:
    """SHA-256 of the redactions' canonical JSON, in their order."""
    return _digest([_redaction_json(r) for r in redactions])


def _box_json(box: Box) -> list[int]:
    return [box.x, box.y, box.width, box.height]


def _box(value: Sequence[Any]) -> Box:
    x, y, w, h = (int(v) for v in value)
    return Box(x, y, w, h)


def _plain(value: Any) -> Any:
    """``value`` as JSON data: metadata read from a file may hold rationals or bytes."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return True  # present; its content is not kept
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "start": f.start,
        "end": f.end,
        "message": f.message,
        "suggestion": f.suggestion,
        "severity": f.severity,
        "rule": f.rule,
    }


def report_to_json(report: ImageReport) -> dict[str, Any]:
    """The report as JSON data (what storage keeps and ``report_digest`` hashes)."""
    return {
        "width": report.width,
        "height": report.height,
        "faces": [_box_json(b) for b in report.faces],
        "text_regions": [
            {
                "box": _box_json(r.box),
                "text": r.text,
                "confidence": float(r.confidence),
                "findings": [_finding_json(f) for f in r.findings],
            }
            for r in report.text_regions
        ],
        "metadata": _plain(report.metadata),
        "warnings": list(report.warnings),
        "ocr_ran": report.ocr_ran,
        "faces_ran": report.faces_ran,
        "scanned_at": report.scanned_at.isoformat() if report.scanned_at else None,
    }


def report_from_json(data: Mapping[str, Any]) -> ImageReport:
    scanned_at = data.get("scanned_at")
    return ImageReport(
        width=int(data["width"]),
        height=int(data["height"]),
        faces=tuple(_box(b) for b in data.get("faces", ())),
        text_regions=tuple(
            TextRegion(
                box=_box(r["box"]),
                text=str(r["text"]),
                confidence=float(r["confidence"]),
                findings=tuple(Finding(**f) for f in r.get("findings", ())),
            )
            for r in data.get("text_regions", ())
        ),
        metadata=dict(data.get("metadata") or {}),
        warnings=tuple(data.get("warnings", ())),
        ocr_ran=bool(data.get("ocr_ran", False)),
        faces_ran=bool(data.get("faces_ran", False)),
        scanned_at=datetime.fromisoformat(scanned_at) if scanned_at else None,
    )


def _redaction_json(r: Redaction) -> dict[str, Any]:
    return {"box": _box_json(r.box), "style": r.style.value, "source": r.source}


def _redaction(data: Mapping[str, Any]) -> Redaction:
    return Redaction(_box(data["box"]), RedactionStyle(data["style"]), str(data["source"]))


def record_data_to_json(record: ImageRecord) -> dict[str, Any]:
    """The checklist part of a record (report, answers, notes on flags, people, redactions,
    dismissed text, sign-off, rejection reason) and its alt text as JSON data, for storage's
    ``data`` column."""
    s = record.signoff
    return {
        "report": report_to_json(record.report) if record.report else None,
        "answers": {k.value: v.value for k, v in sorted(record.answers.items())},
        "flag_notes": {k.value: v for k, v in sorted(record.flag_notes.items())},
        "people": [
            {
                "box": _box_json(p.box),
                "source": p.source,
                "kind": p.kind.value,
                "patient_id": p.patient_id,
                "authorization_id": p.authorization_id,
                "staff_id": p.staff_id,
            }
            for p in record.people
        ],
        "redactions": [_redaction_json(r) for r in record.redactions],
        "text_dismissed": sorted(record.text_dismissed),
        "signoff": None
        if s is None
        else {
            "staff_id": s.staff_id,
            "at": s.at.isoformat(),
            "media_hash": s.media_hash,
            "report_digest": s.report_digest,
            "redactions_digest": s.redactions_digest,
        },
        "rejected_reason": record.rejected_reason,
        "alt_text": record.alt_text,
    }


def record_data_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields ``record_data_to_json`` wrote, ready for ``ImageRecord(**...)`` (data written
    before alt texts existed reads as none)."""
    s = data.get("signoff")
    report = data.get("report")
    return {
        "report": report_from_json(report) if report else None,
        "answers": {ChecklistItem(k): Answer(v) for k, v in data.get("answers", {}).items()},
        "flag_notes": {ChecklistItem(k): str(v) for k, v in data.get("flag_notes", {}).items()},
        "people": tuple(
            Person(
                box=_box(p["box"]),
                source=str(p["source"]),
                kind=PersonKind(p["kind"]),
                patient_id=p.get("patient_id"),
                authorization_id=p.get("authorization_id"),
                staff_id=p.get("staff_id"),
            )
            for p in data.get("people", ())
        ),
        "redactions": tuple(_redaction(r) for r in data.get("redactions", ())),
        "text_dismissed": frozenset(int(i) for i in data.get("text_dismissed", ())),
        "signoff": None
        if not s
        else SignOff(
            staff_id=int(s["staff_id"]),
            at=datetime.fromisoformat(s["at"]),
            media_hash=str(s["media_hash"]),
            report_digest=str(s["report_digest"]),
            redactions_digest=str(s["redactions_digest"]),
        ),
        "rejected_reason": str(data.get("rejected_reason", "")),
        "alt_text": str(data.get("alt_text", "")),
    }

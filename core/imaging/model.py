"""The image checklist's plain data: what the scan found, what a person decided, and the record
of one photo in the media vault.

A photo's *original* stays untouched in the vault (``ImageRecord.media_hash``); redactions are
kept as boxes and burned in only by ``core.imaging.export_clean``. Boxes are in pixels of the
*upright* image (EXIF orientation applied), like ``export_clean``'s redactions.

Nothing here holds a patient's name except ``TextRegion.text`` (words read off the photo) and
``ImageRecord.filename``/``notes`` (and ``alt_text``, checked but written by a person): those stay
in the encrypted database and are never logged or audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.phi.model import Finding


class ImageStatus(StrEnum):
    """Where a photo stands. Only ``CLEARED`` photos may be attached to posts."""

    UNCHECKED = "unchecked"  # imported; nobody has signed the checklist (scan may be pending)
    NEEDS_ATTENTION = "needs_attention"  # the scan found something, or a change undid a sign-off
    CLEARED = "cleared"  # signed off: nothing identifying left, people accounted for
    REJECTED = "rejected"  # not to be used (with a reason)


class ChecklistItem(StrEnum):
    """What a person looks for behind the subject (DOMAIN.md, background PHI)."""

    PAPER_CHARTS = "paper_charts"  # paper charts and records
    SCREENS = "screens"  # screens and monitors
    WHITEBOARDS = "whiteboards"  # whiteboards and schedules
    XRAYS = "xrays"  # x-rays and scans
    LABELS = "labels"  # labels, wristbands, name badges
    PRESCRIPTIONS = "prescriptions"  # prescription bottles and packaging
    DOCUMENTS = "documents"  # documents on desks
    REFLECTIONS = "reflections"  # reflections: glass, mirrors, glasses
    OTHER_PEOPLE = "other_people"  # other patients or visitors
    OTHER = "other"  # anything else that names or locates a person


CHECKLIST_ORDER: tuple[ChecklistItem, ...] = tuple(ChecklistItem)
"""The order the side panel lists the items in."""


class Answer(StrEnum):
    UNANSWERED = "unanswered"
    NOT_PRESENT = "not_present"
    HANDLED = "handled"  # present, and redacted


class RedactionStyle(StrEnum):
    FILL = "fill"  # opaque black: the only style that is safe for text
    BLUR = "blur"
    PIXELATE = "pixelate"


class PersonKind(StrEnum):
    UNRESOLVED = "unresolved"
    PATIENT = "patient"  # linked to a patient and an authorization in effect covering the photo
    STAFF = "staff"
    REDACTED = "redacted"  # a redaction covers the face


class TextRisk(StrEnum):
    PHI = "phi"  # the PHI check found something in the words
    TEXT = "text"  # readable words, nothing the PHI check recognises


@dataclass(frozen=True, slots=True)
class Box:
    """``x, y, width, height`` in pixels of the upright image."""

    x: int
    y: int
    width: int
    height: int

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.width, self.height)

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    def intersection(self, other: Box) -> int:
        """The area both boxes cover."""
        w = min(self.x + self.width, other.x + other.width) - max(self.x, other.x)
        h = min(self.y + self.height, other.y + other.height) - max(self.y, other.y)
        return max(0, w) * max(0, h)

    def covered_by(self, others: tuple[Box, ...] | list[Box], share: float = 0.8) -> bool:
        """Whether boxes in ``others`` together cover at least ``share`` of this box (overlaps
        between them counted once, on a coarse grid)."""
        if self.area == 0:
            return True
        steps = 20
        hits = 0
        for i in range(steps):
            for j in range(steps):
                px = self.x + (i + 0.5) * self.width / steps
                py = self.y + (j + 0.5) * self.height / steps
                if any(o.x <= px < o.x + o.width and o.y <= py < o.y + o.height for o in others):
                    hits += 1
        return hits >= share * steps * steps


@dataclass(frozen=True, slots=True)
class TextRegion:
    """One line of words Tesseract read, its box, and what the PHI check found in it."""

    box: Box
    text: str
    confidence: float
    findings: tuple[Finding, ...] = ()

    @property
    def risk(self) -> TextRisk:
        return TextRisk.PHI if self.findings else TextRisk.TEXT


@dataclass(frozen=True, slots=True)
class ImageReport:
    """What ``core.imaging.scan_image`` found (public API, ARCHITECTURE.md).

    ``metadata`` keys, when present: ``gps`` (``{"lat": float, "lon": float}``), ``datetime``
    (ISO text), ``device`` (make and model), ``thumbnail`` (True: an embedded preview),
    ``xmp``, ``iptc``, ``comment``, ``icc`` (True), ``software``. ``warnings`` are codes:
    ``ocr_unavailable`` (no Tesseract), ``ocr_failed``, ``faces_unavailable``,
    ``downscaled_for_ocr``. ``ocr_ran``/``faces_ran`` say whether each assist ran at all.
    """

    width: int
    height: int
    faces: tuple[Box, ...] = ()
    text_regions: tuple[TextRegion, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    ocr_ran: bool = False
    faces_ran: bool = False
    scanned_at: datetime | None = None

    @property
    def phi_regions(self) -> tuple[TextRegion, ...]:
        return tuple(r for r in self.text_regions if r.findings)


@dataclass(frozen=True, slots=True)
class Redaction:
    """A box to hide on export. ``source`` is ``manual``, ``face`` or ``text``."""

    box: Box
    style: RedactionStyle = RedactionStyle.FILL
    source: str = "manual"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in the photo: a detected face (``source="face"``) or one added by hand
    (``source="manual"``), and who they are."""

    box: Box
    source: str = "face"
    kind: PersonKind = PersonKind.UNRESOLVED
    patient_id: int | None = None
    authorization_id: int | None = None
    staff_id: int | None = None


@dataclass(frozen=True, slots=True)
class SignOff:
    """Who cleared the photo, when, for which original (its SHA-256) and which report and
    redactions (``report_digest``/``redactions_digest``: SHA-256 of their canonical JSON)."""

    staff_id: int
    at: datetime
    media_hash: str
    report_digest: str
    redactions_digest: str


@dataclass(frozen=True, slots=True)
class PhotoSpot:
    """A place in the practice approved for photos (e.g. "the plant wall by reception")."""

    id: int | None
    name: str
    notes: str = ""
    reference_hash: str | None = None  # a reference photo in the vault
    active: bool = True
    version: int = 1


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """One photo in the library: the original in the vault, the scan, the checklist.

    ``text_dismissed`` holds indexes into ``report.text_regions`` that a person marked "not
    patient information" (the others with findings must be covered by a redaction).
    ``flag_notes`` holds, for pre-flagged items answered "not present", why the scan's hint was
    a false alarm.
    """

    id: int | None
    media_hash: str
    filename: str
    imported_at: datetime
    imported_by: int
    width: int
    height: int
    format: str
    size_bytes: int
    thumbnail_hash: str | None = None
    status: ImageStatus = ImageStatus.UNCHECKED
    report: ImageReport | None = None
    answers: dict[ChecklistItem, Answer] = field(default_factory=dict)
    flag_notes: dict[ChecklistItem, str] = field(default_factory=dict)
    people: tuple[Person, ...] = ()
    redactions: tuple[Redaction, ...] = ()
    text_dismissed: frozenset[int] = frozenset()
    spot_id: int | None = None
    notes: str = ""
    signoff: SignOff | None = None
    rejected_reason: str = ""
    version: int = 1
    alt_text: str = ""
    """What the photo shows, for people using screen readers: published with the photo
    (``PublishRequest.alt_texts``), so it is checked for PHI like a post's text. Not part of
    what a sign-off covers (``SignOff``: the original, the report and the redactions)."""

    def answer(self, item: ChecklistItem) -> Answer:
        return self.answers.get(item, Answer.UNANSWERED)

"""How the Images page words what core reports as codes: statuses, the ten checklist items,
why a file was refused, what the scan found in the hidden information, the checklist's
problems, and the kinds of patient information the PHI check recognises in text. Core keeps
codes; every sentence a person reads is here, through ``tr`` (translatable)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from core.imaging.model import (
    Answer,
    ChecklistItem,
    ImageStatus,
    PersonKind,
    RedactionStyle,
    TextRisk,
)

_CONTEXT = "ImagesWording"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


STATUS_ORDER: tuple[ImageStatus, ...] = (
    ImageStatus.UNCHECKED,
    ImageStatus.NEEDS_ATTENTION,
    ImageStatus.CLEARED,
    ImageStatus.REJECTED,
)
"""The order of the status filter after "All"."""


def status_label(status: ImageStatus) -> str:
    return {
        ImageStatus.UNCHECKED: tr("Unchecked"),
        ImageStatus.NEEDS_ATTENTION: tr("Needs attention"),
        ImageStatus.CLEARED: tr("Cleared"),
        ImageStatus.REJECTED: tr("Rejected"),
    }[status]


def status_tone(status: ImageStatus) -> str:
    return {
        ImageStatus.UNCHECKED: "neutral",
        ImageStatus.NEEDS_ATTENTION: "warning",
        ImageStatus.CLEARED: "success",
        ImageStatus.REJECTED: "danger",
    }[status]


def item_label(item: ChecklistItem) -> str:
    """A checklist item as the side panel lists it."""
    return {
        ChecklistItem.PAPER_CHARTS: tr("Paper charts and records"),
        ChecklistItem.SCREENS: tr("Screens and monitors"),
        ChecklistItem.WHITEBOARDS: tr("Whiteboards and schedules"),
        ChecklistItem.XRAYS: tr("X-rays and scans"),
        ChecklistItem.LABELS: tr("Labels, wristbands, name badges"),
        ChecklistItem.PRESCRIPTIONS: tr("Prescription bottles and packaging"),
        ChecklistItem.DOCUMENTS: tr("Documents on desks"),
        ChecklistItem.REFLECTIONS: tr("Reflections (glass, mirrors, glasses)"),
        ChecklistItem.OTHER_PEOPLE: tr("Other patients or visitors"),
        ChecklistItem.OTHER: tr("Anything else that names or locates a person"),
    }[item]


def answer_label(answer: Answer) -> str:
    return {
        Answer.UNANSWERED: tr("Not answered"),
        Answer.NOT_PRESENT: tr("Not present"),
        Answer.HANDLED: tr("Handled (redacted)"),
    }[answer]


def style_label(style: RedactionStyle) -> str:
    return {
        RedactionStyle.FILL: tr("Fill (black box)"),
        RedactionStyle.BLUR: tr("Blur"),
        RedactionStyle.PIXELATE: tr("Pixelate"),
    }[style]


def short_style_label(style: RedactionStyle) -> str:
    return {
        RedactionStyle.FILL: tr("Fill"),
        RedactionStyle.BLUR: tr("Blur"),
        RedactionStyle.PIXELATE: tr("Pixelate"),
    }[style]


def person_kind_label(kind: PersonKind) -> str:
    return {
        PersonKind.UNRESOLVED: tr("Not decided yet"),
        PersonKind.PATIENT: tr("Patient with consent"),
        PersonKind.STAFF: tr("Staff"),
        PersonKind.REDACTED: tr("Hidden (redacted)"),
    }[kind]


def risk_label(risk: TextRisk) -> str:
    return {
        TextRisk.PHI: tr("Patient information"),
        TextRisk.TEXT: tr("Readable text"),
    }[risk]


def finding_kind_label(kind: str) -> str:
    """What the PHI check recognised in a line of text read off the photo."""
    names = {
        "name": tr("a name"),
        "date": tr("a date"),
        "age": tr("an age"),
        "phone": tr("a phone number"),
        "email": tr("an email address"),
        "address": tr("an address"),
        "record_number": tr("a record or chart number"),
        "health_detail": tr("a health detail"),
        "patient_relationship": tr("says someone is a patient"),
        "visit_detail": tr("a visit or appointment"),
        "insurance": tr("insurance details"),
    }
    return names.get(kind, kind.replace("_", " "))


# --- import ----------------------------------------------------------------------------------
def _megabytes(value: Any) -> str:
    try:
        return f"{int(value) / (1024 * 1024):,.0f}"
    except (TypeError, ValueError):
        return "?"


def _megapixels(value: Any) -> str:
    try:
        return f"{int(value) / 1_000_000:,.0f}"
    except (TypeError, ValueError):
        return "?"


def refusal_text(reason: str, params: Mapping[str, Any]) -> str:
    """Why a file was not imported (``ImageRejected.reason`` and its params), in plain words."""
    if reason == "not_an_image":
        return tr("This is not a photo (the file holds something else).")
    if reason == "unsupported_format":
        fmt = str(params.get("format") or "").upper()
        if fmt:
            return tr(
                "{format} files are not accepted. Use JPEG, PNG, WebP or HEIC (iPhone) photos."
            ).format(format=fmt)
        return tr("This kind of file is not accepted. Use JPEG, PNG, WebP or HEIC (iPhone) photos.")
    if reason == "malformed":
        return tr("The file is damaged or incomplete. Copy it from the phone or camera again.")
    if reason == "too_large":
        if params.get("pixels") is not None:
            return tr(
                "The picture is too big ({pixels} megapixels; at most {limit}). Save a smaller "
                "copy and import that."
            ).format(
                pixels=_megapixels(params.get("pixels")), limit=_megapixels(params.get("limit"))
            )
        if params.get("bytes") is not None:
            return tr(
                "The file is too big ({size} MB; at most {limit} MB). Save a smaller copy and "
                "import that."
            ).format(size=_megabytes(params.get("bytes")), limit=_megabytes(params.get("limit")))
        return tr("The file is too big. Save a smaller copy and import that.")
    if reason == "unreadable":
        return tr("The file could not be read. Check that it is not open elsewhere or offline.")
    return tr("This file could not be imported.")


def import_summary(imported: int, duplicates: int, refused: int) -> str:
    """ "12 imported · 1 already in the library · 2 refused" (the parts that are not zero;
    "Nothing imported" when all are)."""
    parts = []
    if imported:
        parts.append(tr("1 imported") if imported == 1 else tr("{n} imported").format(n=imported))
    if duplicates:
        parts.append(
            tr("1 already in the library")
            if duplicates == 1
            else tr("{n} already in the library").format(n=duplicates)
        )
    if refused:
        parts.append(tr("1 refused") if refused == 1 else tr("{n} refused").format(n=refused))
    return " · ".join(parts) if parts else tr("No photos found to import")


# --- scan --------------------------------------------------------------------------------------
def metadata_lines(metadata: Mapping[str, Any]) -> list[str]:
    """What hidden information the photo carries, one line each (empty: none found)."""
    lines: list[str] = []
    gps = metadata.get("gps")
    if isinstance(gps, Mapping):
        try:
            lines.append(
                tr("Location (GPS): {lat}, {lon}").format(
                    lat=f"{float(gps['lat']):.4f}", lon=f"{float(gps['lon']):.4f}"
                )
            )
        except (KeyError, TypeError, ValueError):
            lines.append(tr("Location (GPS)"))
    elif gps:
        lines.append(tr("Location (GPS)"))
    if metadata.get("datetime"):
        lines.append(tr("Capture time: {when}").format(when=str(metadata["datetime"])))
    if metadata.get("device"):
        lines.append(tr("Device: {device}").format(device=str(metadata["device"])))
    if metadata.get("software"):
        lines.append(tr("Software: {name}").format(name=str(metadata["software"])))
    flags = (
        ("thumbnail", tr("An embedded preview picture (it can show what was cropped out)")),
        ("xmp", tr("XMP data (editing history, tags)")),
        ("iptc", tr("IPTC data (captions, keywords)")),
        ("comment", tr("A comment")),
        ("icc", tr("A colour profile")),
    )
    lines.extend(text for key, text in flags if metadata.get(key))
    return lines


def warning_text(code: str) -> str:
    """A scan warning (``ImageReport.warnings``) in plain words."""
    texts = {
        "ocr_unavailable": tr(
            "Text in the photo could not be read: the text reader (Tesseract) is not installed "
            "on this computer. Look for names, dates and screens yourself."
        ),
        "ocr_failed": tr(
            "Reading the text in the photo failed. Look for names, dates and screens yourself."
        ),
        "faces_unavailable": tr(
            "Faces could not be looked for on this computer. Add each person by hand."
        ),
        "downscaled_for_ocr": tr(
            "The photo is very large: text was read on a smaller copy, so tiny print may be "
            "missed. Look closely at the background."
        ),
    }
    return texts.get(code, tr("Part of the scan did not run ({code}).").format(code=code))


def scan_step_label(label: str) -> str:
    """A scan step's label from core (a code or English text) for the progress line."""
    steps = {
        "open": tr("Opening the photo…"),
        "metadata": tr("Looking for hidden information…"),
        "faces": tr("Looking for faces…"),
        "ocr": tr("Reading text in the photo…"),
        "text": tr("Reading text in the photo…"),
        "phi": tr("Checking the text for patient information…"),
    }
    return steps.get(label, label or tr("Scanning…"))


# --- checklist problems --------------------------------------------------------------------------
def _item_param(params: Mapping[str, Any]) -> str:
    try:
        return item_label(ChecklistItem(str(params["item"])))
    except (KeyError, ValueError):
        return tr("an item")


def _number(params: Mapping[str, Any]) -> str:
    try:
        return str(int(params["index"]) + 1)
    except (KeyError, TypeError, ValueError):
        return "?"


def problem_text(code: str, params: Mapping[str, Any]) -> str:
    """One checklist problem (``core.imaging.checklist.Problem``) as what to do."""
    if code == "not_scanned":
        return tr("Scan the photo first (faces, text and hidden information).")
    if code == "item_unanswered":
        return tr("Answer “{item}”.").format(item=_item_param(params))
    if code == "flag_needs_note":
        return tr(
            "The scan flagged “{item}”: say why it is not there (a short note), or redact it."
        ).format(item=_item_param(params))
    if code == "handled_without_redaction":
        return tr("“{item}” is marked handled, but nothing is redacted yet: draw a box.").format(
            item=_item_param(params)
        )
    if code == "person_unresolved":
        return tr("Person {n}: link a patient's consent, mark as staff, or redact.").format(
            n=_number(params)
        )
    if code == "consent_not_in_effect":
        return tr(
            "Person {n}: the linked patient's consent is no longer in effect. Link another "
            "consent or redact."
        ).format(n=_number(params))
    if code == "person_not_redacted":
        return tr("Person {n} is marked hidden, but no redaction covers the face.").format(
            n=_number(params)
        )
    if code == "text_unhandled":
        return tr(
            "Text line {n} looks like patient information: redact it, or mark it as not patient "
            "information."
        ).format(n=_number(params))
    return tr("Something on the checklist is not finished ({code}).").format(code=code)


# --- alt text ----------------------------------------------------------------------------------
def alt_text_refusal(params: Mapping[str, Any], text: str) -> str:
    """Why a description (alt text) was not saved: ``ImagingService.set_alt_text``'s
    ``ValidationError`` params; ``text`` is the trimmed description sent, to quote the words
    the PHI check found (shown to the person who typed them, never logged)."""
    reason = params.get("reason")
    if reason == "too_long":
        return tr("Not saved: the description is longer than {limit} characters.").format(
            limit=_count(params.get("limit"))
        )
    if reason == "phi":
        found: list[str] = []
        for item in params.get("findings") or ():
            kind = str(item.get("kind", ""))
            start, end = int(item.get("start", 0)), int(item.get("end", 0))
            words = text[start:end] if 0 <= start < end <= len(text) else ""
            label = finding_kind_label(kind)
            line = f"• {label}: “{words}”" if words else f"• {label}"
            if line not in found:
                found.append(line)
        head = tr("Not saved: the description may tell who someone is.")
        tail = tr(
            "Say what the photo shows, without names, dates or health details: the description "
            "is posted with the photo."
        )
        return "\n".join([head, *found, tail])
    return tr("The description could not be saved.")


def _count(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "?"

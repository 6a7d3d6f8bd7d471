"""Images: what a photo shows, and clean copies for publishing.

``scan_image``/``scan_steps`` report faces, visible text (checked for PHI) and metadata;
``export_clean(src, dst, *, redactions=())`` writes an upright, re-encoded copy without any
metadata, with redactions burned in; ``ImageSandbox`` parses untrusted files in a child process;
``ImageRejected`` refuses input that cannot be trusted. Pure Pillow/OpenCV: no Qt.
"""

from core.imaging.export import (
    IMPORT_FORMATS,
    IMPORT_SUFFIXES,
    MAX_FILE_BYTES,
    MAX_PIXELS,
    ExportVerifyFailed,
    ImageRejected,
    MediaPaths,
    clean_suffix,
    export_clean,
)
from core.imaging.model import (
    Answer,
    Box,
    ChecklistItem,
    ImageRecord,
    ImageReport,
    ImageStatus,
    Person,
    PersonKind,
    PhotoSpot,
    Redaction,
    RedactionStyle,
    SignOff,
    TextRegion,
    TextRisk,
)
from core.imaging.reading import REJECT_REASONS, register_heif
from core.imaging.redact import apply_redactions
from core.imaging.sandbox import ImageSandbox, Inspected
from core.imaging.scan import ocr_available, scan_image, scan_steps

__all__ = [
    "IMPORT_FORMATS",
    "IMPORT_SUFFIXES",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "REJECT_REASONS",
    "Answer",
    "Box",
    "ChecklistItem",
    "ExportVerifyFailed",
    "ImageRecord",
    "ImageRejected",
    "ImageReport",
    "ImageSandbox",
    "ImageStatus",
    "Inspected",
    "MediaPaths",
    "Person",
    "PersonKind",
    "PhotoSpot",
    "Redaction",
    "RedactionStyle",
    "SignOff",
    "TextRegion",
    "TextRisk",
    "apply_redactions",
    "clean_suffix",
    "export_clean",
    "ocr_available",
    "register_heif",
    "scan_image",
    "scan_steps",
]

register_heif()

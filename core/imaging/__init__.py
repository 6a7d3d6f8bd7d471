"""Images: clean copies for publishing (and, with the image checklist, what a photo shows).

``export_clean(src, dst, *, redactions=())`` writes an upright, re-encoded copy without any
metadata, with redaction boxes burned in; ``ImageRejected`` refuses input that cannot be
trusted (not an image, unsupported, malformed, or a decompression bomb). See
``core.imaging.export``. Pure Pillow: no Qt.
"""

from core.imaging.export import ImageRejected, MediaPaths, clean_suffix, export_clean

__all__ = ["ImageRejected", "MediaPaths", "clean_suffix", "export_clean"]

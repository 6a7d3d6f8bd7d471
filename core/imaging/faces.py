"""Faces in a photo: OpenCV's Haar frontal-face detector on a downscaled grey copy.

``opencv-python-headless`` below 5 ships the cascade files. Detecting on a copy at most
``FACE_MAX_SIDE`` pixels long is faster and finds fewer false faces in texture (a 12-MP photo
has a lot of it) without missing faces big enough to recognise; the boxes are scaled back to
the photo's pixels. The detector is loaded once per thread (a ``CascadeClassifier`` is not safe
to share between threads).
"""

from __future__ import annotations

import threading
from typing import Any

from PIL import Image

from core.imaging.model import Box

FACE_MAX_SIDE = 1024
"""The long side of the copy faces are detected on."""

MIN_FACE = 24
"""The smallest face looked for on that copy, in pixels."""

_local = threading.local()
_IMPORT = threading.Lock()
"""OpenCV's package bootstrap (it swaps its own entry in ``sys.modules`` while loading) is not
safe when two threads import it at once: the second saw a half-loaded ``cv2`` without
``cv2.data``. The first import happens under this lock."""


class FacesUnavailable(Exception):
    """OpenCV or its cascade file cannot be loaded."""


def detect_faces(image: Image.Image) -> tuple[Box, ...]:
    """The faces in ``image`` (upright pixels), largest first. Raises ``FacesUnavailable``
    when OpenCV cannot be loaded."""
    import numpy as np

    cascade = _detector()
    scale = max(image.width, image.height) / FACE_MAX_SIDE
    grey = image.convert("L")
    if scale > 1:
        grey = grey.resize(
            (max(1, round(image.width / scale)), max(1, round(image.height / scale))),
            Image.Resampling.BOX,
        )
    else:
        scale = 1.0
    pixels = np.asarray(grey)
    found = cascade.detectMultiScale(
        pixels, scaleFactor=1.1, minNeighbors=5, minSize=(MIN_FACE, MIN_FACE)
    )
    boxes = [
        Box(int(x * scale), int(y * scale), round(w * scale), round(h * scale))
        for x, y, w, h in (tuple(int(v) for v in face) for face in found)
    ]
    return tuple(sorted(boxes, key=lambda b: (-b.area, b.x, b.y)))


def _detector() -> Any:
    cached = getattr(_local, "detector", None)
    if cached is not None:
        return cached
    try:
        with _IMPORT:
            import cv2
            from cv2 import data as cv2_data
    except ImportError as error:
        raise FacesUnavailable(f"OpenCV cannot be loaded ({type(error).__name__})") from None
    folder = cv2_data.haarcascades
    path = f"{folder}haarcascade_frontalface_default.xml"
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise FacesUnavailable("the face cascade file cannot be loaded")
    _local.detector = cascade
    return cascade
